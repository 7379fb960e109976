#include "browsermodels.h"

#include <QImage>
#include <QPainter>
#include <QPointer>
#include <QRunnable>

#include <opencv2/imgproc.hpp>

#include <cmath>
#include <limits>

namespace ntt {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

double percentOf(const AccuracyCell* cell)
{
    return cell && cell->accuracy.trials > 0 ? 100.0 * cell->accuracy.estimate : kNaN;
}

} // namespace

// --- GroupTableModel ---------------------------------------------------------------------------

GroupTableModel::GroupTableModel(QObject* parent)
    : QAbstractTableModel(parent)
{ }

void GroupTableModel::setData(const Analysis& analysis, const std::vector<BrowserImage>& images, Grouping grouping)
{
    beginResetModel();
    m_grouping = grouping;
    const bool byCategory = grouping == Grouping::Category;
    const std::vector<AccuracyCell>& cells = byCategory ? analysis.byCategory : analysis.bySource;
    m_headers
        = QStringList { byCategory ? tr("Category") : tr("Source"), tr("Images"), tr("People %"), tr("People n") };
    m_tooltips = QStringList { QString(), tr("Images of the study in this group"),
        tr("People's accuracy on the trials of this group (%)"), tr("Trials people answered in this group") };
    for (const QString& model : analysis.models) {
        m_headers << tr("%1 %").arg(model) << tr("Gap %1").arg(model);
        m_tooltips << tr("%1's accuracy on the same trials (%)").arg(model)
                   << tr("People minus %1, in percentage points: positive where people do better").arg(model);
        if (byCategory) {
            m_headers << tr("κ %1").arg(model);
            m_tooltips
                << tr("Error consistency of people and %1 (Cohen's kappa on trial-by-trial correctness)").arg(model);
        }
    }
    QHash<QString, int> imagesPerGroup;
    for (const BrowserImage& b : images)
        ++imagesPerGroup[byCategory ? b.image.category : b.image.source];
    QStringList groups;
    for (const AccuracyCell& c : cells) {
        if (!groups.contains(c.group))
            groups << c.group;
    }
    for (auto it = imagesPerGroup.cbegin(); it != imagesPerGroup.cend(); ++it) {
        if (!groups.contains(it.key()))
            groups << it.key();
    }
    groups.sort();
    m_rows.clear();
    for (const QString& g : groups) {
        Row row;
        row.group = g;
        row.images = imagesPerGroup.value(g);
        const AccuracyCell* people = Analysis::find(cells, peopleAgent(), g);
        const double peoplePercent = percentOf(people);
        row.values = { peoplePercent, people ? double(people->accuracy.trials) : kNaN };
        for (const QString& model : analysis.models) {
            const double modelPercent = percentOf(Analysis::find(cells, model, g));
            row.values.push_back(modelPercent);
            row.values.push_back(peoplePercent - modelPercent);
            if (byCategory) {
                double kappa = kNaN;
                for (const ConsistencyRow& c : analysis.errorConsistency) {
                    if (!c.ceiling && c.first == peopleAgent() && c.second == model && c.group == g)
                        kappa = c.consistency.kappa;
                }
                row.values.push_back(kappa);
            }
        }
        m_rows.push_back(std::move(row));
    }
    endResetModel();
}

QString GroupTableModel::group(int row) const
{
    return row >= 0 && row < int(m_rows.size()) ? m_rows[std::size_t(row)].group : QString();
}

int GroupTableModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int GroupTableModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(m_headers.size());
}

QVariant GroupTableModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Row& row = m_rows[std::size_t(index.row())];
    const int column = index.column();
    if (column == 0) {
        if (role == Qt::DisplayRole || role == kSortRole)
            return row.group;
        return {};
    }
    const double value = column == 1 ? double(row.images) : row.values[std::size_t(column - 2)];
    switch (role) {
    case Qt::DisplayRole: {
        if (std::isnan(value))
            return QStringLiteral("–");
        const QString header = m_headers.value(column);
        if (header.startsWith(QStringLiteral("κ")))
            return QString::number(value, 'f', 2);
        if (header.startsWith(tr("Gap")))
            return QStringLiteral("%1%2").arg(value > 0 ? QStringLiteral("+") : QString()).arg(value, 0, 'f', 1);
        if (column == 1 || header == tr("People n"))
            return QString::number(qint64(value));
        return QString::number(value, 'f', 1);
    }
    case kSortRole:
        return value;
    case Qt::TextAlignmentRole:
        return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
    default:
        return {};
    }
}

QVariant GroupTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= m_headers.size())
        return QAbstractTableModel::headerData(section, orientation, role);
    if (role == Qt::DisplayRole)
        return m_headers[section];
    if (role == Qt::ToolTipRole)
        return m_tooltips.value(section);
    return {};
}

// --- ThumbnailLoader ---------------------------------------------------------------------------

ThumbnailLoader::ThumbnailLoader(ThumbnailCache cache, QObject* parent)
    : QObject(parent)
    , m_cache(std::move(cache))
    , m_pixmaps(4000)
    , m_alive(std::make_shared<std::atomic_bool>(true))
{
    // Decoding is I/O and CPU bound; two threads keep a 2-core machine responsive.
    m_pool.setMaxThreadCount(std::max(1, std::min(4, QThread::idealThreadCount())));
}

ThumbnailLoader::~ThumbnailLoader()
{
    *m_alive = false;
    m_pool.clear();
    m_pool.waitForDone();
}

void ThumbnailLoader::waitForDone()
{
    m_pool.waitForDone();
}

QPixmap ThumbnailLoader::pixmap(qint64 imageId, const QString& path, const QString& sha256)
{
    if (const QPixmap* p = m_pixmaps.object(imageId))
        return *p;
    if (m_pending.contains(imageId))
        return {};
    m_pending.insert(imageId);
    const ThumbnailCache cache = m_cache;
    QPointer<ThumbnailLoader> self(this);
    const auto alive = m_alive;
    // Newest first: the items just scrolled into view are the ones the researcher looks at.
    m_pool.start(QRunnable::create([cache, path, sha256, imageId, self, alive] {
        if (!*alive)
            return;
        QImage image;
        const auto thumb = cache.thumbnail(path, sha256);
        if (thumb) {
            cv::Mat rgb;
            cv::cvtColor(thumb.value(), rgb, cv::COLOR_BGR2RGB);
            image = QImage(rgb.data, rgb.cols, rgb.rows, int(rgb.step), QImage::Format_RGB888).copy();
        }
        QMetaObject::invokeMethod(
            self.data(),
            [self, imageId, image] {
                if (self)
                    self->deliver(imageId, image);
            },
            Qt::QueuedConnection);
    }),
        ++m_requests);
    return {};
}

void ThumbnailLoader::deliver(qint64 imageId, const QImage& image)
{
    m_pending.remove(imageId);
    QPixmap pixmap = image.isNull() ? QPixmap() : QPixmap::fromImage(image);
    if (pixmap.isNull()) {
        // An unreadable file: a crossed box, so the grid shows it rather than waiting forever.
        pixmap = QPixmap(m_cache.size(), m_cache.size());
        pixmap.fill(QColor(230, 230, 230));
        QPainter painter(&pixmap);
        painter.setPen(QColor(176, 0, 32));
        painter.drawLine(0, 0, pixmap.width(), pixmap.height());
        painter.drawLine(0, pixmap.height(), pixmap.width(), 0);
    }
    m_pixmaps.insert(imageId, new QPixmap(std::move(pixmap)));
    Q_EMIT loaded(imageId);
}

// --- ThumbnailGridModel ------------------------------------------------------------------------

ThumbnailGridModel::ThumbnailGridModel(ThumbnailLoader* loader, QObject* parent)
    : QAbstractListModel(parent)
    , m_loader(loader)
    , m_placeholder(loader->size(), loader->size())
{
    m_placeholder.fill(QColor(235, 235, 235));
    connect(m_loader, &ThumbnailLoader::loaded, this, [this](qint64 id) {
        const auto it = m_rowOfId.constFind(id);
        if (it != m_rowOfId.cend()) {
            const QModelIndex i = index(*it);
            Q_EMIT dataChanged(i, i, { Qt::DecorationRole });
        }
    });
}

void ThumbnailGridModel::setImages(
    std::shared_ptr<const std::vector<BrowserImage>> images, std::vector<int> rows, QString model)
{
    beginResetModel();
    m_images = std::move(images);
    m_rows = std::move(rows);
    m_model = std::move(model);
    m_rowOfId.clear();
    m_rowOfId.reserve(qsizetype(m_rows.size()));
    for (int r = 0; r < int(m_rows.size()); ++r)
        m_rowOfId.insert((*m_images)[std::size_t(m_rows[std::size_t(r)])].image.id, r);
    endResetModel();
}

const BrowserImage* ThumbnailGridModel::image(int row) const
{
    if (!m_images || row < 0 || row >= int(m_rows.size()))
        return nullptr;
    return &(*m_images)[std::size_t(m_rows[std::size_t(row)])];
}

std::vector<qint64> ThumbnailGridModel::imageIds() const
{
    std::vector<qint64> ids;
    ids.reserve(m_rows.size());
    for (int r : m_rows)
        ids.push_back((*m_images)[std::size_t(r)].image.id);
    return ids;
}

int ThumbnailGridModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

QVariant ThumbnailGridModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const BrowserImage& b = *image(index.row());
    switch (role) {
    case Qt::DisplayRole: {
        QString text = QStringLiteral("#%1").arg(b.image.id);
        if (b.people.trials > 0)
            text += tr(" · people %1 %").arg(std::lround(100.0 * b.people.shareCorrect()));
        const auto p = b.pReal.constFind(m_model);
        if (p != b.pReal.cend())
            text += tr("\nP(real) %1").arg(double(*p), 0, 'f', 2);
        return text;
    }
    case Qt::DecorationRole: {
        const QPixmap p = m_loader->pixmap(b.image.id, b.image.path, b.image.sha256);
        return p.isNull() ? m_placeholder : p;
    }
    case Qt::ToolTipRole:
        return tr("#%1 · %2 · %3%4\n%5")
            .arg(b.image.id)
            .arg(b.image.category, b.image.source,
                b.tags.isEmpty() ? QString() : tr(" · tags: %1").arg(b.tags.join(QStringLiteral("; "))), b.image.path);
    case kImageIdRole:
        return b.image.id;
    default:
        return {};
    }
}

} // namespace ntt
