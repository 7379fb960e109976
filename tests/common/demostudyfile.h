#pragma once

#include "demo/demo.h"
#include "studyfile.h"

#include <QDir>
#include <QFile>
#include <QString>

#include <memory>

namespace ntt::testing {

/// The synthetic demo pool of `perCell` images of `size` pixels per source and category, made in
/// `<dir>/pool`; its root folder, to import.
inline Result<QString> demoPoolFolder(const QString& dir, int perCell, int size)
{
    CancelToken cancel;
    DemoPoolOptions demo;
    demo.outputDir = QDir(dir).filePath(QStringLiteral("pool"));
    demo.imagesPerSourceAndCategory = perCell;
    demo.size = size;
    const auto pool = generateDemoPool(demo, cancel, {});
    if (!pool)
        return Error { pool.error() };
    return pool->root;
}

/// Creates `definition` in `db` and runs `people` scripted participants (codes <prefix>1.., seeds
/// seed, seed + 1, .., accuracy `accuracy`, not simulated) through it; the study's id.
inline Result<qint64> studyWithScriptedPeople(StudyDatabase& db, const StudyDefinition& definition, int people,
    const QString& prefix, std::uint64_t seed, double accuracy = 0.7)
{
    CancelToken cancel;
    const auto created = createStudy(db, definition, cancel, {});
    if (!created)
        return Error { created.error() };
    for (int i = 0; i < people; ++i) {
        auto plan = startSession(db, created->study.id, prefix + QString::number(i + 1), QStringLiteral("t"), false);
        if (!plan)
            return Error { plan.error() };
        ScriptedParticipant script;
        script.seed = seed + std::uint64_t(i);
        script.accuracy = accuracy;
        if (const auto run = runScriptedParticipant(db, plan.value(), script); !run)
            return Error { run.error() };
    }
    return created->study.id;
}

/// A study file over a small synthetic demo pool (real, checkerboard, upsampler x disks, squares,
/// stripes), with a two-way study when `studyName` is given and the TorchScript fixture
/// tests/data/torchscript/<fixture>.pt registered as `modelName` when `fixture` is given.
struct DemoStudyFile
{
    std::unique_ptr<StudyDatabase> db;
    QString path;
    qint64 studyId = 0;
    qint64 modelId = 0;
};

inline Result<DemoStudyFile> demoStudyFile(const QString& dir, int perCell, int size, const QString& studyName = {},
    const QString& fixture = {}, const QString& modelName = {})
{
    CancelToken cancel;
    const auto poolRoot = demoPoolFolder(dir, perCell, size);
    if (!poolRoot)
        return Error { poolRoot.error() };
    DemoStudyFile file;
    file.path = QDir(dir).filePath(QStringLiteral("study.ntt"));
    auto db = StudyDatabase::open(file.path);
    if (!db)
        return Error { db.error() };
    file.db = std::move(db).value();
    ImportOptions import;
    import.location = poolRoot.value();
    if (const auto imported = importPool(*file.db, import, cancel, {}); !imported)
        return Error { imported.error() };
    if (!studyName.isEmpty()) {
        StudyDefinition d;
        d.name = studyName;
        d.ways = 2;
        d.trialsPerParticipant = 4;
        const auto study = createStudy(*file.db, d, cancel, {});
        if (!study)
            return Error { study.error() };
        file.studyId = study->study.id;
    }
    if (!fixture.isEmpty()) {
        const QString from = QStringLiteral(NTT_TEST_DATA_DIR "/torchscript/") + fixture;
        const QString to = QDir(dir).filePath(fixture);
        if (!QFile::copy(from + QStringLiteral(".pt"), to + QStringLiteral(".pt"))
            || !QFile::copy(from + QStringLiteral(".json"), to + QStringLiteral(".json")))
            return Error { QStringLiteral("cannot copy the fixture %1 into %2").arg(from, dir) };
        const auto added = addModel(*file.db, to + QStringLiteral(".pt"), modelName);
        if (!added)
            return Error { added.error() };
        file.modelId = added->model.id;
    }
    return file;
}

/// Adds `people` scripted sessions to the file's study (codes P1, P2..., seeds seed, seed + 1...)
/// and, when the file has a model, runs it on the study so that it answers the same trials.
inline Status answerDemoStudy(DemoStudyFile& file, int people, std::uint64_t seed)
{
    for (int i = 0; i < people; ++i) {
        auto plan
            = startSession(*file.db, file.studyId, QStringLiteral("P%1").arg(i + 1), QStringLiteral("lab"), false);
        if (!plan)
            return Error { plan.error() };
        ScriptedParticipant script;
        script.seed = seed + std::uint64_t(i);
        if (const auto run = runScriptedParticipant(*file.db, plan.value(), script); !run)
            return Error { run.error() };
    }
    if (file.modelId > 0) {
        CancelToken cancel;
        if (const auto run = runModelOnStudy(*file.db, file.studyId, file.modelId, ModelRunOptions {}, cancel, {});
            !run)
            return Error { run.error() };
    }
    return {};
}

} // namespace ntt::testing
