// ModelStore: models, model runs, predictions and model answers.

#include "modelstore.h"

#include "sessionstore.h"
#include "studydatabase_p.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QSqlRecord>
#include <QUuid>
#include <QtEndian>

#include <map>
#include <optional>

namespace ntt {

using namespace dbdetail;

Result<qint64> ModelStore::addModel(
    const QString& name, const QString& path, const QString& sha256, const ModelSpec& spec, const QString& training)
{
    const auto existing = modelByName(name);
    if (existing) {
        if (existing->sha256 == sha256)
            return existing->id;
        return Error { QStringLiteral("%1: a model named \"%2\" is already registered with another file (%3); choose "
                                      "another name")
                           .arg(m_c.m_path, name, existing->path) };
    }
    Sql q(database(), m_c.m_path);
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

Result<std::vector<StoredModel>> ModelStore::models() const
{
    Sql q(database(), m_c.m_path);
    q.prepare(QStringLiteral("SELECT %1 FROM models ORDER BY id").arg(kModelColumns));
    if (const Status s = q.exec(QStringLiteral("reading models")); !s)
        return Error { s.error() };
    std::vector<StoredModel> result;
    while (q.next()) {
        auto m = modelFromQuery(q, m_c.m_path);
        if (!m)
            return Error { m.error() };
        result.push_back(std::move(m).value());
    }
    return result;
}

Result<StoredModel> ModelStore::model(qint64 id) const
{
    Sql q(database(), m_c.m_path);
    q.prepare(QStringLiteral("SELECT %1 FROM models WHERE id = ?").arg(kModelColumns)).bind(id);
    if (const Status s = q.exec(QStringLiteral("reading model %1").arg(id)); !s)
        return Error { s.error() };
    if (!q.next())
        return Error { QStringLiteral("%1: no model with id %2").arg(m_c.m_path).arg(id) };
    return modelFromQuery(q, m_c.m_path);
}

Result<StoredModel> ModelStore::modelByName(const QString& name) const
{
    Sql q(database(), m_c.m_path);
    q.prepare(QStringLiteral("SELECT %1 FROM models WHERE name = ?").arg(kModelColumns)).bind(name);
    if (const Status s = q.exec(QStringLiteral("reading model \"%1\"").arg(name)); !s)
        return Error { s.error() };
    if (!q.next())
        return Error { QStringLiteral("%1: no model named \"%2\"").arg(m_c.m_path, name) };
    return modelFromQuery(q, m_c.m_path);
}

Result<qint64> ModelStore::startModelRun(qint64 modelId, qint64 studyId, const RuntimeInfo& runtime, int batchSize)
{
    Sql q(database(), m_c.m_path);
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

Status ModelStore::finishModelRun(qint64 runId, const QString& state, int predicted, int skipped, int failed)
{
    Sql q(database(), m_c.m_path);
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

Result<QSet<QString>> ModelStore::predictedImageHashes(const QString& modelSha256) const
{
    Sql q(database(), m_c.m_path);
    q.prepare(QStringLiteral("SELECT image_sha256 FROM predictions WHERE model_sha256 = ? AND error = ''"))
        .bind(modelSha256);
    if (const Status s = q.exec(QStringLiteral("reading predictions")); !s)
        return Error { s.error() };
    QSet<QString> hashes;
    while (q.next())
        hashes.insert(q.value(0).toString());
    return hashes;
}

Status ModelStore::storePredictions(qint64 runId, const QString& modelSha256, const std::vector<ImagePrediction>& batch)
{
    QSqlDatabase db = database();
    Transaction tx(db);
    for (const ImagePrediction& p : batch) {
        QStringList probabilities;
        for (float v : p.prediction.classProbabilities)
            probabilities << QString::number(static_cast<double>(v), 'g', 7);
        const bool valid = p.error.isEmpty();
        Sql q(db, m_c.m_path);
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
            QStringLiteral("%1: predictions could not be committed: %2").arg(m_c.m_path, db.lastError().text())
        };
    return {};
}

Result<std::optional<float>> ModelStore::predictedPReal(const QString& modelSha256, const QString& imageSha256) const
{
    Sql q(database(), m_c.m_path);
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

Result<QHash<qint64, ImageScores>> ModelStore::scoresByImage(qint64 studyId, const QString& modelSha256) const
{
    Sql q(database(), m_c.m_path);
    q.prepare(QStringLiteral("SELECT i.id, p.p_real, p.class_probabilities FROM pool_images i "
                             "LEFT JOIN stimuli s ON s.image_id = i.id AND s.study_id = ? "
                             "JOIN predictions p ON p.image_sha256 = COALESCE(s.sha256, i.sha256) "
                             "WHERE p.model_sha256 = ? AND p.error = ''"))
        .bind(studyId)
        .bind(modelSha256);
    if (const Status s = q.exec(QStringLiteral("reading predictions")); !s)
        return Error { s.error() };
    QHash<qint64, ImageScores> result;
    while (q.next()) {
        ImageScores scores;
        if (!q.value(1).isNull())
            scores.pReal = q.value(1).toFloat();
        // Stored as a JSON array of numbers by storePredictions.
        const QString text = q.value(2).toString();
        if (text.size() > 2) {
            for (const QStringView v : QStringView(text).mid(1, text.size() - 2).split(QLatin1Char(',')))
                scores.classProbabilities.push_back(v.toFloat());
        }
        result.insert(q.value(0).toLongLong(), std::move(scores));
    }
    return result;
}

Result<QHash<qint64, float>> ModelStore::pRealByImage(qint64 studyId, const QString& modelSha256) const
{
    auto scores = scoresByImage(studyId, modelSha256);
    if (!scores)
        return Error { scores.error() };
    QHash<qint64, float> result;
    for (auto it = scores->cbegin(); it != scores->cend(); ++it) {
        if (it->pReal >= 0.0f)
            result.insert(it.key(), it->pReal);
    }
    return result;
}

Status ModelStore::storeModelAnswers(
    qint64 modelId, qint64 runId, double threshold, const std::vector<Response>& answers)
{
    QSqlDatabase db = database();
    Transaction tx(db);
    for (const Response& r : answers) {
        Sql q(db, m_c.m_path);
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
            QStringLiteral("%1: model answers could not be committed: %2").arg(m_c.m_path, db.lastError().text())
        };
    return {};
}

Result<std::vector<ModelStore::AnsweringModel>> ModelStore::answeringModels(qint64 studyId) const
{
    // The latest finished run of each model on the study, and the threshold its answers used
    // (0.5 when it had no trial to answer yet).
    Sql q(database(), m_c.m_path);
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
        Sql t(database(), m_c.m_path);
        t.prepare(QStringLiteral("SELECT threshold FROM model_answers WHERE run_id = ? LIMIT 1")).bind(m.runId);
        if (const Status s = t.exec(QStringLiteral("reading a model's threshold")); !s)
            return Error { s.error() };
        if (t.next())
            m.threshold = t.value(0).toDouble();
    }
    return models;
}

Result<std::vector<ResponseRow>> ModelStore::modelAnswerRows(qint64 studyId) const
{
    return m_sessions.answerRows(studyId, SessionStore::AnswerSource::Models);
}

Result<std::vector<PredictionRow>> ModelStore::predictionRows(qint64 studyId, qint64 modelId) const
{
    Sql q(database(), m_c.m_path);
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
        const int next = 2 + kImageColumnCount;
        row.pReal = q.value(next).isNull() ? -1.0f : q.value(next).toFloat();
        row.classProbabilities = q.value(next + 1).toString();
        row.milliseconds = q.value(next + 2).toDouble();
        row.error = q.value(next + 3).toString();
        rows.push_back(std::move(row));
    }
    return rows;
}

} // namespace ntt
