// `ntt study`: see commands.h and `ntt study --help`.

#include "commands/commandoptions.h"
#include "commands/commands.h"
#include "stimulusstore.h"
#include "studyexports.h"
#include "studyfile.h"

#include <QFile>

namespace ntt::cli {

int cmdStudy(const QStringList& args)
{
    const QString action = args.size() > 1 ? args.at(1) : QString();
    QStringList rest = args.mid(1);
    QCommandLineParser p;
    p.addOption(dbOption());
    if (action == QLatin1String("create")) {
        p.setApplicationDescription(QStringLiteral("Create a study from a JSON definition."));
        p.addPositionalArgument(QStringLiteral("definition"), QStringLiteral("Study definition (.json)."));
        int code = 0;
        if (!parse(p, rest, code))
            return code;
        if (p.positionalArguments().size() != 1)
            return usage(p, QStringLiteral("give one study definition file"));
        const QString file = p.positionalArguments().constFirst();
        QFile f(file);
        if (!f.open(QIODevice::ReadOnly))
            return fail(QStringLiteral("%1: cannot read: %2").arg(file, f.errorString()));
        const auto definition = parseStudyDefinition(f.readAll(), file);
        if (!definition)
            return fail(definition.error());
        auto db = openDb(p, StudyDatabase::OpenMode::ExistingOnly);
        if (!db)
            return fail(db.error());
        CancelToken cancel;
        const auto created = createStudy(*db.value(), definition.value(), cancel, progressPrinter());
        if (!created)
            return fail(created.error());
        out() << QStringLiteral("created study \"%1\" (id %2)\n")
                     .arg(created->study.definition.name)
                     .arg(created->study.id);
        for (const QString& w : created->warnings)
            out() << "warning: " << w << "\n";
        out() << Qt::flush;
        return 0;
    }
    if (action == QLatin1String("list")) {
        int code = 0;
        if (!parse(p, rest, code))
            return code;
        auto db = openDb(p, StudyDatabase::OpenMode::ExistingOnly);
        if (!db)
            return fail(db.error());
        const auto studies = db.value()->studies();
        if (!studies)
            return fail(studies.error());
        for (const StoredStudy& s : studies.value()) {
            const StudyDefinition& d = s.definition;
            out() << QStringLiteral("%1\t%2\t%3, %4 way(s), %5 trials + %6 practice + %7 catch per participant\n")
                         .arg(s.id)
                         .arg(d.name, trialTypeName(d.trialType))
                         .arg(d.ways)
                         .arg(d.trialsPerParticipant)
                         .arg(d.practiceTrials)
                         .arg(d.catchTrials);
        }
        out() << Qt::flush;
        return 0;
    }
    if (action == QLatin1String("show")) {
        p.addOption(studyOption());
        int code = 0;
        if (!parse(p, rest, code))
            return code;
        const auto opened = openStudy(p);
        if (!opened)
            return fail(opened.error());
        out() << studyDefinitionToJson(opened->study.definition) << Qt::flush;
        return 0;
    }
    if (action == QLatin1String("check")) {
        p.setApplicationDescription(QStringLiteral(
            "Check that every file a study shows is the file it was made with (size and time stamp, then SHA-256 "
            "where they changed), and make missing or changed normalised copies again from their originals. "
            "Sessions and model runs do the same before they start."));
        p.addOption(studyOption());
        int code = 0;
        if (!parse(p, rest, code))
            return code;
        const auto opened = openStudy(p);
        if (!opened)
            return fail(opened.error());
        const StoredStudy& study = opened->study;
        CancelToken cancel;
        const auto checked = checkStudyStimuli(*opened->db, study.id, cancel, progressPrinter());
        if (!checked)
            return fail(checked.error());
        out() << QStringLiteral("study \"%1\": %2 stimuli are the files it was made with (%3 hashed, the others "
                                "unchanged since they were last verified)")
                     .arg(study.definition.name)
                     .arg(checked->files)
                     .arg(checked->hashed);
        if (!checked->rebuilt.isEmpty())
            out() << QStringLiteral("; %1 copies made again from their originals:\n  %2")
                         .arg(checked->rebuilt.size())
                         .arg(checked->rebuilt.join(QStringLiteral("\n  ")));
        out() << "\n" << Qt::flush;
        return 0;
    }
    if (action == QLatin1String("publish")) {
        p.setApplicationDescription(QStringLiteral(
            "Copy a study file, everything in it, to a new, empty PostgreSQL database, so that stations share it "
            "there. The file is left as it was. The password comes from PGPASSWORD or ~/.pgpass."));
        p.addOption({ QStringLiteral("server"), QStringLiteral("postgresql://USER@HOST[:PORT]/DATABASE"),
            QStringLiteral("address") });
        int code = 0;
        if (!parse(p, rest, code))
            return code;
        const QString server = p.value(QStringLiteral("server"));
        if (!StudyDatabase::isServerLocation(server))
            return usage(p, QStringLiteral("give --server postgresql://USER@HOST[:PORT]/DATABASE"));
        auto file = openDb(p, StudyDatabase::OpenMode::ExistingOnly);
        if (!file)
            return fail(file.error());
        auto target = StudyDatabase::open(server);
        if (!target)
            return fail(target.error());
        CancelToken cancel;
        const auto published = publishStudy(*file.value(), *target.value(), cancel, progressPrinter());
        if (!published)
            return fail(published.error());
        out() << QStringLiteral("published %1 to %2 with the %3 image files its studies show (%4 MB stored now)\n"
                                "stations: ntt station prepare --db %2, then open the study with --db %2\n")
                     .arg(file.value()->path(), target.value()->path())
                     .arg(published->files)
                     .arg(double(published->bytes) / 1e6, 0, 'f', 1)
              << Qt::flush;
        return 0;
    }
    err() << "usage: ntt study create|list|show|check|publish --db <file> ...\n";
    return 2;
}

} // namespace ntt::cli
