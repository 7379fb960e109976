// StudyStore: studies, the pool images they are designed on, the files they show and those files
// stored for stations.

#include "studystore.h"

#include "studydatabase_p.h"

#include <QCryptographicHash>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStandardPaths>

namespace ntt {

using namespace dbdetail;

Result<qint64> StudyStore::addStudy(const StudyDefinition& definition, const QString& realSource,
    const std::vector<qint64>& imageIds, const std::vector<NormalisedStimulus>& stimuli)
{
    QSqlDatabase db = database();
    Transaction tx(db);
    Sql q(db, m_c.m_path);
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
        return Error { QStringLiteral("%1: a study named \"%2\" already exists; choose another name")
                           .arg(m_c.m_path, definition.name) };
    const qint64 studyId = *inserted;
    for (const qint64 imageId : imageIds) {
        Sql s(db, m_c.m_path);
        s.prepare(QStringLiteral("INSERT INTO study_images (study_id, image_id) VALUES (?, ?)"))
            .bind(studyId)
            .bind(imageId);
        if (const Status st = s.exec(QStringLiteral("storing the study's images")); !st)
            return Error { st.error() };
    }
    for (const NormalisedStimulus& stimulus : stimuli) {
        Sql s(db, m_c.m_path);
        s.prepare(QStringLiteral("INSERT INTO stimuli (study_id, image_id, path, sha256) VALUES (?, ?, ?, ?)"))
            .bind(studyId)
            .bind(stimulus.imageId)
            .bind(stimulus.path)
            .bind(stimulus.sha256);
        if (const Status st = s.exec(QStringLiteral("storing normalised stimuli")); !st)
            return Error { st.error() };
    }
    if (!tx.commit())
        return Error {
            QStringLiteral("%1: the study could not be committed: %2").arg(m_c.m_path, db.lastError().text())
        };
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

Result<std::vector<StoredStudy>> StudyStore::studies() const
{
    Sql q(database(), m_c.m_path);
    q.prepare(QStringLiteral("SELECT id, definition, real_source, created_utc FROM studies ORDER BY id"));
    if (const Status s = q.exec(QStringLiteral("reading studies")); !s)
        return Error { s.error() };
    std::vector<StoredStudy> result;
    while (q.next()) {
        auto study = studyFromQuery(q, m_c.m_path);
        if (!study)
            return Error { study.error() };
        result.push_back(std::move(study).value());
    }
    return result;
}

Result<StoredStudy> StudyStore::study(qint64 id) const
{
    Sql q(database(), m_c.m_path);
    q.prepare(QStringLiteral("SELECT id, definition, real_source, created_utc FROM studies WHERE id = ?")).bind(id);
    if (const Status s = q.exec(QStringLiteral("reading study %1").arg(id)); !s)
        return Error { s.error() };
    if (!q.next())
        return Error { QStringLiteral("%1: no study with id %2").arg(m_c.m_path).arg(id) };
    return studyFromQuery(q, m_c.m_path);
}

Result<StoredStudy> StudyStore::studyByName(const QString& name) const
{
    Sql q(database(), m_c.m_path);
    q.prepare(QStringLiteral("SELECT id, definition, real_source, created_utc FROM studies WHERE name = ?")).bind(name);
    if (const Status s = q.exec(QStringLiteral("reading study \"%1\"").arg(name)); !s)
        return Error { s.error() };
    if (!q.next())
        return Error { QStringLiteral("%1: no study named \"%2\"").arg(m_c.m_path, name) };
    return studyFromQuery(q, m_c.m_path);
}

Result<QHash<qint64, QString>> StudyStore::stimulusPaths(qint64 studyId) const
{
    const auto files = stimulusFiles(studyId);
    if (!files)
        return Error { files.error() };
    QHash<qint64, QString> paths;
    for (auto it = files->cbegin(); it != files->cend(); ++it)
        paths.insert(it.key(), it->path);
    return paths;
}

Result<QHash<qint64, StudyStore::StimulusFile>> StudyStore::stimulusFiles(qint64 studyId) const
{
    Sql q(database(), m_c.m_path);
    q.prepare(QStringLiteral("SELECT i.id, COALESCE(s.path, i.path), COALESCE(s.sha256, i.sha256) FROM pool_images i "
                             "LEFT JOIN stimuli s ON s.image_id = i.id AND s.study_id = ?"))
        .bind(studyId);
    if (const Status s = q.exec(QStringLiteral("reading stimulus paths")); !s)
        return Error { s.error() };
    QHash<qint64, StimulusFile> files;
    const QString cache = stimulusCacheFolder();
    while (q.next()) {
        StimulusFile file { q.value(1).toString(), q.value(2).toString() };
        if (!cache.isEmpty()) {
            const QString fetched = cache + QLatin1Char('/') + cachedFileName(file.sha256, file.path);
            if (QFileInfo::exists(fetched))
                file.path = fetched;
        }
        files.insert(q.value(0).toLongLong(), file);
    }
    return files;
}

QString StudyStore::cachedFileName(const QString& sha256, const QString& path)
{
    const QString suffix = QFileInfo(path).suffix().toLower();
    return suffix.isEmpty() ? sha256 : sha256 + QLatin1Char('.') + suffix;
}

QString StudyStore::stimulusCacheFolder() const
{
    if (m_c.m_dialect->kind() != SqlDialect::Kind::PostgreSql)
        return {};
    return stationDataPath(m_c.m_path, QStringLiteral("stimuli"));
}

Status StudyStore::storeStimulusFile(const QString& sha256, const QString& suffix, const QByteArray& bytes)
{
    if (m_c.m_readOnly)
        return Error { readOnlyError(QStringLiteral("storing image files for stations")) };
    Sql q(database(), m_c.m_path);
    q.prepare(QStringLiteral("INSERT INTO stimulus_files (sha256, suffix, bytes, added_utc) VALUES (?, ?, ?, ?) "
                             "ON CONFLICT (sha256) DO NOTHING"))
        .bind(sha256)
        .bind(suffix)
        .bind(bytes)
        .bind(nowUtc());
    return q.exec(QStringLiteral("storing image file %1 for stations").arg(sha256.left(12)));
}

Result<QSet<QString>> StudyStore::storedStimulusFiles() const
{
    Sql q(database(), m_c.m_path);
    q.prepare(QStringLiteral("SELECT sha256 FROM stimulus_files"));
    if (const Status s = q.exec(QStringLiteral("reading which image files are stored for stations")); !s)
        return Error { s.error() };
    QSet<QString> hashes;
    while (q.next())
        hashes.insert(q.value(0).toString());
    return hashes;
}

Result<QByteArray> StudyStore::stimulusFileBytes(const QString& sha256) const
{
    Sql q(database(), m_c.m_path);
    q.prepare(QStringLiteral("SELECT bytes FROM stimulus_files WHERE sha256 = ?")).bind(sha256);
    if (const Status s = q.exec(QStringLiteral("reading image file %1").arg(sha256.left(12))); !s)
        return Error { s.error() };
    if (!q.next())
        return Error { QStringLiteral("%1: image file %2 is not stored for stations; publish the study again from "
                                      "the researcher's computer (ntt study publish)")
                           .arg(m_c.m_path, sha256) };
    return q.value(0).toByteArray();
}

Status StudyStore::replaceStimulus(qint64 studyId, qint64 imageId, const QString& path, const QString& sha256)
{
    Sql q(database(), m_c.m_path);
    q.prepare(QStringLiteral("UPDATE stimuli SET path = ?, sha256 = ? WHERE study_id = ? AND image_id = ?"))
        .bind(path)
        .bind(sha256)
        .bind(studyId)
        .bind(imageId);
    return q.exec(QStringLiteral("recording the rebuilt stimulus %1").arg(path));
}

Result<StudyStore::VerifiedFile> StudyStore::verifiedFile(const QString& path) const
{
    Sql q(database(), m_c.m_path);
    q.prepare(QStringLiteral("SELECT sha256, size, modified_ms FROM verified_files WHERE path = ?")).bind(path);
    if (const Status s = q.exec(QStringLiteral("reading what was verified of %1").arg(path)); !s)
        return Error { s.error() };
    if (!q.next())
        return VerifiedFile {};
    return VerifiedFile { q.value(0).toString(), q.value(1).toLongLong(), q.value(2).toLongLong() };
}

Status StudyStore::recordVerifiedFile(const QString& path, const VerifiedFile& file)
{
    Sql q(database(), m_c.m_path);
    q.prepare(QStringLiteral("INSERT INTO verified_files (path, sha256, size, modified_ms) VALUES (?, ?, ?, ?) "
                             "ON CONFLICT (path) DO UPDATE SET sha256 = excluded.sha256, size = excluded.size, "
                             "modified_ms = excluded.modified_ms"))
        .bind(path)
        .bind(file.sha256)
        .bind(file.size)
        .bind(file.modifiedMs);
    return q.exec(QStringLiteral("recording that %1 was verified").arg(path));
}

Result<std::vector<PoolImage>> StudyStore::studyImages(qint64 studyId) const
{
    Sql q(database(), m_c.m_path);
    q.prepare(QStringLiteral("SELECT image_id FROM study_images WHERE study_id = ?")).bind(studyId);
    if (const Status s = q.exec(QStringLiteral("reading the images of study %1").arg(studyId)); !s)
        return Error { s.error() };
    QSet<qint64> ids;
    while (q.next())
        ids.insert(q.value(0).toLongLong());
    auto pool = m_pool.poolImages();
    if (!pool)
        return Error { pool.error() };
    std::vector<PoolImage> images;
    for (PoolImage& image : pool.value()) {
        if (ids.contains(image.id))
            images.push_back(std::move(image));
    }
    return images;
}

} // namespace ntt
