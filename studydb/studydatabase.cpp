#include "studydatabase.h"

#include "sqldialect.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QSqlRecord>
#include <QUuid>
#include <QVariant>
#include <QtEndian>

#include <map>
#include <optional>

Q_LOGGING_CATEGORY(lcStudyDb, "ntt.studydb", QtInfoMsg)

namespace ntt {

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
                           "target_negated INTEGER NOT NULL, map BLOB NOT NULL, created_utc TEXT NOT NULL, "
                           "PRIMARY KEY (model_sha256, image_sha256, method, layer, target, noise))"),
        };
    case 4:
        return {
            // The researcher's tags and notes on images ("artefact in hands"), kept with the pool.
            QStringLiteral("CREATE TABLE image_tags (image_id BIGINT NOT NULL REFERENCES pool_images(id), "
                           "tag TEXT NOT NULL, added_utc TEXT NOT NULL, PRIMARY KEY (image_id, tag))"),
            QStringLiteral("CREATE TABLE image_notes (image_id BIGINT PRIMARY KEY REFERENCES pool_images(id), "
                           "note TEXT NOT NULL, updated_utc TEXT NOT NULL)"),
        };
    default:
        return {};
    }
}

constexpr int kSchemaVersion = 4;

/// The Smooth Grad-CAM++ settings as part of a cache key; empty for the methods without noise.
QString camNoiseKey(const CamOptions& o)
{
    if (o.method != CamMethod::SmoothGradCamPlusPlus)
        return {};
    return QStringLiteral("n=%1;sigma=%2;seed=%3").arg(o.noiseSamples).arg(o.noiseSigma, 0, 'g', 10).arg(o.noiseSeed);
}

QString nowUtc()
{
    return QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs);
}
QDateTime parseUtc(const QVariant& v)
{
    if (v.isNull())
        return {};
    QDateTime t = QDateTime::fromString(v.toString(), Qt::ISODateWithMs);
    t.setTimeSpec(Qt::UTC);
    return t;
}

// Runs a prepared or plain query; the error names the file and what was being done.
class Sql
{
public:
    Sql(QSqlDatabase db, QString path)
        : m_query(db)
        , m_path(std::move(path))
    { }

    Sql& prepare(const QString& statement)
    {
        if (!m_query.prepare(statement))
            m_error = m_query.lastError().text();
        return *this;
    }
    Sql& bind(const QVariant& value)
    {
        // A null QString would be stored as SQL NULL; an empty text column is what is meant.
        if (value.typeId() == QMetaType::QString && value.toString().isNull())
            m_query.addBindValue(QVariant(QStringLiteral("")));
        else
            m_query.addBindValue(value);
        return *this;
    }
    Status exec(const QString& what)
    {
        if (m_error.isEmpty() && !m_query.exec())
            m_error = m_query.lastError().text();
        if (!m_error.isEmpty())
            return Error { QStringLiteral("%1: %2 failed: %3").arg(m_path, what, m_error) };
        return {};
    }
    Status exec(const QString& statement, const QString& what)
    {
        if (!m_query.exec(statement))
            return Error { QStringLiteral("%1: %2 failed: %3").arg(m_path, what, m_query.lastError().text()) };
        return {};
    }
    /// The id an INSERT ... RETURNING id gave back (none when ON CONFLICT skipped the row). Finishes
    /// the statement: an unfinished one would keep the transaction from committing.
    std::optional<qint64> returnedId()
    {
        std::optional<qint64> id;
        if (m_query.next())
            id = m_query.value(0).toLongLong();
        m_query.finish();
        return id;
    }
    QSqlQuery& query() { return m_query; }
    bool next() { return m_query.next(); }
    QVariant value(int i) const { return m_query.value(i); }

private:
    QSqlQuery m_query;
    QString m_path;
    QString m_error;
};

// Commits on success, rolls back when it leaves scope uncommitted: a failed write leaves nothing.
class Transaction
{
public:
    explicit Transaction(QSqlDatabase db)
        : m_db(db)
        , m_active(m_db.transaction())
    { }
    ~Transaction()
    {
        if (m_active)
            m_db.rollback();
    }
    bool started() const { return m_active; }
    bool commit()
    {
        const bool ok = m_db.commit();
        m_active = !ok;
        return ok;
    }

private:
    QSqlDatabase m_db;
    bool m_active;
};

SessionState sessionStateFromName(const QString& name)
{
    if (name == QLatin1String("finished"))
        return SessionState::Finished;
    if (name == QLatin1String("aborted"))
        return SessionState::Aborted;
    return SessionState::Open;
}

PoolImage imageFromQuery(const QSqlQuery& q, int first)
{
    PoolImage image;
    image.id = q.value(first + 0).toLongLong();
    image.sha256 = q.value(first + 1).toString();
    image.path = q.value(first + 2).toString();
    image.relativePath = q.value(first + 3).toString();
    image.source = q.value(first + 4).toString();
    image.category = q.value(first + 5).toString();
    image.pairKey = q.value(first + 6).toString();
    image.split = splitFromName(q.value(first + 7).toString());
    image.fileSize = q.value(first + 8).toLongLong();
    image.width = q.value(first + 9).toInt();
    image.height = q.value(first + 10).toInt();
    image.format = q.value(first + 11).toString();
    image.jpegQuality = q.value(first + 12).toInt();
    image.hasExif = q.value(first + 13).toInt() != 0;
    return image;
}

const QString kImageColumns = QStringLiteral(
    "i.id, i.sha256, i.path, i.relative_path, i.source, i.category, i.pair_key, i.split, i.file_size, i.width, "
    "i.height, i.format, i.jpeg_quality, i.has_exif");

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

StudyDatabase::StudyDatabase(QString path, QString connectionName)
    : m_path(std::move(path))
    , m_connectionName(std::move(connectionName))
    , m_dialect(std::make_unique<SqlDialect>(SqlDialect::Kind::Sqlite))
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
    return QSqlDatabase::database(m_connectionName, false);
}

Result<std::unique_ptr<StudyDatabase>> StudyDatabase::open(const QString& path, OpenMode mode)
{
    const QFileInfo info(path);
    if (mode == OpenMode::ExistingOnly && !info.exists())
        return Error { QStringLiteral("%1: no such study file").arg(path) };
    if (info.exists() && !info.isFile())
        return Error { QStringLiteral("%1: is not a file").arg(path) };
    if (!info.exists() && !info.absoluteDir().exists())
        return Error { QStringLiteral("%1: the folder %2 does not exist").arg(path, info.absolutePath()) };

    const QString connection = QStringLiteral("ntt-") + QUuid::createUuid().toString(QUuid::WithoutBraces);
    std::unique_ptr<StudyDatabase> store(new StudyDatabase(info.absoluteFilePath(), connection));
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(store->m_dialect->driverName(), connection);
        db.setDatabaseName(store->m_path);
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
    QSqlDatabase db = store->database();
    for (const QString& statement : store->m_dialect->connectionSetup()) {
        Sql q(db, store->m_path);
        if (const Status s = q.exec(statement, QStringLiteral("connection setup")); !s)
            return Error { s.error() };
    }
    store->m_schemaVersion = version.value();
    if (const Status s = store->migrate(); !s)
        return Error { s.error() };
    qCDebug(lcStudyDb) << "opened" << store->m_path << "schema" << store->m_schemaVersion;
    return store;
}

Result<int> StudyDatabase::readSchemaVersion() const
{
    QSqlDatabase db = database();
    QSqlQuery probe(db);
    // Any read fails on a file that is not SQLite at all.
    if (!probe.exec(QStringLiteral("SELECT count(*) FROM sqlite_master")))
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

Result<StoredImport> StudyDatabase::storeImport(const ImportReport& report, const QString& location)
{
    QSqlDatabase db = database();
    Transaction tx(db);
    if (!tx.started())
        return Error { QStringLiteral("%1: cannot start a transaction: %2").arg(m_path, db.lastError().text()) };

    const auto storedReal = realSource();
    if (!storedReal)
        return Error { storedReal.error() };
    if (!storedReal.value().isEmpty() && storedReal.value() != report.realSource) {
        return Error { QStringLiteral("%1: the pool's real source is \"%2\" but this import names \"%3\"; import with "
                                      "--real-source %2 or use another study file")
                           .arg(m_path, storedReal.value(), report.realSource) };
    }

    StoredImport stored;
    Sql log(db, m_path);
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
        Sql insert(db, m_path);
        insert
            .prepare(QStringLiteral("INSERT INTO pool_images (sha256, path, relative_path, source, category, pair_key, "
                                    "split, file_size, width, height, format, jpeg_quality, has_exif, import_id) "
                                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
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
            .bind(importId);
        if (const Status s = insert.exec(QStringLiteral("storing %1").arg(image.relativePath)); !s)
            return Error { s.error() };
        const auto inserted = insert.returnedId();
        if (!inserted) {
            ++stored.alreadyPresent;
            continue;
        }
        ++stored.added;
        const qint64 imageId = *inserted;
        for (auto it = image.attributes.cbegin(); it != image.attributes.cend(); ++it) {
            Sql attr(db, m_path);
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

    Sql counts(db, m_path);
    counts.prepare(QStringLiteral("UPDATE imports SET images_added = ?, already_present = ? WHERE id = ?"))
        .bind(stored.added)
        .bind(stored.alreadyPresent)
        .bind(importId);
    if (const Status s = counts.exec(QStringLiteral("logging the import")); !s)
        return Error { s.error() };
    Sql real(db, m_path);
    real.prepare(QStringLiteral("INSERT INTO meta (key, value) VALUES ('real_source', ?) ON CONFLICT (key) DO NOTHING"))
        .bind(report.realSource);
    if (const Status s = real.exec(QStringLiteral("recording the real source")); !s)
        return Error { s.error() };
    if (!tx.commit())
        return Error { QStringLiteral("%1: the import could not be committed: %2").arg(m_path, db.lastError().text()) };
    return stored;
}

Result<std::vector<PoolImage>> StudyDatabase::poolImages() const
{
    QSqlDatabase db = database();
    Sql q(db, m_path);
    q.prepare(QStringLiteral("SELECT %1 FROM pool_images i ORDER BY i.id").arg(kImageColumns));
    if (const Status s = q.exec(QStringLiteral("reading the pool")); !s)
        return Error { s.error() };
    std::vector<PoolImage> images;
    std::map<qint64, std::size_t> byId;
    while (q.next()) {
        byId[q.query().value(0).toLongLong()] = images.size();
        images.push_back(imageFromQuery(q.query(), 0));
    }
    Sql attrs(db, m_path);
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

Result<std::vector<PoolImage>> StudyDatabase::studyImages(qint64 studyId) const
{
    Sql q(database(), m_path);
    q.prepare(QStringLiteral("SELECT image_id FROM study_images WHERE study_id = ?")).bind(studyId);
    if (const Status s = q.exec(QStringLiteral("reading the images of study %1").arg(studyId)); !s)
        return Error { s.error() };
    QSet<qint64> ids;
    while (q.next())
        ids.insert(q.value(0).toLongLong());
    auto pool = poolImages();
    if (!pool)
        return Error { pool.error() };
    std::vector<PoolImage> images;
    for (PoolImage& image : pool.value()) {
        if (ids.contains(image.id))
            images.push_back(std::move(image));
    }
    return images;
}

Result<QString> StudyDatabase::realSource() const
{
    Sql q(database(), m_path);
    q.prepare(QStringLiteral("SELECT value FROM meta WHERE key = 'real_source'"));
    if (const Status s = q.exec(QStringLiteral("reading the real source")); !s)
        return Error { s.error() };
    return q.next() ? q.value(0).toString() : QString();
}

Result<qint64> StudyDatabase::addStudy(const StudyDefinition& definition, const QString& realSource,
    const std::vector<qint64>& imageIds, const std::vector<NormalisedStimulus>& stimuli)
{
    QSqlDatabase db = database();
    Transaction tx(db);
    Sql q(db, m_path);
    q.prepare(QStringLiteral("INSERT INTO studies (name, definition, real_source, created_utc) VALUES (?, ?, ?, ?) "
                             "ON CONFLICT (name) DO NOTHING RETURNING id"))
        .bind(definition.name)
        .bind(QString::fromUtf8(studyDefinitionToJson(definition)))
        .bind(realSource)
        .bind(nowUtc());
    if (const Status s = q.exec(QStringLiteral("storing study \"%1\"").arg(definition.name)); !s)
        return Error { s.error() };
    const auto inserted = q.returnedId();
    if (!inserted)
        return Error {
            QStringLiteral("%1: a study named \"%2\" already exists; choose another name").arg(m_path, definition.name)
        };
    const qint64 studyId = *inserted;
    for (const qint64 imageId : imageIds) {
        Sql s(db, m_path);
        s.prepare(QStringLiteral("INSERT INTO study_images (study_id, image_id) VALUES (?, ?)"))
            .bind(studyId)
            .bind(imageId);
        if (const Status st = s.exec(QStringLiteral("storing the study's images")); !st)
            return Error { st.error() };
    }
    for (const NormalisedStimulus& stimulus : stimuli) {
        Sql s(db, m_path);
        s.prepare(QStringLiteral("INSERT INTO stimuli (study_id, image_id, path, sha256) VALUES (?, ?, ?, ?)"))
            .bind(studyId)
            .bind(stimulus.imageId)
            .bind(stimulus.path)
            .bind(stimulus.sha256);
        if (const Status st = s.exec(QStringLiteral("storing normalised stimuli")); !st)
            return Error { st.error() };
    }
    if (!tx.commit())
        return Error { QStringLiteral("%1: the study could not be committed: %2").arg(m_path, db.lastError().text()) };
    return studyId;
}

namespace {

Result<StoredStudy> studyFromQuery(Sql& q, const QString& path)
{
    StoredStudy study;
    study.id = q.value(0).toLongLong();
    auto definition
        = parseStudyDefinition(q.value(1).toString().toUtf8(), QStringLiteral("%1: study %2").arg(path).arg(study.id));
    if (!definition)
        return Error { definition.error() };
    study.definition = std::move(definition).value();
    study.realSource = q.value(2).toString();
    study.createdUtc = parseUtc(q.value(3));
    return study;
}

} // namespace

Result<std::vector<StoredStudy>> StudyDatabase::studies() const
{
    Sql q(database(), m_path);
    q.prepare(QStringLiteral("SELECT id, definition, real_source, created_utc FROM studies ORDER BY id"));
    if (const Status s = q.exec(QStringLiteral("reading studies")); !s)
        return Error { s.error() };
    std::vector<StoredStudy> result;
    while (q.next()) {
        auto study = studyFromQuery(q, m_path);
        if (!study)
            return Error { study.error() };
        result.push_back(std::move(study).value());
    }
    return result;
}

Result<StoredStudy> StudyDatabase::study(qint64 id) const
{
    Sql q(database(), m_path);
    q.prepare(QStringLiteral("SELECT id, definition, real_source, created_utc FROM studies WHERE id = ?")).bind(id);
    if (const Status s = q.exec(QStringLiteral("reading study %1").arg(id)); !s)
        return Error { s.error() };
    if (!q.next())
        return Error { QStringLiteral("%1: no study with id %2").arg(m_path).arg(id) };
    return studyFromQuery(q, m_path);
}

Result<StoredStudy> StudyDatabase::studyByName(const QString& name) const
{
    Sql q(database(), m_path);
    q.prepare(QStringLiteral("SELECT id, definition, real_source, created_utc FROM studies WHERE name = ?")).bind(name);
    if (const Status s = q.exec(QStringLiteral("reading study \"%1\"").arg(name)); !s)
        return Error { s.error() };
    if (!q.next())
        return Error { QStringLiteral("%1: no study named \"%2\"").arg(m_path, name) };
    return studyFromQuery(q, m_path);
}

Result<QHash<qint64, QString>> StudyDatabase::stimulusPaths(qint64 studyId) const
{
    const auto files = stimulusFiles(studyId);
    if (!files)
        return Error { files.error() };
    QHash<qint64, QString> paths;
    for (auto it = files->cbegin(); it != files->cend(); ++it)
        paths.insert(it.key(), it->path);
    return paths;
}

Status StudyDatabase::setImageSplits(const QMap<qint64, Split>& splits)
{
    QSqlDatabase db = database();
    Transaction tx(db);
    for (auto it = splits.cbegin(); it != splits.cend(); ++it) {
        Sql q(db, m_path);
        q.prepare(QStringLiteral("UPDATE pool_images SET split = ? WHERE id = ?"))
            .bind(splitName(it.value()))
            .bind(it.key());
        if (const Status s = q.exec(QStringLiteral("setting the split of image %1").arg(it.key())); !s)
            return s;
    }
    if (!tx.commit())
        return Error { QStringLiteral("%1: splits could not be committed: %2").arg(m_path, db.lastError().text()) };
    return {};
}

Result<QHash<qint64, StudyDatabase::StimulusFile>> StudyDatabase::stimulusFiles(qint64 studyId) const
{
    Sql q(database(), m_path);
    q.prepare(QStringLiteral("SELECT i.id, COALESCE(s.path, i.path), COALESCE(s.sha256, i.sha256) FROM pool_images i "
                             "LEFT JOIN stimuli s ON s.image_id = i.id AND s.study_id = ?"))
        .bind(studyId);
    if (const Status s = q.exec(QStringLiteral("reading stimulus paths")); !s)
        return Error { s.error() };
    QHash<qint64, StimulusFile> files;
    while (q.next())
        files.insert(q.value(0).toLongLong(), StimulusFile { q.value(1).toString(), q.value(2).toString() });
    return files;
}

Result<int> StudyDatabase::nextParticipantIndex(qint64 studyId) const
{
    Sql q(database(), m_path);
    q.prepare(QStringLiteral("SELECT COALESCE(MAX(participant_index) + 1, 0) FROM sessions WHERE study_id = ?"))
        .bind(studyId);
    if (const Status s = q.exec(QStringLiteral("counting sessions")); !s)
        return Error { s.error() };
    q.next();
    return q.value(0).toInt();
}

Result<SessionInfo> StudyDatabase::createSession(qint64 studyId, int participantIndex, const QString& participantCode,
    const QString& station, bool simulated, std::vector<Trial>& trials)
{
    QSqlDatabase db = database();
    Transaction tx(db);
    Sql q(db, m_path);
    q.prepare(QStringLiteral("INSERT INTO sessions (study_id, participant_index, participant_code, station, simulated, "
                             "state, started_utc) VALUES (?, ?, ?, ?, ?, 'open', ?) RETURNING id"))
        .bind(studyId)
        .bind(participantIndex)
        .bind(participantCode)
        .bind(station)
        .bind(simulated ? 1 : 0)
        .bind(nowUtc());
    if (const Status s = q.exec(QStringLiteral("creating a session for participant %1").arg(participantCode)); !s) {
        if (q.query().lastError().text().contains(QLatin1String("participant_code")))
            return Error {
                QStringLiteral("%1: participant code \"%2\" is already used in this study").arg(m_path, participantCode)
            };
        return Error { s.error() };
    }
    const qint64 sessionId = q.returnedId().value_or(0);
    for (Trial& t : trials) {
        Sql insert(db, m_path);
        insert
            .prepare(QStringLiteral("INSERT INTO trials (session_id, trial_index, trial_type, ways, correct_position, "
                                    "practice, is_catch, break_after) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"))
            .bind(sessionId)
            .bind(t.index)
            .bind(trialTypeName(t.type))
            .bind(t.ways())
            .bind(t.correctPosition)
            .bind(t.practice ? 1 : 0)
            .bind(t.isCatch ? 1 : 0)
            .bind(t.breakAfter ? 1 : 0);
        if (const Status s = insert.exec(QStringLiteral("storing trial %1").arg(t.index)); !s)
            return Error { s.error() };
        t.id = insert.returnedId().value_or(0);
        for (int p = 0; p < t.ways(); ++p) {
            Sql image(db, m_path);
            image.prepare(QStringLiteral("INSERT INTO trial_images (trial_id, position, image_id) VALUES (?, ?, ?)"))
                .bind(t.id)
                .bind(p)
                .bind(t.imageIds[p]);
            if (const Status s = image.exec(QStringLiteral("storing trial %1").arg(t.index)); !s)
                return Error { s.error() };
        }
    }
    if (!tx.commit())
        return Error {
            QStringLiteral("%1: the session could not be committed: %2").arg(m_path, db.lastError().text())
        };
    return session(sessionId);
}

namespace {

const QString kSessionColumns = QStringLiteral(
    "s.id, s.study_id, s.participant_index, s.participant_code, s.station, s.simulated, s.state, s.started_utc, "
    "s.ended_utc, (SELECT COUNT(*) FROM trials t WHERE t.session_id = s.id), "
    "(SELECT COUNT(*) FROM responses r JOIN trials t ON t.id = r.trial_id WHERE t.session_id = s.id)");

SessionInfo sessionFromQuery(Sql& q)
{
    SessionInfo s;
    s.id = q.value(0).toLongLong();
    s.studyId = q.value(1).toLongLong();
    s.participantIndex = q.value(2).toInt();
    s.participantCode = q.value(3).toString();
    s.station = q.value(4).toString();
    s.simulated = q.value(5).toInt() != 0;
    s.state = sessionStateFromName(q.value(6).toString());
    s.startedUtc = parseUtc(q.value(7));
    s.endedUtc = parseUtc(q.value(8));
    s.trialCount = q.value(9).toInt();
    s.answeredCount = q.value(10).toInt();
    return s;
}

} // namespace

Result<SessionInfo> StudyDatabase::session(qint64 sessionId) const
{
    Sql q(database(), m_path);
    q.prepare(QStringLiteral("SELECT %1 FROM sessions s WHERE s.id = ?").arg(kSessionColumns)).bind(sessionId);
    if (const Status s = q.exec(QStringLiteral("reading session %1").arg(sessionId)); !s)
        return Error { s.error() };
    if (!q.next())
        return Error { QStringLiteral("%1: no session with id %2").arg(m_path).arg(sessionId) };
    return sessionFromQuery(q);
}

Result<std::vector<SessionInfo>> StudyDatabase::sessions(qint64 studyId) const
{
    Sql q(database(), m_path);
    q.prepare(QStringLiteral("SELECT %1 FROM sessions s WHERE s.study_id = ? ORDER BY s.id").arg(kSessionColumns))
        .bind(studyId);
    if (const Status s = q.exec(QStringLiteral("reading sessions")); !s)
        return Error { s.error() };
    std::vector<SessionInfo> result;
    while (q.next())
        result.push_back(sessionFromQuery(q));
    return result;
}

Result<std::vector<Trial>> StudyDatabase::sessionTrials(qint64 sessionId) const
{
    Sql q(database(), m_path);
    q.prepare(QStringLiteral("SELECT t.id, t.trial_index, t.trial_type, t.correct_position, t.practice, t.is_catch, "
                             "t.break_after, ti.position, ti.image_id FROM trials t "
                             "JOIN trial_images ti ON ti.trial_id = t.id WHERE t.session_id = ? "
                             "ORDER BY t.trial_index, ti.position"))
        .bind(sessionId);
    if (const Status s = q.exec(QStringLiteral("reading the trials of session %1").arg(sessionId)); !s)
        return Error { s.error() };
    std::vector<Trial> trials;
    while (q.next()) {
        const qint64 id = q.value(0).toLongLong();
        if (trials.empty() || trials.back().id != id) {
            Trial t;
            t.id = id;
            t.index = q.value(1).toInt();
            const auto type = trialTypeFromName(q.value(2).toString());
            if (!type)
                return Error { QStringLiteral("%1: trial %2 has unknown type \"%3\"")
                                   .arg(m_path)
                                   .arg(id)
                                   .arg(q.value(2).toString()) };
            t.type = *type;
            t.correctPosition = q.value(3).toInt();
            t.practice = q.value(4).toInt() != 0;
            t.isCatch = q.value(5).toInt() != 0;
            t.breakAfter = q.value(6).toInt() != 0;
            trials.push_back(t);
        }
        trials.back().imageIds.push_back(q.value(8).toLongLong());
    }
    return trials;
}

Result<QSet<int>> StudyDatabase::answeredTrialIndices(qint64 sessionId) const
{
    Sql q(database(), m_path);
    q.prepare(QStringLiteral("SELECT t.trial_index FROM responses r JOIN trials t ON t.id = r.trial_id "
                             "WHERE t.session_id = ?"))
        .bind(sessionId);
    if (const Status s = q.exec(QStringLiteral("reading answered trials")); !s)
        return Error { s.error() };
    QSet<int> answered;
    while (q.next())
        answered.insert(q.value(0).toInt());
    return answered;
}

Status StudyDatabase::recordResponse(qint64 sessionId, const Response& r)
{
    Sql q(database(), m_path);
    // The trial must belong to the session; the UNIQUE trial_id refuses a second answer.
    q.prepare(QStringLiteral("INSERT INTO responses (trial_id, answer, correct, confidence, rt_ms, onset_utc, "
                             "response_utc, rt_clock, focus_losses, timed_out, too_fast, recorded_utc) "
                             "SELECT id, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? FROM trials WHERE id = ? AND session_id = ?"))
        .bind(r.answer)
        .bind(r.correct ? 1 : 0)
        .bind(r.confidence ? QVariant(*r.confidence) : QVariant())
        .bind(r.timedOut ? QVariant() : QVariant(r.rtMs))
        .bind(r.onsetUtc.isValid() ? QVariant(r.onsetUtc.toUTC().toString(Qt::ISODateWithMs)) : QVariant())
        .bind(r.responseUtc.isValid() ? QVariant(r.responseUtc.toUTC().toString(Qt::ISODateWithMs)) : QVariant())
        .bind(r.rtClock)
        .bind(r.focusLosses)
        .bind(r.timedOut ? 1 : 0)
        .bind(r.tooFast ? 1 : 0)
        .bind(nowUtc())
        .bind(r.trialId)
        .bind(sessionId);
    if (const Status s = q.exec(QStringLiteral("storing the answer to trial %1").arg(r.trialIndex)); !s)
        return s;
    if (q.query().numRowsAffected() != 1)
        return Error { QStringLiteral("%1: trial %2 (id %3) is not part of session %4")
                           .arg(m_path)
                           .arg(r.trialIndex)
                           .arg(r.trialId)
                           .arg(sessionId) };
    return {};
}

Status StudyDatabase::recordEvent(qint64 sessionId, int trialIndex, const QString& kind, const QString& detail)
{
    Sql q(database(), m_path);
    q.prepare(QStringLiteral(
                  "INSERT INTO session_events (session_id, trial_index, kind, at_utc, detail) VALUES (?, ?, ?, ?, ?)"))
        .bind(sessionId)
        .bind(trialIndex >= 0 ? QVariant(trialIndex) : QVariant())
        .bind(kind)
        .bind(nowUtc())
        .bind(detail);
    return q.exec(QStringLiteral("logging event %1").arg(kind));
}

Status StudyDatabase::setSessionState(qint64 sessionId, SessionState state)
{
    Sql q(database(), m_path);
    q.prepare(QStringLiteral("UPDATE sessions SET state = ?, ended_utc = ? WHERE id = ?"))
        .bind(sessionStateName(state))
        .bind(state == SessionState::Open ? QVariant() : QVariant(nowUtc()))
        .bind(sessionId);
    return q.exec(QStringLiteral("marking session %1 %2").arg(sessionId).arg(sessionStateName(state)));
}

Result<std::vector<ResponseRow>> StudyDatabase::responseRows(qint64 studyId) const
{
    return answerRows(studyId, AnswerSource::People);
}

Result<std::vector<ResponseRow>> StudyDatabase::modelAnswerRows(qint64 studyId) const
{
    return answerRows(studyId, AnswerSource::Models);
}

Result<std::vector<ResponseRow>> StudyDatabase::answerRows(qint64 studyId, AnswerSource source) const
{
    const auto pool = poolImages();
    if (!pool)
        return Error { pool.error() };
    QHash<qint64, const PoolImage*> byId;
    for (const PoolImage& image : pool.value())
        byId.insert(image.id, &image);

    // People's responses and models' answers share one row shape: a model answers with no response
    // time, timestamps or confidence, and its name is the agent.
    const bool people = source == AnswerSource::People;
    const QString columns = people
        ? QStringLiteral(
            "'human', r.answer, r.correct, r.confidence, r.rt_ms, r.onset_utc, r.response_utc, r.rt_clock, "
            "r.focus_losses, r.timed_out, r.too_fast")
        : QStringLiteral("m.name, r.answer, r.correct, NULL, NULL, NULL, NULL, 'model', 0, 0, 0");
    const QString from = people
        ? QStringLiteral("responses r JOIN trials t ON t.id = r.trial_id")
        : QStringLiteral("model_answers r JOIN models m ON m.id = r.model_id JOIN trials t ON t.id = r.trial_id");
    Sql q(database(), m_path);
    q.prepare(QStringLiteral("SELECT st.name, s.id, s.participant_code, s.station, s.simulated, t.id, t.trial_index, "
                             "t.trial_type, t.correct_position, t.practice, t.is_catch, t.break_after, %1, s.state "
                             "FROM %2 JOIN sessions s ON s.id = t.session_id JOIN studies st ON st.id = s.study_id "
                             "WHERE (? = 0 OR st.id = ?) ORDER BY st.id, %3 s.id, t.trial_index")
                  .arg(columns, from, people ? QString() : QStringLiteral("r.model_id,")))
        .bind(studyId)
        .bind(studyId);
    if (const Status s = q.exec(QStringLiteral("reading responses")); !s)
        return Error { s.error() };
    // Positions come from a second query: aggregating them in SQL would need dialect-specific functions.
    Sql positions(database(), m_path);
    positions
        .prepare(
            QStringLiteral("SELECT ti.trial_id, ti.image_id FROM trial_images ti JOIN trials t ON t.id = ti.trial_id "
                           "JOIN sessions s ON s.id = t.session_id WHERE (? = 0 OR s.study_id = ?) "
                           "ORDER BY ti.trial_id, ti.position"))
        .bind(studyId)
        .bind(studyId);
    if (const Status s = positions.exec(QStringLiteral("reading trial images")); !s)
        return Error { s.error() };
    QHash<qint64, std::vector<qint64>> imagesByTrial;
    while (positions.next())
        imagesByTrial[positions.value(0).toLongLong()].push_back(positions.value(1).toLongLong());

    std::vector<ResponseRow> rows;
    while (q.next()) {
        ResponseRow row;
        row.study = q.value(0).toString();
        row.sessionId = q.value(1).toLongLong();
        row.participant = q.value(2).toString();
        row.station = q.value(3).toString();
        row.simulated = q.value(4).toInt() != 0;
        Trial& t = row.trial;
        t.id = q.value(5).toLongLong();
        t.index = q.value(6).toInt();
        t.type = trialTypeFromName(q.value(7).toString()).value_or(TrialType::PickReal);
        t.correctPosition = q.value(8).toInt();
        t.practice = q.value(9).toInt() != 0;
        t.isCatch = q.value(10).toInt() != 0;
        t.breakAfter = q.value(11).toInt() != 0;
        Response& r = row.response;
        r.trialId = t.id;
        r.trialIndex = t.index;
        row.agent = q.value(12).toString();
        row.sessionState = q.value(23).toString();
        r.answer = q.value(13).toInt();
        r.correct = q.value(14).toInt() != 0;
        if (!q.value(15).isNull())
            r.confidence = q.value(15).toInt();
        r.rtMs = q.value(16).toDouble();
        r.onsetUtc = parseUtc(q.value(17));
        r.responseUtc = parseUtc(q.value(18));
        r.rtClock = q.value(19).toString();
        r.focusLosses = q.value(20).toInt();
        r.timedOut = q.value(21).toInt() != 0;
        r.tooFast = q.value(22).toInt() != 0;
        t.imageIds = imagesByTrial.value(t.id);
        for (const qint64 imageId : t.imageIds) {
            if (const PoolImage* image = byId.value(imageId))
                row.shown.push_back(*image);
        }
        rows.push_back(std::move(row));
    }
    return rows;
}

Result<qint64> StudyDatabase::addModel(
    const QString& name, const QString& path, const QString& sha256, const ModelSpec& spec, const QString& training)
{
    const auto existing = modelByName(name);
    if (existing) {
        if (existing->sha256 == sha256)
            return existing->id;
        return Error { QStringLiteral("%1: a model named \"%2\" is already registered with another file (%3); choose "
                                      "another name")
                           .arg(m_path, name, existing->path) };
    }
    Sql q(database(), m_path);
    q.prepare(QStringLiteral("INSERT INTO models (name, path, sha256, spec, training, added_utc) "
                             "VALUES (?, ?, ?, ?, ?, ?) RETURNING id"))
        .bind(name)
        .bind(path)
        .bind(sha256)
        .bind(QString::fromUtf8(modelSpecToJson(spec)))
        .bind(training)
        .bind(nowUtc());
    if (const Status s = q.exec(QStringLiteral("registering model \"%1\"").arg(name)); !s)
        return Error { s.error() };
    return q.returnedId().value_or(0);
}

namespace {

Result<StoredModel> modelFromQuery(Sql& q, const QString& path)
{
    StoredModel m;
    m.id = q.value(0).toLongLong();
    m.name = q.value(1).toString();
    m.path = q.value(2).toString();
    m.sha256 = q.value(3).toString();
    auto spec = parseModelSpec(q.value(4).toString().toUtf8(), QStringLiteral("%1: model %2").arg(path, m.name));
    if (!spec)
        return Error { spec.error() };
    m.spec = std::move(spec).value();
    m.training = q.value(5).toString();
    m.addedUtc = parseUtc(q.value(6));
    return m;
}

const QString kModelColumns = QStringLiteral("id, name, path, sha256, spec, training, added_utc");

} // namespace

Result<std::vector<StoredModel>> StudyDatabase::models() const
{
    Sql q(database(), m_path);
    q.prepare(QStringLiteral("SELECT %1 FROM models ORDER BY id").arg(kModelColumns));
    if (const Status s = q.exec(QStringLiteral("reading models")); !s)
        return Error { s.error() };
    std::vector<StoredModel> result;
    while (q.next()) {
        auto m = modelFromQuery(q, m_path);
        if (!m)
            return Error { m.error() };
        result.push_back(std::move(m).value());
    }
    return result;
}

Result<StoredModel> StudyDatabase::model(qint64 id) const
{
    Sql q(database(), m_path);
    q.prepare(QStringLiteral("SELECT %1 FROM models WHERE id = ?").arg(kModelColumns)).bind(id);
    if (const Status s = q.exec(QStringLiteral("reading model %1").arg(id)); !s)
        return Error { s.error() };
    if (!q.next())
        return Error { QStringLiteral("%1: no model with id %2").arg(m_path).arg(id) };
    return modelFromQuery(q, m_path);
}

Result<StoredModel> StudyDatabase::modelByName(const QString& name) const
{
    Sql q(database(), m_path);
    q.prepare(QStringLiteral("SELECT %1 FROM models WHERE name = ?").arg(kModelColumns)).bind(name);
    if (const Status s = q.exec(QStringLiteral("reading model \"%1\"").arg(name)); !s)
        return Error { s.error() };
    if (!q.next())
        return Error { QStringLiteral("%1: no model named \"%2\"").arg(m_path, name) };
    return modelFromQuery(q, m_path);
}

Result<qint64> StudyDatabase::startModelRun(qint64 modelId, qint64 studyId, const RuntimeInfo& runtime, int batchSize)
{
    Sql q(database(), m_path);
    q.prepare(QStringLiteral("INSERT INTO model_runs (model_id, study_id, device, threads, torch_version, batch_size, "
                             "started_utc, state, predicted, skipped, failed) "
                             "VALUES (?, ?, ?, ?, ?, ?, ?, 'running', 0, 0, 0) RETURNING id"))
        .bind(modelId)
        .bind(studyId > 0 ? QVariant(studyId) : QVariant())
        .bind(runtime.device)
        .bind(runtime.threads)
        .bind(runtime.torchVersion)
        .bind(batchSize)
        .bind(nowUtc());
    if (const Status s = q.exec(QStringLiteral("recording a model run")); !s)
        return Error { s.error() };
    return q.returnedId().value_or(0);
}

Status StudyDatabase::finishModelRun(qint64 runId, const QString& state, int predicted, int skipped, int failed)
{
    Sql q(database(), m_path);
    q.prepare(QStringLiteral("UPDATE model_runs SET state = ?, ended_utc = ?, predicted = ?, skipped = ?, failed = ? "
                             "WHERE id = ?"))
        .bind(state)
        .bind(nowUtc())
        .bind(predicted)
        .bind(skipped)
        .bind(failed)
        .bind(runId);
    return q.exec(QStringLiteral("finishing model run %1").arg(runId));
}

Result<QSet<QString>> StudyDatabase::predictedImageHashes(const QString& modelSha256) const
{
    Sql q(database(), m_path);
    q.prepare(QStringLiteral("SELECT image_sha256 FROM predictions WHERE model_sha256 = ? AND error = ''"))
        .bind(modelSha256);
    if (const Status s = q.exec(QStringLiteral("reading predictions")); !s)
        return Error { s.error() };
    QSet<QString> hashes;
    while (q.next())
        hashes.insert(q.value(0).toString());
    return hashes;
}

Status StudyDatabase::storePredictions(
    qint64 runId, const QString& modelSha256, const std::vector<ImagePrediction>& batch)
{
    QSqlDatabase db = database();
    Transaction tx(db);
    for (const ImagePrediction& p : batch) {
        QStringList probabilities;
        for (float v : p.prediction.classProbabilities)
            probabilities << QString::number(static_cast<double>(v), 'g', 7);
        const bool valid = p.error.isEmpty();
        Sql q(db, m_path);
        q.prepare(QStringLiteral("INSERT INTO predictions (model_sha256, image_sha256, run_id, p_real, "
                                 "class_probabilities, milliseconds, error) VALUES (?, ?, ?, ?, ?, ?, ?) "
                                 "ON CONFLICT (model_sha256, image_sha256) DO UPDATE SET run_id = excluded.run_id, "
                                 "p_real = excluded.p_real, class_probabilities = excluded.class_probabilities, "
                                 "milliseconds = excluded.milliseconds, error = excluded.error"))
            .bind(modelSha256)
            .bind(p.imageHash)
            .bind(runId)
            .bind(valid && p.prediction.pReal >= 0.0f ? QVariant(static_cast<double>(p.prediction.pReal)) : QVariant())
            .bind(probabilities.isEmpty() ? QString()
                                          : QLatin1Char('[') + probabilities.join(QLatin1Char(',')) + QLatin1Char(']'))
            .bind(p.prediction.milliseconds)
            .bind(p.error);
        if (const Status s = q.exec(QStringLiteral("storing a prediction")); !s)
            return s;
    }
    if (!tx.commit())
        return Error {
            QStringLiteral("%1: predictions could not be committed: %2").arg(m_path, db.lastError().text())
        };
    return {};
}

Result<std::optional<float>> StudyDatabase::predictedPReal(const QString& modelSha256, const QString& imageSha256) const
{
    Sql q(database(), m_path);
    q.prepare(
         QStringLiteral("SELECT p_real FROM predictions WHERE model_sha256 = ? AND image_sha256 = ? AND error = '' "
                        "AND p_real IS NOT NULL"))
        .bind(modelSha256)
        .bind(imageSha256);
    if (const Status s = q.exec(QStringLiteral("reading a prediction")); !s)
        return Error { s.error() };
    if (!q.next())
        return std::optional<float> {};
    return std::optional<float>(q.value(0).toFloat());
}

namespace {

/// Binds the six key columns of cam_maps in their order.
template <typename Query> void bindCamKey(Query& q, const StudyDatabase::CamKey& key)
{
    q.bind(key.modelSha256)
        .bind(key.imageSha256)
        .bind(camMethodName(key.options.method))
        .bind(key.options.layer)
        .bind(camTargetName(key.options.target))
        .bind(camNoiseKey(key.options));
}

} // namespace

Result<std::optional<CamMap>> StudyDatabase::camMap(const CamKey& key) const
{
    Sql q(database(), m_path);
    q.prepare(QStringLiteral("SELECT width, height, target_class, target_negated, map FROM cam_maps "
                             "WHERE model_sha256 = ? AND image_sha256 = ? AND method = ? AND layer = ? AND target = ? "
                             "AND noise = ?"));
    bindCamKey(q, key);
    if (const Status s = q.exec(QStringLiteral("reading a cached class-activation map")); !s)
        return Error { s.error() };
    if (!q.next())
        return std::optional<CamMap> {};
    CamMap map;
    map.width = q.value(0).toInt();
    map.height = q.value(1).toInt();
    map.targetClass = q.value(2).toInt();
    map.targetNegated = q.value(3).toInt() != 0;
    map.layer = key.options.layer;
    const QByteArray blob = q.value(4).toByteArray();
    const std::size_t count = std::size_t(std::max(map.width, 0)) * std::size_t(std::max(map.height, 0));
    if (count == 0 || std::size_t(blob.size()) != count * sizeof(float))
        return Error { QStringLiteral("%1: a cached class-activation map is damaged (%2 bytes for %3 x %4)")
                           .arg(m_path)
                           .arg(blob.size())
                           .arg(map.width)
                           .arg(map.height) };
    map.values.resize(count);
    for (std::size_t i = 0; i < count; ++i)
        map.values[i] = qFromLittleEndian<float>(blob.constData() + i * sizeof(float));
    return std::optional<CamMap>(std::move(map));
}

Status StudyDatabase::storeCamMap(const CamKey& key, const CamMap& map)
{
    QByteArray blob(qsizetype(map.values.size() * sizeof(float)), Qt::Uninitialized);
    for (std::size_t i = 0; i < map.values.size(); ++i)
        qToLittleEndian<float>(map.values[i], blob.data() + i * sizeof(float));
    Sql q(database(), m_path);
    q.prepare(QStringLiteral("INSERT INTO cam_maps (model_sha256, image_sha256, method, layer, target, noise, width, "
                             "height, target_class, target_negated, map, created_utc) "
                             "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                             "ON CONFLICT (model_sha256, image_sha256, method, layer, target, noise) DO UPDATE SET "
                             "width = excluded.width, height = excluded.height, target_class = excluded.target_class, "
                             "target_negated = excluded.target_negated, map = excluded.map, "
                             "created_utc = excluded.created_utc"));
    bindCamKey(q, key);
    q.bind(map.width).bind(map.height).bind(map.targetClass).bind(map.targetNegated ? 1 : 0).bind(blob).bind(nowUtc());
    return q.exec(QStringLiteral("storing a class-activation map"));
}

Result<int> StudyDatabase::pruneCamMaps()
{
    Sql q(database(), m_path);
    q.prepare(QStringLiteral("DELETE FROM cam_maps WHERE model_sha256 NOT IN (SELECT sha256 FROM models) "
                             "OR (image_sha256 NOT IN (SELECT sha256 FROM pool_images) "
                             "AND image_sha256 NOT IN (SELECT sha256 FROM stimuli))"));
    if (const Status s = q.exec(QStringLiteral("dropping stale class-activation maps")); !s)
        return Error { s.error() };
    return q.query().numRowsAffected();
}

Result<int> StudyDatabase::camMapCount() const
{
    Sql q(database(), m_path);
    q.prepare(QStringLiteral("SELECT COUNT(*) FROM cam_maps"));
    if (const Status s = q.exec(QStringLiteral("counting class-activation maps")); !s)
        return Error { s.error() };
    return q.next() ? q.value(0).toInt() : 0;
}

Result<QHash<qint64, float>> StudyDatabase::pRealByImage(qint64 studyId, const QString& modelSha256) const
{
    Sql q(database(), m_path);
    q.prepare(QStringLiteral("SELECT i.id, p.p_real FROM pool_images i "
                             "LEFT JOIN stimuli s ON s.image_id = i.id AND s.study_id = ? "
                             "JOIN predictions p ON p.image_sha256 = COALESCE(s.sha256, i.sha256) "
                             "WHERE p.model_sha256 = ? AND p.error = '' AND p.p_real IS NOT NULL"))
        .bind(studyId)
        .bind(modelSha256);
    if (const Status s = q.exec(QStringLiteral("reading P(real)")); !s)
        return Error { s.error() };
    QHash<qint64, float> result;
    while (q.next())
        result.insert(q.value(0).toLongLong(), q.value(1).toFloat());
    return result;
}

Result<std::vector<Trial>> StudyDatabase::studyTrials(qint64 studyId) const
{
    const auto all = sessions(studyId);
    if (!all)
        return Error { all.error() };
    std::vector<Trial> trials;
    for (const SessionInfo& session : all.value()) {
        auto list = sessionTrials(session.id);
        if (!list)
            return Error { list.error() };
        trials.insert(trials.end(), list->begin(), list->end());
    }
    return trials;
}

Status StudyDatabase::storeModelAnswers(
    qint64 modelId, qint64 runId, double threshold, const std::vector<Response>& answers)
{
    QSqlDatabase db = database();
    Transaction tx(db);
    for (const Response& r : answers) {
        Sql q(db, m_path);
        q.prepare(
             QStringLiteral("INSERT INTO model_answers (model_id, trial_id, answer, correct, threshold, run_id) "
                            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (model_id, trial_id) DO UPDATE SET "
                            "answer = excluded.answer, correct = excluded.correct, threshold = excluded.threshold, "
                            "run_id = excluded.run_id"))
            .bind(modelId)
            .bind(r.trialId)
            .bind(r.answer)
            .bind(r.correct ? 1 : 0)
            .bind(threshold)
            .bind(runId);
        if (const Status s = q.exec(QStringLiteral("storing the model's answer to trial %1").arg(r.trialId)); !s)
            return s;
    }
    if (!tx.commit())
        return Error {
            QStringLiteral("%1: model answers could not be committed: %2").arg(m_path, db.lastError().text())
        };
    return {};
}

Status StudyDatabase::addImageTag(qint64 imageId, const QString& tag)
{
    const QString t = tag.trimmed();
    if (t.isEmpty())
        return Error { QStringLiteral("%1: a tag must not be empty").arg(m_path) };
    Sql q(database(), m_path);
    q.prepare(QStringLiteral("INSERT INTO image_tags (image_id, tag, added_utc) VALUES (?, ?, ?) "
                             "ON CONFLICT (image_id, tag) DO NOTHING"))
        .bind(imageId)
        .bind(t)
        .bind(nowUtc());
    return q.exec(QStringLiteral("tagging image %1").arg(imageId));
}

Status StudyDatabase::removeImageTag(qint64 imageId, const QString& tag)
{
    Sql q(database(), m_path);
    q.prepare(QStringLiteral("DELETE FROM image_tags WHERE image_id = ? AND tag = ?"))
        .bind(imageId)
        .bind(tag.trimmed());
    return q.exec(QStringLiteral("untagging image %1").arg(imageId));
}

Status StudyDatabase::setImageNote(qint64 imageId, const QString& note)
{
    Sql q(database(), m_path);
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

Result<QHash<qint64, QStringList>> StudyDatabase::imageTags() const
{
    Sql q(database(), m_path);
    q.prepare(QStringLiteral("SELECT image_id, tag FROM image_tags ORDER BY image_id, tag"));
    if (const Status s = q.exec(QStringLiteral("reading image tags")); !s)
        return Error { s.error() };
    QHash<qint64, QStringList> tags;
    while (q.next())
        tags[q.value(0).toLongLong()] << q.value(1).toString();
    return tags;
}

Result<QHash<qint64, QString>> StudyDatabase::imageNotes() const
{
    Sql q(database(), m_path);
    q.prepare(QStringLiteral("SELECT image_id, note FROM image_notes"));
    if (const Status s = q.exec(QStringLiteral("reading image notes")); !s)
        return Error { s.error() };
    QHash<qint64, QString> notes;
    while (q.next())
        notes.insert(q.value(0).toLongLong(), q.value(1).toString());
    return notes;
}

Result<std::vector<StudyDatabase::AnsweringModel>> StudyDatabase::answeringModels(qint64 studyId) const
{
    // The latest finished run of each model on the study, and the threshold its answers used
    // (0.5 when it had no trial to answer yet).
    Sql q(database(), m_path);
    q.prepare(
         QStringLiteral("SELECT r.model_id, MAX(r.id) FROM model_runs r WHERE r.study_id = ? AND r.state = 'finished' "
                        "GROUP BY r.model_id ORDER BY r.model_id"))
        .bind(studyId);
    if (const Status s = q.exec(QStringLiteral("reading which models ran on the study")); !s)
        return Error { s.error() };
    std::vector<AnsweringModel> models;
    while (q.next())
        models.push_back({ q.value(0).toLongLong(), q.value(1).toLongLong(), 0.5 });
    for (AnsweringModel& m : models) {
        Sql t(database(), m_path);
        t.prepare(QStringLiteral("SELECT threshold FROM model_answers WHERE run_id = ? LIMIT 1")).bind(m.runId);
        if (const Status s = t.exec(QStringLiteral("reading a model's threshold")); !s)
            return Error { s.error() };
        if (t.next())
            m.threshold = t.value(0).toDouble();
    }
    return models;
}

Result<std::vector<PredictionRow>> StudyDatabase::predictionRows(qint64 studyId, qint64 modelId) const
{
    Sql q(database(), m_path);
    q.prepare(QStringLiteral("SELECT m.name, m.sha256, %1, p.p_real, p.class_probabilities, p.milliseconds, p.error "
                             "FROM pool_images i LEFT JOIN stimuli s ON s.image_id = i.id AND s.study_id = ? "
                             "JOIN predictions p ON p.image_sha256 = COALESCE(s.sha256, i.sha256) "
                             "JOIN models m ON m.sha256 = p.model_sha256 WHERE (? = 0 OR m.id = ?) "
                             "ORDER BY m.id, i.id")
                  .arg(kImageColumns))
        .bind(studyId)
        .bind(modelId)
        .bind(modelId);
    if (const Status s = q.exec(QStringLiteral("reading predictions")); !s)
        return Error { s.error() };
    std::vector<PredictionRow> rows;
    while (q.next()) {
        PredictionRow row;
        row.model = q.value(0).toString();
        row.modelSha256 = q.value(1).toString();
        row.image = imageFromQuery(q.query(), 2);
        row.pReal = q.value(16).isNull() ? -1.0f : q.value(16).toFloat();
        row.classProbabilities = q.value(17).toString();
        row.milliseconds = q.value(18).toDouble();
        row.error = q.value(19).toString();
        rows.push_back(std::move(row));
    }
    return rows;
}

} // namespace ntt
