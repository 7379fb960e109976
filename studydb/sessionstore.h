#pragma once

#include "result.h"
#include "storecontext.h"
#include "study/responseexport.h"
#include "study/trial.h"

#include <QDateTime>
#include <QSet>

#include <functional>
#include <optional>
#include <vector>

namespace ntt {

class PoolStore;

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

/**
 * Sessions, their trials, answers, events and leases, and the response rows exports read.
 * Part of StudyDatabase, which opens the connection all stores share; tested on SQLite and
 * PostgreSQL alike (tst_stores).
 */
class SessionStore
{
public:
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
    /// The stored answers of a session by trial index: trialIndex, answer, correct and exposureFrames
    /// only (what a resumed session's staircase needs).
    Result<std::vector<Response>> answeredResponses(qint64 sessionId) const;
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
    /// An event as stored, with its session.
    struct StoredEvent
    {
        qint64 sessionId = 0;
        SessionEvent event;
    };
    /// The events of one kind (e.g. marksEventKind()) of the study's sessions, in the order stored.
    Result<std::vector<StoredEvent>> sessionEvents(qint64 studyId, const QString& kind) const;
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
    /// Every trial of every session of the study (the trials people answered).
    Result<std::vector<Trial>> studyTrials(qint64 studyId) const;
    /// Every response of the study (all studies when studyId is 0), joined for the responses CSV,
    /// ordered by session and trial.
    Result<std::vector<ResponseRow>> responseRows(qint64 studyId) const;

protected:
    explicit SessionStore(StoreContext& context, const PoolStore& pool);
    ~SessionStore() = default;
    SessionStore(const SessionStore&) = delete;
    SessionStore& operator=(const SessionStore&) = delete;

private:
    QSqlDatabase database() const { return m_c.database(); }
    QString readOnlyError(const QString& what) const { return m_c.readOnlyError(what); }
    friend class ModelStore; // model answers share the response rows' shape
    std::optional<bool> isTrialOf(qint64 sessionId, qint64 trialId) const;
    enum class AnswerSource { People, Models };
    Result<std::vector<ResponseRow>> answerRows(qint64 studyId, AnswerSource source) const;
    const PoolStore& m_pool;
    StoreContext& m_c;
};

} // namespace ntt
