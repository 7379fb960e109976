#include "studyfile.h"

#include "participantcode.h"
#include "rng.h"
#include "trialgenerator.h"

#include <QDir>
#include <QFileInfo>
#include <QSaveFile>
#include <QThread>

#include <cmath>

namespace ntt {

Result<PoolSnapshot> loadPool(const StudyDatabase& db)
{
    auto images = db.poolImages();
    if (!images)
        return Error { images.error() };
    const auto realSource = db.realSource();
    if (!realSource)
        return Error { realSource.error() };
    return PoolSnapshot { std::move(images).value(), realSource.value() };
}

Result<ShortcutAudit> auditStoredPool(const StudyDatabase& db)
{
    const auto pool = loadPool(db);
    if (!pool)
        return Error { pool.error() };
    return auditShortcuts(pool->images, pool->realSource);
}

Result<ImportOutcome> importPool(
    StudyDatabase& db, const ImportOptions& options, const CancelToken& cancel, const ProgressFn& progress)
{
    ImportOptions effective = options;
    if (effective.realSource.isEmpty()) {
        // Later imports into the same file keep the real source the first one named.
        const auto stored = db.realSource();
        if (!stored)
            return Error { stored.error() };
        effective.realSource = stored.value();
    }
    auto report = scanPool(effective, cancel, progress);
    if (!report && !options.realSource.isEmpty())
        return Error { report.error() };
    if (!report && effective.realSource != options.realSource) {
        // The stored real source may be absent from this folder (e.g. generated images only).
        effective.realSource.clear();
        report = scanPool(effective, cancel, progress);
    }
    if (!report)
        return Error { report.error() };
    auto stored = db.storeImport(report.value(), QFileInfo(options.location).absoluteFilePath());
    if (!stored)
        return Error { stored.error() };
    auto audit = auditStoredPool(db);
    if (!audit)
        return Error { audit.error() };
    return ImportOutcome { std::move(report).value(), stored.value(), std::move(audit).value() };
}

QString stimulusFolder(const StudyDatabase& db)
{
    return db.path() + QStringLiteral(".stimuli");
}

Result<CreatedStudy> createStudy(
    StudyDatabase& db, const StudyDefinition& definition, const CancelToken& cancel, const ProgressFn& progress)
{
    if (const Status valid = validateStudyDefinition(definition); !valid)
        return Error { valid.error() };
    const auto pool = loadPool(db);
    if (!pool)
        return Error { pool.error() };
    if (pool->images.empty())
        return Error { QStringLiteral("%1: the pool is empty; import images first").arg(db.path()) };
    const auto warnings = checkStudyDesign(definition, pool->images, pool->realSource);
    if (!warnings)
        return Error { QStringLiteral("study \"%1\": %2").arg(definition.name, warnings.error()) };

    std::vector<NormalisedStimulus> stimuli;
    if (definition.normalisation.enabled) {
        auto normalised
            = normaliseStimuli(pool->images, definition.normalisation, stimulusFolder(db), cancel, progress);
        if (!normalised)
            return Error { normalised.error() };
        stimuli = std::move(normalised).value();
    }
    const auto id = db.addStudy(definition, pool->realSource, stimuli);
    if (!id)
        return Error { id.error() };
    auto stored = db.study(id.value());
    if (!stored)
        return Error { stored.error() };
    return CreatedStudy { std::move(stored).value(), warnings.value() };
}

Result<StoredStudy> findStudy(const StudyDatabase& db, const QString& selector)
{
    if (selector.isEmpty()) {
        const auto all = db.studies();
        if (!all)
            return Error { all.error() };
        if (all->size() == 1)
            return all->front();
        if (all->empty())
            return Error { QStringLiteral("%1 has no study yet; create one first").arg(db.path()) };
        QStringList names;
        for (const StoredStudy& s : all.value())
            names << QStringLiteral("%1 (%2)").arg(s.definition.name).arg(s.id);
        return Error {
            QStringLiteral("%1 has several studies; name one of: %2").arg(db.path(), names.join(QStringLiteral(", ")))
        };
    }
    bool isNumber = false;
    const qint64 id = selector.toLongLong(&isNumber);
    if (isNumber) {
        auto byId = db.study(id);
        if (byId)
            return byId;
    }
    return db.studyByName(selector);
}

Result<SessionPlan> startSession(
    StudyDatabase& db, qint64 studyId, const QString& participantCode, const QString& station, bool simulated)
{
    const auto code = validateParticipantCode(participantCode.isEmpty() ? generateParticipantCode() : participantCode);
    if (!code)
        return Error { code.error() };
    auto study = db.study(studyId);
    if (!study)
        return Error { study.error() };
    const auto pool = db.poolImages();
    if (!pool)
        return Error { pool.error() };
    const auto index = db.nextParticipantIndex(studyId);
    if (!index)
        return Error { index.error() };
    auto list = generateTrials(study->definition, pool.value(), study->realSource, index.value());
    if (!list)
        return Error { QStringLiteral("study \"%1\": %2").arg(study->definition.name, list.error()) };
    const auto session = db.createSession(studyId, index.value(), code.value(), station, simulated, list->trials);
    if (!session)
        return Error { session.error() };
    return SessionPlan { session.value(), std::move(study).value(), std::move(list->trials), {}, list->warnings };
}

Result<SessionPlan> loadSession(StudyDatabase& db, qint64 sessionId)
{
    const auto session = db.session(sessionId);
    if (!session)
        return Error { session.error() };
    auto study = db.study(session->studyId);
    if (!study)
        return Error { study.error() };
    auto trials = db.sessionTrials(sessionId);
    if (!trials)
        return Error { trials.error() };
    const auto answered = db.answeredTrialIndices(sessionId);
    if (!answered)
        return Error { answered.error() };
    return SessionPlan { session.value(), std::move(study).value(), std::move(trials).value(), answered.value(), {} };
}

Result<int> exportResponses(const StudyDatabase& db, qint64 studyId, const QString& csvPath)
{
    const auto rows = db.responseRows(studyId);
    if (!rows)
        return Error { rows.error() };
    // QSaveFile writes beside the target and renames on commit: a failed export never leaves half a CSV.
    QSaveFile file(csvPath);
    if (!file.open(QIODevice::WriteOnly))
        return Error { QStringLiteral("%1: cannot write: %2").arg(csvPath, file.errorString()) };
    if (const Status s = writeResponsesCsv(file, rows.value(), csvPath); !s)
        return Error { s.error() };
    if (!file.commit())
        return Error { QStringLiteral("%1: cannot write: %2").arg(csvPath, file.errorString()) };
    return static_cast<int>(rows->size());
}

Result<ScriptedRun> runScriptedParticipant(StudyDatabase& db, SessionPlan& plan, const ScriptedParticipant& script,
    const std::function<void(int)>& onCommitted)
{
    if (script.accuracy < 0.0 || script.accuracy > 1.0)
        return Error { QStringLiteral("accuracy %1 must be between 0 and 1").arg(script.accuracy) };
    ScriptedRun run;
    run.sessionId = plan.session.id;
    // Seeded per session so a resumed script answers the remaining trials as the first run would have.
    Rng rng = Rng::forStream(script.seed, static_cast<std::uint64_t>(plan.session.participantIndex));
    SessionFlow flow(plan.study.definition, plan.trials, plan.answered);
    if (flow.resumed())
        db.recordEvent(plan.session.id, flow.firstUnanswered(), QStringLiteral("resumed"), QStringLiteral("scripted"));
    std::vector<std::pair<double, double>> draws(plan.trials.size());
    for (auto& d : draws)
        d = { rng.uniform(), rng.uniform() };

    for (; !flow.atEnd(); flow.advance()) {
        if (flow.current().kind != ScreenKind::Trial)
            continue;
        if (script.stopAfter >= 0 && run.answered >= script.stopAfter)
            return run;
        const Trial& trial = plan.trials[flow.current().trialIndex];
        const auto [correctDraw, choiceDraw] = draws[trial.index];
        const int options = answerOptionCount(trial.type, trial.ways());
        Response response;
        if (correctDraw < script.accuracy) {
            response.answer = trial.correctPosition;
        } else {
            const int wrong = static_cast<int>(choiceDraw * (options - 1));
            response.answer = wrong >= trial.correctPosition ? wrong + 1 : wrong;
        }
        response.rtMs = std::round(script.meanRtMs * (0.5 + correctDraw));
        response.responseUtc = QDateTime::currentDateTimeUtc();
        response.onsetUtc = response.responseUtc.addMSecs(-static_cast<qint64>(response.rtMs));
        response.rtClock = QStringLiteral("scripted");
        scoreResponse(plan.study.definition, trial, response);
        if (const Status s = db.recordResponse(plan.session.id, response); !s)
            return Error { s.error() };
        plan.answered.insert(trial.index);
        ++run.answered;
        if (onCommitted)
            onCommitted(trial.index);
        if (script.delayMs > 0)
            QThread::msleep(static_cast<unsigned long>(script.delayMs));
    }
    if (const Status s = db.setSessionState(plan.session.id, SessionState::Finished); !s)
        return Error { s.error() };
    run.finished = true;
    return run;
}

QString demoLabel()
{
    return QStringLiteral("SYNTHETIC demo study: simulated images and generators, not real photographs");
}

Result<DemoStudy> ensureDemoStudy(const QString& folder, const CancelToken& cancel, const ProgressFn& progress)
{
    if (!QDir().mkpath(folder))
        return Error { QStringLiteral("%1: cannot create the demo folder").arg(folder) };
    DemoStudy demo;
    demo.databasePath = QDir(folder).absoluteFilePath(QStringLiteral("demo.ntt"));
    const bool existed = QFileInfo::exists(demo.databasePath);
    auto db = StudyDatabase::open(demo.databasePath);
    if (!db)
        return Error { db.error() };
    if (const Status s = db.value()->setMetaValue(QStringLiteral("label"), demoLabel()); !s)
        return Error { s.error() };
    if (existed) {
        const auto studies = db.value()->studies();
        if (!studies)
            return Error { studies.error() };
        if (!studies->empty()) {
            demo.studyId = studies->front().id;
            return demo;
        }
    }
    DemoPoolOptions options;
    options.outputDir = QDir(folder).absoluteFilePath(QStringLiteral("pool"));
    const auto pool = generateDemoPool(options, cancel, progress);
    if (!pool)
        return Error { pool.error() };
    ImportOptions import;
    import.location = pool->root;
    import.layout = PoolLayout::Tree;
    import.realSource = pool->sources.front();
    const auto imported = importPool(*db.value(), import, cancel, progress);
    if (!imported)
        return Error { imported.error() };
    const auto study = createStudy(*db.value(), demoStudyDefinition(pool.value()), cancel, progress);
    if (!study)
        return Error { study.error() };
    demo.studyId = study->study.id;
    demo.created = true;
    return demo;
}

} // namespace ntt
