#include "../common/demostudyfile.h"
#include "../common/runntt.h"
#include "analysis/pooldetection.h"
#include "demo/demo.h"
#include "studyfile.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>

using namespace ntt;

// Models answer the very trials people answered: runs store per-image outputs keyed by model and
// image hash, skip what is done, survive a broken image, and export in the responses' columns.
class Test_modelrun : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    std::unique_ptr<StudyDatabase> m_db;
    qint64 m_studyId = 0;
    const QString m_fixtures = QStringLiteral(NTT_TEST_DATA_DIR "/torchscript");

    QString copyFixture(const QString& name, const QString& as)
    {
        const QString target = m_dir.filePath(as);
        QFile::remove(target);
        QFile::copy(m_fixtures + QLatin1Char('/') + name + QStringLiteral(".pt"), target);
        QFile::remove(m_dir.filePath(QFileInfo(as).completeBaseName() + QStringLiteral(".json")));
        QFile::copy(m_fixtures + QLatin1Char('/') + name + QStringLiteral(".json"),
            m_dir.filePath(QFileInfo(as).completeBaseName() + QStringLiteral(".json")));
        return target;
    }

private Q_SLOTS:
    void initTestCase()
    {
        CancelToken cancel;
        DemoPoolOptions demo;
        demo.outputDir = m_dir.filePath(QStringLiteral("pool"));
        demo.imagesPerSourceAndCategory = 6;
        demo.size = 48;
        const auto pool = generateDemoPool(demo, cancel, {});
        QVERIFY2(pool.ok(), qPrintable(pool.error()));
        auto db = StudyDatabase::open(m_dir.filePath(QStringLiteral("models.ntt")));
        QVERIFY(db.ok());
        m_db = std::move(db).value();
        ImportOptions import;
        import.location = pool->root;
        QVERIFY(importPool(*m_db, import, cancel, {}).ok());
        StudyDefinition d;
        d.name = QStringLiteral("models");
        d.ways = 3;
        d.trialsPerParticipant = 8;
        const auto study = createStudy(*m_db, d, cancel, {});
        QVERIFY2(study.ok(), qPrintable(study.error()));
        m_studyId = study->study.id;
        for (int i = 0; i < 2; ++i) {
            auto plan = startSession(*m_db, m_studyId, QString(), QString(), true);
            QVERIFY(plan.ok());
            QVERIFY(runScriptedParticipant(*m_db, plan.value(), ScriptedParticipant {}).ok());
        }
    }

    void addingAModelChecksAndNamesIt()
    {
        const auto added
            = addModel(*m_db, copyFixture(QStringLiteral("tiny_traced"), QStringLiteral("traced.pt")), QString());
        QVERIFY2(added.ok(), qPrintable(added.error()));
        QCOMPARE(added->model.name, QStringLiteral("Tiny traced CNN"));
        const auto again = addModel(*m_db, m_dir.filePath(QStringLiteral("traced.pt")), QString());
        QVERIFY(again.ok());
        QCOMPARE(again->model.id, added->model.id);
        // Another file under a taken name is refused: the name must say which model answered.
        const auto other = addModel(*m_db, copyFixture(QStringLiteral("tiny_scripted"), QStringLiteral("scripted.pt")),
            QStringLiteral("Tiny traced CNN"));
        QVERIFY(!other.ok());
        QVERIFY2(other.error().contains(QStringLiteral("already registered")), qPrintable(other.error()));
        const auto notModel = addModel(*m_db, m_fixtures + QStringLiteral("/not_a_model.pt"), QStringLiteral("x"));
        QVERIFY(!notModel.ok());
        QVERIFY2(notModel.error().contains(QStringLiteral("not_a_model.pt")), qPrintable(notModel.error()));
    }

    void runsAreStoredSkippedAndAnswerEveryTrial()
    {
        const auto model = m_db->modelByName(QStringLiteral("Tiny traced CNN"));
        QVERIFY(model.ok());
        CancelToken cancel;
        const auto first = runModelOnStudy(*m_db, m_studyId, model->id, ModelRunOptions {}, cancel, {});
        QVERIFY2(first.ok(), qPrintable(first.error()));
        const int images = int(m_db->studyImages(m_studyId)->size());
        QCOMPARE(first->predicted, images);
        QCOMPARE(first->failed, 0);
        QCOMPARE(first->runtime.device, QStringLiteral("cpu"));
        const int trials = int(m_db->studyTrials(m_studyId)->size());
        QCOMPARE(first->answers, trials);

        const auto second = runModelOnStudy(*m_db, m_studyId, model->id, ModelRunOptions {}, cancel, {});
        QVERIFY(second.ok());
        QCOMPARE(second->predicted, 0);
        QCOMPARE(second->skipped, images);

        // Each answer is the position with the highest stored P(real).
        QHash<qint64, float> pReal;
        for (const PredictionRow& p : m_db->predictionRows(m_studyId, model->id).value())
            pReal.insert(p.image.id, p.pReal);
        QCOMPARE(pReal.size(), images);
        const auto answers = m_db->modelAnswerRows(m_studyId);
        QVERIFY(answers.ok());
        QCOMPARE(int(answers->size()), trials);
        for (const ResponseRow& a : answers.value()) {
            QCOMPARE(a.agent, model->name);
            int best = 0;
            for (int p = 1; p < a.trial.ways(); ++p) {
                if (pReal.value(a.trial.imageIds[p]) > pReal.value(a.trial.imageIds[best]))
                    best = p;
            }
            QCOMPARE(a.response.answer, best);
            QCOMPARE(a.response.correct, a.shown[best].source == QLatin1String("real"));
        }
    }

    // A stimulus changed after the study was made stops the run before anything is predicted, naming
    // the file; one changed behind the check's back (same size and time stamp) is caught by the hash
    // of the bytes the model reads, fails alone, and the command line exits 1 naming it.
    void aChangedStimulusIsNamedAndRetriedLater()
    {
        const auto added
            = addModel(*m_db, copyFixture(QStringLiteral("tiny_scripted"), QStringLiteral("scripted.pt")), QString());
        QVERIFY2(added.ok(), qPrintable(added.error()));
        const auto images = m_db->studyImages(m_studyId).value();
        const QString victim = images[3].path;
        QFile f(victim);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray original = f.readAll();
        f.close();
        QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
        f.write(original.left(original.size() / 3));
        f.close();

        CancelToken cancel;
        const auto stopped = runModelOnStudy(*m_db, m_studyId, added->model.id, ModelRunOptions {}, cancel, {});
        QVERIFY(!stopped.ok());
        QVERIFY2(stopped.error().contains(QFileInfo(victim).fileName())
                && stopped.error().contains(QStringLiteral("changed since the study was made")),
            qPrintable(stopped.error()));
        QVERIFY(m_db->predictedImageHashes(added->model.sha256)->isEmpty());

        // Restored, the run goes; then the same size and time stamp with other bytes.
        QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
        f.write(original);
        f.close();
        QVERIFY(checkStudyStimuli(*m_db, m_studyId, cancel, {}).ok()); // records size and time stamp
        const QDateTime stamp = QFileInfo(victim).lastModified();
        QByteArray forged = original;
        for (qsizetype i = forged.size() / 2; i < forged.size() / 2 + 64; ++i)
            forged[i] = char(forged[i] ^ 0x5A);
        QVERIFY(f.open(QIODevice::ReadWrite));
        f.write(forged);
        QVERIFY(f.flush());
        QVERIFY(f.setFileTime(stamp, QFileDevice::FileModificationTime));
        f.close();
        QCOMPARE(QFileInfo(victim).lastModified(), stamp);

        const auto run = runModelOnStudy(*m_db, m_studyId, added->model.id, ModelRunOptions {}, cancel, {});
        QVERIFY2(run.ok(), qPrintable(run.error()));
        QCOMPARE(run->failed, 1);
        QCOMPARE(run->predicted, int(images.size()) - 1);
        QVERIFY2(run->errors.first().contains(QFileInfo(victim).fileName())
                && run->errors.first().contains(QStringLiteral("changed since the study was made")),
            qPrintable(run->errors.first()));
        const testing::NttRun cli
            = testing::runNtt({ QStringLiteral("model"), QStringLiteral("run"), QStringLiteral("--db"), m_db->path(),
                QStringLiteral("--model"), added->model.name, QStringLiteral("--cpu") });
        QCOMPARE(cli.code, 1);
        QVERIFY2(cli.err.contains(QFileInfo(victim).fileName()) && cli.err.contains(QStringLiteral("1 of ")),
            qPrintable(cli.err));

        QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
        f.write(original);
        f.close();
        const auto retry = runModelOnStudy(*m_db, m_studyId, added->model.id, ModelRunOptions {}, cancel, {});
        QVERIFY2(retry.ok(), qPrintable(retry.error()));
        QCOMPARE(retry->predicted, 1);
        QCOMPARE(retry->skipped, int(images.size()) - 1);
    }

    void aModelWithTheWrongOutputIsRefusedAndARunKeepsWhatIsStored()
    {
        const auto refused
            = addModel(*m_db, copyFixture(QStringLiteral("wrong_shape"), QStringLiteral("wrong.pt")), QString());
        QVERIFY(!refused.ok());
        QVERIFY2(
            refused.error().contains(QStringLiteral("wrong.pt")) && refused.error().contains(QStringLiteral("[1, 5]")),
            qPrintable(refused.error()));

        // A sidecar edited after the model was added: the run fails, naming the file, and stores nothing.
        const int before = int(m_db->predictionRows(m_studyId, 0)->size());
        // (A model no run has used yet: runs skip what a model of the same hash already predicted.)
        const QString path = copyFixture(QStringLiteral("nan_model"), QStringLiteral("edited.pt"));
        const auto added = addModel(*m_db, path, QStringLiteral("edited"));
        QVERIFY2(added.ok(), qPrintable(added.error()));
        QFile sidecar(m_dir.filePath(QStringLiteral("edited.json")));
        QVERIFY(sidecar.open(QIODevice::WriteOnly | QIODevice::Truncate));
        sidecar.write(R"({"input": {"size": 32}, "output": "source-classes", "classes": ["real", "a", "b"]})");
        sidecar.close();
        CancelToken cancel;
        const auto run = runModelOnStudy(*m_db, m_studyId, added->model.id, ModelRunOptions {}, cancel, {});
        QVERIFY(!run.ok());
        QVERIFY2(run.error().contains(QStringLiteral("edited.pt")), qPrintable(run.error()));
        QCOMPARE(int(m_db->predictionRows(m_studyId, 0)->size()), before);
    }

    // Models as users export them: found at `model add`, refused with what to do or run the way
    // they can be run.
    void aModelTracedForOneImageRunsOneAtATime()
    {
        const auto added
            = addModel(*m_db, copyFixture(QStringLiteral("batch_one"), QStringLiteral("batch_one.pt")), QString());
        QVERIFY2(added.ok(), qPrintable(added.error()));
        QCOMPARE(added->model.spec.maxBatch, 1);
        QVERIFY2(added->warnings.join(u'\n').contains(QStringLiteral("cannot take a batch of 4 images")),
            qPrintable(added->warnings.join(u'\n')));
        QVERIFY2(added->warnings.join(u'\n').contains(QStringLiteral("mat1 and mat2")),
            qPrintable(added->warnings.join(u'\n')));
        CancelToken cancel;
        ModelRunOptions options;
        options.batchSize = 8;
        const auto run = runModelOnStudy(*m_db, m_studyId, added->model.id, options, cancel, {});
        QVERIFY2(run.ok(), qPrintable(run.error()));
        QCOMPARE(run->failed, 0);
        QVERIFY(run->predicted > 0);
    }

    void aDictOutputIsNamedAndSelectedByTheSidecar()
    {
        const QString path = copyFixture(QStringLiteral("dict_output"), QStringLiteral("dict_output.pt"));
        const auto refused = addModel(*m_db, path, QString());
        QVERIFY(!refused.ok());
        for (const QString& part : { QStringLiteral("returns a dict"), QStringLiteral("logits: tensor [1, 1]"),
                 QStringLiteral("features: tensor [1, 3]"), QStringLiteral("\"output_key\"") })
            QVERIFY2(refused.error().contains(part), qPrintable(refused.error()));

        QFile sidecar(m_dir.filePath(QStringLiteral("dict_output.json")));
        QVERIFY(sidecar.open(QIODevice::WriteOnly | QIODevice::Truncate));
        sidecar.write(R"({"input": {"size": 32}, "output": "logit-generated", "output_key": "logits"})");
        sidecar.close();
        const auto added = addModel(*m_db, path, QStringLiteral("dict"));
        QVERIFY2(added.ok(), qPrintable(added.error()));
        QCOMPARE(added->model.spec.outputKey, QStringLiteral("logits"));
        QCOMPARE(added->model.spec.maxBatch, 0);
    }

    void aTupleOutputSaysWhichElementIsTaken()
    {
        const auto added
            = addModel(*m_db, copyFixture(QStringLiteral("nan_model"), QStringLiteral("tuple.pt")), QString());
        QVERIFY2(added.ok(), qPrintable(added.error()));
        QVERIFY2(added->warnings.join(u'\n').contains(QStringLiteral("returns a tuple (tensor")),
            qPrintable(added->warnings.join(u'\n')));
        QVERIFY2(added->warnings.join(u'\n').contains(QStringLiteral("output_index")),
            qPrintable(added->warnings.join(u'\n')));
    }

    void trainingModeLayersAreFound()
    {
        const auto dropout
            = addModel(*m_db, copyFixture(QStringLiteral("dropout_train"), QStringLiteral("dropout.pt")), QString());
        QVERIFY(!dropout.ok());
        QVERIFY2(dropout.error().contains(QStringLiteral("other outputs for the same images in two runs"))
                && dropout.error().contains(QStringLiteral("dropout.pt")),
            qPrintable(dropout.error()));

        const auto batchNorm = addModel(
            *m_db, copyFixture(QStringLiteral("batchnorm_train"), QStringLiteral("batchnorm.pt")), QString());
        QVERIFY2(batchNorm.ok(), qPrintable(batchNorm.error()));
        QCOMPARE(batchNorm->model.spec.maxBatch, 1);
        QVERIFY2(batchNorm->warnings.join(u'\n').contains(QStringLiteral("change with the other images")),
            qPrintable(batchNorm->warnings.join(u'\n')));
    }

    void aChangedModelFileIsRefused()
    {
        const QString path = copyFixture(QStringLiteral("tiny_traced"), QStringLiteral("changing.pt"));
        const auto added = addModel(*m_db, path, QStringLiteral("changing"));
        QVERIFY(added.ok());
        copyFixture(QStringLiteral("tiny_scripted"), QStringLiteral("changing.pt"));
        CancelToken cancel;
        const auto run = runModelOnStudy(*m_db, m_studyId, added->model.id, ModelRunOptions {}, cancel, {});
        QVERIFY(!run.ok());
        QVERIFY2(run.error().contains(QStringLiteral("changed since it was added")), qPrintable(run.error()));
    }

    void modelAnswersShareTheResponsesColumns()
    {
        const QString answers = m_dir.filePath(QStringLiteral("answers.csv"));
        const QString responses = m_dir.filePath(QStringLiteral("responses.csv"));
        const QString predictions = m_dir.filePath(QStringLiteral("predictions.csv"));
        QVERIFY(exportModelAnswers(*m_db, m_studyId, answers).ok());
        QVERIFY(exportResponses(*m_db, m_studyId, responses).ok());
        const auto written = exportPredictions(*m_db, m_studyId, predictions);
        QVERIFY(written.ok());
        QVERIFY(written.value() > 0);
        auto lines = [](const QString& path) {
            QFile f(path);
            f.open(QIODevice::ReadOnly);
            return QString::fromUtf8(f.readAll()).split(QStringLiteral("\r\n"), Qt::SkipEmptyParts);
        };
        const QStringList a = lines(answers);
        const QStringList r = lines(responses);
        QCOMPARE(a.first(), r.first());
        const QStringList header = a.first().split(QLatin1Char(','));
        const QStringList row = a.at(1).split(QLatin1Char(','));
        QCOMPARE(row[header.indexOf(QStringLiteral("agent"))], QStringLiteral("Tiny traced CNN"));
        QCOMPARE(row[header.indexOf(QStringLiteral("rt_ms"))], QString());
        const QStringList p = lines(predictions);
        QVERIFY(p.first().startsWith(QStringLiteral("model,model_sha256,image_id")));
        // Every column holds its own value: P(real) as stored, the label it gives, the time, no error.
        const QStringList columns = p.first().split(QLatin1Char(','));
        int checked = 0;
        for (const QString& line : p.mid(1)) {
            // (Only the single-logit model's rows: the others quote class probabilities holding commas.)
            if (!line.startsWith(QLatin1String("Tiny traced CNN,")))
                continue;
            const QStringList cells = line.split(QLatin1Char(','));
            QCOMPARE(cells.size(), columns.size());
            bool ok = false;
            const double pReal = cells[columns.indexOf(QStringLiteral("p_real"))].toDouble(&ok);
            QVERIFY2(ok && pReal >= 0.0 && pReal <= 1.0, qPrintable(line));
            const auto stored = m_db->predictedPReal(cells[columns.indexOf(QStringLiteral("model_sha256"))],
                cells[columns.indexOf(QStringLiteral("image_sha256"))]);
            QVERIFY2(stored.ok() && stored->has_value(), qPrintable(line));
            QVERIFY(std::abs(double(*stored.value()) - pReal) < 1e-6);
            QCOMPARE(cells[columns.indexOf(QStringLiteral("predicted"))],
                pReal >= 0.5 ? QStringLiteral("real") : QStringLiteral("generated"));
            cells[columns.indexOf(QStringLiteral("ms"))].toDouble(&ok);
            QVERIFY2(ok, qPrintable(line));
            QCOMPARE(cells[columns.indexOf(QStringLiteral("error"))], QString());
            ++checked;
        }
        QVERIFY(checked > 0);
    }

    // A model evaluated on pool images with no study: a selection of sources and splits, stored
    // like a study's predictions and skipped the next time; the command line prints how it sorts
    // each source, with Wilson intervals.
    void aModelRunsOnThePoolWithoutAStudy()
    {
        CancelToken cancel;
        QTemporaryDir dir;
        auto made = testing::demoStudyFile(dir.path(), 3, 48, {}, QStringLiteral("tiny_scripted"));
        QVERIFY2(made.ok(), qPrintable(made.error()));
        const QString file = made->path;
        auto db = Result<std::unique_ptr<StudyDatabase>>(std::move(made->db));
        const auto added = db.value()->model(made->modelId);
        QVERIFY(added.ok());
        const auto images = db.value()->poolImages().value();
        const QString generator = images.back().source;

        PoolSelection selection;
        selection.sources = { QStringLiteral("real"), generator };
        int expected = 0;
        for (const PoolImage& image : images)
            expected += selection.contains(image) ? 1 : 0;
        QVERIFY(expected > 0 && expected < int(images.size()));
        const auto run = runModelOnPool(*db.value(), added->id, selection, ModelRunOptions {}, cancel, {});
        QVERIFY2(run.ok(), qPrintable(run.error()));
        QCOMPARE(run->predicted, expected);
        QCOMPARE(run->failed, 0);
        const auto again = runModelOnPool(*db.value(), added->id, selection, ModelRunOptions {}, cancel, {});
        QVERIFY(again.ok());
        QCOMPARE(again->predicted, 0);
        QCOMPARE(again->skipped, expected);
        PoolSelection nothing;
        nothing.categories = { QStringLiteral("no such category") };
        const auto none = runModelOnPool(*db.value(), added->id, nothing, ModelRunOptions {}, cancel, {});
        QVERIFY(!none.ok());
        QVERIFY2(none.error().contains(QStringLiteral("categories no such category")), qPrintable(none.error()));

        // The per-source table counts what the stored P(real) says at the threshold.
        const auto rows = db.value()->predictionRows(0, added->id);
        QCOMPARE(int(rows->size()), expected);
        const auto table = detectionBySource(rows.value(), QStringLiteral("real"), 0.5);
        QCOMPARE(int(table.size()), 2);
        QCOMPARE(table.front().source, QStringLiteral("real"));
        for (const SourceDetection& d : table) {
            int right = 0;
            for (const PredictionRow& r : rows.value())
                if (r.image.source == d.source)
                    right += (r.pReal >= 0.5f) == d.real ? 1 : 0;
            QCOMPARE(d.accuracy.successes, right);
            QCOMPARE(d.images, expected / 2);
        }
        db.value().reset();

        const testing::NttRun cli = testing::runNtt({ QStringLiteral("model"), QStringLiteral("run"),
            QStringLiteral("--db"), file, QStringLiteral("--model"), added->name, QStringLiteral("--pool"),
            QStringLiteral("--source"), QStringLiteral("real,%1").arg(generator) });
        QVERIFY2(cli.code == 0, qPrintable(cli.err));
        QVERIFY2(cli.out.contains(QStringLiteral("0 predicted, %1 already done").arg(expected))
                && cli.out.contains(QStringLiteral("real (real)\t%1\t").arg(expected / 2)),
            qPrintable(cli.out));
        const QString csvPath = dir.filePath(QStringLiteral("pool-evaluation.csv"));
        const testing::NttRun exported = testing::runNtt({ QStringLiteral("export"), QStringLiteral("--db"), file,
            QStringLiteral("--what"), QStringLiteral("pool-evaluation"), QStringLiteral("--model"), added->name,
            QStringLiteral("--out"), csvPath });
        QVERIFY2(exported.code == 0, qPrintable(exported.err));
        QFile csv(csvPath);
        QVERIFY(csv.open(QIODevice::ReadOnly));
        const QStringList lines = QString::fromUtf8(csv.readAll()).split(QStringLiteral("\r\n"), Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 3);
        QCOMPARE(lines[0],
            QStringLiteral("model,source,is_real,images,mean_p_real,threshold,called_right,ci95_low,ci95_high"));
        const QStringList real = lines[1].split(QLatin1Char(','));
        QCOMPARE(real[1], QStringLiteral("real"));
        QCOMPARE(real[2], QStringLiteral("1"));
        QCOMPARE(real[3].toInt(), table.front().images);
        QCOMPARE(real[6].toDouble(), table.front().accuracy.estimate);
        QCOMPARE(real[7].toDouble(), table.front().accuracy.low);
        csv.close();

        // --excel: the same bytes after the UTF-8 byte-order mark; refused for a Psych-DS dataset.
        const QString excelPath = dir.filePath(QStringLiteral("pool-evaluation-excel.csv"));
        const testing::NttRun forExcel = testing::runNtt({ QStringLiteral("export"), QStringLiteral("--db"), file,
            QStringLiteral("--what"), QStringLiteral("pool-evaluation"), QStringLiteral("--model"), added->name,
            QStringLiteral("--out"), excelPath, QStringLiteral("--excel") });
        QVERIFY2(forExcel.code == 0, qPrintable(forExcel.err));
        QFile plainFile(csvPath);
        QFile excelFile(excelPath);
        QVERIFY(plainFile.open(QIODevice::ReadOnly) && excelFile.open(QIODevice::ReadOnly));
        QCOMPARE(excelFile.readAll(), QByteArray("\xEF\xBB\xBF") + plainFile.readAll());
        const testing::NttRun psychDs = testing::runNtt({ QStringLiteral("export"), QStringLiteral("--db"), file,
            QStringLiteral("--what"), QStringLiteral("psych-ds"), QStringLiteral("--out"),
            dir.filePath(QStringLiteral("ds")), QStringLiteral("--excel") });
        QCOMPARE(psychDs.code, 2);
        QVERIFY2(psychDs.err.contains(QStringLiteral("plain UTF-8")), qPrintable(psychDs.err));

        const testing::NttRun badSplit = testing::runNtt(
            { QStringLiteral("model"), QStringLiteral("run"), QStringLiteral("--db"), file, QStringLiteral("--model"),
                added->name, QStringLiteral("--pool"), QStringLiteral("--split"), QStringLiteral("holdout") });
        QCOMPARE(badSplit.code, 2);
        QVERIFY2(badSplit.err.contains(QStringLiteral("--split \"holdout\"")), qPrintable(badSplit.err));
    }

    // A folder of supposedly real images judged for contamination, and a model judged on filtered
    // copies of the pool: counts checked against the model's own P(real) on each file.
    void contaminationAndFrequencyAnalysis()
    {
        CancelToken cancel;
        QTemporaryDir dir;
        auto made = testing::demoStudyFile(dir.path(), 3, 48, {}, QStringLiteral("tiny_scripted"));
        QVERIFY2(made.ok(), qPrintable(made.error()));
        StudyDatabase& db = *made->db;
        const auto images = db.poolImages().value();
        // Without predictions on labelled pool images, the error rates are unknown: refused, saying what to run.
        const QString folder = dir.filePath(QStringLiteral("scraped"));
        QVERIFY(QDir().mkpath(folder + QStringLiteral("/__MACOSX")));
        PoolSelection all;
        const auto refused
            = estimateFolderContamination(db, made->modelId, folder, all, ModelRunOptions {}, cancel, {});
        QVERIFY(!refused.ok());
        QVERIFY2(refused.error().contains(QLatin1String("ntt model run --pool")), qPrintable(refused.error()));
        QVERIFY(runModelOnPool(db, made->modelId, all, ModelRunOptions {}, cancel, {}).ok());

        // Five real and three generated files, macOS litter, a README and a broken file.
        int copied = 0;
        for (const PoolImage& image : images) {
            const bool real = image.source == QLatin1String("real");
            if ((real && copied < 5) || (!real && copied >= 5 && copied < 8)) {
                QVERIFY(QFile::copy(image.path, QStringLiteral("%1/%2.png").arg(folder).arg(copied)));
                ++copied;
            }
        }
        QCOMPARE(copied, 8);
        QVERIFY(QFile::copy(images.front().path, folder + QStringLiteral("/__MACOSX/._0.png")));
        QFile readme(folder + QStringLiteral("/README.txt"));
        QVERIFY(readme.open(QIODevice::WriteOnly) && readme.write("notes") > 0);
        readme.close();
        QFile broken(folder + QStringLiteral("/broken.jpg"));
        QVERIFY(broken.open(QIODevice::WriteOnly) && broken.write("not a jpeg") > 0);
        broken.close();

        const auto report = estimateFolderContamination(db, made->modelId, folder, all, ModelRunOptions {}, cancel, {});
        QVERIFY2(report.ok(), qPrintable(report.error()));
        QCOMPARE(int(report->images.size()), 9); // litter and README skipped
        QVERIFY(report->images.back().path.endsWith(QLatin1String("broken.jpg")));
        QVERIFY(!report->images.back().error.isEmpty());
        QCOMPARE(report->estimate.images, 8);
        // The error rates and the count agree with the stored P(real) and the files' own predictions.
        int realFlagged = 0, reals = 0;
        for (const PredictionRow& row : db.predictionRows(0, made->modelId).value()) {
            if (row.image.source == QLatin1String("real")) {
                ++reals;
                realFlagged += row.pReal < 0.5f ? 1 : 0;
            }
        }
        QCOMPARE(report->rates.realImages, reals);
        QCOMPARE(report->rates.realFlagged, realFlagged);
        int flagged = 0;
        for (std::size_t i = 0; i + 1 < report->images.size(); ++i) {
            flagged += report->images[i].pReal < 0.5f ? 1 : 0;
            if (i > 0)
                QVERIFY(report->images[i - 1].pReal <= report->images[i].pReal); // most likely generated first
        }
        QCOMPARE(report->estimate.flagged, flagged);
        const ContaminationEstimate direct = estimateContamination(flagged, 8, report->rates);
        QCOMPARE(report->estimate.apparent.estimate, direct.apparent.estimate);
        QCOMPARE(report->estimate.warning, direct.warning);

        // Frequency analysis: unfiltered accuracy equals the stored predictions' at the threshold.
        const auto sweep = evaluateOnFrequencies(db, made->modelId, all, { 4, 12 }, ModelRunOptions {}, cancel, {});
        QVERIFY2(sweep.ok(), qPrintable(sweep.error()));
        QCOMPARE(int(sweep->size()), 1 + 2 + 2 + 1);
        QVERIFY(!sweep->front().filter.enabled());
        QCOMPARE(sweep->front().accuracy.trials, int(images.size()));
        int right = 0;
        for (const PredictionRow& row : db.predictionRows(0, made->modelId).value())
            right += (row.pReal >= 0.5f) == (row.image.source == QLatin1String("real")) ? 1 : 0;
        QCOMPARE(sweep->front().accuracy.successes, right);
        QCOMPARE(sweep->back().filter.describe(), QStringLiteral("band-pass 4-12"));
    }

    // The GenImage protocol: one detector per generator, each judged on every source's test images.
    void crossGeneratorMatrixTrainsOneDetectorPerGenerator()
    {
        CancelToken cancel;
        QTemporaryDir dir;
        auto made = testing::demoStudyFile(dir.path(), 6, 48);
        QVERIFY2(made.ok(), qPrintable(made.error()));
        StudyDatabase& db = *made->db;
        DetectorTraining training;
        training.name = QStringLiteral("X");
        training.options.epochs = 2;
        training.options.inputSize = 32;
        training.options.earlyStoppingPatience = 0;
        training.options.device = DevicePreference::Cpu;
        training.ratios = SplitRatios { 4, 1, 1 };
        const auto matrix = crossGeneratorMatrix(db, training, 0.5, cancel, {});
        QVERIFY2(matrix.ok(), qPrintable(matrix.error()));
        QCOMPARE(matrix->generators, (QStringList { QStringLiteral("checkerboard"), QStringLiteral("upsampler") }));
        QCOMPARE(matrix->sources,
            (QStringList { QStringLiteral("real"), QStringLiteral("checkerboard"), QStringLiteral("upsampler") }));
        QCOMPARE(
            matrix->models, (QStringList { QStringLiteral("X on checkerboard"), QStringLiteral("X on upsampler") }));
        QCOMPARE(int(matrix->cells.size()), 2 * 3);
        // Each detector was trained on real images and its generator's only, and each cell counts that
        // source's test images.
        std::map<QString, int> testImages;
        for (const PoolImage& image : db.poolImages().value())
            testImages[image.source] += image.split == Split::Test ? 1 : 0;
        for (const CrossGeneratorCell& c : matrix->cells)
            QCOMPARE(c.accuracy.trials, testImages[c.testedOn]);
        const auto upsampler = db.modelByName(QStringLiteral("X on upsampler"));
        QVERIFY(upsampler.ok());
        QVERIFY2(upsampler->training.contains(QLatin1String("\"train_images\"")), qPrintable(upsampler->training));
        const QJsonObject record = QJsonDocument::fromJson(upsampler->training.toUtf8()).object();
        int trainReal = 0, trainUpsampler = 0;
        for (const PoolImage& image : db.poolImages().value()) {
            if (image.split == Split::Train) {
                trainReal += image.source == QLatin1String("real") ? 1 : 0;
                trainUpsampler += image.source == QLatin1String("upsampler") ? 1 : 0;
            }
        }
        QCOMPARE(record.value(QStringLiteral("train_images")).toInt(), trainReal + trainUpsampler);
        // A second run reuses the detectors.
        const auto again = crossGeneratorMatrix(db, training, 0.5, cancel, {});
        QVERIFY(again.ok());
        QCOMPARE(int(db.models()->size()), 2);
    }

    // A detector trained on a study's normalised stimuli sees the copies people see, not the originals.
    void aDetectorTrainsOnAStudysNormalisedStimuli()
    {
        CancelToken cancel;
        QTemporaryDir dir;
        auto made = testing::demoStudyFile(dir.path(), 4, 48);
        QVERIFY2(made.ok(), qPrintable(made.error()));
        StudyDatabase& db = *made->db;
        StudyDefinition d;
        d.name = QStringLiteral("normalised");
        d.trialType = TrialType::RealOrFake;
        d.ways = 1;
        d.trialsPerParticipant = 6;
        d.normalisation.enabled = true;
        d.normalisation.size = 32;
        d.normalisation.format = QStringLiteral("jpeg");
        const auto study = createStudy(db, d, cancel, {});
        QVERIFY2(study.ok(), qPrintable(study.error()));
        DetectorTraining training;
        training.name = QStringLiteral("on stimuli");
        training.options.epochs = 1;
        training.options.inputSize = 32;
        training.options.device = DevicePreference::Cpu;
        training.studyId = study->study.id;
        const auto trained = trainDetectorOnPool(db, training, cancel, {});
        QVERIFY2(trained.ok(), qPrintable(trained.error()));
        const QJsonObject record = QJsonDocument::fromJson(trained->model.training.toUtf8()).object();
        QCOMPARE(record.value(QStringLiteral("study_stimuli")).toInteger(), study->study.id);
        const auto stimuli = db.stimulusPaths(study->study.id).value();
        int trainImages = 0;
        for (const PoolImage& image : db.poolImages().value())
            trainImages += image.split == Split::Train && stimuli.contains(image.id) ? 1 : 0;
        QCOMPARE(record.value(QStringLiteral("train_images")).toInt(), trainImages);
        for (const QString& path : stimuli)
            QVERIFY2(path.endsWith(QLatin1String("-32-q90.jpg")), qPrintable(path)); // the copies, not the PNGs
    }
};

QTEST_GUILESS_MAIN(Test_modelrun)
#include "tst_modelrun.moc"
