#pragma once

#include "result.h"
#include "studydatabase.h"

#include <QSet>
#include <QString>

namespace ntt {

class StationOutbox;

/**
 * Where a running session writes its answers, events and end: straight into the study (a study
 * file: one durable commit per answer) or, for a server study, into the station's journal first
 * (StationOutbox), from which the sender delivers them, so a session goes on while the server is
 * unreachable. The participant window and scripted participants write through it and need not
 * know which.
 */
class SessionWriter final
{
public:
    /// Writes to `db` directly, or through `outbox` when given (a server study).
    SessionWriter(StudyDatabase& db, qint64 sessionId, QString leaseToken, StationOutbox* outbox = nullptr);

    bool journaled() const { return m_outbox != nullptr; }
    qint64 sessionId() const { return m_sessionId; }

    /// Commits one answer durably (to the study file, or to the station's journal); when it
    /// returns ok the answer survives a crash or power cut of this station.
    Status answer(const Response& response);
    Status event(int trialIndex, const QString& kind, const QString& detail = {});
    /// The session finished or was aborted.
    Status end(SessionState state);
    /**
     * Says the station still runs the session. Directly: renews the lease (fails, naming the
     * station, when it was taken over). Journaled: the sender renews it; this fails when the
     * server refused an answer or the lease of this session (it was taken over meanwhile).
     */
    Status heartbeat();
    /// Gives the lease up (the session is paused and may be resumed at any station).
    Status release();
    /// Trials of this session answered at this station but perhaps not yet on the server.
    Result<std::vector<Response>> journaledAnswers() const;

private:
    StudyDatabase& m_db;
    qint64 m_sessionId;
    QString m_leaseToken;
    StationOutbox* m_outbox;
};

} // namespace ntt
