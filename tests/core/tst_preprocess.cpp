// Model inputs against torchvision: tests/data/preprocess/ holds images and the network inputs that
// torchvision's own transforms made of them (tests/data/make_preprocess_fixtures.py), and the
// P(real) a traced model gave on them in PyTorch.

#include "../common/floatfile.h"
#include "models/classifier.h"
#include "models/modelspec.h"
#include "models/preprocess.h"
#include "models/resampling.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtEndian>
#include <QtTest>

#include <opencv2/core.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>

using namespace ntt;
using ntt::testing::readFloats;

namespace {

const QString fixtureDir = QStringLiteral(NTT_TEST_DATA_DIR "/preprocess");

QString fixture(const QString& name)
{
    return fixtureDir + QLatin1Char('/') + name;
}

QJsonObject readJson(const QString& path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QJsonDocument::fromJson(file.readAll()).object();
}

const QStringList kImages
    = { QStringLiteral("photo_400x300.jpg"), QStringLiteral("portrait_150x233.jpg"), QStringLiteral("wide_257x131.png"),
          QStringLiteral("grey_120x80.png"), QStringLiteral("small_29x23.png"), QStringLiteral("exact_37x37.png") };

} // namespace

class TestPreprocess : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // Every setting of the fixtures on every image: the network input equals torchvision's. With
    // antialias (PIL) the 8-bit resize is bit-exact, so the floats agree to rounding; PyTorch's
    // interpolate without antialias may round a value on a tie the other way (one level, 1/255/std).
    void matchesTorchvision_data()
    {
        QTest::addColumn<QString>("config");
        QTest::addColumn<QString>("image");
        const QJsonObject configs = readJson(fixture(QStringLiteral("configs.json")));
        QVERIFY2(!configs.isEmpty(), "tests/data/preprocess/configs.json is missing");
        for (const QString& config : configs.keys()) {
            for (const QString& image : kImages)
                QTest::newRow(qPrintable(config + QLatin1Char('/') + image)) << config << image;
        }
    }

    void matchesTorchvision()
    {
        QFETCH(QString, config);
        QFETCH(QString, image);
        const QJsonObject configs = readJson(fixture(QStringLiteral("configs.json")));
        const QByteArray sidecar
            = QJsonDocument(QJsonObject { { QStringLiteral("input"), configs.value(config) } }).toJson();
        auto spec = parseModelSpec(sidecar, config);
        QVERIFY2(spec.ok(), qPrintable(spec.error()));
        const InputSpec& input = spec->input;

        auto prepared = prepareImageFile(fixture(image), input);
        QVERIFY2(prepared.ok(), qPrintable(prepared.error()));
        const QString stem = image.left(image.lastIndexOf(QLatin1Char('.')));
        const std::vector<float> expected = readFloats(fixture(QStringLiteral("expected_%1_%2.bin").arg(config, stem)));
        QCOMPARE(prepared->chw.size(), expected.size());

        const float level = 1.0f / 255.0f / *std::min_element(input.std.begin(), input.std.end());
        float worst = 0.0f;
        std::size_t offByALevel = 0;
        for (std::size_t i = 0; i < expected.size(); ++i) {
            const float d = std::abs(prepared->chw[i] - expected[i]);
            worst = std::max(worst, d);
            if (d > 1e-5f)
                ++offByALevel;
        }
        const QString report = QStringLiteral("%1 on %2: max difference %3 (%4 of %5 values off)")
                                   .arg(config, image)
                                   .arg(double(worst))
                                   .arg(offByALevel)
                                   .arg(expected.size());
        if (input.antialias) {
            QVERIFY2(worst <= 1e-5f, qPrintable(report));
        } else {
            QVERIFY2(worst <= level * 1.001f, qPrintable(report));
            QVERIFY2(offByALevel <= expected.size() / 200, qPrintable(report));
        }
    }

    // The goal a researcher checks: the same P(real) as the Python pipeline (Resize + CenterCrop +
    // ToTensor + Normalize on the PIL image, then the traced model), on shrunk, enlarged and
    // unscaled images.
    void pRealEqualsThePythonPipeline()
    {
        const QJsonObject reference = readJson(fixture(QStringLiteral("preal_probe_traced.json")));
        const QJsonObject images = reference.value(QStringLiteral("images")).toObject();
        QCOMPARE(images.size(), kImages.size());
        auto classifier = loadClassifier(fixture(QStringLiteral("probe_traced.pt")), DevicePreference::Cpu, 1);
        QVERIFY2(classifier.ok(), qPrintable(classifier.error()));
        QVERIFY2(classifier.value()->warnings().isEmpty(), qPrintable(classifier.value()->warnings().join(u'\n')));
        std::vector<PreparedImage> batch;
        for (const QString& image : kImages) {
            auto prepared = prepareImageFile(fixture(image), classifier.value()->spec().input);
            QVERIFY2(prepared.ok(), qPrintable(prepared.error()));
            batch.push_back(std::move(prepared).value());
        }
        const auto predictions = classifier.value()->predict(batch);
        QVERIFY2(predictions.ok(), qPrintable(predictions.error()));
        double worst = 0.0;
        for (qsizetype i = 0; i < kImages.size(); ++i) {
            const double expected = images.value(kImages[i]).toObject().value(QStringLiteral("p_real")).toDouble(-1.0);
            const double got = predictions.value()[std::size_t(i)].pReal;
            worst = std::max(worst, std::abs(got - expected));
            QVERIFY2(std::abs(got - expected) <= 1e-4,
                qPrintable(QStringLiteral("%1: P(real) %2, PyTorch %3")
                               .arg(kImages[i])
                               .arg(got, 0, 'g', 9)
                               .arg(expected, 0, 'g', 9)));
        }
        qInfo("largest |P(real) - PyTorch| over %d images: %.3g", int(kImages.size()), worst);
    }

    void sidecarNamesInterpolationAndAntialias()
    {
        auto spec = parseModelSpec(
            R"({"input": {"interpolation": "bicubic", "antialias": false}})", QStringLiteral("timm.json"));
        QVERIFY2(spec.ok(), qPrintable(spec.error()));
        QCOMPARE(spec->input.interpolation, Interpolation::Bicubic);
        QCOMPARE(spec->input.antialias, false);
        auto back = parseModelSpec(modelSpecToJson(spec.value()), QStringLiteral("round trip"));
        QVERIFY2(back.ok(), qPrintable(back.error()));
        QCOMPARE(back->input.interpolation, Interpolation::Bicubic);
        QCOMPARE(back->input.antialias, false);

        auto defaults = parseModelSpec(R"({"input": {"size": 224}})", QStringLiteral("plain.json"));
        QVERIFY2(defaults.ok(), qPrintable(defaults.error()));
        QCOMPARE(defaults->input.interpolation, Interpolation::Bilinear);
        QCOMPARE(defaults->input.antialias, true);

        auto bad = parseModelSpec(R"({"input": {"interpolation": "lanczos"}})", QStringLiteral("bad.json"));
        QVERIFY(!bad.ok());
        QVERIFY2(
            bad.error().contains(QLatin1String("\"input.interpolation\" is \"lanczos\"")), qPrintable(bad.error()));
        bad = parseModelSpec(R"({"input": {"antialias": "yes"}})", QStringLiteral("bad.json"));
        QVERIFY(!bad.ok());
        QVERIFY2(
            bad.error().contains(QLatin1String("\"input.antialias\" must be true or false")), qPrintable(bad.error()));
    }

    void resizeRefusesWhatItCannotResize()
    {
        QVERIFY(!resizeLikePil(cv::Mat(), 4, 4, Interpolation::Bilinear).ok());
        QVERIFY(!resizeLikeTorch(cv::Mat(4, 4, CV_16UC3), 2, 2, Interpolation::Bilinear).ok());
        const auto zero = resizeLikePil(cv::Mat(4, 4, CV_8UC3, cv::Scalar::all(9)), 0, 2, Interpolation::Bicubic);
        QVERIFY(!zero.ok());
        QVERIFY2(zero.error().contains(QLatin1String("0 x 2")), qPrintable(zero.error()));
    }

    // A flat image stays flat through every filter (the weights of each output pixel sum to one),
    // and PIL's and PyTorch's resizes keep the channels independent.
    void flatImagesStayFlat()
    {
        const cv::Mat flat(23, 41, CV_8UC4, cv::Scalar(3, 77, 200, 255));
        for (Interpolation i : { Interpolation::Bilinear, Interpolation::Bicubic, Interpolation::Nearest }) {
            for (const auto& resize : { resizeLikePil, resizeLikeTorch }) {
                const auto out = resize(flat, 9, 50, i);
                QVERIFY2(out.ok(), qPrintable(out.error()));
                QCOMPARE(out->size(), cv::Size(9, 50));
                QCOMPARE(
                    cv::norm(out.value(), cv::Mat(50, 9, CV_8UC4, cv::Scalar(3, 77, 200, 255)), cv::NORM_INF), 0.0);
            }
        }
    }
};

QTEST_GUILESS_MAIN(TestPreprocess)
#include "tst_preprocess.moc"
