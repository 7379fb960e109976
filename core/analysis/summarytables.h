#pragma once

#include "analysis/analysis.h"
#include "analysis/exposureanalysis.h"
#include "analysis/imageresults.h"
#include "analysis/rocanalysis.h"
#include "pool/pool.h"
#include "result.h"
#include "study/marks.h"

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

/// Which-source and which-category answers as counts: agent, agent_kind, question, right, chosen,
/// count, share_of_right (count / all answers whose right name is `right`); every cell of every
/// agent's matrix, zeros included, so the matrices can be drawn side by side.
Table confusionTable(const Analysis& analysis);

/// Per model, the rank correlation of people's and the model's accuracies over pairs of generators:
/// model, pairs, spearman_rho, bootstrap_low, bootstrap_high, bootstrap_replicates.
Table pairCorrelationTable(const Analysis& analysis);

/// ROC curves point by point: agent, agent_kind (people, model), threshold (people's rating 1..8,
/// or P(real)), false_positive_rate, true_positive_rate; "real" is the positive class.
Table rocTable(const RocAnalysis& roc);

/// Per agent, the ROC AUC on real-or-fake trials: agent, agent_kind, real, generated, auc,
/// interval_low, interval_high, interval (participant or image bootstrap), replicates.
Table aucTable(const RocAnalysis& roc);

/// Calibration: people's share correct per confidence level (agent people, bin = the level, no
/// mean_predicted), then each model's reliability diagram (bin = "low-high" of P(real),
/// mean_predicted, observed = share real) with its expected calibration error on every row:
/// agent, agent_kind, bin, n, mean_predicted, observed, wilson_low, wilson_high, ece.
Table calibrationTable(const RocAnalysis& roc);

/// People's marks, one row per click: study, session_id, participant, simulated, trial_index,
/// trial_type, answer, correct, position (1-based), image_id, image (relative path), source,
/// category, image_width, image_height, x, y (the image's own pixels), u, v (0..1 on the image as
/// shown), reason, marked_utc.
Table marksTable(const std::vector<MarkedTrial>& trials);

/// Self-consistency on repeated trials, then each model's error consistency with people against that
/// ceiling: agent, agent_kind (participant, people, model), pairs, same_answer, same_low, same_high,
/// kappa (right and wrong, first against repeat; for a model, with the pooled people on all trials),
/// ceiling_kappa (the pooled people's repeat kappa), share_of_ceiling (kappa / ceiling).
Table selfConsistencyTable(const std::vector<SelfConsistency>& consistency, const Analysis& analysis);
/// d' and criterion c on real-or-fake trials per agent (pooled people, each participant, each
/// model), over all trials, per category and per generator, with the counts behind them and
/// whether the log-linear correction was applied.
Table signalDetectionTable(const Analysis& analysis);
/// Brief exposure: accuracy per exposure (pooled, then per participant), frames asked for beside
/// the measured durations (ms) and refresh rate.
Table exposureTable(const ExposureAnalysis& exposure);
/// Brief exposure with a staircase: each participant's reversals and threshold (frames and ms).
Table staircaseTable(const ExposureAnalysis& exposure);

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
