#pragma once

// Private to the parts of StudyDatabase (studydatabase*.cpp): the query and transaction wrappers and
// the row readers they share. Nothing outside studydb includes it.

#include "attention/gradcam.h"
#include "studydatabase.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QLoggingCategory>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QStandardPaths>
#include <QVariant>

#include <optional>

Q_DECLARE_LOGGING_CATEGORY(lcStudyDb)

namespace ntt::dbdetail {

/// The formulas' version and the Smooth Grad-CAM++ settings, as part of a cache key. Version 2:
/// pytorch-grad-cam's and TorchCAM's constants and steps, layer outputs captured before in-place
/// changes; maps cached by earlier versions are never returned.
inline QString camNoiseKey(const CamOptions& o)
{
    const QString version = QStringLiteral("formulas=2");
    if (o.method != CamMethod::SmoothGradCamPlusPlus)
        return version;
    return QStringLiteral("%1;n=%2;sigma=%3;seed=%4")
        .arg(version)
        .arg(o.noiseSamples)
        .arg(o.noiseSigma, 0, 'g', 10)
        .arg(o.noiseSeed);
}

inline QString nowUtc()
{
    return QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs);
}
inline QDateTime parseUtc(const QVariant& v)
{
    if (v.isNull() || v.toString().isEmpty())
        return {};
    QDateTime t = QDateTime::fromString(v.toString(), Qt::ISODateWithMs);
    t.setTimeSpec(Qt::UTC);
    return t;
}

/// Where this computer keeps what it holds for one server study: "<application data>/<kind>/<name>",
/// `name` made of the first 16 hex digits of the SHA-256 of the server address (one folder or file
/// per server, whatever characters its address has). The stations' journals and fetched images use it.
inline QString stationDataPath(
    const QString& serverLocation, const QString& kind, const QString& pattern = QStringLiteral("%1"))
{
    const QString digest = QString::fromLatin1(
        QCryptographicHash::hash(serverLocation.toUtf8(), QCryptographicHash::Sha256).toHex().left(16));
    return QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation) + QLatin1Char('/') + kind
        + QLatin1Char('/') + pattern.arg(digest);
}

/// "<store>: <what> is not possible: the study file is open read-only ...": every write to a
/// read-only study says this, whether refused up front or by SQLite.
inline QString readOnlyMessage(const QString& path, const QString& what)
{
    return QStringLiteral("%1: %2 is not possible: the study file is open read-only (the file or its folder cannot be "
                          "written, e.g. read-only media); copy it to a writable folder to change it")
        .arg(path, what);
}

// Runs a prepared or plain query; the error names the file and what was being done.
class Sql
{
public:
    Sql(QSqlDatabase db, QString path)
        : m_query(db)
        , m_path(std::move(path))
    { }

    Sql& prepare(const QString& statement)
    {
        if (!m_query.prepare(statement))
            m_error = m_query.lastError().text();
        return *this;
    }
    Sql& bind(const QVariant& value)
    {
        // A null QString would be stored as SQL NULL; an empty text column is what is meant.
        if (value.typeId() == QMetaType::QString && value.toString().isNull())
            m_query.addBindValue(QVariant(QStringLiteral("")));
        else
            m_query.addBindValue(value);
        return *this;
    }
    Status exec(const QString& what)
    {
        if (m_error.isEmpty() && !m_query.exec())
            m_error = m_query.lastError().text();
        if (m_error.contains(QLatin1String("readonly database")))
            return Error { readOnlyMessage(m_path, what) };
        if (!m_error.isEmpty())
            return Error { QStringLiteral("%1: %2 failed: %3").arg(m_path, what, m_error) };
        return {};
    }
    Status exec(const QString& statement, const QString& what)
    {
        if (!m_query.exec(statement))
            return Error { QStringLiteral("%1: %2 failed: %3").arg(m_path, what, m_query.lastError().text()) };
        return {};
    }
    /// The id an INSERT ... RETURNING id gave back (none when ON CONFLICT skipped the row). Finishes
    /// the statement: an unfinished one would keep the transaction from committing.
    std::optional<qint64> returnedId()
    {
        std::optional<qint64> id;
        if (m_query.next())
            id = m_query.value(0).toLongLong();
        m_query.finish();
        return id;
    }
    QSqlQuery& query() { return m_query; }
    bool next() { return m_query.next(); }
    QVariant value(int i) const { return m_query.value(i); }

private:
    QSqlQuery m_query;
    QString m_path;
    QString m_error;
};

// Commits on success, rolls back when it leaves scope uncommitted: a failed write leaves nothing.
class Transaction
{
public:
    /// Deferred (SQLite's BEGIN): takes the write lock at the first write.
    explicit Transaction(QSqlDatabase db)
        : m_db(db)
        , m_active(m_db.transaction())
    { }
    enum Mode { Deferred, Writing };
    /// Writing: on SQLite, BEGIN IMMEDIATE takes the write lock at once, so a transaction that reads
    /// and then writes (the next participant index) cannot interleave with another process's; a
    /// busy lock waits (busy_timeout) instead of failing mid-way as a deferred one upgrading would.
    /// Stations that keep one shared file busy (or a slow disk) can hold the lock past one
    /// busy_timeout (5 s): the write lock is asked for up to kWriteLockAttempts times before a
    /// writing transaction gives up, so a station waits rather than loses its turn.
    static constexpr int kWriteLockAttempts = 6;
    Transaction(QSqlDatabase db, Mode mode)
        : m_db(db)
        , m_active(false)
    {
        if (mode == Writing && m_db.driverName() == QLatin1String("QSQLITE")) {
            for (int attempt = 0; attempt < kWriteLockAttempts && !m_active; ++attempt) {
                QSqlQuery begin(m_db);
                m_active = begin.exec(QStringLiteral("BEGIN IMMEDIATE"));
            }
        } else {
            m_active = m_db.transaction();
        }
    }
    ~Transaction()
    {
        if (m_active)
            m_db.rollback();
    }
    bool started() const { return m_active; }
    bool commit()
    {
        const bool ok = m_db.commit();
        m_active = !ok;
        return ok;
    }

private:
    QSqlDatabase m_db;
    bool m_active;
};

inline SessionState sessionStateFromName(const QString& name)
{
    if (name == QLatin1String("finished"))
        return SessionState::Finished;
    if (name == QLatin1String("aborted"))
        return SessionState::Aborted;
    return SessionState::Open;
}

inline PoolImage imageFromQuery(const QSqlQuery& q, int first)
{
    PoolImage image;
    image.id = q.value(first + 0).toLongLong();
    image.sha256 = q.value(first + 1).toString();
    image.path = q.value(first + 2).toString();
    image.relativePath = q.value(first + 3).toString();
    image.source = q.value(first + 4).toString();
    image.category = q.value(first + 5).toString();
    image.pairKey = q.value(first + 6).toString();
    image.split = splitFromName(q.value(first + 7).toString());
    image.fileSize = q.value(first + 8).toLongLong();
    image.width = q.value(first + 9).toInt();
    image.height = q.value(first + 10).toInt();
    image.format = q.value(first + 11).toString();
    image.jpegQuality = q.value(first + 12).toInt();
    image.hasExif = q.value(first + 13).toInt() != 0;
    image.orientation = q.value(first + 14).toInt();
    image.alpha = q.value(first + 15).toString();
    return image;
}

/// The columns imageFromQuery() reads, and how many there are: queries that select more after them
/// count from kImageColumnCount.
inline constexpr int kImageColumnCount = 16;
inline const QString kImageColumns = QStringLiteral(
    "i.id, i.sha256, i.path, i.relative_path, i.source, i.category, i.pair_key, i.split, i.file_size, i.width, "
    "i.height, i.format, i.jpeg_quality, i.has_exif, i.orientation, i.alpha");

} // namespace ntt::dbdetail
