#include "stationoutbox.h"

#include "studydatabase.h"

#include <QLoggingCategory>
#include <QThread>

#include <chrono>

Q_LOGGING_CATEGORY(lcOutbox, "ntt.outbox", QtInfoMsg)

namespace ntt {

namespace {

// Sends one journal entry; the server's own rules (keys, leases) make a second delivery harmless.
Status send(StudyDatabase& server, const StationJournal::Entry& e)
{
    switch (e.kind) {
    case StationJournal::Kind::Response:
        return server.recordResponse(e.sessionId, e.leaseToken, e.response, e.key);
    case StationJournal::Kind::Event:
        return server.recordEvent(e.sessionId, e.event);
    case StationJournal::Kind::State:
        return server.setSessionState(e.sessionId, e.state, e.event.atUtc, e.leaseToken);
    case StationJournal::Kind::Release:
        return server.releaseSessionLease(e.sessionId, e.leaseToken);
    }
    return {};
}

} // namespace

Result<int> StationOutbox::deliver(StationJournal& journal, StudyDatabase& server, int limit)
{
    const auto entries = journal.pending(server.path(), limit);
    if (!entries)
        return Error { entries.error() };
    int done = 0;
    for (const StationJournal::Entry& e : entries.value()) {
        const Status sent = send(server, e);
        if (sent) {
            if (const Status s = journal.markDelivered(e.seq); !s)
                return Error { s.error() };
            ++done;
            continue;
        }
        // A server that answers refused the entry for good; one that does not may come back.
        if (const Status alive = server.ping(); !alive) {
            journal.noteFailedAttempt(e.seq, alive.error());
            return Error { alive.error() };
        }
        qCWarning(lcOutbox) << "refused:" << sent.error();
        if (const Status s = journal.markRefused(e.seq, sent.error()); !s)
            return Error { s.error() };
        if (e.kind == StationJournal::Kind::Response || e.kind == StationJournal::Kind::State)
            journal.dropLease(server.path(), e.sessionId);
        ++done;
    }
    return done;
}

StationOutbox::StationOutbox(QString server, Options options)
    : m_server(std::move(server))
    , m_options(options)
{ }

Result<std::unique_ptr<StationOutbox>> StationOutbox::open(
    const QString& server, const QString& journalPath, Options options)
{
    const QString path = journalPath.isEmpty() ? StationJournal::defaultPath(server) : journalPath;
    auto journal = StationJournal::open(path);
    if (!journal)
        return Error { journal.error() };
    std::unique_ptr<StationOutbox> outbox(new StationOutbox(server, options));
    outbox->m_journal = std::move(journal).value();
    StationOutbox* self = outbox.get();
    outbox->m_thread = QThread::create([self, path] { self->run(path); });
    outbox->m_thread->setObjectName(QStringLiteral("ntt-outbox"));
    outbox->m_thread->start();
    return outbox;
}

StationOutbox::~StationOutbox()
{
    {
        std::lock_guard lock(m_mutex);
        m_stop = true;
    }
    m_wake.notify_all();
    if (m_thread) {
        m_thread->wait();
        delete m_thread;
    }
}

void StationOutbox::nudge()
{
    {
        std::lock_guard lock(m_mutex);
        m_nudged = true;
    }
    m_wake.notify_all();
}

StationOutbox::State StationOutbox::state() const
{
    std::lock_guard lock(m_mutex);
    return m_state;
}

bool StationOutbox::waitUntilDelivered(int timeoutMs)
{
    std::unique_lock lock(m_mutex);
    // The backlog is read by the sender at the end of each pass: one begun after this call settles it.
    const quint64 target = m_passesBegun + 1;
    m_nudged = true;
    m_wake.notify_all();
    return m_changed.wait_for(lock, std::chrono::milliseconds(timeoutMs),
        [this, target] { return m_passesEnded >= target && m_state.connected && m_state.backlog.pending() == 0; });
}

void StationOutbox::run(const QString& journalPath)
{
    // Connections of this thread's own: Qt SQL connections belong to the thread that opened them.
    auto journal = StationJournal::open(journalPath);
    if (!journal) {
        std::lock_guard lock(m_mutex);
        m_state.connectionError = journal.error();
        m_changed.notify_all();
        return;
    }
    std::unique_ptr<StudyDatabase> server;
    auto lastHeartbeat = std::chrono::steady_clock::now() - std::chrono::hours(1);
    QString reported; // the connection error last logged, so an outage is logged once
    for (;;) {
        quint64 pass = 0;
        {
            std::lock_guard lock(m_mutex);
            if (m_stop)
                return;
            m_nudged = false;
            pass = ++m_passesBegun;
        }
        QString connectionError;
        if (!server) {
            auto opened = StudyDatabase::open(m_server, StudyDatabase::OpenMode::ExistingOnly);
            if (opened)
                server = std::move(opened).value();
            else
                connectionError = opened.error();
        } else if (const Status s = server->reconnectIfLost(); !s) {
            connectionError = s.error();
        }
        QDateTime delivered;
        if (connectionError.isEmpty()) {
            for (;;) {
                const auto sent = deliver(*journal.value(), *server);
                if (!sent) {
                    connectionError = sent.error();
                    break;
                }
                if (sent.value() == 0)
                    break;
                delivered = QDateTime::currentDateTimeUtc();
            }
        }
        const auto now = std::chrono::steady_clock::now();
        if (connectionError.isEmpty() && now - lastHeartbeat >= std::chrono::seconds(m_options.heartbeatSeconds)) {
            lastHeartbeat = now;
            if (const auto held = journal.value()->leases(m_server); held) {
                for (const StationJournal::Lease& lease : held.value()) {
                    if (const Status s = server->renewSessionLease(lease.sessionId, lease.leaseToken); !s) {
                        if (!server->ping())
                            break;
                        qCWarning(lcOutbox) << "lease lost:" << s.error();
                        journal.value()->dropLease(m_server, lease.sessionId);
                    }
                }
            }
        }
        const auto backlog = journal.value()->backlog(m_server);
        {
            std::lock_guard lock(m_mutex);
            m_state.connected = connectionError.isEmpty();
            m_state.connectionError = connectionError;
            if (backlog)
                m_state.backlog = backlog.value();
            if (delivered.isValid())
                m_state.lastDeliveryUtc = delivered;
            m_passesEnded = pass;
        }
        m_changed.notify_all();
        if (connectionError != reported) {
            if (connectionError.isEmpty())
                qCInfo(lcOutbox) << "the study server answers again; the station's journal is being delivered";
            else
                qCWarning(lcOutbox) << "the study server cannot be reached; answers are kept at the station:"
                                    << connectionError;
            reported = connectionError;
        }
        std::unique_lock lock(m_mutex);
        m_wake.wait_for(lock,
            std::chrono::milliseconds(connectionError.isEmpty() ? m_options.idleMs : m_options.retryMs),
            [this] { return m_stop || m_nudged; });
    }
}

} // namespace ntt
