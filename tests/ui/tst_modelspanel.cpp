#include "analysis/objectrecognition.h"
#include "modelspanel.h"
#include "qcustomplot_wrapper.h"
#include "studydatabase.h"
#include "studyfile.h"
#include "trainingdialog.h"

#include <QDir>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QtTest>

using namespace ntt;

namespace {

// A study file with a small synthetic pool, a 2-way pick-real study and one scripted session, so the
// study has trials a model can answer.
struct StudyFixture
{
    QString path;
    qint64 studyId = 0;
};

Result<StudyFixture> makeStudy(const QString& folder)
{
    if (!QDir().mkpath(folder))
        return Error { QStringLiteral("cannot create %1").arg(folder) };
    const CancelToken cancel;
    DemoPoolOptions demo;
    demo.outputDir = QDir(folder).filePath(QStringLiteral("pool"));
    demo.imagesPerSourceAndCategory = 8;
    demo.size = 64;
    const auto pool = generateDemoPool(demo, cancel, {});
    if (!pool)
        return Error { pool.error() };

    StudyFixture fixture;
    fixture.path = QDir(folder).filePath(QStringLiteral("study.ntt"));
    auto db = StudyDatabase::open(fixture.path);
    if (!db)
        return Error { db.error() };
    ImportOptions import;
    import.location = pool->root;
    import.layout = PoolLayout::Tree;
    import.realSource = pool->sources.front();
    if (const auto imported = importPool(*db.value(), import, cancel, {}); !imported)
        return Error { imported.error() };

    StudyDefinition d;
    d.name = QStringLiteral("models panel test");
    d.trialType = TrialType::PickReal;
    d.ways = 2;
    d.matching = RowMatching::PairKey;
    d.trialsPerParticipant = 6;
    const auto created = createStudy(*db.value(), d, cancel, {});
    if (!created)
        return Error { created.error() };
    fixture.studyId = created->study.id;

    auto plan = startSession(*db.value(), fixture.studyId, QString(), QStringLiteral("station-1"), true);
    if (!plan)
        return Error { plan.error() };
    const auto run = runScriptedParticipant(*db.value(), plan.value(), ScriptedParticipant {});
    if (!run)
        return Error { run.error() };
    return fixture;
}

QString tinyTraced()
{
    return QStringLiteral(NTT_TEST_DATA_DIR "/torchscript/tiny_traced.pt");
}

int rowOf(const QTableWidget* table, const QString& model)
{
    for (int row = 0; row < table->rowCount(); ++row) {
        if (table->item(row, 0)->text() == model)
            return row;
    }
    return -1;
}

// A baseline CNN small and short enough to train in a second or two.
DetectorTraining tinyTraining(const QString& name)
{
    DetectorTraining training;
    training.name = name;
    training.options.architecture = DetectorArchitecture::BaselineCnn;
    training.options.inputSize = 32;
    training.options.epochs = 2;
    training.options.batchSize = 8;
    training.options.earlyStoppingPatience = 0;
    training.options.device = DevicePreference::Cpu;
    return training;
}

qint64 modelIdAt(const QTableWidget* table, int row)
{
    return table->item(row, 0)->data(Qt::UserRole).toLongLong();
}

// Screenshots for a person to look at, only when asked for: NTT_SCREENSHOT_DIR=/tmp
void saveScreenshot(QWidget* widget, const QString& name)
{
    const QString folder = qEnvironmentVariable("NTT_SCREENSHOT_DIR");
    if (folder.isEmpty())
        return;
    QCoreApplication::processEvents();
    widget->grab().save(QDir(folder).filePath(name));
}

} // namespace

class Test_modelspanel : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    int m_studies = 0;

    // Each test gets its own study: runs are resumable, so a model already run would skip everything.
    StudyFixture freshStudy()
    {
        auto fixture = makeStudy(m_dir.filePath(QStringLiteral("study-%1").arg(++m_studies)));
        if (!fixture)
            qFatal("cannot build the test study: %s", qPrintable(fixture.error()));
        return fixture.value();
    }

    // Adds the tiny traced model through the panel and returns its id.
    static qint64 addTinyModel(ModelsPanel& panel)
    {
        QSignalSpy changed(&panel, &ModelsPanel::modelsChanged);
        panel.addModelFile(tinyTraced(), QString());
        if (!changed.wait(60000))
            return 0;
        const int row = rowOf(panel.modelTable(), QStringLiteral("Tiny traced CNN"));
        return row < 0 ? 0 : modelIdAt(panel.modelTable(), row);
    }

private Q_SLOTS:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    void addAndRunTorchScriptModel()
    {
        const StudyFixture study = freshStudy();
        ModelsPanel panel;
        panel.resize(1000, 480);
        panel.show();
        panel.setStudy(study.path, study.studyId);
        QCOMPARE(panel.modelTable()->rowCount(), 0);
        QVERIFY(!panel.runButton()->isEnabled());

        const qint64 id = addTinyModel(panel);
        QVERIFY2(id > 0, qPrintable(panel.resultText()));
        QCOMPARE(panel.modelTable()->rowCount(), 1);
        const int row = rowOf(panel.modelTable(), QStringLiteral("Tiny traced CNN"));
        QCOMPARE(panel.modelTable()->item(row, 1)->text(), QStringLiteral("torchscript"));
        QVERIFY(panel.modelTable()->item(row, 4)->text().endsWith(QStringLiteral("tiny_traced.pt")));
        QVERIFY(panel.runButton()->isEnabled());

        QSignalSpy changed(&panel, &ModelsPanel::modelsChanged);
        QTest::mouseClick(panel.runButton(), Qt::LeftButton);
        QVERIFY(panel.isBusy());
        QVERIFY(!panel.runButton()->isEnabled());
        QVERIFY(changed.wait(60000));
        QVERIFY(!panel.isBusy());
        QVERIFY2(panel.resultText().contains(QStringLiteral("72 predicted")), qPrintable(panel.resultText()));
        QVERIFY2(panel.resultText().contains(QStringLiteral("0 failed")), qPrintable(panel.resultText()));
        QVERIFY2(panel.resultText().contains(QStringLiteral("answered 6 trial(s)")), qPrintable(panel.resultText()));
        QVERIFY2(panel.resultText().contains(QStringLiteral("LibTorch")), qPrintable(panel.resultText()));
        const QString trials = panel.modelTable()->item(row, 3)->text();
        QVERIFY2(trials.endsWith(QStringLiteral("% of 6")), qPrintable(trials));

        // A second run finds everything done: resumable, keyed by model and image hashes.
        panel.runModel(id);
        QVERIFY(changed.wait(60000));
        QVERIFY2(panel.resultText().contains(QStringLiteral("0 predicted, 72 already done")),
            qPrintable(panel.resultText()));
    }

    void runPausesWhileASessionRuns()
    {
        const StudyFixture study = freshStudy();
        ModelsPanel panel;
        panel.show();
        panel.setStudy(study.path, study.studyId);
        const qint64 id = addTinyModel(panel);
        QVERIFY(id > 0);

        panel.setSessionRunning(true);
        QVERIFY(!panel.runButton()->isEnabled());
        const auto labels = panel.findChildren<QLabel*>();
        QVERIFY(std::any_of(labels.begin(), labels.end(), [](const QLabel* l) {
            return l->isVisible() && l->text().startsWith(QStringLiteral("Paused: a participant session"));
        }));

        QSignalSpy changed(&panel, &ModelsPanel::modelsChanged);
        panel.runModel(id);
        QVERIFY(panel.isBusy());
        QTest::qWait(1500);
        QVERIFY(panel.isBusy());
        QCOMPARE(changed.count(), 0);
        saveScreenshot(&panel, QStringLiteral("modelspanel-paused.png"));

        panel.setSessionRunning(false);
        QVERIFY(changed.wait(60000));
        QVERIFY(!panel.isBusy());
        QVERIFY2(panel.resultText().contains(QStringLiteral("72 predicted")), qPrintable(panel.resultText()));
        QVERIFY(panel.runButton()->isEnabled());
    }

    void cancelKeepsWhatWasDoneAndResumes()
    {
        const StudyFixture study = freshStudy();
        ModelsPanel panel;
        panel.show();
        panel.setStudy(study.path, study.studyId);
        const qint64 id = addTinyModel(panel);
        QVERIFY(id > 0);
        const int row = rowOf(panel.modelTable(), QStringLiteral("Tiny traced CNN"));

        // Held by a session, so the cancel surely comes before the run ends.
        panel.setSessionRunning(true);
        QSignalSpy changed(&panel, &ModelsPanel::modelsChanged);
        panel.runModel(id);
        QVERIFY(panel.cancelButton()->isEnabled());
        QTest::qWait(200);
        QTest::mouseClick(panel.cancelButton(), Qt::LeftButton);
        QVERIFY(!panel.cancelButton()->isEnabled());
        QVERIFY(changed.wait(60000));
        QVERIFY(!panel.isBusy());
        QVERIFY2(panel.resultText().contains(QStringLiteral("cancelled")), qPrintable(panel.resultText()));
        QCOMPARE(panel.modelTable()->item(row, 3)->text(), QStringLiteral("–"));

        panel.setSessionRunning(false);
        panel.runModel(id);
        QVERIFY(changed.wait(60000));
        QVERIFY2(panel.resultText().contains(QStringLiteral("72 predicted")), qPrintable(panel.resultText()));
        QVERIFY(panel.modelTable()->item(row, 3)->text().endsWith(QStringLiteral("% of 6")));
    }

    void splitRatiosAreCheckedInline()
    {
        const StudyFixture study = freshStudy();
        TrainingDialog dialog(study.path, nullptr);
        DetectorTraining training;
        training.name = QStringLiteral("x");
        dialog.setOptions(training);
        QVERIFY(dialog.trainButton()->isEnabled());
        auto* ratios = dialog.findChild<QLineEdit*>(QStringLiteral("splitRatios"));
        QVERIFY(ratios);
        QCOMPARE(ratios->text(), QStringLiteral("8:1:1"));
        ratios->setText(QStringLiteral("8:1"));
        QVERIFY(!dialog.trainButton()->isEnabled());
        dialog.show();
        saveScreenshot(&dialog, QStringLiteral("trainingdialog-ratios.png"));
        auto* error = dialog.findChild<QLabel*>(QStringLiteral("splitRatiosError"));
        QVERIFY(error);
        QVERIFY(!error->text().isEmpty());
        ratios->setText(QStringLiteral("1:1:8"));
        QVERIFY(dialog.trainButton()->isEnabled());
        QVERIFY(error->text().isEmpty());
        QCOMPARE(dialog.options().ratios.test, 8.0);
    }

    // What the dialog learns and on which images reach the training request.
    void trainingTargetsReachTheRequest()
    {
        const StudyFixture study = freshStudy();
        TrainingDialog dialog(study.path, nullptr);
        DetectorTraining training;
        training.name = QStringLiteral("x");
        training.bySource = true;
        dialog.setOptions(training);
        QVERIFY(dialog.target() == TrainingTarget::Source);
        QVERIFY(dialog.options().bySource);
        QVERIFY(!dialog.options().byCategory);
        dialog.setTarget(TrainingTarget::Category);
        QVERIFY(dialog.options().byCategory);
        QVERIFY(!dialog.options().bySource);
        QCOMPARE(dialog.options().studyId, qint64(0)); // no study set: the originals
        dialog.setStudy(study.studyId, QStringLiteral("models panel test"));
        training.studyId = study.studyId;
        dialog.setOptions(training);
        QCOMPARE(dialog.options().studyId, study.studyId);
        training.studyId = 0;
        dialog.setOptions(training);
        QCOMPARE(dialog.options().studyId, qint64(0));
    }

    // The cross-generator matrix from the GUI: the Models tab's training dialog trains one detector per
    // generator, and the heat map on the Models tab holds what studydb computes.
    void crossGeneratorMatrixIsTrainedAndDrawn()
    {
        const StudyFixture study = freshStudy();
        ModelsPanel panel;
        panel.resize(1000, 700);
        panel.show();
        panel.setStudy(study.path, study.studyId);
        QTest::mouseClick(panel.trainButton(), Qt::LeftButton);
        TrainingDialog* dialog = panel.trainingDialog();
        QVERIFY(dialog);
        DetectorTraining training = tinyTraining(QStringLiteral("X"));
        training.ratios = SplitRatios { 4, 1, 1 };
        dialog->setOptions(training);
        dialog->setTarget(TrainingTarget::CrossGenerator);
        QSignalSpy ready(dialog, &TrainingDialog::crossGeneratorReady);
        QSignalSpy changed(&panel, &ModelsPanel::modelsChanged);
        dialog->startTraining();
        QVERIFY(dialog->isTraining());
        QVERIFY2(ready.wait(240000), qPrintable(dialog->statusText()));
        QVERIFY2(dialog->statusText().contains(QStringLiteral("2 detector(s)")), qPrintable(dialog->statusText()));
        QCOMPARE(changed.count(), 1);
        QVERIFY(rowOf(panel.modelTable(), QStringLiteral("X on checkerboard")) >= 0);
        QVERIFY(rowOf(panel.modelTable(), QStringLiteral("X on upsampler")) >= 0);
        QVERIFY2(
            panel.resultText().startsWith(QStringLiteral("Cross-generator matrix")), qPrintable(panel.resultText()));
        saveScreenshot(&panel, QStringLiteral("models-cross-generator.png"));
        saveScreenshot(dialog, QStringLiteral("trainingdialog-cross-generator.png"));

        // Computed again on the file, the detectors are reused and the cells are those drawn.
        auto db = StudyDatabase::open(study.path, StudyDatabase::OpenMode::ExistingOnly);
        QVERIFY(db.ok());
        CancelToken cancel;
        const auto expected = crossGeneratorMatrix(*db.value(), dialog->options(), 0.5, cancel, {});
        QVERIFY2(expected.ok(), qPrintable(expected.error()));
        QCOMPARE(int(db.value()->models()->size()), 2);
        const auto maps = panel.frequencyPlot()->findChildren<QCPColorMap*>();
        QCOMPARE(int(maps.size()), 1);
        QCPColorMapData* cells = maps.front()->data();
        QCOMPARE(cells->keySize(), 3); // real, checkerboard, upsampler
        QCOMPARE(cells->valueSize(), 2); // trained on checkerboard, upsampler
        for (int y = 0; y < 2; ++y) {
            for (int x = 0; x < 3; ++x) {
                const CrossGeneratorCell* c = expected->find(expected->generators[y], expected->sources[x]);
                QVERIFY(c);
                QCOMPARE(cells->cell(x, y), c->accuracy.estimate);
            }
        }
    }

    void trainDetectorWithLiveCurves()
    {
        const StudyFixture study = freshStudy();
        TrainingDialog dialog(study.path, nullptr);
        dialog.resize(1100, 720);
        dialog.show();
        DetectorTraining training = tinyTraining(QStringLiteral("tiny-baseline"));
        dialog.setOptions(training);
        const DetectorTraining read = dialog.options();
        QCOMPARE(read.name, training.name);
        QCOMPARE(read.options.inputSize, 32);
        QCOMPARE(read.options.epochs, 2);
        QCOMPARE(read.options.batchSize, 8);
        QCOMPARE(read.options.learningRate, training.options.learningRate);
        QCOMPARE(read.options.weightDecay, training.options.weightDecay);
        QCOMPARE(read.options.seed, training.options.seed);
        QVERIFY(read.options.device == DevicePreference::Cpu);

        QSignalSpy trained(&dialog, &TrainingDialog::trained);
        dialog.startTraining();
        QVERIFY(dialog.isTraining());
        QVERIFY2(trained.wait(120000), qPrintable(dialog.statusText()));
        QVERIFY(!dialog.isTraining());
        QVERIFY2(dialog.statusText().startsWith(QStringLiteral("Trained: best validation accuracy")),
            qPrintable(dialog.statusText()));
        QVERIFY(dialog.plot()->graph(0)->dataCount() > 0);
        QVERIFY(dialog.plot()->graph(1)->dataCount() >= 1);
        saveScreenshot(&dialog, QStringLiteral("trainingdialog.png"));

        const qint64 modelId = trained.takeFirst().at(0).toLongLong();
        {
            auto db = StudyDatabase::open(study.path, StudyDatabase::OpenMode::ExistingOnly);
            QVERIFY(db);
            const auto model = db.value()->model(modelId);
            QVERIFY2(model, qPrintable(model.error()));
            QCOMPARE(model->name, QStringLiteral("tiny-baseline"));
            QCOMPARE(model->spec.builtin, QStringLiteral("baseline-cnn"));
        }

        // The trained model in the panel: run it, and a TorchScript model beside it.
        ModelsPanel panel;
        panel.resize(1000, 480);
        panel.show();
        panel.setStudy(study.path, study.studyId);
        const int row = rowOf(panel.modelTable(), QStringLiteral("tiny-baseline"));
        QVERIFY(row >= 0);
        QCOMPARE(panel.modelTable()->item(row, 1)->text(), QStringLiteral("baseline-cnn"));
        QSignalSpy changed(&panel, &ModelsPanel::modelsChanged);
        panel.runModel(modelId);
        QVERIFY(changed.wait(60000));
        QVERIFY2(panel.resultText().contains(QStringLiteral("predicted")), qPrintable(panel.resultText()));
        // The pool now has a test split (training made the splits), so the test accuracy shows.
        const int after = rowOf(panel.modelTable(), QStringLiteral("tiny-baseline"));
        QVERIFY2(panel.modelTable()->item(after, 2)->text().contains(QStringLiteral("% of")),
            qPrintable(panel.modelTable()->item(after, 2)->text()));
        QVERIFY(panel.modelTable()->item(after, 3)->text().endsWith(QStringLiteral("% of 6")));

        const qint64 tiny = addTinyModel(panel);
        QVERIFY(tiny > 0);
        panel.runModel(tiny);
        QVERIFY(changed.wait(60000));
        QCOMPARE(panel.modelTable()->rowCount(), 2);
        saveScreenshot(&panel, QStringLiteral("modelspanel.png"));
    }

    // The frequency analysis on the Models tab: the plot holds what core computes.
    void frequencyAnalysisIsPlotted()
    {
        const StudyFixture study = freshStudy();
        ModelsPanel panel;
        panel.resize(1000, 700);
        panel.show();
        panel.setStudy(study.path, study.studyId);
        const qint64 id = addTinyModel(panel);
        QVERIFY2(id > 0, qPrintable(panel.resultText()));
        QVERIFY(!panel.frequencyPlot()->isVisible());
        panel.modelTable()->selectRow(rowOf(panel.modelTable(), QStringLiteral("Tiny traced CNN")));
        QVERIFY(panel.frequencyButton()->isEnabled());
        QSignalSpy done(&panel, &ModelsPanel::frequencyAnalysed);
        QTest::mouseClick(panel.frequencyButton(), Qt::LeftButton);
        QVERIFY(done.wait(120000));
        QVERIFY2(panel.resultText().contains(QStringLiteral("frequency analysis of")), qPrintable(panel.resultText()));
        QVERIFY(panel.frequencyPlot()->isVisible());
        saveScreenshot(&panel, QStringLiteral("models-frequency.png"));

        auto db = StudyDatabase::open(study.path, StudyDatabase::OpenMode::ExistingOnly);
        QVERIFY(db.ok());
        CancelToken cancel;
        const auto pool = db.value()->poolImages().value();
        PoolSelection selection;
        if (std::any_of(pool.begin(), pool.end(), [](const PoolImage& i) { return i.split == Split::Test; }))
            selection.splits = { splitName(Split::Test) };
        const auto expected
            = evaluateOnFrequencies(*db.value(), id, selection, { 10, 30, 50, 100 }, ModelRunOptions {}, cancel, {});
        QVERIFY2(expected.ok(), qPrintable(expected.error()));
        QCustomPlot* plot = panel.frequencyPlot();
        QCOMPARE(plot->graphCount(), 4); // low-pass, high-pass, band-pass, as they are
        QCOMPARE(plot->graph(0)->dataCount(), 4);
        QCOMPARE(plot->graph(2)->dataCount(), 3);
        QCOMPARE(plot->graph(0)->data()->at(1)->key, 30.0);
        QCOMPARE(plot->graph(0)->data()->at(1)->value, 100.0 * expected->at(2).accuracy.estimate); // low-pass 30
        QCOMPARE(plot->graph(3)->data()->at(0)->value, 100.0 * expected->front().accuracy.estimate);
    }

    // Object recognition on the Models tab: a category classifier's top-1 and top-5 per category, as
    // core computes them from its stored predictions; another kind of model is told why not.
    void recognitionPerCategoryIsPlotted()
    {
        const StudyFixture study = freshStudy();
        qint64 categoryModel = 0;
        {
            auto db = StudyDatabase::open(study.path, StudyDatabase::OpenMode::ExistingOnly);
            QVERIFY(db.ok());
            DetectorTraining training;
            training.name = QStringLiteral("shapes");
            training.byCategory = true;
            training.options.epochs = 2;
            training.options.inputSize = 32;
            training.options.device = DevicePreference::Cpu;
            CancelToken cancel;
            const auto trained = trainDetectorOnPool(*db.value(), training, cancel, {});
            QVERIFY2(trained.ok(), qPrintable(trained.error()));
            categoryModel = trained->model.id;
            QVERIFY(runModelOnPool(*db.value(), categoryModel, PoolSelection {}, ModelRunOptions {}, cancel, {}).ok());
        }
        ModelsPanel panel;
        panel.resize(1000, 700);
        panel.show();
        panel.setStudy(study.path, study.studyId);
        panel.modelTable()->selectRow(rowOf(panel.modelTable(), QStringLiteral("shapes")));
        QVERIFY(panel.recognitionButton()->isEnabled());
        QSignalSpy shown(&panel, &ModelsPanel::recognitionShown);
        QTest::mouseClick(panel.recognitionButton(), Qt::LeftButton);
        QVERIFY(shown.wait(60000));
        QVERIFY2(panel.resultText().contains(QStringLiteral("top-1 and top-5")), qPrintable(panel.resultText()));
        saveScreenshot(&panel, QStringLiteral("models-recognition.png"));

        auto db = StudyDatabase::open(study.path, StudyDatabase::OpenMode::ExistingOnly);
        const auto stored = db.value()->model(categoryModel).value();
        const auto expected = recognitionByCategory(db.value()->predictionRows(0, categoryModel).value(), stored.spec);
        QCOMPARE(int(expected.size()), 3);
        const auto bars = panel.frequencyPlot()->findChildren<QCPBars*>();
        QCOMPARE(int(bars.size()), 2);
        for (QCPBars* b : bars) {
            const bool top5 = b->name() == QLatin1String("top-5");
            for (int i = 0; i < 3; ++i)
                QCOMPARE(b->data()->at(i)->value,
                    100.0 * (top5 ? expected[std::size_t(i)].top5 : expected[std::size_t(i)].top1).estimate);
        }

        // A detector is not a category classifier: said, in the panel's words.
        const qint64 tiny = addTinyModel(panel);
        QVERIFY(tiny > 0);
        panel.showRecognition(tiny);
        QVERIFY(shown.wait(60000));
        QVERIFY2(
            panel.resultText().contains(QStringLiteral("not a category classifier")), qPrintable(panel.resultText()));
    }

    // Contamination on the Models tab: the estimate studydb makes, its text, and the histogram.
    void contaminationOfAFolderIsEstimated()
    {
        const StudyFixture study = freshStudy();
        ModelsPanel panel;
        panel.resize(1000, 700);
        panel.show();
        panel.setStudy(study.path, study.studyId);
        const qint64 id = addTinyModel(panel);
        QVERIFY(id > 0);
        // The pool gets splits, and the model its predictions on the test split.
        QString folder = m_dir.filePath(QStringLiteral("scraped"));
        {
            auto db = StudyDatabase::open(study.path, StudyDatabase::OpenMode::ExistingOnly);
            QVERIFY(db.ok());
            auto images = db.value()->poolImages().value();
            QVERIFY(db.value()->setImageSplits(makeSplits(images, SplitRatios { 6, 2, 2 }, 3)).ok());
            CancelToken cancel;
            QVERIFY(runModelOnPool(*db.value(), id, PoolSelection {}, ModelRunOptions {}, cancel, {}).ok());
            QVERIFY(QDir().mkpath(folder));
            for (std::size_t i = 0; i < 6; ++i)
                QVERIFY(QFile::copy(images[i * 5].path, QStringLiteral("%1/%2.png").arg(folder).arg(i)));
        }
        QSignalSpy done(&panel, &ModelsPanel::contaminationEstimated);
        panel.estimateContaminationOf(id, folder);
        QVERIFY(done.wait(60000));
        QVERIFY2(
            panel.resultText().contains(QStringLiteral("image(s) called generated")), qPrintable(panel.resultText()));
        saveScreenshot(&panel, QStringLiteral("models-contamination.png"));

        auto db = StudyDatabase::open(study.path, StudyDatabase::OpenMode::ExistingOnly);
        PoolSelection test;
        test.splits = { splitName(Split::Test) };
        CancelToken cancel;
        const auto expected
            = estimateFolderContamination(*db.value(), id, folder, test, ModelRunOptions {}, cancel, {});
        QVERIFY2(expected.ok(), qPrintable(expected.error()));
        QVERIFY2(panel.resultText().contains(QStringLiteral("%1 of 6 image(s)").arg(expected->estimate.flagged)),
            qPrintable(panel.resultText()));
        const auto bars = panel.frequencyPlot()->findChildren<QCPBars*>();
        QCOMPARE(int(bars.size()), 1);
        double total = 0;
        for (int b = 0; b < bars.front()->data()->size(); ++b)
            total += bars.front()->data()->at(b)->value;
        QCOMPARE(total, 6.0);
    }
};

QTEST_MAIN(Test_modelspanel)
#include "tst_modelspanel.moc"
