#include "studydatabase.h"

#include "sqldialect.h"
#include "studydatabase_p.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QRegularExpression>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QSqlRecord>
#include <QUrl>
#include <QUuid>
#include <QVariant>
#include <QtEndian>

#include <map>
#include <optional>
#include <unistd.h>

Q_LOGGING_CATEGORY(lcStudyDb, "ntt.studydb", QtInfoMsg)

namespace ntt {

using namespace dbdetail;

namespace {

// Each entry moves the schema from version (index) to version (index + 1). Never edit a released
// entry: add a new one, so every older file can be brought up to date.
QStringList migrationStatements(int toVersion, const SqlDialect& dialect)
{
    const QString id = dialect.autoIdColumn();
    switch (toVersion) {
    case 1:
        return {
            QStringLiteral("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)"),
            QStringLiteral("CREATE TABLE imports (id %1, location TEXT NOT NULL, layout TEXT NOT NULL, "
                           "real_source TEXT NOT NULL, imported_utc TEXT NOT NULL, images_added INTEGER NOT NULL, "
                           "already_present INTEGER NOT NULL, rejected INTEGER NOT NULL, duplicates INTEGER NOT NULL, "
                           "report TEXT NOT NULL)")
                .arg(id),
            QStringLiteral("CREATE TABLE pool_images (id %1, sha256 TEXT NOT NULL UNIQUE, path TEXT NOT NULL, "
                           "relative_path TEXT NOT NULL, source TEXT NOT NULL, category TEXT NOT NULL, "
                           "pair_key TEXT NOT NULL, split TEXT NOT NULL, file_size BIGINT NOT NULL, "
                           "width INTEGER NOT NULL, height INTEGER NOT NULL, format TEXT NOT NULL, "
                           "jpeg_quality INTEGER NOT NULL, has_exif INTEGER NOT NULL, "
                           "import_id BIGINT NOT NULL REFERENCES imports(id))")
                .arg(id),
            QStringLiteral("CREATE TABLE image_attributes (image_id BIGINT NOT NULL REFERENCES pool_images(id), "
                           "name TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (image_id, name))"),
            QStringLiteral("CREATE TABLE studies (id %1, name TEXT NOT NULL UNIQUE, definition TEXT NOT NULL, "
                           "real_source TEXT NOT NULL, created_utc TEXT NOT NULL)")
                .arg(id),
            QStringLiteral("CREATE TABLE stimuli (study_id BIGINT NOT NULL REFERENCES studies(id), "
                           "image_id BIGINT NOT NULL REFERENCES pool_images(id), path TEXT NOT NULL, "
                           "sha256 TEXT NOT NULL, PRIMARY KEY (study_id, image_id))"),
            QStringLiteral("CREATE TABLE sessions (id %1, study_id BIGINT NOT NULL REFERENCES studies(id), "
                           "participant_index INTEGER NOT NULL, participant_code TEXT NOT NULL, station TEXT NOT NULL, "
                           "simulated INTEGER NOT NULL, state TEXT NOT NULL, started_utc TEXT NOT NULL, "
                           "ended_utc TEXT, UNIQUE (study_id, participant_index), UNIQUE (study_id, participant_code))")
                .arg(id),
            QStringLiteral("CREATE TABLE trials (id %1, session_id BIGINT NOT NULL REFERENCES sessions(id), "
                           "trial_index INTEGER NOT NULL, trial_type TEXT NOT NULL, ways INTEGER NOT NULL, "
                           "correct_position INTEGER NOT NULL, practice INTEGER NOT NULL, is_catch INTEGER NOT NULL, "
                           "break_after INTEGER NOT NULL, UNIQUE (session_id, trial_index))")
                .arg(id),
            QStringLiteral("CREATE TABLE trial_images (trial_id BIGINT NOT NULL REFERENCES trials(id), "
                           "position INTEGER NOT NULL, image_id BIGINT NOT NULL REFERENCES pool_images(id), "
                           "PRIMARY KEY (trial_id, position))"),
            QStringLiteral(
                "CREATE TABLE responses (id %1, trial_id BIGINT NOT NULL UNIQUE REFERENCES trials(id), "
                "answer INTEGER NOT NULL, correct INTEGER NOT NULL, confidence INTEGER, rt_ms DOUBLE PRECISION, "
                "onset_utc TEXT, response_utc TEXT, rt_clock TEXT NOT NULL, focus_losses INTEGER NOT NULL, "
                "timed_out INTEGER NOT NULL, too_fast INTEGER NOT NULL, recorded_utc TEXT NOT NULL)")
                .arg(id),
            QStringLiteral("CREATE TABLE session_events (id %1, session_id BIGINT NOT NULL REFERENCES sessions(id), "
                           "trial_index INTEGER, kind TEXT NOT NULL, at_utc TEXT NOT NULL, detail TEXT NOT NULL)")
                .arg(id),
            QStringLiteral("CREATE INDEX pool_images_source ON pool_images (source, category)"),
            QStringLiteral("CREATE INDEX trials_session ON trials (session_id)"),
            QStringLiteral("CREATE INDEX sessions_study ON sessions (study_id)"),
        };
    case 2:
        return {
            QStringLiteral("CREATE TABLE models (id %1, name TEXT NOT NULL UNIQUE, path TEXT NOT NULL, "
                           "sha256 TEXT NOT NULL, spec TEXT NOT NULL, training TEXT NOT NULL, added_utc TEXT NOT NULL)")
                .arg(id),
            QStringLiteral("CREATE TABLE model_runs (id %1, model_id BIGINT NOT NULL REFERENCES models(id), "
                           "study_id BIGINT REFERENCES studies(id), device TEXT NOT NULL, threads INTEGER NOT NULL, "
                           "torch_version TEXT NOT NULL, batch_size INTEGER NOT NULL, started_utc TEXT NOT NULL, "
                           "ended_utc TEXT, state TEXT NOT NULL, predicted INTEGER NOT NULL, skipped INTEGER NOT NULL, "
                           "failed INTEGER NOT NULL)")
                .arg(id),
            // Keyed by the hashes of the model file and of the image file the model saw, so a run
            // again on the same images skips them, whatever study or import they came from.
            QStringLiteral("CREATE TABLE predictions (model_sha256 TEXT NOT NULL, image_sha256 TEXT NOT NULL, "
                           "run_id BIGINT NOT NULL REFERENCES model_runs(id), p_real DOUBLE PRECISION, "
                           "class_probabilities TEXT NOT NULL, milliseconds DOUBLE PRECISION NOT NULL, "
                           "error TEXT NOT NULL, PRIMARY KEY (model_sha256, image_sha256))"),
            QStringLiteral("CREATE TABLE model_answers (model_id BIGINT NOT NULL REFERENCES models(id), "
                           "trial_id BIGINT NOT NULL REFERENCES trials(id), answer INTEGER NOT NULL, "
                           "correct INTEGER NOT NULL, threshold DOUBLE PRECISION NOT NULL, "
                           "run_id BIGINT NOT NULL REFERENCES model_runs(id), PRIMARY KEY (model_id, trial_id))"),
            QStringLiteral("CREATE INDEX predictions_image ON predictions (image_sha256)"),
            // A study keeps the pool it was designed on: later imports must not change participant k's list.
            QStringLiteral("CREATE TABLE study_images (study_id BIGINT NOT NULL REFERENCES studies(id), "
                           "image_id BIGINT NOT NULL REFERENCES pool_images(id), PRIMARY KEY (study_id, image_id))"),
            QStringLiteral(
                "INSERT INTO study_images (study_id, image_id) SELECT s.id, i.id FROM studies s, pool_images i"),
        };
    case 3:
        return {
            // Maps as float32 little-endian blobs at the target layer's resolution (small: 7 x 7
            // for a ResNet at 224 px); `noise` holds the Smooth Grad-CAM++ settings, empty otherwise.
            QStringLiteral("CREATE TABLE cam_maps (model_sha256 TEXT NOT NULL, image_sha256 TEXT NOT NULL, "
                           "method TEXT NOT NULL, layer TEXT NOT NULL, target TEXT NOT NULL, noise TEXT NOT NULL, "
                           "width INTEGER NOT NULL, height INTEGER NOT NULL, target_class INTEGER NOT NULL, "
                           "target_negated INTEGER NOT NULL, map %1 NOT NULL, created_utc TEXT NOT NULL, "
                           "PRIMARY KEY (model_sha256, image_sha256, method, layer, target, noise))")
                .arg(dialect.blobColumn()),
        };
    case 4:
        return {
            // The researcher's tags and notes on images ("artefact in hands"), kept with the pool.
            QStringLiteral("CREATE TABLE image_tags (image_id BIGINT NOT NULL REFERENCES pool_images(id), "
                           "tag TEXT NOT NULL, added_utc TEXT NOT NULL, PRIMARY KEY (image_id, tag))"),
            QStringLiteral("CREATE TABLE image_notes (image_id BIGINT PRIMARY KEY REFERENCES pool_images(id), "
                           "note TEXT NOT NULL, updated_utc TEXT NOT NULL)"),
        };
    case 5:
        return {
            // The EXIF orientation of each image (width and height are as displayed from now on).
            QStringLiteral("ALTER TABLE pool_images ADD COLUMN orientation INTEGER NOT NULL DEFAULT 1"),
            // The same bytes imported again under another source: the pool keeps the first label,
            // and the conflict stays on record for the audit.
            QStringLiteral("CREATE TABLE label_conflicts (image_id BIGINT NOT NULL REFERENCES pool_images(id), "
                           "source TEXT NOT NULL, category TEXT NOT NULL, relative_path TEXT NOT NULL, "
                           "import_id BIGINT NOT NULL REFERENCES imports(id))"),
        };
    case 6:
        return {
            // How each image uses transparency ('' for images imported before this was recorded).
            QStringLiteral("ALTER TABLE pool_images ADD COLUMN alpha TEXT NOT NULL DEFAULT ''"),
            // Files whose bytes were hashed and found right, with the size and time stamp they had:
            // checking stimuli again hashes only the files whose size or time stamp changed since.
            QStringLiteral("CREATE TABLE verified_files (path TEXT PRIMARY KEY, sha256 TEXT NOT NULL, "
                           "size BIGINT NOT NULL, modified_ms BIGINT NOT NULL)"),
        };
    case 7:
        return {
            // Which station runs an open session: a lease with a heartbeat, so that one session is
            // never run at two stations at once, and a dead station's session can be taken over.
            QStringLiteral("ALTER TABLE sessions ADD COLUMN lease_station TEXT"),
            QStringLiteral("ALTER TABLE sessions ADD COLUMN lease_token TEXT"),
            QStringLiteral("ALTER TABLE sessions ADD COLUMN lease_since_utc TEXT"),
            QStringLiteral("ALTER TABLE sessions ADD COLUMN lease_heartbeat_utc TEXT"),
        };
    case 8:
        return {
            // Keys made at the station (UUIDs) for every session, answer and event it sends: a retry
            // after a lost connection or a crash finds its earlier delivery instead of writing twice.
            QStringLiteral("ALTER TABLE sessions ADD COLUMN session_key TEXT"),
            QStringLiteral("CREATE UNIQUE INDEX sessions_key ON sessions (session_key)"),
            QStringLiteral("ALTER TABLE responses ADD COLUMN response_key TEXT"),
            QStringLiteral("CREATE UNIQUE INDEX responses_key ON responses (response_key)"),
            QStringLiteral("ALTER TABLE session_events ADD COLUMN event_key TEXT"),
            QStringLiteral("CREATE UNIQUE INDEX session_events_key ON session_events (event_key)"),
            // The image files studies show, content-addressed by SHA-256, for stations that do not
            // share the researcher's disk (`ntt station prepare` fetches them).
            QStringLiteral("CREATE TABLE stimulus_files (sha256 TEXT PRIMARY KEY, suffix TEXT NOT NULL, "
                           "bytes %1 NOT NULL, added_utc TEXT NOT NULL)")
                .arg(dialect.blobColumn()),
        };
    case 9:
        return {
            // What a which-source or which-category trial offers (a JSON array of names, by answer
            // index) and the source a pick-source trial names; NULL for the other trial types.
            QStringLiteral("ALTER TABLE trials ADD COLUMN choices TEXT"),
            QStringLiteral("ALTER TABLE trials ADD COLUMN target_source TEXT"),
        };
    case 10:
        return {
            // A repeated trial: the index of the trial it repeats (people's self-consistency); NULL otherwise.
            QStringLiteral("ALTER TABLE trials ADD COLUMN repeat_of INTEGER"),
        };
    case 11:
        return {
            // Brief exposure: the frames a trial is shown for (NULL = until answered, -1 = the
            // participant's staircase decides), and per answer the frames shown, the display's refresh
            // rate and the measured stimulus and mask durations; NULL without brief exposure.
            QStringLiteral("ALTER TABLE trials ADD COLUMN exposure_frames INTEGER"),
            QStringLiteral("ALTER TABLE responses ADD COLUMN exposure_frames INTEGER"),
            QStringLiteral("ALTER TABLE responses ADD COLUMN frame_rate_hz DOUBLE PRECISION"),
            QStringLiteral("ALTER TABLE responses ADD COLUMN exposure_ms DOUBLE PRECISION"),
            QStringLiteral("ALTER TABLE responses ADD COLUMN mask_ms DOUBLE PRECISION"),
        };
    default:
        return {};
    }
}

constexpr int kSchemaVersion = 11;

} // namespace

QString sessionStateName(SessionState state)
{
    switch (state) {
    case SessionState::Open:
        return QStringLiteral("open");
    case SessionState::Finished:
        return QStringLiteral("finished");
    case SessionState::Aborted:
        return QStringLiteral("aborted");
    }
    return {};
}

int StudyDatabase::currentSchemaVersion()
{
    return kSchemaVersion;
}

QSqlDatabase StoreContext::database() const
{
    return QSqlDatabase::database(m_connectionName, false);
}

QString StoreContext::readOnlyError(const QString& what) const
{
    return readOnlyMessage(m_path, what);
}

StudyDatabase::StudyDatabase(QString path, QString connectionName, SqlDialect::Kind kind)
    : StoreContext { std::move(path), std::move(connectionName), std::make_unique<SqlDialect>(kind), false }
    , PoolStore(context())
    , StudyStore(context(), *this)
    , SessionStore(context(), *this)
    , ModelStore(context(), *this)
    , MapStore(context())
    , TagStore(context())
{ }

PoolStore::PoolStore(StoreContext& context)
    : m_c(context)
{ }
StudyStore::StudyStore(StoreContext& context, const PoolStore& pool)
    : m_pool(pool)
    , m_c(context)
{ }
SessionStore::SessionStore(StoreContext& context, const PoolStore& pool)
    : m_pool(pool)
    , m_c(context)
{ }
ModelStore::ModelStore(StoreContext& context, const SessionStore& sessions)
    : m_sessions(sessions)
    , m_c(context)
{ }
MapStore::MapStore(StoreContext& context)
    : m_c(context)
{ }
TagStore::TagStore(StoreContext& context)
    : m_c(context)
{ }

StudyDatabase::~StudyDatabase()
{
    {
        QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
        if (db.isOpen())
            db.close();
    }
    QSqlDatabase::removeDatabase(m_connectionName);
}

QSqlDatabase StudyDatabase::database() const
{
    return StoreContext::database();
}

namespace {

// Whether this process can write the file and the folder it sits in (SQLite writes its -wal and
// -shm files there). access() answers for this user and for read-only file systems alike.
bool writable(const QFileInfo& file)
{
    return ::access(QFile::encodeName(file.absoluteFilePath()).constData(), W_OK) == 0
        && ::access(QFile::encodeName(file.absolutePath()).constData(), W_OK) == 0;
}

} // namespace

Status StudyDatabase::copyInto(StudyDatabase& target) const
{
    if (target.m_schemaVersion != m_schemaVersion)
        return Error { QStringLiteral("%1: schema version %2 differs from %3's %4")
                           .arg(target.m_path)
                           .arg(target.m_schemaVersion)
                           .arg(m_path)
                           .arg(m_schemaVersion) };
    // Tables in the order the migrations made them: every reference points to a table copied before.
    QStringList tables;
    static const QRegularExpression create(QStringLiteral("^CREATE TABLE (\\w+)"));
    for (int v = 1; v <= kSchemaVersion; ++v)
        for (const QString& statement : migrationStatements(v, *m_dialect))
            if (const auto m = create.match(statement); m.hasMatch())
                tables << m.captured(1);
    QSqlDatabase to = target.database();
    {
        Sql used(to, target.m_path);
        used.prepare(QStringLiteral("SELECT COUNT(*) FROM imports"));
        if (const Status s = used.exec(QStringLiteral("checking that the target is empty")); !s)
            return s;
        if (used.next() && used.value(0).toLongLong() > 0)
            return Error {
                QStringLiteral("%1 already holds a pool; publish into a new, empty database").arg(target.m_path)
            };
    }
    Transaction tx(to, Transaction::Writing);
    if (!tx.started())
        return Error { QStringLiteral("%1: cannot start a transaction: %2").arg(target.m_path, to.lastError().text()) };
    for (const QString& table : std::as_const(tables)) {
        Sql rows(database(), m_path);
        rows.prepare(QStringLiteral("SELECT * FROM %1").arg(table));
        if (const Status s = rows.exec(QStringLiteral("reading %1").arg(table)); !s)
            return s;
        const QSqlRecord record = rows.query().record();
        QStringList columns;
        QStringList marks;
        for (int c = 0; c < record.count(); ++c) {
            columns << record.fieldName(c);
            marks << QStringLiteral("?");
        }
        // The target's own meta rows (its schema version) stay; the rest of meta is copied.
        const QString conflict
            = table == QLatin1String("meta") ? QStringLiteral(" ON CONFLICT (key) DO NOTHING") : QString();
        const QString insert
            = QStringLiteral("INSERT INTO %1 (%2) VALUES (%3)%4")
                  .arg(table, columns.join(QStringLiteral(", ")), marks.join(QStringLiteral(", ")), conflict);
        while (rows.next()) {
            Sql row(to, target.m_path);
            row.prepare(insert);
            for (int c = 0; c < record.count(); ++c) // SQL NULL stays NULL whatever the column's type
                row.bind(rows.query().isNull(c) ? QVariant() : rows.value(c));
            if (const Status s = row.exec(QStringLiteral("copying a row of %1").arg(table)); !s)
                return s;
        }
        if (record.indexOf(QStringLiteral("id")) >= 0) {
            if (const QString follow = target.m_dialect->followInsertedIds(table); !follow.isEmpty()) {
                Sql seq(to, target.m_path);
                if (const Status s = seq.exec(follow, QStringLiteral("continuing the ids of %1").arg(table)); !s)
                    return s;
            }
        }
    }
    if (!tx.commit())
        return Error {
            QStringLiteral("%1: the copy could not be committed: %2").arg(target.m_path, to.lastError().text())
        };
    return {};
}

QString StudyDatabase::readOnlyError(const QString& what) const
{
    return StoreContext::readOnlyError(what);
}

bool StudyDatabase::isServerLocation(const QString& location)
{
    return location.startsWith(QLatin1String("postgresql://")) || location.startsWith(QLatin1String("postgres://"));
}

Result<std::unique_ptr<StudyDatabase>> StudyDatabase::openServer(const QString& location)
{
    const QUrl url(location, QUrl::StrictMode);
    if (!url.isValid() || url.host().isEmpty() || url.path().size() < 2)
        return Error { QStringLiteral(
            "\"%1\" is not a PostgreSQL address: write postgresql://USER@HOST[:PORT]/DATABASE")
                           .arg(url.toDisplayString(QUrl::RemovePassword)) };
    if (!url.password().isEmpty())
        return Error { QStringLiteral("%1: a password in the address would be kept in settings and logs; put it in "
                                      "the PGPASSWORD environment variable or a ~/.pgpass file (PGPASSFILE) instead")
                           .arg(url.toDisplayString(QUrl::RemovePassword)) };
    // What messages and logs name: the address without any password.
    const QString shown = url.toDisplayString(QUrl::RemovePassword | QUrl::RemoveQuery);
    const QString connection = QStringLiteral("ntt-") + QUuid::createUuid().toString(QUuid::WithoutBraces);
    std::unique_ptr<StudyDatabase> store(new StudyDatabase(shown, connection, SqlDialect::Kind::PostgreSql));
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(store->m_dialect->driverName(), connection);
        if (!db.isValid())
            return Error { QStringLiteral("%1: this NameThatTrue has no PostgreSQL driver (install Debian's "
                                          "libqt6sql6-psql)")
                               .arg(shown) };
        db.setHostName(url.host());
        db.setPort(url.port(5432));
        db.setDatabaseName(url.path().mid(1));
        db.setUserName(url.userName());
        // libpq reads the password itself from PGPASSWORD or the password file; it never passes here.
        db.setConnectOptions(QStringLiteral("connect_timeout=10;application_name=NameThatTrue"));
        if (!db.open())
            return Error {
                QStringLiteral("%1: cannot connect to the study server: %2").arg(shown, db.lastError().text())
            };
    }
    const auto version = store->readSchemaVersion();
    if (!version)
        return Error { version.error() };
    if (version.value() > kSchemaVersion)
        return Error { QStringLiteral("%1 was set up by a newer NameThatTrue (schema version %2; this version reads up "
                                      "to %3). It was not changed: use a newer NameThatTrue.")
                           .arg(shown)
                           .arg(version.value())
                           .arg(kSchemaVersion) };
    store->m_schemaVersion = version.value();
    if (const Status s = store->migrate(); !s)
        return Error { s.error() };
    return store;
}

Result<std::unique_ptr<StudyDatabase>> StudyDatabase::open(const QString& path, OpenMode mode)
{
    if (isServerLocation(path))
        return openServer(path);
    const QFileInfo info(path);
    if (mode != OpenMode::CreateIfMissing && !info.exists())
        return Error { QStringLiteral("%1: no such study file").arg(path) };
    if (info.exists() && !info.isFile())
        return Error { QStringLiteral("%1: is not a file").arg(path) };
    if (!info.exists() && !info.absoluteDir().exists())
        return Error { QStringLiteral("%1: the folder %2 does not exist").arg(path, info.absolutePath()) };
    if (!info.exists() && !writable(QFileInfo(info.absolutePath())))
        return Error {
            QStringLiteral("%1: the folder %2 cannot be written; choose another").arg(path, info.absolutePath())
        };

    const QString connection = QStringLiteral("ntt-") + QUuid::createUuid().toString(QUuid::WithoutBraces);
    std::unique_ptr<StudyDatabase> store(
        new StudyDatabase(info.absoluteFilePath(), connection, SqlDialect::Kind::Sqlite));
    store->m_readOnly = mode == OpenMode::ReadOnly || (info.exists() && !writable(info));
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(store->m_dialect->driverName(), connection);
        if (store->m_readOnly) {
            // Read-only media: SQLite cannot make the -shm file a WAL database needs, so the file is
            // read as immutable (no locks, nothing written). A -wal file left beside it is then not
            // read: said below.
            db.setConnectOptions(QStringLiteral("QSQLITE_OPEN_READONLY;QSQLITE_OPEN_URI"));
            const bool canLock
                = writable(QFileInfo(info.absolutePath())) || QFileInfo::exists(store->m_path + QStringLiteral("-shm"));
            QUrl uri = QUrl::fromLocalFile(store->m_path);
            uri.setScheme(QStringLiteral("file"));
            db.setDatabaseName(canLock ? store->m_path : uri.toString() + QStringLiteral("?immutable=1"));
            const QFileInfo wal(store->m_path + QStringLiteral("-wal"));
            if (!canLock && wal.exists() && wal.size() > 0)
                qCWarning(lcStudyDb) << store->m_path
                                     << "is read-only and has a -wal file that cannot be read without writing; answers "
                                        "committed last may be missing: copy the folder to a writable disk";
        } else {
            db.setDatabaseName(store->m_path);
        }
        if (!db.open())
            return Error { QStringLiteral("%1: cannot open: %2").arg(path, db.lastError().text()) };
    }

    // Read the version before anything writes: a newer file must not be touched at all.
    const auto version = store->readSchemaVersion();
    if (!version)
        return Error { version.error() };
    if (version.value() > kSchemaVersion) {
        return Error { QStringLiteral(
            "%1 was written by a newer NameThatTrue (schema version %2; this version reads up "
            "to %3). It was not changed: open it with a newer NameThatTrue.")
                           .arg(path)
                           .arg(version.value())
                           .arg(kSchemaVersion) };
    }
    store->m_schemaVersion = version.value();
    if (store->m_readOnly) {
        if (version.value() < kSchemaVersion)
            return Error { QStringLiteral("%1 cannot be written (read-only media or folder) and was made by an older "
                                          "NameThatTrue (schema version %2, this one uses %3): copy it to a writable "
                                          "folder to open it")
                               .arg(path)
                               .arg(version.value())
                               .arg(kSchemaVersion) };
        qCDebug(lcStudyDb) << "opened read-only" << store->m_path;
        return store;
    }
    QSqlDatabase db = store->database();
    for (const QString& statement : store->m_dialect->connectionSetup()) {
        Sql q(db, store->m_path);
        if (const Status s = q.exec(statement, QStringLiteral("connection setup")); !s)
            return Error { s.error() };
    }
    if (const Status s = store->migrate(); !s)
        return Error { s.error() };
    qCDebug(lcStudyDb) << "opened" << store->m_path << "schema" << store->m_schemaVersion;
    return store;
}

Status StudyDatabase::ping() const
{
    if (!database().isOpen())
        return Error { QStringLiteral("%1 is not connected").arg(m_path) };
    QSqlQuery q(database());
    if (!q.exec(QStringLiteral("SELECT 1")))
        return Error { QStringLiteral("%1 does not answer: %2").arg(m_path, q.lastError().text()) };
    return {};
}

Status StudyDatabase::reconnectIfLost()
{
    if (ping())
        return {};
    QSqlDatabase db = database();
    db.close();
    if (!db.open())
        return Error {
            QStringLiteral("%1: cannot connect to the study store again: %2").arg(m_path, db.lastError().text())
        };
    qCInfo(lcStudyDb) << m_path << "connected again";
    return ping();
}

Result<int> StudyDatabase::readSchemaVersion() const
{
    QSqlDatabase db = database();
    QSqlQuery probe(db);
    // Any read fails on a file that is not SQLite at all.
    if (!probe.exec(m_dialect->countTablesStatement()))
        return Error { QStringLiteral("%1 is not a NameThatTrue study file (not an SQLite database: %2)")
                           .arg(m_path, probe.lastError().text()) };
    probe.next();
    const int objects = probe.value(0).toInt();
    if (!m_dialect->hasTable(db, QStringLiteral("meta"))) {
        if (objects > 0)
            return Error { QStringLiteral("%1 is an SQLite database but not a NameThatTrue study file; it was not "
                                          "changed")
                               .arg(m_path) };
        return 0;
    }
    QSqlQuery q(db);
    if (!q.exec(QStringLiteral("SELECT value FROM meta WHERE key = 'schema_version'")) || !q.next())
        return Error { QStringLiteral("%1: the study file has no schema version").arg(m_path) };
    bool ok = false;
    const int v = q.value(0).toString().toInt(&ok);
    if (!ok)
        return Error { QStringLiteral("%1: schema version \"%2\" is not a number").arg(m_path, q.value(0).toString()) };
    return v;
}

Status StudyDatabase::migrate()
{
    QSqlDatabase db = database();
    while (m_schemaVersion < kSchemaVersion) {
        const int to = m_schemaVersion + 1;
        Transaction tx(db);
        if (!tx.started())
            return Error { QStringLiteral("%1: cannot start a transaction: %2").arg(m_path, db.lastError().text()) };
        for (const QString& statement : migrationStatements(to, *m_dialect)) {
            Sql q(db, m_path);
            if (const Status s = q.exec(statement, QStringLiteral("migration to schema %1").arg(to)); !s)
                return s;
        }
        Sql meta(db, m_path);
        meta.prepare(QStringLiteral("INSERT INTO meta (key, value) VALUES ('schema_version', ?) "
                                    "ON CONFLICT (key) DO UPDATE SET value = excluded.value"))
            .bind(QString::number(to));
        if (const Status s = meta.exec(QStringLiteral("recording schema version %1").arg(to)); !s)
            return s;
        if (to == 1) {
            Sql created(db, m_path);
            created
                .prepare(QStringLiteral("INSERT INTO meta (key, value) VALUES ('created_utc', ?), ('created_by', ?)"))
                .bind(nowUtc())
                .bind(QStringLiteral("NameThatTrue " NTT_VERSION));
            if (const Status s = created.exec(QStringLiteral("recording creation")); !s)
                return s;
        }
        if (!tx.commit())
            return Error { QStringLiteral("%1: migration to schema %2 could not be committed: %3")
                               .arg(m_path)
                               .arg(to)
                               .arg(db.lastError().text()) };
        m_schemaVersion = to;
        qCInfo(lcStudyDb) << m_path << "migrated to schema" << to;
    }
    return {};
}

Result<QString> StudyDatabase::metaValue(const QString& key) const
{
    Sql q(database(), m_path);
    q.prepare(QStringLiteral("SELECT value FROM meta WHERE key = ?")).bind(key);
    if (const Status s = q.exec(QStringLiteral("reading %1").arg(key)); !s)
        return Error { s.error() };
    return q.next() ? q.value(0).toString() : QString();
}

Status StudyDatabase::setMetaValue(const QString& key, const QString& value)
{
    Sql q(database(), m_path);
    q.prepare(QStringLiteral("INSERT INTO meta (key, value) VALUES (?, ?) "
                             "ON CONFLICT (key) DO UPDATE SET value = excluded.value"))
        .bind(key)
        .bind(value);
    return q.exec(QStringLiteral("writing %1").arg(key));
}

} // namespace ntt
