#pragma once

#include "sqldialect.h"

#include <QString>

#include <memory>

class QSqlDatabase;

namespace ntt {

/**
 * What every store of a study shares (StudyDatabase owns it): the connection, by name (a Qt SQL
 * connection belongs to the thread that opened it), the SQL dialect of the backend, what messages
 * name the study by (a file path, or a server address without password), and whether it was
 * opened read-only.
 */
struct StoreContext
{
    QString m_path;
    QString m_connectionName;
    std::unique_ptr<SqlDialect> m_dialect;
    bool m_readOnly = false;

    QSqlDatabase database() const;
    /// "<store>: <what> is not possible: the study file is open read-only ...".
    QString readOnlyError(const QString& what) const;
};

} // namespace ntt
