#include "analysis/attentiongroups.h"
#include "attention/peoplemap.h"
#include "study/marks.h"
#include "study/stimulus.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest>

#include <opencv2/imgproc.hpp>

#include <cmath>

using namespace ntt;

// People's marks: their heat maps and agreement with a model's map against SciPy and numpy
// (tests/data/make_marks_references.py wrote tests/data/marks/references.json), where a mark lands
// in the image's own pixels, and how marks are stored.
class Test_peoplemap : public QObject
{
    Q_OBJECT

private:
    QJsonObject m_ref;

    static std::vector<QPointF> points(const QJsonValue& array)
    {
        std::vector<QPointF> out;
        for (const QJsonValue& p : array.toArray())
            out.emplace_back(p[0].toDouble(), p[1].toDouble());
        return out;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QFile f(QStringLiteral(NTT_TEST_DATA_DIR "/marks/references.json"));
        QVERIFY(f.open(QIODevice::ReadOnly));
        m_ref = QJsonDocument::fromJson(f.readAll()).object();
        QVERIFY(!m_ref.isEmpty());
    }

    void heatMapMatchesScipyGaussianFilter()
    {
        for (const QJsonValue& c : m_ref.value(QStringLiteral("maps")).toArray()) {
            const int w = c[QStringLiteral("width")].toInt();
            const int h = c[QStringLiteral("height")].toInt();
            const cv::Mat map
                = peopleHeatMap(points(c[QStringLiteral("marks")]), w, h, c[QStringLiteral("sigma")].toDouble());
            QCOMPARE(map.cols, w);
            QCOMPARE(map.rows, h);
            QCOMPARE(map.type(), CV_32F);
            const QJsonArray expected = c[QStringLiteral("values")].toArray();
            QCOMPARE(int(expected.size()), w * h);
            double worst = 0.0;
            for (int i = 0; i < w * h; ++i)
                worst = std::max(worst, std::abs(double(map.at<float>(i / w, i % w)) - expected[i].toDouble()));
            QVERIFY2(worst < 1e-6, qPrintable(QString::number(worst)));
        }
        // No marks: a flat zero map, not a division by zero.
        const cv::Mat none = peopleHeatMap({}, 8, 6, 2.0);
        QCOMPARE(cv::countNonZero(none), 0);
    }

    void agreementMatchesScipyAndNumpy()
    {
        for (const QJsonValue& c : m_ref.value(QStringLiteral("agreement")).toArray()) {
            const int w = c[QStringLiteral("width")].toInt();
            const int h = c[QStringLiteral("height")].toInt();
            cv::Mat model(h, w, CV_32F);
            const QJsonArray values = c[QStringLiteral("model")].toArray();
            for (int i = 0; i < w * h; ++i)
                model.at<float>(i / w, i % w) = float(values[i].toDouble());
            // The reference used the float64 map; ours is float32 like a Grad-CAM map, hence r to 1e-6.
            const MapAgreement a
                = mapAgreement(points(c[QStringLiteral("marks")]), model, c[QStringLiteral("sigma")].toDouble());
            QCOMPARE(a.marks, 3);
            QVERIFY2(std::abs(a.correlation - c[QStringLiteral("correlation")].toDouble()) < 1e-6,
                qPrintable(QString::number(a.correlation, 'g', 12)));
            QCOMPARE(a.shareInModelTop20, c[QStringLiteral("share_in_model_top20")].toDouble());
            QCOMPARE(a.pointingHit, c[QStringLiteral("pointing_hit")].toInt());
        }
        // Marks on a scaled copy of the map: the same places, the kernel scaled with them.
        cv::Mat big = cv::Mat::zeros(60, 80, CV_32F);
        big.at<float>(20, 30) = 1.0f;
        cv::Mat small;
        cv::resize(big, small, cv::Size(40, 30), 0, 0, cv::INTER_AREA);
        const MapAgreement scaled = mapAgreement({ QPointF(31, 21) }, small, 4.0, 0.5);
        QCOMPARE(scaled.pointingHit, 1);
        const MapAgreement none = mapAgreement({}, small, 4.0);
        QVERIFY(std::isnan(none.shareInModelTop20));
        QCOMPARE(none.pointingHit, -1);
    }

    // A click on the image as shown lands on the same place of the pool image, through the
    // normalisation's scale and centre crop.
    void shownPlacesMapToImagePixels()
    {
        StimulusNormalisation off;
        QCOMPARE(shownToImagePixels(0.5, 0.25, 640, 480, off), QPointF(320, 120));
        StimulusNormalisation n;
        n.enabled = true;
        n.size = 240;
        // 640 x 480 scaled by 0.5 to 320 x 240, the centre 240 square from x = 40.
        const CoverGeometry g = coverGeometry(640, 480, 240);
        QCOMPARE(g.scaledWidth, 320);
        QCOMPARE(g.cropX, 40);
        QCOMPARE(g.cropY, 0);
        QCOMPARE(shownToImagePixels(0.0, 0.0, 640, 480, n), QPointF(80, 0));
        QCOMPARE(shownToImagePixels(1.0, 1.0, 640, 480, n), QPointF(560, 480));
        QCOMPARE(shownToImagePixels(0.5, 0.5, 640, 480, n), QPointF(320, 240));
        // A portrait image: the crop runs down the middle.
        QCOMPARE(shownToImagePixels(0.5, 0.0, 300, 600, n), QPointF(150, 150));
        // And back: a place the crop cut off lies outside 0..1.
        const QPointF back = imagePixelsToShown(560, 480, 640, 480, n);
        QVERIFY(std::abs(back.x() - 1.0) < 1e-12 && std::abs(back.y() - 1.0) < 1e-12);
        QVERIFY(imagePixelsToShown(20, 240, 640, 480, n).x() < 0.0);
        QCOMPARE(imagePixelsToShown(320, 120, 640, 480, off), QPointF(0.5, 0.25));
    }

    void marksRoundTripAndTheRulesWhenToAsk()
    {
        TrialMarks marks;
        marks.points = { { 0, 12, 0.25, 0.5, 160.0, 240.5 }, { 1, 13, 0.75, 0.125, 480.25, 60.0 } };
        marks.reason = QStringLiteral("hands");
        const auto back = marksFromJson(marksToJson(marks));
        QVERIFY2(back.ok(), qPrintable(back.error()));
        QCOMPARE(int(back->points.size()), 2);
        QCOMPARE(back->points[1].imageId, qint64(13));
        QCOMPARE(back->points[1].x, 480.25);
        QCOMPARE(back->points[0].v, 0.5);
        QCOMPARE(back->reason, QStringLiteral("hands"));
        // Stored without the image's pixels (as the participant window stores them), they are unknown.
        marks.points[0].x = std::nan("");
        const auto shownOnly = marksFromJson(marksToJson(marks));
        QVERIFY(shownOnly.ok() && std::isnan(shownOnly->points[0].x) && shownOnly->points[0].u == 0.25);
        const auto bad = marksFromJson(QStringLiteral("{\"points\":[{\"position\":0}]}"));
        QVERIFY(!bad.ok());
        QVERIFY2(bad.error().contains(QStringLiteral("lacks")), qPrintable(bad.error()));

        StudyDefinition d;
        d.marks.points = 3;
        Trial rf;
        rf.type = TrialType::RealOrFake;
        QVERIFY(asksForMarks(d, rf, 1)); // "generated"
        QVERIFY(!asksForMarks(d, rf, 0)); // "real": nothing gave it away
        QVERIFY(!asksForMarks(d, rf, -1)); // timed out
        Trial pick;
        pick.type = TrialType::PickReal;
        QVERIFY(asksForMarks(d, pick, 0));
        d.marks.points = 0;
        QVERIFY(!asksForMarks(d, rf, 1));

        // The definition: read, written back and refused with the key at fault.
        const auto parsed = parseStudyDefinition(
            R"({"name": "m", "trial_type": "real-or-fake", "marks": {"points": 2, "reasons": ["hands", "text"],
                "kernel_sigma_px": 16}})",
            QStringLiteral("m.json"));
        QVERIFY2(parsed.ok(), qPrintable(parsed.error()));
        QCOMPARE(parsed->marks.points, 2);
        QCOMPARE(parsed->marks.reasons, (QStringList { QStringLiteral("hands"), QStringLiteral("text") }));
        QCOMPARE(parsed->marks.kernelSigmaPx, 16.0);
        const auto again = parseStudyDefinition(studyDefinitionToJson(parsed.value()), QStringLiteral("again"));
        QVERIFY(again.ok());
        QCOMPARE(again->marks.reasons, parsed->marks.reasons);
        const auto wrong = parseStudyDefinition(
            R"({"name": "m", "trial_type": "which-source", "marks": {"points": 2}})", QStringLiteral("w.json"));
        QVERIFY(!wrong.ok());
        QVERIFY2(wrong.error().contains(QStringLiteral("w.json")) && wrong.error().contains(QStringLiteral("marks")),
            qPrintable(wrong.error()));
        const auto sigma = parseStudyDefinition(
            R"({"name": "m", "trial_type": "pick-real", "marks": {"kernel_sigma_px": 0}})", QStringLiteral("s.json"));
        QVERIFY(!sigma.ok());
        QVERIFY2(sigma.error().contains(QStringLiteral("kernel_sigma_px")), qPrintable(sigma.error()));
    }

    // Agreement grouped over all images, per category, per source and per pick-trial row: counts by
    // hand; Wilson intervals from statsmodels' proportion_confint(method="wilson"): 4 of 6
    // 0.299993315138-0.903228588894, 1 of 2 0.094531205734-0.905468794266.
    void agreementGroupedByCategorySourceAndRow()
    {
        const auto row = [](qint64 id, const QString& category, const QString& source, int marks, double share,
                             double r, int hit) {
            ImageAttentionAgreement a;
            a.image.id = id;
            a.image.category = category;
            a.image.source = source;
            a.model = QStringLiteral("m");
            a.agreement.marks = marks;
            a.agreement.shareInModelTop20 = share;
            a.agreement.correlation = r;
            a.agreement.pointingHit = hit;
            return a;
        };
        std::vector<ImageAttentionAgreement> rows = {
            row(1, QStringLiteral("A"), QStringLiteral("g1"), 4, 0.75, 0.5, 1),
            row(2, QStringLiteral("A"), QStringLiteral("g2"), 2, 0.5, std::nan(""), 0),
            row(3, QStringLiteral("B"), QStringLiteral("g1"), 0, std::nan(""), 0.9, -1), // no marks: left out
        };
        rows.push_back(row(4, QStringLiteral("B"), QStringLiteral("g1"), 3, 1.0, 0.1, 1));
        rows.back().error = QStringLiteral("the map could not be made"); // left out
        rows.push_back(row(1, QStringLiteral("A"), QStringLiteral("g1"), 2, 1.0, 0.2, 1));
        rows.back().row = { 1, 9 };
        const std::vector<AttentionGroup> g = summariseAttention(rows);
        QCOMPARE(int(g.size()), 5);
        QStringList order;
        for (const AttentionGroup& x : g)
            order << x.grouping + QLatin1Char(':') + x.group;
        QCOMPARE(order,
            (QStringList { QStringLiteral("all:all"), QStringLiteral("category:A"), QStringLiteral("source:g1"),
                QStringLiteral("source:g2"), QStringLiteral("row:1+9") }));
        const AttentionGroup& all = g[0];
        QCOMPARE(all.images, 2);
        QCOMPARE(all.correlations, 1);
        QCOMPARE(all.meanCorrelation, 0.5);
        QCOMPARE(all.marksInTop20.successes, 4);
        QCOMPARE(all.marksInTop20.trials, 6);
        QVERIFY(std::abs(all.marksInTop20.low - 0.299993315138) < 1e-9);
        QVERIFY(std::abs(all.marksInTop20.high - 0.903228588894) < 1e-9);
        QCOMPARE(all.pointing.successes, 1);
        QCOMPARE(all.pointing.trials, 2);
        QVERIFY(std::abs(all.pointing.low - 0.094531205734) < 1e-9);
        QCOMPARE(g[3].images, 1);
        QVERIFY(std::isnan(g[3].meanCorrelation)); // g2's only image has a flat map
        QCOMPARE(g[4].marksInTop20.successes, 2);
        QCOMPARE(g[4].meanCorrelation, 0.2);
        QCOMPARE(rowLabel({ 1, 9 }), QStringLiteral("1+9"));
    }
};

QTEST_GUILESS_MAIN(Test_peoplemap)
#include "tst_peoplemap.moc"
