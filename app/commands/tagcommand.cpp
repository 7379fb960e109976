// `ntt tag`: see commands.h and `ntt tag --help`.

#include "commands/commandoptions.h"
#include "commands/commands.h"
#include "studyexports.h"
#include "studyfile.h"

namespace ntt::cli {

int cmdTag(const QStringList& args)
{
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral(
        "Tags and notes on pool images (\"artefact in hands\", \"drawing, not photo\"), kept in the study file, "
        "filterable in the browser and included in the per-image exports. Without --add, --remove or --note: prints "
        "the image's tags and note."));
    p.addOption(dbOption());
    p.addOption({ QStringLiteral("image"), QStringLiteral("Pool image id."), QStringLiteral("id") });
    p.addOption({ QStringLiteral("add"), QStringLiteral("Add this tag."), QStringLiteral("tag") });
    p.addOption({ QStringLiteral("remove"), QStringLiteral("Remove this tag."), QStringLiteral("tag") });
    p.addOption({ QStringLiteral("note"), QStringLiteral("Set the note (empty deletes it)."), QStringLiteral("text") });
    int code = 0;
    if (!parse(p, args, code))
        return code;
    bool ok = false;
    const qint64 imageId = p.value(QStringLiteral("image")).toLongLong(&ok);
    if (!ok || imageId <= 0)
        return usage(p, QStringLiteral("--image \"%1\" must be a pool image id").arg(p.value(QStringLiteral("image"))));
    auto db = openDb(p, StudyDatabase::OpenMode::ExistingOnly);
    if (!db)
        return fail(db.error());
    const auto pool = db.value()->poolImages();
    if (!pool)
        return fail(pool.error());
    const auto image
        = std::find_if(pool->begin(), pool->end(), [imageId](const PoolImage& i) { return i.id == imageId; });
    if (image == pool->end())
        return fail(QStringLiteral("%1: no pool image has the id %2").arg(db.value()->path()).arg(imageId));
    for (const QString& tag : p.values(QStringLiteral("add"))) {
        if (const Status s = db.value()->addImageTag(imageId, tag); !s)
            return fail(s.error());
    }
    for (const QString& tag : p.values(QStringLiteral("remove"))) {
        if (const Status s = db.value()->removeImageTag(imageId, tag); !s)
            return fail(s.error());
    }
    if (p.isSet(QStringLiteral("note"))) {
        if (const Status s = db.value()->setImageNote(imageId, p.value(QStringLiteral("note"))); !s)
            return fail(s.error());
    }
    const auto tags = db.value()->imageTags();
    const auto notes = db.value()->imageNotes();
    if (!tags || !notes)
        return fail(!tags ? tags.error() : notes.error());
    out() << QStringLiteral("image %1 (%2)\ntags: %3\nnote: %4\n")
                 .arg(imageId)
                 .arg(image->path, tags->value(imageId).join(QStringLiteral("; ")), notes->value(imageId))
          << Qt::flush;
    return 0;
}

} // namespace ntt::cli
