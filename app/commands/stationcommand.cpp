// `ntt station`: see commands.h and `ntt station --help`.

#include "commands/commandoptions.h"
#include "commands/commands.h"
#include "stationoutbox.h"
#include "studydatabase.h"

namespace ntt::cli {

namespace {

void printBacklog(const QString& journalPath, const StationJournal::Backlog& b)
{
    out() << QStringLiteral("journal %1\n").arg(journalPath)
          << QStringLiteral("waiting to be sent: %1 answer(s), %2 other entries%3\n")
                 .arg(b.pendingAnswers)
                 .arg(b.pendingOther)
                 .arg(b.oldestPendingUtc.isValid()
                         ? QStringLiteral(" (oldest written %1 UTC)")
                               .arg(b.oldestPendingUtc.toString(QStringLiteral("yyyy-MM-dd HH:mm:ss")))
                         : QString());
    if (!b.lastError.isEmpty())
        out() << QStringLiteral("last attempt failed: %1\n").arg(b.lastError);
    out() << QStringLiteral("refused by the server: %1\n").arg(b.refused);
    for (const QString& refusal : b.refusals)
        out() << "  " << refusal << '\n';
    out() << Qt::flush;
}

} // namespace

int cmdStation(const QStringList& args)
{
    const QString action = args.size() > 1 ? args.at(1) : QString();
    QCommandLineParser p;
    p.addOption({ QStringLiteral("db"), QStringLiteral("The study's server: postgresql://USER@HOST[:PORT]/DATABASE."),
        QStringLiteral("url") });
    p.addOption({ QStringLiteral("journal"),
        QStringLiteral("The station's journal (default: the one this user's stations keep for that server)."),
        QStringLiteral("file") });
    if (action == QLatin1String("status") || action == QLatin1String("sync")) {
        p.setApplicationDescription(action == QLatin1String("status")
                ? QStringLiteral("What this station's journal holds that the server does not have yet (read from the "
                                 "journal alone: works while the server is down).")
                : QStringLiteral("Sends what this station's journal holds to the server now, in the order it was "
                                 "written; entries the server has already are not stored twice."));
        int code = 0;
        if (!parse(p, args.mid(1), code))
            return code;
        const QString server = p.value(QStringLiteral("db"));
        if (!StudyDatabase::isServerLocation(server))
            return usage(p,
                QStringLiteral("--db must be a server address (postgresql://...); a study file has no "
                               "station journal"));
        const QString path = p.isSet(QStringLiteral("journal")) ? p.value(QStringLiteral("journal"))
                                                                : StationJournal::defaultPath(server);
        auto journal = StationJournal::open(path);
        if (!journal)
            return fail(journal.error());
        if (action == QLatin1String("sync")) {
            auto db = StudyDatabase::open(server, StudyDatabase::OpenMode::ExistingOnly);
            if (!db)
                return fail(db.error());
            int delivered = 0;
            for (;;) {
                const auto sent = StationOutbox::deliver(*journal.value(), *db.value());
                if (!sent)
                    return fail(sent.error());
                if (sent.value() == 0)
                    break;
                delivered += sent.value();
            }
            out() << QStringLiteral("sent %1 entr(ies) to %2\n").arg(delivered).arg(db.value()->path());
        }
        const auto backlog = journal.value()->backlog(server);
        if (!backlog)
            return fail(backlog.error());
        printBacklog(path, backlog.value());
        return backlog->refused > 0 && action == QLatin1String("sync") ? 1 : 0;
    }
    err() << "usage: ntt station status|sync --db postgresql://... [--journal FILE]\n";
    return 2;
}

} // namespace ntt::cli
