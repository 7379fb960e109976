#include "activitywatcher.h"

#include "studydatabase.h"

#include <QThread>

#include <chrono>
#include <memory>

namespace ntt {

ActivityWatcher::ActivityWatcher(QString location, int intervalMs, QObject* parent)
    : QObject(parent)
    , m_location(std::move(location))
    , m_intervalMs(intervalMs)
{
    m_thread = QThread::create([this] { run(); });
    m_thread->setObjectName(QStringLiteral("ntt-watch"));
    m_thread->start();
}

ActivityWatcher::~ActivityWatcher()
{
    {
        std::lock_guard lock(m_mutex);
        m_stop = true;
    }
    m_wake.notify_all();
    m_thread->wait();
    delete m_thread;
}

void ActivityWatcher::setPaused(bool paused)
{
    std::lock_guard lock(m_mutex);
    m_paused = paused;
}

void ActivityWatcher::run()
{
    std::unique_ptr<StudyDatabase> db;
    QString lastMark;
    bool down = false;
    for (;;) {
        {
            std::unique_lock lock(m_mutex);
            m_wake.wait_for(lock, std::chrono::milliseconds(m_intervalMs), [this] { return m_stop; });
            if (m_stop)
                return;
            if (m_paused)
                continue;
        }
        QString failure;
        if (!db) {
            auto opened = StudyDatabase::open(m_location, StudyDatabase::OpenMode::ExistingOnly);
            if (opened)
                db = std::move(opened).value();
            else
                failure = opened.error();
        }
        std::optional<QString> mark;
        if (db) {
            auto read = db->activityMark();
            if (!read) {
                // The server restarted or the network came back: one new connection, one more try.
                if (const Status again = db->reconnectIfLost(); again)
                    read = db->activityMark();
            }
            if (read)
                mark = read.value();
            else
                failure = read.error();
        }
        if (!mark) {
            if (!down)
                Q_EMIT unreachable(failure);
            down = true;
            continue;
        }
        if (down)
            Q_EMIT reachable();
        down = false;
        if (!lastMark.isEmpty() && *mark != lastMark)
            Q_EMIT changed();
        lastMark = *mark;
    }
}

} // namespace ntt
