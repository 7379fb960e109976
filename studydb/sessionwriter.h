#pragma once

#include "result.h"
#include "studydatabase.h"

#include <QSet>
#include <QString>

#include <functional>
#include <memory>

namespace ntt {

class StationJournal;
class StationOutbox;

/**
 * Where a running session writes its answers, events and end: straight into the study (a study
 * file: one durable commit per answer) or, for a server study, into the station's journal first
 * (StationOutbox), from which the sender delivers them, so a session goes on while the server is
 * unreachable. The participant window and scripted participants write through it and need not
 * know which.
 *
 * Two modes. Immediate: each call writes on the caller's thread and returns once the write is on
 * disk (scripted participants, the command line). Background (the participant window): each call
 * queues the write and returns at once; a thread of the writer's own, with a connection of its own
 * to the study (or the journal), commits the queue in order, so the disk's flush is not between an
 * answer and the next frame. The caller learns of each finished write through the callback and
 * waits for the queue with flush() before it accepts the next answer: no answer is accepted
 * before the one before it is on disk. After a failed write the queue stops: nothing later is
 * written, and every later call returns that first failure.
 */
class SessionWriter final
{
public:
    enum class Mode { Immediate, Background };

    /// Writes to `db` directly, or through `outbox` when given (a server study).
    SessionWriter(StudyDatabase& db, qint64 sessionId, QString leaseToken, StationOutbox* outbox = nullptr,
        Mode mode = Mode::Immediate);
    /// Background mode: waits until everything queued is written, then stops the thread.
    ~SessionWriter();
    SessionWriter(const SessionWriter&) = delete;
    SessionWriter& operator=(const SessionWriter&) = delete;

    bool journaled() const { return m_outbox != nullptr; }
    qint64 sessionId() const { return m_sessionId; }
    Mode mode() const { return m_mode; }

    /// Commits one answer durably (to the study file, or to the station's journal); when it
    /// returns ok (Immediate), or its callback reports ok (Background), the answer survives a crash
    /// or power cut of this station.
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

    /// Background mode: blocks until every queued write is on disk; returns the first failure (with
    /// the error of the write that failed). Immediate mode: returns ok at once.
    Status flush();
    /**
     * Background mode: called on the writer's thread after each answer is written (ok) or was not
     * (the reason), with the answer's trial index. Set it before the first write.
     */
    using AnswerWritten = std::function<void(int trialIndex, const Status& status)>;
    void setAnswerWritten(AnswerWritten callback) { m_answerWritten = std::move(callback); }
    /// Background mode: called on the writer's thread when any write failed (the reason). Set it
    /// before the first write.
    using WriteFailed = std::function<void(const QString& error)>;
    void setWriteFailed(WriteFailed callback) { m_writeFailed = std::move(callback); }

private:
    /// The objects a write goes to, on the thread that writes.
    struct Target
    {
        StudyDatabase* db = nullptr;
        StationJournal* journal = nullptr;
    };
    using Write = std::function<Status(const Target&)>;
    /// Immediate: runs `write` now; Background: queues it (or returns the failure that stopped the queue).
    Status submit(Write write, int answeredTrial = -1);

    StudyDatabase& m_db;
    qint64 m_sessionId;
    QString m_leaseToken;
    StationOutbox* m_outbox;
    Mode m_mode;
    AnswerWritten m_answerWritten;
    WriteFailed m_writeFailed;
    class Queue;
    std::unique_ptr<Queue> m_queue;
};

} // namespace ntt
