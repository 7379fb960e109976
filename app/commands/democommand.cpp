// `ntt demo`: see commands.h and `ntt demo --help`.

#include "commands/commandoptions.h"
#include "commands/commands.h"
#include "studyexports.h"
#include "studyfile.h"

namespace ntt::cli {

int cmdDemo(const QStringList& args)
{
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral("Create the synthetic demo: pool files, study file and a ready study."));
    p.addOption({ QStringLiteral("out"), QStringLiteral("Folder to create the demo in."), QStringLiteral("dir") });
    int code = 0;
    if (!parse(p, args, code))
        return code;
    if (!p.isSet(QStringLiteral("out")))
        return usage(p, QStringLiteral("--out <dir> is required"));
    CancelToken cancel;
    const auto demo = ensureDemoStudy(p.value(QStringLiteral("out")), cancel, progressPrinter());
    if (!demo)
        return fail(demo.error());
    out() << (demo->created ? "created " : "already there: ") << demo->databasePath << " (SYNTHETIC demo study, id "
          << demo->studyId << ")" << Qt::endl;
    return 0;
}

} // namespace ntt::cli
