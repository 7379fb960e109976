#include "stimulusprefetcher.h"

#include "study/stimulus.h"

#include <QFutureWatcher>
#include <QtConcurrent>

namespace ntt {

struct StimulusPrefetcher::Entry
{
    QFutureWatcher<std::pair<QImage, QString>> watcher;
    QImage image;
    QString error;
    bool done = false;
};

namespace {

std::pair<QImage, QString> decode(const QString& path, const QSize& size, qreal devicePixelRatio)
{
    auto rgb = loadStimulus(path, qRound(size.width() * devicePixelRatio), qRound(size.height() * devicePixelRatio));
    if (!rgb)
        return { QImage(), rgb.error() };
    const RgbImage& pixels = rgb.value();
    // Wrap, then convert: the conversion copies, so the QByteArray may go away afterwards.
    const QImage wrapped(reinterpret_cast<const uchar*>(pixels.pixels.constData()), pixels.width, pixels.height,
        pixels.width * 3, QImage::Format_RGB888);
    QImage image = wrapped.convertToFormat(QImage::Format_RGB32);
    image.setDevicePixelRatio(devicePixelRatio);
    return { image, QString() };
}

} // namespace

StimulusPrefetcher::StimulusPrefetcher(QHash<qint64, QString> stimulusPaths, QObject* parent)
    : QObject(parent)
    , m_paths(std::move(stimulusPaths))
{ }

StimulusPrefetcher::~StimulusPrefetcher()
{
    // Wait for decodes under way: their results refer to nothing of ours, but the watchers do.
    for (const auto& entry : std::as_const(m_entries))
        entry->watcher.waitForFinished();
}

void StimulusPrefetcher::setCellSize(const QSize& size, qreal devicePixelRatio)
{
    if (size == m_cellSize && qFuzzyCompare(devicePixelRatio, m_devicePixelRatio))
        return;
    m_cellSize = size;
    m_devicePixelRatio = devicePixelRatio;
    ++m_generation;
    const QList<qint64> ids = m_entries.keys();
    for (const auto& entry : std::as_const(m_entries))
        entry->watcher.disconnect(this);
    m_entries.clear();
    for (qint64 id : ids)
        prefetch(id);
}

void StimulusPrefetcher::prefetch(qint64 imageId)
{
    if (m_entries.contains(imageId) || !m_cellSize.isValid())
        return;
    auto entry = std::make_shared<Entry>();
    const quint64 generation = m_generation;
    connect(&entry->watcher, &QFutureWatcherBase::finished, this, [this, imageId, generation] {
        const auto it = m_entries.constFind(imageId);
        if (generation != m_generation || it == m_entries.constEnd())
            return; // a result for another cell size: dropped
        Entry& e = **it;
        auto [image, error] = e.watcher.result();
        e.image = std::move(image);
        e.error = std::move(error);
        e.done = true;
        Q_EMIT imageReady(imageId);
    });
    const QString path = m_paths.value(imageId);
    const QSize size = m_cellSize;
    const qreal ratio = m_devicePixelRatio;
    entry->watcher.setFuture(QtConcurrent::run([path, size, ratio, imageId] {
        if (path.isEmpty())
            return std::pair<QImage, QString> { QImage(), QStringLiteral("image %1 has no file").arg(imageId) };
        return decode(path, size, ratio);
    }));
    m_entries.insert(imageId, entry);
}

QImage StimulusPrefetcher::ready(qint64 imageId) const
{
    const auto it = m_entries.constFind(imageId);
    return it != m_entries.constEnd() && (*it)->done ? (*it)->image : QImage();
}

bool StimulusPrefetcher::isReady(qint64 imageId) const
{
    const auto it = m_entries.constFind(imageId);
    return it != m_entries.constEnd() && (*it)->done;
}

QString StimulusPrefetcher::error(qint64 imageId) const
{
    const auto it = m_entries.constFind(imageId);
    return it != m_entries.constEnd() ? (*it)->error : QString();
}

void StimulusPrefetcher::retainOnly(const QList<qint64>& keep)
{
    for (auto it = m_entries.begin(); it != m_entries.end();) {
        if (!keep.contains(it.key()) && (*it)->done)
            it = m_entries.erase(it);
        else
            ++it;
    }
}

} // namespace ntt
