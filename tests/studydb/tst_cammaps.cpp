#include "../common/demostudyfile.h"
#include "studyfile.h"

#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <opencv2/imgcodecs.hpp>

using namespace ntt;

// Class-activation maps are cached in the study file by model and image file hashes, method,
// layer, target and noise settings: asked again they come from the cache, the very same values; a
// changed image or another model never gets an old map.
class Test_cammaps : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    std::unique_ptr<StudyDatabase> m_db;
    qint64 m_studyId = 0;
    qint64 m_traced = 0;
    std::vector<qint64> m_images;

    Result<std::vector<StudyCam>> cams(qint64 modelId, CamMethod method, std::vector<qint64> images = {})
    {
        StudyCamRequest request;
        request.modelId = modelId;
        request.studyId = m_studyId;
        request.imageIds = images.empty() ? m_images : images;
        request.options.method = method;
        request.batchSize = 2;
        request.device = DevicePreference::Cpu;
        CancelToken cancel;
        return computeStudyCams(*m_db, request, cancel, {});
    }

private Q_SLOTS:
    void initTestCase()
    {
        auto file = testing::demoStudyFile(
            m_dir.path(), 2, 48, QStringLiteral("cams"), QStringLiteral("tiny_traced"), QString());
        QVERIFY2(file.ok(), qPrintable(file.error()));
        m_db = std::move(file->db);
        m_studyId = file->studyId;
        m_traced = file->modelId;
        const auto images = m_db->poolImages();
        QVERIFY(images.ok());
        for (std::size_t i = 0; i < 3; ++i)
            m_images.push_back(images->at(i).id);
    }

    void secondAskComesFromTheCache()
    {
        const auto first = cams(m_traced, CamMethod::GradCam);
        QVERIFY2(first.ok(), qPrintable(first.error()));
        QCOMPARE(first->size(), std::size_t(3));
        for (const StudyCam& c : first.value()) {
            QVERIFY2(c.result.error.isEmpty(), qPrintable(c.result.error));
            QVERIFY(!c.cached);
            QVERIFY(c.warning.isEmpty());
            QCOMPARE(c.result.imageWidth, 48);
        }
        QCOMPARE(m_db->camMapCount().value(), 3);

        const auto second = cams(m_traced, CamMethod::GradCam);
        QVERIFY2(second.ok(), qPrintable(second.error()));
        for (std::size_t i = 0; i < 3; ++i) {
            const StudyCam& c = second->at(i);
            QVERIFY(c.cached);
            QCOMPARE(c.result.map.values, first->at(i).result.map.values);
            QCOMPARE(c.result.map.width, first->at(i).result.map.width);
            QCOMPARE(c.result.map.layer, first->at(i).result.map.layer);
            QCOMPARE(c.result.imageWidth, 48);
        }
        QCOMPARE(m_db->camMapCount().value(), 3);

        // Another method (or target, layer, noise) is another map.
        const auto plus = cams(m_traced, CamMethod::SmoothGradCamPlusPlus);
        QVERIFY2(plus.ok(), qPrintable(plus.error()));
        QVERIFY(!plus->front().cached);
        QCOMPARE(m_db->camMapCount().value(), 6);
    }

    void aChangedImageIsComputedAgain()
    {
        const auto before = cams(m_traced, CamMethod::GradCam, { m_images[0] });
        QVERIFY(before.ok() && before->front().cached);
        const QString path = before->front().result.path;
        cv::Mat image = cv::imread(path.toStdString(), cv::IMREAD_COLOR);
        image(cv::Rect(0, 0, 24, 48)).setTo(cv::Scalar(255, 255, 255));
        QVERIFY(cv::imwrite(path.toStdString(), image));

        const auto after = cams(m_traced, CamMethod::GradCam, { m_images[0] });
        QVERIFY2(after.ok(), qPrintable(after.error()));
        QVERIFY(!after->front().cached);
        QVERIFY(after->front().sha256 != before->front().sha256);
        QVERIFY2(after->front().warning.contains(QStringLiteral("changed since it was imported")),
            qPrintable(after->front().warning));
        QVERIFY(after->front().result.map.values != before->front().result.map.values);
        QCOMPARE(m_db->camMapCount().value(), 7);

        // The map of the changed file belongs to no image of the pool: pruning drops it, and
        // keeps the others.
        const auto pruned = m_db->pruneCamMaps();
        QVERIFY2(pruned.ok(), qPrintable(pruned.error()));
        QCOMPARE(pruned.value(), 1);
        QCOMPARE(m_db->camMapCount().value(), 6);
    }

    void anotherModelNeverGetsTheseMaps()
    {
        DetectorTraining training;
        training.name = QStringLiteral("tiny built-in");
        training.options.epochs = 1;
        training.options.inputSize = 16;
        training.options.device = DevicePreference::Cpu;
        training.ratios = SplitRatios { 6, 2, 2 };
        CancelToken cancel;
        const auto trained = trainDetectorOnPool(*m_db, training, cancel, {});
        QVERIFY2(trained.ok(), qPrintable(trained.error()));
        const auto other = cams(trained->model.id, CamMethod::GradCam);
        QVERIFY2(other.ok(), qPrintable(other.error()));
        for (const StudyCam& c : other.value()) {
            QVERIFY(!c.cached);
            QCOMPARE(c.result.map.layer, QStringLiteral("pool2"));
        }
        QCOMPARE(m_db->camMapCount().value(), 9);
    }

    void unknownLayerAndImageAreNamed()
    {
        StudyCamRequest request;
        request.modelId = m_traced;
        request.studyId = m_studyId;
        request.imageIds = { m_images[1] };
        request.options.layer = QStringLiteral("layer9");
        CancelToken cancel;
        const auto badLayer = computeStudyCams(*m_db, request, cancel, {});
        QVERIFY(!badLayer.ok());
        QVERIFY2(badLayer.error().contains(QStringLiteral("layer9")), qPrintable(badLayer.error()));
        request.options.layer.clear();
        request.imageIds = { 999999 };
        const auto badImage = computeStudyCams(*m_db, request, cancel, {});
        QVERIFY(!badImage.ok());
        QVERIFY2(badImage.error().contains(QStringLiteral("999999")), qPrintable(badImage.error()));
    }
};

QTEST_GUILESS_MAIN(Test_cammaps)
#include "tst_cammaps.moc"
