#pragma once

#include <QObject>
#include <QString>

#include <condition_variable>
#include <mutex>

class QThread;

namespace ntt {

/**
 * Watches a study for what stations write (StudyDatabase::activityMark) every `intervalMs`, on a
 * thread of its own with a connection of its own, so that a slow or lost server never holds up
 * the thread that shows the study (connecting to an unreachable host can take the 10 s
 * connection timeout). Reconnects after an outage. The signals are emitted on the watcher's
 * thread: connected to objects of another thread, they arrive queued.
 */
class ActivityWatcher final : public QObject
{
    Q_OBJECT

public:
    ActivityWatcher(QString location, int intervalMs, QObject* parent = nullptr);
    ~ActivityWatcher() override; ///< stops the thread

    /// While paused (a participant sits at this station) nothing is read and nothing emitted.
    void setPaused(bool paused);

Q_SIGNALS:
    /// What stations have written changed since the last look (not emitted for the first look).
    void changed();
    /// The study cannot be read (the server or the network is down); once per outage.
    void unreachable(const QString& reason);
    /// The study can be read again after an outage.
    void reachable();

private:
    void run();

    QString m_location;
    int m_intervalMs;
    QThread* m_thread = nullptr;
    std::mutex m_mutex;
    std::condition_variable m_wake;
    bool m_stop = false;
    bool m_paused = false;
};

} // namespace ntt
