#pragma once

#include "result.h"
#include "storecontext.h"

#include <QHash>
#include <QStringList>

namespace ntt {

/**
 * The researcher's tags and notes on pool images, for browsing the errors and in the exports.
 * Part of StudyDatabase, which opens the connection all stores share; tested on SQLite and
 * PostgreSQL alike (tst_stores).
 */
class TagStore
{
public:
    Status addImageTag(qint64 imageId, const QString& tag);
    Status removeImageTag(qint64 imageId, const QString& tag);
    /// An empty note deletes it.
    Status setImageNote(qint64 imageId, const QString& note);
    Result<QHash<qint64, QStringList>> imageTags() const;
    Result<QHash<qint64, QString>> imageNotes() const;

protected:
    explicit TagStore(StoreContext& context);
    ~TagStore() = default;
    TagStore(const TagStore&) = delete;
    TagStore& operator=(const TagStore&) = delete;

private:
    QSqlDatabase database() const { return m_c.database(); }
    QString readOnlyError(const QString& what) const { return m_c.readOnlyError(what); }

    StoreContext& m_c;
};

} // namespace ntt
