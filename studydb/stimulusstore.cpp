#include "stimulusstore.h"

#include "pool/imagedecode.h"
#include "pool/imagefileinfo.h"
#include "stimuluscheck.h"
#include "studydatabase.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFileInfo>
#include <QSaveFile>

#include <vector>

namespace ntt {

Result<StimulusTransfer> uploadStudyFiles(const StudyDatabase& source, qint64 studyId, StudyDatabase& db,
    const CancelToken& cancel, const ProgressFn& progress)
{
    const auto shown = studyShownFiles(source, studyId);
    if (!shown)
        return Error { shown.error() };
    auto stored = db.storedStimulusFiles();
    if (!stored)
        return Error { stored.error() };
    StimulusTransfer t;
    for (const ShownFile& file : shown->files) {
        if (cancel.isCancelled())
            return Error { QStringLiteral("storing the study's image files on the server cancelled") };
        ++t.files;
        if (progress)
            progress(t.files, static_cast<qint64>(shown->files.size()), file.image.relativePath);
        if (stored->contains(file.sha256)) {
            ++t.present;
            continue;
        }
        const auto read = readFileBytes(file.path);
        if (!read)
            return Error { QStringLiteral("%1 (the study shows it; publish from the computer that holds the study's "
                                          "files)")
                               .arg(read.error()) };
        if (read->sha256 != file.sha256)
            return Error { QStringLiteral("%1 is not the file the study was made with (SHA-256 %2, the study's is %3); "
                                          "run `ntt study check` to restore it before publishing")
                               .arg(file.path, read->sha256.left(12), file.sha256.left(12)) };
        const QString suffix = QFileInfo(file.path).suffix().toLower();
        if (const Status s = db.storeStimulusFile(file.sha256, suffix, read->bytes); !s)
            return Error { s.error() };
        stored->insert(file.sha256);
        ++t.transferred;
        t.bytes += read->bytes.size();
    }
    return t;
}

Result<StimulusTransfer> prepareStation(
    StudyDatabase& db, qint64 studyId, const CancelToken& cancel, const ProgressFn& progress)
{
    const QString cache = db.stimulusCacheFolder();
    if (cache.isEmpty())
        return Error { QStringLiteral("%1 is a study file: its image files are where it recorded them, nothing to "
                                      "prepare")
                           .arg(db.path()) };
    if (!QDir().mkpath(cache))
        return Error { QStringLiteral("%1: cannot create the folder for the study's image files").arg(cache) };
    const auto shown = studyShownFiles(db, studyId);
    if (!shown)
        return Error { shown.error() };
    StimulusTransfer t;
    for (const ShownFile& file : shown->files) {
        if (cancel.isCancelled())
            return Error { QStringLiteral("preparing the station cancelled") };
        ++t.files;
        if (progress)
            progress(t.files, static_cast<qint64>(shown->files.size()), file.image.relativePath);
        if (QFileInfo(file.path).isFile() && fileSha256(file.path) == file.sha256) {
            ++t.present;
            continue;
        }
        const auto bytes = db.stimulusFileBytes(file.sha256);
        if (!bytes)
            return Error { bytes.error() };
        const QString got
            = QString::fromLatin1(QCryptographicHash::hash(bytes.value(), QCryptographicHash::Sha256).toHex());
        if (got != file.sha256)
            return Error { QStringLiteral("%1: the server's copy of image file %2 has SHA-256 %3; it was not kept. "
                                          "Publish the study again from the researcher's computer")
                               .arg(db.path(), file.sha256, got) };
        const QString target = cache + QLatin1Char('/') + StudyDatabase::cachedFileName(file.sha256, file.path);
        QSaveFile out(target);
        if (!out.open(QIODevice::WriteOnly) || out.write(bytes.value()) != bytes->size() || !out.commit())
            return Error { QStringLiteral("%1: cannot write: %2").arg(target, out.errorString()) };
        ++t.transferred;
        t.bytes += bytes->size();
    }
    return t;
}

Result<StimulusTransfer> publishStudy(
    const StudyDatabase& file, StudyDatabase& server, const CancelToken& cancel, const ProgressFn& progress)
{
    // The files first: should this fail half-way, the server holds no study yet and publishing
    // again starts over (files stored already are skipped).
    const auto studies = file.studies();
    if (!studies)
        return Error { studies.error() };
    StimulusTransfer all;
    for (const StoredStudy& study : studies.value()) {
        const auto t = uploadStudyFiles(file, study.id, server, cancel, progress);
        if (!t)
            return Error { t.error() };
        all.files += t->files;
        all.present += t->present;
        all.transferred += t->transferred;
        all.bytes += t->bytes;
    }
    if (const Status s = file.copyInto(server); !s)
        return Error { s.error() };
    return all;
}

} // namespace ntt
