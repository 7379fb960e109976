#pragma once

#include "result.h"
#include "stationjournal.h"

#include <QDateTime>
#include <QString>
#include <QStringList>

#include <condition_variable>
#include <memory>
#include <mutex>

class QThread;

namespace ntt {

class StudyDatabase;

/// How often StationOutbox's sender looks, retries and renews leases.
struct OutboxOptions
{
    int idleMs = 250; ///< how often the sender looks for new entries when not nudged (ms)
    int retryMs = 1000; ///< wait between attempts to reach an unreachable server (ms)
    int heartbeatSeconds = kSessionLeaseHeartbeatSeconds;
};

/**
 * A station's outbox for a server study: its journal (StationJournal, for the writes made on the
 * caller's thread) and a sender thread with connections of its own that delivers the journal's
 * entries to the server in order, renews the leases of the sessions the station runs (every
 * kSessionLeaseHeartbeatSeconds), and connects again after the server or the network went away,
 * trying every `retryMs`. Sessions go on while the server is unreachable; the sender catches up
 * when it returns. An entry the server refuses for good (the session was taken over) is kept in
 * the journal with the reason and not sent again.
 */
class StationOutbox final
{
public:
    using Options = OutboxOptions;

    /// Opens the journal (`journalPath`; StationJournal::defaultPath() when empty) for `server` (a
    /// server address, as StudyDatabase::open takes it) and starts the sender.
    static Result<std::unique_ptr<StationOutbox>> open(
        const QString& server, const QString& journalPath = {}, Options options = Options());
    ~StationOutbox(); ///< stops the sender; what it had not delivered stays in the journal
    StationOutbox(const StationOutbox&) = delete;
    StationOutbox& operator=(const StationOutbox&) = delete;

    QString server() const { return m_server; }
    /// The journal, for writes on the thread that opened the outbox.
    StationJournal& journal() { return *m_journal; }
    /// Tells the sender that an entry was written (it then sends at once rather than at its next look).
    void nudge();

    /// What the sender last saw: the station's backlog and whether the server answered.
    struct State
    {
        bool connected = false;
        StationJournal::Backlog backlog;
        QString connectionError; ///< why the server cannot be reached, empty when it can
        QDateTime lastDeliveryUtc;
    };
    State state() const;
    /// Waits until nothing is pending (true) or `timeoutMs` passed (false).
    bool waitUntilDelivered(int timeoutMs);

    /**
     * One pass: delivers up to `limit` pending entries of `journal` to `server`, oldest first, and
     * returns how many were delivered or refused. Stops at the first failure that is not a refusal
     * (the server does not answer: ping() fails) and returns it as the error; the entries stay
     * pending. What the sender thread runs, and `ntt station sync`.
     */
    static Result<int> deliver(StationJournal& journal, StudyDatabase& server, int limit = 200);

private:
    StationOutbox(QString server, Options options);
    void run(const QString& journalPath);

    QString m_server;
    Options m_options;
    std::unique_ptr<StationJournal> m_journal;
    QThread* m_thread = nullptr;
    mutable std::mutex m_mutex;
    std::condition_variable m_wake;
    std::condition_variable m_changed;
    bool m_stop = false;
    bool m_nudged = false;
    quint64 m_passesBegun = 0;
    quint64 m_passesEnded = 0;
    State m_state;
};

} // namespace ntt
