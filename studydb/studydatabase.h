#pragma once

#include "mapstore.h"
#include "modelstore.h"
#include "poolstore.h"
#include "result.h"
#include "sessionstore.h"
#include "sqldialect.h"
#include "storecontext.h"
#include "studystore.h"
#include "tagstore.h"

#include <QString>

#include <memory>

class QSqlDatabase;
class QSqlQuery;

namespace ntt {

/**
 * One study: a file (SQLite: WAL, foreign keys on, synchronous commits) or a database on a
 * PostgreSQL server. It opens the connection, creates and migrates the schema and copies a study
 * between backends; what it stores is read and written by its stores, one per aggregate, over that
 * one connection: PoolStore, StudyStore, SessionStore, ModelStore, MapStore and TagStore (a
 * function that needs only sessions can take a SessionStore&). The connection belongs to the
 * thread that opened the study. Every write is a transaction: a failure leaves the study as it
 * was. A study written by a newer schema is refused without being changed.
 */
class StudyDatabase final : private StoreContext,
                            public PoolStore,
                            public StudyStore,
                            public SessionStore,
                            public ModelStore,
                            public MapStore,
                            public TagStore
{
public:
    /// ReadOnly: for analysis and export only; also chosen by itself for a file that cannot be
    /// written (read-only media, a folder without write permission).
    enum class OpenMode { CreateIfMissing, ExistingOnly, ReadOnly };

    /**
     * Opens (or creates) a study: a file path, or a PostgreSQL server's address
     * "postgresql://USER@HOST[:PORT]/DATABASE" (a database the user may create tables in; the
     * password comes from PGPASSWORD or the ~/.pgpass file, never from the address). Creates or
     * migrates the schema; refuses, unchanged, a study of a newer version.
     */
    static Result<std::unique_ptr<StudyDatabase>> open(const QString& path, OpenMode mode = OpenMode::CreateIfMissing);
    /// Whether `location` is a server address rather than a file path.
    static bool isServerLocation(const QString& location);

    /**
     * Copies everything this study store holds (pool, studies, sessions, answers, models, maps, tags)
     * into `target`, which must hold nothing yet (a new server database): ids are kept, so every
     * export reads the same from both. One transaction on the target: all or nothing. Used by
     * `ntt study publish` to move a study file to a server.
     */
    Status copyInto(StudyDatabase& target) const;
    static int currentSchemaVersion();

    ~StudyDatabase();
    StudyDatabase(const StudyDatabase&) = delete;
    StudyDatabase& operator=(const StudyDatabase&) = delete;

    QString path() const { return m_path; }
    int schemaVersion() const { return m_schemaVersion; }
    /// Opened read-only: every write fails with a sentence saying so.
    bool isReadOnly() const { return m_readOnly; }

    /// A free-form value of the file's metadata (e.g. "label" for the synthetic demo); empty if unset.
    Result<QString> metaValue(const QString& key) const;
    Status setMetaValue(const QString& key, const QString& value);

    /// Whether the study store answers (a server that went away does not); the error says why.
    Status ping() const;
    /// For a server study whose connection was lost (the server restarted, the network went away):
    /// connects again when ping() fails. Does nothing while the connection works.
    Status reconnectIfLost();

private:
    StoreContext& context() { return *this; }
    /// "<file>: <what> is not possible: the study file is open read-only ...".
    QString readOnlyError(const QString& what) const;
    StudyDatabase(QString path, QString connectionName, SqlDialect::Kind kind);
    static Result<std::unique_ptr<StudyDatabase>> openServer(const QString& location);
    Status migrate();
    QSqlDatabase database() const;
    Result<int> readSchemaVersion() const;

    int m_schemaVersion = 0;
};

} // namespace ntt
