#include "analysis/statistics.h"
#include "csvwriter.h"
#include "study/responseexport.h"

#include <QBuffer>
#include <QtTest>

#include <cmath>

using namespace ntt;

class Test_csvwriter : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void quotesPerRfc4180_data()
    {
        QTest::addColumn<QString>("field");
        QTest::addColumn<QString>("written");
        QTest::newRow("plain") << QStringLiteral("abc") << QStringLiteral("abc");
        QTest::newRow("comma") << QStringLiteral("a,b") << QStringLiteral("\"a,b\"");
        QTest::newRow("quote") << QStringLiteral("say \"hi\"") << QStringLiteral("\"say \"\"hi\"\"\"");
        QTest::newRow("newline") << QStringLiteral("a\nb") << QStringLiteral("\"a\nb\"");
        QTest::newRow("unicode") << QStringLiteral("Feng Zikai 丰子恺") << QStringLiteral("Feng Zikai 丰子恺");
        QTest::newRow("empty") << QString() << QString();
    }

    void quotesPerRfc4180()
    {
        QFETCH(QString, field);
        QFETCH(QString, written);
        QCOMPARE(CsvWriter::escape(field), written);
    }

    // Exported numbers read back as the same double; exact 0 and 1 print as such (a Wilson bound
    // at 0 successes once printed 2.78e-17).
    void numbersRoundTrip()
    {
        const std::vector<double> values = { 0.1 + 0.2, 1.0 / 3.0, 2.0 / 3.0, 0.0, 1.0, 0.7071067811865476, 1e-300,
            123456.789012345678, -2.5e-17, 0.05, 5e-324 };
        for (double v : values) {
            const QString text = csvNumber(v);
            bool ok = false;
            QCOMPARE(text.toDouble(&ok), v);
            QVERIFY(ok);
        }
        QCOMPARE(csvNumber(0.0), QStringLiteral("0"));
        QCOMPARE(csvNumber(1.0), QStringLiteral("1"));
        QCOMPARE(csvNumber(0.1), QStringLiteral("0.1"));
        QVERIFY(csvNumber(std::nan("")).isEmpty());
        QVERIFY(csvNumber(HUGE_VAL).isEmpty());
        const Proportion none = wilsonInterval(0, 10);
        QCOMPARE(csvNumber(none.low), QStringLiteral("0"));
        QCOMPARE(csvNumber(wilsonInterval(40, 40).high), QStringLiteral("1"));
    }

    void rowsEndInCrlfAndAreUtf8()
    {
        QBuffer buffer;
        buffer.open(QIODevice::WriteOnly);
        CsvWriter csv(&buffer);
        csv.writeRow({ QStringLiteral("a"), QStringLiteral("ü") });
        csv.writeRow({ QStringLiteral("1"), QStringLiteral("x,y") });
        QVERIFY(csv.ok());
        QCOMPARE(buffer.data(), QByteArray("a,\xc3\xbc\r\n1,\"x,y\"\r\n"));
    }

    void responsesCsvHasOneRowPerResponseWithTheDocumentedColumns()
    {
        ResponseRow row;
        row.study = QStringLiteral("Pilot, v2");
        row.sessionId = 3;
        row.participant = QStringLiteral("P-ABCD-EFGH");
        row.station = QStringLiteral("lab-1");
        row.sessionState = QStringLiteral("finished");
        row.trial.index = 5;
        row.trial.type = TrialType::PickReal;
        row.trial.correctPosition = 1;
        row.trial.imageIds = { 10, 11 };
        PoolImage a;
        a.id = 10;
        a.relativePath = QStringLiteral("gpt4/gushici-001.jpg");
        a.source = QStringLiteral("gpt4");
        PoolImage b;
        b.id = 11;
        b.relativePath = QStringLiteral("human/gushici-001.png");
        b.source = QStringLiteral("human");
        row.shown = { a, b };
        row.response.answer = 0;
        row.response.correct = false;
        row.response.rtMs = 1234.5;
        row.response.onsetUtc = QDateTime(QDate(2026, 11, 22), QTime(8, 0, 0, 5), Qt::UTC);
        row.response.responseUtc = row.response.onsetUtc.addMSecs(1234);
        row.response.rtClock = QStringLiteral("event");
        row.response.focusLosses = 2;

        QBuffer buffer;
        buffer.open(QIODevice::WriteOnly);
        QVERIFY(writeResponsesCsv(buffer, { row }, QStringLiteral("out.csv")).ok());
        const QList<QByteArray> lines = buffer.data().split('\n');
        QCOMPARE(lines.size(), 3); // header, one row, empty after the final CRLF
        const QStringList header = QString::fromUtf8(lines[0]).trimmed().split(QLatin1Char(','));
        QCOMPARE(header, responseCsvHeader(2));
        for (const char* column :
            { "study", "session", "participant", "trial_index", "trial_type", "ways", "pos1_image_id", "pos1_path",
                "pos1_source", "pos1_category", "pos2_image_id", "correct_position", "chosen_position", "correct",
                "rt_ms", "onset_utc", "response_utc", "practice", "catch", "focus_losses" })
            QVERIFY2(header.contains(QLatin1String(column)), column);

        const QString line = QString::fromUtf8(lines[1]).trimmed();
        QVERIFY(
            line.startsWith(QStringLiteral("\"Pilot, v2\",3,P-ABCD-EFGH,human,lab-1,0,finished,5,pick-real,2,0,0,")));
        QVERIFY(line.contains(QStringLiteral("10,gpt4/gushici-001.jpg,gpt4,,11,human/gushici-001.png,human,,")));
        // correct position 2 (1-based), chosen 1, answers by source, wrong, no confidence.
        QVERIFY2(line.contains(QStringLiteral(",2,1,human,gpt4,0,,1234.5,2026-11-22T08:00:00.005Z,"
                                              "2026-11-22T08:00:01.239Z,event,0,0,2")),
            qPrintable(line));
    }
};

QTEST_GUILESS_MAIN(Test_csvwriter)
#include "tst_csvwriter.moc"
