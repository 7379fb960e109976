#include "sessionwriter.h"

#include "stationoutbox.h"

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

namespace ntt {

/// Background mode's thread: commits the queued writes in order over connections of its own.
class SessionWriter::Queue
{
public:
    Queue(SessionWriter& writer)
        : m_writer(writer)
        , m_thread([this] { run(); })
    { }

    ~Queue()
    {
        {
            std::lock_guard lock(m_mutex);
            m_stopping = true;
        }
        m_wake.notify_all();
        m_thread.join();
    }

    Status push(Write write, int answeredTrial)
    {
        std::lock_guard lock(m_mutex);
        if (!m_failure)
            return m_failure;
        m_pending.push_back({ std::move(write), answeredTrial });
        m_wake.notify_all();
        return {};
    }

    Status flush()
    {
        std::unique_lock lock(m_mutex);
        m_idle.wait(lock, [this] { return (m_pending.empty() && !m_writing) || !m_failure; });
        return m_failure;
    }

private:
    struct Pending
    {
        Write write;
        int answeredTrial = -1;
    };

    void run()
    {
        // The connection belongs to this thread: open it here, and close it here.
        std::unique_ptr<StudyDatabase> db;
        std::unique_ptr<StationJournal> journal;
        Status opened;
        if (m_writer.m_outbox) {
            auto j = StationJournal::open(m_writer.m_outbox->journal().path());
            if (j)
                journal = std::move(j.value());
            else
                opened = Error { j.error() };
        } else {
            auto d = StudyDatabase::open(m_writer.m_db.path(), StudyDatabase::OpenMode::ExistingOnly);
            if (d)
                db = std::move(d.value());
            else
                opened = Error { d.error() };
        }
        const Target target { db.get(), journal.get() };
        std::unique_lock lock(m_mutex);
        for (;;) {
            m_wake.wait(lock, [this] { return m_stopping || !m_pending.empty(); });
            if (m_pending.empty())
                break; // stopping, and everything queued is written
            Pending next = std::move(m_pending.front());
            m_pending.pop_front();
            if (!m_failure)
                continue; // after a failure nothing later is written
            m_writing = true;
            lock.unlock();
            const Status s = opened
                ? next.write(target)
                : Status(Error { QStringLiteral("the session's answers cannot be written: %1").arg(opened.error()) });
            if (next.answeredTrial >= 0 && m_writer.m_answerWritten)
                m_writer.m_answerWritten(next.answeredTrial, s);
            if (!s && m_writer.m_writeFailed)
                m_writer.m_writeFailed(s.error());
            lock.lock();
            m_writing = false;
            if (!s)
                m_failure = s;
            m_idle.notify_all();
        }
        m_idle.notify_all();
    }

    SessionWriter& m_writer;
    std::mutex m_mutex;
    std::condition_variable m_wake;
    std::condition_variable m_idle;
    std::deque<Pending> m_pending;
    bool m_writing = false;
    bool m_stopping = false;
    Status m_failure;
    std::thread m_thread; // last: started once the members above exist
};

SessionWriter::SessionWriter(StudyDatabase& db, qint64 sessionId, QString leaseToken, StationOutbox* outbox, Mode mode)
    : m_db(db)
    , m_sessionId(sessionId)
    , m_leaseToken(std::move(leaseToken))
    , m_outbox(outbox)
    , m_mode(mode)
{
    if (m_mode == Mode::Background)
        m_queue = std::make_unique<Queue>(*this);
}

SessionWriter::~SessionWriter() = default;

Status SessionWriter::submit(Write write, int answeredTrial)
{
    if (m_queue)
        return m_queue->push(std::move(write), answeredTrial);
    return write(Target { &m_db, m_outbox ? &m_outbox->journal() : nullptr });
}

Status SessionWriter::flush()
{
    return m_queue ? m_queue->flush() : Status();
}

Status SessionWriter::answer(const Response& response)
{
    return submit(
        [this, response](const Target& t) -> Status {
            if (!t.journal)
                return t.db->recordResponse(m_sessionId, m_leaseToken, response);
            if (const Status s = t.journal->appendResponse(m_outbox->server(), m_sessionId, m_leaseToken, response); !s)
                return s;
            m_outbox->nudge();
            return {};
        },
        response.trialIndex);
}

Status SessionWriter::event(int trialIndex, const QString& kind, const QString& detail)
{
    // Stamped when it happened, not when the queue reached it.
    const QDateTime at = QDateTime::currentDateTimeUtc();
    return submit([this, trialIndex, kind, detail, at](const Target& t) -> Status {
        if (!t.journal)
            return t.db->recordEvent(m_sessionId, trialIndex, kind, detail);
        const SessionEvent e { trialIndex, kind, detail, at, {} };
        if (const Status s = t.journal->appendEvent(m_outbox->server(), m_sessionId, m_leaseToken, e); !s)
            return s;
        m_outbox->nudge();
        return {};
    });
}

Status SessionWriter::end(SessionState state)
{
    const QDateTime at = QDateTime::currentDateTimeUtc();
    return submit([this, state, at](const Target& t) -> Status {
        if (!t.journal)
            return t.db->setSessionState(m_sessionId, state);
        if (const Status s = t.journal->appendState(m_outbox->server(), m_sessionId, m_leaseToken, state, at); !s)
            return s;
        if (const Status s = t.journal->dropLease(m_outbox->server(), m_sessionId); !s)
            return s;
        m_outbox->nudge();
        return {};
    });
}

Status SessionWriter::heartbeat()
{
    return submit([this](const Target& t) -> Status {
        if (!t.journal)
            return t.db->renewSessionLease(m_sessionId, m_leaseToken);
        const auto refused = t.journal->refusals(m_outbox->server(), m_sessionId);
        if (!refused)
            return Error { refused.error() };
        if (!refused->isEmpty())
            return Error { refused->front() };
        return t.journal->holdLease(m_outbox->server(), m_sessionId, m_leaseToken);
    });
}

Status SessionWriter::release()
{
    return submit([this](const Target& t) -> Status {
        if (!t.journal)
            return t.db->releaseSessionLease(m_sessionId, m_leaseToken);
        if (const Status s = t.journal->appendRelease(m_outbox->server(), m_sessionId, m_leaseToken); !s)
            return s;
        if (const Status s = t.journal->dropLease(m_outbox->server(), m_sessionId); !s)
            return s;
        m_outbox->nudge();
        return {};
    });
}

Result<std::vector<Response>> SessionWriter::journaledAnswers() const
{
    if (!m_outbox)
        return std::vector<Response>();
    return m_outbox->journal().answeredTrials(m_outbox->server(), m_sessionId);
}

} // namespace ntt
