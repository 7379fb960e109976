#pragma once

#include "analysis/analysis.h"
#include "analysis/imagebrowser.h"
#include "pool/thumbnails.h"

#include <QAbstractListModel>
#include <QAbstractTableModel>
#include <QCache>
#include <QHash>
#include <QPixmap>
#include <QSet>
#include <QThreadPool>

#include <memory>
#include <vector>

namespace ntt {

/// The role that carries a cell's value for sorting (a number where the column is numeric).
constexpr int kSortRole = Qt::UserRole + 1;
/// The role that carries an image's pool id.
constexpr int kImageIdRole = Qt::UserRole + 2;

/**
 * Categories or sources (generators) with, for each, the number of images, people's accuracy and
 * n, and per model its accuracy, the gap to people (people minus model, percentage points) and the
 * error consistency (Cohen's kappa, per category). Values come from analyse(); sortable through
 * kSortRole (missing values sort as NaN: last).
 */
class GroupTableModel final : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum class Grouping { Category, Source };

    explicit GroupTableModel(QObject* parent = nullptr);

    void setData(const Analysis& analysis, const std::vector<BrowserImage>& images, Grouping grouping);
    Grouping grouping() const { return m_grouping; }
    QString group(int row) const;

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    struct Row
    {
        QString group;
        int images = 0;
        std::vector<double> values; ///< by column from the third on; NaN = none
    };
    Grouping m_grouping = Grouping::Category;
    QStringList m_headers;
    QStringList m_tooltips;
    std::vector<Row> m_rows;
};

/**
 * Loads thumbnails on a thread pool (never on the GUI thread), newest requests first, and keeps
 * the recent ones as pixmaps. `loaded` tells which image is ready.
 */
class ThumbnailLoader final : public QObject
{
    Q_OBJECT

public:
    ThumbnailLoader(ThumbnailCache cache, QObject* parent = nullptr);
    ~ThumbnailLoader() override;

    /// The pixmap if it is ready; otherwise null, and the thumbnail is queued.
    QPixmap pixmap(qint64 imageId, const QString& path, const QString& sha256);
    int size() const { return m_cache.size(); }
    /// Waits for the queued work (tests, benchmarks).
    void waitForDone();

Q_SIGNALS:
    void loaded(qint64 imageId);

private:
    void deliver(qint64 imageId, const QImage& image);

    ThumbnailCache m_cache;
    QThreadPool m_pool;
    QCache<qint64, QPixmap> m_pixmaps;
    QSet<qint64> m_pending;
    std::shared_ptr<std::atomic_bool> m_alive;
    int m_requests = 0; ///< later requests get a higher priority
};

/**
 * The images of the browser's current selection as a thumbnail grid: one item per image, the
 * thumbnail as decoration (a grey box until it is loaded), "#id" and people's share and the
 * model's P(real) as text. Holds indices into a shared list of images, so filtering 100,000
 * images copies no image.
 */
class ThumbnailGridModel final : public QAbstractListModel
{
    Q_OBJECT

public:
    ThumbnailGridModel(ThumbnailLoader* loader, QObject* parent = nullptr);

    void setImages(std::shared_ptr<const std::vector<BrowserImage>> images, std::vector<int> rows, QString model);
    const BrowserImage* image(int row) const;
    std::vector<qint64> imageIds() const;

    int rowCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;

private:
    ThumbnailLoader* m_loader;
    std::shared_ptr<const std::vector<BrowserImage>> m_images;
    std::vector<int> m_rows;
    QHash<qint64, int> m_rowOfId;
    QString m_model;
    QPixmap m_placeholder;
};

} // namespace ntt
