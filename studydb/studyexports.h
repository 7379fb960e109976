#pragma once

#include "analysis/analysis.h"
#include "analysis/imagebrowser.h"
#include "analysis/summarytables.h"
#include "cancel.h"
#include "studydatabase.h"

#include <QMap>
#include <QString>
#include <QStringList>

#include <functional>

namespace ntt {

/// A study's people-versus-models comparison with what its tables need.
struct StudyAnalysis
{
    StoredStudy study;
    Analysis analysis;
    std::vector<PoolImage> images; ///< the study's images
    QHash<qint64, ImageHumanResult> people; ///< per image, under the options' filter
    QMap<QString, QHash<qint64, float>> pRealByModel; ///< model name -> image id -> P(real)
    RocAnalysis roc; ///< people's and each model's ROC and calibration on the real-or-fake trials
    std::vector<SelfConsistency> selfConsistency; ///< on repeated trials, per participant and pooled
    ExposureAnalysis exposure; ///< brief-exposure studies: accuracy per exposure, staircase thresholds
    QHash<qint64, QStringList> tags;
    QHash<qint64, QString> notes;
};

/// People's marks on the study's trials with the answers they followed, in the order stored
/// (answers under `filter` only). Errors name a stored mark that cannot be read.
Result<std::vector<MarkedTrial>> studyMarks(const StudyDatabase& db, qint64 studyId, const AnswerFilter& filter);

/// Reads the study's responses, model answers and predictions and runs analyse().
Result<StudyAnalysis> analyseStudy(const StudyDatabase& db, qint64 studyId, const AnalysisOptions& options);

/**
 * Every image of the analysed study with what is known of it, for browsing the errors: people's
 * results, each model's P(real) and, for models with several classes, its class probabilities;
 * tags and note. `realSource` is the study's real source.
 */
Result<std::vector<BrowserImage>> browserImages(const StudyDatabase& db, const StudyAnalysis& analysis);

/// The per-image table (summaryTable(Images)) of these images only, in the order given.
Table imageSelectionTable(const StudyAnalysis& analysis, const std::vector<qint64>& imageIds);
/// Writes imageSelectionTable() as CSV, atomically; returns the number of rows.
Result<int> exportImageSelection(
    const StudyAnalysis& analysis, const std::vector<qint64>& imageIds, const QString& csvPath);

/**
 * A contact sheet (PNG or PDF by the suffix) of these images' thumbnails, from the study file's
 * thumbnail folder (made where missing), each captioned "#id - people N %" and "P(real) x" for
 * `model` (no P(real) when empty). Runs on the calling thread: decoding is slow for big selections.
 */
Status exportContactSheet(const StudyAnalysis& analysis, const QString& studyFilePath,
    const std::vector<qint64>& imageIds, const QString& model, const QString& title, const QString& path,
    const CancelToken& cancel);

/// Writes a file through `write` into a temporary file renamed on success: readers never see half
/// a file, and a failed export leaves the previous one. Errors name `path`.
Status writeFileAtomically(const QString& path, const std::function<Status(QIODevice&)>& write);
/// Writes `table` as CSV (writeTableCsv) atomically.
Status writeTableFile(const Table& table, const QString& path);
/// Starts the CSV file at `path` with the UTF-8 byte-order mark (EF BB BF), rewriting it atomically,
/// so that Excel opened by a double-click reads its non-ASCII text (category names, participant
/// codes) as UTF-8; R and pandas read the file either way. A file that has the mark is left as it
/// is. Errors name the file.
Status addExcelByteOrderMark(const QString& path);
/// addExcelByteOrderMark() on each ".csv" file of `paths` (other files are left alone).
Status addExcelByteOrderMarks(const QStringList& paths);

/// The summary tables a paper needs.
enum class SummaryTable {
    Categories, ///< accuracy per category and agent
    Sources, ///< accuracy per source (generator) and agent
    Participants, ///< per participant, with exclusions
    Images, ///< per image, people's and each model's results side by side
    Confusion, ///< which-source / which-category answers: people's and each model's confusion matrix
    SourcePairs, ///< accuracy per pair of generators and agent (pick-source, two-way which-source)
    PairCorrelation, ///< per model, Spearman's rho of people's and its pair accuracies, bootstrap interval
    Roc, ///< ROC curves of people (confidence ratings) and models (P(real)) on real-or-fake trials
    Auc, ///< their AUCs with bootstrap intervals
    Calibration, ///< people's accuracy per confidence level, each model's reliability diagram and ECE
    SelfConsistency, ///< repeated trials: people's consistency with themselves, models against that ceiling
    SignalDetection, ///< real-or-fake: d' and c per agent, category and generator
    Exposure, ///< brief exposure: accuracy per exposure duration, measured durations
    Staircase, ///< brief exposure with a staircase: each participant's threshold
};
/// Every summary table, in the order exports write them.
const std::vector<SummaryTable>& allSummaryTables();
/// "categories", "sources", "participants", "images", "confusion", "source-pairs", "pair-correlation",
/// "roc", "auc", "calibration", "self-consistency", "signal-detection", "exposure", "staircase"
std::optional<SummaryTable> summaryTableFromName(const QString& name);
Table summaryTable(const StudyAnalysis& analysis, SummaryTable table);

/// Writes every summary table (allSummaryTables) into `folder` as <name>.csv, from one analysis;
/// returns the files written.
Result<QStringList> exportSummaryTables(
    const StudyDatabase& db, qint64 studyId, const QString& folder, const AnalysisOptions& options);

/// Writes one summary table as CSV, atomically; returns the number of rows.
Result<int> exportSummary(const StudyDatabase& db, qint64 studyId, SummaryTable table, const QString& csvPath,
    const AnalysisOptions& options);

/**
 * Writes a Psych-DS dataset into `folder`: dataset_description.json (a schema.org Dataset with
 * name, description and variableMeasured listing every column of every data file) and data/ with
 * files named by keywords, `study-<name>_table-<table>_data.csv`: the responses and model answers
 * (under the options' filter: simulated, practice and catch answers only when asked), the
 * predictions and the four summary tables. Returns the files written.
 */
Result<QStringList> exportPsychDs(
    const StudyDatabase& db, qint64 studyId, const QString& folder, const AnalysisOptions& options);

/// A Psych-DS keyword value made of the letters and digits of `text` ("Deepart 2-way" -> "Deepart2way").
QString psychDsValue(const QString& text);

} // namespace ntt
