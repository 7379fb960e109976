// `ntt backup`: see commands.h and `ntt backup --help`.

#include "commands/commandoptions.h"
#include "commands/commands.h"
#include "studybackup.h"

namespace ntt::cli {

int cmdBackup(const QStringList& args)
{
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral(
        "A consistent copy of a study file, safe to take while sessions run (SQLite's online backup API): every "
        "committed answer is in it, including those not yet moved out of the -wal file."));
    p.addOption(dbOption());
    p.addOption(
        { QStringLiteral("out"), QStringLiteral("The copy to write (must not exist)."), QStringLiteral("file") });
    int code = 0;
    if (!parse(p, args, code))
        return code;
    const QString source = p.value(QStringLiteral("db"));
    const QString copy = p.value(QStringLiteral("out"));
    if (source.isEmpty() || copy.isEmpty())
        return usage(p, QStringLiteral("give --db <study file> and --out <copy>"));
    if (const Status s = backupStudyFile(source, copy); !s)
        return fail(s.error());
    out() << QStringLiteral("copied %1 to %2 (integrity check ok)\n").arg(source, copy) << Qt::flush;
    return 0;
}

} // namespace ntt::cli
