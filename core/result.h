#pragma once

#include <QString>

#include <optional>
#include <utility>

namespace ntt {

/// A failure the user can act on: the message names the file, row or value at fault.
struct Error
{
    QString message;
};

/// Outcome of an operation that can fail on user input: a value or an Error, never an exception.
template <typename T> class Result
{
public:
    Result(T value)
        : m_value(std::move(value))
    { }
    Result(Error error)
        : m_error(std::move(error.message))
    { }

    bool ok() const { return m_value.has_value(); }
    explicit operator bool() const { return ok(); }

    const T& value() const& { return *m_value; }
    T& value() & { return *m_value; }
    /// By value: `for (x : f().value())` then keeps the temporary's value alive for the loop.
    T value() && { return std::move(*m_value); }
    const T* operator->() const { return &*m_value; }
    T* operator->() { return &*m_value; }

    const QString& error() const { return m_error; }

private:
    std::optional<T> m_value;
    QString m_error;
};

/// Result of an operation that returns nothing but can fail.
class Status
{
public:
    Status() = default;
    Status(Error error)
        : m_error(std::move(error.message))
        , m_failed(true)
    { }

    bool ok() const { return !m_failed; }
    explicit operator bool() const { return ok(); }
    const QString& error() const { return m_error; }

private:
    QString m_error;
    bool m_failed = false;
};

} // namespace ntt
