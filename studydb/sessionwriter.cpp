#include "sessionwriter.h"

#include "stationoutbox.h"

namespace ntt {

SessionWriter::SessionWriter(StudyDatabase& db, qint64 sessionId, QString leaseToken, StationOutbox* outbox)
    : m_db(db)
    , m_sessionId(sessionId)
    , m_leaseToken(std::move(leaseToken))
    , m_outbox(outbox)
{ }

Status SessionWriter::answer(const Response& response)
{
    if (!m_outbox)
        return m_db.recordResponse(m_sessionId, m_leaseToken, response);
    if (const Status s = m_outbox->journal().appendResponse(m_outbox->server(), m_sessionId, m_leaseToken, response);
        !s)
        return s;
    m_outbox->nudge();
    return {};
}

Status SessionWriter::event(int trialIndex, const QString& kind, const QString& detail)
{
    if (!m_outbox)
        return m_db.recordEvent(m_sessionId, trialIndex, kind, detail);
    const SessionEvent e { trialIndex, kind, detail, QDateTime::currentDateTimeUtc(), {} };
    if (const Status s = m_outbox->journal().appendEvent(m_outbox->server(), m_sessionId, m_leaseToken, e); !s)
        return s;
    m_outbox->nudge();
    return {};
}

Status SessionWriter::end(SessionState state)
{
    if (!m_outbox)
        return m_db.setSessionState(m_sessionId, state);
    StationJournal& journal = m_outbox->journal();
    if (const Status s
        = journal.appendState(m_outbox->server(), m_sessionId, m_leaseToken, state, QDateTime::currentDateTimeUtc());
        !s)
        return s;
    if (const Status s = journal.dropLease(m_outbox->server(), m_sessionId); !s)
        return s;
    m_outbox->nudge();
    return {};
}

Status SessionWriter::heartbeat()
{
    if (!m_outbox)
        return m_db.renewSessionLease(m_sessionId, m_leaseToken);
    StationJournal& journal = m_outbox->journal();
    const auto refused = journal.refusals(m_outbox->server(), m_sessionId);
    if (!refused)
        return Error { refused.error() };
    if (!refused->isEmpty())
        return Error { refused->front() };
    return journal.holdLease(m_outbox->server(), m_sessionId, m_leaseToken);
}

Status SessionWriter::release()
{
    if (!m_outbox)
        return m_db.releaseSessionLease(m_sessionId, m_leaseToken);
    StationJournal& journal = m_outbox->journal();
    if (const Status s = journal.appendRelease(m_outbox->server(), m_sessionId, m_leaseToken); !s)
        return s;
    if (const Status s = journal.dropLease(m_outbox->server(), m_sessionId); !s)
        return s;
    m_outbox->nudge();
    return {};
}

Result<std::vector<Response>> SessionWriter::journaledAnswers() const
{
    if (!m_outbox)
        return std::vector<Response>();
    return m_outbox->journal().answeredTrials(m_outbox->server(), m_sessionId);
}

} // namespace ntt
