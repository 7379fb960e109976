#pragma once

#include "cancel.h"
#include "result.h"

#include <QFutureWatcher>
#include <QObject>
#include <QPointer>
#include <QtConcurrent>

#include <functional>
#include <memory>

namespace ntt {

/**
 * Runs a synchronous, cancellable core call on a worker thread and hands its result back to the
 * GUI thread. Progress is throttled to one signal per percent. Failures arrive as the Result's
 * message: exceptions never cross the thread. The job cancels and waits when destroyed, so a
 * dialog that owns one can close at any time. Starting a job cancels the one running, whose
 * result is then dropped: `done` only ever sees the latest job's result.
 */
class BackgroundJob final : public QObject
{
    Q_OBJECT

public:
    explicit BackgroundJob(QObject* parent = nullptr)
        : QObject(parent)
    { }
    ~BackgroundJob() override { cancelAndWait(); }

    bool isRunning() const { return m_running; }
    void cancel()
    {
        if (m_cancel)
            m_cancel->cancel();
    }
    void cancelAndWait()
    {
        cancel();
        if (m_wait)
            m_wait();
    }

    /// Starts `work` on the thread pool; `done` runs on this object's thread with its result.
    template <typename T>
    void start(
        std::function<Result<T>(const CancelToken&, const ProgressFn&)> work, std::function<void(Result<T>)> done)
    {
        cancelAndWait();
        m_cancel = std::make_shared<CancelToken>();
        m_running = true;
        auto watcher = new QFutureWatcher<Result<T>>(this);
        m_current = watcher;
        QPointer<BackgroundJob> self(this);
        auto lastPercent = std::make_shared<std::atomic_int>(-1);
        ProgressFn progress = [self, lastPercent](qint64 doneUnits, qint64 total, const QString& what) {
            const int percent = total > 0 ? static_cast<int>(100 * doneUnits / total) : 0;
            if (lastPercent->exchange(percent) == percent)
                return;
            QMetaObject::invokeMethod(
                self.data(),
                [self, percent, what] {
                    if (self)
                        Q_EMIT self->progressed(percent, what);
                },
                Qt::QueuedConnection);
        };
        connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher, done] {
            watcher->deleteLater();
            if (watcher != m_current)
                return; // superseded by a later start(): stale
            m_current = nullptr;
            m_running = false;
            m_wait = nullptr;
            Result<T> result = watcher->result();
            done(std::move(result));
            Q_EMIT finished();
        });
        const auto token = m_cancel;
        watcher->setFuture(QtConcurrent::run([work, token, progress] { return work(*token, progress); }));
        m_wait = [watcher] { watcher->waitForFinished(); };
    }

Q_SIGNALS:
    void progressed(int percent, const QString& what);
    void finished();

private:
    std::shared_ptr<CancelToken> m_cancel;
    std::function<void()> m_wait;
    QObject* m_current = nullptr; ///< the watcher of the latest job
    bool m_running = false;
};

} // namespace ntt
