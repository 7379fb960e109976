#include "study/stimulus.h"

#include <QCryptographicHash>
#include <QTemporaryDir>
#include <QtEndian>
#include <QtTest>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include <functional>

using namespace ntt;

namespace {

struct Rgba
{
    int r, g, b, a = 255;
};
using PixelFn = std::function<Rgba(int x, int y)>;

enum class PngKind { Grey, Rgb, Rgba, Rgb16 };

quint32 crc32(const QByteArray& data)
{
    quint32 crc = 0xffffffffu;
    for (const char c : data) {
        crc ^= static_cast<uchar>(c);
        for (int k = 0; k < 8; ++k)
            crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
    }
    return ~crc;
}

QByteArray bigEndian(quint32 value)
{
    QByteArray bytes(4, Qt::Uninitialized);
    qToBigEndian(value, bytes.data());
    return bytes;
}

QByteArray chunk(const char* type, const QByteArray& data)
{
    const QByteArray typed = QByteArray(type) + data;
    return bigEndian(static_cast<quint32>(data.size())) + typed + bigEndian(crc32(typed));
}

/// A PNG written byte by byte, independent of the OpenCV code under test: its channel order is RGB
/// by the PNG specification, so a loader that forgets BGR to RGB fails.
QByteArray png(int width, int height, PngKind kind, const PixelFn& pixel)
{
    const int colourType = kind == PngKind::Grey ? 0 : kind == PngKind::Rgba ? 6 : 2;
    const int bitDepth = kind == PngKind::Rgb16 ? 16 : 8;
    QByteArray header = bigEndian(width) + bigEndian(height);
    header += char(bitDepth);
    header += char(colourType);
    header += QByteArray(3, '\0');

    QByteArray raw;
    for (int y = 0; y < height; ++y) {
        raw += '\0'; // filter: none
        for (int x = 0; x < width; ++x) {
            const Rgba p = pixel(x, y);
            switch (kind) {
            case PngKind::Grey:
                raw += char(p.r);
                break;
            case PngKind::Rgb:
                raw += char(p.r);
                raw += char(p.g);
                raw += char(p.b);
                break;
            case PngKind::Rgba:
                raw += char(p.r);
                raw += char(p.g);
                raw += char(p.b);
                raw += char(p.a);
                break;
            case PngKind::Rgb16:
                for (int v : { p.r, p.g, p.b }) {
                    raw += char(v);
                    raw += char(v); // 0xVV VV: the 8-bit value scaled to 16 bits
                }
                break;
            }
        }
    }
    // qCompress prefixes the zlib stream with its own 4-byte length, which PNG does not want.
    const QByteArray zlib = qCompress(raw).mid(4);
    return QByteArray("\x89PNG\r\n\x1a\n", 8) + chunk("IHDR", header) + chunk("IDAT", zlib) + chunk("IEND", {});
}

QString writeFile(const QTemporaryDir& dir, const QString& name, const QByteArray& bytes)
{
    const QString path = dir.filePath(name);
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size())
        return {};
    return path;
}

QByteArray readAll(const QString& path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

QString sha256(const QByteArray& bytes)
{
    return QString::fromLatin1(QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex());
}

Rgba pixelAt(const RgbImage& image, int x, int y)
{
    const auto* p
        = reinterpret_cast<const uchar*>(image.pixels.constData()) + 3 * (static_cast<qsizetype>(y) * image.width + x);
    return { p[0], p[1], p[2] };
}

// Fine deterministic texture, so that JPEG quality shows in the file size.
Rgba texture(int x, int y)
{
    quint32 h = static_cast<quint32>(x) * 73856093u ^ static_cast<quint32>(y) * 19349663u;
    h = (h ^ (h >> 13)) * 0x5bd1e995u;
    return { int(h & 0xff), int((h >> 8) & 0xff), int((h >> 16) & 0xff) };
}

PoolImage poolImage(const QString& path, qint64 id)
{
    PoolImage image;
    image.id = id;
    image.path = path;
    image.relativePath = QFileInfo(path).fileName();
    image.sha256 = sha256(readAll(path));
    image.alpha = QStringLiteral("none"); // as the importer records these test images
    return image;
}

StimulusNormalisation normalisation(int size, const QString& format, int quality)
{
    StimulusNormalisation n;
    n.enabled = true;
    n.size = size;
    n.format = format;
    n.quality = quality;
    return n;
}

} // namespace

class Test_stimulus : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void fitsWithinBox_data();
    void fitsWithinBox();
    void channelOrderIsRgb_data();
    void channelOrderIsRgb();
    void rowsArePacked();
    void unreadableFileNamesIt();
    void normalisesToJpegSquare();
    void coverCropsTheCentre();
    void enlargesSmallImages();
    void pngIsLossless();
    void frequencyFilteredCopiesAreTheFilter();
    void jpegQualityHonoured();
    void reusesExistingOutputs();
    void settingsDoNotShareFiles();
    void hashesSourceWhenUnknown();
    void rejectsBadSettings_data();
    void rejectsBadSettings();
    void brokenSourceNamesIt();
    void cancelStops();
    void transparencyShowsTheBackground();
    void normalisedTransparentCopyNamesItsBackground();
    void flattensOnlyTransparentImages();
    void whiteWithoutNormalisationShowsOriginals();

private:
    QTemporaryDir m_dir;
};

void Test_stimulus::fitsWithinBox_data()
{
    QTest::addColumn<int>("width");
    QTest::addColumn<int>("height");
    QTest::addColumn<int>("maxWidth");
    QTest::addColumn<int>("maxHeight");
    QTest::addColumn<int>("expectedWidth");
    QTest::addColumn<int>("expectedHeight");
    QTest::newRow("wide into square") << 400 << 200 << 100 << 100 << 100 << 50;
    QTest::newRow("tall into square") << 200 << 400 << 100 << 100 << 50 << 100;
    QTest::newRow("height limits") << 400 << 200 << 1000 << 50 << 100 << 50;
    QTest::newRow("never upscaled") << 50 << 30 << 100 << 100 << 50 << 30;
    QTest::newRow("exact fit") << 100 << 100 << 100 << 100 << 100 << 100;
}

void Test_stimulus::fitsWithinBox()
{
    QFETCH(int, width);
    QFETCH(int, height);
    QFETCH(int, maxWidth);
    QFETCH(int, maxHeight);
    QFETCH(int, expectedWidth);
    QFETCH(int, expectedHeight);
    const QString path = writeFile(m_dir, QStringLiteral("fit-%1x%2.png").arg(width).arg(height),
        png(width, height, PngKind::Rgb, [](int x, int y) {
            return Rgba { x % 256, y % 256, 128 };
        }));
    const auto image = loadStimulus(path, maxWidth, maxHeight);
    QVERIFY2(image.ok(), qPrintable(image.error()));
    QCOMPARE(image->width, expectedWidth);
    QCOMPARE(image->height, expectedHeight);
    QCOMPARE(image->pixels.size(), qsizetype(3) * expectedWidth * expectedHeight);
}

void Test_stimulus::channelOrderIsRgb_data()
{
    QTest::addColumn<int>("kind");
    QTest::addColumn<int>("red");
    QTest::addColumn<int>("green");
    QTest::addColumn<int>("blue");
    QTest::newRow("rgb") << int(PngKind::Rgb) << 255 << 0 << 0;
    QTest::newRow("rgba") << int(PngKind::Rgba) << 255 << 0 << 0;
    QTest::newRow("rgb 16-bit") << int(PngKind::Rgb16) << 255 << 0 << 0;
    QTest::newRow("grey") << int(PngKind::Grey) << 200 << 200 << 200;
}

void Test_stimulus::channelOrderIsRgb()
{
    QFETCH(int, kind);
    QFETCH(int, red);
    QFETCH(int, green);
    QFETCH(int, blue);
    const QString path
        = writeFile(m_dir, QStringLiteral("colour-%1.png").arg(kind), png(40, 20, PngKind(kind), [&](int, int) {
              return Rgba { red, green, blue, 255 };
          }));
    const auto image = loadStimulus(path, 20, 20);
    QVERIFY2(image.ok(), qPrintable(image.error()));
    QCOMPARE(image->width, 20);
    QCOMPARE(image->height, 10);
    QCOMPARE(image->pixels.size(), 3 * 20 * 10);
    for (int y : { 0, 9 }) {
        for (int x : { 0, 19 }) {
            const Rgba p = pixelAt(image.value(), x, y);
            QCOMPARE(p.r, red);
            QCOMPARE(p.g, green);
            QCOMPARE(p.b, blue);
        }
    }
}

// An odd width makes rows of 3 * 101 bytes, which no aligned stride would give.
void Test_stimulus::rowsArePacked()
{
    const QString path = writeFile(m_dir, "packed.png", png(101, 7, PngKind::Rgb, [](int x, int y) {
        return Rgba { x, 10 * y, 7 };
    }));
    const auto image = loadStimulus(path, 1000, 1000);
    QVERIFY2(image.ok(), qPrintable(image.error()));
    QCOMPARE(image->pixels.size(), 3 * 101 * 7);
    for (int y = 0; y < 7; ++y) {
        for (int x : { 0, 50, 100 }) {
            const Rgba p = pixelAt(image.value(), x, y);
            QCOMPARE(p.r, x);
            QCOMPARE(p.g, 10 * y);
            QCOMPARE(p.b, 7);
        }
    }
}

void Test_stimulus::unreadableFileNamesIt()
{
    const QString broken = writeFile(m_dir, "broken.png", QByteArray("\x89PNG\r\n\x1a\nthis is not an image", 28));
    auto image = loadStimulus(broken, 100, 100);
    QVERIFY(!image.ok());
    QVERIFY2(image.error().contains(broken), qPrintable(image.error()));

    const QString missing = m_dir.filePath("missing.png");
    image = loadStimulus(missing, 100, 100);
    QVERIFY(!image.ok());
    QVERIFY2(image.error().contains(missing), qPrintable(image.error()));
}

void Test_stimulus::normalisesToJpegSquare()
{
    QTemporaryDir out;
    const QString first = writeFile(m_dir, "norm-a.png", png(300, 200, PngKind::Rgb, texture));
    const QString second = writeFile(m_dir, "norm-b.png", png(90, 120, PngKind::Grey, [](int x, int y) {
        return Rgba { x + y, 0, 0 };
    }));
    const std::vector<PoolImage> images = { poolImage(first, 11), poolImage(second, 12) };
    const QString folder = out.filePath("stimuli/nested"); // created on demand
    const auto result = normaliseStimuli(images, normalisation(64, "jpeg", 90), folder, CancelToken(), {});
    QVERIFY2(result.ok(), qPrintable(result.error()));
    QCOMPARE(result->size(), std::size_t(2));
    QStringList expectedNames;
    for (std::size_t i = 0; i < images.size(); ++i) {
        const NormalisedStimulus& s = result->at(i);
        QCOMPARE(s.imageId, images[i].id);
        const QString name = images[i].sha256 + "-64-q90.jpg";
        expectedNames << name;
        QCOMPARE(s.path, QDir(folder).absoluteFilePath(name));
        const QByteArray bytes = readAll(s.path);
        QVERIFY(bytes.startsWith("\xff\xd8\xff"));
        QCOMPARE(s.sha256, sha256(bytes));
        const auto decoded = loadStimulus(s.path, 4096, 4096);
        QVERIFY2(decoded.ok(), qPrintable(decoded.error()));
        QCOMPARE(decoded->width, 64);
        QCOMPARE(decoded->height, 64);
    }
    // Written through temporary files: nothing else is left in the folder.
    expectedNames.sort();
    QCOMPARE(QDir(folder).entryList(QDir::Files, QDir::Name), expectedNames);
}

void Test_stimulus::coverCropsTheCentre()
{
    // Red, green and blue thirds: covering a square keeps only the green middle.
    const QString path = writeFile(m_dir, "thirds.png", png(300, 100, PngKind::Rgb, [](int x, int) {
        return x < 100 ? Rgba { 255, 0, 0 } : x < 200 ? Rgba { 0, 255, 0 } : Rgba { 0, 0, 255 };
    }));
    QTemporaryDir out;
    const auto result
        = normaliseStimuli({ poolImage(path, 1) }, normalisation(50, "png", 90), out.path(), CancelToken(), {});
    QVERIFY2(result.ok(), qPrintable(result.error()));
    const auto image = loadStimulus(result->front().path, 4096, 4096);
    QVERIFY2(image.ok(), qPrintable(image.error()));
    QCOMPARE(image->width, 50);
    QCOMPARE(image->height, 50);
    for (int x : { 0, 25, 49 }) {
        for (int y : { 0, 49 }) {
            const Rgba p = pixelAt(image.value(), x, y);
            QVERIFY2(p.g > 240 && p.r < 15 && p.b < 15, qPrintable(QStringLiteral("%1,%2").arg(x).arg(y)));
        }
    }
}

void Test_stimulus::enlargesSmallImages()
{
    const QString path = writeFile(m_dir, "small.png", png(20, 10, PngKind::Rgb, texture));
    QTemporaryDir out;
    const auto result
        = normaliseStimuli({ poolImage(path, 1) }, normalisation(64, "jpeg", 80), out.path(), CancelToken(), {});
    QVERIFY2(result.ok(), qPrintable(result.error()));
    const auto image = loadStimulus(result->front().path, 4096, 4096);
    QVERIFY2(image.ok(), qPrintable(image.error()));
    QCOMPARE(image->width, 64);
    QCOMPARE(image->height, 64);
}

void Test_stimulus::pngIsLossless()
{
    const QString path = writeFile(m_dir, "exact.png", png(32, 32, PngKind::Rgb, texture));
    QTemporaryDir out;
    const auto result
        = normaliseStimuli({ poolImage(path, 1) }, normalisation(32, "png", 90), out.path(), CancelToken(), {});
    QVERIFY2(result.ok(), qPrintable(result.error()));
    QVERIFY(result->front().path.endsWith("-32.png"));
    QVERIFY(readAll(result->front().path).startsWith("\x89PNG"));
    const auto original = loadStimulus(path, 4096, 4096);
    const auto normalised = loadStimulus(result->front().path, 4096, 4096);
    QVERIFY(original.ok() && normalised.ok());
    QCOMPARE(normalised->pixels, original->pixels);
}

// People can be shown the same filtered copies a model's frequency analysis judges.
void Test_stimulus::frequencyFilteredCopiesAreTheFilter()
{
    const QString path = writeFile(m_dir, "filtered.png", png(32, 32, PngKind::Rgb, texture));
    QTemporaryDir out;
    StimulusNormalisation n = normalisation(32, "png", 90);
    n.filter = parseFrequencyFilter(QStringLiteral("low:4")).value();
    const auto result = normaliseStimuli({ poolImage(path, 1) }, n, out.path(), CancelToken(), {});
    QVERIFY2(result.ok(), qPrintable(result.error()));
    QVERIFY2(result->front().path.endsWith("-32-lp4.png"), qPrintable(result->front().path));
    const cv::Mat original = cv::imread(path.toStdString(), cv::IMREAD_COLOR);
    const cv::Mat copy = cv::imread(result->front().path.toStdString(), cv::IMREAD_COLOR);
    const cv::Mat expected = filterFrequencies(original, n.filter, path).value();
    QCOMPARE(cv::norm(copy, expected, cv::NORM_INF), 0.0);
    QVERIFY(cv::norm(copy, original, cv::NORM_INF) > 10.0); // the texture's fine detail is gone
}

void Test_stimulus::jpegQualityHonoured()
{
    const QString path = writeFile(m_dir, "textured.png", png(128, 128, PngKind::Rgb, texture));
    QTemporaryDir low, high;
    const auto small
        = normaliseStimuli({ poolImage(path, 1) }, normalisation(128, "jpeg", 30), low.path(), CancelToken(), {});
    const auto large
        = normaliseStimuli({ poolImage(path, 1) }, normalisation(128, "jpeg", 95), high.path(), CancelToken(), {});
    QVERIFY2(small.ok(), qPrintable(small.error()));
    QVERIFY2(large.ok(), qPrintable(large.error()));
    const qint64 smallSize = QFileInfo(small->front().path).size();
    const qint64 largeSize = QFileInfo(large->front().path).size();
    QVERIFY2(smallSize * 3 / 2 < largeSize,
        qPrintable(QStringLiteral("q30 %1 bytes, q95 %2 bytes").arg(smallSize).arg(largeSize)));
}

void Test_stimulus::reusesExistingOutputs()
{
    const QString path = writeFile(m_dir, "reuse.png", png(80, 60, PngKind::Rgb, texture));
    QTemporaryDir out;
    const auto settings = normalisation(48, "jpeg", 85);
    const auto first = normaliseStimuli({ poolImage(path, 1) }, settings, out.path(), CancelToken(), {});
    QVERIFY2(first.ok(), qPrintable(first.error()));

    // Mark the output: a re-encode would overwrite the mark, reuse keeps it and reports its hash.
    const QString output = first->front().path;
    QByteArray marked = readAll(output);
    marked.append("reused");
    QCOMPARE(writeFile(out, QFileInfo(output).fileName(), marked), output);

    qint64 progressCalls = 0;
    const auto second = normaliseStimuli(
        { poolImage(path, 1) }, settings, out.path(), CancelToken(), [&](qint64 done, qint64 total, const QString&) {
            QCOMPARE(total, 1);
            progressCalls = done;
        });
    QVERIFY2(second.ok(), qPrintable(second.error()));
    QCOMPARE(second->front().path, output);
    QCOMPARE(readAll(output), marked);
    QCOMPARE(second->front().sha256, sha256(marked));
    QCOMPARE(progressCalls, 1);
}

// One stimulus folder serves every study of a study file: other settings must give other files.
void Test_stimulus::settingsDoNotShareFiles()
{
    const QString path = writeFile(m_dir, "shared.png", png(80, 60, PngKind::Rgb, texture));
    QTemporaryDir out;
    const auto small
        = normaliseStimuli({ poolImage(path, 1) }, normalisation(32, "jpeg", 85), out.path(), CancelToken(), {});
    const auto large
        = normaliseStimuli({ poolImage(path, 1) }, normalisation(64, "jpeg", 85), out.path(), CancelToken(), {});
    QVERIFY(small.ok() && large.ok());
    QVERIFY(small->front().path != large->front().path);
    const auto image = loadStimulus(large->front().path, 4096, 4096);
    QVERIFY(image.ok());
    QCOMPARE(image->width, 64);
}

void Test_stimulus::hashesSourceWhenUnknown()
{
    const QString path = writeFile(m_dir, "nohash.png", png(40, 40, PngKind::Rgb, texture));
    PoolImage image = poolImage(path, 3);
    image.sha256.clear();
    QTemporaryDir out;
    const auto result = normaliseStimuli({ image }, normalisation(32, "jpeg", 90), out.path(), CancelToken(), {});
    QVERIFY2(result.ok(), qPrintable(result.error()));
    QCOMPARE(QFileInfo(result->front().path).fileName(), sha256(readAll(path)) + "-32-q90.jpg");
}

void Test_stimulus::rejectsBadSettings_data()
{
    QTest::addColumn<int>("size");
    QTest::addColumn<QString>("format");
    QTest::addColumn<int>("quality");
    QTest::addColumn<QString>("message");
    QTest::newRow("quality 0") << 64 << "jpeg" << 0 << "quality 0";
    QTest::newRow("quality 101") << 64 << "jpeg" << 101 << "quality 101";
    QTest::newRow("size 8") << 8 << "jpeg" << 90 << "size 8";
    QTest::newRow("size 5000") << 5000 << "png" << 90 << "size 5000";
    QTest::newRow("gif") << 64 << "gif" << 90 << "\"gif\"";
}

void Test_stimulus::rejectsBadSettings()
{
    QFETCH(int, size);
    QFETCH(QString, format);
    QFETCH(int, quality);
    QFETCH(QString, message);
    const QString path = writeFile(m_dir, "settings.png", png(20, 20, PngKind::Rgb, texture));
    QTemporaryDir out;
    const auto result
        = normaliseStimuli({ poolImage(path, 1) }, normalisation(size, format, quality), out.path(), CancelToken(), {});
    QVERIFY(!result.ok());
    QVERIFY2(result.error().contains(message), qPrintable(result.error()));
    QVERIFY(QDir(out.path()).isEmpty());
}

void Test_stimulus::brokenSourceNamesIt()
{
    const QString good = writeFile(m_dir, "good.png", png(20, 20, PngKind::Rgb, texture));
    const QString broken = writeFile(m_dir, "broken-source.png", QByteArray("not an image at all"));
    QTemporaryDir out;
    const auto result = normaliseStimuli(
        { poolImage(good, 1), poolImage(broken, 2) }, normalisation(16, "jpeg", 90), out.path(), CancelToken(), {});
    QVERIFY(!result.ok());
    QVERIFY2(result.error().contains(broken), qPrintable(result.error()));
}

void Test_stimulus::cancelStops()
{
    const QString path = writeFile(m_dir, "cancel.png", png(20, 20, PngKind::Rgb, texture));
    QTemporaryDir out;
    CancelToken cancel;
    cancel.cancel();
    const auto result = normaliseStimuli({ poolImage(path, 1) }, normalisation(16, "jpeg", 90), out.path(), cancel, {});
    QVERIFY(!result.ok());
    QVERIFY2(result.error().contains("cancelled"), qPrintable(result.error()));
}

// tests/data/alpha/rgba.png: 64 x 48, every alpha value, and fully transparent pixels that hold red
// at x < 16, y < 8 (tests/data/make_alpha_fixtures.py).
const QString kTransparentFixture = QStringLiteral(NTT_TEST_DATA_DIR "/alpha/rgba.png");

void Test_stimulus::transparencyShowsTheBackground()
{
    const auto onWhite = loadStimulus(kTransparentFixture, 4096, 4096);
    QVERIFY2(onWhite.ok(), qPrintable(onWhite.error()));
    QCOMPARE(pixelAt(onWhite.value(), 5, 3).r, 255);
    QCOMPARE(pixelAt(onWhite.value(), 5, 3).g, 255);
    const auto onBlack = loadStimulus(kTransparentFixture, 4096, 4096, Background { 0, 0, 0 });
    QVERIFY2(onBlack.ok(), qPrintable(onBlack.error()));
    QCOMPARE(pixelAt(onBlack.value(), 5, 3).r, 0);
}

void Test_stimulus::normalisedTransparentCopyNamesItsBackground()
{
    PoolImage image = poolImage(kTransparentFixture, 7);
    image.alpha = QStringLiteral("transparent");
    QTemporaryDir out;
    const auto white = normaliseStimuli({ image }, normalisation(48, "png", 90), out.path(), CancelToken(), {});
    QVERIFY2(white.ok(), qPrintable(white.error()));
    QVERIFY2(white->front().path.endsWith(image.sha256 + "-48-bgffffff.png"), qPrintable(white->front().path));
    const auto black = normaliseStimuli(
        { image }, normalisation(48, "png", 90), out.path(), CancelToken(), {}, Background { 0, 0, 0 });
    QVERIFY2(black.ok(), qPrintable(black.error()));
    QVERIFY2(black->front().path.endsWith(image.sha256 + "-48-bg000000.png"), qPrintable(black->front().path));
    // Cover-cropped from 64 x 48 to 48 x 48: x 8..55 of the original; pixel (1, 1) is original (9, 1).
    QCOMPARE(pixelAt(loadStimulus(white->front().path, 4096, 4096).value(), 1, 1).g, 255);
    QCOMPARE(pixelAt(loadStimulus(black->front().path, 4096, 4096).value(), 1, 1).r, 0);
}

void Test_stimulus::flattensOnlyTransparentImages()
{
    PoolImage opaque = poolImage(kTransparentFixture, 1);
    opaque.path = QStringLiteral("/nonexistent/opaque.png"); // never read: recorded as without alpha
    PoolImage unknown = poolImage(kTransparentFixture, 2);
    unknown.alpha.clear(); // imported before transparency was recorded: decoded to find out
    QTemporaryDir out;
    const auto flat
        = flattenTransparentStimuli({ opaque, unknown }, Background { 128, 128, 128 }, out.path(), CancelToken(), {});
    QVERIFY2(flat.ok(), qPrintable(flat.error()));
    QCOMPARE(flat->size(), std::size_t(1));
    QCOMPARE(flat->front().imageId, qint64(2));
    QVERIFY(flat->front().path.endsWith(unknown.sha256 + "-flat-bg808080.png"));
    QCOMPARE(flat->front().sha256, sha256(readAll(flat->front().path)));
    const auto shown = loadStimulus(flat->front().path, 4096, 4096);
    QVERIFY2(shown.ok(), qPrintable(shown.error()));
    QCOMPARE(shown->width, 64);
    QCOMPARE(shown->height, 48);
    const Rgba p = pixelAt(shown.value(), 5, 3);
    QCOMPARE(p.r, 128);
    QCOMPARE(p.g, 128);
    QCOMPARE(p.b, 128);
}

void Test_stimulus::whiteWithoutNormalisationShowsOriginals()
{
    PoolImage image = poolImage(kTransparentFixture, 1);
    image.alpha = QStringLiteral("transparent");
    QTemporaryDir out;
    const auto made
        = makeStudyStimuli({ image }, StimulusNormalisation {}, Background {}, out.path(), CancelToken(), {});
    QVERIFY2(made.ok(), qPrintable(made.error()));
    QVERIFY(made->empty());
    const auto grey = makeStudyStimuli(
        { image }, StimulusNormalisation {}, Background { 128, 128, 128 }, out.path(), CancelToken(), {});
    QVERIFY2(grey.ok(), qPrintable(grey.error()));
    QCOMPARE(grey->size(), std::size_t(1));
}

QTEST_GUILESS_MAIN(Test_stimulus)
#include "tst_stimulus.moc"
