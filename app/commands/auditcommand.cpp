// `ntt audit`: see commands.h and `ntt audit --help`.

#include "commands/commandoptions.h"
#include "commands/commands.h"
#include "pool/shortcutaudit.h"
#include "studyexports.h"
#include "studyfile.h"

namespace ntt::cli {

int cmdAudit(const QStringList& args)
{
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral("Shortcut audit: file properties that separate real from generated."));
    p.addOption(dbOption());
    int code = 0;
    if (!parse(p, args, code))
        return code;
    auto db = openDb(p, StudyDatabase::OpenMode::ExistingOnly);
    if (!db)
        return fail(db.error());
    const auto audit = auditStoredPool(*db.value());
    if (!audit)
        return fail(audit.error());
    out() << formatShortcutAudit(audit.value()) << Qt::flush;
    return 0;
}

} // namespace ntt::cli
