#pragma once

#include <QFuture>
#include <QHash>
#include <QImage>
#include <QObject>
#include <QSize>
#include <QString>

#include <memory>

namespace ntt {

/**
 * Decodes and scales stimuli on worker threads ahead of time, so that the GUI thread only blits
 * ready images. Images are converted to the backing store's native 32-bit format in the worker,
 * so painting one is a plain copy.
 */
class StimulusPrefetcher final : public QObject
{
    Q_OBJECT

public:
    explicit StimulusPrefetcher(QHash<qint64, QString> stimulusPaths, QObject* parent = nullptr);
    ~StimulusPrefetcher() override;

    /// Size every image is fitted into, in logical pixels, and the screen's device pixel ratio: images
    /// are decoded at device resolution so a high-DPI screen shows every pixel, never an upscaled copy.
    /// Changing either drops what was prepared for the old values.
    void setCellSize(const QSize& size, qreal devicePixelRatio = 1.0);
    QSize cellSize() const { return m_cellSize; }

    /// Starts decoding `imageId` if it is not ready or under way.
    void prefetch(qint64 imageId);
    /// The ready image, or a null image while it is still being decoded.
    QImage ready(qint64 imageId) const;
    bool isReady(qint64 imageId) const;
    /// The error of an image that failed to load (empty if none).
    QString error(qint64 imageId) const;
    /// Forgets images that are not in `keep`, so memory stays bounded over a long session.
    void retainOnly(const QList<qint64>& keep);

Q_SIGNALS:
    /// An image finished decoding (successfully or not).
    void imageReady(qint64 imageId);

private:
    struct Entry;
    QHash<qint64, QString> m_paths;
    QSize m_cellSize;
    qreal m_devicePixelRatio = 1.0;
    QHash<qint64, std::shared_ptr<Entry>> m_entries;
    quint64 m_generation = 0;
};

} // namespace ntt
