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
