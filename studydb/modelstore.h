#pragma once

#include "models/classifier.h"
#include "models/modelrun.h"
#include "result.h"
#include "storecontext.h"
#include "study/responseexport.h"
#include "study/trial.h"

#include <QDateTime>
#include <QHash>
#include <QSet>

#include <optional>
#include <vector>

namespace ntt {

class SessionStore;

/// A model registered in the study file.
struct StoredModel
{
    qint64 id = 0;
    QString name;
    QString path; ///< the model file, absolute
    QString sha256; ///< of the model file when it was added
    ModelSpec spec;
    QString training; ///< JSON of the training options and history for built-in detectors; empty otherwise
    QDateTime addedUtc;
};

/**
 * Models, their runs, predictions (keyed by model and image file hashes) and answers to trials.
 * Part of StudyDatabase, which opens the connection all stores share; tested on SQLite and
 * PostgreSQL alike (tst_stores).
 */
class ModelStore
{
public:
    /// Registers a model file; a model of that name with the same file hash is returned as it is,
    /// one with another hash is refused (the name must say which model answered).
    Result<qint64> addModel(const QString& name, const QString& path, const QString& sha256, const ModelSpec& spec,
        const QString& training);
    Result<std::vector<StoredModel>> models() const;
    Result<StoredModel> model(qint64 id) const;
    Result<StoredModel> modelByName(const QString& name) const;
    Result<qint64> startModelRun(qint64 modelId, qint64 studyId, const RuntimeInfo& runtime, int batchSize);
    Status finishModelRun(qint64 runId, const QString& state, int predicted, int skipped, int failed);
    /// Image hashes this model already has a valid prediction for.
    Result<QSet<QString>> predictedImageHashes(const QString& modelSha256) const;
    /// Stores one batch of predictions in one transaction; a failed image may be predicted again later.
    Status storePredictions(qint64 runId, const QString& modelSha256, const std::vector<ImagePrediction>& batch);
    /// P(real) per pool image id as the study showed it (normalised copy or original), for one model;
    /// images without a P(real) are left out.
    Result<QHash<qint64, float>> pRealByImage(qint64 studyId, const QString& modelSha256) const;
    /// Everything one model said per pool image id as the study showed it: P(real) (-1 when the
    /// model does not say) and class probabilities. Failed images are left out.
    Result<QHash<qint64, ImageScores>> scoresByImage(qint64 studyId, const QString& modelSha256) const;

    /// The stored P(real) of one model for one image file; nullopt when not predicted (or no P(real)).
    Result<std::optional<float>> predictedPReal(const QString& modelSha256, const QString& imageSha256) const;
    Status storeModelAnswers(qint64 modelId, qint64 runId, double threshold, const std::vector<Response>& answers);
    /// The models that ran on the study, with their latest finished run and the threshold of its answers.
    struct AnsweringModel
    {
        qint64 modelId = 0;
        qint64 runId = 0;
        double threshold = 0.5;
    };
    Result<std::vector<AnsweringModel>> answeringModels(qint64 studyId) const;
    /// The model answers of the study, joined like responses (agent = model name, no response time).
    Result<std::vector<ResponseRow>> modelAnswerRows(qint64 studyId) const;
    /// Predictions of one model (all models when modelId is 0) for the images the study shows.
    Result<std::vector<PredictionRow>> predictionRows(qint64 studyId, qint64 modelId) const;

protected:
    explicit ModelStore(StoreContext& context, const SessionStore& sessions);
    ~ModelStore() = default;
    ModelStore(const ModelStore&) = delete;
    ModelStore& operator=(const ModelStore&) = delete;

private:
    QSqlDatabase database() const { return m_c.database(); }
    QString readOnlyError(const QString& what) const { return m_c.readOnlyError(what); }
    const SessionStore& m_sessions;
    StoreContext& m_c;
};

} // namespace ntt
