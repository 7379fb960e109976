#include "frequencyfilter.h"

#include <QtTest>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

using namespace ntt;

// The ideal frequency filters against numpy's FFT (tests/data/make_frequency_references.py).
class Test_frequencyfilter : public QObject
{
    Q_OBJECT

private:
    static cv::Mat read(const QString& name)
    {
        return cv::imread(
            QStringLiteral(NTT_TEST_DATA_DIR "/frequency/%1.png").arg(name).toStdString(), cv::IMREAD_COLOR);
    }

private Q_SLOTS:
    void matchesNumpy_data()
    {
        QTest::addColumn<QString>("spec");
        QTest::addColumn<QString>("reference");
        QTest::newRow("low-pass 10") << QStringLiteral("low:10") << QStringLiteral("lp10");
        QTest::newRow("low-pass 3") << QStringLiteral("low:3") << QStringLiteral("lp3");
        QTest::newRow("high-pass 10") << QStringLiteral("high:10") << QStringLiteral("hp10");
        QTest::newRow("band-pass 4-12") << QStringLiteral("band:4-12") << QStringLiteral("bp4-12");
        QTest::newRow("high-pass 30") << QStringLiteral("high:30") << QStringLiteral("hp30");
    }

    void matchesNumpy()
    {
        QFETCH(QString, spec);
        QFETCH(QString, reference);
        const cv::Mat input = read(QStringLiteral("input"));
        QVERIFY(!input.empty());
        const auto filter = parseFrequencyFilter(spec);
        QVERIFY2(filter.ok(), qPrintable(filter.error()));
        const auto filtered = filterFrequencies(input, filter.value(), QStringLiteral("input.png"));
        QVERIFY2(filtered.ok(), qPrintable(filtered.error()));
        const cv::Mat expected = read(reference);
        QCOMPARE(filtered->size(), expected.size());
        QCOMPARE(filtered->type(), expected.type());
        cv::Mat difference;
        cv::absdiff(filtered.value(), expected, difference);
        double largest = 0.0;
        cv::minMaxLoc(difference.reshape(1), nullptr, &largest);
        // Rounding of values a hair from .5 may differ by one grey level.
        QVERIFY2(largest <= 1.0, qPrintable(QStringLiteral("largest difference %1").arg(largest)));
        QVERIFY2(cv::countNonZero(difference.reshape(1)) <= int(difference.total()) / 100,
            qPrintable(QStringLiteral("%1 values differ").arg(cv::countNonZero(difference.reshape(1)))));
    }

    void aLowPassKeepsTheGratingOnlyAboveItsFrequency()
    {
        // Channel 0 of the card is a 12 cycles-per-image grating: gone below 12, kept from 12 up.
        const cv::Mat input = read(QStringLiteral("input"));
        std::vector<cv::Mat> below, above;
        cv::split(filterFrequencies(input, { FrequencyFilter::Kind::LowPass, 11.5, 0.0 }, {}).value(), below);
        cv::split(filterFrequencies(input, { FrequencyFilter::Kind::LowPass, 12.0, 0.0 }, {}).value(), above);
        double low = 0, high = 0;
        cv::minMaxLoc(below[0], &low, &high);
        QVERIFY2(high - low <= 2, qPrintable(QStringLiteral("%1..%2").arg(low).arg(high)));
        cv::minMaxLoc(above[0], &low, &high);
        QVERIFY(high - low > 150);
    }

    void badFiltersAreNamed()
    {
        for (const QString& text : { QStringLiteral("low"), QStringLiteral("mid:3"), QStringLiteral("band:30-10"),
                 QStringLiteral("high:-4"), QStringLiteral("band:10") }) {
            const auto f = parseFrequencyFilter(text);
            QVERIFY2(!f.ok(), qPrintable(text));
            QVERIFY2(f.error().contains(text), qPrintable(f.error()));
        }
        QVERIFY(!parseFrequencyFilter(QStringLiteral("none"))->enabled());
        QCOMPARE(parseFrequencyFilter(QStringLiteral("band:10-30"))->describe(), QStringLiteral("band-pass 10-30"));
        QVERIFY(!filterFrequencies(cv::Mat(), { FrequencyFilter::Kind::LowPass, 3, 0 }, QStringLiteral("x.png")).ok());
        // The sweep of You et al.: low- and high-pass at each cut-off, band-pass between neighbours.
        const auto sweep = frequencySweep();
        QCOMPARE(int(sweep.size()), 4 + 4 + 3);
        QCOMPARE(sweep.back().describe(), QStringLiteral("band-pass 50-100"));
    }
};

QTEST_GUILESS_MAIN(Test_frequencyfilter)
#include "tst_frequencyfilter.moc"
