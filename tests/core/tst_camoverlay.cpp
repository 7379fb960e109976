#include "attention/camoverlay.h"
#include "npy.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <cmath>
#include <limits>
#include <set>

using namespace ntt;

Q_DECLARE_METATYPE(ntt::CamColormap)

namespace {

QByteArray readAll(const QString& path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        qFatal("cannot read %s", qPrintable(path));
    return f.readAll();
}

void writeAll(const QString& path, const QByteArray& bytes)
{
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly) || f.write(bytes) != bytes.size())
        qFatal("cannot write %s", qPrintable(path));
}

// A version 1.0 .npy file with the given header dict (padded as numpy pads it) and data bytes.
QByteArray craftNpy(const QByteArray& dict, const QByteArray& data, char major = 1)
{
    QByteArray header = dict;
    const int lengthSize = major == 1 ? 2 : 4;
    header += QByteArray(64 - (6 + 2 + lengthSize + header.size() + 1) % 64, ' ') + '\n';
    QByteArray out = QByteArrayLiteral("\x93NUMPY");
    out += major;
    out += char(0);
    out += char(header.size() & 0xff);
    out += char(header.size() >> 8);
    if (lengthSize == 4)
        out += QByteArray(2, '\0');
    return out + header + data;
}

QByteArray floatBytes(int count, int bytesEach = 4)
{
    return QByteArray(count * bytesEach, '\0');
}

cv::Mat randomImage(int width, int height)
{
    cv::Mat image(height, width, CV_8UC3);
    cv::randu(image, cv::Scalar::all(0), cv::Scalar::all(256));
    return image;
}

cv::Mat randomMap(int width, int height)
{
    cv::Mat map(height, width, CV_32FC1);
    cv::randu(map, 0.0, 1.0);
    return map;
}

bool equal(const cv::Mat& a, const cv::Mat& b)
{
    return a.size() == b.size() && a.type() == b.type() && cv::norm(a, b, cv::NORM_INF) == 0;
}

cv::Vec3b colourOf(CamColormap colormap, uchar grey)
{
    const int codes[] = { cv::COLORMAP_JET, cv::COLORMAP_TURBO, cv::COLORMAP_VIRIDIS };
    cv::Mat colour;
    cv::applyColorMap(cv::Mat(1, 1, CV_8UC1, cv::Scalar(grey)), colour, codes[int(colormap)]);
    return colour.at<cv::Vec3b>(0, 0);
}

int pixelsOf(const cv::Mat& bgr, const cv::Vec3b& colour)
{
    cv::Mat same;
    cv::inRange(bgr, colour, colour, same);
    return cv::countNonZero(same);
}

// Pixels that are dark on all channels: text, in a strip that is otherwise white.
int darkPixels(const cv::Mat& bgr)
{
    cv::Mat grey;
    cv::cvtColor(bgr, grey, cv::COLOR_BGR2GRAY);
    return cv::countNonZero(grey < 100);
}

} // namespace

class TestCamOverlay : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void npyRoundTrip();
    void npyHeaderMatchesNumpy();
    void npyShapes_data();
    void npyShapes();
    void npyRejects_data();
    void npyRejects();

    void colormapNames();
    void colourise_data();
    void colourise();
    void colouriseRejects_data();
    void colouriseRejects();

    void overlayOpacityZeroIsImage();
    void overlayOpacityOneIsColour();
    void overlayResizesSmallMap();
    void overlayRejectsOptions();
    void contourFollowsIsoLine();

    void legend();
    void asciiCaptions();
    void figureLayout();
    void figureRejects();
    void pngRoundTrip();
    void pngMissingFolder();
};

void TestCamOverlay::npyRoundTrip()
{
    QTemporaryDir dir;
    cv::Mat map(3, 5, CV_32FC1);
    for (int i = 0; i < 15; ++i)
        map.at<float>(i / 5, i % 5) = float(i) * 0.25f - 1.0f;
    const QString path = dir.filePath(QStringLiteral("map.npy"));
    const Status written = writeNpyFloat32(path, map);
    QVERIFY2(written, qPrintable(written.error()));

    const Result<NpyArray> read = readNpyFloat32(path);
    QVERIFY2(read, qPrintable(read.error()));
    QCOMPARE(read->shape, (std::vector<qint64> { 3, 5 }));
    QCOMPARE(read->data, std::vector<float>(map.ptr<float>(), map.ptr<float>() + 15));

    // A view into a larger matrix is not continuous: written row by row all the same.
    cv::Mat big(6, 10, CV_32FC1, cv::Scalar(7));
    map.copyTo(big(cv::Rect(2, 1, 5, 3)));
    QVERIFY(writeNpyFloat32(path, big(cv::Rect(2, 1, 5, 3))));
    QCOMPARE(readNpyFloat32(path)->data, read->data);
}

void TestCamOverlay::npyHeaderMatchesNumpy()
{
    // The bytes numpy 1.24.2 writes, printed by
    //   /usr/bin/python3 -c "import numpy as np, io; b=io.BytesIO(); np.save(b, np.zeros((3,5),np.float32));
    //   print(b.getvalue()[:128])"
    // b"\x93NUMPY\x01\x00v\x00{'descr': '<f4', 'fortran_order': False, 'shape': (3, 5), }" + 58 spaces + "\n"
    const QByteArray expected = QByteArrayLiteral("\x93NUMPY\x01\x00v\x00")
        + "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 5), }" + QByteArray(58, ' ') + '\n';
    QCOMPARE(expected.size(), 128);

    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("zeros.npy"));
    const std::vector<float> zeros(15, 0.0f);
    QVERIFY(writeNpyFloat32(path, zeros.data(), { 3, 5 }));
    const QByteArray bytes = readAll(path);
    QCOMPARE(bytes.left(128), expected);
    QCOMPARE(bytes.size(), 128 + 15 * 4);
    QCOMPARE(bytes.mid(128), QByteArray(60, '\0'));
}

void TestCamOverlay::npyShapes_data()
{
    QTest::addColumn<std::vector<qint64>>("shape");
    QTest::newRow("0-d") << std::vector<qint64> {};
    QTest::newRow("1-d") << std::vector<qint64> { 7 };
    QTest::newRow("empty") << std::vector<qint64> { 0, 4 };
    QTest::newRow("3-d") << std::vector<qint64> { 2, 3, 4 };
    QTest::newRow("wide") << std::vector<qint64> { 1, 123456 };
}

void TestCamOverlay::npyShapes()
{
    QFETCH(std::vector<qint64>, shape);
    qint64 count = 1;
    for (qint64 n : shape)
        count *= n;
    std::vector<float> data(static_cast<std::size_t>(count));
    for (std::size_t i = 0; i < data.size(); ++i)
        data[i] = float(i) / 3.0f;

    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("a.npy"));
    QVERIFY(writeNpyFloat32(path, data.data(), shape));
    const QByteArray bytes = readAll(path);
    const int headerLength = quint8(bytes.at(8)) | quint8(bytes.at(9)) << 8;
    QCOMPARE((10 + headerLength) % 64, 0);
    QVERIFY(bytes.at(10 + headerLength - 1) == '\n');
    const Result<NpyArray> read = readNpyFloat32(path);
    QVERIFY2(read, qPrintable(read.error()));
    QCOMPARE(read->shape, shape);
    QCOMPARE(read->data, data);
}

void TestCamOverlay::npyRejects_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QString>("reason");

    const QByteArray f4 = "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 5), }";
    const QByteArray good = craftNpy(f4, floatBytes(15));
    QTest::newRow("truncated data") << good.left(good.size() - 4) << QStringLiteral("56 data bytes");
    QTest::newRow("extra data") << good + "xxxx" << QStringLiteral("64 data bytes");
    QTest::newRow("truncated header") << good.left(40) << QStringLiteral("truncated");
    QTest::newRow("f8") << craftNpy("{'descr': '<f8', 'fortran_order': False, 'shape': (3, 5), }", floatBytes(15, 8))
                        << QStringLiteral("'<f8'");
    QTest::newRow("big-endian") << craftNpy("{'descr': '>f4', 'fortran_order': False, 'shape': (3, 5), }",
        floatBytes(15)) << QStringLiteral("'>f4'");
    QTest::newRow("fortran") << craftNpy("{'descr': '<f4', 'fortran_order': True, 'shape': (3, 5), }", floatBytes(15))
                             << QStringLiteral("Fortran order");
    QTest::newRow("structured") << craftNpy("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (3,), }",
        floatBytes(3)) << QStringLiteral("malformed header");
    QTest::newRow("no shape") << craftNpy("{'descr': '<f4', 'fortran_order': False, }", floatBytes(1))
                              << QStringLiteral("'shape'");
    QByteArray v3 = good;
    v3[6] = 3;
    QTest::newRow("version 3.0") << v3 << QStringLiteral("version 3.0");
    QTest::newRow("not npy") << QByteArray("PK\x03\x04 a zip") << QStringLiteral("not a NumPy");
}

void TestCamOverlay::npyRejects()
{
    QFETCH(QByteArray, bytes);
    QFETCH(QString, reason);
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("bad.npy"));
    writeAll(path, bytes);
    const Result<NpyArray> read = readNpyFloat32(path);
    QVERIFY(!read);
    QVERIFY2(read.error().contains(path), qPrintable(read.error()));
    QVERIFY2(read.error().contains(reason), qPrintable(read.error()));
}

void TestCamOverlay::colormapNames()
{
    for (CamColormap c : { CamColormap::Jet, CamColormap::Turbo, CamColormap::Viridis })
        QCOMPARE(camColormapFromName(camColormapName(c)), std::optional<CamColormap>(c));
    QCOMPARE(camColormapName(CamColormap::Turbo), QStringLiteral("turbo"));
    QCOMPARE(camColormapFromName(QStringLiteral("VIRIDIS")), std::optional<CamColormap>(CamColormap::Viridis));
    QCOMPARE(camColormapFromName(QStringLiteral("hot")), std::nullopt);
    QCOMPARE(camColormapFromName(QString()), std::nullopt);
}

void TestCamOverlay::colourise_data()
{
    QTest::addColumn<CamColormap>("colormap");
    QTest::newRow("jet") << CamColormap::Jet;
    QTest::newRow("turbo") << CamColormap::Turbo;
    QTest::newRow("viridis") << CamColormap::Viridis;
}

void TestCamOverlay::colourise()
{
    QFETCH(CamColormap, colormap);
    // 1.0005 is a rounding excess, clamped to 1.
    const cv::Mat map = (cv::Mat_<float>(1, 4) << 0.0f, 1.0f, 1.0005f, 0.5f);
    const Result<cv::Mat> colour = colouriseMap(map, colormap);
    QVERIFY2(colour, qPrintable(colour.error()));
    QCOMPARE(colour->type(), CV_8UC3);
    QCOMPARE(colour->size(), map.size());
    QCOMPARE(colour->at<cv::Vec3b>(0, 0), colourOf(colormap, 0));
    QCOMPARE(colour->at<cv::Vec3b>(0, 1), colourOf(colormap, 255));
    QCOMPARE(colour->at<cv::Vec3b>(0, 2), colourOf(colormap, 255));
    QCOMPARE(colour->at<cv::Vec3b>(0, 3), colourOf(colormap, 128));
    QVERIFY(colourOf(colormap, 0) != colourOf(colormap, 255));
}

void TestCamOverlay::colouriseRejects_data()
{
    QTest::addColumn<cv::Mat>("map");
    QTest::addColumn<QString>("reason");
    const float nan = std::numeric_limits<float>::quiet_NaN();
    const float inf = std::numeric_limits<float>::infinity();
    QTest::newRow("nan") << cv::Mat((cv::Mat_<float>(2, 2) << 0, 0, 0, nan))
                         << QStringLiteral("at (1, 1) is not a finite number");
    QTest::newRow("inf") << cv::Mat((cv::Mat_<float>(1, 2) << inf, 0)) << QStringLiteral("not a finite number");
    QTest::newRow("above") << cv::Mat((cv::Mat_<float>(1, 3) << 0, 1.5f, 0))
                           << QStringLiteral("map value 1.5 at (1, 0) is outside 0..1");
    QTest::newRow("below") << cv::Mat((cv::Mat_<float>(1, 2) << 0, -0.25f))
                           << QStringLiteral("map value -0.25 at (1, 0) is outside 0..1");
    QTest::newRow("double") << cv::Mat(2, 2, CV_64FC1, cv::Scalar(0.5))
                            << QStringLiteral("not a 2-D single-channel float32 matrix");
    QTest::newRow("empty") << cv::Mat() << QStringLiteral("empty");
}

void TestCamOverlay::colouriseRejects()
{
    QFETCH(cv::Mat, map);
    QFETCH(QString, reason);
    const Result<cv::Mat> colour = colouriseMap(map, CamColormap::Jet);
    QVERIFY(!colour);
    QVERIFY2(colour.error().contains(reason), qPrintable(colour.error()));
    // overlayMap checks the map the same way.
    const Result<cv::Mat> overlay = overlayMap(randomImage(4, 4), map, {});
    QVERIFY(!overlay);
    QVERIFY2(overlay.error().contains(reason), qPrintable(overlay.error()));
}

void TestCamOverlay::overlayOpacityZeroIsImage()
{
    const cv::Mat image = randomImage(40, 30);
    OverlayOptions options;
    options.opacity = 0.0;
    const Result<cv::Mat> out = overlayMap(image, randomMap(40, 30), options);
    QVERIFY2(out, qPrintable(out.error()));
    QVERIFY(equal(out.value(), image));
}

void TestCamOverlay::overlayOpacityOneIsColour()
{
    const cv::Mat image = randomImage(40, 30);
    const cv::Mat map = randomMap(8, 6);
    OverlayOptions options;
    options.opacity = 1.0;
    options.colormap = CamColormap::Viridis;
    const Result<cv::Mat> out = overlayMap(image, map, options);
    QVERIFY2(out, qPrintable(out.error()));
    cv::Mat resized;
    cv::resize(map, resized, image.size(), 0, 0, cv::INTER_LINEAR);
    QVERIFY(equal(out.value(), colouriseMap(resized, CamColormap::Viridis).value()));

    // Halfway: each pixel halfway between image and colour.
    options.opacity = 0.5;
    const cv::Mat half = overlayMap(image, map, options).value();
    const cv::Mat colour = colouriseMap(resized, CamColormap::Viridis).value();
    for (int y = 0; y < image.rows; y += 7) {
        for (int x = 0; x < image.cols; x += 5) {
            for (int c = 0; c < 3; ++c) {
                const double mean = (image.at<cv::Vec3b>(y, x)[c] + colour.at<cv::Vec3b>(y, x)[c]) / 2.0;
                QVERIFY(std::abs(half.at<cv::Vec3b>(y, x)[c] - mean) <= 1.0);
            }
        }
    }
}

void TestCamOverlay::overlayResizesSmallMap()
{
    const cv::Mat image = randomImage(64, 48);
    // Left column 1, right column 0: after resizing, the colour runs from the 1 end to the 0 end.
    const cv::Mat map = (cv::Mat_<float>(2, 2) << 1, 0, 1, 0);
    OverlayOptions options;
    options.opacity = 1.0;
    const Result<cv::Mat> out = overlayMap(image, map, options);
    QVERIFY2(out, qPrintable(out.error()));
    QCOMPARE(out->size(), image.size());
    QCOMPARE(out->at<cv::Vec3b>(24, 0), colourOf(CamColormap::Jet, 255));
    QCOMPARE(out->at<cv::Vec3b>(24, 63), colourOf(CamColormap::Jet, 0));
}

void TestCamOverlay::overlayRejectsOptions()
{
    const cv::Mat image = randomImage(8, 8);
    const cv::Mat map = randomMap(8, 8);
    OverlayOptions options;
    options.opacity = 1.5;
    Result<cv::Mat> out = overlayMap(image, map, options);
    QVERIFY(!out);
    QCOMPARE(out.error(), QStringLiteral("opacity 1.5 is outside 0..1"));

    options.opacity = std::numeric_limits<double>::quiet_NaN();
    QVERIFY(!overlayMap(image, map, options));

    options.opacity = 0.5;
    options.contourThreshold = -0.1;
    out = overlayMap(image, map, options);
    QVERIFY(!out);
    QCOMPARE(out.error(), QStringLiteral("contour threshold -0.1 is outside 0..1"));

    out = overlayMap(cv::Mat(8, 8, CV_8UC1, cv::Scalar(0)), map, {});
    QVERIFY(!out);
    QVERIFY2(out.error().contains(QStringLiteral("not 8-bit BGR")), qPrintable(out.error()));
}

void TestCamOverlay::contourFollowsIsoLine()
{
    const int width = 60;
    const int height = 40;
    const cv::Mat image(height, width, CV_8UC3, cv::Scalar(128, 128, 128));
    cv::Mat map(height, width, CV_32FC1, cv::Scalar(0));
    map(cv::Rect(0, 0, width / 2, height)).setTo(1.0);
    OverlayOptions options;
    options.opacity = 0.0; // only the contour changes the image
    options.contourThreshold = 0.5;
    const Result<cv::Mat> out = overlayMap(image, map, options);
    QVERIFY2(out, qPrintable(out.error()));

    // The iso-line lies between columns 29 and 30; the outline along the image border is no iso-line
    // and is not drawn.
    int changed = 0;
    int white = 0;
    std::set<int> rows;
    for (int y = 0; y < height; ++y) {
        for (int x = 0; x < width; ++x) {
            const cv::Vec3b pixel = out->at<cv::Vec3b>(y, x);
            if (pixel == image.at<cv::Vec3b>(y, x))
                continue;
            ++changed;
            white += pixel == cv::Vec3b(255, 255, 255);
            rows.insert(y);
            QVERIFY2(std::abs(x - 29.5) <= 3, qPrintable(QStringLiteral("contour pixel at (%1, %2)").arg(x).arg(y)));
        }
    }
    QVERIFY(changed > 0);
    QVERIFY(white >= height); // a white core...
    QVERIFY(changed > white); // ...with a dark outline
    QCOMPARE(int(rows.size()), height); // top to bottom

    // A threshold above the whole map draws nothing.
    options.contourThreshold = 1.0;
    map.setTo(0.9);
    QVERIFY(equal(overlayMap(image, map, options).value(), image));
}

void TestCamOverlay::legend()
{
    const cv::Mat legend = colourLegend(CamColormap::Turbo, 200, 80);
    QCOMPARE(legend.rows, 200);
    QCOMPARE(legend.cols, 80);
    QCOMPARE(legend.type(), CV_8UC3);
    // The bar holds both ends of the scale; the labels and caption put dark text on white.
    QVERIFY(pixelsOf(legend, colourOf(CamColormap::Turbo, 255)) > 0);
    QVERIFY(pixelsOf(legend, colourOf(CamColormap::Turbo, 0)) > 0);
    QVERIFY(darkPixels(legend(cv::Rect(0, 170, 80, 30))) > 10); // "attention"
    QVERIFY(legend.at<cv::Vec3b>(0, 0) == cv::Vec3b(255, 255, 255));

    QVERIFY(!colourLegend(CamColormap::Jet, 64, 40).empty());
    QVERIFY(colourLegend(CamColormap::Jet, 20, 80).empty());
    QVERIFY(colourLegend(CamColormap::Jet, 200, 10).empty());
}

void TestCamOverlay::asciiCaptions()
{
    QCOMPARE(asciiCaption(QStringLiteral("ResNet-18 · Grad-CAM++ · P(real) 0.12")),
        QStringLiteral("ResNet-18 - Grad-CAM++ - P(real) 0.12"));
    QCOMPARE(asciiCaption(QStringLiteral("Café – “Bild” … ×2 ≥ 5µm")), QStringLiteral("Cafe - \"Bild\" ... x2 >= 5um"));
    QCOMPARE(asciiCaption(QStringLiteral("line\nbreak")), QStringLiteral("line break"));
    QCOMPARE(asciiCaption(QStringLiteral("猫 😀")), QStringLiteral("? ?"));
}

void TestCamOverlay::figureLayout()
{
    const cv::Mat image = randomImage(200, 100);
    std::vector<CamPanel> panels(2);
    panels[0].map01 = randomMap(7, 7);
    panels[0].caption = QStringLiteral("ResNet-18 · Grad-CAM · P(real) 0.12");
    panels[1].map01 = randomMap(14, 14);
    panels[1].caption = QStringLiteral("ResNet-18 · Grad-CAM++ · P(real) 0.12");
    panels[1].options.contourThreshold = 0.5;
    CamFigureLayout layout;
    layout.panelHeight = 128;
    layout.gap = 5;
    layout.imageCaption = QStringLiteral("image");
    const Result<cv::Mat> figure = composeCamFigure(image, panels, CamColormap::Jet, layout);
    QVERIFY2(figure, qPrintable(figure.error()));

    // The image scaled to the panel height (aspect kept), each overlay drawn on it, in that order.
    cv::Mat scaled;
    cv::resize(image, scaled, cv::Size(256, 128), 0, 0, cv::INTER_LINEAR);
    const int panelWidth = 256;
    QVERIFY(equal(figure.value()(cv::Rect(5, 5, panelWidth, 128)), scaled));
    for (int i = 0; i < 2; ++i) {
        const cv::Rect where(5 + (i + 1) * (panelWidth + 5), 5, panelWidth, 128);
        QVERIFY(equal(figure.value()(where), overlayMap(scaled, panels[i].map01, panels[i].options).value()));
    }

    // Width: three panels, the legend, and a gap between and around them all.
    const int legendWidth = figure->cols - (3 * panelWidth + 5 * layout.gap);
    QVERIFY2(legendWidth >= 40 && legendWidth <= 128, qPrintable(QString::number(legendWidth)));
    const cv::Mat legendColumn = figure.value()(cv::Rect(figure->cols - 5 - legendWidth, 5, legendWidth, 128));
    QVERIFY(pixelsOf(legendColumn, colourOf(CamColormap::Jet, 255)) > 0);

    // Gaps are white; a caption strip with text lies under every panel.
    const cv::Mat white(figure->rows, 5, CV_8UC3, cv::Scalar::all(255));
    QVERIFY(equal(figure.value()(cv::Rect(0, 0, 5, figure->rows)), white));
    QVERIFY(equal(figure.value()(cv::Rect(5 + panelWidth, 0, 5, figure->rows)), white));
    const int stripHeight = figure->rows - 128 - 2 * layout.gap;
    QVERIFY(stripHeight >= 10);
    for (int i = 0; i < 3; ++i) {
        const cv::Rect strip(5 + i * (panelWidth + 5), 5 + 128, panelWidth, stripHeight);
        QVERIFY2(darkPixels(figure.value()(strip)) > 20, qPrintable(QString::number(i)));
    }

    // A caption too long for the panel wraps: the strip grows, by three lines at the most.
    panels[0].caption = QString(60, QLatin1Char('x')).replace(QLatin1Char('x'), QStringLiteral("word "));
    const Result<cv::Mat> wrapped = composeCamFigure(image, panels, CamColormap::Jet, layout);
    QVERIFY2(wrapped, qPrintable(wrapped.error()));
    QCOMPARE(wrapped->cols, figure->cols);
    QVERIFY(wrapped->rows > figure->rows);
    QVERIFY(wrapped->rows - 128 - 2 * layout.gap <= 3 * stripHeight);
}

void TestCamOverlay::figureRejects()
{
    const cv::Mat image = randomImage(20, 20);
    std::vector<CamPanel> panels(2);
    panels[0].map01 = randomMap(4, 4);
    panels[1].map01 = cv::Mat(4, 4, CV_32FC1, cv::Scalar(2.0));
    Result<cv::Mat> figure = composeCamFigure(image, panels, CamColormap::Jet);
    QVERIFY(!figure);
    QVERIFY2(figure.error().startsWith(QStringLiteral("panel 2: map value 2")), qPrintable(figure.error()));

    panels[1].map01 = randomMap(4, 4);
    panels[1].options.colormap = CamColormap::Turbo;
    figure = composeCamFigure(image, panels, CamColormap::Jet);
    QVERIFY(!figure);
    QCOMPARE(figure.error(), QStringLiteral("panel 2 is coloured with turbo but the legend shows jet"));

    CamFigureLayout layout;
    layout.panelHeight = 10;
    figure = composeCamFigure(image, {}, CamColormap::Jet, layout);
    QVERIFY(!figure);
    QCOMPARE(figure.error(), QStringLiteral("panel height 10 is outside 32..4096"));
}

void TestCamOverlay::pngRoundTrip()
{
    std::vector<CamPanel> panels(1);
    panels[0].map01 = randomMap(5, 5);
    panels[0].caption = QStringLiteral("one");
    const cv::Mat figure = composeCamFigure(randomImage(50, 40), panels, CamColormap::Jet).value();
    QCOMPARE(figure.rows - 256 > 0, true); // default height, plus the caption strip

    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("figure.png"));
    const Status written = writePng(figure, path);
    QVERIFY2(written, qPrintable(written.error()));
    const cv::Mat back = cv::imread(QFile::encodeName(path).toStdString(), cv::IMREAD_UNCHANGED);
    QCOMPARE(back.size(), figure.size());
    QVERIFY(equal(back, figure)); // PNG is lossless
}

void TestCamOverlay::pngMissingFolder()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("missing/figure.png"));
    const Status written = writePng(randomImage(4, 4), path);
    QVERIFY(!written);
    QVERIFY2(written.error().contains(path), qPrintable(written.error()));
    QVERIFY2(written.error().contains(QStringLiteral("does not exist")), qPrintable(written.error()));
    QVERIFY(!QFile::exists(path));
}

QTEST_GUILESS_MAIN(TestCamOverlay)
#include "tst_camoverlay.moc"
