#include "../common/demostudyfile.h"
#include "studyexports.h"
#include "studyfile.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSet>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>

using namespace ntt;

namespace {

QStringList readLines(const QString& path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return QString::fromUtf8(f.readAll()).split(QStringLiteral("\r\n"), Qt::SkipEmptyParts);
}

} // namespace

// The summary CSVs and the Psych-DS dataset: column sets, file naming, and simulated sessions left
// out unless asked.
class Test_studyexports : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    std::unique_ptr<StudyDatabase> m_db;
    qint64 m_studyId = 0;

private Q_SLOTS:
    void initTestCase()
    {
        auto file = testing::demoStudyFile(m_dir.filePath(QStringLiteral("study")), 3, 48,
            QStringLiteral("Exports 2-way"), QStringLiteral("tiny_traced"), QStringLiteral("tiny"));
        QVERIFY2(file.ok(), qPrintable(file.error()));
        m_db = std::move(file->db);
        m_studyId = file->studyId;
        // Two people and one simulated session.
        for (int i = 0; i < 3; ++i) {
            auto plan = startSession(*m_db, m_studyId, QStringLiteral("P%1").arg(i + 1), QStringLiteral("lab"), i == 2);
            QVERIFY2(plan.ok(), qPrintable(plan.error()));
            ScriptedParticipant script;
            script.seed = std::uint64_t(i + 1);
            QVERIFY(runScriptedParticipant(*m_db, plan.value(), script).ok());
        }
        CancelToken cancel;
        const auto run = runModelOnStudy(*m_db, m_studyId, file->modelId, ModelRunOptions {}, cancel, {});
        QVERIFY2(run.ok(), qPrintable(run.error()));
    }

    void summaryColumnsAndRows()
    {
        const QString path = m_dir.filePath(QStringLiteral("categories.csv"));
        const auto rows = exportSummary(*m_db, m_studyId, SummaryTable::Categories, path, AnalysisOptions {});
        QVERIFY2(rows.ok(), qPrintable(rows.error()));
        const QStringList lines = readLines(path);
        QCOMPARE(lines.front(),
            QStringLiteral("agent,agent_kind,category,n,correct,accuracy,wilson_low,wilson_high,bootstrap_low,"
                           "bootstrap_high,chance,p_binomial"));
        // People and the model, per category of the demo pool (disks, squares, stripes present).
        QCOMPARE(lines.size() - 1, rows.value());
        QVERIFY(lines.filter(QRegularExpression(QStringLiteral("^people,people,"))).size() >= 1);
        QVERIFY(lines.filter(QRegularExpression(QStringLiteral("^tiny,model,"))).size() >= 1);

        const QString participants = m_dir.filePath(QStringLiteral("participants.csv"));
        QCOMPARE(
            exportSummary(*m_db, m_studyId, SummaryTable::Participants, participants, AnalysisOptions {}).value(), 2);
        QVERIFY(readLines(participants).front().startsWith(QStringLiteral("participant,session_id,simulated,trials")));
        AnalysisOptions withSimulated;
        withSimulated.filter.includeSimulated = true;
        QCOMPARE(exportSummary(*m_db, m_studyId, SummaryTable::Participants, participants, withSimulated).value(), 3);

        const QString images = m_dir.filePath(QStringLiteral("images.csv"));
        const auto imageRows = exportSummary(*m_db, m_studyId, SummaryTable::Images, images, AnalysisOptions {});
        QVERIFY2(imageRows.ok(), qPrintable(imageRows.error()));
        QCOMPARE(imageRows.value(), int(m_db->studyImages(m_studyId)->size()));
        QVERIFY(readLines(images).front().endsWith(QStringLiteral("median_rt_ms,p_real[tiny],tags,note")));
    }

    // A real-or-fake study with confidence ratings: people's and the model's ROC, AUC and calibration
    // in the exports, as rocAndCalibration computes them from what the file holds.
    void rocAucAndCalibrationTables()
    {
        StudyDefinition d;
        d.name = QStringLiteral("Real or fake, rated");
        d.trialType = TrialType::RealOrFake;
        d.ways = 1;
        d.matching = RowMatching::Category;
        d.trialsPerParticipant = 12;
        d.repeatTrials = 4; // 16 answers each, 4 of them repeats
        d.confidence = true;
        CancelToken cancel;
        const auto created = createStudy(*m_db, d, cancel, {});
        QVERIFY2(created.ok(), qPrintable(created.error()));
        const qint64 study = created->study.id;
        for (int i = 0; i < 4; ++i) {
            auto plan = startSession(*m_db, study, QStringLiteral("R%1").arg(i + 1), QStringLiteral("lab"), false);
            QVERIFY(plan.ok());
            ScriptedParticipant script;
            script.seed = std::uint64_t(10 + i);
            script.metacognition = 1.5;
            QVERIFY(runScriptedParticipant(*m_db, plan.value(), script).ok());
        }
        const qint64 model = m_db->models()->front().id;
        QVERIFY(runModelOnStudy(*m_db, study, model, ModelRunOptions {}, cancel, {}).ok());
        // Every answer carries a rating 1..4.
        const auto rows = m_db->responseRows(study);
        QCOMPARE(int(rows->size()), 4 * 16);
        for (const ResponseRow& r : rows.value())
            QVERIFY(r.response.confidence && *r.response.confidence >= 1 && *r.response.confidence <= 4);

        const QString auc = m_dir.filePath(QStringLiteral("auc.csv"));
        QCOMPARE(exportSummary(*m_db, study, SummaryTable::Auc, auc, AnalysisOptions {}).value(), 2);
        const QStringList lines = readLines(auc);
        QCOMPARE(lines.front(),
            QStringLiteral("agent,agent_kind,real,generated,auc,interval_low,interval_high,interval,replicates"));
        const auto analysis = analyseStudy(*m_db, study, AnalysisOptions {});
        QVERIFY(analysis.ok());
        const RocAnalysis expected = rocAndCalibration(rows.value(), analysis->pRealByModel, AnalysisOptions {});
        QCOMPARE(int(expected.curves.size()), 2);
        const QStringList people = lines.at(1).split(QLatin1Char(','));
        QCOMPARE(people.at(0), QStringLiteral("people"));
        QVERIFY(std::abs(people.at(4).toDouble() - expected.curves[0].auc.auc) < 1e-9); // 10 significant digits
        QCOMPARE(people.at(2).toInt() + people.at(3).toInt(), 64);
        QCOMPARE(people.at(7), QStringLiteral("participant bootstrap"));
        QVERIFY(
            people.at(5).toDouble() <= people.at(4).toDouble() && people.at(4).toDouble() <= people.at(6).toDouble());
        const QStringList tiny = lines.at(2).split(QLatin1Char(','));
        QCOMPARE(tiny.at(0), QStringLiteral("tiny"));
        QCOMPARE(tiny.at(7), QStringLiteral("image bootstrap"));
        QSet<qint64> shown; // the model is judged once on each image people judged
        for (const ResponseRow& r : rows.value())
            shown.insert(r.trial.imageIds.front());
        QCOMPARE(tiny.at(2).toInt() + tiny.at(3).toInt(), int(shown.size()));
        // People who are surer are right more often (the scripted participants' metacognition).
        const QString calibration = m_dir.filePath(QStringLiteral("calibration.csv"));
        QVERIFY(exportSummary(*m_db, study, SummaryTable::Calibration, calibration, AnalysisOptions {}).ok());
        const QStringList levels = readLines(calibration).mid(1, 4);
        QVERIFY2(levels.first().startsWith(QStringLiteral("people,people,1,")), qPrintable(levels.join('|')));
        QVERIFY(levels.first().section(QLatin1Char(','), 5, 5).toDouble()
            < levels.last().section(QLatin1Char(','), 5, 5).toDouble());
        // Each participant's repeats against their first answers, pooled, and the model against that ceiling.
        const QString self = m_dir.filePath(QStringLiteral("self.csv"));
        QCOMPARE(
            exportSummary(*m_db, study, SummaryTable::SelfConsistency, self, AnalysisOptions {}).value(), 4 + 1 + 1);
        const QStringList selfLines = readLines(self);
        QCOMPARE(selfLines.front(),
            QStringLiteral(
                "agent,agent_kind,pairs,same_answer,same_low,same_high,kappa,ceiling_kappa,share_of_ceiling"));
        QVERIFY2(selfLines.at(1).startsWith(QStringLiteral("R1,participant,4,")), qPrintable(selfLines.at(1)));
        QVERIFY2(selfLines.at(5).startsWith(QStringLiteral("people,people,16,")), qPrintable(selfLines.at(5)));
        QVERIFY2(selfLines.at(6).startsWith(QStringLiteral("tiny,model,")), qPrintable(selfLines.at(6)));
        QCOMPARE(selfLines.at(6).section(QLatin1Char(','), 7, 7), selfLines.at(5).section(QLatin1Char(','), 6, 6));
        const QString roc = m_dir.filePath(QStringLiteral("roc.csv"));
        QCOMPARE(exportSummary(*m_db, study, SummaryTable::Roc, roc, AnalysisOptions {}).value(),
            int(expected.curves[0].points.size() + expected.curves[1].points.size()));
    }

    void psychDsDataset()
    {
        const QString folder = m_dir.filePath(QStringLiteral("dataset"));
        const auto files = exportPsychDs(*m_db, m_studyId, folder, AnalysisOptions {});
        QVERIFY2(files.ok(), qPrintable(files.error()));
        QCOMPARE(files->size(), 18);
        QCOMPARE(files->front(), QDir(folder).filePath(QStringLiteral("dataset_description.json")));
        // Keyword file names: study-<value>_table-<value>_data.csv, values letters and digits only.
        const QRegularExpression name(QStringLiteral("^study-[A-Za-z0-9]+_table-[a-z]+_data\\.csv$"));
        QStringList tables;
        for (const QString& f : files->mid(1)) {
            QVERIFY2(f.startsWith(QDir(folder).filePath(QStringLiteral("data/"))), qPrintable(f));
            const QString base = QFileInfo(f).fileName();
            QVERIFY2(name.match(base).hasMatch(), qPrintable(base));
            tables << base.section(QLatin1Char('_'), 1, 1);
        }
        QCOMPARE(tables,
            (QStringList { QStringLiteral("table-responses"), QStringLiteral("table-modelanswers"),
                QStringLiteral("table-predictions"), QStringLiteral("table-categories"),
                QStringLiteral("table-sources"), QStringLiteral("table-participants"), QStringLiteral("table-images"),
                QStringLiteral("table-confusion"), QStringLiteral("table-sourcepairs"),
                QStringLiteral("table-paircorrelation"), QStringLiteral("table-roc"), QStringLiteral("table-auc"),
                QStringLiteral("table-calibration"), QStringLiteral("table-selfconsistency"),
                QStringLiteral("table-signaldetection"), QStringLiteral("table-exposure"),
                QStringLiteral("table-staircase") }));
        QVERIFY(QFileInfo(files->at(1)).fileName().startsWith(QStringLiteral("study-Exports2way_")));

        QFile f(files->front());
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QJsonObject d = QJsonDocument::fromJson(f.readAll()).object();
        QCOMPARE(d.value(QStringLiteral("@type")).toString(), QStringLiteral("Dataset"));
        QCOMPARE(d.value(QStringLiteral("name")).toString(), QStringLiteral("Exports 2-way"));
        QVERIFY(!d.value(QStringLiteral("description")).toString().isEmpty());
        // variableMeasured names every column of every data file.
        QStringList measured;
        for (const QJsonValue& v : d.value(QStringLiteral("variableMeasured")).toArray())
            measured << v.toString();
        for (const QString& file : files->mid(1)) {
            for (const QString& column : readLines(file).front().split(QLatin1Char(',')))
                QVERIFY2(measured.contains(column), qPrintable(column));
        }
        // The simulated session is left out of the responses table unless asked.
        const QStringList responses = readLines(files->at(1));
        const int simulatedColumn = responses.front().split(QLatin1Char(',')).indexOf(QStringLiteral("simulated"));
        QVERIFY(simulatedColumn >= 0);
        for (const QString& line : responses.mid(1))
            QCOMPARE(line.split(QLatin1Char(',')).value(simulatedColumn), QStringLiteral("0"));
        QVERIFY(responses.size() > 1);
    }

    void tagsAndNotesAreStoredAndExported()
    {
        const auto images = m_db->studyImages(m_studyId);
        QVERIFY(images.ok() && images->size() >= 2);
        const qint64 first = images->at(0).id;
        const qint64 second = images->at(1).id;
        QVERIFY(m_db->addImageTag(first, QStringLiteral("  artefact in hands ")).ok());
        QVERIFY(m_db->addImageTag(first, QStringLiteral("artefact in hands")).ok()); // twice: once
        QVERIFY(m_db->addImageTag(first, QStringLiteral("drawing, not photo")).ok());
        QVERIFY(m_db->addImageTag(second, QStringLiteral("drawing, not photo")).ok());
        QVERIFY(!m_db->addImageTag(first, QStringLiteral("   ")).ok());
        QVERIFY(m_db->setImageNote(first, QStringLiteral("look at the fingers")).ok());
        QVERIFY(m_db->setImageNote(second, QStringLiteral("to be removed")).ok());
        QVERIFY(m_db->setImageNote(second, QString()).ok());
        QVERIFY(m_db->removeImageTag(second, QStringLiteral("drawing, not photo")).ok());

        QCOMPARE(m_db->imageTags()->value(first),
            (QStringList { QStringLiteral("artefact in hands"), QStringLiteral("drawing, not photo") }));
        QVERIFY(!m_db->imageTags()->contains(second));
        QCOMPARE(m_db->imageNotes()->value(first), QStringLiteral("look at the fingers"));
        QVERIFY(!m_db->imageNotes()->contains(second));

        // The per-image table carries them, quoted where they hold commas.
        const QString path = m_dir.filePath(QStringLiteral("tagged.csv"));
        QVERIFY(exportSummary(*m_db, m_studyId, SummaryTable::Images, path, AnalysisOptions {}).ok());
        const QStringList lines = readLines(path);
        const QString row = lines.filter(QRegularExpression(QStringLiteral("^%1,").arg(first))).value(0);
        QVERIFY2(row.endsWith(QStringLiteral(",\"artefact in hands; drawing, not photo\",look at the fingers")),
            qPrintable(row));

        // The browser sees every image once, with people's results, the model's P(real), the tags.
        const auto analysis = analyseStudy(*m_db, m_studyId, AnalysisOptions {});
        QVERIFY2(analysis.ok(), qPrintable(analysis.error()));
        const auto browsed = browserImages(*m_db, analysis.value());
        QVERIFY2(browsed.ok(), qPrintable(browsed.error()));
        QCOMPARE(browsed->size(), images->size());
        int withPeople = 0;
        for (const BrowserImage& b : browsed.value()) {
            QCOMPARE(b.real, b.image.source == analysis->study.realSource);
            QVERIFY(b.pReal.contains(QStringLiteral("tiny")));
            QCOMPARE(b.pReal.value(QStringLiteral("tiny")),
                analysis->pRealByModel.value(QStringLiteral("tiny")).value(b.image.id));
            withPeople += b.people.trials > 0 ? 1 : 0;
            if (b.image.id == first)
                QCOMPARE(b.tags.size(), 2);
        }
        QVERIFY(withPeople > 0);
        BrowserFilter filter;
        filter.tag = QStringLiteral("artefact in hands");
        const auto tagged = filterImages(browsed.value(), filter, BrowserSort::Id);
        QCOMPARE(tagged.size(), std::size_t(1));
        QCOMPARE(browsed->at(std::size_t(tagged.front())).image.id, first);
    }

    void selectionAndContactSheet()
    {
        const auto analysis = analyseStudy(*m_db, m_studyId, AnalysisOptions {});
        QVERIFY(analysis.ok());
        const auto images = m_db->studyImages(m_studyId);
        const std::vector<qint64> ids = { images->at(2).id, images->at(0).id };
        const QString csv = m_dir.filePath(QStringLiteral("selection.csv"));
        QCOMPARE(exportImageSelection(analysis.value(), ids, csv).value(), 2);
        const QStringList lines = readLines(csv);
        QCOMPARE(lines.size(), 3);
        // The selection's order, with the per-image table's columns.
        QVERIFY(lines.at(1).startsWith(QStringLiteral("%1,").arg(ids[0])));
        QVERIFY(lines.at(2).startsWith(QStringLiteral("%1,").arg(ids[1])));
        QCOMPARE(lines.front(), readLines(m_dir.filePath(QStringLiteral("images.csv"))).front());

        const QString sheet = m_dir.filePath(QStringLiteral("sheet.png"));
        const CancelToken cancel;
        const Status s = exportContactSheet(
            analysis.value(), m_db->path(), ids, QStringLiteral("tiny"), QStringLiteral("two images"), sheet, cancel);
        QVERIFY2(s.ok(), qPrintable(s.error()));
        QVERIFY(QFileInfo(sheet).size() > 0);
        // The thumbnails were made once, beside the study file.
        QCOMPARE(QDir(m_db->path() + QStringLiteral(".thumbs")).entryList(QDir::Files).size(), 2);
        const Status unknown
            = exportContactSheet(analysis.value(), m_db->path(), { 999999 }, QString(), QString(), sheet, cancel);
        QVERIFY(!unknown.ok());
        QVERIFY(unknown.error().contains(QStringLiteral("999999")));
    }

    void allSummaryTablesIntoAFolder()
    {
        const QString folder = m_dir.filePath(QStringLiteral("summaries"));
        QVERIFY(QDir().mkpath(folder));
        const auto files = exportSummaryTables(*m_db, m_studyId, folder, AnalysisOptions {});
        QVERIFY2(files.ok(), qPrintable(files.error()));
        QCOMPARE(files.value(),
            (QStringList { folder + QStringLiteral("/categories.csv"), folder + QStringLiteral("/sources.csv"),
                folder + QStringLiteral("/participants.csv"), folder + QStringLiteral("/images.csv"),
                folder + QStringLiteral("/confusion.csv"), folder + QStringLiteral("/source-pairs.csv"),
                folder + QStringLiteral("/pair-correlation.csv"), folder + QStringLiteral("/roc.csv"),
                folder + QStringLiteral("/auc.csv"), folder + QStringLiteral("/calibration.csv"),
                folder + QStringLiteral("/self-consistency.csv"), folder + QStringLiteral("/signal-detection.csv"),
                folder + QStringLiteral("/exposure.csv"), folder + QStringLiteral("/staircase.csv") }));
        // Every number reads back as the value the analysis computed.
        const auto analysis = analyseStudy(*m_db, m_studyId, AnalysisOptions {});
        QVERIFY(analysis.ok());
        const QStringList lines = readLines(files->at(0));
        const QStringList header = lines.front().split(QLatin1Char(','));
        int compared = 0;
        for (const QString& line : lines.mid(1)) {
            const QStringList f = line.split(QLatin1Char(','));
            const AccuracyCell* cell = Analysis::find(analysis->analysis.byCategory, f[0], f[2]);
            QVERIFY(cell);
            QCOMPARE(f[header.indexOf(QStringLiteral("accuracy"))].toDouble(), cell->accuracy.estimate);
            QCOMPARE(f[header.indexOf(QStringLiteral("wilson_low"))].toDouble(), cell->accuracy.low);
            QCOMPARE(f[header.indexOf(QStringLiteral("wilson_high"))].toDouble(), cell->accuracy.high);
            ++compared;
        }
        QVERIFY(compared > 3);
        // The same tables as one at a time.
        const QString single = m_dir.filePath(QStringLiteral("sources-alone.csv"));
        QVERIFY(exportSummary(*m_db, m_studyId, SummaryTable::Sources, single, AnalysisOptions {}).ok());
        QCOMPARE(readLines(files->at(1)), readLines(single));
        const auto missing = exportSummaryTables(*m_db, m_studyId, m_dir.filePath(QStringLiteral("nope")), {});
        QVERIFY(!missing.ok());
        QVERIFY(missing.error().contains(QStringLiteral("nope")));
    }

    // Excel's byte-order mark: added once, the rest of the file unchanged; a missing file is named.
    void excelByteOrderMarkIsAddedOnce()
    {
        const QString path = m_dir.filePath(QStringLiteral("excel.csv"));
        QVERIFY(exportSummary(*m_db, m_studyId, SummaryTable::Categories, path, AnalysisOptions {}).ok());
        QFile plain(path);
        QVERIFY(plain.open(QIODevice::ReadOnly));
        const QByteArray before = plain.readAll();
        plain.close();
        QVERIFY(!before.startsWith("\xEF\xBB\xBF"));
        QVERIFY(addExcelByteOrderMarks({ path, m_dir.filePath(QStringLiteral("not-a-csv.json")) }).ok());
        QVERIFY(addExcelByteOrderMark(path).ok()); // a second time changes nothing
        QFile marked(path);
        QVERIFY(marked.open(QIODevice::ReadOnly));
        QCOMPARE(marked.readAll(), QByteArray("\xEF\xBB\xBF") + before);
        const Status missing = addExcelByteOrderMark(m_dir.filePath(QStringLiteral("missing.csv")));
        QVERIFY(!missing.ok());
        QVERIFY2(missing.error().contains(QStringLiteral("missing.csv")), qPrintable(missing.error()));
    }

    void badDestinationIsNamed()
    {
        const QString path = m_dir.filePath(QStringLiteral("no/such/folder/c.csv"));
        const auto rows = exportSummary(*m_db, m_studyId, SummaryTable::Sources, path, AnalysisOptions {});
        QVERIFY(!rows.ok());
        QVERIFY2(rows.error().contains(path), qPrintable(rows.error()));
        QCOMPARE(psychDsValue(QStringLiteral("Deepart 2-way (pilot)")), QStringLiteral("Deepart2waypilot"));
    }
};

QTEST_GUILESS_MAIN(Test_studyexports)
#include "tst_studyexports.moc"
