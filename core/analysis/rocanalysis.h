#pragma once

#include "analysis/analysis.h"

#include <QHash>
#include <QMap>
#include <QString>

#include <vector>

namespace ntt {

/// An agent's ROC curve on a study's real-or-fake trials ("real" is the positive class).
struct RocCurve
{
    QString agent; ///< peopleAgent() or a model's name
    bool isModel = false;
    std::vector<RocPoint> points; ///< rocCurve(): people's thresholds are ratings, a model's P(real)
    AucEstimate auc; ///< with its bootstrap interval
    QString interval; ///< "participant bootstrap" (people) or "image bootstrap" (models)
};

/// People's share correct at one stated confidence level.
struct ConfidenceAccuracy
{
    int level = 0; ///< 1 (guessing) .. 4 (sure)
    Proportion accuracy; ///< with its Wilson interval
};

/// A model's reliability diagram of P(real) on the study's real-or-fake images.
struct ModelCalibration
{
    QString model;
    Reliability reliability;
};

/// How sure people and models were, and how well that matched what was right.
struct RocAnalysis
{
    int ratedTrials = 0; ///< people's real-or-fake trials answered with a confidence rating
    std::vector<RocCurve> curves; ///< people first (when any trial was rated), then each model
    std::vector<ConfidenceAccuracy> peopleConfidence; ///< every rated trial of any type, levels 1..4
    std::vector<ModelCalibration> models;
};

/// People's rating of a real-or-fake answer on one scale, 1 = "fake, sure" .. 8 = "real, sure":
/// 4 + confidence for "real", 5 - confidence for "fake" (Macmillan and Creelman's rating design).
int realOrFakeRating(int answer, int confidence);

/**
 * People's ROC from confidence ratings and each model's from P(real), on the same real-or-fake
 * trials, with AUCs and percentile bootstrap intervals (participants resampled for people, images
 * for models; AnalysisOptions' replicates, seed and confidence); people's calibration as share
 * correct per confidence level (every trial type), and each model's reliability diagram in `bins`
 * equal-width bins of P(real) with its expected calibration error.
 *
 * `people` are the study's responses of the participants the analysis kept (the options' filter is
 * applied here); `pRealByModel` maps a model's name to P(real) per image id. A model's items are the
 * distinct images of the analysed real-or-fake trials it has a P(real) for.
 */
RocAnalysis rocAndCalibration(const std::vector<ResponseRow>& people,
    const QMap<QString, QHash<qint64, float>>& pRealByModel, const AnalysisOptions& options, int bins = 10);

} // namespace ntt
