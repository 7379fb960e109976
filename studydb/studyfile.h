#pragma once

#include "cancel.h"
#include "demo.h"
#include "poolimport.h"
#include "result.h"
#include "sessionflow.h"
#include "shortcutaudit.h"
#include "studydatabase.h"

#include <QString>
#include <QStringList>

#include <cstdint>
#include <memory>

namespace ntt {

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

/// Folder of a study file's normalised stimuli: "<file>.stimuli" beside the file.
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
};

/// Starts the next participant's session: generates the trial list of participant k (k = the next
/// index) and stores it with the session before anything is shown.
Result<SessionPlan> startSession(
    StudyDatabase& db, qint64 studyId, const QString& participantCode, const QString& station, bool simulated);

/// Loads an interrupted session for resuming at its first unanswered trial.
Result<SessionPlan> loadSession(StudyDatabase& db, qint64 sessionId);

/// Writes the responses CSV of one study (all studies when studyId is 0) to `csvPath` atomically.
Result<int> exportResponses(const StudyDatabase& db, qint64 studyId, const QString& csvPath);

/// How a scripted participant answers: used for pilots, demos and tests; its sessions are flagged simulated.
struct ScriptedParticipant
{
    double accuracy = 0.7; ///< probability of answering correctly
    std::uint64_t seed = 1;
    double meanRtMs = 1500.0;
    int stopAfter = -1; ///< answer at most this many trials, then leave the session open (-1 = all)
    int delayMs = 0; ///< wall-clock pause after each committed answer
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
 * window uses: each answer is committed before the next trial. `onCommitted` is called after each
 * commit with the trial index.
 */
Result<ScriptedRun> runScriptedParticipant(StudyDatabase& db, SessionPlan& plan, const ScriptedParticipant& script,
    const std::function<void(int trialIndex)>& onCommitted = {});

/// Where the demo study lives under `folder`, and the result of creating it.
struct DemoStudy
{
    QString databasePath;
    qint64 studyId = 0;
    bool created = false; ///< false when it already existed
};

/// The label the demo's study file carries (metadata key "label"), shown wherever it appears.
QString demoLabel();

/// Creates the synthetic demo (pool files, study file, ready study) in `folder` unless it is there.
Result<DemoStudy> ensureDemoStudy(const QString& folder, const CancelToken& cancel, const ProgressFn& progress);

} // namespace ntt
