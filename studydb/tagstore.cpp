// TagStore: the researcher's tags and notes on pool images.

#include "tagstore.h"

#include "studydatabase_p.h"

namespace ntt {

using namespace dbdetail;

Status TagStore::addImageTag(qint64 imageId, const QString& tag)
{
    const QString t = tag.trimmed();
    if (t.isEmpty())
        return Error { QStringLiteral("%1: a tag must not be empty").arg(m_c.m_path) };
    Sql q(database(), m_c.m_path);
    q.prepare(QStringLiteral("INSERT INTO image_tags (image_id, tag, added_utc) VALUES (?, ?, ?) "
                             "ON CONFLICT (image_id, tag) DO NOTHING"))
        .bind(imageId)
        .bind(t)
        .bind(nowUtc());
    return q.exec(QStringLiteral("tagging image %1").arg(imageId));
}

Status TagStore::removeImageTag(qint64 imageId, const QString& tag)
{
    Sql q(database(), m_c.m_path);
    q.prepare(QStringLiteral("DELETE FROM image_tags WHERE image_id = ? AND tag = ?"))
        .bind(imageId)
        .bind(tag.trimmed());
    return q.exec(QStringLiteral("untagging image %1").arg(imageId));
}

Status TagStore::setImageNote(qint64 imageId, const QString& note)
{
    Sql q(database(), m_c.m_path);
    if (note.trimmed().isEmpty())
        q.prepare(QStringLiteral("DELETE FROM image_notes WHERE image_id = ?")).bind(imageId);
    else
        q.prepare(QStringLiteral("INSERT INTO image_notes (image_id, note, updated_utc) VALUES (?, ?, ?) "
                                 "ON CONFLICT (image_id) DO UPDATE SET note = excluded.note, "
                                 "updated_utc = excluded.updated_utc"))
            .bind(imageId)
            .bind(note)
            .bind(nowUtc());
    return q.exec(QStringLiteral("storing the note of image %1").arg(imageId));
}

Result<QHash<qint64, QStringList>> TagStore::imageTags() const
{
    Sql q(database(), m_c.m_path);
    q.prepare(QStringLiteral("SELECT image_id, tag FROM image_tags ORDER BY image_id, tag"));
    if (const Status s = q.exec(QStringLiteral("reading image tags")); !s)
        return Error { s.error() };
    QHash<qint64, QStringList> tags;
    while (q.next())
        tags[q.value(0).toLongLong()] << q.value(1).toString();
    return tags;
}

Result<QHash<qint64, QString>> TagStore::imageNotes() const
{
    Sql q(database(), m_c.m_path);
    q.prepare(QStringLiteral("SELECT image_id, note FROM image_notes"));
    if (const Status s = q.exec(QStringLiteral("reading image notes")); !s)
        return Error { s.error() };
    QHash<qint64, QString> notes;
    while (q.next())
        notes.insert(q.value(0).toLongLong(), q.value(1).toString());
    return notes;
}

} // namespace ntt
