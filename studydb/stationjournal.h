#pragma once

#include "result.h"
#include "studydatabase.h"

#include <QDateTime>
#include <QSet>
#include <QString>
#include <QStringList>

#include <memory>
#include <vector>

namespace ntt {

/**
 * A station's own journal of what its sessions wrote to a server study: a small SQLite file on the
 * station's disk (WAL, synchronous=FULL), committed before anything goes over the network, so an
 * answer given while the server or the network is down is durable at the station. Each entry has a
 * key made here (a UUID) that the server stores with it: delivering an entry twice (after a lost
 * reply, a crash or a restart) stores it once. Entries are delivered in the order they were
 * written (StationOutbox) and stay in the journal afterwards, marked delivered, as the station's
 * record. Used from one thread per object: the outbox's thread opens a journal of its own.
 */
class StationJournal final
{
public:
    /// Opens or creates the journal at `path` (its folder is created). Errors name the file.
    static Result<std::unique_ptr<StationJournal>> open(const QString& path);
    /// Where a station keeps its journal for a server study when none is named: one file per
    /// server address under the user's application data folder.
    static QString defaultPath(const QString& serverLocation);

    ~StationJournal();
    StationJournal(const StationJournal&) = delete;
    StationJournal& operator=(const StationJournal&) = delete;

    QString path() const { return m_path; }

    enum class Kind { Response, Event, State, Release };
    static QString kindName(Kind kind);

    /// One write waiting for (or done by) the server.
    struct Entry
    {
        qint64 seq = 0; ///< order of writing at this station
        QString key; ///< UUID made when the entry was written
        QString server;
        qint64 sessionId = 0;
        QString leaseToken;
        Kind kind = Kind::Response;
        Response response; ///< Kind::Response
        SessionEvent event; ///< Kind::Event
        SessionState state = SessionState::Open; ///< Kind::State
        QDateTime writtenUtc;
        int attempts = 0;
    };

    /// Appends an answer to session `sessionId` of `server`; returns once it is on the station's disk.
    Status appendResponse(const QString& server, qint64 sessionId, const QString& leaseToken, const Response& response);
    Status appendEvent(const QString& server, qint64 sessionId, const QString& leaseToken, const SessionEvent& event);
    /// The session finished or was aborted at `atUtc`.
    Status appendState(
        const QString& server, qint64 sessionId, const QString& leaseToken, SessionState state, const QDateTime& atUtc);
    /// The station gives the session's lease up (paused).
    Status appendRelease(const QString& server, qint64 sessionId, const QString& leaseToken);

    /// Sessions whose lease this station holds and renews (heartbeat) while it runs them.
    struct Lease
    {
        qint64 sessionId = 0;
        QString leaseToken;
    };
    Status holdLease(const QString& server, qint64 sessionId, const QString& leaseToken);
    Status dropLease(const QString& server, qint64 sessionId);
    Result<std::vector<Lease>> leases(const QString& server) const;

    /// Entries not yet delivered to `server`, oldest first, at most `limit`.
    Result<std::vector<Entry>> pending(const QString& server, int limit) const;
    Status markDelivered(qint64 seq);
    /// The server refused the entry for good (the session was taken over...): it is kept, with the
    /// reason, and not sent again.
    Status markRefused(qint64 seq, const QString& reason);
    /// A delivery failed for a reason that may pass (the server is down): tried again later.
    Status noteFailedAttempt(qint64 seq, const QString& reason);

    /// What is waiting at this station for `server`.
    struct Backlog
    {
        int pendingAnswers = 0;
        int pendingOther = 0; ///< events, ends of sessions, releases
        int refused = 0;
        QDateTime oldestPendingUtc;
        QString lastError; ///< why the last delivery failed, empty when it did not
        QStringList refusals; ///< "session 12, trial 4: <reason>" for refused entries, newest first (up to 10)
        int pending() const { return pendingAnswers + pendingOther; }
    };
    Result<Backlog> backlog(const QString& server) const;
    /// Refusals of entries of one session, newest first: what a running session must stop on.
    Result<QStringList> refusals(const QString& server, qint64 sessionId) const;
    /// Trials of the session answered at this station, delivered or not.
    Result<std::vector<Response>> answeredTrials(const QString& server, qint64 sessionId) const;

private:
    StationJournal(QString path, QString connectionName);
    Status append(const QString& server, qint64 sessionId, const QString& leaseToken, Kind kind,
        const QByteArray& payload, const QString& key);

    QString m_path;
    QString m_connectionName;
};

} // namespace ntt
