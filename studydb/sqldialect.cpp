#include "sqldialect.h"

namespace ntt {

QString SqlDialect::driverName() const
{
    return m_kind == Kind::Sqlite ? QStringLiteral("QSQLITE") : QStringLiteral("QPSQL");
}

QString SqlDialect::autoIdColumn() const
{
    return m_kind == Kind::Sqlite ? QStringLiteral("INTEGER PRIMARY KEY") : QStringLiteral("BIGSERIAL PRIMARY KEY");
}

QString SqlDialect::blobColumn() const
{
    return m_kind == Kind::Sqlite ? QStringLiteral("BLOB") : QStringLiteral("BYTEA");
}

QString SqlDialect::countTablesStatement() const
{
    return m_kind == Kind::Sqlite
        ? QStringLiteral("SELECT count(*) FROM sqlite_master")
        : QStringLiteral("SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema()");
}

QString SqlDialect::newSessionLock() const
{
    // A transaction-level advisory lock on (NameThatTrue's key, study id): released at commit or rollback.
    return m_kind == Kind::Sqlite ? QString()
                                  : QStringLiteral("SELECT pg_advisory_xact_lock(20084, CAST(? AS INTEGER))");
}

QString SqlDialect::followInsertedIds(const QString& table) const
{
    if (m_kind == Kind::Sqlite)
        return {};
    return QStringLiteral("SELECT setval(pg_get_serial_sequence('%1', 'id'), COALESCE(MAX(id), 1), MAX(id) IS NOT "
                          "NULL) FROM %1")
        .arg(table);
}

QStringList SqlDialect::connectionSetup() const
{
    if (m_kind == Kind::PostgreSql)
        return {};
    // WAL lets readers work beside the writer; synchronous=FULL makes every commit reach the disk
    // before it returns, so an answer survives a power cut once recordResponse() came back.
    return { QStringLiteral("PRAGMA foreign_keys = ON"), QStringLiteral("PRAGMA journal_mode = WAL"),
        QStringLiteral("PRAGMA synchronous = FULL"), QStringLiteral("PRAGMA busy_timeout = 5000") };
}

bool SqlDialect::hasTable(QSqlDatabase& db, const QString& table) const
{
    return db.tables(QSql::Tables).contains(table);
}

} // namespace ntt
