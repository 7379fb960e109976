#pragma once

#include "attention/gradcam.h"
#include "models/classifier.h"
#include "models/modelrun.h"
#include "pool/poolimport.h"
#include "result.h"
#include "sqldialect.h"
#include "study/responseexport.h"
#include "study/stimulus.h"
#include "study/study.h"
#include "study/trial.h"

#include <QDateTime>
#include <QHash>
#include <QSet>
#include <QString>

#include <functional>
#include <memory>
#include <optional>
#include <vector>

class QSqlDatabase;
class QSqlQuery;

namespace ntt {

/// A study as stored: its definition and the pool's real source when it was created.
struct StoredStudy
{
    qint64 id = 0;
    StudyDefinition definition;
    QString realSource;
    QDateTime createdUtc;
};

/// Life cycle of a session.
enum class SessionState { Open, Finished, Aborted };
QString sessionStateName(SessionState state);

/// One participant's run through a study at one station.
struct SessionInfo
{
    qint64 id = 0;
    qint64 studyId = 0;
    int participantIndex = 0; ///< k in "the trial list of participant k"
    QString participantCode;
    QString station;
    bool simulated = false;
    SessionState state = SessionState::Open;
    QDateTime startedUtc;
    QDateTime endedUtc;
    int trialCount = 0;
    int answeredCount = 0;
    /// The station running the session now (its lease), empty when none does.
    QString leaseStation;
    QDateTime leaseSinceUtc;
    QDateTime leaseHeartbeatUtc; ///< when that station last said it is still running it
};

/// Something that happened in a session (focus lost, paused, resumed, finished...), as logged.
struct SessionEvent
{
    int trialIndex = -1; ///< the trial on screen, -1 for none
    QString kind;
    QString detail;
    QDateTime atUtc; ///< when it happened at the station; invalid = now
    QString key; ///< made at the station (a UUID): a second delivery of the same event is ignored
};

/// A station that has not renewed its lease for this long is taken to have died (seconds).
inline constexpr int kSessionLeaseStaleSeconds = 60;
/// How often a running session renews its lease (seconds).
inline constexpr int kSessionLeaseHeartbeatSeconds = 15;

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

/// What storing an import changed.
struct StoredImport
{
    int added = 0;
    int alreadyPresent = 0; ///< same SHA-256 already in the pool: left as it was
    /// Of those, the ones imported under another source than the pool has them: one message each.
    QStringList labelConflicts;
};

/**
 * One study file (SQLite: WAL, foreign keys on, synchronous commits). The connection belongs to the
 * thread that opened the file. Every write is a transaction: a failure leaves the file as it was.
 * A file written by a newer schema is refused without being changed.
 */
class StudyDatabase final
{
public:
    /// ReadOnly: for analysis and export only; also chosen by itself for a file that cannot be
    /// written (read-only media, a folder without write permission).
    enum class OpenMode { CreateIfMissing, ExistingOnly, ReadOnly };

    /**
     * Opens (or creates) a study: a file path, or a PostgreSQL server's address
     * "postgresql://USER@HOST[:PORT]/DATABASE" (a database the user may create tables in; the
     * password comes from PGPASSWORD or the ~/.pgpass file, never from the address). Creates or
     * migrates the schema; refuses, unchanged, a study of a newer version.
     */
    static Result<std::unique_ptr<StudyDatabase>> open(const QString& path, OpenMode mode = OpenMode::CreateIfMissing);
    /// Whether `location` is a server address rather than a file path.
    static bool isServerLocation(const QString& location);

    /**
     * Copies everything this study store holds (pool, studies, sessions, answers, models, maps, tags)
     * into `target`, which must hold nothing yet (a new server database): ids are kept, so every
     * export reads the same from both. One transaction on the target: all or nothing. Used by
     * `ntt study publish` to move a study file to a server.
     */
    Status copyInto(StudyDatabase& target) const;
    static int currentSchemaVersion();

    ~StudyDatabase();
    StudyDatabase(const StudyDatabase&) = delete;
    StudyDatabase& operator=(const StudyDatabase&) = delete;

    QString path() const { return m_path; }
    int schemaVersion() const { return m_schemaVersion; }
    /// Opened read-only: every write fails with a sentence saying so.
    bool isReadOnly() const { return m_readOnly; }

    /// A free-form value of the file's metadata (e.g. "label" for the synthetic demo); empty if unset.
    Result<QString> metaValue(const QString& key) const;
    Status setMetaValue(const QString& key, const QString& value);

    // Pool
    /// Stores the images of a scan and a log entry of the import, all or nothing; images whose
    /// SHA-256 is already stored are left unchanged, so importing the same folder twice changes nothing.
    Result<StoredImport> storeImport(const ImportReport& report, const QString& location);
    Result<std::vector<PoolImage>> poolImages() const;
    /// The real source named by the imports so far; empty when nothing was imported.
    Result<QString> realSource() const;
    /// Images imported again under another source than the pool keeps, one message each, oldest first.
    Result<QStringList> labelConflicts() const;

    // Studies
    /// Stores a study with the pool images it is designed on (`imageIds`) and their normalised copies.
    Result<qint64> addStudy(const StudyDefinition& definition, const QString& realSource,
        const std::vector<qint64>& imageIds, const std::vector<NormalisedStimulus>& stimuli);
    /// The pool images a study was designed on; images imported later are not part of it.
    Result<std::vector<PoolImage>> studyImages(qint64 studyId) const;
    Result<std::vector<StoredStudy>> studies() const;
    Result<StoredStudy> study(qint64 id) const;
    Result<StoredStudy> studyByName(const QString& name) const;
    /// The file each pool image is shown from in this study: its normalised copy, or the original.
    Result<QHash<qint64, QString>> stimulusPaths(qint64 studyId) const;
    /// The file each pool image is shown from in this study, with that file's SHA-256. For a server
    /// study, a file this station fetched into stimulusCacheFolder() is shown from there.
    struct StimulusFile
    {
        QString path;
        QString sha256;
    };
    Result<QHash<qint64, StimulusFile>> stimulusFiles(qint64 studyId) const;
    /// Content-addressed image files for stations (server studies): the bytes of a file the study
    /// shows, keyed by their SHA-256 (hex, lower case), with the file name's suffix (".jpg").
    /// Storing a hash stored already changes nothing.
    Status storeStimulusFile(const QString& sha256, const QString& suffix, const QByteArray& bytes);
    /// The hashes stored by storeStimulusFile().
    Result<QSet<QString>> storedStimulusFiles() const;
    /// The stored bytes of one file; fails naming the hash when it is not stored.
    Result<QByteArray> stimulusFileBytes(const QString& sha256) const;
    /// Where this computer keeps the image files of a server study that it fetched
    /// (`ntt station prepare`): "<application data>/stimuli/<server digest>"; empty for a study file.
    QString stimulusCacheFolder() const;
    /// The file name of a fetched file in stimulusCacheFolder(): "<sha256><suffix>".
    static QString cachedFileName(const QString& sha256, const QString& path);
    /// Records a rebuilt normalised copy of pool image `imageId` for this study.
    Status replaceStimulus(qint64 studyId, qint64 imageId, const QString& path, const QString& sha256);
    /// A file whose bytes were hashed, with the size (bytes) and modification time (ms since the
    /// epoch, UTC) it had then.
    struct VerifiedFile
    {
        QString sha256;
        qint64 size = -1;
        qint64 modifiedMs = -1;
    };
    /// What was recorded when `path` was last verified; a VerifiedFile with size -1 when never.
    Result<VerifiedFile> verifiedFile(const QString& path) const;
    Status recordVerifiedFile(const QString& path, const VerifiedFile& file);
    /// Sets the classifier split of pool images (image id -> split), all or nothing.
    Status setImageSplits(const QMap<qint64, Split>& splits);

    // Sessions
    /// Makes the trial list of the participant with this index (participant k's list is a function of k).
    using TrialListMaker = std::function<Result<std::vector<Trial>>(int participantIndex)>;
    struct CreatedSession
    {
        SessionInfo session;
        std::vector<Trial> trials; ///< with their stored ids
        QString leaseToken; ///< the creating station holds the session's lease
    };
    /**
     * Stores a new session under the study's next participant index with the trial list `makeTrials`
     * makes for that index, all or nothing. The index is handed out inside one writing transaction,
     * so stations starting sessions at the same moment get distinct indices and none fails. Fails
     * with a sentence naming a participant code already used in the study.
     */
    /// `sessionKey` (a UUID made at the station) makes a retry safe: when a session with that key
    /// is stored already (the reply to the first attempt was lost), it is returned as it is.
    Result<CreatedSession> createSession(qint64 studyId, const QString& participantCode, const QString& station,
        bool simulated, const TrialListMaker& makeTrials, const QString& sessionKey = {});
    Result<SessionInfo> session(qint64 sessionId) const;
    Result<std::vector<SessionInfo>> sessions(qint64 studyId) const;
    Result<std::vector<Trial>> sessionTrials(qint64 sessionId) const;
    Result<QSet<int>> answeredTrialIndices(qint64 sessionId) const;
    /**
     * Stores an answer, and renews the lease, in one durable commit. Only the holder of the
     * session's lease (`leaseToken`) can answer: a station whose session was taken over is told by
     * whom and when. A trial answered already, or of another session, is refused with a sentence
     * saying so (the first answer stands). `responseKey` (a UUID made at the station) makes a
     * retry safe: an answer with that key stored already counts as delivered.
     */
    Status recordResponse(
        qint64 sessionId, const QString& leaseToken, const Response& response, const QString& responseKey = {});
    /**
     * Takes the lease of an open session for `station` and returns its token. Granted when no
     * station holds it, when `station` itself does (it restarted after a crash), or, with
     * `takeOver`, when the holder has not renewed it for `staleAfterSeconds`. Otherwise fails
     * naming the station that holds it, since when and when it was last heard from.
     */
    Result<QString> acquireSessionLease(
        qint64 sessionId, const QString& station, bool takeOver, int staleAfterSeconds = kSessionLeaseStaleSeconds);
    /// Renews the lease (heartbeat); fails, naming the new holder, when it was taken over.
    Status renewSessionLease(qint64 sessionId, const QString& leaseToken);
    /// Gives the lease up (a paused session can then be resumed at any station).
    Status releaseSessionLease(qint64 sessionId, const QString& leaseToken);
    /// Logs a session event (focus lost, resumed, aborted...) as it happens.
    Status recordEvent(qint64 sessionId, int trialIndex, const QString& kind, const QString& detail = {});
    /// Logs an event with the station's own time and key (an event with a stored key is ignored).
    Status recordEvent(qint64 sessionId, const SessionEvent& event);
    /**
     * A cheap mark of what stations have written (answers, sessions and their states): it differs
     * from an earlier one when any station answered or started, paused or ended a session since.
     * What a window watching other stations polls.
     */
    Result<QString> activityMark() const;
    /// Finished and aborted sessions give up their lease. `atUtc`: when it ended at the station
    /// (invalid = now). With a `leaseToken`, only the station holding the lease can end the session
    /// (a session already in `state` counts as done: a retried delivery).
    Status setSessionState(
        qint64 sessionId, SessionState state, const QDateTime& atUtc = {}, const QString& leaseToken = {});
    /// Whether the study store answers (a server that went away does not); the error says why.
    Status ping() const;
    /// For a server study whose connection was lost (the server restarted, the network went away):
    /// connects again when ping() fails. Does nothing while the connection works.
    Status reconnectIfLost();

    // Models
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
    /// P(real) per pool image id as the study showed it (normalised copy or original), for one model.
    Result<QHash<qint64, float>> pRealByImage(qint64 studyId, const QString& modelSha256) const;

    /// The stored P(real) of one model for one image file; nullopt when not predicted (or no P(real)).
    Result<std::optional<float>> predictedPReal(const QString& modelSha256, const QString& imageSha256) const;

    // Tags and notes on images, for browsing the errors and in the exports.
    Status addImageTag(qint64 imageId, const QString& tag);
    Status removeImageTag(qint64 imageId, const QString& tag);
    /// An empty note deletes it.
    Status setImageNote(qint64 imageId, const QString& note);
    Result<QHash<qint64, QStringList>> imageTags() const;
    Result<QHash<qint64, QString>> imageNotes() const;

    // Class-activation maps, cached by what made them: the model file's hash, the image file's
    // hash, the method, layer and target, and the noise settings. A changed model or image has
    // another hash, so its old maps are never returned; pruneCamMaps() drops them.
    struct CamKey
    {
        QString modelSha256;
        QString imageSha256;
        CamOptions options;
    };
    /// The cached map, or nullopt when there is none.
    Result<std::optional<CamMap>> camMap(const CamKey& key) const;
    Status storeCamMap(const CamKey& key, const CamMap& map);
    /// Deletes maps of model files no registered model has any more and of images no longer in
    /// the pool or among a study's stimuli; returns how many.
    Result<int> pruneCamMaps();
    Result<int> camMapCount() const;
    /// Every trial of every session of the study (the trials people answered).
    Result<std::vector<Trial>> studyTrials(qint64 studyId) const;
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

    // Export

    /// Every response of the study (all studies when studyId is 0), joined for the responses CSV,
    /// ordered by session and trial.
    Result<std::vector<ResponseRow>> responseRows(qint64 studyId) const;

private:
    /// "<file>: <what> is not possible: the study file is open read-only ...".
    QString readOnlyError(const QString& what) const;
    std::optional<bool> isTrialOf(qint64 sessionId, qint64 trialId) const;
    enum class AnswerSource { People, Models };
    Result<std::vector<ResponseRow>> answerRows(qint64 studyId, AnswerSource source) const;
    StudyDatabase(QString path, QString connectionName, SqlDialect::Kind kind);
    static Result<std::unique_ptr<StudyDatabase>> openServer(const QString& location);
    Status migrate();
    QSqlDatabase database() const;
    Result<int> readSchemaVersion() const;

    QString m_path;
    QString m_connectionName;
    std::unique_ptr<SqlDialect> m_dialect;
    int m_schemaVersion = 0;
    bool m_readOnly = false;
};

} // namespace ntt
