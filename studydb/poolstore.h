#pragma once

#include "pool/poolimport.h"
#include "result.h"
#include "storecontext.h"

#include <QMap>
#include <QStringList>

#include <vector>

namespace ntt {

/// What storing an import changed.
struct StoredImport
{
    int added = 0;
    int alreadyPresent = 0; ///< same SHA-256 already in the pool: left as it was
    /// Of those, the ones imported under another source than the pool has them: one message each.
    QStringList labelConflicts;
};

/**
 * The pool: imports and their images, the real source, splits, label conflicts.
 * Part of StudyDatabase, which opens the connection all stores share; tested on SQLite and
 * PostgreSQL alike (tst_stores).
 */
class PoolStore
{
public:
    /// Stores the images of a scan and a log entry of the import, all or nothing; images whose
    /// SHA-256 is already stored are left unchanged, so importing the same folder twice changes nothing.
    Result<StoredImport> storeImport(const ImportReport& report, const QString& location);
    Result<std::vector<PoolImage>> poolImages() const;
    /// The real source named by the imports so far; empty when nothing was imported.
    Result<QString> realSource() const;
    /// Images imported again under another source than the pool keeps, one message each, oldest first.
    Result<QStringList> labelConflicts() const;
    /// Sets the classifier split of pool images (image id -> split), all or nothing.
    Status setImageSplits(const QMap<qint64, Split>& splits);

protected:
    explicit PoolStore(StoreContext& context);
    ~PoolStore() = default;
    PoolStore(const PoolStore&) = delete;
    PoolStore& operator=(const PoolStore&) = delete;

private:
    QSqlDatabase database() const { return m_c.database(); }
    QString readOnlyError(const QString& what) const { return m_c.readOnlyError(what); }

    StoreContext& m_c;
};

} // namespace ntt
