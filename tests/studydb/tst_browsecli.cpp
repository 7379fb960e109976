#include "../common/demostudyfile.h"
#include "../common/runntt.h"
#include "studyexports.h"

#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

using namespace ntt;

// `ntt browse` and `ntt tag` as a researcher drives them on a study file: the selection's rows are
// those of the browser's filter, tags become a filter, the confusion matrix counts every predicted
// image, and bad values are named.
class Test_browsecli : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    testing::DemoStudyFile m_file;

    QStringList db() const { return { QStringLiteral("--db"), m_file.path }; }

    static QStringList csvIds(const QString& csv)
    {
        QStringList ids;
        const QStringList lines = csv.split(QStringLiteral("\r\n"), Qt::SkipEmptyParts);
        for (const QString& line : lines.mid(1))
            ids << line.section(QLatin1Char(','), 0, 0);
        return ids;
    }

private Q_SLOTS:
    void initTestCase()
    {
        auto file = testing::demoStudyFile(m_dir.filePath(QStringLiteral("study")), 3, 48,
            QStringLiteral("Browse 2-way"), QStringLiteral("tiny_traced"), QStringLiteral("tiny"));
        QVERIFY2(file.ok(), qPrintable(file.error()));
        m_file = std::move(file).value();
        const Status answered = testing::answerDemoStudy(m_file, 3, 21);
        QVERIFY2(answered.ok(), qPrintable(answered.error()));
    }

    void outcomeSelectionMatchesTheBrowser()
    {
        const auto analysis = analyseStudy(*m_file.db, m_file.studyId, AnalysisOptions {});
        const auto images = browserImages(*m_file.db, analysis.value());
        for (const char* outcome :
            { "both-right", "people-wrong-model-right", "people-right-model-wrong", "both-wrong" }) {
            BrowserFilter f;
            f.model = QStringLiteral("tiny");
            f.outcome = *outcomeFromName(QLatin1String(outcome));
            QStringList expected;
            for (int i : filterImages(images.value(), f, BrowserSort::PeopleAccuracy, true))
                expected << QString::number(images->at(std::size_t(i)).image.id);
            const auto run = testing::runNtt(QStringList { QStringLiteral("browse") } + db()
                + QStringList { QStringLiteral("--model"), QStringLiteral("tiny"), QStringLiteral("--outcome"),
                    QLatin1String(outcome), QStringLiteral("--sort"), QStringLiteral("people"),
                    QStringLiteral("--descending") });
            QVERIFY2(run.code == 0, qPrintable(run.err));
            QCOMPARE(csvIds(run.out), expected);
        }
    }

    void tagsBecomeAFilterAndSheetsAreWritten()
    {
        const qint64 image = m_file.db->studyImages(m_file.studyId)->at(1).id;
        const auto tagged = testing::runNtt(QStringList { QStringLiteral("tag") } + db()
            + QStringList { QStringLiteral("--image"), QString::number(image), QStringLiteral("--add"),
                QStringLiteral("artefact in hands"), QStringLiteral("--note"), QStringLiteral("fingers") });
        QVERIFY2(tagged.code == 0, qPrintable(tagged.err));
        QVERIFY(tagged.out.contains(QStringLiteral("tags: artefact in hands")));
        const QString csv = m_dir.filePath(QStringLiteral("tagged.csv"));
        const QString sheet = m_dir.filePath(QStringLiteral("tagged.pdf"));
        const auto run = testing::runNtt(QStringList { QStringLiteral("browse") } + db()
            + QStringList { QStringLiteral("--tag"), QStringLiteral("artefact in hands"), QStringLiteral("--out"), csv,
                QStringLiteral("--sheet"), sheet });
        QVERIFY2(run.code == 0, qPrintable(run.err));
        QFile f(csv);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QString text = QString::fromUtf8(f.readAll());
        QCOMPARE(csvIds(text), QStringList { QString::number(image) });
        QVERIFY(text.contains(QStringLiteral(",artefact in hands,fingers")));
        QFile pdf(sheet);
        QVERIFY(pdf.open(QIODevice::ReadOnly));
        QVERIFY(pdf.read(8).startsWith("%PDF-1.4"));
        const auto missing = testing::runNtt(QStringList { QStringLiteral("tag") } + db()
            + QStringList {
                QStringLiteral("--image"), QStringLiteral("999999"), QStringLiteral("--add"), QStringLiteral("x") });
        QCOMPARE(missing.code, 1);
        QVERIFY2(missing.err.contains(QStringLiteral("999999")), qPrintable(missing.err));
    }

    void confusionCountsEveryPredictedImage()
    {
        const auto run = testing::runNtt(QStringList { QStringLiteral("browse") } + db()
            + QStringList { QStringLiteral("--model"), QStringLiteral("tiny"), QStringLiteral("--confusion") });
        QVERIFY2(run.code == 0, qPrintable(run.err));
        const QStringList lines = run.out.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 3);
        QCOMPARE(lines.front(), QStringLiteral("truth \\ tiny\tgenerated\treal"));
        int total = 0;
        for (const QString& line : lines.mid(1)) {
            const QStringList cells = line.split(QLatin1Char('\t'));
            total += cells.value(1).toInt() + cells.value(2).toInt();
        }
        QCOMPARE(total, int(m_file.db->pRealByImage(m_file.studyId, m_file.db->models()->front().sha256)->size()));
    }

    void oneImagesDetail()
    {
        const auto responses = m_file.db->responseRows(m_file.studyId).value();
        const qint64 image = responses.front().trial.imageIds.front();
        const ImageAnswers answers = imageAnswers(responses, image, AnswerFilter {});
        const auto run = testing::runNtt(QStringList { QStringLiteral("browse") } + db()
            + QStringList { QStringLiteral("--image"), QString::number(image) });
        QVERIFY2(run.code == 0, qPrintable(run.err));
        QVERIFY2(run.out.startsWith(QStringLiteral("image %1: ").arg(image)), qPrintable(run.out));
        QVERIFY(run.out.contains(QStringLiteral("tiny: P(real) ")));
        // One line per trial it appeared in, after the header.
        const QStringList lines = run.out.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        const int header
            = int(lines.indexOf(QStringLiteral("trial\tparticipant\tposition\tanswer\tcorrect\trt_ms\timages")));
        QVERIFY(header > 0);
        QCOMPARE(int(lines.size()) - header - 1, int(answers.rows.size()));
        const auto unknown = testing::runNtt(QStringList { QStringLiteral("browse") } + db()
            + QStringList { QStringLiteral("--image"), QStringLiteral("424242") });
        QCOMPARE(unknown.code, 1);
        QVERIFY(unknown.err.contains(QStringLiteral("424242")));
    }

    void badValuesAreNamed_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("named");
        QTest::newRow("outcome") << QStringList { QStringLiteral("--model"), QStringLiteral("tiny"),
            QStringLiteral("--outcome"), QStringLiteral("sometimes") }
                                 << QStringLiteral("--outcome \"sometimes\"");
        QTest::newRow("sort") << QStringList { QStringLiteral("--sort"), QStringLiteral("colour") }
                              << QStringLiteral("--sort \"colour\"");
        QTest::newRow("range") << QStringList { QStringLiteral("--people-max"), QStringLiteral("1.5") }
                               << QStringLiteral("--people-max \"1.5\"");
        QTest::newRow("outcome without model") << QStringList { QStringLiteral("--outcome"),
            QStringLiteral("both-wrong") } << QStringLiteral("need --model");
        QTest::newRow("sheet format") << QStringList { QStringLiteral("--sheet"), QStringLiteral("s.gif") }
                                      << QStringLiteral("s.gif");
    }

    void badValuesAreNamed()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, named);
        const auto run = testing::runNtt(QStringList { QStringLiteral("browse") } + db() + args);
        QVERIFY(run.code != 0);
        QVERIFY2(run.err.contains(named), qPrintable(run.err));
    }

    // Command-line values that cannot be used: refused with exit code 2 and a sentence naming the
    // option and the value (docs/bad-input.md).
    void badCommandLineValues_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("message");
        QTest::newRow("threshold above 1") << QStringList { "export", "--what", "pool-evaluation", "--model", "tiny",
            "--threshold", "2", "--out", "x.csv" }
                                           << "--threshold must be between 0 and 1";
        QTest::newRow("unknown layout") << QStringList { "import", "--layout", "folders", "." }
                                        << "unknown layout \"folders\"";
        QTest::newRow("epochs not a number")
            << QStringList { "model", "train", "--name", "x", "--epochs", "ten" } << "--epochs \"ten\" is not a number";
        QTest::newRow("seed not a number")
            << QStringList { "model", "train", "--name", "x", "--seed", "abc" } << "--seed must be a whole number";
        QTest::newRow("unknown split") << QStringList { "model", "frequency", "--model", "tiny", "--split", "holdout" }
                                       << "--split \"holdout\": use train, val, test or all";
    }
    void badCommandLineValues()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, message);
        const testing::NttRun run = testing::runNtt(args + db());
        QVERIFY2(run.code == 2, qPrintable(QString::number(run.code) + run.err));
        QVERIFY2(run.err.contains(message), qPrintable(run.err));
    }

    void aCommandWithoutItsStudyFileSaysSo()
    {
        const testing::NttRun run
            = testing::runNtt({ QStringLiteral("browse"), QStringLiteral("--study"), QStringLiteral("1") });
        QVERIFY(run.code != 0);
        QVERIFY2(run.err.contains(QStringLiteral("--db <file> is required")), qPrintable(run.err));
    }
};

QTEST_GUILESS_MAIN(Test_browsecli)
#include "tst_browsecli.moc"
