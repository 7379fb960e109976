#include "../common/floatfile.h"
#include "attention/camrun.h"
#include "attention/gradcam.h"
#include "models/classifier.h"
#include "models/training.h"
#include "study/rng.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <cmath>
#include <numeric>

using namespace ntt;
using ntt::testing::readFloats;

namespace {

const QString kCamData = QStringLiteral(NTT_TEST_DATA_DIR "/camref");

double correlation(const float* a, const float* b, std::size_t n)
{
    double ma = 0, mb = 0;
    for (std::size_t i = 0; i < n; ++i) {
        ma += a[i];
        mb += b[i];
    }
    ma /= double(n);
    mb /= double(n);
    double sab = 0, saa = 0, sbb = 0;
    for (std::size_t i = 0; i < n; ++i) {
        sab += (a[i] - ma) * (b[i] - mb);
        saa += (a[i] - ma) * (a[i] - ma);
        sbb += (b[i] - mb) * (b[i] - mb);
    }
    if (saa == 0 && sbb == 0)
        return 1.0; // both constant
    return sab / std::sqrt(saa * sbb);
}

double largestDifference(const float* a, const float* b, std::size_t n)
{
    double d = 0;
    for (std::size_t i = 0; i < n; ++i)
        d = std::max(d, double(std::abs(a[i] - b[i])));
    return d;
}

/// A 32 px image: the left half is fine-grained noise (real) or a smooth ramp (generated); the
/// right half is a smooth random blob pattern in both classes, so only the left half tells them apart.
cv::Mat leftHalfImage(Rng& rng, bool real)
{
    cv::Mat image(32, 32, CV_8UC3);
    const double phase = rng.uniform() * 6.28;
    for (int y = 0; y < 32; ++y) {
        for (int x = 0; x < 32; ++x) {
            int v = 0;
            if (x < 16)
                v = real ? int(rng.uniform() * 255) : 100 + 4 * x;
            else
                v = int(128 + 60 * std::sin(phase + x * 0.3) * std::cos(phase + y * 0.25));
            image.at<cv::Vec3b>(y, x) = cv::Vec3b(uchar(v), uchar(v), uchar(v));
        }
    }
    return image;
}

} // namespace

class Test_gradcam : public QObject
{
    Q_OBJECT

    // The worst agreement with the reference packages over all maps, reported at the end.
    double m_lowestCorrelation = 1.0;
    double m_largestDifference = 0.0;

private Q_SLOTS:
    void cleanupTestCase()
    {
        qInfo("against pytorch-grad-cam and TorchCAM: lowest correlation %.6f, largest difference %.2g",
            m_lowestCorrelation, m_largestDifference);
    }

    void methodAndTargetNames()
    {
        for (CamMethod m : { CamMethod::GradCam, CamMethod::GradCamPlusPlus, CamMethod::SmoothGradCamPlusPlus })
            QCOMPARE(camMethodFromName(camMethodName(m)), std::optional<CamMethod>(m));
        QCOMPARE(camMethodFromName(QStringLiteral("Grad-CAM++")), std::optional<CamMethod>(CamMethod::GradCamPlusPlus));
        QVERIFY(!camMethodFromName(QStringLiteral("scorecam")));

        ModelSpec spec;
        spec.output = OutputKind::SourceClasses;
        spec.classes = { QStringLiteral("real"), QStringLiteral("sdxl"), QStringLiteral("dalle3") };
        QCOMPARE(camTargetFromName(QStringLiteral("dalle3"), spec)->classIndex, 2);
        QCOMPARE(camTargetFromName(QStringLiteral("class:1"), spec)->classIndex, 1);
        QCOMPARE(camTargetFromName(QStringLiteral("real"), spec)->kind, CamTarget::Kind::Real);
        QCOMPARE(camTargetFromName(QString(), spec)->kind, CamTarget::Kind::Predicted);
        const auto bad = camTargetFromName(QStringLiteral("class:3"), spec);
        QVERIFY(!bad.ok());
        QVERIFY2(bad.error().contains(QStringLiteral("class:3")), qPrintable(bad.error()));
        const auto unknown = camTargetFromName(QStringLiteral("midjourney"), spec);
        QVERIFY2(!unknown.ok() && unknown.error().contains(QStringLiteral("real, sdxl, dalle3")),
            qPrintable(unknown.error()));
    }

    void defaultLayerIsTheLastSpatialOne()
    {
        const std::vector<CamLayer> layers = {
            { QStringLiteral("conv1"), { 1, 4, 64, 64 } },
            { QStringLiteral("layer4.1.relu"), { 1, 32, 4, 4 } },
            { QStringLiteral("layer4.1"), { 1, 32, 4, 4 } },
            { QStringLiteral("layer4"), { 1, 32, 4, 4 } },
            { QStringLiteral("avgpool"), { 1, 32, 1, 1 } },
            { QStringLiteral("fc"), { 1, 1 } },
        };
        QCOMPARE(defaultCamLayer(layers), QStringLiteral("layer4"));
        QCOMPARE(defaultCamLayer({ { QStringLiteral("fc"), { 1, 1 } } }), QString());
    }

    void formulasOnAHandExample()
    {
        // Two channels of 1 x 2: A = [[1, 3], [2, 0]], G = [[0.5, -0.5], [1, 0]].
        CamEvidence e;
        e.channels = 2;
        e.height = 1;
        e.width = 2;
        e.activations = { 1, 3, 2, 0 };
        e.gradMean = { 0.5f, -0.5f, 1, 0 };
        for (float g : e.gradMean) {
            e.gradSquareMean.push_back(g * g);
            e.gradCubeMean.push_back(g * g * g);
        }
        // Grad-CAM: w = [0, 0.5]; cam = [1, 0]; normalised [1/(1+1e-7), 0].
        const auto cam = camFromEvidence(e, CamMethod::GradCam);
        QVERIFY2(cam.ok(), qPrintable(cam.error()));
        QCOMPARE(cam->values.size(), std::size_t(2));
        QVERIFY(std::abs(cam->values[0] - 1.0f) < 1e-6f);
        QCOMPARE(cam->values[1], 0.0f);
        // Grad-CAM++: channel 0, S = 4: alpha(0) = 0.25 / (0.5 + 4 * 0.125) = 0.25, alpha(1) =
        // 0.25 / (0.5 - 0.5) -> 0.25 / 1e-7, but ReLU(G) = 0 there; w0 = 0.5 * 0.25 = 0.125.
        // Channel 1, S = 2: alpha(0) = 1 / (2 + 2) = 0.25, G = 0 at (1) so alpha = 0; w1 = 0.25.
        // cam = [0.125 * 1 + 0.25 * 2, 0.125 * 3] = [0.625, 0.375] -> [0.25 / 0.25, 0].
        const auto pp = camFromEvidence(e, CamMethod::GradCamPlusPlus);
        QVERIFY2(pp.ok(), qPrintable(pp.error()));
        QVERIFY(std::abs(pp->values[0] - 1.0f) < 1e-5f);
        QCOMPARE(pp->values[1], 0.0f);

        e.gradCubeMean.pop_back();
        const auto broken = camFromEvidence(e, CamMethod::GradCam);
        QVERIFY(!broken.ok());
    }

    void mapToImageFollowsTheCrop()
    {
        CamMap map;
        map.width = 2;
        map.height = 2;
        map.values = { 1, 0, 0, 0 };
        InputSpec resize;
        resize.size = 64;
        resize.resizePolicy = QStringLiteral("resize");
        const auto whole = camMapToImage(map, resize, 40, 20);
        QVERIFY2(whole.ok(), qPrintable(whole.error()));
        QCOMPARE(whole->cols, 40);
        QCOMPARE(whole->rows, 20);
        QVERIFY(whole->at<float>(0, 0) > 0.9f);
        QCOMPARE(whole->at<float>(19, 39), 0.0f);

        // resize-crop: short side 20 -> 64, so the model saw the centre 20 x 20 of a 40 x 20 image.
        InputSpec crop = resize;
        crop.resizePolicy = QStringLiteral("resize-crop");
        crop.resizeTo = 64;
        const auto centre = camMapToImage(map, crop, 40, 20);
        QVERIFY2(centre.ok(), qPrintable(centre.error()));
        QCOMPARE(centre->at<float>(0, 0), 0.0f); // outside what the model saw
        QVERIFY(centre->at<float>(0, 10) > 0.9f); // the crop's top-left corner
        QCOMPARE(centre->at<float>(0, 35), 0.0f);
    }

    void builtInDetectorLooksAtTheLeftHalf()
    {
        QTemporaryDir dir;
        Rng rng(7);
        std::vector<LabelledImage> train, val;
        QStringList realTest;
        for (int i = 0; i < 80; ++i) {
            const bool real = i % 2 == 0;
            const QString path = dir.filePath(QStringLiteral("img%1.png").arg(i));
            QVERIFY(cv::imwrite(path.toStdString(), leftHalfImage(rng, real)));
            if (i < 56)
                train.push_back({ path, real, real ? QStringLiteral("real") : QStringLiteral("fake") });
            else if (i < 72)
                val.push_back({ path, real, real ? QStringLiteral("real") : QStringLiteral("fake") });
            else if (real)
                realTest << path;
        }
        TrainingOptions options;
        options.optimizer = QStringLiteral("adamw");
        options.learningRate = 0.01;
        options.epochs = 15;
        options.inputSize = 32;
        options.flips = false; // a flip would move the evidence to the right half
        options.randomResizedCrop = false;
        options.earlyStoppingPatience = 0;
        options.device = DevicePreference::Cpu;
        CancelToken cancel;
        const QString modelPath = dir.filePath(QStringLiteral("left.pt"));
        const auto trained = trainDetector(train, val, options, modelPath, QStringLiteral("left"), cancel, {});
        QVERIFY2(trained.ok(), qPrintable(trained.error()));
        QVERIFY2(trained->bestValidationAccuracy > 0.9, qPrintable(QString::number(trained->bestValidationAccuracy)));

        auto classifier = loadClassifier(modelPath, DevicePreference::Cpu);
        QVERIFY2(classifier.ok(), qPrintable(classifier.error()));
        const auto layers = classifier.value()->camLayers();
        QVERIFY2(layers.ok(), qPrintable(layers.error()));
        QCOMPARE(defaultCamLayer(layers.value()), QStringLiteral("pool2"));

        for (CamMethod method : { CamMethod::GradCam, CamMethod::GradCamPlusPlus, CamMethod::SmoothGradCamPlusPlus }) {
            CamOptions cam;
            cam.method = method;
            cam.target.kind = CamTarget::Kind::Real;
            const auto results = computeCamsForFiles(*classifier.value(), realTest, cam, 3, cancel);
            QVERIFY2(results.ok(), qPrintable(results.error()));
            double left = 0, all = 0;
            for (const CamImageResult& r : results.value()) {
                QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
                QCOMPARE(r.map.layer, QStringLiteral("pool2"));
                QCOMPARE(r.map.width, 8);
                for (int y = 0; y < r.map.height; ++y) {
                    for (int x = 0; x < r.map.width; ++x) {
                        const double v = r.map.values[std::size_t(y * r.map.width + x)];
                        all += v;
                        left += x < r.map.width / 2 ? v : 0.0;
                    }
                }
            }
            qInfo("%s: %.1f %% of the map's mass on the left half", qPrintable(camMethodLabel(method)),
                100.0 * left / all);
            QVERIFY2(left > 0.75 * all, qPrintable(QString::number(left / all)));
        }
    }

    // The maps of the fixture ResNets (torchvision's ResNet-18 code, made narrow; traced and
    // scripted) against maps PyTorch computed with the reference formulas when the fixtures were
    // made: tests/data/make_cam_references.py.
    void matchesPyTorchReferences_data()
    {
        QTest::addColumn<QString>("model");
        QTest::addColumn<QString>("layer");
        QTest::addColumn<QString>("method");
        QTest::addColumn<QString>("target");
        const QJsonObject manifest = QJsonDocument::fromJson([] {
            QFile f(kCamData + QStringLiteral("/manifest.json"));
            return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
        }())
                                         .object();
        const QJsonArray maps = manifest.value(QStringLiteral("maps")).toArray();
        if (maps.isEmpty())
            QTest::newRow("no reference maps") << QString() << QString() << QString() << QString();
        for (const QJsonValue& v : maps) {
            const QJsonObject m = v.toObject();
            const QString model = m.value(QStringLiteral("model")).toString();
            const QString layer = m.value(QStringLiteral("layer")).toString();
            const QString method = m.value(QStringLiteral("method")).toString();
            const QString target = m.value(QStringLiteral("target")).toString();
            QTest::newRow(qPrintable(QStringLiteral("%1 %2 %3 %4").arg(model, layer, method, target)))
                << model << layer << method << target;
        }
    }

    void matchesPyTorchReferences()
    {
        QFETCH(QString, model);
        QFETCH(QString, layer);
        QFETCH(QString, method);
        QFETCH(QString, target);
        if (model.isEmpty())
            QFAIL(qPrintable(
                kCamData + QStringLiteral("/manifest.json lists no maps: run tests/data/make_cam_references.py")));
        auto classifier
            = loadClassifier(kCamData + QLatin1Char('/') + model + QStringLiteral(".pt"), DevicePreference::Cpu);
        QVERIFY2(classifier.ok(), qPrintable(classifier.error()));

        CamOptions options;
        options.method = *camMethodFromName(method);
        options.layer = layer;
        const QString targetName
            = target.startsWith(QLatin1String("class")) ? QStringLiteral("class:") + target.mid(5) : target;
        const auto parsed = camTargetFromName(targetName, classifier.value()->spec());
        QVERIFY2(parsed.ok(), qPrintable(parsed.error()));
        options.target = parsed.value();

        const std::vector<float> inputs = readFloats(kCamData + QStringLiteral("/inputs.bin"));
        const int size = 128;
        const std::size_t perImage = std::size_t(3) * size * size;
        QCOMPARE(inputs.size(), 4 * perImage);
        std::vector<PreparedImage> batch(4);
        for (std::size_t i = 0; i < 4; ++i) {
            batch[i].size = size;
            batch[i].chw.assign(
                inputs.begin() + std::ptrdiff_t(i * perImage), inputs.begin() + std::ptrdiff_t((i + 1) * perImage));
        }
        const auto maps = computeCams(*classifier.value(), batch, options);
        QVERIFY2(maps.ok(), qPrintable(maps.error()));
        QCOMPARE(maps->size(), std::size_t(4));

        const std::vector<float> reference
            = readFloats(kCamData + QStringLiteral("/cam_%1_%2_%3_%4.bin").arg(model, layer, method, target));
        const int h = maps->front().height;
        const int w = maps->front().width;
        const std::size_t small = std::size_t(h) * std::size_t(w);
        const std::size_t big = std::size_t(size) * size;
        // The maps at the layer's resolution, and for some configurations also at the image's.
        const bool withImage = reference.size() == 4 * small + 4 * big;
        QVERIFY2(withImage || reference.size() == 4 * small,
            qPrintable(
                QStringLiteral("reference of %1 values for maps of %2 x %3").arg(reference.size()).arg(h).arg(w)));
        InputSpec whole;
        whole.size = size;
        whole.resizePolicy = QStringLiteral("resize");
        for (std::size_t i = 0; i < 4; ++i) {
            const CamMap& map = maps->at(i);
            QCOMPARE(map.layer, layer);
            const float* expected = reference.data() + i * small;
            const double r = correlation(map.values.data(), expected, small);
            const double d = largestDifference(map.values.data(), expected, small);
            m_lowestCorrelation = std::min(m_lowestCorrelation, r);
            m_largestDifference = std::max(m_largestDifference, d);
            QVERIFY2(r >= 0.999 && d <= 1e-3,
                qPrintable(QStringLiteral("image %1 at the layer: correlation %2, largest difference %3")
                               .arg(i)
                               .arg(r)
                               .arg(d)));
            if (!withImage)
                continue;
            const auto upsampled = camMapToImage(map, whole, size, size);
            QVERIFY2(upsampled.ok(), qPrintable(upsampled.error()));
            const float* expectedBig = reference.data() + 4 * small + i * big;
            const auto* actualBig = upsampled->ptr<float>(0);
            const double rb = correlation(actualBig, expectedBig, big);
            const double db = largestDifference(actualBig, expectedBig, big);
            m_lowestCorrelation = std::min(m_lowestCorrelation, rb);
            m_largestDifference = std::max(m_largestDifference, db);
            QVERIFY2(rb >= 0.999 && db <= 1e-3,
                qPrintable(QStringLiteral("image %1 at 128 px: correlation %2, largest difference %3")
                               .arg(i)
                               .arg(rb)
                               .arg(db)));
        }
    }

    void fixtureLayersAndDefault()
    {
        for (const QString model : { QStringLiteral("resnet_traced"), QStringLiteral("resnet_scripted") }) {
            auto classifier
                = loadClassifier(kCamData + QLatin1Char('/') + model + QStringLiteral(".pt"), DevicePreference::Cpu);
            QVERIFY2(classifier.ok(), qPrintable(classifier.error()));
            const auto layers = classifier.value()->camLayers();
            QVERIFY2(layers.ok(), qPrintable(layers.error()));
            QCOMPARE(defaultCamLayer(layers.value()), QStringLiteral("layer4"));
            // Every layer PyTorch listed with a tensor output is reachable, with the same shape.
            QFile f(kCamData + QStringLiteral("/layers_%1.json").arg(model));
            QVERIFY(f.open(QIODevice::ReadOnly));
            const QJsonArray expected = QJsonDocument::fromJson(f.readAll()).array();
            std::map<QString, std::vector<std::int64_t>> found;
            for (const CamLayer& l : layers.value())
                found[l.name] = l.shape;
            for (const QJsonValue& v : expected) {
                const QString name = v.toObject().value(QStringLiteral("name")).toString();
                std::vector<std::int64_t> shape;
                for (const QJsonValue& d : v.toObject().value(QStringLiteral("shape")).toArray())
                    shape.push_back(d.toInteger());
                if (name.endsWith(QLatin1String("relu")))
                    continue; // torchvision calls each block's ReLU twice: the last call's output is taken
                QVERIFY2(found.count(name), qPrintable(name));
                QVERIFY2(found[name] == shape, qPrintable(name));
            }
            CamOptions missing;
            missing.layer = QStringLiteral("layer9");
            const auto bad = resolveCamLayer(*classifier.value(), missing);
            QVERIFY(!bad.ok());
            QVERIFY2(bad.error().contains(QStringLiteral("layer9")) && bad.error().contains(QStringLiteral("layer4")),
                qPrintable(bad.error()));
        }
    }
};

QTEST_GUILESS_MAIN(Test_gradcam)
#include "tst_gradcam.moc"
