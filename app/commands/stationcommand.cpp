// `ntt station`: see commands.h and `ntt station --help`.

#include "commands/commandoptions.h"
#include "commands/commands.h"
#include "stationoutbox.h"
#include "stimulusstore.h"
#include "studydatabase.h"
#include "studyfile.h"

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

// --db as a server address: a study file has no journal and nothing to prepare.
Result<QString> serverAddress(const QCommandLineParser& p, const QString& why)
{
    const QString server = p.value(QStringLiteral("db"));
    if (!StudyDatabase::isServerLocation(server))
        return Error { QStringLiteral("--db must be a server address (postgresql://...): %1").arg(why) };
    return server;
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
        const auto address = serverAddress(p, QStringLiteral("a study file has no station journal"));
        if (!address)
            return usage(p, address.error());
        const QString server = address.value();
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
    if (action == QLatin1String("prepare")) {
        p.setApplicationDescription(QStringLiteral(
            "Makes the image files of the server study's studies available on this computer before participants sit "
            "down: files already here are verified by SHA-256, the others fetched from the server and verified."));
        p.addOption(studyOption());
        int code = 0;
        if (!parse(p, args.mid(1), code))
            return code;
        const auto address = serverAddress(p, QStringLiteral("a study file's images are where it recorded them"));
        if (!address)
            return usage(p, address.error());
        auto db = StudyDatabase::open(address.value(), StudyDatabase::OpenMode::ExistingOnly);
        if (!db)
            return fail(db.error());
        std::vector<StoredStudy> studies;
        if (p.isSet(QStringLiteral("study"))) {
            auto one = findStudy(*db.value(), p.value(QStringLiteral("study")));
            if (!one)
                return fail(one.error());
            studies.push_back(std::move(one).value());
        } else {
            auto all = db.value()->studies();
            if (!all)
                return fail(all.error());
            studies = std::move(all).value();
        }
        CancelToken cancel;
        for (const StoredStudy& study : studies) {
            const auto t = prepareStation(*db.value(), study.id, cancel, progressPrinter());
            if (!t)
                return fail(t.error());
            out() << QStringLiteral("study \"%1\": %2 image files ready (%3 here already and verified, %4 fetched, "
                                    "%5 MB) in %6\n")
                         .arg(study.definition.name)
                         .arg(t->files)
                         .arg(t->present)
                         .arg(t->transferred)
                         .arg(double(t->bytes) / 1e6, 0, 'f', 1)
                         .arg(db.value()->stimulusCacheFolder())
                  << Qt::flush;
        }
        return 0;
    }
    err() << "usage: ntt station status|sync|prepare --db postgresql://... [--journal FILE] [--study S]\n";
    return 2;
}

} // namespace ntt::cli
