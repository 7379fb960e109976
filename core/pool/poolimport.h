#pragma once

#include "cancel.h"
#include "pool/pool.h"
#include "result.h"

#include <QString>
#include <QStringList>

#include <optional>
#include <vector>

namespace ntt {

/// How the files of a pool are laid out on disk.
enum class PoolLayout {
    Auto, ///< detect: a .csv file is a manifest; CIFAKE and GenImage by their folder names; else a tree
    Tree, ///< <root>/<source>/[<category>/]<file>
    Manifest, ///< CSV with header: path, source, category, pair_key, split (+ other columns kept as attributes)
    Cifake, ///< <root>/train|test/REAL|FAKE/<file>
    GenImage, ///< <root>/<generator>/train|val/ai|nature/<file>
};

QString poolLayoutName(PoolLayout layout);
std::optional<PoolLayout> poolLayoutFromName(const QString& name);

struct ImportOptions
{
    QString location; ///< folder, or manifest file
    PoolLayout layout = PoolLayout::Auto;
    QString realSource; ///< which source is real; empty = one named real, human or nature (any case)
    qint64 maxPixels = 100'000'000;
};

/// A file that was not imported, and why.
struct RejectedFile
{
    QString path;
    QString reason;
};

/// Files with the same SHA-256: the first (in path order) is imported, the others are not.
struct DuplicateGroup
{
    QString sha256;
    QStringList paths;
};

/// What an import found: images to store, files rejected with reasons, duplicates, warnings.
struct ImportReport
{
    PoolLayout layout = PoolLayout::Auto; ///< the layout actually used
    QString root; ///< folder relative paths refer to
    QString realSource;
    std::vector<PoolImage> images;
    std::vector<RejectedFile> rejected;
    /// Operating-system and notebook litter skipped (__MACOSX/, .DS_Store, Thumbs.db,
    /// .ipynb_checkpoints/, hidden files), root-relative; folders end in "/".
    QStringList skipped;
    std::vector<DuplicateGroup> duplicates;
    QStringList warnings;
};

/**
 * Scans a pool on disk: hashes, inspects and decodes every image file, derives source, category,
 * pair key and split from the layout. Writes nothing; storing is studydb's job, in one transaction.
 * Fails only when the location itself is unusable (missing, unreadable manifest, no real source).
 */
/// What operating systems and notebooks leave in folders (a file or folder name): macOS's resource
/// forks and indexes, Windows' thumbnail caches, Jupyter's checkpoints, a NAS's thumbnails, hidden
/// files. Never a source, a category or an image; an import lists what it skipped.
bool isLitter(const QString& name);
/// Files that commonly sit beside images in dataset folders (README, .txt, .md, .json, .csv);
/// listing them as rejected would be noise.
bool isSilentlySkipped(const QString& fileName);

Result<ImportReport> scanPool(const ImportOptions& options, const CancelToken& cancel, const ProgressFn& progress);

/// Human-readable summary of a report (counts per source/category, rejected files with reasons, duplicates).
QString formatImportReport(const ImportReport& report);

} // namespace ntt
