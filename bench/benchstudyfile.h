#pragma once

// A study file over the synthetic demo pool for the participant-window benchmarks: `perCell`
// images of `size` pixels per source and category (real, checkerboard, upsampler x 3 categories).

#include "studyfile.h"

#include <QString>

#include <memory>

namespace ntt::bench {

inline Result<std::unique_ptr<StudyDatabase>> benchStudyFile(const QString& work, int size, int perCell)
{
    CancelToken cancel;
    DemoPoolOptions poolOptions;
    poolOptions.outputDir = work + QStringLiteral("/pool%1").arg(size);
    poolOptions.size = size;
    poolOptions.imagesPerSourceAndCategory = perCell;
    const auto pool = generateDemoPool(poolOptions, cancel, {});
    if (!pool)
        return Error { pool.error() };
    auto db = StudyDatabase::open(work + QStringLiteral("/bench.ntt"));
    if (!db)
        return Error { db.error() };
    ImportOptions import;
    import.location = pool->root;
    import.realSource = QStringLiteral("real");
    if (const auto imported = importPool(*db.value(), import, cancel, {}); !imported)
        return Error { imported.error() };
    return db;
}

} // namespace ntt::bench
