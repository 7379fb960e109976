#include "../common/demostudyfile.h"
#include "analysis/exposureanalysis.h"
#include "analysis/rocanalysis.h"
#include "dashboard.h"
#include "qcustomplot_wrapper.h"
#include "study/rng.h"
#include "study/staircase.h"
#include "studyexports.h"
#include "studyfile.h"

#include <QCheckBox>
#include <QDir>
#include <QFile>
#include <QSet>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>

using namespace ntt;

namespace {

/// A study over the demo pool with `people` answering 30 two-way trials each (scripted, flagged
/// simulated when asked) and, when `model` is given, the tiny TorchScript fixture run on it.
Result<testing::DemoStudyFile> makeStudy(const QString& dir, int people, bool simulated, bool model)
{
    auto file = testing::demoStudyFile(
        dir, 3, 48, {}, model ? QStringLiteral("tiny_traced") : QString(), model ? QStringLiteral("tiny") : QString());
    if (!file)
        return file;
    StudyDefinition d;
    d.name = QStringLiteral("Dashboard 2-way");
    d.ways = 2;
    d.trialsPerParticipant = 30;
    d.catchTrials = 0;
    CancelToken cancel;
    const auto study = createStudy(*file->db, d, cancel, {});
    if (!study)
        return Error { study.error() };
    file->studyId = study->study.id;
    for (int i = 0; i < people; ++i) {
        auto plan = startSession(
            *file->db, file->studyId, QStringLiteral("P%1").arg(i + 1), QStringLiteral("lab"), simulated);
        if (!plan)
            return Error { plan.error() };
        ScriptedParticipant script;
        script.seed = std::uint64_t(i + 1);
        script.accuracy = 0.6 + 0.1 * i;
        if (const auto run = runScriptedParticipant(*file->db, plan.value(), script); !run)
            return Error { run.error() };
    }
    if (model) {
        const auto run = runModelOnStudy(*file->db, file->studyId, file->modelId, ModelRunOptions {}, cancel, {});
        if (!run)
            return Error { run.error() };
    }
    return file;
}

template <typename T> QList<T*> plottablesOf(QCustomPlot* plot)
{
    QList<T*> out;
    for (int i = 0; i < plot->plottableCount(); ++i) {
        if (auto* p = qobject_cast<T*>(plot->plottable(i)))
            out << p;
    }
    return out;
}

// With NTT_DASHBOARD_SHOTS set, saves these tabs there as ntt_dashboard_<prefix>_<plot>.png for a
// person to look at; false when a file could not be written.
bool saveTabsForReview(Dashboard& d, const std::vector<Dashboard::Plot>& plots, const QString& prefix)
{
    const QString out = qEnvironmentVariable("NTT_DASHBOARD_SHOTS");
    if (out.isEmpty())
        return true;
    d.show();
    if (!QTest::qWaitForWindowExposed(&d))
        return false;
    auto* tabs = d.findChild<QTabWidget*>();
    for (const Dashboard::Plot p : plots) {
        tabs->setCurrentWidget(d.plot(p));
        QCoreApplication::processEvents();
        if (!d.grab().save(QDir(out).filePath(QStringLiteral("ntt_dashboard_%1_%2.png").arg(prefix).arg(int(p)))))
            return false;
    }
    return true;
}

QCPGraph* graphNamed(QCustomPlot* plot, const QString& name)
{
    for (int i = 0; i < plot->graphCount(); ++i) {
        if (plot->graph(i)->name() == name)
            return plot->graph(i);
    }
    return nullptr;
}

} // namespace

// The people-versus-models dashboard: drawn from core's analysis of a real study file, with the
// values, intervals, chance line, clickable images and exports a researcher relies on.
class Test_dashboard : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    std::unique_ptr<StudyDatabase> m_db;
    qint64 m_studyId = 0;
    StudyAnalysis m_analysis;
    QString m_simulatedPath;
    qint64 m_simulatedStudyId = 0;

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        auto file = makeStudy(m_dir.filePath(QStringLiteral("people")), 3, false, true);
        QVERIFY2(file.ok(), qPrintable(file.error()));
        m_db = std::move(file->db);
        m_studyId = file->studyId;
        auto a = analyseStudy(*m_db, m_studyId, AnalysisOptions {});
        QVERIFY2(a.ok(), qPrintable(a.error()));
        m_analysis = std::move(a).value();
        QCOMPARE(int(m_analysis.analysis.participants.size()), 3);
        QCOMPARE(m_analysis.analysis.models, QStringList { QStringLiteral("tiny") });

        auto simulated = makeStudy(m_dir.filePath(QStringLiteral("simulated")), 2, true, false);
        QVERIFY2(simulated.ok(), qPrintable(simulated.error()));
        m_simulatedPath = simulated->path;
        m_simulatedStudyId = simulated->studyId;
    }

    void emptyDashboardSaysNoAnswersYet()
    {
        Dashboard d;
        for (int i = 0; i < 6; ++i) {
            QCustomPlot* plot = d.plot(static_cast<Dashboard::Plot>(i));
            QCOMPARE(plot->plottableCount(), 0);
            QCOMPARE(plot->itemCount(), 1);
            auto* text = qobject_cast<QCPItemText*>(plot->item(0));
            QVERIFY(text);
            QCOMPARE(text->text(), QStringLiteral("No answers yet"));
            QVERIFY(!plot->xAxis->visible());
        }
    }

    void categoryBarsAreTheAnalysis()
    {
        Dashboard d;
        QSignalSpy refreshed(&d, &Dashboard::refreshed);
        d.setAnalysis(m_analysis);
        QCOMPARE(refreshed.count(), 1);
        const auto& cells = m_analysis.analysis.byCategory;
        QStringList expectedGroups;
        for (const AccuracyCell& c : cells) {
            if (!c.isParticipant && !expectedGroups.contains(c.group))
                expectedGroups << c.group;
        }
        std::sort(expectedGroups.begin(), expectedGroups.end());
        const QStringList groups = d.groups(Dashboard::Plot::Categories);
        QCOMPARE(groups, expectedGroups);
        QVERIFY(!groups.isEmpty());

        QCustomPlot* plot = d.plot(Dashboard::Plot::Categories);
        const auto bars = plottablesOf<QCPBars>(plot);
        QCOMPARE(bars.size(), 2); // people and the model
        QVERIFY(bars.at(0)->name().startsWith(QStringLiteral("people")));
        QCOMPARE(bars.at(1)->name(), QStringLiteral("tiny"));
        const auto errorBars = plottablesOf<QCPErrorBars>(plot);
        for (QCPBars* b : bars) {
            const QString agent = b == bars.at(0) ? peopleAgent() : QStringLiteral("tiny");
            QVERIFY(b->dataCount() > 0);
            int intervals = 0;
            for (QCPErrorBars* e : errorBars) {
                if (e->dataPlottable() == b) {
                    ++intervals;
                    QCOMPARE(e->dataCount(), b->dataCount());
                }
            }
            // Wilson for everyone; the participant bootstrap in addition for the people.
            QCOMPARE(intervals, agent == peopleAgent() ? 2 : 1);
            for (int i = 0; i < b->dataCount(); ++i) {
                const double key = b->data()->at(i)->key;
                const QString group = groups.at(qRound(key) - 1);
                const AccuracyCell* c = Analysis::find(cells, agent, group);
                QVERIFY(c);
                QCOMPARE(b->data()->at(i)->value, 100.0 * c->accuracy.estimate);
            }
        }
        // Wilson whiskers of the people: the interval around the bar.
        for (QCPErrorBars* e : errorBars) {
            if (e->dataPlottable() != bars.at(0) || e->name() != QStringLiteral("Wilson 95 % interval"))
                continue;
            const QString group = groups.at(qRound(bars.at(0)->data()->at(0)->key) - 1);
            const AccuracyCell* c = Analysis::find(cells, peopleAgent(), group);
            QCOMPARE(e->data()->at(0).errorMinus, 100.0 * (c->accuracy.estimate - c->accuracy.low));
            QCOMPARE(e->data()->at(0).errorPlus, 100.0 * (c->accuracy.high - c->accuracy.estimate));
        }
        QCPGraph* chance = graphNamed(plot, QStringLiteral("chance (1/N)"));
        QVERIFY(chance);
        QVERIFY(chance->dataCount() >= 2);
        for (int i = 0; i < chance->dataCount(); ++i) {
            if (!std::isnan(chance->data()->at(i)->value))
                QCOMPARE(chance->data()->at(i)->value, 50.0);
        }
        QCOMPARE(plot->yAxis->label(), QStringLiteral("Accuracy (%)"));
        QVERIFY(plot->legend->visible());
    }

    void clickingABarSelectsItsImages()
    {
        Dashboard d;
        d.resize(1000, 700);
        d.setAnalysis(m_analysis);
        d.show();
        QVERIFY(QTest::qWaitForWindowExposed(&d));
        const QStringList groups = d.groups(Dashboard::Plot::Categories);
        for (int g = 0; g < groups.size(); ++g) {
            QList<qint64> expected;
            for (const PoolImage& image : m_analysis.images) {
                if (image.category == groups.at(g))
                    expected << image.id;
            }
            QVERIFY(!expected.isEmpty());
            QCOMPARE(d.imagesBehind(Dashboard::Plot::Categories, g), expected);
        }
        QVERIFY(d.imagesBehind(Dashboard::Plot::Categories, groups.size()).isEmpty());
        for (const QString& source : d.groups(Dashboard::Plot::Sources)) {
            const QList<qint64> ids
                = d.imagesBehind(Dashboard::Plot::Sources, int(d.groups(Dashboard::Plot::Sources).indexOf(source)));
            QVERIFY(!ids.isEmpty());
            for (const PoolImage& image : m_analysis.images) {
                if (ids.contains(image.id))
                    QCOMPARE(image.source, source);
            }
        }

        // A real click in the middle of the people's first bar.
        QCustomPlot* plot = d.plot(Dashboard::Plot::Categories);
        plot->replot();
        QCPBars* people = plottablesOf<QCPBars>(plot).at(0);
        const double key = people->data()->at(0)->key;
        const double value = people->data()->at(0)->value;
        QVERIFY(value > 10.0);
        const QPointF top = people->dataPixelPosition(0);
        const QPoint inside(qRound(top.x()), qRound(plot->yAxis->coordToPixel(value / 2)));
        QSignalSpy selected(&d, &Dashboard::imagesSelected);
        QTest::mouseClick(plot, Qt::LeftButton, {}, inside);
        QCOMPARE(selected.count(), 1);
        const QString group = groups.at(qRound(key) - 1);
        QCOMPARE(
            selected.at(0).at(0).value<QList<qint64>>(), d.imagesBehind(Dashboard::Plot::Categories, qRound(key) - 1));
        const QString title = selected.at(0).at(1).toString();
        QVERIFY2(title.startsWith(QStringLiteral("Category %1 — people ").arg(group)), qPrintable(title));
        QVERIFY2(title.contains(QStringLiteral("(n = ")), qPrintable(title));
    }

    void scatterHasOnePointPerImage()
    {
        Dashboard d;
        d.setAnalysis(m_analysis);
        QCustomPlot* plot = d.plot(Dashboard::Plot::Images);
        QCOMPARE(plot->graphCount(), 1);
        QCPGraph* graph = plot->graph(0);
        QVERIFY(graph->name().startsWith(QStringLiteral("tiny")));
        const QHash<qint64, float> pReal = m_analysis.pRealByModel.value(QStringLiteral("tiny"));
        int expected = 0;
        for (const PoolImage& image : m_analysis.images) {
            if (m_analysis.people.value(image.id).trials > 0 && pReal.contains(image.id))
                ++expected;
        }
        QVERIFY(expected > 0);
        QCOMPARE(graph->dataCount(), expected);
        QSet<qint64> seen;
        for (int i = 0; i < graph->dataCount(); ++i) {
            const QList<qint64> ids = d.imagesBehind(Dashboard::Plot::Images, i, QStringLiteral("tiny"));
            QCOMPARE(ids.size(), 1);
            QVERIFY(!seen.contains(ids.front()));
            seen.insert(ids.front());
            QCOMPARE(graph->data()->at(i)->key, 100.0 * m_analysis.people.value(ids.front()).shareCorrect());
            QCOMPARE(graph->data()->at(i)->value, double(pReal.value(ids.front())));
        }
        QCOMPARE(d.imagesBehind(Dashboard::Plot::Images, 0), d.imagesBehind(Dashboard::Plot::Images, 0, {}));
        // The other plots have their series too.
        QVERIFY(plottablesOf<QCPBars>(d.plot(Dashboard::Plot::Consistency)).size() == 1);
        QCOMPARE(plottablesOf<QCPBars>(d.plot(Dashboard::Plot::ResponseTimes)).size(), 2);
        QVERIFY(d.plot(Dashboard::Plot::Position)->graphCount() >= 2);
    }

    void exportsPngPdfSvg_data()
    {
        QTest::addColumn<QString>("suffix");
        QTest::newRow("png") << QStringLiteral("png");
        QTest::newRow("pdf") << QStringLiteral("pdf");
        QTest::newRow("svg") << QStringLiteral("svg");
    }

    void exportsPngPdfSvg()
    {
        QFETCH(QString, suffix);
        Dashboard d;
        d.setAnalysis(m_analysis);
        const QString path = m_dir.filePath(QStringLiteral("categories.") + suffix);
        const Status s = d.exportPlot(Dashboard::Plot::Categories, path, 800, 500, 2.0);
        QVERIFY2(s.ok(), qPrintable(s.error()));
        QVERIFY(QFileInfo(path).size() > 1000);
        if (suffix == QLatin1String("png")) {
            const QImage image(path);
            QCOMPARE(image.size(), QSize(1600, 1000));
        }
    }

    void exportFailuresNameThePath()
    {
        Dashboard d;
        d.setAnalysis(m_analysis);
        const QString unknown = m_dir.filePath(QStringLiteral("x.bmpx"));
        Status s = d.exportPlot(Dashboard::Plot::Sources, unknown, 800, 500);
        QVERIFY(!s.ok());
        QVERIFY2(s.error().contains(unknown), qPrintable(s.error()));
        QVERIFY(!QFile::exists(unknown));
        const QString unwritable = m_dir.filePath(QStringLiteral("no/such/folder/plot.png"));
        s = d.exportPlot(Dashboard::Plot::Sources, unwritable, 800, 500);
        QVERIFY(!s.ok());
        QVERIFY2(s.error().contains(unwritable), qPrintable(s.error()));
    }

    void simulatedOnlyStudyOpensWithSimulatedShown()
    {
        Dashboard d;
        QVERIFY(!d.includeSimulatedBox()->isChecked());
        QSignalSpy refreshed(&d, &Dashboard::refreshed);
        d.setStudy(m_simulatedPath, m_simulatedStudyId);
        QTRY_VERIFY_WITH_TIMEOUT(refreshed.count() >= 1 && !d.isLoading(), 30000);
        QVERIFY(d.includeSimulatedBox()->isChecked());
        QCOMPARE(int(d.analysis().analysis.participants.size()), 2);
        QVERIFY(d.summaryText().contains(QStringLiteral("2 simulated")));
        QCOMPARE(plottablesOf<QCPBars>(d.plot(Dashboard::Plot::Categories)).size(), 1); // people, no model

        // Unticking is the user's choice: the people-only view is then empty and stays so.
        refreshed.clear();
        d.includeSimulatedBox()->setChecked(false);
        QTRY_VERIFY_WITH_TIMEOUT(refreshed.count() >= 1 && !d.isLoading(), 30000);
        QVERIFY(!d.includeSimulatedBox()->isChecked());
        QVERIFY(d.analysis().analysis.participants.empty());
        QCOMPARE(d.plot(Dashboard::Plot::Categories)->plottableCount(), 0);

        // Refreshes requested in a burst are debounced into one load.
        refreshed.clear();
        for (int i = 0; i < 5; ++i)
            d.scheduleRefresh();
        QVERIFY(refreshed.wait(30000));
        QTest::qWait(1200);
        QCOMPARE(refreshed.count(), 1);
    }

    // Which source made it: people's and the model's confusion matrices side by side, accuracy
    // per pair of generators and the pair-agreement scatter, drawn from core's analysis.
    void confusionAndPairPlotsAreTheAnalysis()
    {
        const QStringList sources = { QStringLiteral("real"), QStringLiteral("a"), QStringLiteral("b") };
        std::vector<ResponseRow> people, models;
        qint64 trial = 0;
        // Two-way which-source trials over the three pairs; people right on 3/4, 2/4, 1/4 of them and
        // the model on 1/4, 2/4, 4/4.
        const std::vector<std::pair<QStringList, std::pair<int, int>>> plan = {
            { { QStringLiteral("a"), QStringLiteral("b") }, { 3, 1 } },
            { { QStringLiteral("a"), QStringLiteral("real") }, { 2, 2 } },
            { { QStringLiteral("b"), QStringLiteral("real") }, { 1, 4 } },
        };
        for (const auto& [choices, rights] : plan) {
            for (int k = 0; k < 4; ++k) {
                ResponseRow r;
                r.sessionId = 1;
                r.participant = QStringLiteral("P1");
                r.trial.id = ++trial;
                r.trial.type = TrialType::WhichSource;
                r.trial.choices = choices;
                r.trial.correctPosition = k % 2;
                PoolImage shown;
                shown.id = trial;
                shown.source = choices.at(k % 2);
                shown.category = QStringLiteral("x");
                r.trial.imageIds = { shown.id };
                r.shown = { shown };
                r.response.answer = k < rights.first ? k % 2 : 1 - k % 2;
                r.response.correct = k < rights.first;
                people.push_back(r);
                ResponseRow m = r;
                m.agent = QStringLiteral("source model");
                m.participant.clear();
                m.response.answer = k < rights.second ? k % 2 : 1 - k % 2;
                m.response.correct = k < rights.second;
                models.push_back(m);
            }
        }
        StudyAnalysis a;
        a.analysis = analyse(people, models, AnalysisOptions {});
        Dashboard d;
        d.resize(1100, 800);
        d.setAnalysis(a);
        // With NTT_DASHBOARD_SHOTS set, the three tabs are saved there for review.
        QVERIFY(
            saveTabsForReview(d, { Dashboard::Plot::Confusion, Dashboard::Plot::Pairs, Dashboard::Plot::PairAgreement },
                QStringLiteral("which")));

        QCustomPlot* confusion = d.plot(Dashboard::Plot::Confusion);
        const QList<QCPItemRect*> cells = confusion->findChildren<QCPItemRect*>();
        QCOMPARE(int(cells.size()), 2 * 3 * 3); // people's and the model's 3 x 3 matrices
        QStringList texts;
        for (int i = 0; i < confusion->itemCount(); ++i) {
            if (auto* t = qobject_cast<QCPItemText*>(confusion->item(i)))
                texts << t->text();
        }
        QVERIFY2(texts.contains(QStringLiteral("people")) && texts.contains(QStringLiteral("source model")),
            qPrintable(texts.join(QLatin1Char('|'))));
        // People called the 4 images of "a" right 3 + 1 times... each cell shows its share of the row and count.
        QVERIFY2(texts.contains(QStringLiteral("50 %\n(2)")), qPrintable(texts.join(QLatin1Char('|'))));

        QCOMPARE(d.groups(Dashboard::Plot::Pairs),
            (QStringList { QStringLiteral("a vs b"), QStringLiteral("a vs real"), QStringLiteral("b vs real") }));
        const auto bars = plottablesOf<QCPBars>(d.plot(Dashboard::Plot::Pairs));
        QCOMPARE(int(bars.size()), 2);
        QCOMPARE(bars[0]->data()->at(0)->value, 75.0);
        QCOMPARE(bars[1]->data()->at(2)->value, 100.0);

        QCustomPlot* scatter = d.plot(Dashboard::Plot::PairAgreement);
        QCPGraph* points = nullptr;
        for (int i = 0; i < scatter->graphCount(); ++i) {
            if (scatter->graph(i)->name().startsWith(QLatin1String("source model")))
                points = scatter->graph(i);
        }
        QVERIFY(points);
        QVERIFY2(points->name().contains(QStringLiteral("ρ = -1.00")), qPrintable(points->name()));
        QCOMPARE(points->dataCount(), 3);
        QCOMPARE(points->data()->at(0)->key, 25.0); // people's 1/4 on b vs real, against the model's 4/4
        QCOMPARE(points->data()->at(0)->value, 100.0);
    }

    // The ROC and calibration tabs draw what rocAndCalibration computes.
    void rocAndCalibrationPlotsAreTheAnalysis()
    {
        std::vector<ResponseRow> people;
        QMap<QString, QHash<qint64, float>> pReal;
        Rng rng(5);
        qint64 trial = 0;
        for (int participant = 0; participant < 6; ++participant) {
            for (int k = 0; k < 20; ++k) {
                ResponseRow r;
                r.participant = QStringLiteral("P%1").arg(participant);
                r.trial.id = ++trial;
                r.trial.type = TrialType::RealOrFake;
                PoolImage shown;
                shown.id = k; // the same 20 images for everyone
                const bool real = k % 2 == 0;
                shown.source = real ? QStringLiteral("real") : QStringLiteral("gan");
                shown.category = QStringLiteral("x");
                r.trial.imageIds = { shown.id };
                r.trial.correctPosition = real ? 0 : 1;
                r.shown = { shown };
                const bool right = rng.uniform() < 0.7;
                r.response.answer = right ? r.trial.correctPosition : 1 - r.trial.correctPosition;
                r.response.correct = right;
                r.response.confidence = 1 + int(rng.below(4));
                people.push_back(r);
                pReal[QStringLiteral("detector")][shown.id] = float(real ? 0.55 + 0.02 * k : 0.6 - 0.03 * k);
            }
        }
        StudyAnalysis a;
        a.analysis = analyse(people, {}, AnalysisOptions {});
        a.analysis.models = { QStringLiteral("detector") };
        a.roc = rocAndCalibration(people, pReal, AnalysisOptions {});
        Dashboard d;
        d.resize(1100, 800);
        d.setAnalysis(a);
        QVERIFY(saveTabsForReview(d, { Dashboard::Plot::Roc, Dashboard::Plot::Calibration }, QStringLiteral("roc")));

        const auto curves = plottablesOf<QCPCurve>(d.plot(Dashboard::Plot::Roc));
        QCOMPARE(int(curves.size()), 2);
        for (std::size_t c = 0; c < 2; ++c) {
            const RocCurve& expected = a.roc.curves[c];
            QVERIFY2(curves[c]->name().startsWith(
                         expected.agent + QStringLiteral(": AUC ") + QString::number(expected.auc.auc, 'f', 3)),
                qPrintable(curves[c]->name()));
            QCOMPARE(curves[c]->dataCount(), int(expected.points.size()));
            for (int i = 0; i < curves[c]->dataCount(); ++i) {
                QCOMPARE(curves[c]->data()->at(i)->key, expected.points[std::size_t(i)].falsePositiveRate);
                QCOMPARE(curves[c]->data()->at(i)->value, expected.points[std::size_t(i)].truePositiveRate);
            }
        }
        QCustomPlot* calibration = d.plot(Dashboard::Plot::Calibration);
        QCOMPARE(calibration->axisRectCount(), 2);
        const auto bars = plottablesOf<QCPBars>(calibration);
        QCOMPARE(int(bars.size()), 1);
        QCOMPARE(bars.front()->dataCount(), 4);
        for (int level = 0; level < 4; ++level)
            QCOMPARE(bars.front()->data()->at(level)->value,
                100.0 * a.roc.peopleConfidence[std::size_t(level)].accuracy.estimate);
        QCPGraph* reliability = nullptr;
        for (int i = 0; i < calibration->graphCount(); ++i) {
            if (calibration->graph(i)->name().startsWith(QLatin1String("detector: ECE")))
                reliability = calibration->graph(i);
        }
        QVERIFY(reliability);
        QCOMPARE(reliability->keyAxis()->axisRect(), calibration->axisRect(1));
        const Reliability& r = a.roc.models.front().reliability;
        QCOMPARE(reliability->dataCount(), int(r.bins.size()));
        QCOMPARE(reliability->data()->at(0)->value, r.bins.front().observed);

        // d′ of the pooled people over all trials, the first bar of the signal-detection tab.
        const auto sdtBars = plottablesOf<QCPBars>(d.plot(Dashboard::Plot::SignalDetection));
        QCOMPARE(int(sdtBars.size()), 1); // people only: the model here has P(real), no answers
        const auto all = std::find_if(a.analysis.signalDetection.begin(), a.analysis.signalDetection.end(),
            [](const SignalDetectionRow& s) { return s.agent == peopleAgent() && s.grouping == QLatin1String("all"); });
        QVERIFY(all != a.analysis.signalDetection.end());
        QCOMPARE(sdtBars.front()->data()->at(0)->value, all->sdt.dPrime);
        QVERIFY(saveTabsForReview(d, { Dashboard::Plot::SignalDetection }, QStringLiteral("sdt")));
    }

    // The Exposure tab draws people's accuracy per measured exposure (the pooled levels of the
    // analysis), each participant's staircase threshold and each model's accuracy as a level line;
    // every tab has its own file name for "Export plot" (the list once ended at the sixth tab).
    void exposurePlotIsTheAnalysis()
    {
        StudyDefinition definition;
        definition.exposure.staircase.enabled = true;
        definition.exposure.staircase.startFrames = 8;
        definition.exposure.staircase.stepFrames = { 2, 1 };
        definition.exposure.staircase.down = 2;
        std::vector<ResponseRow> people;
        Rng rng(9);
        for (int participant = 0; participant < 4; ++participant) {
            Staircase stair(definition.exposure.staircase);
            for (int k = 0; k < 30; ++k) {
                ResponseRow r;
                r.participant = QStringLiteral("P%1").arg(participant);
                r.sessionId = participant + 1;
                r.trial.id = participant * 100 + k + 1;
                r.trial.index = k;
                r.trial.type = TrialType::RealOrFake;
                r.trial.exposureFrames = kStaircaseExposure;
                PoolImage shown;
                shown.id = k;
                shown.source = k % 2 == 0 ? QStringLiteral("real") : QStringLiteral("gan");
                r.trial.imageIds = { shown.id };
                r.trial.correctPosition = k % 2;
                r.shown = { shown };
                const int frames = stair.nextFrames();
                const bool right = rng.uniform() < 0.5 + 0.45 * (1.0 - std::exp(-frames / 3.0));
                r.response.answer = right ? r.trial.correctPosition : 1 - r.trial.correctPosition;
                r.response.correct = right;
                r.response.exposureFrames = frames;
                r.response.frameRateHz = 60.0;
                r.response.exposureMs = frames * 1000.0 / 60.0 + 0.4;
                stair.addResponse(right, frames);
                people.push_back(r);
            }
        }
        StudyAnalysis a;
        a.analysis = analyse(people, {}, AnalysisOptions {});
        AccuracyCell model;
        model.agent = QStringLiteral("detector");
        model.isModel = true;
        model.group = QStringLiteral("all");
        model.accuracy = wilsonInterval(27, 30);
        a.analysis.overall.push_back(model);
        a.analysis.models = { QStringLiteral("detector") };
        const auto exposure = exposureAnalysis(people, AnswerFilter {}, definition);
        QVERIFY2(exposure.ok(), qPrintable(exposure.error()));
        a.exposure = exposure.value();
        Dashboard d;
        d.resize(1100, 800);
        d.setAnalysis(a);
        QVERIFY(saveTabsForReview(d, { Dashboard::Plot::Exposure }, QStringLiteral("exposure")));

        QCustomPlot* plot = d.plot(Dashboard::Plot::Exposure);
        QCPGraph* accuracy = nullptr;
        QCPGraph* thresholds = nullptr;
        QCPGraph* detector = nullptr;
        for (int i = 0; i < plot->graphCount(); ++i) {
            const QString name = plot->graph(i)->name();
            if (name.startsWith(QLatin1String("people:")))
                accuracy = plot->graph(i);
            else if (name.startsWith(QLatin1String("staircase thresholds of 4")))
                thresholds = plot->graph(i);
            else if (name.startsWith(QLatin1String("detector: 90.0 %")))
                detector = plot->graph(i);
        }
        QVERIFY(accuracy && thresholds && detector);
        std::vector<const ExposureLevel*> pooled;
        for (const ExposureLevel& l : a.exposure.levels) {
            if (l.participant == peopleAgent())
                pooled.push_back(&l);
        }
        QVERIFY(pooled.size() >= 3);
        QCOMPARE(accuracy->dataCount(), int(pooled.size()));
        for (int i = 0; i < accuracy->dataCount(); ++i) {
            QCOMPARE(accuracy->data()->at(i)->key, pooled[std::size_t(i)]->meanExposureMs);
            QCOMPARE(accuracy->data()->at(i)->value, 100.0 * pooled[std::size_t(i)]->accuracy.estimate);
        }
        QCOMPARE(thresholds->dataCount(), 4);
        QCOMPARE(detector->data()->at(0)->value, 90.0);

        QSet<QString> names;
        for (int i = 0; i <= int(Dashboard::Plot::Exposure); ++i)
            names.insert(Dashboard::plotFileName(static_cast<Dashboard::Plot>(i)));
        QCOMPARE(int(names.size()), int(Dashboard::Plot::Exposure) + 1);
        QVERIFY(!names.contains(QStringLiteral("plot")));
    }

    // Marks vs models: the button makes the models' maps on a worker thread and the tab draws, per
    // group, each model's share of people's marks in its top 20 % and its pointing game, as core's
    // summariseAttention() of attentionAgreement() gives them (ntt export --what attention-groups).
    void marksAgainstModelsPerCategoryAndSource()
    {
        StudyDefinition def;
        def.name = QStringLiteral("Dashboard marks");
        def.trialType = TrialType::RealOrFake;
        def.ways = 1;
        def.trialsPerParticipant = 20;
        def.marks.points = 3;
        def.marks.kernelSigmaPx = 6.0;
        CancelToken cancel;
        const auto created = testing::studyWithScriptedPeople(*m_db, def, 3, QStringLiteral("K"), 70, 0.8);
        QVERIFY2(created.ok(), qPrintable(created.error()));
        const qint64 study = created.value();
        Dashboard d;
        d.resize(1100, 800);
        QSignalSpy refreshed(&d, &Dashboard::refreshed);
        d.setStudy(m_db->path(), study);
        QTRY_VERIFY_WITH_TIMEOUT(refreshed.count() >= 1 && !d.isLoading(), 30000);
        QVERIFY(d.compareMarksButton()->isEnabled());
        QCOMPARE(d.plot(Dashboard::Plot::Attention)->plottableCount(), 0); // nothing until asked
        QSignalSpy compared(&d, &Dashboard::marksCompared);
        d.compareMarksButton()->click();
        QVERIFY(compared.wait(60000));
        QVERIFY2(compared.front().front().toString().isEmpty(), qPrintable(compared.front().front().toString()));

        const auto rows = attentionAgreement(*m_db, study, AnswerFilter {}, CamOptions {}, cancel, {});
        QVERIFY2(rows.ok(), qPrintable(rows.error()));
        const std::vector<AttentionGroup> expected = summariseAttention(rows.value());
        QCOMPARE(int(d.attentionGroups().size()), int(expected.size()));
        QCustomPlot* plot = d.plot(Dashboard::Plot::Attention);
        const auto bars = plottablesOf<QCPBars>(plot);
        QCOMPARE(int(bars.size()), 1); // one model: tiny
        int groups = 0;
        for (const AttentionGroup& g : expected) {
            if (g.grouping == QLatin1String("row"))
                continue;
            QCOMPARE(bars.front()->data()->at(groups)->value, 100.0 * g.marksInTop20.estimate);
            ++groups;
        }
        QCOMPARE(bars.front()->dataCount(), groups);
        QVERIFY(groups >= 1 + 2); // all images, at least a category and a source
        QCPGraph* game = graphNamed(plot,
            QStringLiteral("tiny: pointing game, %1 of %2 images")
                .arg(expected.front().pointing.successes)
                .arg(expected.front().pointing.trials));
        QVERIFY(game);
        QCOMPARE(game->data()->at(0)->value, 100.0 * expected.front().pointing.estimate);
        QVERIFY(saveTabsForReview(d, { Dashboard::Plot::Attention }, QStringLiteral("marks")));
    }

    void rendersReadably()
    {
        Dashboard d;
        d.resize(1100, 800);
        d.setAnalysis(m_analysis);
        d.show();
        QVERIFY(QTest::qWaitForWindowExposed(&d));
        auto* tabs = d.findChild<QTabWidget*>();
        QVERIFY(tabs);
        const QString out = qEnvironmentVariable("NTT_DASHBOARD_SHOTS", QDir::tempPath());
        for (int i = 0; i < tabs->count(); ++i) {
            tabs->setCurrentIndex(i);
            QCoreApplication::processEvents();
            const QPixmap shot = d.grab();
            QVERIFY(!shot.isNull());
            QVERIFY(shot.save(QDir(out).filePath(QStringLiteral("ntt_dashboard_%1.png").arg(i))));
        }
    }
};

QTEST_MAIN(Test_dashboard)
#include "tst_dashboard.moc"
