#pragma once

#include "pool.h"
#include "result.h"
#include "trial.h"

#include <QIODevice>
#include <QString>
#include <QStringList>

#include <vector>

namespace ntt {

/// One answer joined with everything the responses CSV shows about it.
struct ResponseRow {
    QString study;
    qint64 sessionId = 0;
    QString participant; ///< participant code
    QString agent = QStringLiteral("human"); ///< "human" for participants; a model's name in model answers
    QString station;
    bool simulated = false; ///< scripted or simulated participant, left out of analyses by default
    Trial trial;
    std::vector<PoolImage> shown; ///< the pool images by position
    Response response;
};

/// Column names of the responses CSV for rows of up to `maxWays` images.
QStringList responseCsvHeader(int maxWays);

/**
 * Writes the tidy responses CSV: one row per response, UTF-8, header row, RFC 4180 quoting,
 * positions 1-based, timestamps ISO 8601 UTC with milliseconds. Fails naming `destination` when
 * the device cannot be written.
 */
Status writeResponsesCsv(QIODevice& device, const std::vector<ResponseRow>& rows, const QString& destination);

} // namespace ntt
