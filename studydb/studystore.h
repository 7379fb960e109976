#pragma once

#include "pool/poolimport.h"
#include "result.h"
#include "storecontext.h"
#include "study/stimulus.h"
#include "study/study.h"

#include <QByteArray>
#include <QDateTime>
#include <QHash>
#include <QSet>

#include <vector>

namespace ntt {

class PoolStore;

/// A study as stored: its definition and the pool's real source when it was created.
struct StoredStudy
{
    qint64 id = 0;
    StudyDefinition definition;
    QString realSource;
    QDateTime createdUtc;
};

/**
 * Studies: their definitions, the pool images each is designed on, the files each shows (normalised
 * copies or originals) with their verification, and those files stored for stations.
 * Part of StudyDatabase, which opens the connection all stores share; tested on SQLite and
 * PostgreSQL alike (tst_stores).
 */
class StudyStore
{
public:
    /// Stores a study with the pool images it is designed on (`imageIds`) and their normalised copies.
    Result<qint64> addStudy(const StudyDefinition& definition, const QString& realSource,
        const std::vector<qint64>& imageIds, const std::vector<NormalisedStimulus>& stimuli);
    /// The pool images a study was designed on; images imported later are not part of it.
    Result<std::vector<PoolImage>> studyImages(qint64 studyId) const;
    Result<std::vector<StoredStudy>> studies() const;
    Result<StoredStudy> study(qint64 id) const;
    Result<StoredStudy> studyByName(const QString& name) const;
    /// The file each pool image is shown from in this study: its normalised copy, or the original.
    Result<QHash<qint64, QString>> stimulusPaths(qint64 studyId) const;
    /// The file each pool image is shown from in this study, with that file's SHA-256. For a server
    /// study, a file this station fetched into stimulusCacheFolder() is shown from there.
    struct StimulusFile
    {
        QString path;
        QString sha256;
    };
    Result<QHash<qint64, StimulusFile>> stimulusFiles(qint64 studyId) const;
    /// Content-addressed image files for stations (server studies): the bytes of a file the study
    /// shows, keyed by their SHA-256 (hex, lower case), with the file name's suffix ("jpg", no dot).
    /// Storing a hash stored already changes nothing.
    Status storeStimulusFile(const QString& sha256, const QString& suffix, const QByteArray& bytes);
    /// The hashes stored by storeStimulusFile().
    Result<QSet<QString>> storedStimulusFiles() const;
    /// The stored bytes of one file; fails naming the hash when it is not stored.
    Result<QByteArray> stimulusFileBytes(const QString& sha256) const;
    /// Where this computer keeps the image files of a server study that it fetched
    /// (`ntt station prepare`): "<application data>/stimuli/<server digest>"; empty for a study file.
    QString stimulusCacheFolder() const;
    /// The file name of a fetched file in stimulusCacheFolder(): "<sha256>.<suffix of path>".
    static QString cachedFileName(const QString& sha256, const QString& path);
    /// Records a rebuilt normalised copy of pool image `imageId` for this study.
    Status replaceStimulus(qint64 studyId, qint64 imageId, const QString& path, const QString& sha256);
    /// A file whose bytes were hashed, with the size (bytes) and modification time (ms since the
    /// epoch, UTC) it had then.
    struct VerifiedFile
    {
        QString sha256;
        qint64 size = -1;
        qint64 modifiedMs = -1;
    };
    /// What was recorded when `path` was last verified; a VerifiedFile with size -1 when never.
    Result<VerifiedFile> verifiedFile(const QString& path) const;
    Status recordVerifiedFile(const QString& path, const VerifiedFile& file);

protected:
    StudyStore(StoreContext& context, const PoolStore& pool);
    ~StudyStore() = default;
    StudyStore(const StudyStore&) = delete;
    StudyStore& operator=(const StudyStore&) = delete;

private:
    QSqlDatabase database() const { return m_c.database(); }
    QString readOnlyError(const QString& what) const { return m_c.readOnlyError(what); }

    const PoolStore& m_pool;
    StoreContext& m_c;
};

} // namespace ntt
