#pragma once

#include <QString>

#include <atomic>
#include <functional>

namespace ntt {

/// Cooperative cancellation for long core operations; set from any thread, polled by the worker.
class CancelToken
{
public:
    void cancel() { m_cancelled.store(true, std::memory_order_relaxed); }
    bool isCancelled() const { return m_cancelled.load(std::memory_order_relaxed); }

private:
    std::atomic_bool m_cancelled { false };
};

/// Progress of a long operation: work units done out of total, and what is being done.
using ProgressFn = std::function<void(qint64 done, qint64 total, const QString& what)>;

} // namespace ntt
