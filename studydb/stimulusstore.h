#pragma once

#include "cancel.h"
#include "result.h"

#include <QtGlobal>

namespace ntt {

class StudyDatabase;

/// What moving a study's image files did: how many it shows, how many were in place already, how
/// many were copied and how many bytes that took.
struct StimulusTransfer
{
    int files = 0;
    int present = 0;
    int transferred = 0;
    qint64 bytes = 0;
};

/**
 * The researcher's side: stores in the server study `db` the bytes of every file study `studyId`
 * of `source` shows (normalised copies or originals), content-addressed by SHA-256, read from
 * where `source` recorded them (`source` may be `db` itself). A file whose bytes do not have the
 * recorded hash is refused, naming it; files stored already are skipped.
 */
Result<StimulusTransfer> uploadStudyFiles(const StudyDatabase& source, qint64 studyId, StudyDatabase& db,
    const CancelToken& cancel, const ProgressFn& progress);

/**
 * A station's side (`ntt station prepare`): makes every file study `studyId` shows available on
 * this computer before the first participant sits down. A file already here (fetched before, or
 * at its recorded path on a shared disk) is verified by SHA-256; any other is fetched from the
 * server into StudyDatabase::stimulusCacheFolder(), verified, and written atomically. A fetched
 * file whose bytes do not have their hash is not kept, and the error names it.
 */
Result<StimulusTransfer> prepareStation(
    StudyDatabase& db, qint64 studyId, const CancelToken& cancel, const ProgressFn& progress);

/**
 * Moves a study file to a server (`ntt study publish`): everything it holds (StudyDatabase::copyInto),
 * then the files of each of its studies (uploadStudyFiles), so that stations that do not share this
 * computer's disk can prepare. Returns what the upload did, over all studies.
 */
Result<StimulusTransfer> publishStudy(
    const StudyDatabase& file, StudyDatabase& server, const CancelToken& cancel, const ProgressFn& progress);

} // namespace ntt
