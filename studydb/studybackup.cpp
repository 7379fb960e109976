#include "studybackup.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QThread>

#include <sqlite3.h>

namespace ntt {
namespace {

// Closes a connection however the function leaves.
struct Connection
{
    sqlite3* handle = nullptr;
    ~Connection() { sqlite3_close(handle); }
    QString error() const { return QString::fromUtf8(sqlite3_errmsg(handle)); }
};

} // namespace

Status backupStudyFile(const QString& source, const QString& destination)
{
    if (!QFileInfo(source).isFile())
        return Error { QStringLiteral("%1: no such study file").arg(source) };
    if (QFileInfo::exists(destination))
        return Error { QStringLiteral("%1 already exists; give the copy a new name").arg(destination) };
    const QFileInfo target(destination);
    if (!target.absoluteDir().exists())
        return Error { QStringLiteral("%1: folder %2 does not exist").arg(destination, target.absolutePath()) };
    const QString partial = destination + QStringLiteral(".partial");
    QFile::remove(partial);

    Connection from;
    if (sqlite3_open_v2(QFile::encodeName(source).constData(), &from.handle, SQLITE_OPEN_READONLY, nullptr)
        != SQLITE_OK)
        return Error { QStringLiteral("%1: cannot be opened to copy (%2)").arg(source, from.error()) };
    sqlite3_busy_timeout(from.handle, 5000);
    Connection to;
    if (sqlite3_open_v2(
            QFile::encodeName(partial).constData(), &to.handle, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr)
        != SQLITE_OK)
        return Error { QStringLiteral("%1: cannot be written (%2)").arg(partial, to.error()) };

    sqlite3_backup* backup = sqlite3_backup_init(to.handle, "main", from.handle, "main");
    if (!backup)
        return Error { QStringLiteral("%1: the copy cannot start (%2)").arg(source, to.error()) };
    // All pages in one step: a writer committing meanwhile waits for the read lock's end, and the
    // copy is of one moment. Busy or locked (a checkpoint running) is waited out.
    int rc = SQLITE_OK;
    for (int attempt = 0; attempt < 100; ++attempt) {
        rc = sqlite3_backup_step(backup, -1);
        if (rc != SQLITE_BUSY && rc != SQLITE_LOCKED)
            break;
        QThread::msleep(50);
    }
    sqlite3_backup_finish(backup);
    if (rc != SQLITE_DONE) {
        QFile::remove(partial);
        return Error {
            QStringLiteral("%1: the copy did not complete (%2)").arg(source, QString::fromUtf8(sqlite3_errstr(rc)))
        };
    }
    sqlite3_stmt* check = nullptr;
    QString verdict;
    if (sqlite3_prepare_v2(to.handle, "PRAGMA integrity_check", -1, &check, nullptr) == SQLITE_OK
        && sqlite3_step(check) == SQLITE_ROW)
        verdict = QString::fromUtf8(reinterpret_cast<const char*>(sqlite3_column_text(check, 0)));
    sqlite3_finalize(check);
    sqlite3_close(to.handle);
    to.handle = nullptr;
    if (verdict != QLatin1String("ok")) {
        QFile::remove(partial);
        return Error { QStringLiteral("%1: the copy failed its integrity check (%2)").arg(destination, verdict) };
    }
    if (!QFile::rename(partial, destination)) {
        QFile::remove(partial);
        return Error { QStringLiteral("%1: the finished copy cannot be renamed to this name").arg(destination) };
    }
    return {};
}

} // namespace ntt
