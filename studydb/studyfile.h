#pragma once

#include "analysis/attentiongroups.h"
#include "analysis/contamination.h"
#include "analysis/imageresults.h"
#include "analysis/summarytables.h"
#include "attention/camrun.h"
#include "attention/peoplemap.h"
#include "cancel.h"
#include "demo/demo.h"
#include "frequencyfilter.h"
#include "models/splitmaker.h"
#include "models/training.h"
#include "pool/poolimport.h"
#include "pool/shortcutaudit.h"
#include "result.h"
#include "stimuluscheck.h"
#include "study/sessionflow.h"
#include "studydatabase.h"

#include <QMap>
#include <QString>
#include <QStringList>

#include <cstdint>
#include <memory>

namespace ntt {

class StationOutbox;

// The arrows of the data flow (files -> pool -> study -> sessions -> exports), each one function
// that the command line and the GUI both call.

/// The stored pool with its real source, as studies and audits use it.
struct PoolSnapshot
{
    std::vector<PoolImage> images;
    QString realSource;
};

/// Reads the pool and its real source from the study file.
Result<PoolSnapshot> loadPool(const StudyDatabase& db);

/// The shortcut audit of everything stored in the pool.
Result<ShortcutAudit> auditStoredPool(const StudyDatabase& db);

/// An import as scanned and as stored, with the audit of the whole pool after it.
struct ImportOutcome
{
    ImportReport report;
    StoredImport stored;
    ShortcutAudit audit;
};

/// Scans `options.location` and stores the images in `db` in one transaction.
Result<ImportOutcome> importPool(
    StudyDatabase& db, const ImportOptions& options, const CancelToken& cancel, const ProgressFn& progress);

/// A study as created, with the design-time warnings (repeats because the pool is small...).
struct CreatedStudy
{
    StoredStudy study;
    QStringList warnings;
};

/// Folder of a study's normalised stimuli: "<file>.stimuli" beside a study file; for a server
/// study, "made" in this computer's StudyDatabase::stimulusCacheFolder().
QString stimulusFolder(const StudyDatabase& db);

/**
 * Checks the definition against the pool (a trial list must be possible), normalises the stimuli
 * when the definition asks for it, and stores the study.
 */
Result<CreatedStudy> createStudy(
    StudyDatabase& db, const StudyDefinition& definition, const CancelToken& cancel, const ProgressFn& progress);

/// Finds a study by name, or by numeric id given as text; with an empty selector, the only study.
Result<StoredStudy> findStudy(const StudyDatabase& db, const QString& selector);

/// A session ready to run: its stored record, the study, the trial list and what was answered.
struct SessionPlan
{
    SessionInfo session;
    StoredStudy study;
    std::vector<Trial> trials;
    QSet<int> answered;
    QStringList warnings;
    QString leaseToken; ///< this station's lease on the session: needed to store answers
    /// The answers given so far (a resumed session), trialIndex, answer, correct and exposureFrames
    /// only: a staircase goes on from them.
    std::vector<Response> answers;
};

/// Starts the next participant's session: generates the trial list of participant k (k = the next
/// index) and stores it with the session before anything is shown. A retry with the same
/// `sessionKey` (a UUID made by the caller) after a lost connection returns the stored session.
Result<SessionPlan> startSession(StudyDatabase& db, qint64 studyId, const QString& participantCode,
    const QString& station, bool simulated, const QString& sessionKey = {});

/**
 * Loads an interrupted session for resuming at its first unanswered trial, taking its lease for
 * `station` (StudyDatabase::acquireSessionLease: refused, naming the station, while another station
 * runs it; `takeOver` takes a lease whose station has not been heard from for a minute). With the
 * station's `outbox` (a server study), answers in its journal not yet delivered count as answered.
 */
Result<SessionPlan> loadSession(StudyDatabase& db, qint64 sessionId, const QString& station, bool takeOver = false,
    StationOutbox* outbox = nullptr);

/// Writes the responses CSV of one study (all studies when studyId is 0) to `csvPath` atomically.
Result<int> exportResponses(const StudyDatabase& db, qint64 studyId, const QString& csvPath);

/// How a scripted participant answers: used for pilots, demos and tests; its sessions are flagged simulated.
struct ScriptedParticipant
{
    double accuracy = 0.7; ///< probability of answering correctly
    /// Accuracy on trials testing these generators (the mean over a trial's generators); overrides `accuracy`.
    QMap<QString, double> accuracyBySource;
    /// Accuracy on trials of these categories; overrides the two above.
    QMap<QString, double> accuracyByCategory;
    /// Probability of an attention lapse: a uniformly random answer, whatever the accuracy.
    double lapseRate = 0.0;
    std::uint64_t seed = 1;
    double meanRtMs = 1500.0; ///< the median response time when rtSigma > 0
    /// > 0: response times log-normal with median meanRtMs and this sigma (natural-log units, e.g. 0.4);
    /// 0: uniform between 0.5 and 1.5 times meanRtMs.
    double rtSigma = 0.0;
    int stopAfter = -1; ///< answer at most this many trials, then leave the session open (-1 = all)
    int delayMs = 0; ///< wall-clock pause after each committed answer
    /// When the study asks for confidence: the rating comes from an internal evidence value, normal
    /// with mean `metacognition` after a right answer and 0 after a wrong one (SD 1), cut at 0, 0.7
    /// and 1.4 into levels 1..4; 0 makes confidence unrelated to being right.
    double metacognition = 1.0;
    /// When the study asks for marks: 1..points marks per marked trial, on the generated images of
    /// the row (the image itself in real-or-fake), where each differs most from the real image of
    /// its pair (pair key; smoothed absolute difference, sampled in proportion to its square), or
    /// anywhere on it when it has no real pair; a reason drawn from the study's list.
    bool marks = true;
    /// Brief exposure: the exposure (ms) at which accuracy above chance is half of what it is with
    /// unlimited time; accuracy(t) = chance + (accuracy - chance) (1 - 2^-(t / this)^2), a Weibull
    /// psychometric function. Exposures count at a nominal 60 Hz.
    double exposureHalfMs = 60.0;
};

/// What a scripted run did.
struct ScriptedRun
{
    qint64 sessionId = 0;
    int answered = 0;
    bool finished = false;
};

/**
 * Runs a scripted participant through `plan` with the same SessionFlow and storage the participant
 * window uses (SessionWriter): each answer is committed before the next trial, to the study or,
 * with an `outbox` (a server study), to the station's journal. `onCommitted` is called after each
 * commit with the trial index.
 */
Result<ScriptedRun> runScriptedParticipant(StudyDatabase& db, SessionPlan& plan, const ScriptedParticipant& script,
    const std::function<void(int trialIndex)>& onCommitted = {}, StationOutbox* outbox = nullptr);

/// Loads a model file (TorchScript with its sidecar, or a built-in detector) to check it, and
/// registers it under `name` (default: the sidecar's name). Returns the stored model and load warnings.
struct AddedModel
{
    StoredModel model;
    QStringList warnings;
};
/// `training` is the JSON record of how a built-in detector was trained (empty for user models).
Result<AddedModel> addModel(StudyDatabase& db, const QString& path, const QString& name, const QString& training = {});

/// How a model run goes.
struct ModelRunOptions
{
    int batchSize = 16;
    double threshold = 0.5; ///< real-or-fake: P(real) >= threshold answers "real"
    DevicePreference device = DevicePreference::Auto;
    int threads = 0; ///< 0 = defaultTorchThreads()
};

/// What a model run did.
struct ModelRunOutcome
{
    StimulusCheck stimuli; ///< the check of the study's files before the run (copies rebuilt)
    qint64 runId = 0;
    int predicted = 0;
    int skipped = 0; ///< already predicted by this model (same model and image hashes)
    int failed = 0;
    QStringList errors; ///< one line per failed image, naming the file
    int answers = 0; ///< trials the model answered
    RuntimeInfo runtime;
};

/// Which pool images a model runs on without a study: empty lists take all.
struct PoolSelection
{
    QStringList sources;
    QStringList categories;
    QStringList splits; ///< "train", "validation", "test" or "none"
    bool contains(const PoolImage& image) const;
    /// "sources a, b; splits test", or "the whole pool".
    QString describe() const;
};

/**
 * Runs a registered model over pool images (`ntt model run --pool`), evaluating it on a set of
 * images with no study and no people: the original files, each checked against its SHA-256 as it
 * is read. Predictions are stored like a study's (keyed by model and image hashes, so a study
 * showing the same files reuses them); images this model predicted already are skipped. Fails
 * naming the selection when no image matches it.
 */
Result<ModelRunOutcome> runModelOnPool(StudyDatabase& db, qint64 modelId, const PoolSelection& selection,
    const ModelRunOptions& options, const CancelToken& cancel, const ProgressFn& progress);

/// A model's accuracy on filtered copies of pool images (one filter of a frequency analysis).
struct FrequencyAccuracy
{
    FrequencyFilter filter; ///< Kind::None: the images as they are
    Proportion accuracy; ///< images judged right, with the Wilson interval (95 %)
    QMap<QString, Proportion> bySource; ///< the same per source
};

/**
 * You et al.'s frequency analysis for a registered model: the pool images of `selection` (each read
 * once and checked against its SHA-256) as they are, then low-, high- and band-pass filtered at
 * `cutoffs` (frequencySweep, cycles per image of the file as stored), each judged by the model.
 * "Right" is the model's own question: P(real) on the right side of `options.threshold` for a
 * detector, the most probable class mapped to the image's source (source classes whose classes
 * cover every source judged; others are judged as detectors) or category (category classes).
 * Nothing is stored. Fails naming the selection when it has no images, and
 * the file that cannot be read.
 */
Result<std::vector<FrequencyAccuracy>> evaluateOnFrequencies(StudyDatabase& db, qint64 modelId,
    const PoolSelection& selection, const std::vector<double>& cutoffs, const ModelRunOptions& options,
    const CancelToken& cancel, const ProgressFn& progress);

/// A detector's verdict on one image of a folder judged for contamination.
struct FolderImageVerdict
{
    QString path;
    float pReal = -1.0f;
    QString error; ///< the file could not be judged (naming it); empty when fine
};

/// How many images of a folder of supposedly real ones are generated (ntt model contamination).
struct ContaminationReport
{
    QString model;
    QString folder;
    double threshold = 0.5;
    DetectorErrorRates rates; ///< measured on the pool images of `rateSelection` the model predicted
    QString rateSelection; ///< which pool images, in words
    ContaminationEstimate estimate;
    std::vector<FolderImageVerdict> images; ///< most likely generated first (lowest P(real)); failures last
};

/**
 * Runs a registered detector over every image file under `folder` (recursively; hidden files and
 * operating-system litter skipped; nothing is stored) and estimates the share of generated images
 * with Rogan and Gladen's correction for the detector's error rates, which are measured on the
 * pool images of `rateSelection` that it has predicted (`ntt model run --pool --split test` first).
 * Fails naming the folder when it has no image files, or the model when it says no P(real) or has
 * no predictions on labelled real and generated pool images of the selection.
 */
Result<ContaminationReport> estimateFolderContamination(StudyDatabase& db, qint64 modelId, const QString& folder,
    const PoolSelection& rateSelection, const ModelRunOptions& options, const CancelToken& cancel,
    const ProgressFn& progress);

/**
 * Runs a registered model over the images the study shows (its normalised copies when it has them),
 * storing each batch as it finishes, then derives and stores the model's answer to every trial of
 * the study. Idempotent and resumable: images this model already predicted are skipped.
 */
Result<ModelRunOutcome> runModelOnStudy(StudyDatabase& db, qint64 studyId, qint64 modelId,
    const ModelRunOptions& options, const CancelToken& cancel, const ProgressFn& progress,
    const std::atomic_bool* paused = nullptr);

/// Loads a registered model's file, refusing one whose file changed since it was added.
Result<std::unique_ptr<Classifier>> loadRegisteredModel(
    const StudyDatabase& db, qint64 modelId, DevicePreference device = DevicePreference::Auto, int threads = 0);

/// The layers a registered model offers for class-activation maps, and its default one.
struct ModelCamLayers
{
    std::vector<CamLayer> layers;
    QString defaultLayer;
    ModelSpec spec; ///< for the class names a target can take
};
Result<ModelCamLayers> modelCamLayers(const StudyDatabase& db, qint64 modelId);

/// Class-activation maps of pool images through a registered model.
struct StudyCamRequest
{
    qint64 modelId = 0;
    qint64 studyId = 0; ///< > 0: the images as that study showed them (normalised copies); 0: the originals
    std::vector<qint64> imageIds; ///< pool image ids
    CamOptions options;
    int batchSize = 8;
    DevicePreference device = DevicePreference::Auto;
    int threads = 0;
};

struct StudyCam
{
    qint64 imageId = 0;
    QString sha256; ///< of the file the model saw
    bool cached = false; ///< read from the study file rather than computed
    QString warning; ///< e.g. the file changed since import
    CamImageResult result;
};

/**
 * Maps for the requested images, from the study file's cache where present (keyed by model and image
 * file hashes, method, layer, target and noise settings), computed in batches and stored otherwise.
 * Runs on the calling thread (a worker thread). An image that fails is reported in its result.
 */
Result<std::vector<StudyCam>> computeStudyCams(
    StudyDatabase& db, const StudyCamRequest& request, const CancelToken& cancel, const ProgressFn& progress);

/**
 * People's marks against each registered model's class-activation map (`options`: method, layer,
 * target; the model's default layer when empty), per marked image of the study, on the files as
 * shown (shownImageAgreement). Maps come from the study file's cache or are computed and stored
 * (computeStudyCams); a model that makes no maps is left out. `filter` chooses whose marks count.
 * After each model's image-level rows come its row-level rows: for every row of pick trials with
 * marks, each marked image of the row against the marks made on that row's trials only.
 * Runs on the calling thread (a worker thread).
 */
Result<std::vector<ImageAttentionAgreement>> attentionAgreement(StudyDatabase& db, qint64 studyId,
    const AnswerFilter& filter, const CamOptions& options, const CancelToken& cancel, const ProgressFn& progress);

/// One row per image and model: image_id, image, source, category, model, layer, marks,
/// participants, kernel_sigma_px, correlation, share_in_model_top20, pointing_hit (1, 0), error,
/// row (the pick-trial row's image ids, "12+40", for row-level rows; empty for the image's marks).
Table attentionAgreementTable(const std::vector<ImageAttentionAgreement>& rows);
/// summariseAttention() as a table: model, grouping, group, images, mean_correlation,
/// correlations, marks, marks_in_top20, share_in_top20 with Wilson bounds, pointing_images,
/// pointing_hits, pointing_share with Wilson bounds.
Table attentionGroupsTable(const std::vector<AttentionGroup>& groups);

/**
 * Gives every model that already answered the study its answers to the trials added since (new
 * sessions), from its stored predictions, with the threshold of its last run. Returns how many
 * answers were stored. Images a model has not predicted yet stay unanswered until it runs again.
 */
Result<int> answerNewTrials(StudyDatabase& db, qint64 studyId);

/// Training a built-in detector on the pool's train and validation splits.
struct DetectorTraining
{
    TrainingOptions options;
    QString name; ///< the model's name in the study file
    SplitRatios ratios; ///< used when the pool has no splits yet
    std::uint64_t splitSeed = 1;
    /// A K-way detector over sources (which made it?) instead of real vs generated: over
    /// `classes`, or every source of the pool (real first) when that is empty.
    bool bySource = false;
    /// A K-way classifier over categories (what does it show?): over `classes`, or every category.
    bool byCategory = false;
    QStringList classes; ///< the sources or categories it tells apart; images of others are left out
    /// A binary detector trained on these sources only (the real source among them; empty = all):
    /// one generator's images against real ones, for the cross-generator matrix.
    QStringList trainSources;
    /// Not 0: train on this study's stimuli (its normalised copies: one size, format and quality, so
    /// the file cues the shortcut audit flags are gone, as they are for people) instead of the
    /// originals; only the images the study shows take part.
    qint64 studyId = 0;
};

/// Makes splits if the pool has none, trains, saves the model beside the study file
/// ("<file>.models/<name>.pt") and registers it.
Result<AddedModel> trainDetectorOnPool(
    StudyDatabase& db, const DetectorTraining& training, const CancelToken& cancel, const TrainingProgressFn& progress);

/// One cell of the cross-generator matrix: a detector trained on real images and one generator's,
/// judged on the test images of one source.
struct CrossGeneratorCell
{
    QString trainedOn; ///< the generator it was trained on
    QString testedOn; ///< the source of the test images (the real source or a generator)
    Proportion accuracy; ///< test images of that source called right (Wilson 95 %)
};

/// The GenImage protocol's table: for each generator, a detector trained on it and real images.
struct CrossGeneratorMatrix
{
    QStringList generators; ///< rows (trained on), in name order
    QStringList sources; ///< columns (tested on): the real source first, then the generators
    std::vector<CrossGeneratorCell> cells;
    QStringList models; ///< the detectors trained (registered, one per generator)
    const CrossGeneratorCell* find(const QString& trainedOn, const QString& testedOn) const;
};

/**
 * Trains one binary detector per generator of the pool, on that generator's and the real source's
 * train images (`training` gives the options; each model is named "<training.name> on <generator>",
 * and an existing model of that name is reused), runs each on the pool's test split and tabulates
 * how each calls every source's test images at the threshold: the cross-generator matrix of the
 * GenImage benchmark. Fails when the pool has fewer than two generators or no test split.
 * `progress` hears which detector trains (once an epoch) and the runs; `trainingProgress`, when
 * given, every batch and epoch of each detector's training (a new detector starts at epoch 1,
 * batch 1).
 */
Result<CrossGeneratorMatrix> crossGeneratorMatrix(StudyDatabase& db, const DetectorTraining& training, double threshold,
    const CancelToken& cancel, const ProgressFn& progress, const TrainingProgressFn& trainingProgress = {});

/// Accuracy of a model on the pool's test split and on the study's trials.
struct ModelSummary
{
    QString model;
    int testImages = 0;
    double testAccuracy = -1.0; ///< -1 when no test image was predicted
    int trials = 0;
    double trialAccuracy = -1.0;
};
Result<std::vector<ModelSummary>> summariseModels(const StudyDatabase& db, qint64 studyId);

/// Writes the predictions CSV (one row per model and image) of the study's images.
Result<int> exportPredictions(const StudyDatabase& db, qint64 studyId, const QString& csvPath);
/**
 * A model evaluated on every pool image it predicted (`ntt model run --pool`), one row per source
 * (P(real) models: share called right at `threshold`, Wilson 95 % interval) or per category
 * (category-classes models: top-1 and top-5, Wilson 95 % intervals, whether any class maps to the
 * category). Written to `csvPath` atomically; returns the rows written.
 */
Result<int> exportPoolEvaluation(const StudyDatabase& db, qint64 modelId, double threshold, const QString& csvPath);
/// Writes the model-answers CSV: the responses CSV's columns, agent = model name, no response time.
Result<int> exportModelAnswers(const StudyDatabase& db, qint64 studyId, const QString& csvPath);

/// Where the demo study lives under `folder`, and the result of creating it.
struct DemoStudy
{
    QString databasePath;
    qint64 studyId = 0;
    bool created = false; ///< false when it already existed
};

/// The label the demo's study file carries (metadata key "label"), shown wherever it appears.
QString demoLabel();

/// Creates, in `folder`, what of the synthetic demo is not there yet: the pool files, the study file
/// and its ready study, three simulated (scripted) participants, and the baseline detector trained
/// on the demo pool and run on the study.
Result<DemoStudy> ensureDemoStudy(const QString& folder, const CancelToken& cancel, const ProgressFn& progress);

} // namespace ntt
