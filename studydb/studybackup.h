#pragma once

#include "result.h"

#include <QString>

namespace ntt {

/**
 * A consistent copy of a study file while sessions write to it, with SQLite's online backup API
 * (sqlite3_backup_*): every answer committed before the copy finished is in it, including those
 * still in the -wal file, which copying the .ntt file alone loses. The copy is written beside
 * `destination` and renamed when complete, then checked (PRAGMA integrity_check). Refuses to
 * overwrite an existing file; errors name the file at fault.
 */
Status backupStudyFile(const QString& source, const QString& destination);

} // namespace ntt
