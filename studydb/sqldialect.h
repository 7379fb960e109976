#pragma once

#include <QSqlDatabase>
#include <QString>
#include <QStringList>

namespace ntt {

/**
 * The SQL that differs between SQLite and PostgreSQL lives here and nowhere else. Everything else in
 * studydb writes portable SQL (ON CONFLICT DO NOTHING, RETURNING id, TEXT timestamps in ISO 8601).
 */
class SqlDialect
{
public:
    enum class Kind { Sqlite, PostgreSql };

    explicit SqlDialect(Kind kind)
        : m_kind(kind)
    { }

    Kind kind() const { return m_kind; }
    /// Qt SQL driver name.
    QString driverName() const;
    /// Column type of an auto-incrementing 64-bit primary key.
    QString autoIdColumn() const;
    /// Column type of binary data (maps).
    QString blobColumn() const;
    /// A statement counting the tables of the database (the first read: it fails on what is not one).
    QString countTablesStatement() const;
    /**
     * A statement, run first in the transaction that creates a session, that makes other stations'
     * session creations for the same study (bound as the one parameter) wait until it commits; empty
     * where the writing transaction itself does (SQLite's BEGIN IMMEDIATE).
     */
    QString newSessionLock() const;
    /// After rows were inserted with their ids: makes the table's next auto id follow them (empty on
    /// SQLite, whose next id is always MAX + 1).
    QString followInsertedIds(const QString& table) const;
    /// Statements run on every new connection before anything else (after the version check).
    QStringList connectionSetup() const;
    /// Whether a table exists.
    bool hasTable(QSqlDatabase& db, const QString& table) const;

private:
    Kind m_kind;
};

} // namespace ntt
