#include "studyfile.h"

#include "analysis/analysis.h"
#include "analysis/objectrecognition.h"
#include "analysis/pooldetection.h"
#include "csvwriter.h"
#include "models/modelcheck.h"
#include "models/preprocess.h"
#include "pool/imagefileinfo.h"
#include "sessionwriter.h"
#include "stimuluscheck.h"
#include "stimulusstore.h"
#include "study/changedplaces.h"
#include "study/marks.h"
#include "study/participantcode.h"
#include "study/rng.h"
#include "study/trialgenerator.h"
#include "studyexports.h"

#include <QDir>
#include <QDirIterator>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocale>
#include <QRegularExpression>
#include <QSaveFile>
#include <QThread>

#include <algorithm>
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
    ShortcutAudit audit = auditShortcuts(pool->images, pool->realSource);
    const auto conflicts = db.labelConflicts();
    if (!conflicts)
        return Error { conflicts.error() };
    audit.labelConflicts = conflicts.value();
    return audit;
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
    // A server study has no folder of its own: copies are made on this computer and stored on the server.
    const QString cache = db.stimulusCacheFolder();
    return cache.isEmpty() ? db.path() + QStringLiteral(".stimuli") : cache + QStringLiteral("/made");
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

    auto stimuli = makeStudyStimuli(
        pool->images, definition.normalisation, definition.background, stimulusFolder(db), cancel, progress);
    if (!stimuli)
        return Error { stimuli.error() };
    std::vector<qint64> imageIds;
    for (const PoolImage& image : pool->images)
        imageIds.push_back(image.id);
    const auto id = db.addStudy(definition, pool->realSource, imageIds, stimuli.value());
    if (!id)
        return Error { id.error() };
    if (!db.stimulusCacheFolder().isEmpty()) {
        // Stations that do not share this computer's disk fetch the files from the server.
        const auto uploaded = uploadStudyFiles(db, id.value(), db, cancel, {});
        if (!uploaded)
            return Error { QStringLiteral("study \"%1\" was stored, but its image files could not be stored on the "
                                          "server for stations: %2")
                               .arg(definition.name, uploaded.error()) };
    }
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

Result<SessionPlan> startSession(StudyDatabase& db, qint64 studyId, const QString& participantCode,
    const QString& station, bool simulated, const QString& sessionKey)
{
    const auto code = validateParticipantCode(participantCode.isEmpty() ? generateParticipantCode() : participantCode);
    if (!code)
        return Error { code.error() };
    auto study = db.study(studyId);
    if (!study)
        return Error { study.error() };
    const auto pool = db.studyImages(studyId);
    if (!pool)
        return Error { pool.error() };
    QStringList warnings;
    auto created = db.createSession(
        studyId, code.value(), station, simulated,
        [&](int index) -> Result<std::vector<Trial>> {
            auto list = generateTrials(study->definition, pool.value(), study->realSource, index);
            if (!list)
                return Error { QStringLiteral("study \"%1\": %2").arg(study->definition.name, list.error()) };
            warnings = list->warnings;
            return std::move(list->trials);
        },
        sessionKey);
    if (!created)
        return Error { created.error() };
    return SessionPlan { std::move(created->session), std::move(study).value(), std::move(created->trials), {},
        warnings, created->leaseToken, {} };
}

Result<SessionPlan> loadSession(
    StudyDatabase& db, qint64 sessionId, const QString& station, bool takeOver, StationOutbox* outbox)
{
    auto token = db.acquireSessionLease(sessionId, station, takeOver);
    if (!token)
        return Error { token.error() };
    const auto session = db.session(sessionId);
    if (!session)
        return Error { session.error() };
    auto study = db.study(session->studyId);
    if (!study)
        return Error { study.error() };
    auto trials = db.sessionTrials(sessionId);
    if (!trials)
        return Error { trials.error() };
    auto answers = db.answeredResponses(sessionId);
    if (!answers)
        return Error { answers.error() };
    // Answers this station gave that the sender has not delivered yet are answered all the same.
    const auto journaled = SessionWriter(db, sessionId, token.value(), outbox).journaledAnswers();
    if (!journaled)
        return Error { journaled.error() };
    SessionPlan plan { session.value(), std::move(study).value(), std::move(trials).value(), {}, {},
        std::move(token).value(), {} };
    for (const std::vector<Response>* list :
        std::initializer_list<const std::vector<Response>*> { &answers.value(), &journaled.value() }) {
        for (const Response& r : *list) {
            if (!plan.answered.contains(r.trialIndex)) {
                plan.answered.insert(r.trialIndex);
                plan.answers.push_back(r);
            }
        }
    }
    return plan;
}

namespace {

// QSaveFile writes beside the target and renames on commit: a failed export never leaves half a CSV.
template <typename Rows, typename Writer>
Result<int> writeCsvFile(const Result<Rows>& rows, const QString& csvPath, Writer write)
{
    if (!rows)
        return Error { rows.error() };
    QSaveFile file(csvPath);
    if (!file.open(QIODevice::WriteOnly))
        return Error { QStringLiteral("%1: cannot write: %2").arg(csvPath, file.errorString()) };
    if (const Status s = write(file, rows.value()); !s)
        return Error { s.error() };
    if (!file.commit())
        return Error { QStringLiteral("%1: cannot write: %2").arg(csvPath, file.errorString()) };
    return static_cast<int>(rows->size());
}

} // namespace

// Position columns for the widest study exported, so a study's exports always have the same columns.
int exportWidth(const StudyDatabase& db, qint64 studyId)
{
    int ways = 1;
    const auto studies = db.studies();
    if (!studies)
        return ways;
    for (const StoredStudy& s : studies.value()) {
        if (studyId == 0 || s.id == studyId)
            ways = std::max(ways, s.definition.ways);
    }
    return ways;
}

Result<int> exportResponses(const StudyDatabase& db, qint64 studyId, const QString& csvPath)
{
    const int ways = exportWidth(db, studyId);
    return writeCsvFile(
        db.responseRows(studyId), csvPath, [&](QIODevice& device, const std::vector<ResponseRow>& rows) {
            return writeResponsesCsv(device, rows, csvPath, ways);
        });
}

Result<int> exportModelAnswers(const StudyDatabase& db, qint64 studyId, const QString& csvPath)
{
    const int ways = exportWidth(db, studyId);
    return writeCsvFile(
        db.modelAnswerRows(studyId), csvPath, [&](QIODevice& device, const std::vector<ResponseRow>& rows) {
            return writeResponsesCsv(device, rows, csvPath, ways);
        });
}

Result<int> exportPredictions(const StudyDatabase& db, qint64 studyId, const QString& csvPath)
{
    const auto real = db.realSource();
    if (!real)
        return Error { real.error() };
    return writeCsvFile(
        db.predictionRows(studyId, 0), csvPath, [&](QIODevice& device, const std::vector<PredictionRow>& rows) {
            return writePredictionsCsv(device, rows, csvPath, real.value());
        });
}

Result<int> exportPoolEvaluation(const StudyDatabase& db, qint64 modelId, double threshold, const QString& csvPath)
{
    const auto model = db.model(modelId);
    const auto real = db.realSource();
    const auto predictions = db.predictionRows(0, modelId);
    if (!model || !real || !predictions)
        return Error { !model ? model.error() : (!real ? real.error() : predictions.error()) };
    const auto number = [](double v) { return QString::number(v, 'g', QLocale::FloatingPointShortest); };
    const bool categories = model->spec.output == OutputKind::CategoryClasses;
    const QStringList header = categories
        ? QStringList { QStringLiteral("model"), QStringLiteral("category"), QStringLiteral("images"),
              QStringLiteral("top1"), QStringLiteral("top1_ci95_low"), QStringLiteral("top1_ci95_high"),
              QStringLiteral("top5"), QStringLiteral("top5_ci95_low"), QStringLiteral("top5_ci95_high"),
              QStringLiteral("category_has_a_class") }
        : QStringList { QStringLiteral("model"), QStringLiteral("source"), QStringLiteral("is_real"),
              QStringLiteral("images"), QStringLiteral("mean_p_real"), QStringLiteral("threshold"),
              QStringLiteral("called_right"), QStringLiteral("ci95_low"), QStringLiteral("ci95_high") };
    std::vector<QStringList> table;
    if (categories) {
        for (const CategoryRecognition& r : recognitionByCategory(predictions.value(), model->spec))
            table.push_back({ model->name, r.category, QString::number(r.images), number(r.top1.estimate),
                number(r.top1.low), number(r.top1.high), number(r.top5.estimate), number(r.top5.low),
                number(r.top5.high), r.mapped ? QStringLiteral("1") : QStringLiteral("0") });
    } else {
        for (const SourceDetection& d : detectionBySource(predictions.value(), real.value(), threshold))
            table.push_back({ model->name, d.source, d.real ? QStringLiteral("1") : QStringLiteral("0"),
                QString::number(d.images), number(d.meanPReal), number(threshold), number(d.accuracy.estimate),
                number(d.accuracy.low), number(d.accuracy.high) });
    }
    return writeCsvFile(Result<std::vector<QStringList>>(std::move(table)), csvPath,
        [&](QIODevice& device, const std::vector<QStringList>& rows) -> Status {
            CsvWriter csv(&device);
            csv.writeRow(header);
            for (const QStringList& row : rows)
                csv.writeRow(row);
            if (!csv.ok())
                return Error { QStringLiteral("%1: cannot write").arg(csvPath) };
            return {};
        });
}

Result<AddedModel> addModel(StudyDatabase& db, const QString& path, const QString& name, const QString& training)
{
    // Loading is the check: a file that is not a model, or one saved for CUDA here, fails now.
    auto classifier = loadClassifier(path, DevicePreference::Cpu, 1);
    if (!classifier)
        return Error { classifier.error() };
    Classifier& c = *classifier.value();
    const QString modelName = name.isEmpty() ? c.spec().name : name;

    // Run it as runs will, on a few pool images: a model that cannot take a batch, whose outputs
    // depend on the batch or on the run, or whose output the sidecar does not select, is found now.
    const auto pool = db.poolImages();
    if (!pool)
        return Error { pool.error() };
    std::vector<PreparedImage> probe;
    for (const PoolImage& image : pool.value()) {
        if (probe.size() == 4)
            break;
        auto prepared = prepareImageFile(image.path, c.spec().input);
        if (prepared)
            probe.push_back(std::move(prepared).value());
    }
    const auto check = checkModelBehaviour(c, probe);
    if (!check)
        return Error { check.error() };
    ModelSpec spec = c.spec();
    if (check->maxBatch > 0 && (spec.maxBatch == 0 || spec.maxBatch > check->maxBatch))
        spec.maxBatch = check->maxBatch;

    const auto id = db.addModel(modelName, QFileInfo(path).absoluteFilePath(), c.modelHash(), spec, training);
    if (!id)
        return Error { id.error() };
    auto stored = db.model(id.value());
    if (!stored)
        return Error { stored.error() };
    return AddedModel { std::move(stored).value(), c.warnings() + check->warnings };
}

namespace {

/// The model's answer to every trial of the study whose images it predicted, stored.
Result<int> deriveModelAnswers(
    StudyDatabase& db, qint64 studyId, const StoredModel& model, qint64 runId, double threshold)
{
    const auto trials = db.studyTrials(studyId);
    const auto scores = db.scoresByImage(studyId, model.sha256);
    if (!trials || !scores)
        return Error { !trials ? trials.error() : scores.error() };
    std::vector<Response> answers;
    for (const Trial& t : trials.value()) {
        if (auto answer = modelAnswer(t, scores.value(), model.spec, threshold))
            answers.push_back(*answer);
    }
    if (const Status s = db.storeModelAnswers(model.id, runId, threshold, answers); !s)
        return Error { s.error() };
    return static_cast<int>(answers.size());
}

} // namespace

Result<std::unique_ptr<Classifier>> loadRegisteredModel(
    const StudyDatabase& db, qint64 modelId, DevicePreference device, int threads)
{
    const auto model = db.model(modelId);
    if (!model)
        return Error { model.error() };
    auto classifier = loadClassifier(model->path, device, threads);
    if (!classifier)
        return Error { classifier.error() };
    if (classifier.value()->modelHash() != model->sha256)
        return Error { QStringLiteral("%1: the model file changed since it was added as \"%2\"; add it again under a "
                                      "new name so results stay attributable")
                           .arg(model->path, model->name) };
    // What `model add` found out about the model's batches holds for every run.
    if (model->spec.maxBatch > 0 && classifier.value()->spec().maxBatch == 0)
        classifier.value()->setMaxBatch(model->spec.maxBatch);
    return classifier;
}

Result<ModelCamLayers> modelCamLayers(const StudyDatabase& db, qint64 modelId)
{
    auto classifier = loadRegisteredModel(db, modelId, DevicePreference::Cpu, 0);
    if (!classifier)
        return Error { classifier.error() };
    auto layers = classifier.value()->camLayers();
    if (!layers)
        return Error { layers.error() };
    ModelCamLayers result;
    result.defaultLayer = defaultCamLayer(layers.value());
    result.layers = std::move(layers).value();
    result.spec = classifier.value()->spec();
    return result;
}

Result<std::vector<StudyCam>> computeStudyCams(
    StudyDatabase& db, const StudyCamRequest& request, const CancelToken& cancel, const ProgressFn& progress)
{
    const auto model = db.model(request.modelId);
    if (!model)
        return Error { model.error() };
    auto classifier = loadRegisteredModel(db, request.modelId, request.device, request.threads);
    if (!classifier)
        return Error { classifier.error() };
    auto options = resolveCamLayer(*classifier.value(), request.options);
    if (!options)
        return Error { options.error() };

    // The file each image is seen as: the study's stimulus, or the pool original.
    QHash<qint64, StudyDatabase::StimulusFile> files;
    if (request.studyId > 0) {
        auto stimuli = db.stimulusFiles(request.studyId);
        if (!stimuli)
            return Error { stimuli.error() };
        files = std::move(stimuli).value();
    } else {
        const auto pool = db.poolImages();
        if (!pool)
            return Error { pool.error() };
        for (const PoolImage& image : pool.value())
            files.insert(image.id, { image.path, image.sha256 });
    }

    std::vector<StudyCam> cams;
    QStringList missing;
    std::vector<std::size_t> missingSlots;
    for (qint64 id : request.imageIds) {
        const auto file = files.constFind(id);
        if (file == files.cend())
            return Error { QStringLiteral("%1: image %2 is not in the pool%3")
                               .arg(db.path())
                               .arg(id)
                               .arg(request.studyId > 0 ? QStringLiteral(" of study %1").arg(request.studyId)
                                                        : QString()) };
        StudyCam cam;
        cam.imageId = id;
        cam.result.path = file->path;
        // The file as it is now: a map is never taken for an image that changed on disk.
        cam.sha256 = fileSha256(file->path);
        if (cam.sha256.isEmpty()) {
            cam.result.error = QStringLiteral("%1: cannot read the image file").arg(file->path);
            cams.push_back(std::move(cam));
            continue;
        }
        if (cam.sha256 != file->sha256)
            cam.warning = QStringLiteral("%1 changed since it was imported (its SHA-256 differs); the map is of the "
                                         "file as it is now")
                              .arg(file->path);
        const auto cached = db.camMap({ model->sha256, cam.sha256, options.value() });
        if (!cached)
            return Error { cached.error() };
        if (cached.value()) {
            cam.cached = true;
            cam.result.map = std::move(*cached.value());
            const auto info = inspectImageFile(file->path);
            if (info) {
                cam.result.imageWidth = info->width;
                cam.result.imageHeight = info->height;
            } else {
                cam.result.error = info.error();
            }
            const auto pReal = db.predictedPReal(model->sha256, cam.sha256);
            cam.result.prediction.pReal = pReal && pReal.value() ? *pReal.value() : -1.0f;
        } else {
            missing << file->path;
            missingSlots.push_back(cams.size());
        }
        cams.push_back(std::move(cam));
    }

    auto computed = computeCamsForFiles(
        *classifier.value(), missing, options.value(), request.batchSize, cancel, [&](int done, int count) {
            if (progress)
                progress(done, count, QStringLiteral("%1: class-activation maps").arg(model->name));
        });
    if (!computed)
        return Error { computed.error() };
    for (std::size_t k = 0; k < missingSlots.size(); ++k) {
        StudyCam& cam = cams[missingSlots[k]];
        cam.result = std::move(computed->at(k));
        if (!cam.result.error.isEmpty())
            continue;
        // Stored under the hash of the bytes the model saw, even if the file changed since it was listed.
        cam.sha256 = cam.result.sha256;
        if (const Status s = db.storeCamMap({ model->sha256, cam.sha256, options.value() }, cam.result.map); !s)
            return Error { s.error() };
    }
    return cams;
}

Table attentionAgreementTable(const std::vector<ImageAttentionAgreement>& rows)
{
    Table t;
    t.header
        = { QStringLiteral("image_id"), QStringLiteral("image"), QStringLiteral("source"), QStringLiteral("category"),
              QStringLiteral("model"), QStringLiteral("layer"), QStringLiteral("marks"), QStringLiteral("participants"),
              QStringLiteral("kernel_sigma_px"), QStringLiteral("correlation"), QStringLiteral("share_in_model_top20"),
              QStringLiteral("pointing_hit"), QStringLiteral("error"), QStringLiteral("row") };
    for (const ImageAttentionAgreement& r : rows) {
        const bool ok = r.error.isEmpty();
        t.rows.push_back({ QString::number(r.image.id), r.image.relativePath, r.image.source, r.image.category, r.model,
            r.layer, QString::number(r.agreement.marks), QString::number(r.participants), csvNumber(r.kernelSigmaPx),
            ok ? csvNumber(r.agreement.correlation) : QString(),
            ok ? csvNumber(r.agreement.shareInModelTop20) : QString(),
            ok && r.agreement.pointingHit >= 0 ? QString::number(r.agreement.pointingHit) : QString(), r.error,
            rowLabel(r.row) });
    }
    return t;
}

Table attentionGroupsTable(const std::vector<AttentionGroup>& groups)
{
    Table t;
    t.header = { QStringLiteral("model"), QStringLiteral("grouping"), QStringLiteral("group"), QStringLiteral("images"),
        QStringLiteral("mean_correlation"), QStringLiteral("correlations"), QStringLiteral("marks"),
        QStringLiteral("marks_in_top20"), QStringLiteral("share_in_top20"), QStringLiteral("share_low"),
        QStringLiteral("share_high"), QStringLiteral("pointing_images"), QStringLiteral("pointing_hits"),
        QStringLiteral("pointing_share"), QStringLiteral("pointing_low"), QStringLiteral("pointing_high") };
    for (const AttentionGroup& g : groups) {
        t.rows.push_back({ g.model, g.grouping, g.group, QString::number(g.images), csvNumber(g.meanCorrelation),
            QString::number(g.correlations), QString::number(g.marksInTop20.trials),
            QString::number(g.marksInTop20.successes), csvNumber(g.marksInTop20.estimate),
            csvNumber(g.marksInTop20.low), csvNumber(g.marksInTop20.high), QString::number(g.pointing.trials),
            QString::number(g.pointing.successes), csvNumber(g.pointing.estimate), csvNumber(g.pointing.low),
            csvNumber(g.pointing.high) });
    }
    return t;
}

Result<std::vector<ImageAttentionAgreement>> attentionAgreement(StudyDatabase& db, qint64 studyId,
    const AnswerFilter& filter, const CamOptions& options, const CancelToken& cancel, const ProgressFn& progress)
{
    const auto study = db.study(studyId);
    if (!study)
        return Error { study.error() };
    const StudyDefinition& d = study->definition;
    if (d.marks.points <= 0)
        return Error { QStringLiteral("study \"%1\" asks for no marks: add \"marks\" to its definition to compare "
                                      "where people looked with the models' maps")
                           .arg(d.name) };
    const auto marks = studyMarks(db, studyId, filter);
    if (!marks)
        return Error { marks.error() };
    const auto images = db.studyImages(studyId);
    const auto models = db.models();
    if (!images || !models)
        return Error { !images ? images.error() : models.error() };
    // The marked images, in the study's order, and who marked each.
    QHash<qint64, QSet<QString>> markedBy;
    for (const MarkedTrial& t : marks.value()) {
        for (const Mark& m : t.marks.points)
            markedBy[m.imageId].insert(t.row.participant);
    }
    std::vector<qint64> ids;
    QHash<qint64, PoolImage> byId;
    for (const PoolImage& image : images.value()) {
        if (markedBy.contains(image.id)) {
            ids.push_back(image.id);
            byId.insert(image.id, image);
        }
    }
    // Pick trials: the marked trials of each row (the same images in the same order).
    std::map<std::vector<qint64>, std::vector<MarkedTrial>> byRow;
    for (const MarkedTrial& t : marks.value()) {
        if (t.row.trial.ways() > 1 && !t.marks.points.empty())
            byRow[t.row.trial.imageIds].push_back(t);
    }
    std::vector<ImageAttentionAgreement> out;
    if (ids.empty())
        return out;
    for (const StoredModel& model : models.value()) {
        const auto layers = modelCamLayers(db, model.id);
        if (!layers)
            continue; // a model without maps (no convolutional layer to explain) has nothing to compare
        StudyCamRequest request;
        request.modelId = model.id;
        request.studyId = studyId;
        request.imageIds = ids;
        request.options = options;
        const auto cams = computeStudyCams(db, request, cancel, progress);
        if (!cams)
            return Error { QStringLiteral("%1: %2").arg(model.name, cams.error()) };
        std::vector<ImageAttentionAgreement> rowLevel;
        for (const StudyCam& cam : cams.value()) {
            ImageAttentionAgreement row;
            row.image = byId.value(cam.imageId);
            row.model = model.name;
            row.layer = cam.result.map.layer;
            row.participants = int(markedBy.value(cam.imageId).size());
            row.kernelSigmaPx = d.marks.kernelSigmaPx;
            const int width = cam.result.imageWidth;
            const int height = cam.result.imageHeight;
            auto map = cam.result.error.isEmpty() ? camMapToImage(cam.result.map, layers->spec.input, width, height)
                                                  : Result<cv::Mat>(Error { cam.result.error });
            if (!map) {
                row.error = map.error();
            } else {
                const double sigma
                    = shownKernelSigma(d.marks.kernelSigmaPx, row.image.width, row.image.height, d.normalisation);
                row.agreement = shownImageAgreement(
                    shownMarksOf(marks.value(), cam.imageId, width, height, filter.includeSimulated), map.value(),
                    sigma);
                // The same map against the marks of each row's trials that show the image.
                for (const auto& [images, trials] : byRow) {
                    if (std::find(images.begin(), images.end(), cam.imageId) == images.end())
                        continue;
                    const std::vector<QPointF> onRow
                        = shownMarksOf(trials, cam.imageId, width, height, filter.includeSimulated);
                    if (onRow.empty())
                        continue;
                    ImageAttentionAgreement r = row;
                    r.row = images;
                    QSet<QString> who;
                    for (const MarkedTrial& t : trials) {
                        for (const Mark& m : t.marks.points) {
                            if (m.imageId == cam.imageId)
                                who.insert(t.row.participant);
                        }
                    }
                    r.participants = int(who.size());
                    r.agreement = shownImageAgreement(onRow, map.value(), sigma);
                    rowLevel.push_back(std::move(r));
                }
            }
            out.push_back(std::move(row));
        }
        std::stable_sort(rowLevel.begin(), rowLevel.end(),
            [](const ImageAttentionAgreement& a, const ImageAttentionAgreement& b) { return a.row < b.row; });
        out.insert(out.end(), rowLevel.begin(), rowLevel.end());
    }
    return out;
}

namespace {

// Runs `classifier` over `items` as one stored model run (study 0: the pool), storing each batch
// as it finishes; counts into `outcome`.
Status predictAndStore(StudyDatabase& db, Classifier& classifier, const StoredModel& model, qint64 studyId,
    const std::vector<ModelRunItem>& items, const ModelRunOptions& options, const CancelToken& cancel,
    const ProgressFn& progress, const std::atomic_bool* paused, ModelRunOutcome& outcome)
{
    const auto runId = db.startModelRun(model.id, studyId, outcome.runtime, options.batchSize);
    if (!runId)
        return Error { runId.error() };
    outcome.runId = runId.value();
    const Status ran = runClassifier(
        classifier, items, options.batchSize, cancel, progress,
        [&](const std::vector<ImagePrediction>& batch) {
            for (const ImagePrediction& p : batch) {
                if (p.error.isEmpty()) {
                    ++outcome.predicted;
                } else {
                    ++outcome.failed;
                    outcome.errors << p.error;
                }
            }
            return db.storePredictions(outcome.runId, model.sha256, batch);
        },
        paused);
    const QString state = ran ? QStringLiteral("finished")
                              : (cancel.isCancelled() ? QStringLiteral("cancelled") : QStringLiteral("failed"));
    db.finishModelRun(outcome.runId, state, outcome.predicted, outcome.skipped, outcome.failed);
    return ran;
}

} // namespace

bool PoolSelection::contains(const PoolImage& image) const
{
    return (sources.isEmpty() || sources.contains(image.source))
        && (categories.isEmpty() || categories.contains(image.category))
        && (splits.isEmpty() || splits.contains(splitName(image.split)));
}

Result<ModelRunOutcome> runModelOnPool(StudyDatabase& db, qint64 modelId, const PoolSelection& selection,
    const ModelRunOptions& options, const CancelToken& cancel, const ProgressFn& progress)
{
    const auto model = db.model(modelId);
    if (!model)
        return Error { model.error() };
    const auto pool = db.poolImages();
    const auto done = db.predictedImageHashes(model->sha256);
    if (!pool || !done)
        return Error { !pool ? pool.error() : done.error() };
    ModelRunOutcome outcome;
    std::vector<ModelRunItem> items;
    for (const PoolImage& image : pool.value()) {
        if (!selection.contains(image))
            continue;
        if (done->contains(image.sha256)) {
            ++outcome.skipped;
            continue;
        }
        // The file must still be the one imported: the run checks each file's SHA-256 as it reads it.
        items.push_back({ image.id, image.path, image.sha256 });
    }
    if (items.empty() && outcome.skipped == 0)
        return Error {
            QStringLiteral("%1: no pool image matches the selection (%2)").arg(db.path(), selection.describe())
        };
    auto classifier = loadRegisteredModel(db, modelId, options.device, options.threads);
    if (!classifier)
        return Error { classifier.error() };
    outcome.runtime = classifier.value()->runtime();
    if (const Status ran = predictAndStore(
            db, *classifier.value(), model.value(), 0, items, options, cancel, progress, nullptr, outcome);
        !ran)
        return Error { ran.error() };
    return outcome;
}

QString PoolSelection::describe() const
{
    QStringList parts;
    if (!sources.isEmpty())
        parts << QStringLiteral("sources %1").arg(sources.join(QStringLiteral(", ")));
    if (!categories.isEmpty())
        parts << QStringLiteral("categories %1").arg(categories.join(QStringLiteral(", ")));
    if (!splits.isEmpty())
        parts << QStringLiteral("splits %1").arg(splits.join(QStringLiteral(", ")));
    return parts.isEmpty() ? QStringLiteral("the whole pool") : parts.join(QStringLiteral("; "));
}

Result<ModelRunOutcome> runModelOnStudy(StudyDatabase& db, qint64 studyId, qint64 modelId,
    const ModelRunOptions& options, const CancelToken& cancel, const ProgressFn& progress,
    const std::atomic_bool* paused)
{
    const auto study = db.study(studyId);
    if (!study)
        return Error { study.error() };
    const auto model = db.model(modelId);
    if (!model)
        return Error { model.error() };
    auto classifier = loadRegisteredModel(db, modelId, options.device, options.threads);
    if (!classifier)
        return Error { classifier.error() };
    // The files first: a model run on changed stimuli would store predictions people never saw.
    auto checked = checkStudyStimuli(db, studyId, cancel, progress);
    if (!checked)
        return Error { checked.error() };
    const auto pool = db.studyImages(studyId);
    const auto files = db.stimulusFiles(studyId);
    const auto done = db.predictedImageHashes(model->sha256);
    if (!pool || !files || !done)
        return Error { !pool ? pool.error() : (!files ? files.error() : done.error()) };

    const StudyDefinition& d = study->definition;
    ModelRunOutcome outcome;
    outcome.runtime = classifier.value()->runtime();
    outcome.stimuli = std::move(checked).value();
    std::vector<ModelRunItem> items;
    QSet<QString> queued;
    for (const PoolImage& image : pool.value()) {
        if (!studyDrawsOn(d, image))
            continue;
        const auto file = files->value(image.id);
        if (done->contains(file.sha256) || queued.contains(file.sha256)) {
            ++outcome.skipped;
            continue;
        }
        queued.insert(file.sha256);
        items.push_back({ image.id, file.path, file.sha256 });
    }

    if (const Status ran = predictAndStore(
            db, *classifier.value(), model.value(), studyId, items, options, cancel, progress, paused, outcome);
        !ran)
        return Error { ran.error() };

    // The model answers the very trials people answered.
    const auto answered = deriveModelAnswers(db, studyId, model.value(), outcome.runId, options.threshold);
    if (!answered)
        return Error { answered.error() };
    outcome.answers = answered.value();
    return outcome;
}

Result<int> answerNewTrials(StudyDatabase& db, qint64 studyId)
{
    const auto models = db.answeringModels(studyId);
    if (!models)
        return Error { models.error() };
    int total = 0;
    for (const StudyDatabase::AnsweringModel& m : models.value()) {
        const auto model = db.model(m.modelId);
        if (!model)
            return Error { model.error() };
        const auto answered = deriveModelAnswers(db, studyId, model.value(), m.runId, m.threshold);
        if (!answered)
            return Error { answered.error() };
        total += answered.value();
    }
    return total;
}

Result<std::vector<FrequencyAccuracy>> evaluateOnFrequencies(StudyDatabase& db, qint64 modelId,
    const PoolSelection& selection, const std::vector<double>& cutoffs, const ModelRunOptions& options,
    const CancelToken& cancel, const ProgressFn& progress)
{
    const auto pool = loadPool(db);
    if (!pool)
        return Error { pool.error() };
    std::vector<const PoolImage*> images;
    for (const PoolImage& image : pool->images) {
        if (selection.contains(image))
            images.push_back(&image);
    }
    if (images.empty())
        return Error { QStringLiteral("%1: no pool images in %2").arg(db.path(), selection.describe()) };
    auto classifier = loadRegisteredModel(db, modelId, options.device, options.threads);
    if (!classifier)
        return Error { classifier.error() };
    const ModelSpec& spec = classifier.value()->spec();
    // Every image decoded once, from bytes checked against the pool's record.
    std::vector<cv::Mat> decoded;
    for (const PoolImage* image : images) {
        const auto bytes = readFileBytes(image->path);
        if (!bytes)
            return Error { bytes.error() };
        if (!image->sha256.isEmpty() && bytes->sha256 != image->sha256)
            return Error { QStringLiteral("%1: the file changed since it was imported (its SHA-256 differs); import "
                                          "it again")
                               .arg(image->path) };
        auto bgr = decodeImageBgr(bytes->bytes);
        if (!bgr)
            return Error { QStringLiteral("%1: %2").arg(image->path, bgr.error()) };
        decoded.push_back(std::move(bgr).value());
    }
    // A source classifier names the source when it knows every source judged; one trained on other
    // sources (but with a real class) is judged as a detector on its P(real).
    bool namesSources = spec.output == OutputKind::SourceClasses;
    for (const PoolImage* image : images) {
        namesSources = namesSources && std::any_of(spec.classes.begin(), spec.classes.end(), [&](const QString& c) {
            return spec.labelOf(c) == image->source;
        });
    }
    auto judgedRight = [&](const Prediction& p, const PoolImage& image) {
        if (spec.output == OutputKind::CategoryClasses || namesSources) {
            const auto best = std::max_element(p.classProbabilities.begin(), p.classProbabilities.end());
            if (best == p.classProbabilities.end() || p.classProbabilities.size() != std::size_t(spec.classes.size()))
                return false;
            const QString label = spec.labelOf(spec.classes.at(qsizetype(best - p.classProbabilities.begin())));
            return label == (spec.output == OutputKind::SourceClasses ? image.source : image.category);
        }
        return (p.pReal >= options.threshold) == (image.source == pool->realSource);
    };
    std::vector<FrequencyFilter> filters = { FrequencyFilter {} };
    for (const FrequencyFilter& f : frequencySweep(cutoffs))
        filters.push_back(f);
    std::vector<FrequencyAccuracy> results;
    const auto total = qint64(filters.size() * images.size());
    qint64 done = 0;
    for (const FrequencyFilter& filter : filters) {
        std::map<QString, std::pair<int, int>> counts; // source -> right, judged
        int right = 0;
        for (std::size_t start = 0; start < images.size(); start += std::size_t(std::max(1, options.batchSize))) {
            if (cancel.isCancelled())
                return Error { QStringLiteral("frequency analysis cancelled") };
            const std::size_t end = std::min(images.size(), start + std::size_t(std::max(1, options.batchSize)));
            std::vector<PreparedImage> batch;
            for (std::size_t i = start; i < end; ++i) {
                const auto filtered = filterFrequencies(decoded[i], filter, images[i]->path);
                if (!filtered)
                    return Error { filtered.error() };
                auto prepared = prepareDecodedImage(filtered.value(), spec.input);
                if (!prepared)
                    return Error { QStringLiteral("%1: %2").arg(images[i]->path, prepared.error()) };
                batch.push_back(std::move(prepared).value());
            }
            const auto predictions = classifier.value()->predict(batch);
            if (!predictions)
                return Error { predictions.error() };
            for (std::size_t i = start; i < end; ++i) {
                const bool ok = judgedRight(predictions->at(i - start), *images[i]);
                right += ok ? 1 : 0;
                auto& c = counts[images[i]->source];
                c.first += ok ? 1 : 0;
                ++c.second;
            }
            done += qint64(end - start);
            if (progress)
                progress(done, total, filter.describe());
        }
        FrequencyAccuracy result;
        result.filter = filter;
        result.accuracy = wilsonInterval(right, int(images.size()));
        for (const auto& [source, c] : counts)
            result.bySource.insert(source, wilsonInterval(c.first, c.second));
        results.push_back(std::move(result));
    }
    return results;
}

Result<ContaminationReport> estimateFolderContamination(StudyDatabase& db, qint64 modelId, const QString& folder,
    const PoolSelection& rateSelection, const ModelRunOptions& options, const CancelToken& cancel,
    const ProgressFn& progress)
{
    const auto model = db.model(modelId);
    if (!model)
        return Error { model.error() };
    const auto pool = loadPool(db);
    if (!pool)
        return Error { pool.error() };
    ContaminationReport report;
    report.model = model->name;
    report.folder = QFileInfo(folder).absoluteFilePath();
    report.threshold = options.threshold;
    report.rateSelection = rateSelection.describe();

    // The detector's error rates on labelled pool images at the threshold.
    const auto predicted = db.predictionRows(0, modelId);
    if (!predicted)
        return Error { predicted.error() };
    for (const PredictionRow& row : predicted.value()) {
        if (!row.error.isEmpty() || row.pReal < 0.0f || !rateSelection.contains(row.image))
            continue;
        const bool flagged = row.pReal < options.threshold;
        if (row.image.source == pool->realSource) {
            ++report.rates.realImages;
            report.rates.realFlagged += flagged ? 1 : 0;
        } else {
            ++report.rates.generatedImages;
            report.rates.generatedFlagged += flagged ? 1 : 0;
        }
    }
    if (report.rates.realImages == 0 || report.rates.generatedImages == 0)
        return Error { QStringLiteral("model \"%1\" has no P(real) for both real and generated pool images of %2 "
                                      "(%3 real, %4 generated): run `ntt model run --pool` on them first, so its "
                                      "error rates are known")
                           .arg(model->name, report.rateSelection)
                           .arg(report.rates.realImages)
                           .arg(report.rates.generatedImages) };

    if (!QFileInfo(folder).isDir())
        return Error { QStringLiteral("%1: no such folder").arg(folder) };
    std::vector<ModelRunItem> items;
    QDirIterator it(folder, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories | QDirIterator::FollowSymlinks);
    QStringList files;
    while (it.hasNext()) {
        const QString file = it.next();
        const QString relative = QDir(folder).relativeFilePath(file);
        const QStringList parts = relative.split(QLatin1Char('/'));
        if (std::any_of(parts.begin(), parts.end(), [](const QString& part) { return isLitter(part); })
            || isSilentlySkipped(parts.last()))
            continue;
        files << file;
    }
    files.sort();
    for (const QString& file : std::as_const(files))
        items.push_back(ModelRunItem { qint64(items.size()), file, QString() });
    if (items.empty())
        return Error { QStringLiteral("%1: no image files to judge").arg(folder) };

    auto classifier = loadRegisteredModel(db, modelId, options.device, options.threads);
    if (!classifier)
        return Error { classifier.error() };
    std::vector<ImagePrediction> results;
    const Status ran = runClassifier(*classifier.value(), items, options.batchSize, cancel, progress,
        [&](const std::vector<ImagePrediction>& batch) {
            results.insert(results.end(), batch.begin(), batch.end());
            return Status {};
        });
    if (!ran)
        return Error { ran.error() };
    int judged = 0;
    int flagged = 0;
    for (const ImagePrediction& p : results) {
        FolderImageVerdict verdict { items[std::size_t(p.imageId)].path, p.prediction.pReal, p.error };
        if (verdict.error.isEmpty() && verdict.pReal < 0.0f)
            return Error { QStringLiteral("model \"%1\" says no P(real) (a category classifier cannot count generated "
                                          "images)")
                               .arg(model->name) };
        if (verdict.error.isEmpty()) {
            ++judged;
            flagged += verdict.pReal < options.threshold ? 1 : 0;
        }
        report.images.push_back(std::move(verdict));
    }
    std::stable_sort(
        report.images.begin(), report.images.end(), [](const FolderImageVerdict& a, const FolderImageVerdict& b) {
            if (a.error.isEmpty() != b.error.isEmpty())
                return a.error.isEmpty();
            return a.pReal < b.pReal;
        });
    report.estimate = estimateContamination(flagged, judged, report.rates);
    return report;
}

Result<AddedModel> trainDetectorOnPool(
    StudyDatabase& db, const DetectorTraining& training, const CancelToken& cancel, const TrainingProgressFn& progress)
{
    if (training.name.trimmed().isEmpty())
        return Error { QStringLiteral("the model needs a name") };
    if (db.modelByName(training.name))
        return Error {
            QStringLiteral("%1: a model named \"%2\" already exists; choose another name").arg(db.path(), training.name)
        };
    auto pool = loadPool(db);
    if (!pool)
        return Error { pool.error() };
    const bool hasSplits = std::any_of(
        pool->images.begin(), pool->images.end(), [](const PoolImage& i) { return i.split != Split::None; });
    if (!hasSplits) {
        const auto splits = makeSplits(pool->images, training.ratios, training.splitSeed);
        if (const Status s = db.setImageSplits(splits); !s)
            return Error { s.error() };
        for (PoolImage& image : pool->images)
            image.split = splits.value(image.id, Split::None);
    }
    DetectorTraining resolved = training;
    TrainingOptions& options = resolved.options;
    if (training.bySource && training.byCategory)
        return Error { QStringLiteral("a detector is trained by source or by category, not both") };
    const bool kWay = training.bySource || training.byCategory;
    auto labelOf = [&](const PoolImage& image) { return training.byCategory ? image.category : image.source; };
    if (kWay) {
        QStringList classes = training.classes;
        if (classes.isEmpty()) {
            for (const PoolImage& image : pool->images) {
                if (!classes.contains(labelOf(image)))
                    classes << labelOf(image);
            }
            classes.sort();
            if (training.bySource && classes.removeAll(pool->realSource) > 0)
                classes.prepend(pool->realSource);
        }
        for (const QString& c : std::as_const(classes)) {
            if (std::none_of(pool->images.begin(), pool->images.end(),
                    [&](const PoolImage& image) { return labelOf(image) == c; }))
                return Error {
                    QStringLiteral("%1: %2 \"%3\" has no images in the pool")
                        .arg(db.path(), training.byCategory ? QStringLiteral("category") : QStringLiteral("source"), c)
                };
        }
        options.classes = classes;
        options.classKind = training.byCategory ? OutputKind::CategoryClasses : OutputKind::SourceClasses;
        options.realSource = pool->realSource;
    }
    QHash<qint64, QString> stimulusFiles;
    if (training.studyId != 0) {
        auto files = db.stimulusPaths(training.studyId);
        if (!files)
            return Error { files.error() };
        if (files->isEmpty())
            return Error {
                QStringLiteral("%1: study %2 shows no images to train on").arg(db.path()).arg(training.studyId)
            };
        stimulusFiles = std::move(files).value();
    }
    std::vector<LabelledImage> train;
    std::vector<LabelledImage> val;
    for (PoolImage image : pool->images) {
        if (training.studyId != 0) {
            if (!stimulusFiles.contains(image.id))
                continue;
            image.path = stimulusFiles.value(image.id);
        }
        if (kWay && !options.classes.contains(labelOf(image)))
            continue;
        if (!kWay && !training.trainSources.isEmpty() && !training.trainSources.contains(image.source))
            continue;
        const LabelledImage labelled { image.path, image.source == pool->realSource, labelOf(image) };
        if (image.split == Split::Train)
            train.push_back(labelled);
        else if (image.split == Split::Val)
            val.push_back(labelled);
    }
    const QString folder = db.path() + QStringLiteral(".models");
    if (!QDir().mkpath(folder))
        return Error { QStringLiteral("%1: cannot create the models folder").arg(folder) };
    QString fileName = training.name;
    fileName.replace(QRegularExpression(QStringLiteral("[^A-Za-z0-9_.-]")), QStringLiteral("_"));
    const QString modelPath = QDir(folder).absoluteFilePath(fileName + QStringLiteral(".pt"));
    const auto trained = trainDetector(train, val, options, modelPath, training.name, cancel, progress);
    if (!trained)
        return Error { trained.error() };
    const TrainingOptions& o = options;
    QJsonArray history;
    for (const TrainingProgress& e : trained->epochs)
        history.append(QJsonObject { { QStringLiteral("epoch"), e.epoch }, { QStringLiteral("loss"), e.loss },
            { QStringLiteral("val_accuracy"), e.validationAccuracy } });
    const QJsonObject record {
        { QStringLiteral("architecture"), architectureName(o.architecture) },
        { QStringLiteral("optimizer"), o.optimizer },
        { QStringLiteral("learning_rate"), o.learningRate },
        { QStringLiteral("momentum"), o.momentum },
        { QStringLiteral("weight_decay"), o.weightDecay },
        { QStringLiteral("epochs"), o.epochs },
        { QStringLiteral("batch_size"), o.batchSize },
        { QStringLiteral("input_size"), o.inputSize },
        { QStringLiteral("crop_from"), o.cropFrom },
        { QStringLiteral("flips"), o.flips },
        { QStringLiteral("random_resized_crop"), o.randomResizedCrop },
        { QStringLiteral("early_stopping_patience"), o.earlyStoppingPatience },
        { QStringLiteral("seed"), QString::number(o.seed) },
        { QStringLiteral("classes"), QJsonArray::fromStringList(o.classes) },
        { QStringLiteral("study_stimuli"), training.studyId },
        { QStringLiteral("class_kind"), o.classes.isEmpty() ? QString() : outputKindName(o.classKind) },
        { QStringLiteral("train_images"), static_cast<int>(train.size()) },
        { QStringLiteral("val_images"), static_cast<int>(val.size()) },
        { QStringLiteral("best_epoch"), trained->bestEpoch },
        { QStringLiteral("best_val_accuracy"), trained->bestValidationAccuracy },
        { QStringLiteral("device"), trained->runtime.device },
        { QStringLiteral("threads"), trained->runtime.threads },
        { QStringLiteral("torch_version"), trained->runtime.torchVersion },
        { QStringLiteral("history"), history },
    };
    return addModel(
        db, modelPath, training.name, QString::fromUtf8(QJsonDocument(record).toJson(QJsonDocument::Compact)));
}

const CrossGeneratorCell* CrossGeneratorMatrix::find(const QString& trainedOn, const QString& testedOn) const
{
    for (const CrossGeneratorCell& c : cells) {
        if (c.trainedOn == trainedOn && c.testedOn == testedOn)
            return &c;
    }
    return nullptr;
}

Result<CrossGeneratorMatrix> crossGeneratorMatrix(StudyDatabase& db, const DetectorTraining& training, double threshold,
    const CancelToken& cancel, const ProgressFn& progress, const TrainingProgressFn& trainingProgress)
{
    auto pool = loadPool(db);
    if (!pool)
        return Error { pool.error() };
    CrossGeneratorMatrix matrix;
    for (const PoolImage& image : pool->images) {
        if (image.source != pool->realSource && !matrix.generators.contains(image.source))
            matrix.generators << image.source;
    }
    matrix.generators.sort();
    if (matrix.generators.size() < 2)
        return Error { QStringLiteral("%1: the cross-generator matrix needs at least two generators besides the real "
                                      "source \"%2\" (the pool has %3)")
                           .arg(db.path(), pool->realSource)
                           .arg(matrix.generators.isEmpty() ? QStringLiteral("none") : matrix.generators.join(", ")) };
    matrix.sources = QStringList { pool->realSource } + matrix.generators;
    for (const QString& generator : std::as_const(matrix.generators)) {
        DetectorTraining one = training;
        one.name = QStringLiteral("%1 on %2").arg(training.name, generator);
        one.bySource = one.byCategory = false;
        one.trainSources = { pool->realSource, generator };
        auto model = db.modelByName(one.name);
        if (!model) {
            if (progress)
                progress(0, one.options.epochs, QStringLiteral("training %1").arg(one.name));
            const auto trained = trainDetectorOnPool(db, one, cancel, [&](const TrainingProgress& t) {
                if (trainingProgress)
                    trainingProgress(t);
                if (progress && t.batch == 0)
                    progress(t.epoch, t.epochs, QStringLiteral("training %1").arg(one.name));
            });
            if (!trained)
                return Error { trained.error() };
            model = trained->model;
        }
        matrix.models << model->name;
        PoolSelection test;
        test.splits = { splitName(Split::Test) };
        ModelRunOptions run;
        run.threshold = threshold;
        run.device = training.options.device;
        if (const auto ran = runModelOnPool(db, model->id, test, run, cancel, progress); !ran)
            return Error { ran.error() };
        const auto rows = db.predictionRows(0, model->id);
        if (!rows)
            return Error { rows.error() };
        std::vector<PredictionRow> tested;
        for (const PredictionRow& row : rows.value()) {
            if (test.contains(row.image))
                tested.push_back(row);
        }
        for (const SourceDetection& d : detectionBySource(tested, pool->realSource, threshold))
            matrix.cells.push_back({ generator, d.source, d.accuracy });
    }
    return matrix;
}

Result<std::vector<ModelSummary>> summariseModels(const StudyDatabase& db, qint64 studyId)
{
    const auto models = db.models();
    const auto real = db.realSource();
    if (!models || !real)
        return Error { !models ? models.error() : real.error() };
    const auto predictions = db.predictionRows(studyId, 0);
    const auto answers = db.modelAnswerRows(studyId);
    if (!predictions || !answers)
        return Error { !predictions ? predictions.error() : answers.error() };
    std::vector<ModelSummary> result;
    for (const StoredModel& m : models.value()) {
        ModelSummary s;
        s.model = m.name;
        int right = 0;
        for (const PredictionRow& p : predictions.value()) {
            if (p.model != m.name || p.image.split != Split::Test || !p.error.isEmpty() || p.pReal < 0.0f)
                continue;
            ++s.testImages;
            right += ((p.pReal >= 0.5f) == (p.image.source == real.value())) ? 1 : 0;
        }
        if (s.testImages > 0)
            s.testAccuracy = static_cast<double>(right) / s.testImages;
        right = 0;
        for (const ResponseRow& a : answers.value()) {
            if (a.agent != m.name || a.trial.practice)
                continue;
            ++s.trials;
            right += a.response.correct ? 1 : 0;
        }
        if (s.trials > 0)
            s.trialAccuracy = static_cast<double>(right) / s.trials;
        result.push_back(s);
    }
    return result;
}

Result<ScriptedRun> runScriptedParticipant(StudyDatabase& db, SessionPlan& plan, const ScriptedParticipant& script,
    const std::function<void(int)>& onCommitted, StationOutbox* outbox)
{
    auto checkShare = [](const QString& what, double v) -> Status {
        if (!(v >= 0.0 && v <= 1.0))
            return Error { QStringLiteral("%1 %2 must be between 0 and 1").arg(what).arg(v) };
        return {};
    };
    if (const Status s = checkShare(QStringLiteral("accuracy"), script.accuracy); !s)
        return Error { s.error() };
    if (const Status s = checkShare(QStringLiteral("lapse rate"), script.lapseRate); !s)
        return Error { s.error() };
    for (auto it = script.accuracyBySource.cbegin(); it != script.accuracyBySource.cend(); ++it) {
        if (const Status s = checkShare(QStringLiteral("accuracy for source \"%1\"").arg(it.key()), it.value()); !s)
            return Error { s.error() };
    }
    for (auto it = script.accuracyByCategory.cbegin(); it != script.accuracyByCategory.cend(); ++it) {
        if (const Status s = checkShare(QStringLiteral("accuracy for category \"%1\"").arg(it.key()), it.value()); !s)
            return Error { s.error() };
    }
    if (!(script.rtSigma >= 0.0 && script.rtSigma <= 5.0) || !(script.meanRtMs > 0.0))
        return Error { QStringLiteral("response times: median %1 ms must be above 0 and sigma %2 within 0..5")
                           .arg(script.meanRtMs)
                           .arg(script.rtSigma) };
    // The images' sources and categories, for accuracies that depend on them.
    QHash<qint64, PoolImage> images;
    if (!script.accuracyBySource.isEmpty() || !script.accuracyByCategory.isEmpty()) {
        const auto pool = db.poolImages();
        if (!pool)
            return Error { pool.error() };
        for (const PoolImage& image : pool.value())
            images.insert(image.id, image);
    }
    auto accuracyFor = [&](const Trial& trial) {
        if (images.isEmpty() || trial.imageIds.empty())
            return script.accuracy;
        std::vector<PoolImage> shown;
        for (qint64 id : trial.imageIds)
            shown.push_back(images.value(id));
        const auto category = script.accuracyByCategory.constFind(shown.front().category);
        if (category != script.accuracyByCategory.cend())
            return *category;
        double sum = 0.0;
        int n = 0;
        for (const QString& source : testedSources(trial, shown)) {
            const auto it = script.accuracyBySource.constFind(source);
            if (it != script.accuracyBySource.cend()) {
                sum += *it;
                ++n;
            }
        }
        return n > 0 ? sum / n : script.accuracy;
    };
    ScriptedRun run;
    run.sessionId = plan.session.id;
    SessionWriter writer(db, plan.session.id, plan.leaseToken, outbox);
    if (const Status s = writer.heartbeat(); !s)
        return Error { s.error() };
    // Seeded per session so a resumed script answers the remaining trials as the first run would have.
    Rng rng = Rng::forStream(script.seed, static_cast<std::uint64_t>(plan.session.participantIndex));
    SessionFlow flow(plan.study.definition, plan.trials, plan.answered);
    if (flow.resumed())
        writer.event(flow.firstUnanswered(), QStringLiteral("resumed"), QStringLiteral("scripted"));
    std::vector<std::pair<double, double>> draws(plan.trials.size());
    for (auto& d : draws)
        d = { rng.uniform(), rng.uniform() };
    // Lapses and log-normal times from a stream of their own, so the answers above stay as they were.
    Rng extraRng = Rng::forStream(script.seed ^ 0x1a95e5ULL, static_cast<std::uint64_t>(plan.session.participantIndex));
    std::vector<std::pair<double, double>> extra(plan.trials.size());
    for (auto& d : extra)
        d = { extraRng.uniform(), extraRng.normal() };
    // Marks, when asked, from a stream of their own: where the generated images changed.
    Rng marksRng = Rng::forStream(script.seed ^ 0x3a4c5ULL, static_cast<std::uint64_t>(plan.session.participantIndex));
    ChangedPlaces changed;
    const MarkingOptions& marking = plan.study.definition.marks;
    QHash<qint64, PoolImage> pool;
    QHash<QString, const PoolImage*> realByPair;
    if (script.marks && marking.points > 0) {
        auto all = db.poolImages();
        if (!all)
            return Error { all.error() };
        for (const PoolImage& image : all.value())
            pool.insert(image.id, image);
        for (const PoolImage& image : std::as_const(pool)) {
            if (image.source == plan.study.realSource && !image.pairKey.isEmpty())
                realByPair.insert(image.pairKey, &image);
        }
    }
    // Confidence, when asked, from a third stream: the answers and times above stay as they were.
    Rng confidenceRng
        = Rng::forStream(script.seed ^ 0xc0f1deULL, static_cast<std::uint64_t>(plan.session.participantIndex));
    std::vector<double> evidence(plan.trials.size());
    for (double& e : evidence)
        e = confidenceRng.normal();

    // Brief exposure: the same staircase the participant window keeps, at a nominal 60 Hz.
    std::unique_ptr<Staircase> staircase = sessionStaircase(plan.study.definition, plan.trials, plan.answers);
    constexpr double kScriptedFrameRateHz = 60.0;
    if (!(script.exposureHalfMs > 0.0))
        return Error {
            QStringLiteral("the exposure at half accuracy is %1 ms; it must be above 0").arg(script.exposureHalfMs)
        };

    for (; !flow.atEnd(); flow.advance()) {
        if (flow.current().kind != ScreenKind::Trial)
            continue;
        if (script.stopAfter >= 0 && run.answered >= script.stopAfter) {
            // Left open like a paused session: any station may resume it.
            if (const Status s = writer.release(); !s)
                return Error { s.error() };
            return run;
        }
        const Trial& trial = plan.trials[flow.current().trialIndex];
        const auto [correctDraw, choiceDraw] = draws[trial.index];
        const int options = answerOptionCount(trial);
        const auto [lapseDraw, rtDraw] = extra[trial.index];
        Response response;
        double accuracy = accuracyFor(trial);
        if (const int frames = exposureFramesOf(plan.study.definition, trial, staircase.get()); frames > 0) {
            response.exposureFrames = frames;
            response.frameRateHz = kScriptedFrameRateHz;
            response.exposureMs = frames * 1000.0 / kScriptedFrameRateHz;
            response.maskMs = plan.study.definition.exposure.maskFrames * 1000.0 / kScriptedFrameRateHz;
            const double chance = 1.0 / std::max(1, options);
            accuracy = chance
                + (accuracy - chance)
                    * (1.0 - std::pow(2.0, -std::pow(response.exposureMs / script.exposureHalfMs, 2.0)));
        }
        if (lapseDraw < script.lapseRate) {
            response.answer = std::min(options - 1, static_cast<int>(choiceDraw * options));
        } else if (correctDraw < accuracy) {
            response.answer = trial.correctPosition;
        } else {
            const int wrong = static_cast<int>(choiceDraw * (options - 1));
            response.answer = wrong >= trial.correctPosition ? wrong + 1 : wrong;
        }
        response.rtMs = std::round(script.rtSigma > 0.0 ? script.meanRtMs * std::exp(script.rtSigma * rtDraw)
                                                        : script.meanRtMs * (0.5 + correctDraw));
        response.responseUtc = QDateTime::currentDateTimeUtc();
        response.onsetUtc = response.responseUtc.addMSecs(-static_cast<qint64>(response.rtMs));
        response.rtClock = QStringLiteral("scripted");
        if (plan.study.definition.confidence) {
            const double e
                = evidence[trial.index] + (response.answer == trial.correctPosition ? script.metacognition : 0.0);
            response.confidence = 1 + (e > 0.0 ? 1 : 0) + (e > 0.7 ? 1 : 0) + (e > 1.4 ? 1 : 0);
        }
        scoreResponse(plan.study.definition, trial, response);
        if (const Status s = writer.answer(response); !s)
            return Error { s.error() };
        if (staircase && trial.exposureFrames == kStaircaseExposure)
            staircase->addResponse(response.correct, response.exposureFrames);
        if (script.marks && asksForMarks(plan.study.definition, trial, response.answer)) {
            TrialMarks marks;
            const int count = 1 + std::min(marking.points - 1, int(marksRng.uniform() * marking.points));
            const double reasonDraw = marksRng.uniform();
            for (int position = 0; position < trial.ways(); ++position) {
                const PoolImage image = pool.value(trial.imageIds[std::size_t(position)]);
                // The generated images of the row: where people would see the generator's traces.
                if (trial.ways() > 1 && image.source == plan.study.realSource)
                    continue;
                const PoolImage* real = image.pairKey.isEmpty() ? nullptr : realByPair.value(image.pairKey);
                for (const QPointF& p :
                    changed.sample(image, real && real->id != image.id ? real : nullptr, count, marksRng)) {
                    const QPointF shown = imagePixelsToShown(
                        p.x(), p.y(), image.width, image.height, plan.study.definition.normalisation);
                    if (shown.x() < 0.0 || shown.x() > 1.0 || shown.y() < 0.0 || shown.y() > 1.0)
                        continue; // cut off by the normalisation's crop: not on screen
                    if (int(marks.points.size()) < marking.points)
                        marks.points.push_back({ position, image.id, shown.x(), shown.y(), p.x(), p.y() });
                }
            }
            if (!marking.reasons.isEmpty())
                marks.reason = marking.reasons.at(
                    std::min(qsizetype(reasonDraw * marking.reasons.size()), marking.reasons.size() - 1));
            if (const Status s = writer.event(trial.index, marksEventKind(), marksToJson(marks)); !s)
                return Error { s.error() };
        }
        plan.answered.insert(trial.index);
        ++run.answered;
        if (onCommitted)
            onCommitted(trial.index);
        if (script.delayMs > 0)
            QThread::msleep(static_cast<unsigned long>(script.delayMs));
    }
    if (const Status s = writer.end(SessionState::Finished); !s)
        return Error { s.error() };
    run.finished = true;
    return run;
}

QString demoLabel()
{
    return QStringLiteral("SYNTHETIC demo study: simulated images and generators, not real photographs");
}

namespace {

// The demo's detectors, trained on the demo pool when the file does not have them yet (one made by
// an earlier version, or cut short). A 32 px crop at full resolution keeps the generators' traces
// that scaling 256 px images down would erase; AdamW learns them in seconds on two cores.
Result<StoredModel> ensureDemoDetector(StudyDatabase& db, const QString& name, bool bySource, bool byCategory,
    int epochs, const CancelToken& cancel, const ProgressFn& progress)
{
    if (auto model = db.modelByName(name))
        return model;
    DetectorTraining training;
    training.name = name;
    training.bySource = bySource;
    training.byCategory = byCategory;
    TrainingOptions& o = training.options;
    o.architecture = DetectorArchitecture::BaselineCnn;
    o.optimizer = QStringLiteral("adamw");
    o.learningRate = 0.01;
    o.weightDecay = 0.01;
    // Shapes are seen in the whole image scaled down; generators' traces in a full-resolution crop.
    o.inputSize = byCategory ? 64 : 32;
    o.cropFrom = byCategory ? 0 : 256;
    o.randomResizedCrop = false;
    o.epochs = epochs;
    o.earlyStoppingPatience = 0;
    o.batchSize = 16;
    o.seed = 1;
    training.ratios = SplitRatios { 6, 2, 2 };
    const auto trained = trainDetectorOnPool(db, training, cancel, [&](const TrainingProgress& t) {
        if (progress && t.batch == 0)
            progress(t.epoch, t.epochs, QStringLiteral("training %1").arg(name));
    });
    if (!trained)
        return Error { trained.error() };
    return trained->model;
}

// Runs `model` on the study's images and trials (only images it has not predicted yet).
Status runDemoModel(StudyDatabase& db, qint64 studyId, const Result<StoredModel>& model, const CancelToken& cancel,
    const ProgressFn& progress)
{
    if (!model)
        return Error { model.error() };
    const auto run = runModelOnStudy(db, studyId, model->id, ModelRunOptions {}, cancel, progress);
    if (!run)
        return Error { run.error() };
    return {};
}

// Scripted participants, flagged simulated, so the demo has answers to look at and to compare.
constexpr int kDemoParticipants = 12;
Status ensureDemoParticipants(StudyDatabase& db, qint64 studyId, const StudyDefinition& part)
{
    const TrialType type = part.trialType;
    const auto sessions = db.sessions(studyId);
    if (!sessions)
        return Error { sessions.error() };
    for (int i = static_cast<int>(sessions->size()); i < kDemoParticipants; ++i) {
        auto plan = startSession(
            db, studyId, QStringLiteral("SIM-%1").arg(i + 1, 2, 10, QLatin1Char('0')), QStringLiteral("demo"), true);
        if (!plan)
            return Error { plan.error() };
        // A participant model in the spirit of the papers: the faint checkerboard is easier to spot
        // than the missing high frequencies; people differ; some attention lapses. Telling the
        // generators apart is harder than spotting that one is there; the shapes are plain to see.
        ScriptedParticipant script;
        script.accuracy = 0.6;
        if (type == TrialType::WhichSource) {
            script.accuracyBySource = { { QStringLiteral("real"), 0.55 + 0.02 * (i % 4) },
                { QStringLiteral("checkerboard"), 0.5 + 0.02 * (i % 5) },
                { QStringLiteral("upsampler"), 0.4 + 0.02 * (i % 3) } };
        } else if (type == TrialType::WhichCategory) {
            script.accuracyByCategory = { { QStringLiteral("disks"), 0.95 }, { QStringLiteral("squares"), 0.9 },
                { QStringLiteral("stripes"), 0.85 - 0.02 * (i % 3) } };
        } else if (part.exposure.enabled()) {
            // Seen long enough, the traces are plain; at a few frames they are not: people differ in
            // the exposure they need (a Weibull psychometric function, half-way at 25 to 65 ms).
            script.accuracyBySource = { { QStringLiteral("real"), 0.92 }, { QStringLiteral("checkerboard"), 0.95 },
                { QStringLiteral("upsampler"), 0.88 } };
            script.exposureHalfMs = 25.0 + 10.0 * (i % 5);
        } else {
            script.accuracyBySource = { { QStringLiteral("checkerboard"), 0.62 + 0.02 * (i % 5) },
                { QStringLiteral("upsampler"), 0.5 + 0.02 * (i % 4) } };
            script.accuracyByCategory = { { QStringLiteral("stripes"), 0.5 } };
        }
        script.lapseRate = 0.03;
        script.meanRtMs = 1400.0 + 60.0 * (i % 6);
        script.rtSigma = 0.35;
        script.seed = static_cast<std::uint64_t>(i + 1);
        if (const auto run = runScriptedParticipant(db, plan.value(), script); !run)
            return Error { run.error() };
    }
    return {};
}

} // namespace

Result<DemoStudy> ensureDemoStudy(const QString& folder, const CancelToken& cancel, const ProgressFn& progress)
{
    if (!QDir().mkpath(folder))
        return Error { QStringLiteral("%1: cannot create the demo folder").arg(folder) };
    DemoStudy demo;
    demo.databasePath = QDir(folder).absoluteFilePath(QStringLiteral("demo.ntt"));
    auto db = StudyDatabase::open(demo.databasePath);
    if (!db)
        return Error { db.error() };
    if (const Status s = db.value()->setMetaValue(QStringLiteral("label"), demoLabel()); !s)
        return Error { s.error() };
    const auto studies = db.value()->studies();
    if (!studies)
        return Error { studies.error() };
    if (!studies->empty()) {
        demo.studyId = studies->front().id;
    } else {
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
    }
    StudyDatabase& file = *db.value();
    const auto main = file.study(demo.studyId);
    if (!main)
        return Error { main.error() };
    if (const Status s = ensureDemoParticipants(file, demo.studyId, main->definition); !s)
        return Error { s.error() };
    const auto detector
        = ensureDemoDetector(file, QStringLiteral("Baseline CNN (demo)"), false, false, 80, cancel, progress);
    if (const Status s = runDemoModel(file, demo.studyId, detector, cancel, progress); !s)
        return Error { s.error() };

    // The parts that ask whether an image is real (with confidence), which generator made it and what
    // it shows, added to older demos too.
    const auto all = file.studies();
    if (!all)
        return Error { all.error() };
    for (const StudyDefinition& part : demoPartDefinitions()) {
        qint64 partId = 0;
        for (const StoredStudy& s : all.value()) {
            if (s.definition.name == part.name)
                partId = s.id;
        }
        if (partId == 0) {
            const auto created = createStudy(file, part, cancel, progress);
            if (!created)
                return Error { created.error() };
            partId = created->study.id;
        }
        if (const Status s = ensureDemoParticipants(file, partId, part); !s)
            return Error { s.error() };
        const bool bySource = part.trialType == TrialType::WhichSource;
        const bool byCategory = part.trialType == TrialType::WhichCategory;
        const auto model = ensureDemoDetector(file,
            bySource         ? QStringLiteral("Source CNN (demo)")
                : byCategory ? QStringLiteral("Category CNN (demo)")
                             : QStringLiteral("Baseline CNN (demo)"),
            bySource, byCategory, 40, cancel, progress);
        if (const Status s = runDemoModel(file, partId, model, cancel, progress); !s)
            return Error { s.error() };
    }
    return demo;
}

} // namespace ntt
