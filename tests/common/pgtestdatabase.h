#pragma once

// Databases on the throwaway PostgreSQL server of the tests (tests/pgserver.sh).

#include <QDebug>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QString>
#include <QUrl>

namespace ntt::testing {

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
