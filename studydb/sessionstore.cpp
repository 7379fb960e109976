// SessionStore: sessions, trials, answers, events, leases, and the rows exports read.

#include "sessionstore.h"

#include "poolstore.h"
#include "studydatabase_p.h"

#include <QCryptographicHash>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSqlRecord>
#include <QStandardPaths>
#include <QUuid>
#include <QtEndian>

#include <map>
#include <optional>

namespace ntt {

using namespace dbdetail;

namespace {

const QString kSessionColumns = QStringLiteral(
    "s.id, s.study_id, s.participant_index, s.participant_code, s.station, s.simulated, s.state, s.started_utc, "
    "s.ended_utc, (SELECT COUNT(*) FROM trials t WHERE t.session_id = s.id), "
    "(SELECT COUNT(*) FROM responses r JOIN trials t ON t.id = r.trial_id WHERE t.session_id = s.id), "
    "s.lease_station, s.lease_since_utc, s.lease_heartbeat_utc");

SessionInfo sessionFromQuery(Sql& q)
{
    SessionInfo s;
    s.id = q.value(0).toLongLong();
    s.studyId = q.value(1).toLongLong();
    s.participantIndex = q.value(2).toInt();
    s.participantCode = q.value(3).toString();
    s.station = q.value(4).toString();
    s.simulated = q.value(5).toInt() != 0;
    s.state = sessionStateFromName(q.value(6).toString());
    s.startedUtc = parseUtc(q.value(7));
    s.endedUtc = parseUtc(q.value(8));
    s.trialCount = q.value(9).toInt();
    s.answeredCount = q.value(10).toInt();
    s.leaseStation = q.value(11).toString();
    s.leaseSinceUtc = parseUtc(q.value(12));
    s.leaseHeartbeatUtc = parseUtc(q.value(13));
    return s;
}

// A trial's choices as stored: a JSON array of names.
QString choicesToText(const QStringList& choices)
{
    return QString::fromUtf8(QJsonDocument(QJsonArray::fromStringList(choices)).toJson(QJsonDocument::Compact));
}

QStringList choicesFromText(const QVariant& text)
{
    if (text.isNull())
        return {};
    QStringList choices;
    for (const QJsonValue& v : QJsonDocument::fromJson(text.toString().toUtf8()).array())
        choices << v.toString();
    return choices;
}

// Stores one trial list under a session inside the caller's transaction; trial ids are filled in.
Status storeTrials(QSqlDatabase& db, const QString& path, qint64 sessionId, std::vector<Trial>& trials)
{
    for (Trial& t : trials) {
        Sql insert(db, path);
        insert
            .prepare(
                QStringLiteral("INSERT INTO trials (session_id, trial_index, trial_type, ways, correct_position, "
                               "practice, is_catch, break_after, choices, target_source, repeat_of, exposure_frames) "
                               "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"))
            .bind(sessionId)
            .bind(t.index)
            .bind(trialTypeName(t.type))
            .bind(t.ways())
            .bind(t.correctPosition)
            .bind(t.practice ? 1 : 0)
            .bind(t.isCatch ? 1 : 0)
            .bind(t.breakAfter ? 1 : 0)
            .bind(t.choices.isEmpty() ? QVariant() : QVariant(choicesToText(t.choices)))
            .bind(t.targetSource.isEmpty() ? QVariant() : QVariant(t.targetSource))
            .bind(t.repeatOf >= 0 ? QVariant(t.repeatOf) : QVariant())
            .bind(t.exposureFrames != 0 ? QVariant(t.exposureFrames) : QVariant());
        if (const Status s = insert.exec(QStringLiteral("storing trial %1").arg(t.index)); !s)
            return s;
        t.id = insert.returnedId().value_or(0);
        for (int p = 0; p < t.ways(); ++p) {
            Sql image(db, path);
            image.prepare(QStringLiteral("INSERT INTO trial_images (trial_id, position, image_id) VALUES (?, ?, ?)"))
                .bind(t.id)
                .bind(p)
                .bind(t.imageIds[p]);
            if (const Status s = image.exec(QStringLiteral("storing trial %1").arg(t.index)); !s)
                return s;
        }
    }
    return {};
}

} // namespace

Result<SessionStore::CreatedSession> SessionStore::createSession(qint64 studyId, const QString& participantCode,
    const QString& station, bool simulated, const TrialListMaker& makeTrials, const QString& sessionKey)
{
    if (m_c.m_readOnly)
        return Error { readOnlyError(QStringLiteral("starting a session")) };
    QSqlDatabase db = database();
    if (!sessionKey.isEmpty()) {
        // A retry of a creation whose reply was lost: the session stands as it was stored.
        Sql known(db, m_c.m_path);
        known.prepare(QStringLiteral("SELECT id, lease_token FROM sessions WHERE session_key = ?")).bind(sessionKey);
        if (const Status s = known.exec(QStringLiteral("looking for session %1").arg(sessionKey)); !s)
            return Error { s.error() };
        if (known.next()) {
            const qint64 id = known.value(0).toLongLong();
            const QString token = known.value(1).toString();
            known.query().finish();
            auto stored = session(id);
            if (!stored)
                return Error { stored.error() };
            auto trials = sessionTrials(id);
            if (!trials)
                return Error { trials.error() };
            if (stored->leaseStation != station)
                return Error { QStringLiteral("%1: session %2 was started by this station but is now held by "
                                              "station \"%3\"")
                                   .arg(m_c.m_path)
                                   .arg(id)
                                   .arg(stored->leaseStation) };
            return CreatedSession { std::move(stored).value(), std::move(trials).value(), token };
        }
    }
    // Stations race for the next index. On SQLite the writing transaction serialises them; on a
    // server an advisory lock per study does. Should two still read the same MAX (another client
    // writing without the lock), the loser's insert violates the unique index and tries again.
    constexpr int kAttempts = 8;
    for (int attempt = 0; attempt < kAttempts; ++attempt) {
        Transaction tx(db, Transaction::Writing);
        if (!tx.started())
            return Error { QStringLiteral("%1: the study file is busy (other stations have been writing to it for over "
                                          "30 s); start the session again (%2)")
                               .arg(m_c.m_path, db.lastError().text()) };
        if (const QString lock = m_c.m_dialect->newSessionLock(); !lock.isEmpty()) {
            Sql wait(db, m_c.m_path);
            wait.prepare(lock).bind(studyId);
            if (const Status s = wait.exec(QStringLiteral("waiting for other stations to store their sessions")); !s)
                return Error { s.error() };
            wait.query().finish();
        }
        Sql q(db, m_c.m_path);
        const QString now = nowUtc();
        const QString token = QUuid::createUuid().toString(QUuid::WithoutBraces);
        q.prepare(QStringLiteral("INSERT INTO sessions (study_id, participant_index, participant_code, station, "
                                 "simulated, state, started_utc, lease_station, lease_token, lease_since_utc, "
                                 "lease_heartbeat_utc, session_key) SELECT ?, COALESCE(MAX(participant_index) + 1, "
                                 "0), ?, ?, ?, 'open', ?, ?, ?, ?, ?, ? FROM sessions WHERE study_id = ? "
                                 "RETURNING id, participant_index"))
            .bind(studyId)
            .bind(participantCode)
            .bind(station)
            .bind(simulated ? 1 : 0)
            .bind(now)
            .bind(station)
            .bind(token)
            .bind(now)
            .bind(now)
            .bind(sessionKey.isEmpty() ? QVariant() : QVariant(sessionKey))
            .bind(studyId);
        if (!q.query().exec()) {
            const QString text = q.query().lastError().text();
            if (text.contains(QLatin1String("participant_code")))
                return Error { QStringLiteral("%1: participant code \"%2\" is already used in this study; give "
                                              "another")
                                   .arg(m_c.m_path, participantCode) };
            if (text.contains(QLatin1String("participant_index")))
                continue; // another station took this index between our read and our insert
            return Error { QStringLiteral("%1: the session of participant %2 could not be stored (%3)")
                               .arg(m_c.m_path, participantCode, text) };
        }
        if (!q.next())
            return Error {
                QStringLiteral("%1: the session of participant %2 was not stored").arg(m_c.m_path, participantCode)
            };
        const qint64 sessionId = q.value(0).toLongLong();
        const int participantIndex = q.value(1).toInt();
        q.query().finish();

        auto trials = makeTrials(participantIndex);
        if (!trials)
            return Error { trials.error() };
        if (const Status s = storeTrials(db, m_c.m_path, sessionId, trials.value()); !s)
            return Error { s.error() };
        if (!tx.commit())
            return Error {
                QStringLiteral("%1: the session could not be committed: %2").arg(m_c.m_path, db.lastError().text())
            };
        auto stored = session(sessionId);
        if (!stored)
            return Error { stored.error() };
        return CreatedSession { std::move(stored).value(), std::move(trials).value(), token };
    }
    return Error { QStringLiteral("%1: other stations took the next participant index first %2 times in a row; "
                                  "start the session again")
                       .arg(m_c.m_path)
                       .arg(kAttempts) };
}

Result<SessionInfo> SessionStore::session(qint64 sessionId) const
{
    Sql q(database(), m_c.m_path);
    q.prepare(QStringLiteral("SELECT %1 FROM sessions s WHERE s.id = ?").arg(kSessionColumns)).bind(sessionId);
    if (const Status s = q.exec(QStringLiteral("reading session %1").arg(sessionId)); !s)
        return Error { s.error() };
    if (!q.next())
        return Error { QStringLiteral("%1: no session with id %2").arg(m_c.m_path).arg(sessionId) };
    return sessionFromQuery(q);
}

Result<std::vector<SessionInfo>> SessionStore::sessions(qint64 studyId) const
{
    Sql q(database(), m_c.m_path);
    q.prepare(QStringLiteral("SELECT %1 FROM sessions s WHERE s.study_id = ? ORDER BY s.id").arg(kSessionColumns))
        .bind(studyId);
    if (const Status s = q.exec(QStringLiteral("reading sessions")); !s)
        return Error { s.error() };
    std::vector<SessionInfo> result;
    while (q.next())
        result.push_back(sessionFromQuery(q));
    return result;
}

Result<std::vector<Trial>> SessionStore::sessionTrials(qint64 sessionId) const
{
    Sql q(database(), m_c.m_path);
    q.prepare(QStringLiteral(
                  "SELECT t.id, t.trial_index, t.trial_type, t.correct_position, t.practice, t.is_catch, "
                  "t.break_after, ti.position, ti.image_id, t.choices, t.target_source, t.repeat_of, t.exposure_frames "
                  "FROM trials t "
                  "JOIN trial_images ti ON ti.trial_id = t.id WHERE t.session_id = ? "
                  "ORDER BY t.trial_index, ti.position"))
        .bind(sessionId);
    if (const Status s = q.exec(QStringLiteral("reading the trials of session %1").arg(sessionId)); !s)
        return Error { s.error() };
    std::vector<Trial> trials;
    while (q.next()) {
        const qint64 id = q.value(0).toLongLong();
        if (trials.empty() || trials.back().id != id) {
            Trial t;
            t.id = id;
            t.index = q.value(1).toInt();
            const auto type = trialTypeFromName(q.value(2).toString());
            if (!type)
                return Error { QStringLiteral("%1: trial %2 has unknown type \"%3\"")
                                   .arg(m_c.m_path)
                                   .arg(id)
                                   .arg(q.value(2).toString()) };
            t.type = *type;
            t.correctPosition = q.value(3).toInt();
            t.practice = q.value(4).toInt() != 0;
            t.isCatch = q.value(5).toInt() != 0;
            t.breakAfter = q.value(6).toInt() != 0;
            t.choices = choicesFromText(q.value(9));
            t.targetSource = q.value(10).toString();
            t.repeatOf = q.value(11).isNull() ? -1 : q.value(11).toInt();
            t.exposureFrames = q.value(12).toInt();
            trials.push_back(t);
        }
        trials.back().imageIds.push_back(q.value(8).toLongLong());
    }
    return trials;
}

Result<std::vector<Response>> SessionStore::answeredResponses(qint64 sessionId) const
{
    Sql q(database(), m_c.m_path);
    q.prepare(QStringLiteral("SELECT t.trial_index, r.answer, r.correct, r.exposure_frames FROM responses r "
                             "JOIN trials t ON t.id = r.trial_id WHERE t.session_id = ? ORDER BY t.trial_index"))
        .bind(sessionId);
    if (const Status s = q.exec(QStringLiteral("reading the answers of session %1").arg(sessionId)); !s)
        return Error { s.error() };
    std::vector<Response> answers;
    while (q.next()) {
        Response r;
        r.trialIndex = q.value(0).toInt();
        r.answer = q.value(1).toInt();
        r.correct = q.value(2).toInt() != 0;
        r.exposureFrames = q.value(3).toInt();
        answers.push_back(r);
    }
    return answers;
}

Result<QSet<int>> SessionStore::answeredTrialIndices(qint64 sessionId) const
{
    Sql q(database(), m_c.m_path);
    q.prepare(QStringLiteral("SELECT t.trial_index FROM responses r JOIN trials t ON t.id = r.trial_id "
                             "WHERE t.session_id = ?"))
        .bind(sessionId);
    if (const Status s = q.exec(QStringLiteral("reading answered trials")); !s)
        return Error { s.error() };
    QSet<int> answered;
    while (q.next())
        answered.insert(q.value(0).toInt());
    return answered;
}

namespace {

QString describeLease(const SessionInfo& s)
{
    const qint64 silent
        = s.leaseHeartbeatUtc.isValid() ? s.leaseHeartbeatUtc.secsTo(QDateTime::currentDateTimeUtc()) : -1;
    return QStringLiteral("station \"%1\" has run it since %2 UTC (last heard %3 s ago)")
        .arg(s.leaseStation.isEmpty() ? QStringLiteral("(unnamed)") : s.leaseStation,
            s.leaseSinceUtc.toString(QStringLiteral("yyyy-MM-dd HH:mm:ss")))
        .arg(std::max<qint64>(0, silent));
}

} // namespace

Status SessionStore::recordResponse(
    qint64 sessionId, const QString& leaseToken, const Response& r, const QString& responseKey)
{
    if (m_c.m_readOnly)
        return Error { readOnlyError(QStringLiteral("storing an answer")) };
    QSqlDatabase db = database();
    Transaction tx(db, Transaction::Writing);
    if (!tx.started())
        return Error { QStringLiteral("%1: the answer to trial %2 could not be stored: the study file is busy for "
                                      "over 30 s (%3)")
                           .arg(m_c.m_path)
                           .arg(r.trialIndex)
                           .arg(db.lastError().text()) };
    // Delivered before (the reply was lost, the station restarted before it noted the delivery, or
    // two senders of one journal raced).
    auto deliveredBefore = [&]() -> bool {
        if (responseKey.isEmpty())
            return false;
        Sql known(db, m_c.m_path);
        known.prepare(QStringLiteral("SELECT COUNT(*) FROM responses WHERE response_key = ?")).bind(responseKey);
        return known.exec(QStringLiteral("looking for answer %1").arg(responseKey)) && known.next()
            && known.value(0).toInt() > 0;
    };
    if (deliveredBefore())
        return {};
    Sql q(db, m_c.m_path);
    // The trial must belong to the session and the session be this station's; a second answer to
    // the trial (UNIQUE trial_id) or a second delivery (UNIQUE response_key) inserts nothing and is
    // told apart below, without aborting the transaction.
    q.prepare(
         QStringLiteral("INSERT INTO responses (trial_id, answer, correct, confidence, rt_ms, onset_utc, "
                        "response_utc, rt_clock, focus_losses, timed_out, too_fast, recorded_utc, response_key, "
                        "exposure_frames, frame_rate_hz, exposure_ms, mask_ms) "
                        "SELECT t.id, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? FROM trials t JOIN sessions s ON "
                        "s.id = t.session_id WHERE t.id = ? AND t.session_id = ? AND s.lease_token = ? "
                        "ON CONFLICT DO NOTHING"))
        .bind(r.answer)
        .bind(r.correct ? 1 : 0)
        .bind(r.confidence ? QVariant(*r.confidence) : QVariant())
        .bind(r.timedOut ? QVariant() : QVariant(r.rtMs))
        .bind(r.onsetUtc.isValid() ? QVariant(r.onsetUtc.toUTC().toString(Qt::ISODateWithMs)) : QVariant())
        .bind(r.responseUtc.isValid() ? QVariant(r.responseUtc.toUTC().toString(Qt::ISODateWithMs)) : QVariant())
        .bind(r.rtClock)
        .bind(r.focusLosses)
        .bind(r.timedOut ? 1 : 0)
        .bind(r.tooFast ? 1 : 0)
        .bind(nowUtc())
        .bind(responseKey.isEmpty() ? QVariant() : QVariant(responseKey))
        .bind(r.exposureFrames > 0 ? QVariant(r.exposureFrames) : QVariant())
        .bind(r.exposureFrames > 0 ? QVariant(r.frameRateHz) : QVariant())
        .bind(r.exposureFrames > 0 ? QVariant(r.exposureMs) : QVariant())
        .bind(r.exposureFrames > 0 ? QVariant(r.maskMs) : QVariant())
        .bind(r.trialId)
        .bind(sessionId)
        .bind(leaseToken);
    if (!q.query().exec()) {
        const QString text = q.query().lastError().text();
        if (text.contains(QLatin1String("trial_id")) || text.contains(QLatin1String("UNIQUE"), Qt::CaseInsensitive)
            || text.contains(QLatin1String("duplicate key")))
            return Error { QStringLiteral("%1: trial %2 of session %3 is answered already; the first answer is kept")
                               .arg(m_c.m_path)
                               .arg(r.trialIndex)
                               .arg(sessionId) };
        return Error { QStringLiteral("%1: the answer to trial %2 could not be stored (%3)")
                           .arg(m_c.m_path)
                           .arg(r.trialIndex)
                           .arg(text) };
    }
    if (q.query().numRowsAffected() != 1) {
        q.query().finish();
        if (deliveredBefore())
            return {};
        Sql answered(db, m_c.m_path);
        answered.prepare(QStringLiteral("SELECT COUNT(*) FROM responses WHERE trial_id = ?")).bind(r.trialId);
        if (answered.exec(QStringLiteral("reading trial %1").arg(r.trialIndex)) && answered.next()
            && answered.value(0).toInt() > 0)
            return Error { QStringLiteral("%1: trial %2 of session %3 is answered already; the first answer is kept")
                               .arg(m_c.m_path)
                               .arg(r.trialIndex)
                               .arg(sessionId) };
        const auto stored = session(sessionId);
        if (!isTrialOf(sessionId, r.trialId).value_or(true))
            return Error { QStringLiteral("%1: trial %2 (id %3) is not part of session %4")
                               .arg(m_c.m_path)
                               .arg(r.trialIndex)
                               .arg(r.trialId)
                               .arg(sessionId) };
        if (stored && stored->state != SessionState::Open)
            return Error { QStringLiteral("%1: session %2 is %3; its answers are closed")
                               .arg(m_c.m_path)
                               .arg(sessionId)
                               .arg(sessionStateName(stored->state)) };
        if (stored && !stored->leaseStation.isEmpty())
            return Error { QStringLiteral("%1: session %2 was taken over: %3. This station stops; the answer to "
                                          "trial %4 was not stored")
                               .arg(m_c.m_path)
                               .arg(sessionId)
                               .arg(describeLease(stored.value()))
                               .arg(r.trialIndex) };
        return Error { QStringLiteral("%1: session %2 is not held by this station any more (it was paused); resume "
                                      "it to go on")
                           .arg(m_c.m_path)
                           .arg(sessionId) };
    }
    Sql beat(db, m_c.m_path);
    beat.prepare(QStringLiteral("UPDATE sessions SET lease_heartbeat_utc = ? WHERE id = ?"))
        .bind(nowUtc())
        .bind(sessionId);
    if (const Status s = beat.exec(QStringLiteral("renewing the lease of session %1").arg(sessionId)); !s)
        return s;
    if (!tx.commit())
        return Error { QStringLiteral("%1: the answer to trial %2 could not be committed: %3")
                           .arg(m_c.m_path)
                           .arg(r.trialIndex)
                           .arg(db.lastError().text()) };
    return {};
}

std::optional<bool> SessionStore::isTrialOf(qint64 sessionId, qint64 trialId) const
{
    Sql q(database(), m_c.m_path);
    q.prepare(QStringLiteral("SELECT COUNT(*) FROM trials WHERE id = ? AND session_id = ?"))
        .bind(trialId)
        .bind(sessionId);
    if (!q.exec(QStringLiteral("reading trial %1").arg(trialId)) || !q.next())
        return std::nullopt;
    return q.value(0).toInt() > 0;
}

Result<QString> SessionStore::acquireSessionLease(
    qint64 sessionId, const QString& station, bool takeOver, int staleAfterSeconds)
{
    if (m_c.m_readOnly)
        return Error { readOnlyError(QStringLiteral("resuming a session")) };
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const QString token = QUuid::createUuid().toString(QUuid::WithoutBraces);
    // Only an expired lease can be taken over; an empty cutoff matches no time stamp.
    const QString cutoff = takeOver ? now.addSecs(-staleAfterSeconds).toString(Qt::ISODateWithMs) : QString();
    Sql q(database(), m_c.m_path);
    q.prepare(QStringLiteral("UPDATE sessions SET lease_station = ?, lease_token = ?, lease_since_utc = ?, "
                             "lease_heartbeat_utc = ? WHERE id = ? AND state = 'open' AND (lease_token IS NULL OR "
                             "lease_station = ? OR lease_heartbeat_utc < ?)"))
        .bind(station)
        .bind(token)
        .bind(now.toString(Qt::ISODateWithMs))
        .bind(now.toString(Qt::ISODateWithMs))
        .bind(sessionId)
        .bind(station)
        .bind(cutoff);
    if (const Status s = q.exec(QStringLiteral("taking session %1 for station \"%2\"").arg(sessionId).arg(station)); !s)
        return Error { s.error() };
    if (q.query().numRowsAffected() == 1)
        return token;
    const auto stored = session(sessionId);
    if (!stored)
        return Error { stored.error() };
    if (stored->state != SessionState::Open)
        return Error { QStringLiteral("%1: session %2 is %3; only open sessions can be resumed")
                           .arg(m_c.m_path)
                           .arg(sessionId)
                           .arg(sessionStateName(stored->state)) };
    const bool stale
        = stored->leaseHeartbeatUtc.isValid() && stored->leaseHeartbeatUtc.secsTo(now) >= staleAfterSeconds;
    return Error { QStringLiteral("%1: session %2 is running at another station: %3. %4")
                       .arg(m_c.m_path)
                       .arg(sessionId)
                       .arg(describeLease(stored.value()))
                       .arg(stale ? QStringLiteral("That station has not been heard from for over %1 s: if it no "
                                                   "longer runs the session, take it over.")
                                        .arg(staleAfterSeconds)
                                  : QStringLiteral("Finish or pause it there first.")) };
}

Status SessionStore::renewSessionLease(qint64 sessionId, const QString& leaseToken)
{
    Sql q(database(), m_c.m_path);
    q.prepare(QStringLiteral("UPDATE sessions SET lease_heartbeat_utc = ? WHERE id = ? AND lease_token = ?"))
        .bind(nowUtc())
        .bind(sessionId)
        .bind(leaseToken);
    if (const Status s = q.exec(QStringLiteral("renewing the lease of session %1").arg(sessionId)); !s)
        return s;
    if (q.query().numRowsAffected() == 1)
        return {};
    const auto stored = session(sessionId);
    return Error { stored && !stored->leaseStation.isEmpty()
            ? QStringLiteral("%1: session %2 was taken over: %3")
                  .arg(m_c.m_path)
                  .arg(sessionId)
                  .arg(describeLease(stored.value()))
            : QStringLiteral("%1: session %2 is not held by this station any more").arg(m_c.m_path).arg(sessionId) };
}

Status SessionStore::releaseSessionLease(qint64 sessionId, const QString& leaseToken)
{
    Sql q(database(), m_c.m_path);
    q.prepare(QStringLiteral("UPDATE sessions SET lease_station = NULL, lease_token = NULL, lease_since_utc = NULL, "
                             "lease_heartbeat_utc = NULL WHERE id = ? AND lease_token = ?"))
        .bind(sessionId)
        .bind(leaseToken);
    return q.exec(QStringLiteral("giving up the lease of session %1").arg(sessionId));
}

Status SessionStore::recordEvent(qint64 sessionId, int trialIndex, const QString& kind, const QString& detail)
{
    return recordEvent(sessionId, SessionEvent { trialIndex, kind, detail, {}, {} });
}

Status SessionStore::recordEvent(qint64 sessionId, const SessionEvent& e)
{
    Sql q(database(), m_c.m_path);
    q.prepare(QStringLiteral("INSERT INTO session_events (session_id, trial_index, kind, at_utc, detail, event_key) "
                             "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (event_key) DO NOTHING"))
        .bind(sessionId)
        .bind(e.trialIndex >= 0 ? QVariant(e.trialIndex) : QVariant())
        .bind(e.kind)
        .bind(e.atUtc.isValid() ? e.atUtc.toUTC().toString(Qt::ISODateWithMs) : nowUtc())
        .bind(e.detail)
        .bind(e.key.isEmpty() ? QVariant() : QVariant(e.key));
    return q.exec(QStringLiteral("logging event %1").arg(e.kind));
}

Result<std::vector<SessionStore::StoredEvent>> SessionStore::sessionEvents(qint64 studyId, const QString& kind) const
{
    Sql q(database(), m_c.m_path);
    q.prepare(QStringLiteral("SELECT e.session_id, e.trial_index, e.kind, e.detail, e.at_utc, e.event_key "
                             "FROM session_events e JOIN sessions s ON s.id = e.session_id "
                             "WHERE s.study_id = ? AND e.kind = ? ORDER BY e.id"))
        .bind(studyId)
        .bind(kind);
    if (const Status s = q.exec(QStringLiteral("reading the study's \"%1\" events").arg(kind)); !s)
        return Error { s.error() };
    std::vector<StoredEvent> out;
    while (q.next()) {
        StoredEvent e;
        e.sessionId = q.value(0).toLongLong();
        e.event.trialIndex = q.value(1).isNull() ? -1 : q.value(1).toInt();
        e.event.kind = q.value(2).toString();
        e.event.detail = q.value(3).toString();
        e.event.atUtc = QDateTime::fromString(q.value(4).toString(), Qt::ISODateWithMs);
        e.event.atUtc.setTimeSpec(Qt::UTC);
        e.event.key = q.value(5).toString();
        out.push_back(std::move(e));
    }
    return out;
}

Result<QString> SessionStore::activityMark() const
{
    Sql q(database(), m_c.m_path);
    q.prepare(QStringLiteral("SELECT (SELECT COUNT(*) FROM responses), (SELECT COALESCE(MAX(id), 0) FROM responses), "
                             "(SELECT COUNT(*) FROM sessions), (SELECT COUNT(*) FROM sessions WHERE state = 'open'), "
                             "(SELECT COUNT(*) FROM sessions WHERE lease_token IS NOT NULL)"));
    if (const Status s = q.exec(QStringLiteral("looking for new answers")); !s)
        return Error { s.error() };
    if (!q.next())
        return QString();
    QStringList parts;
    for (int i = 0; i < 5; ++i)
        parts << q.value(i).toString();
    return parts.join(QLatin1Char(':'));
}

Status SessionStore::setSessionState(
    qint64 sessionId, SessionState state, const QDateTime& atUtc, const QString& leaseToken)
{
    Sql q(database(), m_c.m_path);
    // A session that ended is nobody's any more; an open one keeps its lease.
    q.prepare(QStringLiteral("UPDATE sessions SET state = ?, ended_utc = ?, lease_station = CASE WHEN ? = 'open' THEN "
                             "lease_station END, lease_token = CASE WHEN ? = 'open' THEN lease_token END WHERE id = ? "
                             "AND (? = '' OR lease_token = ?)"))
        .bind(sessionStateName(state))
        .bind(state == SessionState::Open
                ? QVariant()
                : QVariant(atUtc.isValid() ? atUtc.toUTC().toString(Qt::ISODateWithMs) : nowUtc()))
        .bind(sessionStateName(state))
        .bind(sessionStateName(state))
        .bind(sessionId)
        .bind(leaseToken)
        .bind(leaseToken);
    if (const Status s = q.exec(QStringLiteral("marking session %1 %2").arg(sessionId).arg(sessionStateName(state)));
        !s)
        return s;
    if (leaseToken.isEmpty() || q.query().numRowsAffected() == 1)
        return {};
    const auto stored = session(sessionId);
    if (!stored)
        return Error { stored.error() };
    if (stored->state == state)
        return {};
    return Error { QStringLiteral("%1: session %2 cannot be marked %3 by this station: %4")
                       .arg(m_c.m_path)
                       .arg(sessionId)
                       .arg(sessionStateName(state))
                       .arg(!stored->leaseStation.isEmpty()
                               ? QStringLiteral("it was taken over; ") + describeLease(stored.value())
                               : stored->state == SessionState::Open
                               ? QStringLiteral("it is not held by this station any more")
                               : QStringLiteral("it is %1").arg(sessionStateName(stored->state))) };
}

Result<std::vector<ResponseRow>> SessionStore::responseRows(qint64 studyId) const
{
    return answerRows(studyId, AnswerSource::People);
}

Result<std::vector<ResponseRow>> SessionStore::answerRows(qint64 studyId, AnswerSource source) const
{
    const auto pool = m_pool.poolImages();
    if (!pool)
        return Error { pool.error() };
    QHash<qint64, const PoolImage*> byId;
    for (const PoolImage& image : pool.value())
        byId.insert(image.id, &image);

    // People's responses and models' answers share one row shape: a model answers with no response
    // time, timestamps or confidence, and its name is the agent.
    const bool people = source == AnswerSource::People;
    const QString columns = people
        ? QStringLiteral(
            "'human', r.answer, r.correct, r.confidence, r.rt_ms, r.onset_utc, r.response_utc, r.rt_clock, "
            "r.focus_losses, r.timed_out, r.too_fast, r.exposure_frames, r.frame_rate_hz, r.exposure_ms, r.mask_ms")
        : QStringLiteral(
            "m.name, r.answer, r.correct, NULL, NULL, NULL, NULL, 'model', 0, 0, 0, NULL, NULL, NULL, NULL");
    const QString from = people
        ? QStringLiteral("responses r JOIN trials t ON t.id = r.trial_id")
        : QStringLiteral("model_answers r JOIN models m ON m.id = r.model_id JOIN trials t ON t.id = r.trial_id");
    Sql q(database(), m_c.m_path);
    q.prepare(QStringLiteral("SELECT st.name, s.id, s.participant_code, s.station, s.simulated, t.id, t.trial_index, "
                             "t.trial_type, t.correct_position, t.practice, t.is_catch, t.break_after, %1, s.state, "
                             "t.choices, t.target_source, t.repeat_of, t.exposure_frames "
                             "FROM %2 JOIN sessions s ON s.id = t.session_id JOIN studies st ON st.id = s.study_id "
                             "WHERE (? = 0 OR st.id = ?) ORDER BY st.id, %3 s.id, t.trial_index")
                  .arg(columns, from, people ? QString() : QStringLiteral("r.model_id,")))
        .bind(studyId)
        .bind(studyId);
    if (const Status s = q.exec(QStringLiteral("reading responses")); !s)
        return Error { s.error() };
    // Positions come from a second query: aggregating them in SQL would need dialect-specific functions.
    Sql positions(database(), m_c.m_path);
    positions
        .prepare(
            QStringLiteral("SELECT ti.trial_id, ti.image_id FROM trial_images ti JOIN trials t ON t.id = ti.trial_id "
                           "JOIN sessions s ON s.id = t.session_id WHERE (? = 0 OR s.study_id = ?) "
                           "ORDER BY ti.trial_id, ti.position"))
        .bind(studyId)
        .bind(studyId);
    if (const Status s = positions.exec(QStringLiteral("reading trial images")); !s)
        return Error { s.error() };
    QHash<qint64, std::vector<qint64>> imagesByTrial;
    while (positions.next())
        imagesByTrial[positions.value(0).toLongLong()].push_back(positions.value(1).toLongLong());

    std::vector<ResponseRow> rows;
    while (q.next()) {
        ResponseRow row;
        row.study = q.value(0).toString();
        row.sessionId = q.value(1).toLongLong();
        row.participant = q.value(2).toString();
        row.station = q.value(3).toString();
        row.simulated = q.value(4).toInt() != 0;
        Trial& t = row.trial;
        t.id = q.value(5).toLongLong();
        t.index = q.value(6).toInt();
        t.type = trialTypeFromName(q.value(7).toString()).value_or(TrialType::PickReal);
        t.correctPosition = q.value(8).toInt();
        t.practice = q.value(9).toInt() != 0;
        t.isCatch = q.value(10).toInt() != 0;
        t.breakAfter = q.value(11).toInt() != 0;
        // Columns 23..26 follow the response's: its exposure.
        t.choices = choicesFromText(q.value(28));
        t.targetSource = q.value(29).toString();
        t.repeatOf = q.value(30).isNull() ? -1 : q.value(30).toInt();
        t.exposureFrames = q.value(31).toInt();
        Response& r = row.response;
        r.trialId = t.id;
        r.trialIndex = t.index;
        row.agent = q.value(12).toString();
        row.sessionState = q.value(27).toString();
        r.answer = q.value(13).toInt();
        r.correct = q.value(14).toInt() != 0;
        if (!q.value(15).isNull())
            r.confidence = q.value(15).toInt();
        r.rtMs = q.value(16).toDouble();
        r.onsetUtc = parseUtc(q.value(17));
        r.responseUtc = parseUtc(q.value(18));
        r.rtClock = q.value(19).toString();
        r.focusLosses = q.value(20).toInt();
        r.timedOut = q.value(21).toInt() != 0;
        r.tooFast = q.value(22).toInt() != 0;
        r.exposureFrames = q.value(23).toInt();
        r.frameRateHz = q.value(24).toDouble();
        r.exposureMs = q.value(25).toDouble();
        r.maskMs = q.value(26).toDouble();
        t.imageIds = imagesByTrial.value(t.id);
        for (const qint64 imageId : t.imageIds) {
            if (const PoolImage* image = byId.value(imageId))
                row.shown.push_back(*image);
        }
        rows.push_back(std::move(row));
    }
    return rows;
}

Result<std::vector<Trial>> SessionStore::studyTrials(qint64 studyId) const
{
    const auto all = sessions(studyId);
    if (!all)
        return Error { all.error() };
    std::vector<Trial> trials;
    for (const SessionInfo& session : all.value()) {
        auto list = sessionTrials(session.id);
        if (!list)
            return Error { list.error() };
        trials.insert(trials.end(), list->begin(), list->end());
    }
    return trials;
}

} // namespace ntt
