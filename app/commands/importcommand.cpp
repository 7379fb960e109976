// `ntt import`: see commands.h and `ntt import --help`.

#include "commands/commandoptions.h"
#include "commands/commands.h"
#include "pool/shortcutaudit.h"
#include "studyexports.h"
#include "studyfile.h"

namespace ntt::cli {

int cmdImport(const QStringList& args)
{
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral(
        "Import images into the study file's pool from a folder tree <root>/<source>/[<category>/]<file>, a CSV "
        "manifest (path,source,category,pair_key,split), or the CIFAKE or GenImage layouts."));
    p.addOption(dbOption());
    p.addOption({ QStringLiteral("layout"), QStringLiteral("auto (default), tree, manifest, cifake or genimage."),
        QStringLiteral("layout"), QStringLiteral("auto") });
    p.addOption({ QStringLiteral("real-source"),
        QStringLiteral("Which source is real (default: one named real, human or nature)."), QStringLiteral("name") });
    p.addPositionalArgument(QStringLiteral("location"), QStringLiteral("Folder or manifest .csv to import."));
    int code = 0;
    if (!parse(p, args, code))
        return code;
    if (p.positionalArguments().size() != 1)
        return usage(p, QStringLiteral("give exactly one folder or manifest to import"));
    const auto layout = poolLayoutFromName(p.value(QStringLiteral("layout")));
    if (!layout)
        return usage(p, QStringLiteral("unknown layout \"%1\"").arg(p.value(QStringLiteral("layout"))));
    auto db = openDb(p, StudyDatabase::OpenMode::CreateIfMissing);
    if (!db)
        return fail(db.error());
    ImportOptions options;
    options.location = p.positionalArguments().constFirst();
    options.layout = *layout;
    options.realSource = p.value(QStringLiteral("real-source"));
    CancelToken cancel;
    const auto outcome = importPool(*db.value(), options, cancel, progressPrinter());
    if (!outcome)
        return fail(outcome.error());
    out() << formatImportReport(outcome->report);
    out() << QStringLiteral("stored in %1: %2 new image(s), %3 already in the pool\n\n")
                 .arg(db.value()->path())
                 .arg(outcome->stored.added)
                 .arg(outcome->stored.alreadyPresent);
    for (const QString& conflict : outcome->stored.labelConflicts)
        err() << "warning: label conflict: " << conflict << Qt::endl;
    out() << formatShortcutAudit(outcome->audit) << Qt::flush;
    return 0;
}

} // namespace ntt::cli
