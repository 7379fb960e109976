#include "stationjournal.h"

#include "studydatabase_p.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStandardPaths>
#include <QUuid>

namespace ntt {

using namespace dbdetail;

namespace {

QString isoOrEmpty(const QDateTime& t)
{
    return t.isValid() ? t.toUTC().toString(Qt::ISODateWithMs) : QString();
}

QByteArray responseToJson(const Response& r)
{
    QJsonObject o;
    o[QStringLiteral("trial_id")] = r.trialId;
    o[QStringLiteral("trial_index")] = r.trialIndex;
    o[QStringLiteral("answer")] = r.answer;
    o[QStringLiteral("correct")] = r.correct;
    if (r.confidence)
        o[QStringLiteral("confidence")] = *r.confidence;
    o[QStringLiteral("rt_ms")] = r.rtMs;
    o[QStringLiteral("onset_utc")] = isoOrEmpty(r.onsetUtc);
    o[QStringLiteral("response_utc")] = isoOrEmpty(r.responseUtc);
    o[QStringLiteral("rt_clock")] = r.rtClock;
    o[QStringLiteral("focus_losses")] = r.focusLosses;
    o[QStringLiteral("timed_out")] = r.timedOut;
    o[QStringLiteral("too_fast")] = r.tooFast;
    if (r.exposureFrames > 0) {
        o[QStringLiteral("exposure_frames")] = r.exposureFrames;
        o[QStringLiteral("frame_rate_hz")] = r.frameRateHz;
        o[QStringLiteral("exposure_ms")] = r.exposureMs;
        o[QStringLiteral("mask_ms")] = r.maskMs;
    }
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

Response responseFromJson(const QJsonObject& o)
{
    Response r;
    r.trialId = o.value(QStringLiteral("trial_id")).toInteger();
    r.trialIndex = o.value(QStringLiteral("trial_index")).toInt();
    r.answer = o.value(QStringLiteral("answer")).toInt(-1);
    r.correct = o.value(QStringLiteral("correct")).toBool();
    if (o.contains(QStringLiteral("confidence")))
        r.confidence = o.value(QStringLiteral("confidence")).toInt();
    r.rtMs = o.value(QStringLiteral("rt_ms")).toDouble();
    r.onsetUtc = parseUtc(o.value(QStringLiteral("onset_utc")).toString());
    r.responseUtc = parseUtc(o.value(QStringLiteral("response_utc")).toString());
    r.rtClock = o.value(QStringLiteral("rt_clock")).toString();
    r.focusLosses = o.value(QStringLiteral("focus_losses")).toInt();
    r.timedOut = o.value(QStringLiteral("timed_out")).toBool();
    r.tooFast = o.value(QStringLiteral("too_fast")).toBool();
    r.exposureFrames = o.value(QStringLiteral("exposure_frames")).toInt();
    r.frameRateHz = o.value(QStringLiteral("frame_rate_hz")).toDouble();
    r.exposureMs = o.value(QStringLiteral("exposure_ms")).toDouble();
    r.maskMs = o.value(QStringLiteral("mask_ms")).toDouble();
    return r;
}

std::optional<StationJournal::Kind> kindFromName(const QString& name)
{
    for (const auto kind : { StationJournal::Kind::Response, StationJournal::Kind::Event, StationJournal::Kind::State,
             StationJournal::Kind::Release })
        if (StationJournal::kindName(kind) == name)
            return kind;
    return std::nullopt;
}

const QStringList kJournalSchema = {
    QStringLiteral("CREATE TABLE IF NOT EXISTS outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, key TEXT NOT NULL "
                   "UNIQUE, server TEXT NOT NULL, session_id INTEGER NOT NULL, lease_token TEXT NOT NULL, kind TEXT "
                   "NOT NULL, payload TEXT NOT NULL, written_utc TEXT NOT NULL, state TEXT NOT NULL DEFAULT "
                   "'pending', attempts INTEGER NOT NULL DEFAULT 0, last_error TEXT NOT NULL DEFAULT '', "
                   "done_utc TEXT)"),
    QStringLiteral("CREATE INDEX IF NOT EXISTS outbox_waiting ON outbox (server, state, seq)"),
    QStringLiteral("CREATE TABLE IF NOT EXISTS leases (server TEXT NOT NULL, session_id INTEGER NOT NULL, "
                   "lease_token TEXT NOT NULL, PRIMARY KEY (server, session_id))"),
};

} // namespace

QString StationJournal::kindName(Kind kind)
{
    switch (kind) {
    case Kind::Response:
        return QStringLiteral("response");
    case Kind::Event:
        return QStringLiteral("event");
    case Kind::State:
        return QStringLiteral("state");
    case Kind::Release:
        return QStringLiteral("release");
    }
    return {};
}

StationJournal::StationJournal(QString path, QString connectionName)
    : m_path(std::move(path))
    , m_connectionName(std::move(connectionName))
{ }

StationJournal::~StationJournal()
{
    {
        QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
        if (db.isOpen())
            db.close();
    }
    QSqlDatabase::removeDatabase(m_connectionName);
}

QString StationJournal::defaultPath(const QString& serverLocation)
{
    return stationDataPath(serverLocation, QStringLiteral("journals"), QStringLiteral("station-%1.sqlite"));
}

Result<std::unique_ptr<StationJournal>> StationJournal::open(const QString& path)
{
    const QFileInfo info(path);
    if (!QDir().mkpath(info.absolutePath()))
        return Error { QStringLiteral("%1: the station's journal cannot be made: the folder %2 cannot be created")
                           .arg(path, info.absolutePath()) };
    const QString connection = QStringLiteral("ntt-journal-") + QUuid::createUuid().toString(QUuid::WithoutBraces);
    std::unique_ptr<StationJournal> journal(new StationJournal(info.absoluteFilePath(), connection));
    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), connection);
    db.setDatabaseName(journal->m_path);
    db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=5000"));
    if (!db.open())
        return Error {
            QStringLiteral("%1: the station's journal cannot be opened: %2").arg(journal->m_path, db.lastError().text())
        };
    // An answer is durable at the station once append...() returns: synchronous=FULL syncs the WAL
    // at every commit.
    QStringList setup = { QStringLiteral("PRAGMA journal_mode=WAL"), QStringLiteral("PRAGMA synchronous=FULL") };
    setup += kJournalSchema;
    for (const QString& statement : std::as_const(setup)) {
        Sql q(db, journal->m_path);
        if (const Status s = q.exec(statement, QStringLiteral("setting up the station's journal")); !s)
            return Error { s.error() };
    }
    return journal;
}

Status StationJournal::append(const QString& server, qint64 sessionId, const QString& leaseToken, Kind kind,
    const QByteArray& payload, const QString& key)
{
    Sql q(QSqlDatabase::database(m_connectionName, false), m_path);
    q.prepare(QStringLiteral("INSERT INTO outbox (key, server, session_id, lease_token, kind, payload, written_utc) "
                             "VALUES (?, ?, ?, ?, ?, ?, ?)"))
        .bind(key)
        .bind(server)
        .bind(sessionId)
        .bind(leaseToken)
        .bind(kindName(kind))
        .bind(QString::fromUtf8(payload))
        .bind(nowUtc());
    return q.exec(
        QStringLiteral("writing the %1 of session %2 to the station's journal").arg(kindName(kind)).arg(sessionId));
}

Status StationJournal::appendResponse(
    const QString& server, qint64 sessionId, const QString& leaseToken, const Response& response)
{
    return append(server, sessionId, leaseToken, Kind::Response, responseToJson(response),
        QUuid::createUuid().toString(QUuid::WithoutBraces));
}

Status StationJournal::appendEvent(
    const QString& server, qint64 sessionId, const QString& leaseToken, const SessionEvent& event)
{
    QJsonObject o;
    o[QStringLiteral("trial_index")] = event.trialIndex;
    o[QStringLiteral("kind")] = event.kind;
    o[QStringLiteral("detail")] = event.detail;
    o[QStringLiteral("at_utc")] = isoOrEmpty(event.atUtc.isValid() ? event.atUtc : QDateTime::currentDateTimeUtc());
    return append(server, sessionId, leaseToken, Kind::Event, QJsonDocument(o).toJson(QJsonDocument::Compact),
        event.key.isEmpty() ? QUuid::createUuid().toString(QUuid::WithoutBraces) : event.key);
}

Status StationJournal::appendState(
    const QString& server, qint64 sessionId, const QString& leaseToken, SessionState state, const QDateTime& atUtc)
{
    QJsonObject o;
    o[QStringLiteral("state")] = sessionStateName(state);
    o[QStringLiteral("at_utc")] = isoOrEmpty(atUtc.isValid() ? atUtc : QDateTime::currentDateTimeUtc());
    return append(server, sessionId, leaseToken, Kind::State, QJsonDocument(o).toJson(QJsonDocument::Compact),
        QUuid::createUuid().toString(QUuid::WithoutBraces));
}

Status StationJournal::appendRelease(const QString& server, qint64 sessionId, const QString& leaseToken)
{
    return append(server, sessionId, leaseToken, Kind::Release, QByteArrayLiteral("{}"),
        QUuid::createUuid().toString(QUuid::WithoutBraces));
}

Status StationJournal::holdLease(const QString& server, qint64 sessionId, const QString& leaseToken)
{
    Sql q(QSqlDatabase::database(m_connectionName, false), m_path);
    q.prepare(QStringLiteral("INSERT INTO leases (server, session_id, lease_token) VALUES (?, ?, ?) "
                             "ON CONFLICT (server, session_id) DO UPDATE SET lease_token = excluded.lease_token"))
        .bind(server)
        .bind(sessionId)
        .bind(leaseToken);
    return q.exec(QStringLiteral("noting the lease of session %1 in the station's journal").arg(sessionId));
}

Status StationJournal::dropLease(const QString& server, qint64 sessionId)
{
    Sql q(QSqlDatabase::database(m_connectionName, false), m_path);
    q.prepare(QStringLiteral("DELETE FROM leases WHERE server = ? AND session_id = ?")).bind(server).bind(sessionId);
    return q.exec(QStringLiteral("dropping the lease of session %1 from the station's journal").arg(sessionId));
}

Result<std::vector<StationJournal::Lease>> StationJournal::leases(const QString& server) const
{
    Sql q(QSqlDatabase::database(m_connectionName, false), m_path);
    q.prepare(QStringLiteral("SELECT session_id, lease_token FROM leases WHERE server = ? ORDER BY session_id"))
        .bind(server);
    if (const Status s = q.exec(QStringLiteral("reading the station's leases")); !s)
        return Error { s.error() };
    std::vector<Lease> result;
    while (q.next())
        result.push_back(Lease { q.value(0).toLongLong(), q.value(1).toString() });
    return result;
}

Result<std::vector<StationJournal::Entry>> StationJournal::pending(const QString& server, int limit) const
{
    Sql q(QSqlDatabase::database(m_connectionName, false), m_path);
    q.prepare(QStringLiteral("SELECT seq, key, session_id, lease_token, kind, payload, written_utc, attempts FROM "
                             "outbox WHERE server = ? AND state = 'pending' ORDER BY seq LIMIT ?"))
        .bind(server)
        .bind(limit);
    if (const Status s = q.exec(QStringLiteral("reading the station's journal")); !s)
        return Error { s.error() };
    std::vector<Entry> result;
    while (q.next()) {
        Entry e;
        e.seq = q.value(0).toLongLong();
        e.key = q.value(1).toString();
        e.server = server;
        e.sessionId = q.value(2).toLongLong();
        e.leaseToken = q.value(3).toString();
        const auto kind = kindFromName(q.value(4).toString());
        if (!kind)
            return Error { QStringLiteral("%1: entry %2 of the station's journal is of unknown kind \"%3\"")
                               .arg(m_path)
                               .arg(e.seq)
                               .arg(q.value(4).toString()) };
        e.kind = *kind;
        const QJsonObject o = QJsonDocument::fromJson(q.value(5).toString().toUtf8()).object();
        switch (e.kind) {
        case Kind::Response:
            e.response = responseFromJson(o);
            break;
        case Kind::Event:
            e.event = SessionEvent { o.value(QStringLiteral("trial_index")).toInt(-1),
                o.value(QStringLiteral("kind")).toString(), o.value(QStringLiteral("detail")).toString(),
                parseUtc(o.value(QStringLiteral("at_utc")).toString()), e.key };
            break;
        case Kind::State:
            e.state = sessionStateFromName(o.value(QStringLiteral("state")).toString());
            e.event.atUtc = parseUtc(o.value(QStringLiteral("at_utc")).toString());
            break;
        case Kind::Release:
            break;
        }
        e.writtenUtc = parseUtc(q.value(6));
        e.attempts = q.value(7).toInt();
        result.push_back(std::move(e));
    }
    return result;
}

Status StationJournal::markDelivered(qint64 seq)
{
    Sql q(QSqlDatabase::database(m_connectionName, false), m_path);
    q.prepare(QStringLiteral("UPDATE outbox SET state = 'delivered', attempts = attempts + 1, last_error = '', "
                             "done_utc = ? WHERE seq = ?"))
        .bind(nowUtc())
        .bind(seq);
    return q.exec(QStringLiteral("noting entry %1 delivered in the station's journal").arg(seq));
}

Status StationJournal::markRefused(qint64 seq, const QString& reason)
{
    Sql q(QSqlDatabase::database(m_connectionName, false), m_path);
    q.prepare(QStringLiteral("UPDATE outbox SET state = 'refused', attempts = attempts + 1, last_error = ?, "
                             "done_utc = ? WHERE seq = ?"))
        .bind(reason)
        .bind(nowUtc())
        .bind(seq);
    return q.exec(QStringLiteral("noting entry %1 refused in the station's journal").arg(seq));
}

Status StationJournal::noteFailedAttempt(qint64 seq, const QString& reason)
{
    Sql q(QSqlDatabase::database(m_connectionName, false), m_path);
    q.prepare(QStringLiteral("UPDATE outbox SET attempts = attempts + 1, last_error = ? WHERE seq = ?"))
        .bind(reason)
        .bind(seq);
    return q.exec(QStringLiteral("noting a failed delivery in the station's journal"));
}

Result<StationJournal::Backlog> StationJournal::backlog(const QString& server) const
{
    Backlog b;
    QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
    {
        Sql q(db, m_path);
        q.prepare(QStringLiteral("SELECT kind = 'response', state, COUNT(*), MIN(written_utc) FROM outbox WHERE server "
                                 "= ? AND state != 'delivered' GROUP BY kind = 'response', state"))
            .bind(server);
        if (const Status s = q.exec(QStringLiteral("reading the station's backlog")); !s)
            return Error { s.error() };
        while (q.next()) {
            const int n = q.value(2).toInt();
            if (q.value(1).toString() == QLatin1String("refused")) {
                b.refused += n;
                continue;
            }
            (q.value(0).toInt() != 0 ? b.pendingAnswers : b.pendingOther) += n;
            const QDateTime oldest = parseUtc(q.value(3));
            if (!b.oldestPendingUtc.isValid() || oldest < b.oldestPendingUtc)
                b.oldestPendingUtc = oldest;
        }
    }
    {
        Sql q(db, m_path);
        q.prepare(QStringLiteral("SELECT last_error FROM outbox WHERE server = ? AND state = 'pending' AND "
                                 "last_error != '' ORDER BY seq LIMIT 1"))
            .bind(server);
        if (const Status s = q.exec(QStringLiteral("reading the station's backlog")); !s)
            return Error { s.error() };
        if (q.next())
            b.lastError = q.value(0).toString();
    }
    Sql q(db, m_path);
    q.prepare(QStringLiteral("SELECT session_id, kind, payload, last_error FROM outbox WHERE server = ? AND state = "
                             "'refused' ORDER BY seq DESC LIMIT 10"))
        .bind(server);
    if (const Status s = q.exec(QStringLiteral("reading the station's refused entries")); !s)
        return Error { s.error() };
    while (q.next()) {
        const QJsonObject o = QJsonDocument::fromJson(q.value(2).toString().toUtf8()).object();
        const QString what = q.value(1).toString() == QLatin1String("response")
            ? QStringLiteral("answer to trial %1").arg(o.value(QStringLiteral("trial_index")).toInt())
            : q.value(1).toString();
        b.refusals
            << QStringLiteral("session %1, %2: %3").arg(q.value(0).toLongLong()).arg(what, q.value(3).toString());
    }
    return b;
}

Result<QStringList> StationJournal::refusals(const QString& server, qint64 sessionId) const
{
    Sql q(QSqlDatabase::database(m_connectionName, false), m_path);
    q.prepare(QStringLiteral("SELECT last_error FROM outbox WHERE server = ? AND session_id = ? AND state = 'refused' "
                             "ORDER BY seq DESC"))
        .bind(server)
        .bind(sessionId);
    if (const Status s = q.exec(QStringLiteral("reading the station's refused entries")); !s)
        return Error { s.error() };
    QStringList result;
    while (q.next())
        result << q.value(0).toString();
    return result;
}

Result<std::vector<Response>> StationJournal::answeredTrials(const QString& server, qint64 sessionId) const
{
    Sql q(QSqlDatabase::database(m_connectionName, false), m_path);
    q.prepare(QStringLiteral("SELECT payload FROM outbox WHERE server = ? AND session_id = ? AND kind = 'response' "
                             "AND state != 'refused'"))
        .bind(server)
        .bind(sessionId);
    if (const Status s = q.exec(QStringLiteral("reading the answers journaled at this station")); !s)
        return Error { s.error() };
    std::vector<Response> result;
    while (q.next())
        result.push_back(responseFromJson(QJsonDocument::fromJson(q.value(0).toString().toUtf8()).object()));
    return result;
}

} // namespace ntt
