// PoolStore: imports, pool images, the real source, splits and label conflicts.

#include "poolstore.h"

#include "studydatabase_p.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QSqlRecord>
#include <QUuid>
#include <QtEndian>

#include <map>
#include <optional>

namespace ntt {

using namespace dbdetail;

namespace {

/// When `image`'s bytes are already in the pool under another source, records the conflict (the
/// pool keeps its first label) and returns a message naming both; empty when the labels agree.
Result<QString> recordLabelConflict(QSqlDatabase db, const PoolImage& image, qint64 importId)
{
    const QString path = db.databaseName();
    Sql existing(db, path);
    existing.prepare(QStringLiteral("SELECT id, source, category, relative_path FROM pool_images WHERE sha256 = ?"))
        .bind(image.sha256);
    if (const Status s = existing.exec(QStringLiteral("looking up %1").arg(image.relativePath)); !s)
        return Error { s.error() };
    if (!existing.next())
        return QString();
    const qint64 id = existing.value(0).toLongLong();
    const QString source = existing.value(1).toString();
    const QString category = existing.value(2).toString();
    const QString firstPath = existing.value(3).toString();
    existing.query().finish();
    if (source == image.source)
        return QString();
    Sql insert(db, path);
    insert
        .prepare(QStringLiteral("INSERT INTO label_conflicts (image_id, source, category, relative_path, import_id) "
                                "VALUES (?, ?, ?, ?, ?)"))
        .bind(id)
        .bind(image.source)
        .bind(image.category)
        .bind(image.relativePath)
        .bind(importId);
    if (const Status s = insert.exec(QStringLiteral("recording a label conflict")); !s)
        return Error { s.error() };
    return QStringLiteral("%1 is labelled %2 here but its bytes are already in the pool as %3 (%4); the pool keeps %3")
        .arg(image.relativePath, image.source, source, firstPath);
}

} // namespace

Result<QStringList> PoolStore::labelConflicts() const
{
    Sql q(database(), m_c.m_path);
    q.prepare(QStringLiteral("SELECT c.relative_path, c.source, i.source, i.relative_path FROM label_conflicts c "
                             "JOIN pool_images i ON i.id = c.image_id ORDER BY c.import_id, c.relative_path"));
    if (const Status s = q.exec(QStringLiteral("reading label conflicts")); !s)
        return Error { s.error() };
    QStringList conflicts;
    while (q.next())
        conflicts << QStringLiteral("%1 is labelled %2 in a later import but its bytes are in the pool as %3 (%4)")
                         .arg(q.value(0).toString(), q.value(1).toString(), q.value(2).toString(),
                             q.value(3).toString());
    return conflicts;
}

Result<StoredImport> PoolStore::storeImport(const ImportReport& report, const QString& location)
{
    QSqlDatabase db = database();
    Transaction tx(db);
    if (!tx.started())
        return Error { QStringLiteral("%1: cannot start a transaction: %2").arg(m_c.m_path, db.lastError().text()) };

    const auto storedReal = realSource();
    if (!storedReal)
        return Error { storedReal.error() };
    if (!storedReal.value().isEmpty() && storedReal.value() != report.realSource) {
        return Error { QStringLiteral("%1: the pool's real source is \"%2\" but this import names \"%3\"; import with "
                                      "--real-source %2 or use another study file")
                           .arg(m_c.m_path, storedReal.value(), report.realSource) };
    }

    StoredImport stored;
    Sql log(db, m_c.m_path);
    log.prepare(QStringLiteral("INSERT INTO imports (location, layout, real_source, imported_utc, images_added, "
                               "already_present, rejected, duplicates, report) VALUES (?, ?, ?, ?, 0, 0, ?, ?, ?) "
                               "RETURNING id"))
        .bind(location)
        .bind(poolLayoutName(report.layout))
        .bind(report.realSource)
        .bind(nowUtc())
        .bind(static_cast<int>(report.rejected.size()))
        .bind(static_cast<int>(report.duplicates.size()))
        .bind(formatImportReport(report));
    if (const Status s = log.exec(QStringLiteral("logging the import")); !s)
        return Error { s.error() };
    const qint64 importId = log.returnedId().value_or(0);

    for (const PoolImage& image : report.images) {
        Sql insert(db, m_c.m_path);
        insert
            .prepare(QStringLiteral("INSERT INTO pool_images (sha256, path, relative_path, source, category, pair_key, "
                                    "split, file_size, width, height, format, jpeg_quality, has_exif, orientation, "
                                    "alpha, import_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                                    "ON CONFLICT (sha256) DO NOTHING RETURNING id"))
            .bind(image.sha256)
            .bind(image.path)
            .bind(image.relativePath)
            .bind(image.source)
            .bind(image.category)
            .bind(image.pairKey)
            .bind(splitName(image.split))
            .bind(image.fileSize)
            .bind(image.width)
            .bind(image.height)
            .bind(image.format)
            .bind(image.jpegQuality)
            .bind(image.hasExif ? 1 : 0)
            .bind(image.orientation)
            .bind(image.alpha)
            .bind(importId);
        if (const Status s = insert.exec(QStringLiteral("storing %1").arg(image.relativePath)); !s)
            return Error { s.error() };
        const auto inserted = insert.returnedId();
        if (!inserted) {
            ++stored.alreadyPresent;
            const auto conflict = recordLabelConflict(db, image, importId);
            if (!conflict)
                return Error { conflict.error() };
            if (!conflict->isEmpty())
                stored.labelConflicts << conflict.value();
            continue;
        }
        ++stored.added;
        const qint64 imageId = *inserted;
        for (auto it = image.attributes.cbegin(); it != image.attributes.cend(); ++it) {
            Sql attr(db, m_c.m_path);
            attr.prepare(QStringLiteral("INSERT INTO image_attributes (image_id, name, value) VALUES (?, ?, ?)"))
                .bind(imageId)
                .bind(it.key())
                .bind(it.value());
            if (const Status s
                = attr.exec(QStringLiteral("storing attribute %1 of %2").arg(it.key(), image.relativePath));
                !s)
                return Error { s.error() };
        }
    }

    Sql counts(db, m_c.m_path);
    counts.prepare(QStringLiteral("UPDATE imports SET images_added = ?, already_present = ? WHERE id = ?"))
        .bind(stored.added)
        .bind(stored.alreadyPresent)
        .bind(importId);
    if (const Status s = counts.exec(QStringLiteral("logging the import")); !s)
        return Error { s.error() };
    Sql real(db, m_c.m_path);
    real.prepare(QStringLiteral("INSERT INTO meta (key, value) VALUES ('real_source', ?) ON CONFLICT (key) DO NOTHING"))
        .bind(report.realSource);
    if (const Status s = real.exec(QStringLiteral("recording the real source")); !s)
        return Error { s.error() };
    if (!tx.commit())
        return Error {
            QStringLiteral("%1: the import could not be committed: %2").arg(m_c.m_path, db.lastError().text())
        };
    return stored;
}

Result<std::vector<PoolImage>> PoolStore::poolImages() const
{
    QSqlDatabase db = database();
    Sql q(db, m_c.m_path);
    q.prepare(QStringLiteral("SELECT %1 FROM pool_images i ORDER BY i.id").arg(kImageColumns));
    if (const Status s = q.exec(QStringLiteral("reading the pool")); !s)
        return Error { s.error() };
    std::vector<PoolImage> images;
    std::map<qint64, std::size_t> byId;
    while (q.next()) {
        byId[q.query().value(0).toLongLong()] = images.size();
        images.push_back(imageFromQuery(q.query(), 0));
    }
    Sql attrs(db, m_c.m_path);
    attrs.prepare(QStringLiteral("SELECT image_id, name, value FROM image_attributes"));
    if (const Status s = attrs.exec(QStringLiteral("reading image attributes")); !s)
        return Error { s.error() };
    while (attrs.next()) {
        const auto it = byId.find(attrs.value(0).toLongLong());
        if (it != byId.end())
            images[it->second].attributes.insert(attrs.value(1).toString(), attrs.value(2).toString());
    }
    return images;
}

Result<QString> PoolStore::realSource() const
{
    Sql q(database(), m_c.m_path);
    q.prepare(QStringLiteral("SELECT value FROM meta WHERE key = 'real_source'"));
    if (const Status s = q.exec(QStringLiteral("reading the real source")); !s)
        return Error { s.error() };
    return q.next() ? q.value(0).toString() : QString();
}

Status PoolStore::setImageSplits(const QMap<qint64, Split>& splits)
{
    QSqlDatabase db = database();
    Transaction tx(db);
    for (auto it = splits.cbegin(); it != splits.cend(); ++it) {
        Sql q(db, m_c.m_path);
        q.prepare(QStringLiteral("UPDATE pool_images SET split = ? WHERE id = ?"))
            .bind(splitName(it.value()))
            .bind(it.key());
        if (const Status s = q.exec(QStringLiteral("setting the split of image %1").arg(it.key())); !s)
            return s;
    }
    if (!tx.commit())
        return Error { QStringLiteral("%1: splits could not be committed: %2").arg(m_c.m_path, db.lastError().text()) };
    return {};
}

} // namespace ntt
