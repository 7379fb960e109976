#pragma once

#include "analysis/analysis.h"
#include "analysis/imageresults.h"
#include "pool/pool.h"
#include "result.h"

#include <QHash>
#include <QIODevice>
#include <QMap>
#include <QString>
#include <QStringList>

#include <vector>

namespace ntt {

/// A table for a CSV: a header and rows of the same width.
struct Table
{
    QStringList header;
    std::vector<QStringList> rows;
};

/// One row per agent and group: agent, agent_kind (people, participant, model), the group column
/// (`groupColumn`, e.g. "category"), n, correct, accuracy, wilson_low, wilson_high, bootstrap_low,
/// bootstrap_high (pooled people only), chance, p_binomial.
Table accuracyTable(const std::vector<AccuracyCell>& cells, const QString& groupColumn);

/// One row per participant: code, session, simulated, trials, correct, accuracy with its Wilson
/// interval, catch trials and correct, excluded and why.
Table participantTable(const Analysis& analysis);

/// One row per image the study showed: the image, people's results (trials, correct, share correct,
/// pick trials, times chosen, median RT) and, side by side, each model's P(real) in a column
/// `p_real[<model>]` (empty when the model did not predict it); then the image's tags (separated by
/// "; ") and note.
Table imageTable(const std::vector<PoolImage>& images, const QHash<qint64, ImageHumanResult>& people,
    const QMap<QString, QHash<qint64, float>>& pRealByModel, const QHash<qint64, QStringList>& tags = {},
    const QHash<qint64, QString>& notes = {});

/// Writes the table as CSV (RFC 4180, UTF-8, CRLF); the error names `destination`.
Status writeTableCsv(QIODevice& device, const Table& table, const QString& destination);

} // namespace ntt
