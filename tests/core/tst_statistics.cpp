#include "analysis/contamination.h"
#include "analysis/pooldetection.h"
#include "analysis/statistics.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest>

#include <cmath>

using namespace ntt;

// Every statistic against values SciPy and statsmodels computed when the test was written
// (tests/data/make_statistics_references.py wrote tests/data/statistics/references.json).
class Test_statistics : public QObject
{
    Q_OBJECT

private:
    QJsonObject m_ref;

    static bool close(double a, double b, double tolerance = 1e-9)
    {
        return std::abs(a - b) <= tolerance * std::max(1.0, std::abs(b));
    }

    static std::vector<double> numbers(const QJsonValue& array)
    {
        std::vector<double> v;
        for (const QJsonValue& x : array.toArray())
            v.push_back(x.toDouble());
        return v;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QFile f(QStringLiteral(NTT_TEST_DATA_DIR "/statistics/references.json"));
        QVERIFY(f.open(QIODevice::ReadOnly));
        m_ref = QJsonDocument::fromJson(f.readAll()).object();
        QVERIFY(!m_ref.isEmpty());
    }

    void normalQuantileMatchesScipy()
    {
        for (const QJsonValue& v : m_ref.value(QStringLiteral("normal_quantile")).toArray()) {
            const double p = v[QStringLiteral("p")].toDouble();
            const double z = normalQuantile(p);
            QVERIFY2(close(z, v[QStringLiteral("z")].toDouble(), 1e-12), qPrintable(QString::number(p)));
            QVERIFY(close(normalCdf(z), p, 1e-9));
        }
        QVERIFY(std::isinf(normalQuantile(0.0)));
        QVERIFY(std::isnan(normalQuantile(1.5)));
    }

    // A model's P(real) on pool images, per source: the real source is right when called real, a
    // generator when called generated; each share with statsmodels' Wilson interval (95 %).
    void detectionBySourceCountsEachSourceAtTheThreshold()
    {
        QJsonObject reference;
        for (const QJsonValue& v : m_ref.value(QStringLiteral("wilson")).toArray())
            if (v[QStringLiteral("confidence")].toDouble() == 0.95 && v[QStringLiteral("n")].toInt() >= 4
                && v[QStringLiteral("k")].toInt() > 0
                && v[QStringLiteral("k")].toInt() < v[QStringLiteral("n")].toInt())
                reference = v.toObject();
        QVERIFY(!reference.isEmpty());
        const int n = reference[QStringLiteral("n")].toInt();
        const int k = reference[QStringLiteral("k")].toInt();
        std::vector<PredictionRow> rows;
        auto add = [&](const QString& source, float pReal) {
            PredictionRow r;
            r.image.source = source;
            r.pReal = pReal;
            rows.push_back(r);
        };
        for (int i = 0; i < n; ++i) {
            add(QStringLiteral("sdxl"), i < k ? 0.2f : 0.7f); // k called generated: right
            add(QStringLiteral("camera"), i < k ? 0.5f : 0.49f); // k called real (0.5 is real at 0.5)
        }
        add(QStringLiteral("sdxl"), -1.0f); // no P(real): left out
        PredictionRow failed;
        failed.image.source = QStringLiteral("camera");
        failed.pReal = 0.9f;
        failed.error = QStringLiteral("x.png: cannot decode");
        rows.push_back(failed);
        const auto table = detectionBySource(rows, QStringLiteral("camera"), 0.5);
        QCOMPARE(int(table.size()), 2);
        QCOMPARE(table[0].source, QStringLiteral("camera"));
        QVERIFY(table[0].real);
        QCOMPARE(table[1].source, QStringLiteral("sdxl"));
        for (const SourceDetection& d : table) {
            QCOMPARE(d.images, n);
            QCOMPARE(d.accuracy.successes, k);
            QVERIFY(close(d.accuracy.low, reference[QStringLiteral("low")].toDouble(), 1e-10));
            QVERIFY(close(d.accuracy.high, reference[QStringLiteral("high")].toDouble(), 1e-10));
        }
        QVERIFY(close(table[1].meanPReal, (k * 0.2 + (n - k) * 0.7) / n, 1e-6));
    }

    void wilsonMatchesStatsmodels()
    {
        for (const QJsonValue& v : m_ref.value(QStringLiteral("wilson")).toArray()) {
            const Proportion p = wilsonInterval(v[QStringLiteral("k")].toInt(), v[QStringLiteral("n")].toInt(),
                v[QStringLiteral("confidence")].toDouble());
            QVERIFY2(close(p.low, v[QStringLiteral("low")].toDouble(), 1e-10)
                    && close(p.high, v[QStringLiteral("high")].toDouble(), 1e-10),
                qPrintable(QStringLiteral("%1 of %2: [%3, %4]")
                               .arg(v[QStringLiteral("k")].toInt())
                               .arg(v[QStringLiteral("n")].toInt())
                               .arg(p.low, 0, 'g', 12)
                               .arg(p.high, 0, 'g', 12)));
        }
        QVERIFY(std::isnan(wilsonInterval(0, 0).estimate));
        // Bounds that are 0 or 1 by definition are exactly that (they printed as 2.78e-17 before).
        for (const int n : { 1, 10, 20, 40, 1000 }) {
            QCOMPARE(wilsonInterval(0, n).low, 0.0);
            QCOMPARE(wilsonInterval(n, n).high, 1.0);
        }
    }

    void binomialTestMatchesScipy()
    {
        for (const QJsonValue& v : m_ref.value(QStringLiteral("binomial")).toArray()) {
            const int k = v[QStringLiteral("k")].toInt();
            const int n = v[QStringLiteral("n")].toInt();
            const double p = v[QStringLiteral("p")].toDouble();
            const QString label = QStringLiteral("%1 of %2 at %3").arg(k).arg(n).arg(p);
            QVERIFY2(close(binomialTestTwoSided(k, n, p), v[QStringLiteral("two_sided")].toDouble(), 1e-9),
                qPrintable(label + QStringLiteral(": ") + QString::number(binomialTestTwoSided(k, n, p), 'g', 12)));
            QVERIFY2(
                close(binomialTestGreater(k, n, p), v[QStringLiteral("greater")].toDouble(), 1e-9), qPrintable(label));
        }
    }

    void signalDetectionWithLogLinearCorrection()
    {
        for (const QJsonValue& v : m_ref.value(QStringLiteral("signal_detection")).toArray()) {
            const auto s = signalDetection(v[QStringLiteral("hits")].toInt(), v[QStringLiteral("real")].toInt(),
                v[QStringLiteral("false_alarms")].toInt(), v[QStringLiteral("generated")].toInt());
            QVERIFY(s.has_value());
            QCOMPARE(s->corrected, v[QStringLiteral("corrected")].toBool());
            QVERIFY(close(s->hitRate, v[QStringLiteral("hit_rate")].toDouble()));
            QVERIFY(close(s->falseAlarmRate, v[QStringLiteral("false_alarm_rate")].toDouble()));
            QVERIFY2(close(s->dPrime, v[QStringLiteral("dprime")].toDouble(), 1e-10),
                qPrintable(QString::number(s->dPrime)));
            QVERIFY(close(s->criterion, v[QStringLiteral("criterion")].toDouble(), 1e-10));
        }
        QVERIFY(!signalDetection(3, 0, 1, 5).has_value());
    }

    void errorConsistencyAsModelVsHuman()
    {
        for (const QJsonValue& v : m_ref.value(QStringLiteral("error_consistency")).toArray()) {
            std::vector<bool> a, b;
            for (const QJsonValue& x : v[QStringLiteral("first")].toArray())
                a.push_back(x.toInt() != 0);
            for (const QJsonValue& x : v[QStringLiteral("second")].toArray())
                b.push_back(x.toInt() != 0);
            const ErrorConsistency e = errorConsistency(a, b);
            QCOMPARE(e.trials, int(a.size()));
            QVERIFY(close(e.observed, v[QStringLiteral("observed")].toDouble()));
            QVERIFY(close(e.expected, v[QStringLiteral("expected")].toDouble()));
            QVERIFY2(close(e.kappa, v[QStringLiteral("kappa")].toDouble()), qPrintable(QString::number(e.kappa)));
        }
        QVERIFY(std::isnan(errorConsistency({}, {}).kappa));
    }

    void clusterBootstrapWithAFixedSeed()
    {
        const QJsonObject v = m_ref.value(QStringLiteral("cluster_bootstrap")).toObject();
        std::vector<std::pair<int, int>> clusters;
        for (const QJsonValue& c : v[QStringLiteral("clusters")].toArray())
            clusters.emplace_back(c[0].toInt(), c[1].toInt());
        const Proportion p = clusterBootstrapAccuracy(clusters, v[QStringLiteral("replicates")].toInt(),
            std::uint64_t(v[QStringLiteral("seed")].toInteger()), v[QStringLiteral("confidence")].toDouble());
        QVERIFY2(close(p.low, v[QStringLiteral("low")].toDouble(), 1e-12)
                && close(p.high, v[QStringLiteral("high")].toDouble(), 1e-12),
            qPrintable(QStringLiteral("[%1, %2]").arg(p.low, 0, 'g', 15).arg(p.high, 0, 'g', 15)));
        QVERIFY(p.low <= p.estimate && p.estimate <= p.high);
    }

    void rocAucMatchesMannWhitney()
    {
        const QJsonObject v = m_ref.value(QStringLiteral("roc_auc")).toObject();
        std::vector<double> pos, neg;
        for (const QJsonValue& x : v[QStringLiteral("positives")].toArray())
            pos.push_back(x.toDouble());
        for (const QJsonValue& x : v[QStringLiteral("negatives")].toArray())
            neg.push_back(x.toDouble());
        QVERIFY(close(rocAuc(pos, neg), v[QStringLiteral("auc")].toDouble()));
        QCOMPARE(rocAuc({ 1.0, 2.0 }, { 0.0 }), 1.0);
        QVERIFY(std::isnan(rocAuc({}, { 0.0 })));
    }

    void spearmanMatchesScipy()
    {
        for (const QJsonValue& c : m_ref.value(QStringLiteral("spearman")).toArray()) {
            const double rho = spearmanRho(numbers(c[QStringLiteral("x")]), numbers(c[QStringLiteral("y")]));
            QVERIFY2(close(rho, c[QStringLiteral("rho")].toDouble(), 1e-12), qPrintable(QString::number(rho, 'g', 17)));
        }
        QVERIFY(std::isnan(spearmanRho({ 1.0 }, { 2.0 })));
        QVERIFY(std::isnan(spearmanRho({ 1.0, 1.0, 1.0 }, { 1.0, 2.0, 3.0 })));
        // The ranks themselves: scipy.stats.rankdata's average method.
        QCOMPARE(averageRanks({ 3.0, 1.0, 3.0, 2.0 }), (std::vector<double> { 3.5, 1.0, 3.5, 2.0 }));

        // The pair-level bootstrap: the reference resamples with the project's generator and takes
        // SciPy's rho of each replicate.
        const QJsonObject b = m_ref.value(QStringLiteral("spearman_bootstrap")).toObject();
        const RankCorrelation r = spearmanWithBootstrap(numbers(b[QStringLiteral("x")]),
            numbers(b[QStringLiteral("y")]), b[QStringLiteral("replicates")].toInt(),
            std::uint64_t(b[QStringLiteral("seed")].toDouble()), b[QStringLiteral("confidence")].toDouble());
        QCOMPARE(r.points, 10);
        QCOMPARE(r.replicates, b[QStringLiteral("defined_replicates")].toInt());
        QVERIFY2(close(r.low, b[QStringLiteral("low")].toDouble(), 1e-9)
                && close(r.high, b[QStringLiteral("high")].toDouble(), 1e-9),
            qPrintable(QStringLiteral("[%1, %2]").arg(r.low, 0, 'g', 15).arg(r.high, 0, 'g', 15)));
        QVERIFY(r.low <= r.rho && r.rho <= r.high);
    }

    // ROC curves point for point as scikit-learn's roc_curve(drop_intermediate=False), ties included.
    void rocCurveMatchesScikitLearn()
    {
        for (const QJsonValue& v : m_ref.value(QStringLiteral("roc_curve")).toArray()) {
            const std::vector<double> pos = numbers(v[QStringLiteral("positives")]);
            const std::vector<double> neg = numbers(v[QStringLiteral("negatives")]);
            const std::vector<RocPoint> curve = rocCurve(pos, neg);
            const std::vector<double> fpr = numbers(v[QStringLiteral("fpr")]);
            const std::vector<double> tpr = numbers(v[QStringLiteral("tpr")]);
            const std::vector<double> thresholds = numbers(v[QStringLiteral("thresholds")]);
            QCOMPARE(curve.size(), fpr.size());
            for (std::size_t i = 0; i < curve.size(); ++i) {
                QVERIFY(close(curve[i].falsePositiveRate, fpr[i], 1e-15));
                QVERIFY(close(curve[i].truePositiveRate, tpr[i], 1e-15));
                QVERIFY(close(curve[i].threshold, thresholds[i], 1e-15));
            }
            QVERIFY(close(rocAuc(pos, neg), v[QStringLiteral("auc")].toDouble(), 1e-12));
        }
        QVERIFY(rocCurve({}, { 0.5 }).empty());
    }

    // People's AUC with a participant-level bootstrap: the reference resamples participants with the
    // project's generator and takes scikit-learn's AUC of each replicate.
    void aucBootstrapMatchesTheReference()
    {
        const QJsonObject b = m_ref.value(QStringLiteral("auc_bootstrap")).toObject();
        std::vector<ScoredCluster> clusters;
        for (const QJsonValue& c : b[QStringLiteral("clusters")].toArray()) {
            ScoredCluster cluster;
            for (const QJsonValue& item : c.toArray())
                cluster.emplace_back(item[0].toDouble(), item[1].toInt() == 1);
            clusters.push_back(cluster);
        }
        const AucEstimate e = clusterBootstrapAuc(clusters, b[QStringLiteral("replicates")].toInt(),
            std::uint64_t(b[QStringLiteral("seed")].toDouble()), b[QStringLiteral("confidence")].toDouble());
        QVERIFY(close(e.auc, b[QStringLiteral("auc")].toDouble(), 1e-12));
        QCOMPARE(e.replicates, b[QStringLiteral("defined_replicates")].toInt());
        QVERIFY2(close(e.low, b[QStringLiteral("low")].toDouble(), 1e-9)
                && close(e.high, b[QStringLiteral("high")].toDouble(), 1e-9),
            qPrintable(QStringLiteral("[%1, %2]").arg(e.low, 0, 'g', 15).arg(e.high, 0, 'g', 15)));
        QVERIFY(e.positives + e.negatives > 0);
        // Without one of the two kinds there is no AUC and no interval.
        const AucEstimate none = clusterBootstrapAuc({ { { 1.0, true }, { 2.0, true } } }, 100, 1);
        QVERIFY(std::isnan(none.auc) && std::isnan(none.low));
    }

    // Reliability diagrams as scikit-learn's calibration_curve (edges, empty bins), and their ECE.
    void reliabilityDiagramMatchesScikitLearn()
    {
        for (const QJsonValue& v : m_ref.value(QStringLiteral("reliability")).toArray()) {
            const std::vector<double> probabilities = numbers(v[QStringLiteral("probabilities")]);
            const std::vector<double> truth = numbers(v[QStringLiteral("positives")]);
            std::vector<std::pair<double, bool>> predictions;
            for (std::size_t i = 0; i < probabilities.size(); ++i)
                predictions.emplace_back(probabilities[i], truth[i] == 1.0);
            const Reliability r = reliabilityDiagram(predictions, v[QStringLiteral("bins")].toInt());
            const std::vector<double> observed = numbers(v[QStringLiteral("observed")]);
            const std::vector<double> predicted = numbers(v[QStringLiteral("mean_predicted")]);
            const std::vector<double> counts = numbers(v[QStringLiteral("counts")]);
            QCOMPARE(r.bins.size(), observed.size());
            for (std::size_t i = 0; i < r.bins.size(); ++i) {
                QCOMPARE(double(r.bins[i].count), counts[i]);
                QVERIFY(close(r.bins[i].observed, observed[i], 1e-15));
                QVERIFY(close(r.bins[i].meanPredicted, predicted[i], 1e-15));
            }
            QVERIFY(close(r.expectedCalibrationError, v[QStringLiteral("ece")].toDouble(), 1e-15));
        }
        QVERIFY(std::isnan(reliabilityDiagram({}).expectedCalibrationError));
    }

    void roganGladenMatchesTheFormulaWithScipysQuantile()
    {
        for (const QJsonValue& v : m_ref.value(QStringLiteral("rogan_gladen")).toArray()) {
            DetectorErrorRates rates;
            rates.generatedImages = v[QStringLiteral("generated")].toInt();
            rates.generatedFlagged = v[QStringLiteral("generated_flagged")].toInt();
            rates.realImages = v[QStringLiteral("real")].toInt();
            rates.realFlagged = v[QStringLiteral("real_flagged")].toInt();
            const ContaminationEstimate e = estimateContamination(v[QStringLiteral("flagged")].toInt(),
                v[QStringLiteral("images")].toInt(), rates, v[QStringLiteral("confidence")].toDouble());
            QVERIFY(e.warning.isEmpty());
            QVERIFY(close(e.rawEstimate, v[QStringLiteral("raw")].toDouble(), 1e-12));
            QVERIFY(close(e.estimate, v[QStringLiteral("estimate")].toDouble(), 1e-12));
            QVERIFY2(close(e.low, v[QStringLiteral("low")].toDouble(), 1e-12)
                    && close(e.high, v[QStringLiteral("high")].toDouble(), 1e-12),
                qPrintable(QStringLiteral("[%1, %2]").arg(e.low, 0, 'g', 15).arg(e.high, 0, 'g', 15)));
            QVERIFY(e.low <= e.estimate && e.estimate <= e.high);
        }
        // A detector no better than chance cannot correct anything, and says so.
        DetectorErrorRates chance { 100, 50, 100, 50 };
        const ContaminationEstimate none = estimateContamination(10, 100, chance);
        QVERIFY(std::isnan(none.estimate));
        QVERIFY2(none.warning.contains(QLatin1String("no better than chance")), qPrintable(none.warning));
        QVERIFY(std::isnan(estimateContamination(3, 10, DetectorErrorRates {}).estimate));
    }
};

QTEST_GUILESS_MAIN(Test_statistics)
#include "tst_statistics.moc"
