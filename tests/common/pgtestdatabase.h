#pragma once

// Databases on the throwaway PostgreSQL server of the tests (tests/pgserver.sh).

#include <QDebug>
#include <QFile>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QString>
#include <QUrl>

namespace ntt::testing {

/// The address (postgresql://USER@HOST:PORT) of the throwaway server tests/pgserver.sh started in
/// `dir` (CTest's "pgserver" fixture); empty, with the reason in `missing`, when there is none.
inline QString testServerBase(const QString& dir, QString& missing)
{
    QFile unavailable(dir + QStringLiteral("/unavailable"));
    QFile url(dir + QStringLiteral("/url"));
    if (unavailable.open(QIODevice::ReadOnly))
        missing = QString::fromUtf8(unavailable.readAll()).trimmed();
    else if (url.open(QIODevice::ReadOnly))
        return QString::fromUtf8(url.readAll()).trimmed();
    else
        missing = QStringLiteral("the test server was not started (run the whole suite with ctest)");
    return {};
}

/// A new, empty database `name` on the server at `serverBase` (postgresql://USER@HOST:PORT),
/// dropped first if it exists; its address, or empty (with a warning) on failure.
inline QString newServerDatabase(const QString& serverBase, const QString& name)
{
    const QUrl url(serverBase);
    bool created = false;
    {
        QSqlDatabase admin = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), QStringLiteral("admin"));
        admin.setHostName(url.host());
        admin.setPort(url.port());
        admin.setUserName(url.userName());
        admin.setDatabaseName(QStringLiteral("postgres"));
        if (admin.open()) {
            QSqlQuery q(admin);
            q.exec(QStringLiteral("DROP DATABASE IF EXISTS %1").arg(name));
            created = q.exec(QStringLiteral("CREATE DATABASE %1").arg(name));
            if (!created)
                qWarning() << q.lastError().text();
            admin.close();
        } else {
            qWarning() << admin.lastError().text();
        }
    }
    QSqlDatabase::removeDatabase(QStringLiteral("admin"));
    return created ? serverBase + QLatin1Char('/') + name : QString();
}

} // namespace ntt::testing
