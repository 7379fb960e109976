#pragma once

#include "cancel.h"
#include "pool/poolimport.h"
#include "result.h"
#include "study/study.h"

#include <QStringList>

#include <vector>

namespace ntt {

class StudyDatabase;
struct PoolImage;

/// Whether a study draws on this pool image (its sources and categories; empty lists take all).
bool studyDrawsOn(const StudyDefinition& definition, const PoolImage& image);

/// A file a study shows, with the pool image it shows.
struct ShownFile
{
    PoolImage image;
    QString path; ///< the normalised or flattened copy, or the original (StudyDatabase::stimulusFiles)
    QString sha256;
};
/// The study's definition and the files it shows: one per pool image it draws on, in pool order.
struct ShownFiles
{
    StudyDefinition definition;
    std::vector<ShownFile> files;
};
Result<ShownFiles> studyShownFiles(const StudyDatabase& db, qint64 studyId);

/// What checkStudyStimuli() found and did.
struct StimulusCheck
{
    int files = 0; ///< files checked (one per image the study draws on)
    int hashed = 0; ///< files read and hashed because their size or time stamp was new
    QStringList rebuilt; ///< normalised or flattened copies made again from their verified originals
};

/**
 * Checks that every file a study shows (its normalised or flattened copy, or the pool original) is
 * the file the study was made with, before a session starts or a model runs. A file whose size and
 * modification time are those recorded when it was last verified is taken as it is; any other is
 * hashed (SHA-256) and compared with the study's record. A copy that is missing or changed is made
 * again from its original once the original's hash is verified, and the new copy recorded.
 * Fails listing the files (up to 10, then a count) that are missing or changed and cannot be
 * rebuilt, with what to do; nothing is changed for the files that are right.
 */
Result<StimulusCheck> checkStudyStimuli(
    StudyDatabase& db, qint64 studyId, const CancelToken& cancel, const ProgressFn& progress);

} // namespace ntt
