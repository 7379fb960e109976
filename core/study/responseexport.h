#pragma once

#include "pool/pool.h"
#include "result.h"
#include "study/trial.h"

#include <QIODevice>
#include <QString>
#include <QStringList>

#include <vector>

namespace ntt {

/// One answer joined with everything the responses CSV shows about it.
struct ResponseRow
{
    QString study;
    qint64 sessionId = 0;
    QString participant; ///< participant code
    QString agent = QStringLiteral("human"); ///< "human" for participants; a model's name in model answers
    QString station;
    bool simulated = false; ///< scripted or simulated participant, left out of analyses by default
    QString sessionState; ///< "open", "finished" or "aborted"
    Trial trial;
    std::vector<PoolImage> shown; ///< the pool images by position
    Response response;
};

/// One stored model output, joined with the image, for the predictions CSV and summaries.
struct PredictionRow
{
    QString model;
    QString modelSha256;
    PoolImage image;
    float pReal = -1.0f;
    QString classProbabilities; ///< JSON array, empty for single-output models
    double milliseconds = 0.0;
    QString error;
};

/// Column names of the responses CSV for rows of up to `maxWays` images.
QStringList responseCsvHeader(int maxWays);

/**
 * Writes the tidy responses CSV: one row per response, UTF-8, header row, RFC 4180 quoting,
 * positions 1-based, timestamps ISO 8601 UTC with milliseconds. Fails naming `destination` when
 * the device cannot be written.
 */
/// `minWays` fixes the number of position columns (the study's ways), so every export of a study has
/// the same columns whatever rows it holds.
Status writeResponsesCsv(
    QIODevice& device, const std::vector<ResponseRow>& rows, const QString& destination, int minWays = 1);

/// Column names of the predictions CSV.
QStringList predictionCsvHeader();

/// Writes the predictions CSV: one row per model and image, P(real), the model's label at 0.5,
/// whether that is right, class probabilities (JSON array), time and error.
Status writePredictionsCsv(
    QIODevice& device, const std::vector<PredictionRow>& rows, const QString& destination, const QString& realSource);

} // namespace ntt
