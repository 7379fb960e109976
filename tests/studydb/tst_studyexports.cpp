#include "../common/demostudyfile.h"
#include "studyexports.h"
#include "studyfile.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

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
        QVERIFY(readLines(images).front().endsWith(QStringLiteral("median_rt_ms,p_real[tiny]")));
    }

    void psychDsDataset()
    {
        const QString folder = m_dir.filePath(QStringLiteral("dataset"));
        const auto files = exportPsychDs(*m_db, m_studyId, folder, AnalysisOptions {});
        QVERIFY2(files.ok(), qPrintable(files.error()));
        QCOMPARE(files->size(), 8);
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
                QStringLiteral("table-sources"), QStringLiteral("table-participants"),
                QStringLiteral("table-images") }));
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
