#include "studyexports.h"

#include "analysis/contactsheet.h"
#include "pool/thumbnails.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSaveFile>

#include <cmath>

namespace ntt {

Status writeFileAtomically(const QString& path, const std::function<Status(QIODevice&)>& write)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return Error { QStringLiteral("%1: cannot write: %2").arg(path, file.errorString()) };
    if (const Status s = write(file); !s)
        return s;
    if (!file.commit())
        return Error { QStringLiteral("%1: cannot write: %2").arg(path, file.errorString()) };
    return {};
}

Status writeTableFile(const Table& table, const QString& path)
{
    return writeFileAtomically(path, [&](QIODevice& d) { return writeTableCsv(d, table, path); });
}

Status addExcelByteOrderMark(const QString& path)
{
    static const QByteArray kMark("\xEF\xBB\xBF");
    QFile in(path);
    if (!in.open(QIODevice::ReadOnly))
        return Error {
            QStringLiteral("%1: cannot read it to add the byte-order mark for Excel: %2").arg(path, in.errorString())
        };
    const QByteArray bytes = in.readAll();
    in.close();
    if (bytes.startsWith(kMark))
        return {};
    return writeFileAtomically(path, [&](QIODevice& d) {
        if (d.write(kMark) != kMark.size() || d.write(bytes) != bytes.size())
            return Status(Error { QStringLiteral("%1: cannot write: %2").arg(path, d.errorString()) });
        return Status();
    });
}

Status addExcelByteOrderMarks(const QStringList& paths)
{
    for (const QString& p : paths) {
        if (!p.endsWith(QLatin1String(".csv"), Qt::CaseInsensitive))
            continue;
        if (const Status s = addExcelByteOrderMark(p); !s)
            return s;
    }
    return {};
}

namespace {

/// The responses or model answers that count under the filter, as tables for Psych-DS.
std::vector<ResponseRow> filtered(const std::vector<ResponseRow>& rows, const AnswerFilter& filter)
{
    std::vector<ResponseRow> out;
    for (const ResponseRow& r : rows) {
        if (countsAsAnswer(r, filter))
            out.push_back(r);
    }
    return out;
}

} // namespace

Result<std::vector<MarkedTrial>> studyMarks(const StudyDatabase& db, qint64 studyId, const AnswerFilter& filter)
{
    const auto events = db.sessionEvents(studyId, marksEventKind());
    if (!events)
        return Error { events.error() };
    if (events->empty())
        return std::vector<MarkedTrial> {};
    const auto rows = db.responseRows(studyId);
    if (!rows)
        return Error { rows.error() };
    const auto study = db.study(studyId);
    if (!study)
        return Error { study.error() };
    const StimulusNormalisation& normalisation = study->definition.normalisation;
    QHash<QPair<qint64, int>, const ResponseRow*> byTrial;
    for (const ResponseRow& r : rows.value())
        byTrial.insert({ r.sessionId, r.trial.index }, &r);
    std::vector<MarkedTrial> out;
    for (const SessionStore::StoredEvent& e : events.value()) {
        const ResponseRow* row = byTrial.value({ e.sessionId, e.event.trialIndex });
        if (!row || !countsAsAnswer(*row, filter))
            continue;
        auto marks = marksFromJson(e.event.detail);
        if (!marks)
            return Error { QStringLiteral("session %1, trial %2: %3")
                               .arg(e.sessionId)
                               .arg(e.event.trialIndex + 1)
                               .arg(marks.error()) };
        // Where on the shown image, in the pool image's own pixels: one conversion for every station.
        for (Mark& m : marks->points) {
            if (m.position < 0 || std::size_t(m.position) >= row->shown.size())
                continue;
            const PoolImage& image = row->shown[std::size_t(m.position)];
            const QPointF p = shownToImagePixels(m.u, m.v, image.width, image.height, normalisation);
            m.x = p.x();
            m.y = p.y();
        }
        out.push_back({ *row, std::move(marks).value(), e.event.atUtc });
    }
    return out;
}

Result<StudyAnalysis> analyseStudy(const StudyDatabase& db, qint64 studyId, const AnalysisOptions& options)
{
    StudyAnalysis result;
    auto study = db.study(studyId);
    if (!study)
        return Error { study.error() };
    result.study = std::move(study).value();
    const auto people = db.responseRows(studyId);
    if (!people)
        return Error { people.error() };
    const auto models = db.modelAnswerRows(studyId);
    if (!models)
        return Error { models.error() };
    result.analysis = analyse(people.value(), models.value(), options);
    auto images = db.studyImages(studyId);
    if (!images)
        return Error { images.error() };
    result.images = std::move(images).value();
    // Per image, only the answers the analysis kept (excluded participants left out).
    std::vector<ResponseRow> kept;
    for (const ResponseRow& r : people.value()) {
        if (!result.analysis.excludedParticipants.contains(r.participant))
            kept.push_back(r);
    }
    result.people = humanResultsByImage(kept, options.filter);
    auto tags = db.imageTags();
    auto notes = db.imageNotes();
    if (!tags || !notes)
        return Error { !tags ? tags.error() : notes.error() };
    result.tags = std::move(tags).value();
    result.notes = std::move(notes).value();
    const auto registered = db.models();
    if (!registered)
        return Error { registered.error() };
    for (const StoredModel& m : registered.value()) {
        auto pReal = db.pRealByImage(studyId, m.sha256);
        if (!pReal)
            return Error { pReal.error() };
        if (!pReal->isEmpty())
            result.pRealByModel.insert(m.name, std::move(pReal).value());
    }
    result.roc = rocAndCalibration(kept, result.pRealByModel, options);
    result.selfConsistency = selfConsistency(kept, options.filter);
    auto exposure = exposureAnalysis(kept, options.filter, result.study.definition);
    if (!exposure)
        return Error { exposure.error() };
    result.exposure = std::move(exposure).value();
    return result;
}

QString summaryTableName(SummaryTable table)
{
    switch (table) {
    case SummaryTable::Categories:
        return QStringLiteral("categories");
    case SummaryTable::Sources:
        return QStringLiteral("sources");
    case SummaryTable::Participants:
        return QStringLiteral("participants");
    case SummaryTable::Images:
        return QStringLiteral("images");
    case SummaryTable::Confusion:
        return QStringLiteral("confusion");
    case SummaryTable::SourcePairs:
        return QStringLiteral("source-pairs");
    case SummaryTable::PairCorrelation:
        return QStringLiteral("pair-correlation");
    case SummaryTable::Roc:
        return QStringLiteral("roc");
    case SummaryTable::Auc:
        return QStringLiteral("auc");
    case SummaryTable::Calibration:
        return QStringLiteral("calibration");
    case SummaryTable::SelfConsistency:
        return QStringLiteral("self-consistency");
    case SummaryTable::SignalDetection:
        return QStringLiteral("signal-detection");
    case SummaryTable::Exposure:
        return QStringLiteral("exposure");
    case SummaryTable::Staircase:
        return QStringLiteral("staircase");
    }
    return {};
}

const std::vector<SummaryTable>& allSummaryTables()
{
    static const std::vector<SummaryTable> all = { SummaryTable::Categories, SummaryTable::Sources,
        SummaryTable::Participants, SummaryTable::Images, SummaryTable::Confusion, SummaryTable::SourcePairs,
        SummaryTable::PairCorrelation, SummaryTable::Roc, SummaryTable::Auc, SummaryTable::Calibration,
        SummaryTable::SelfConsistency, SummaryTable::SignalDetection, SummaryTable::Exposure, SummaryTable::Staircase };
    return all;
}

std::optional<SummaryTable> summaryTableFromName(const QString& name)
{
    for (SummaryTable t : allSummaryTables()) {
        if (name.compare(summaryTableName(t), Qt::CaseInsensitive) == 0)
            return t;
    }
    return std::nullopt;
}

Result<std::vector<BrowserImage>> browserImages(const StudyDatabase& db, const StudyAnalysis& analysis)
{
    std::vector<BrowserImage> out;
    out.reserve(analysis.images.size());
    QHash<qint64, std::size_t> index;
    for (const PoolImage& image : analysis.images) {
        BrowserImage b;
        b.image = image;
        b.real = image.source == analysis.study.realSource;
        b.people = analysis.people.value(image.id);
        for (auto it = analysis.pRealByModel.cbegin(); it != analysis.pRealByModel.cend(); ++it) {
            const auto p = it->constFind(image.id);
            if (p != it->cend())
                b.pReal.insert(it.key(), *p);
        }
        b.tags = analysis.tags.value(image.id);
        b.note = analysis.notes.value(image.id);
        index.insert(image.id, out.size());
        out.push_back(std::move(b));
    }
    const auto models = db.models();
    if (!models)
        return Error { models.error() };
    for (const StoredModel& m : models.value()) {
        if (m.spec.classes.size() < 2)
            continue;
        const auto rows = db.predictionRows(analysis.study.id, m.id);
        if (!rows)
            return Error { rows.error() };
        for (const PredictionRow& r : rows.value()) {
            const auto at = index.constFind(r.image.id);
            if (at == index.cend() || r.classProbabilities.isEmpty())
                continue;
            const QJsonArray array = QJsonDocument::fromJson(r.classProbabilities.toUtf8()).array();
            std::vector<float> probabilities;
            probabilities.reserve(std::size_t(array.size()));
            for (const QJsonValue& v : array)
                probabilities.push_back(float(v.toDouble()));
            out[*at].classProbabilities.insert(m.name, std::move(probabilities));
        }
    }
    return out;
}

Table summaryTable(const StudyAnalysis& a, SummaryTable table)
{
    switch (table) {
    case SummaryTable::Categories:
        return accuracyTable(a.analysis.byCategory, QStringLiteral("category"));
    case SummaryTable::Sources:
        return accuracyTable(a.analysis.bySource, QStringLiteral("source"));
    case SummaryTable::Participants:
        return participantTable(a.analysis);
    case SummaryTable::Images:
        return imageTable(a.images, a.people, a.pRealByModel, a.tags, a.notes);
    case SummaryTable::Confusion:
        return confusionTable(a.analysis);
    case SummaryTable::SourcePairs:
        return accuracyTable(a.analysis.byPair, QStringLiteral("pair"));
    case SummaryTable::PairCorrelation:
        return pairCorrelationTable(a.analysis);
    case SummaryTable::Roc:
        return rocTable(a.roc);
    case SummaryTable::Auc:
        return aucTable(a.roc);
    case SummaryTable::Calibration:
        return calibrationTable(a.roc);
    case SummaryTable::SelfConsistency:
        return selfConsistencyTable(a.selfConsistency, a.analysis);
    case SummaryTable::SignalDetection:
        return signalDetectionTable(a.analysis);
    case SummaryTable::Exposure:
        return exposureTable(a.exposure);
    case SummaryTable::Staircase:
        return staircaseTable(a.exposure);
    }
    return {};
}

Result<int> exportSummary(
    const StudyDatabase& db, qint64 studyId, SummaryTable table, const QString& csvPath, const AnalysisOptions& options)
{
    const auto analysis = analyseStudy(db, studyId, options);
    if (!analysis)
        return Error { analysis.error() };
    const Table t = summaryTable(analysis.value(), table);
    if (const Status s = writeFileAtomically(csvPath, [&](QIODevice& d) { return writeTableCsv(d, t, csvPath); }); !s)
        return Error { s.error() };
    return int(t.rows.size());
}

Result<QStringList> exportSummaryTables(
    const StudyDatabase& db, qint64 studyId, const QString& folder, const AnalysisOptions& options)
{
    if (!QFileInfo(folder).isDir())
        return Error { QStringLiteral("%1: no such folder").arg(folder) };
    const auto analysis = analyseStudy(db, studyId, options);
    if (!analysis)
        return Error { analysis.error() };
    QStringList written;
    for (SummaryTable table : allSummaryTables()) {
        const QString path = QDir(folder).filePath(summaryTableName(table) + QStringLiteral(".csv"));
        const Table t = summaryTable(analysis.value(), table);
        if (const Status s = writeFileAtomically(path, [&](QIODevice& d) { return writeTableCsv(d, t, path); }); !s)
            return Error { s.error() };
        written << path;
    }
    return written;
}

Table imageSelectionTable(const StudyAnalysis& analysis, const std::vector<qint64>& imageIds)
{
    QHash<qint64, const PoolImage*> byId;
    for (const PoolImage& image : analysis.images)
        byId.insert(image.id, &image);
    std::vector<PoolImage> chosen;
    chosen.reserve(imageIds.size());
    for (qint64 id : imageIds) {
        if (const PoolImage* image = byId.value(id))
            chosen.push_back(*image);
    }
    return imageTable(chosen, analysis.people, analysis.pRealByModel, analysis.tags, analysis.notes);
}

Result<int> exportImageSelection(
    const StudyAnalysis& analysis, const std::vector<qint64>& imageIds, const QString& csvPath)
{
    const Table t = imageSelectionTable(analysis, imageIds);
    if (const Status s = writeFileAtomically(csvPath, [&](QIODevice& d) { return writeTableCsv(d, t, csvPath); }); !s)
        return Error { s.error() };
    return int(t.rows.size());
}

Status exportContactSheet(const StudyAnalysis& analysis, const QString& studyFilePath,
    const std::vector<qint64>& imageIds, const QString& model, const QString& title, const QString& path,
    const CancelToken& cancel)
{
    QHash<qint64, const PoolImage*> byId;
    for (const PoolImage& image : analysis.images)
        byId.insert(image.id, &image);
    const ThumbnailCache thumbnails(thumbnailFolderOf(studyFilePath), 160);
    const QHash<qint64, float> pReal = analysis.pRealByModel.value(model);
    std::vector<ContactSheetItem> items;
    for (qint64 id : imageIds) {
        if (cancel.isCancelled())
            return Error { QStringLiteral("%1: cancelled").arg(path) };
        const PoolImage* image = byId.value(id);
        if (!image)
            return Error { QStringLiteral("%1: image %2 is not in the study").arg(path).arg(id) };
        ContactSheetItem item;
        auto thumbnail = thumbnails.thumbnail(image->path, image->sha256);
        if (thumbnail)
            item.thumbnail = std::move(thumbnail).value(); // a missing file leaves a grey box
        const ImageHumanResult people = analysis.people.value(id);
        item.caption = QStringLiteral("#%1").arg(id);
        if (people.trials > 0)
            item.caption += QStringLiteral(" - people %1 %").arg(std::lround(100.0 * people.shareCorrect()));
        if (pReal.contains(id))
            item.caption += QStringLiteral("\nP(real) %1").arg(double(pReal.value(id)), 0, 'f', 2);
        items.push_back(std::move(item));
    }
    ContactSheetLayout layout;
    layout.columns = 6;
    layout.cell = 160;
    layout.title = title;
    const auto sheet = composeContactSheet(items, layout);
    if (!sheet)
        return Error { QStringLiteral("%1: %2").arg(path, sheet.error()) };
    return writeContactSheet(sheet.value(), path);
}

QString psychDsValue(const QString& text)
{
    QString value;
    for (const QChar c : text) {
        if (c.isLetterOrNumber() && c.unicode() < 128)
            value += c;
    }
    return value.isEmpty() ? QStringLiteral("unnamed") : value;
}

Result<QStringList> exportPsychDs(
    const StudyDatabase& db, qint64 studyId, const QString& folder, const AnalysisOptions& options)
{
    const auto analysis = analyseStudy(db, studyId, options);
    if (!analysis)
        return Error { analysis.error() };
    const QDir root(folder);
    if (!root.mkpath(QStringLiteral("data")))
        return Error { QStringLiteral("%1: cannot create the folder").arg(root.filePath(QStringLiteral("data"))) };
    const QString stem = QStringLiteral("study-%1_table-").arg(psychDsValue(analysis->study.definition.name));
    QStringList written;
    QStringList variables;
    auto note = [&](const QStringList& columns) {
        for (const QString& c : columns) {
            if (!variables.contains(c))
                variables << c;
        }
    };
    // Psych-DS keyword values are letters and digits: "source-pairs" is written "sourcepairs".
    auto dataFile = [&](QString table) {
        table.remove(QRegularExpression(QStringLiteral("[^A-Za-z0-9]")));
        return root.filePath(QStringLiteral("data/") + stem + table + QStringLiteral("_data.csv"));
    };

    const auto people = db.responseRows(studyId);
    const auto models = db.modelAnswerRows(studyId);
    if (!people || !models)
        return Error { !people ? people.error() : models.error() };
    const int ways = std::max(1, analysis->study.definition.ways);
    for (const auto& [table, rows] :
        { std::pair { QStringLiteral("responses"), filtered(people.value(), options.filter) },
            std::pair { QStringLiteral("modelanswers"), filtered(models.value(), options.filter) } }) {
        const QString path = dataFile(table);
        if (const Status s
            = writeFileAtomically(path, [&](QIODevice& d) { return writeResponsesCsv(d, rows, path, ways); });
            !s)
            return Error { s.error() };
        note(responseCsvHeader(ways));
        written << path;
    }
    const auto real = db.realSource();
    const auto predictions = db.predictionRows(studyId, 0);
    if (!real || !predictions)
        return Error { !real ? real.error() : predictions.error() };
    {
        const QString path = dataFile(QStringLiteral("predictions"));
        if (const Status s = writeFileAtomically(
                path, [&](QIODevice& d) { return writePredictionsCsv(d, predictions.value(), path, real.value()); });
            !s)
            return Error { s.error() };
        note(predictionCsvHeader());
        written << path;
    }
    for (SummaryTable t : allSummaryTables()) {
        const Table table = summaryTable(analysis.value(), t);
        const QString path = dataFile(summaryTableName(t));
        if (const Status s = writeFileAtomically(path, [&](QIODevice& d) { return writeTableCsv(d, table, path); }); !s)
            return Error { s.error() };
        note(table.header);
        written << path;
    }

    QJsonArray measured;
    for (const QString& v : std::as_const(variables))
        measured.append(v);
    const QJsonObject description {
        { QStringLiteral("@context"), QStringLiteral("https://schema.org/") },
        { QStringLiteral("@type"), QStringLiteral("Dataset") },
        { QStringLiteral("name"), analysis->study.definition.name },
        { QStringLiteral("description"),
            QStringLiteral("NameThatTrue study \"%1\": people's and models' answers to the same trials, the models' "
                           "per-image outputs, and accuracy summaries. %2 participant(s) analysed (%3 excluded); "
                           "simulated sessions %4; practice trials %5; catch trials %6.")
                .arg(analysis->study.definition.name)
                .arg(analysis->analysis.participants.size() - analysis->analysis.excludedParticipants.size())
                .arg(analysis->analysis.excludedParticipants.size())
                .arg(options.filter.includeSimulated ? QStringLiteral("included") : QStringLiteral("left out"),
                    options.filter.includePractice ? QStringLiteral("included") : QStringLiteral("left out"),
                    options.filter.includeCatch ? QStringLiteral("included") : QStringLiteral("left out")) },
        { QStringLiteral("variableMeasured"), measured },
        { QStringLiteral("dateCreated"), QDateTime::currentDateTimeUtc().toString(Qt::ISODate) },
    };
    const QString descriptionPath = root.filePath(QStringLiteral("dataset_description.json"));
    if (const Status s = writeFileAtomically(descriptionPath,
            [&](QIODevice& d) {
                if (d.write(QJsonDocument(description).toJson()) < 0)
                    return Status(
                        Error { QStringLiteral("%1: cannot write: %2").arg(descriptionPath, d.errorString()) });
                return Status();
            });
        !s)
        return Error { s.error() };
    written.prepend(descriptionPath);
    return written;
}

} // namespace ntt
