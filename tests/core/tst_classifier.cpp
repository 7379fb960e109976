#include "../common/floatfile.h"
#include "models/classifier.h"
#include "models/modelspec.h"
#include "models/preprocess.h"

#include <QCryptographicHash>
#include <QFile>
#include <QTemporaryDir>
#include <QtEndian>
#include <QtTest>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include <cmath>
#include <cstring>

using namespace ntt;
using ntt::testing::readFloats;

namespace {

const QString fixtureDir = QStringLiteral(NTT_TEST_DATA_DIR "/torchscript");

QString fixture(const QString& name)
{
    return fixtureDir + QLatin1Char('/') + name;
}

// inputs.bin: 4 images of 3 x 32 x 32, prepared already (the model tests compare the networks, not
// the decoding; preprocessing has tests of its own below).
std::vector<PreparedImage> fixtureInputs()
{
    const std::vector<float> values = readFloats(fixture(QStringLiteral("inputs.bin")));
    const std::size_t per = 3 * 32 * 32;
    std::vector<PreparedImage> batch;
    for (std::size_t i = 0; i + per <= values.size(); i += per)
        batch.push_back({ 32, std::vector<float>(values.begin() + i, values.begin() + i + per) });
    return batch;
}

QString sha256(const QString& path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QString::fromLatin1(QCryptographicHash::hash(file.readAll(), QCryptographicHash::Sha256).toHex());
}

bool copyFile(const QString& from, const QString& to)
{
    QFile::remove(to);
    return QFile::copy(from, to);
}

bool writeFile(const QString& path, const QByteArray& bytes)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(bytes) == bytes.size();
}

InputSpec plainInput(int size)
{
    InputSpec input;
    input.size = size;
    input.resizePolicy = QStringLiteral("resize");
    input.resizeTo = size;
    input.mean = { 0.0f, 0.0f, 0.0f };
    input.std = { 1.0f, 1.0f, 1.0f };
    return input;
}

float at(const PreparedImage& image, int channel, int y, int x)
{
    return image.chw[static_cast<std::size_t>((channel * image.size + y) * image.size + x)];
}

} // namespace

class Test_classifier : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(QFile::exists(fixture(QStringLiteral("inputs.bin"))),
            "run /usr/bin/python3 tests/data/make_torchscript_fixtures.py");
        QCOMPARE(fixtureInputs().size(), std::size_t(4));
    }

    void matchesPyTorch_data()
    {
        QTest::addColumn<QString>("model");
        QTest::addColumn<QString>("name");
        QTest::addColumn<int>("classes");
        QTest::newRow("traced, one logit") << QStringLiteral("tiny_traced") << QStringLiteral("Tiny traced CNN") << 0;
        QTest::newRow("scripted, source classes")
            << QStringLiteral("tiny_scripted") << QStringLiteral("Tiny scripted source classifier") << 4;
    }

    void matchesPyTorch()
    {
        QFETCH(QString, model);
        QFETCH(QString, name);
        QFETCH(int, classes);
        const QString path = fixture(model + QLatin1String(".pt"));
        auto loaded = loadClassifier(path, DevicePreference::Cpu, 1);
        QVERIFY2(loaded.ok(), qPrintable(loaded.error()));
        Classifier& classifier = *loaded.value();
        QVERIFY(classifier.warnings().isEmpty());
        QCOMPARE(classifier.spec().name, name);
        QCOMPARE(classifier.spec().outputCount(), classes == 0 ? 1 : classes);
        QCOMPARE(classifier.path(), path);
        QCOMPARE(classifier.modelHash(), sha256(path));
        QCOMPARE(classifier.runtime().device, QStringLiteral("cpu"));
        QCOMPARE(classifier.runtime().threads, 1);
        QVERIFY(classifier.runtime().torchVersion.startsWith(QLatin1String("1.")));

        const std::vector<PreparedImage> inputs = fixtureInputs();
        const std::vector<float> pReal = readFloats(fixture(QStringLiteral("expected_%1_preal.bin").arg(model)));
        const std::vector<float> probabilities
            = classes ? readFloats(fixture(QStringLiteral("expected_%1_probs.bin").arg(model))) : std::vector<float> {};
        QCOMPARE(pReal.size(), inputs.size());
        QCOMPARE(probabilities.size(), inputs.size() * std::size_t(classes));

        auto predictions = classifier.predict(inputs);
        QVERIFY2(predictions.ok(), qPrintable(predictions.error()));
        QCOMPARE(predictions->size(), inputs.size());
        for (std::size_t i = 0; i < inputs.size(); ++i) {
            const Prediction& p = predictions->at(i);
            QVERIFY2(std::abs(p.pReal - pReal[i]) < 1e-4f,
                qPrintable(QStringLiteral("image %1: P(real) %2, PyTorch %3").arg(i).arg(p.pReal).arg(pReal[i])));
            QCOMPARE(p.classProbabilities.size(), std::size_t(classes));
            for (int k = 0; k < classes; ++k)
                QVERIFY(std::abs(p.classProbabilities[k] - probabilities[i * classes + k]) < 1e-4f);
            QVERIFY(p.milliseconds >= 0.0);
        }

        // One image at a time gives the same as the batch.
        for (std::size_t i = 0; i < inputs.size(); ++i) {
            auto single = classifier.predict({ inputs[i] });
            QVERIFY2(single.ok(), qPrintable(single.error()));
            QCOMPARE(single->size(), std::size_t(1));
            QVERIFY(std::abs(single->front().pReal - pReal[i]) < 1e-4f);
        }
    }

    void threadCountIsApplied()
    {
        auto loaded = loadClassifier(fixture(QStringLiteral("tiny_traced.pt")), DevicePreference::Cpu, 2);
        QVERIFY2(loaded.ok(), qPrintable(loaded.error()));
        QCOMPARE(loaded.value()->runtime().threads, 2);

        auto byDefault = loadClassifier(fixture(QStringLiteral("tiny_traced.pt")), DevicePreference::Cpu);
        QVERIFY2(byDefault.ok(), qPrintable(byDefault.error()));
        QCOMPARE(byDefault.value()->runtime().threads, defaultTorchThreads());
        QVERIFY(defaultTorchThreads() >= 1);
    }

    void emptyBatchGivesNothing()
    {
        auto loaded = loadClassifier(fixture(QStringLiteral("tiny_traced.pt")), DevicePreference::Cpu, 1);
        QVERIFY2(loaded.ok(), qPrintable(loaded.error()));
        auto predictions = loaded.value()->predict({});
        QVERIFY(predictions.ok());
        QVERIFY(predictions->empty());
    }

    void wrongInputSizeFailsNamingTheModel()
    {
        auto loaded = loadClassifier(fixture(QStringLiteral("tiny_traced.pt")), DevicePreference::Cpu, 1);
        QVERIFY2(loaded.ok(), qPrintable(loaded.error()));
        PreparedImage small { 16, std::vector<float>(3 * 16 * 16, 0.0f) };
        auto predictions = loaded.value()->predict({ small });
        QVERIFY(!predictions.ok());
        QVERIFY2(predictions.error().contains(QLatin1String("tiny_traced.pt")), qPrintable(predictions.error()));
    }

    void wrongOutputShapeFailsNamingFileAndShapes()
    {
        auto loaded = loadClassifier(fixture(QStringLiteral("wrong_shape.pt")), DevicePreference::Cpu, 1);
        QVERIFY2(loaded.ok(), qPrintable(loaded.error()));
        auto predictions = loaded.value()->predict(fixtureInputs());
        QVERIFY(!predictions.ok());
        const QString& error = predictions.error();
        QVERIFY2(error.contains(QLatin1String("wrong_shape.pt")), qPrintable(error));
        QVERIFY2(error.contains(QLatin1String("[4, 5]")), qPrintable(error));
        QVERIFY2(error.contains(QLatin1String("[4, 1]")), qPrintable(error));
    }

    void nanOutputsFailThoseImagesOnly()
    {
        auto loaded = loadClassifier(fixture(QStringLiteral("nan_model.pt")), DevicePreference::Cpu, 1);
        QVERIFY2(loaded.ok(), qPrintable(loaded.error()));
        // nan_model returns a tuple (logits, first values): the first tensor is the output.
        auto predictions = loaded.value()->predict(fixtureInputs());
        QVERIFY2(predictions.ok(), qPrintable(predictions.error()));
        const std::vector<float> expected = readFloats(fixture(QStringLiteral("expected_nan_model_preal.bin")));
        QCOMPARE(predictions->size(), std::size_t(4));
        QVERIFY(std::isnan(predictions->at(0).pReal));
        QVERIFY(std::isnan(predictions->at(2).pReal));
        for (std::size_t i : { std::size_t(1), std::size_t(3) }) {
            QVERIFY(std::isnan(expected[i]) == false);
            QVERIFY(std::abs(predictions->at(i).pReal - expected[i]) < 1e-4f);
        }
    }

    void cudaOnlyModelFailsWithAClearMessage()
    {
        auto probe = loadClassifier(fixture(QStringLiteral("tiny_traced.pt")), DevicePreference::Auto, 1);
        QVERIFY2(probe.ok(), qPrintable(probe.error()));
        if (probe.value()->runtime().device != QLatin1String("cpu"))
            QSKIP("this machine has CUDA; the fixture runs there");

        auto loaded = loadClassifier(fixture(QStringLiteral("cuda_only.pt")), DevicePreference::Cpu, 1);
        QVERIFY2(loaded.ok(), qPrintable(loaded.error()));
        auto predictions = loaded.value()->predict(fixtureInputs());
        QVERIFY(!predictions.ok());
        QVERIFY2(predictions.error().contains(QLatin1String("cuda_only.pt")), qPrintable(predictions.error()));
        QVERIFY2(predictions.error().contains(QLatin1String("needs CUDA")), qPrintable(predictions.error()));
    }

    void notAModelFailsNamingTheFile()
    {
        const QString path = fixture(QStringLiteral("not_a_model.pt"));
        auto loaded = loadClassifier(path, DevicePreference::Cpu, 1);
        QVERIFY(!loaded.ok());
        QVERIFY2(loaded.error().startsWith(path + QLatin1String(" is not a TorchScript model: ")),
            qPrintable(loaded.error()));
        QVERIFY2(!loaded.error().contains(QLatin1Char('\n')), qPrintable(loaded.error()));
    }

    // LibTorch's own reason survives: the file format version it found and the one it reads.
    void aFileFromANewerPyTorchSaysSo()
    {
        auto loaded = loadClassifier(fixture(QStringLiteral("newer_format.pt")), DevicePreference::Cpu);
        QVERIFY(!loaded.ok());
        for (const QString& part : { QStringLiteral("newer_format.pt"), QStringLiteral("newer PyTorch"),
                 QStringLiteral("version 99"), QStringLiteral("maximum supported version") })
            QVERIFY2(loaded.error().contains(part), qPrintable(loaded.error()));
        QVERIFY2(!loaded.error().contains(QStringLiteral("enforce fail")), qPrintable(loaded.error()));
    }

    void missingFileFailsNamingIt()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath(QStringLiteral("nowhere.pt"));
        auto loaded = loadClassifier(path, DevicePreference::Cpu, 1);
        QVERIFY(!loaded.ok());
        QVERIFY2(loaded.error().contains(path), qPrintable(loaded.error()));
        QVERIFY2(loaded.error().contains(QLatin1String("not found")), qPrintable(loaded.error()));

        QVERIFY(!loadClassifier(dir.path(), DevicePreference::Cpu, 1).ok());
    }

    void missingSidecarWarnsAndUsesDefaults()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath(QStringLiteral("plain model.pt"));
        QVERIFY(copyFile(fixture(QStringLiteral("tiny_traced.pt")), path));

        auto loaded = loadClassifier(path, DevicePreference::Cpu, 1);
        QVERIFY2(loaded.ok(), qPrintable(loaded.error()));
        const Classifier& classifier = *loaded.value();
        QCOMPARE(classifier.warnings().size(), 1);
        const QString& warning = classifier.warnings().front();
        QVERIFY2(warning.startsWith(path + QLatin1String(": no sidecar (")), qPrintable(warning));
        QVERIFY2(warning.contains(dir.filePath(QStringLiteral("plain model.json"))), qPrintable(warning));
        QVERIFY2(warning.contains(QLatin1String("224 px")), qPrintable(warning));

        const ModelSpec& spec = classifier.spec();
        QCOMPARE(spec.name, QStringLiteral("plain model"));
        QVERIFY(spec.builtin.isEmpty());
        QCOMPARE(spec.input.size, 224);
        QCOMPARE(spec.input.resizePolicy, QStringLiteral("resize-crop"));
        QCOMPARE(spec.input.resizeTo, 256);
        QCOMPARE(spec.input.mean, (std::vector<float> { 0.485f, 0.456f, 0.406f }));
        QCOMPARE(spec.input.std, (std::vector<float> { 0.229f, 0.224f, 0.225f }));
        QCOMPARE(spec.input.channelOrder, QStringLiteral("rgb"));
        QCOMPARE(spec.output, OutputKind::LogitGenerated);

        // The tiny CNN pools globally, so it runs at the default 224 px too.
        auto predictions = loaded.value()->predict({ PreparedImage { 224, std::vector<float>(3 * 224 * 224, 0.5f) } });
        QVERIFY2(predictions.ok(), qPrintable(predictions.error()));
        QVERIFY(predictions->front().pReal > 0.0f && predictions->front().pReal < 1.0f);
    }

    void sidecarIsFoundBesideTheFullName()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath(QStringLiteral("model.v2.pt"));
        QVERIFY(copyFile(fixture(QStringLiteral("tiny_traced.pt")), path));
        QVERIFY(writeFile(path + QLatin1String(".json"), R"({"input": {"size": 32}, "output": "logit-real"})"));

        QStringList warnings;
        auto spec = loadSidecar(path, &warnings);
        QVERIFY2(spec.ok(), qPrintable(spec.error()));
        QVERIFY(warnings.isEmpty());
        QCOMPARE(spec->name, QStringLiteral("model.v2"));
        QCOMPARE(spec->input.size, 32);
        QCOMPARE(spec->output, OutputKind::LogitReal);

        // `<base name>.json` comes first.
        QVERIFY(
            writeFile(dir.filePath(QStringLiteral("model.v2.json")), R"({"name": "first", "input": {"size": 64}})"));
        spec = loadSidecar(path, &warnings);
        QVERIFY2(spec.ok(), qPrintable(spec.error()));
        QCOMPARE(spec->name, QStringLiteral("first"));
        QCOMPARE(spec->input.size, 64);
    }

    void brokenSidecarFailsTheLoadNamingIt()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath(QStringLiteral("model.pt"));
        QVERIFY(copyFile(fixture(QStringLiteral("tiny_traced.pt")), path));
        const QString sidecar = dir.filePath(QStringLiteral("model.json"));
        QVERIFY(writeFile(sidecar, R"({"output": "logit-generated", "colour": "blue"})"));
        auto loaded = loadClassifier(path, DevicePreference::Cpu, 1);
        QVERIFY(!loaded.ok());
        QVERIFY2(loaded.error().startsWith(sidecar + QLatin1String(": ")), qPrintable(loaded.error()));
        QVERIFY2(loaded.error().contains(QLatin1String("\"colour\"")), qPrintable(loaded.error()));
    }

    void sidecarErrors_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QString>("expected");
        QTest::newRow("not JSON") << QByteArray("{\"output\": ") << QStringLiteral("not valid JSON");
        QTest::newRow("not an object") << QByteArray("[1, 2]") << QStringLiteral("must be a JSON object");
        QTest::newRow("unknown key") << QByteArray(R"({"outputs": "logit-generated"})")
                                     << QStringLiteral("unknown key \"outputs\"");
        QTest::newRow("unknown input key")
            << QByteArray(R"({"input": {"crop": 224}})") << QStringLiteral("unknown key \"input.crop\"");
        QTest::newRow("bad output kind") << QByteArray(R"({"output": "logits"})")
                                         << QStringLiteral("\"output\" is \"logits\", not one of");
        QTest::newRow("classes missing") << QByteArray(R"({"output": "source-classes"})")
                                         << QStringLiteral("\"classes\" must list at least 2 class names");
        QTest::newRow("one class") << QByteArray(R"({"output": "category-classes", "classes": ["cat"]})")
                                   << QStringLiteral("\"classes\" must list at least 2 class names");
        QTest::newRow("class twice") << QByteArray(R"({"output": "category-classes", "classes": ["cat", "cat"]})")
                                     << QStringLiteral("\"classes\" names \"cat\" twice");
        QTest::newRow("classes with one logit") << QByteArray(R"({"output": "logit-real", "classes": ["a", "b"]})")
                                                << QStringLiteral("\"classes\" is only used with");
        QTest::newRow("map of unknown class")
            << QByteArray(R"({"output": "source-classes", "classes": ["real", "sd"], "class_map": {"dalle": "x"}})")
            << QStringLiteral("\"class_map\" maps \"dalle\"");
        QTest::newRow("no real class") << QByteArray(
            R"({"output": "source-classes", "classes": ["sd", "dalle"], "real_source": "real"})")
                                       << QStringLiteral("\"real_source\" is \"real\", but no class maps to it");
        QTest::newRow("size too small") << QByteArray(R"({"input": {"size": 4}})")
                                        << QStringLiteral("\"input.size\" is 4, outside 8..2048");
        QTest::newRow("size too large") << QByteArray(R"({"input": {"size": 4096}})")
                                        << QStringLiteral("\"input.size\" is 4096, outside 8..2048");
        QTest::newRow("size not whole") << QByteArray(R"({"input": {"size": 32.5}})")
                                        << QStringLiteral("\"input.size\" must be a whole number");
        QTest::newRow("crop larger than resize") << QByteArray(R"({"input": {"size": 224, "resize_to": 200}})")
                                                 << QStringLiteral("\"input.resize_to\" is 200, smaller than");
        QTest::newRow("std zero") << QByteArray(R"({"input": {"std": [0.2, 0, 0.2]}})")
                                  << QStringLiteral("\"input.std\" must be greater than 0");
        // Found by fuzz_model_sidecar: a finite double beyond a float's range became infinity.
        QTest::newRow("std beyond a float") << QByteArray(R"({"input": {"std": [0.25, 5, 1e90]}})")
                                            << QStringLiteral("\"input.std\" holds 1e+90, beyond a 32-bit float");
        QTest::newRow("mean of 2") << QByteArray(R"({"input": {"mean": [0.5, 0.5]}})")
                                   << QStringLiteral("\"input.mean\" must be a list of 3 numbers");
        QTest::newRow("mean not numbers") << QByteArray(R"({"input": {"mean": ["a", 0.5, 0.5]}})")
                                          << QStringLiteral("\"input.mean\" must be a list of 3 numbers");
        QTest::newRow("channel order") << QByteArray(R"({"input": {"channel_order": "rgba"}})")
                                       << QStringLiteral("\"input.channel_order\" is \"rgba\"");
        QTest::newRow("resize policy") << QByteArray(R"({"input": {"resize_policy": "stretch"}})")
                                       << QStringLiteral("\"input.resize_policy\" is \"stretch\"");
        QTest::newRow("name not a string")
            << QByteArray(R"({"name": 3})") << QStringLiteral("\"name\" must be a string");
    }

    void sidecarErrors()
    {
        QFETCH(QByteArray, json);
        QFETCH(QString, expected);
        auto spec = parseModelSpec(json, QStringLiteral("/models/detector.json"));
        QVERIFY(!spec.ok());
        QVERIFY2(spec.error().startsWith(QLatin1String("/models/detector.json: ")), qPrintable(spec.error()));
        QVERIFY2(spec.error().contains(expected), qPrintable(spec.error()));
    }

    void sidecarRoundTrip()
    {
        ModelSpec spec;
        spec.name = QStringLiteral("ViT-S (4 sources)");
        spec.input.size = 384;
        spec.input.resizePolicy = QStringLiteral("resize");
        spec.input.resizeTo = 384;
        spec.input.mean = { 0.5f, 0.5f, 0.5f };
        spec.input.std = { 0.229f, 0.224f, 0.225f };
        spec.input.channelOrder = QStringLiteral("bgr");
        spec.output = OutputKind::SourceClasses;
        spec.classes = QStringList { QStringLiteral("camera"), QStringLiteral("sd21"), QStringLiteral("dalle2") };
        spec.classMap.insert(QStringLiteral("camera"), QStringLiteral("real"));

        const QByteArray json = modelSpecToJson(spec);
        QVERIFY2(json.contains("0.229,") || json.contains("0.229\n"), json.constData());
        auto back = parseModelSpec(json, QStringLiteral("round trip"));
        QVERIFY2(back.ok(), qPrintable(back.error()));
        QCOMPARE(back->name, spec.name);
        QCOMPARE(back->input.size, 384);
        QCOMPARE(back->input.resizePolicy, spec.input.resizePolicy);
        QCOMPARE(back->input.mean, spec.input.mean);
        QCOMPARE(back->input.std, spec.input.std);
        QCOMPARE(back->input.channelOrder, spec.input.channelOrder);
        QCOMPARE(back->output, spec.output);
        QCOMPARE(back->classes, spec.classes);
        QCOMPARE(back->classMap, spec.classMap);
        QCOMPARE(back->realSource, spec.realSource);
        QCOMPARE(back->outputCount(), 3);

        for (OutputKind kind : { OutputKind::LogitGenerated, OutputKind::ProbabilityGenerated, OutputKind::LogitReal,
                 OutputKind::ProbabilityReal, OutputKind::SourceClasses, OutputKind::CategoryClasses })
            QCOMPARE(outputKindFromName(outputKindName(kind)), std::optional<OutputKind>(kind));
        QVERIFY(!outputKindFromName(QStringLiteral("logit")).has_value());
    }

    void sizeAloneKeepsTheCropRatio()
    {
        auto spec = parseModelSpec(R"({"input": {"size": 112}})", QStringLiteral("x.json"));
        QVERIFY2(spec.ok(), qPrintable(spec.error()));
        QCOMPARE(spec->input.resizeTo, 128);
    }

    // Pixel values written with OpenCV (BGR) come out in the spec's channel order, scaled to 0..1,
    // minus mean over std, channel by channel.
    void channelOrderAndNormalisation_data()
    {
        QTest::addColumn<QString>("order");
        QTest::newRow("rgb") << QStringLiteral("rgb");
        QTest::newRow("bgr") << QStringLiteral("bgr");
    }

    void channelOrderAndNormalisation()
    {
        QFETCH(QString, order);
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath(QStringLiteral("pixels.png"));
        cv::Mat image(2, 2, CV_8UC3);
        image.at<cv::Vec3b>(0, 0) = { 10, 20, 30 }; // B, G, R
        image.at<cv::Vec3b>(0, 1) = { 40, 50, 60 };
        image.at<cv::Vec3b>(1, 0) = { 200, 100, 0 };
        image.at<cv::Vec3b>(1, 1) = { 255, 128, 1 };
        QVERIFY(cv::imwrite(QFile::encodeName(path).toStdString(), image));

        InputSpec input = plainInput(2);
        input.mean = { 0.1f, 0.2f, 0.3f };
        input.std = { 0.5f, 0.25f, 0.2f };
        input.channelOrder = order;
        auto prepared = prepareImageFile(path, input);
        QVERIFY2(prepared.ok(), qPrintable(prepared.error()));
        QCOMPARE(prepared->size, 2);
        QCOMPARE(prepared->chw.size(), std::size_t(12));
        for (int y = 0; y < 2; ++y) {
            for (int x = 0; x < 2; ++x) {
                const cv::Vec3b bgr = image.at<cv::Vec3b>(y, x);
                for (int c = 0; c < 3; ++c) {
                    const int source = order == QLatin1String("rgb") ? 2 - c : c;
                    const float expected = (bgr[source] / 255.0f - input.mean[c]) / input.std[c];
                    QVERIFY2(std::abs(at(prepared.value(), c, y, x) - expected) < 1e-5f,
                        qPrintable(QStringLiteral("channel %1 at (%2, %3): %4, expected %5")
                                       .arg(c)
                                       .arg(x)
                                       .arg(y)
                                       .arg(at(prepared.value(), c, y, x))
                                       .arg(expected)));
                }
            }
        }
    }

    // Geometry as torchvision's Resize(resizeTo) + CenterCrop(size): the short side scaled to
    // resizeTo, the long side truncated, the crop offset int(round(d / 2.0)) with halves to even.
    // Pixels encode their position: blue = 10 x, green = 10 y.
    void resizeCropGeometry_data()
    {
        QTest::addColumn<int>("width");
        QTest::addColumn<int>("height");
        QTest::addColumn<int>("resizeTo");
        QTest::addColumn<int>("size");
        QTest::addColumn<double>("firstBlue"); // of the output's top-left pixel, 0..255
        QTest::addColumn<double>("firstGreen");
        QTest::newRow("no scaling, even margin") << 6 << 2 << 2 << 2 << 20.0 << 0.0;
        QTest::newRow("no scaling, margin 3 rounds to 2") << 5 << 2 << 2 << 2 << 20.0 << 0.0;
        QTest::newRow("no scaling, margin 1 rounds to 0") << 3 << 2 << 2 << 2 << 0.0 << 0.0;
        QTest::newRow("no scaling, margin 5 rounds to 2") << 7 << 2 << 2 << 2 << 20.0 << 0.0;
        QTest::newRow("portrait") << 2 << 6 << 2 << 2 << 0.0 << 20.0;
        // 8 x 4 scaled to 4 x 2: output pixel j is the mean of columns 2j and 2j + 1; crop from column 1.
        QTest::newRow("halved") << 8 << 4 << 2 << 2 << 25.0 << 5.0;
        // 11 x 4 scaled to 5 x 2 (int(2 * 11 / 4) = 5, truncated as torchvision does; rounding would
        // give 6): output column 2 samples x = 2.5 * 11 / 5 - 0.5 = 5.
        QTest::newRow("long side truncated") << 11 << 4 << 2 << 2 << 50.0 << 5.0;
    }

    void resizeCropGeometry()
    {
        QFETCH(int, width);
        QFETCH(int, height);
        QFETCH(int, resizeTo);
        QFETCH(int, size);
        QFETCH(double, firstBlue);
        QFETCH(double, firstGreen);
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath(QStringLiteral("ramp.png"));
        cv::Mat image(height, width, CV_8UC3);
        for (int y = 0; y < height; ++y) {
            for (int x = 0; x < width; ++x)
                image.at<cv::Vec3b>(y, x) = { uchar(10 * x), uchar(10 * y), 100 };
        }
        QVERIFY(cv::imwrite(QFile::encodeName(path).toStdString(), image));

        InputSpec input = plainInput(size);
        input.resizePolicy = QStringLiteral("resize-crop");
        input.resizeTo = resizeTo;
        // Geometry is the same with and without antialiasing; the plain interpolation keeps the
        // expected values a line of arithmetic (tst_preprocess checks both against torchvision).
        input.antialias = false;
        auto prepared = prepareImageFile(path, input);
        QVERIFY2(prepared.ok(), qPrintable(prepared.error()));
        QCOMPARE(prepared->size, size);
        QCOMPARE(prepared->chw.size(), std::size_t(3 * size * size));
        // RGB order: channel 0 red, 1 green, 2 blue.
        QVERIFY(std::abs(at(prepared.value(), 0, 0, 0) - 100.0f / 255.0f) < 1e-5f);
        QVERIFY2(std::abs(at(prepared.value(), 2, 0, 0) - float(firstBlue / 255.0)) < 1e-5f,
            qPrintable(QString::number(at(prepared.value(), 2, 0, 0) * 255.0f)));
        QVERIFY2(std::abs(at(prepared.value(), 1, 0, 0) - float(firstGreen / 255.0)) < 1e-5f,
            qPrintable(QString::number(at(prepared.value(), 1, 0, 0) * 255.0f)));
    }

    void resizeScalesStraightToTheSquare()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath(QStringLiteral("wide.png"));
        // Constant colour: bilinear scaling keeps it exactly, whatever the aspect ratio.
        QVERIFY(cv::imwrite(QFile::encodeName(path).toStdString(), cv::Mat(30, 90, CV_8UC3, cv::Scalar(51, 102, 204))));
        auto prepared = prepareImageFile(path, plainInput(16));
        QVERIFY2(prepared.ok(), qPrintable(prepared.error()));
        QCOMPARE(prepared->size, 16);
        QCOMPARE(prepared->chw.size(), std::size_t(3 * 16 * 16));
        QVERIFY(std::abs(at(prepared.value(), 0, 15, 15) - 0.8f) < 1e-5f);
        QVERIFY(std::abs(at(prepared.value(), 1, 7, 3) - 0.4f) < 1e-5f);
        QVERIFY(std::abs(at(prepared.value(), 2, 0, 0) - 0.2f) < 1e-5f);
    }

    void greyImagesGetThreeChannels()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath(QStringLiteral("grey.png"));
        QVERIFY(cv::imwrite(QFile::encodeName(path).toStdString(), cv::Mat(4, 4, CV_8UC1, cv::Scalar(153))));
        auto prepared = prepareImageFile(path, plainInput(4));
        QVERIFY2(prepared.ok(), qPrintable(prepared.error()));
        for (int c = 0; c < 3; ++c)
            QVERIFY(std::abs(at(prepared.value(), c, 1, 2) - 0.6f) < 1e-5f);
    }

    void undecodableImageFailsNamingIt()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString broken = dir.filePath(QStringLiteral("broken.jpg"));
        QVERIFY(writeFile(broken, QByteArray("this is not a JPEG")));
        auto prepared = prepareImageFile(broken, plainInput(8));
        QVERIFY(!prepared.ok());
        QVERIFY2(prepared.error().startsWith(broken + QLatin1String(": ")), qPrintable(prepared.error()));

        const QString missing = dir.filePath(QStringLiteral("missing.png"));
        prepared = prepareImageFile(missing, plainInput(8));
        QVERIFY(!prepared.ok());
        QVERIFY2(prepared.error().startsWith(missing + QLatin1String(": ")), qPrintable(prepared.error()));
    }
};

QTEST_GUILESS_MAIN(Test_classifier)
#include "tst_classifier.moc"
