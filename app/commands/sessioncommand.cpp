// `ntt session`: see commands.h and `ntt session --help`.

#include "commands/commandoptions.h"
#include "commands/commands.h"
#include "stationoutbox.h"
#include "studyexports.h"
#include "studyfile.h"

#include <QThread>
#include <QUuid>

namespace ntt::cli {

int cmdSession(const QStringList& args)
{
    const QString action = args.size() > 1 ? args.at(1) : QString();
    QStringList rest = args.mid(1);
    QCommandLineParser p;
    p.addOption(dbOption());
    p.addOption(studyOption());
    if (action == QLatin1String("list")) {
        int code = 0;
        if (!parse(p, rest, code))
            return code;
        auto db = openDb(p, StudyDatabase::OpenMode::ExistingOnly);
        if (!db)
            return fail(db.error());
        const auto study = findStudy(*db.value(), p.value(QStringLiteral("study")));
        if (!study)
            return fail(study.error());
        const auto sessions = db.value()->sessions(study->id);
        if (!sessions)
            return fail(sessions.error());
        out() << "id\tparticipant\tstate\tanswered\tstation\tsimulated\tstarted_utc\n";
        for (const SessionInfo& s : sessions.value()) {
            out() << QStringLiteral("%1\t%2\t%3\t%4/%5\t%6\t%7\t%8\n")
                         .arg(s.id)
                         .arg(s.participantCode, sessionStateName(s.state))
                         .arg(s.answeredCount)
                         .arg(s.trialCount)
                         .arg(s.station)
                         .arg(s.simulated ? 1 : 0)
                         .arg(s.startedUtc.toString(Qt::ISODate));
        }
        out() << Qt::flush;
        return 0;
    }
    if (action == QLatin1String("simulate")) {
        p.setApplicationDescription(QStringLiteral(
            "Run scripted participants through the study (flagged simulated; left out of analyses by default). "
            "Each answer is committed before the next trial, as in the participant window."));
        p.addOption({ QStringLiteral("participants"), QStringLiteral("How many (default 1)."), QStringLiteral("n"),
            QStringLiteral("1") });
        p.addOption({ QStringLiteral("accuracy"), QStringLiteral("Probability of a correct answer (default 0.7)."),
            QStringLiteral("p"), QStringLiteral("0.7") });
        p.addOption({ QStringLiteral("seed"), QStringLiteral("Seed of the scripted answers."), QStringLiteral("n"),
            QStringLiteral("1") });
        p.addOption({ QStringLiteral("accuracy-by-source"),
            QStringLiteral("Accuracy on trials testing these generators, e.g. sdxl=0.55,dalle3=0.8."),
            QStringLiteral("list") });
        p.addOption({ QStringLiteral("accuracy-by-category"),
            QStringLiteral("Accuracy on trials of these categories, e.g. faces=0.5,animals=0.8 (overrides by-source)."),
            QStringLiteral("list") });
        p.addOption({ QStringLiteral("lapse"), QStringLiteral("Probability of a random answer (default 0)."),
            QStringLiteral("p"), QStringLiteral("0") });
        p.addOption({ QStringLiteral("rt-median"), QStringLiteral("Median response time in ms (default 1500)."),
            QStringLiteral("ms"), QStringLiteral("1500") });
        p.addOption({ QStringLiteral("rt-sigma"),
            QStringLiteral("Log-normal response-time spread (natural-log units, e.g. 0.4; default 0: uniform "
                           "0.5-1.5 x median)."),
            QStringLiteral("s"), QStringLiteral("0") });
        p.addOption({ QStringLiteral("code"), QStringLiteral("Participant code (default: generated)."),
            QStringLiteral("code") });
        p.addOption({ QStringLiteral("station"), QStringLiteral("Station name."), QStringLiteral("name"),
            QStringLiteral("script") });
        p.addOption({ QStringLiteral("stop-after"), QStringLiteral("Answer this many trials, then leave it open."),
            QStringLiteral("n"), QStringLiteral("-1") });
        p.addOption({ QStringLiteral("delay-ms"), QStringLiteral("Pause after each committed answer."),
            QStringLiteral("ms"), QStringLiteral("0") });
        p.addOption({ QStringLiteral("resume"), QStringLiteral("Resume this unfinished session instead."),
            QStringLiteral("session") });
        p.addOption({ QStringLiteral("take-over"),
            QStringLiteral("With --resume: take the session over from a station that has not been heard from for a "
                           "minute (it died).") });
        p.addOption(
            { QStringLiteral("print-commits"), QStringLiteral("Print 'committed <trial>' after each answer.") });
        p.addOption({ QStringLiteral("journal"),
            QStringLiteral("Server studies: the station's journal, where answers are committed before they are sent "
                           "(default: one per server in the user's application data folder)."),
            QStringLiteral("file") });
        p.addOption({ QStringLiteral("wait-server"),
            QStringLiteral("Server studies: how long to wait for an unreachable server before a new session, and "
                           "for the journal to be delivered at the end (seconds, default 120)."),
            QStringLiteral("s"), QStringLiteral("120") });
        int code = 0;
        if (!parse(p, rest, code))
            return code;
        auto db = openDb(p, StudyDatabase::OpenMode::ExistingOnly);
        if (!db)
            return fail(db.error());
        ScriptedParticipant script;
        bool ok = true;
        script.accuracy = p.value(QStringLiteral("accuracy")).toDouble(&ok);
        if (!ok)
            return usage(p, QStringLiteral("--accuracy must be a number"));
        script.seed = p.value(QStringLiteral("seed")).toULongLong(&ok);
        if (!ok)
            return usage(p, QStringLiteral("--seed must be a whole number"));
        for (const auto& [flag, map] : { std::pair { "accuracy-by-source", &script.accuracyBySource },
                 std::pair { "accuracy-by-category", &script.accuracyByCategory } }) {
            const auto parsed = shareList(p.value(QLatin1String(flag)), QLatin1String(flag));
            if (!parsed)
                return usage(p, parsed.error());
            *map = parsed.value();
        }
        const auto lapse = numberOption(p, "lapse", 0, 1);
        const auto rtMedian = numberOption(p, "rt-median", 1, 600000);
        const auto rtSigma = numberOption(p, "rt-sigma", 0, 5);
        for (const auto* r : { &lapse, &rtMedian, &rtSigma }) {
            if (!*r)
                return usage(p, r->error());
        }
        script.lapseRate = lapse.value();
        script.meanRtMs = rtMedian.value();
        script.rtSigma = rtSigma.value();
        script.stopAfter = p.value(QStringLiteral("stop-after")).toInt(&ok);
        if (!ok)
            return usage(p, QStringLiteral("--stop-after must be a whole number"));
        script.delayMs = p.value(QStringLiteral("delay-ms")).toInt(&ok);
        if (!ok || script.delayMs < 0)
            return usage(p, QStringLiteral("--delay-ms must be a whole number >= 0"));
        const int participants = p.value(QStringLiteral("participants")).toInt(&ok);
        if (!ok || participants < 1)
            return usage(p, QStringLiteral("--participants must be at least 1"));
        const int waitServer = p.value(QStringLiteral("wait-server")).toInt(&ok);
        if (!ok || waitServer < 0)
            return usage(p, QStringLiteral("--wait-server must be a whole number of seconds >= 0"));
        // On a server study each answer is committed to the station's journal first and sent by the outbox.
        std::unique_ptr<StationOutbox> outbox;
        if (StudyDatabase::isServerLocation(db.value()->path())) {
            auto opened = StationOutbox::open(db.value()->path(), p.value(QStringLiteral("journal")));
            if (!opened)
                return fail(opened.error());
            outbox = std::move(opened).value();
        } else if (p.isSet(QStringLiteral("journal"))) {
            return usage(p, QStringLiteral("--journal is for studies on a server; a study file is written directly"));
        }
        // A new session needs the server (it hands out the participant index): wait for it, retrying
        // with the same key so that a creation whose reply was lost is not made twice.
        auto withServer = [&](auto attempt) -> decltype(attempt()) {
            for (int waited = 0;; ++waited) {
                auto result = attempt();
                // A server that answers refused for good; one that does not may be back soon.
                if (result || !outbox || waited >= waitServer || db.value()->ping())
                    return result;
                (void)db.value()->reconnectIfLost();
                if (waited == 0)
                    err() << "waiting for the study server: " << result.error() << Qt::endl;
                QThread::sleep(1);
            }
        };
        const bool printCommits = p.isSet(QStringLiteral("print-commits"));
        auto onCommitted = [printCommits](int trialIndex) {
            if (printCommits)
                out() << "committed " << trialIndex << Qt::endl;
        };

        std::vector<SessionPlan> plans;
        if (p.isSet(QStringLiteral("resume"))) {
            auto plan = withServer([&] {
                return loadSession(*db.value(), p.value(QStringLiteral("resume")).toLongLong(),
                    p.value(QStringLiteral("station")), p.isSet(QStringLiteral("take-over")), outbox.get());
            });
            if (!plan)
                return fail(plan.error());
            if (plan->session.state != SessionState::Open)
                return fail(QStringLiteral("session %1 is %2, not open")
                                .arg(plan->session.id)
                                .arg(sessionStateName(plan->session.state)));
            plans.push_back(std::move(plan).value());
        }
        // Sessions start one after the other, as participants sit down: each when the one before is done.
        auto study = plans.empty() ? findStudy(*db.value(), p.value(QStringLiteral("study")))
                                   : Result<StoredStudy>(plans.front().study);
        if (!study)
            return fail(study.error());
        const int total = plans.empty() ? participants : 1;
        for (int i = 0; i < total; ++i) {
            if (plans.size() <= static_cast<std::size_t>(i)) {
                const QString code = participants == 1 ? p.value(QStringLiteral("code")) : QString();
                const QString key = QUuid::createUuid().toString(QUuid::WithoutBraces);
                auto plan = withServer([&] {
                    return startSession(*db.value(), study->id, code, p.value(QStringLiteral("station")), true, key);
                });
                if (!plan)
                    return fail(plan.error());
                plans.push_back(std::move(plan).value());
            }
            SessionPlan& plan = plans[static_cast<std::size_t>(i)];
            out()
                << QStringLiteral("session %1 participant %2\n").arg(plan.session.id).arg(plan.session.participantCode)
                << Qt::flush;
            const auto run = runScriptedParticipant(*db.value(), plan, script, onCommitted, outbox.get());
            if (!run)
                return fail(run.error());
            out() << QStringLiteral("session %1: %2 answer(s) committed, %3\n")
                         .arg(run->sessionId)
                         .arg(run->answered)
                         .arg(run->finished ? QStringLiteral("finished") : QStringLiteral("left open"))
                  << Qt::flush;
        }
        if (outbox) {
            if (!outbox->waitUntilDelivered(waitServer * 1000)) {
                const StationOutbox::State state = outbox->state();
                out() << QStringLiteral("%1 answer(s) and %2 other entries wait at this station in %3; they are "
                                        "sent when the server answers (ntt station sync)%4\n")
                             .arg(state.backlog.pendingAnswers)
                             .arg(state.backlog.pendingOther)
                             .arg(outbox->journal().path())
                             .arg(state.connectionError.isEmpty() ? QString()
                                                                  : QStringLiteral(": ") + state.connectionError)
                      << Qt::flush;
                return 0;
            }
            const StationOutbox::State state = outbox->state();
            if (state.backlog.refused > 0)
                return fail(QStringLiteral("the server refused %1 entr(ies) of this station's journal %2:\n  %3")
                                .arg(state.backlog.refused)
                                .arg(outbox->journal().path(), state.backlog.refusals.join(QStringLiteral("\n  "))));
            out() << "every answer is on the server\n" << Qt::flush;
        }
        // Models that answered the study answer the new trials too, from their stored predictions.
        if (!plans.empty()) {
            const auto answered = answerNewTrials(*db.value(), plans.front().study.id);
            if (!answered)
                return fail(answered.error());
            if (answered.value() > 0)
                out() << QStringLiteral("model answers brought up to date: %1\n").arg(answered.value()) << Qt::flush;
        }
        return 0;
    }
    err() << "usage: ntt session list|simulate --db <file> ...\n";
    return 2;
}

} // namespace ntt::cli
