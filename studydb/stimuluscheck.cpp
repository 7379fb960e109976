#include "stimuluscheck.h"

#include "pool/imagefileinfo.h"
#include "study/stimulus.h"
#include "studydatabase.h"
#include "studyfile.h"

#include <QDateTime>
#include <QFile>
#include <QFileInfo>

namespace ntt {
namespace {

enum class FileState { Right, Missing, Changed };

struct Checked
{
    FileState state = FileState::Right;
    QString actualSha256; ///< when Changed
};

// Size and time stamp first; the hash only where they differ from the last verification.
Result<Checked> checkFile(StudyDatabase& db, const QString& path, const QString& sha256, StimulusCheck& tally)
{
    const QFileInfo info(path);
    if (!info.isFile())
        return Checked { FileState::Missing, {} };
    const StudyDatabase::VerifiedFile now { sha256, info.size(), info.lastModified().toMSecsSinceEpoch() };
    const auto last = db.verifiedFile(path);
    if (!last)
        return Error { last.error() };
    if (last->sha256 == sha256 && last->size == now.size && last->modifiedMs == now.modifiedMs)
        return Checked {};
    ++tally.hashed;
    const QString actual = fileSha256(path);
    if (actual.isEmpty())
        return Checked { FileState::Missing, {} };
    if (actual != sha256)
        return Checked { FileState::Changed, actual };
    if (const Status s = db.recordVerifiedFile(path, now); !s)
        return Error { s.error() };
    return Checked {};
}

QString describe(const QString& path, const Checked& c, const QString& expected)
{
    if (c.state == FileState::Missing)
        return QStringLiteral("%1: missing or unreadable").arg(path);
    return QStringLiteral("%1: changed since the study was made (SHA-256 %2, the study's is %3)")
        .arg(path, c.actualSha256.left(12), expected.left(12));
}

} // namespace

bool studyDrawsOn(const StudyDefinition& definition, const PoolImage& image)
{
    return (definition.sources.isEmpty() || definition.sources.contains(image.source))
        && (definition.categories.isEmpty() || definition.categories.contains(image.category));
}

Result<ShownFiles> studyShownFiles(const StudyDatabase& db, qint64 studyId)
{
    const auto study = db.study(studyId);
    if (!study)
        return Error { study.error() };
    const auto images = db.studyImages(studyId);
    if (!images)
        return Error { images.error() };
    const auto files = db.stimulusFiles(studyId);
    if (!files)
        return Error { files.error() };
    ShownFiles shown { study->definition, {} };
    for (const PoolImage& image : images.value()) {
        if (!studyDrawsOn(shown.definition, image))
            continue;
        const StudyDatabase::StimulusFile file = files->value(image.id);
        shown.files.push_back(ShownFile { image, file.path, file.sha256 });
    }
    return shown;
}

Result<StimulusCheck> checkStudyStimuli(
    StudyDatabase& db, qint64 studyId, const CancelToken& cancel, const ProgressFn& progress)
{
    const auto all = studyShownFiles(db, studyId);
    if (!all)
        return Error { all.error() };
    const StudyDefinition& d = all->definition;

    StimulusCheck check;
    QStringList problems;
    const auto total = static_cast<qint64>(all->files.size());
    for (const ShownFile& file : all->files) {
        const PoolImage& image = file.image;
        if (cancel.isCancelled())
            return Error { QStringLiteral("checking the stimuli of study \"%1\" cancelled").arg(d.name) };
        ++check.files;
        if (progress)
            progress(check.files, total, image.relativePath);
        const StudyDatabase::StimulusFile shown { file.path, file.sha256 };
        const auto state = checkFile(db, shown.path, shown.sha256, check);
        if (!state)
            return Error { state.error() };
        if (state->state == FileState::Right)
            continue;
        const bool isCopy = QFileInfo(shown.path).absoluteFilePath() != QFileInfo(image.path).absoluteFilePath();
        if (!isCopy) {
            problems << describe(shown.path, state.value(), shown.sha256);
            continue;
        }
        // A copy of ours: made again from the original, once the original is verified.
        const auto original = checkFile(db, image.path, image.sha256, check);
        if (!original)
            return Error { original.error() };
        if (original->state != FileState::Right) {
            problems << QStringLiteral("%1, and its original %2")
                            .arg(describe(shown.path, state.value(), shown.sha256),
                                describe(image.path, original.value(), image.sha256));
            continue;
        }
        if (state->state == FileState::Changed && !QFile::remove(shown.path)) {
            problems << QStringLiteral("%1; it cannot be removed to be made again").arg(shown.path);
            continue;
        }
        const auto made = makeStudyStimuli(
            { image }, d.normalisation, d.background, QFileInfo(shown.path).absolutePath(), cancel, {});
        if (!made)
            return Error { QStringLiteral("study \"%1\": rebuilding %2: %3").arg(d.name, shown.path, made.error()) };
        if (made->size() != 1)
            return Error { QStringLiteral("study \"%1\": %2 is a copy of %3, which has no transparency to flatten; "
                                          "the study was made from another file")
                               .arg(d.name, shown.path, image.path) };
        const NormalisedStimulus& copy = made->front();
        if (copy.path != shown.path || copy.sha256 != shown.sha256) {
            // Another encoder build can write other bytes for the same picture: record what is there now.
            if (const Status s = db.replaceStimulus(studyId, image.id, copy.path, copy.sha256); !s)
                return Error { s.error() };
        }
        const QFileInfo written(copy.path);
        if (const Status s = db.recordVerifiedFile(
                copy.path, { copy.sha256, written.size(), written.lastModified().toMSecsSinceEpoch() });
            !s)
            return Error { s.error() };
        check.rebuilt << copy.path;
    }
    if (!problems.isEmpty()) {
        const qsizetype shownCount = std::min<qsizetype>(problems.size(), 10);
        QString list = problems.mid(0, shownCount).join(QStringLiteral("\n  "));
        if (problems.size() > shownCount)
            list += QStringLiteral("\n  ... and %1 more").arg(problems.size() - shownCount);
        const QString remedy = db.stimulusCacheFolder().isEmpty()
            ? QStringLiteral("Restore them (or the pool folder, where it was imported from), or make a new study from "
                             "the pool as it is now.")
            : QStringLiteral("This station has not fetched them: run `ntt station prepare --db %1` (the GUI does "
                             "it before a session starts).")
                  .arg(db.path());
        return Error { QStringLiteral(
            "study \"%1\": %2 of its %3 stimuli are not the files it was made with:\n  %4\n%5")
                           .arg(d.name)
                           .arg(problems.size())
                           .arg(check.files)
                           .arg(list, remedy) };
    }
    return check;
}

} // namespace ntt
