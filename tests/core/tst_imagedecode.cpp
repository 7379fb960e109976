// Decoding against Pillow: tests/data/alpha/ holds images with transparency and EXIF orientation and
// what Pillow's Image.alpha_composite (after ImageOps.exif_transpose) made of them on three
// backgrounds (tests/data/make_alpha_fixtures.py). Every pixel must be equal.

#include "models/preprocess.h"
#include "pool/imagedecode.h"
#include "pool/imagefileinfo.h"

#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

using namespace ntt;

namespace {

const QString fixtureDir = QStringLiteral(NTT_TEST_DATA_DIR "/alpha");

QString fixture(const QString& name)
{
    return fixtureDir + QLatin1Char('/') + name;
}

QByteArray readAll(const QString& path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

} // namespace

class Test_imagedecode : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void compositesAsPillow_data()
    {
        QTest::addColumn<QString>("image");
        QTest::addColumn<QString>("background");
        for (const char* image : { "rgba.png", "la.png", "rgba.webp", "oriented6.png" })
            for (const char* background : { "ffffff", "000000", "1f61c8" })
                QTest::newRow(qPrintable(QStringLiteral("%1 on %2").arg(image, background)))
                    << QString::fromLatin1(image) << QString::fromLatin1(background);
    }

    // Pillow's integer compositing, pixel for pixel, for every alpha value 0..255.
    void compositesAsPillow()
    {
        QFETCH(QString, image);
        QFETCH(QString, background);
        const auto colour = parseBackground(QLatin1Char('#') + background);
        QVERIFY2(colour.ok(), qPrintable(colour.error()));
        const auto decoded = readImageBgr(fixture(image), 1, colour.value());
        QVERIFY2(decoded.ok(), qPrintable(decoded.error()));
        QCOMPARE(decoded->type(), CV_8UC3);
        QCOMPARE(decoded->cols, 64);
        QCOMPARE(decoded->rows, 48);
        const QByteArray expected
            = readAll(fixture(QStringLiteral("expected_%1_%2.rgb")
                                  .arg(QString(image).replace(QLatin1Char('.'), QLatin1Char('_')), background)));
        QCOMPARE(expected.size(), 64 * 48 * 3);
        int differing = 0;
        for (int y = 0; y < 48; ++y)
            for (int x = 0; x < 64; ++x)
                for (int c = 0; c < 3; ++c)
                    differing += decoded->at<cv::Vec3b>(y, x)[2 - c] != uchar(expected[(y * 64 + x) * 3 + c]);
        QCOMPARE(differing, 0);
    }

    // The fixture's fully transparent pixels hold pure red: people and models must see the background.
    void transparentRedIsNeverShown()
    {
        const auto onGrey = readImageBgr(fixture(QStringLiteral("rgba.png")), 1, Background { 128, 128, 128 });
        QVERIFY2(onGrey.ok(), qPrintable(onGrey.error()));
        QCOMPARE(onGrey->at<cv::Vec3b>(3, 5), cv::Vec3b(128, 128, 128));
        const auto onWhite = readImageBgr(fixture(QStringLiteral("rgba.png")));
        QCOMPARE(onWhite->at<cv::Vec3b>(3, 5), cv::Vec3b(255, 255, 255));
    }

    // A PNG's eXIf orientation: recorded, displayed size reported, and applied with alpha kept.
    void pngOrientationIsApplied()
    {
        const auto info = inspectImageFile(fixture(QStringLiteral("oriented6.png")));
        QVERIFY2(info.ok(), qPrintable(info.error()));
        QCOMPARE(info->orientation, 6);
        QVERIFY(info->hasExif);
        QCOMPARE(info->width, 64); // stored 48 x 64, displayed 64 x 48
        QCOMPARE(info->height, 48);
        const auto upright = readImageBgr(fixture(QStringLiteral("oriented6.png")));
        QVERIFY(upright.ok());
        QCOMPARE(upright->cols, 64);
    }

    // Model inputs see the composite: the transparent file and its flattened copy give one tensor.
    void modelInputsUseTheComposite()
    {
        const auto flat = readImageBgr(fixture(QStringLiteral("rgba.png")));
        QVERIFY(flat.ok());
        QTemporaryDir dir;
        const QString flatPath = dir.filePath(QStringLiteral("flat.png"));
        QVERIFY(cv::imwrite(QFile::encodeName(flatPath).toStdString(), flat.value()));
        InputSpec input;
        input.size = 32;
        input.resizePolicy = QStringLiteral("resize");
        const auto fromAlpha = prepareImageFile(fixture(QStringLiteral("rgba.png")), input);
        const auto fromFlat = prepareImageFile(flatPath, input);
        QVERIFY2(fromAlpha.ok(), qPrintable(fromAlpha.error()));
        QVERIFY2(fromFlat.ok(), qPrintable(fromFlat.error()));
        QVERIFY(fromAlpha->chw == fromFlat->chw);
    }

    void alphaIsMeasuredAtImport()
    {
        const auto alpha = verifyImageDataDecodes(readAll(fixture(QStringLiteral("rgba.png"))));
        QCOMPARE(alpha.value(), QStringLiteral("transparent"));
        const auto flat = readImageBgr(fixture(QStringLiteral("rgba.png")));
        std::vector<uchar> png;
        cv::imencode(".png", flat.value(), png);
        QCOMPARE(verifyImageDataDecodes(QByteArray(reinterpret_cast<const char*>(png.data()), qsizetype(png.size())))
                     .value(),
            QStringLiteral("none"));
        cv::Mat opaque;
        cv::cvtColor(flat.value(), opaque, cv::COLOR_BGR2BGRA);
        cv::imencode(".png", opaque, png);
        QCOMPARE(verifyImageDataDecodes(QByteArray(reinterpret_cast<const char*>(png.data()), qsizetype(png.size())))
                     .value(),
            QStringLiteral("opaque"));
    }

    void parsesBackgrounds_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("name"); // empty: refused
        QTest::newRow("hex") << "#1F61c8"
                             << "#1f61c8";
        QTest::newRow("short hex") << "#fa0"
                                   << "#ffaa00";
        QTest::newRow("white") << "White"
                               << "#ffffff";
        QTest::newRow("black") << "black"
                               << "#000000";
        QTest::newRow("grey") << "gray"
                              << "#808080";
        QTest::newRow("no hash") << "ffffff"
                                 << "";
        QTest::newRow("bad digit") << "#ggg000"
                                   << "";
        QTest::newRow("css name") << "rebeccapurple"
                                  << "";
        QTest::newRow("empty") << ""
                               << "";
    }

    void parsesBackgrounds()
    {
        QFETCH(QString, text);
        QFETCH(QString, name);
        const auto parsed = parseBackground(text);
        if (name.isEmpty()) {
            QVERIFY(!parsed.ok());
            QVERIFY2(parsed.error().contains(QStringLiteral("\"%1\"").arg(text)), qPrintable(parsed.error()));
        } else {
            QVERIFY2(parsed.ok(), qPrintable(parsed.error()));
            QCOMPARE(parsed->name(), name);
        }
    }
};

QTEST_APPLESS_MAIN(Test_imagedecode)
#include "tst_imagedecode.moc"
