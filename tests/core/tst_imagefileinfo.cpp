#include "pool/imagefileinfo.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QtEndian>
#include <QtTest>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include <array>

using namespace ntt;

namespace {

// The test targets do not see OpenCV's headers, so fixtures are encoded here: real, decodable PNG,
// baseline JPEG and BMP files, and headers of the other formats (inspection never decodes).

void appendBe16(QByteArray& out, quint32 v)
{
    out.append(char(v >> 8)).append(char(v));
}
void appendBe32(QByteArray& out, quint32 v)
{
    appendBe16(out, v >> 16);
    appendBe16(out, v & 0xFFFF);
}
void appendLe16(QByteArray& out, quint32 v)
{
    out.append(char(v)).append(char(v >> 8));
}
void appendLe32(QByteArray& out, quint32 v)
{
    appendLe16(out, v & 0xFFFF);
    appendLe16(out, v >> 16);
}

quint32 crc32(const QByteArray& data)
{
    quint32 crc = 0xFFFFFFFFu;
    for (const char byte : data) {
        crc ^= quint8(byte);
        for (int k = 0; k < 8; ++k)
            crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
    }
    return ~crc;
}

// A minimal little-endian TIFF structure, the payload of an Exif block.
QByteArray exifTiff()
{
    QByteArray tiff("II*\0", 4);
    appendLe32(tiff, 8);
    appendLe16(tiff, 0);
    appendLe32(tiff, 0);
    return tiff;
}

QByteArray pngChunk(const char* type, const QByteArray& data)
{
    const QByteArray body = QByteArray(type, 4) + data;
    QByteArray chunk;
    appendBe32(chunk, data.size());
    chunk += body;
    appendBe32(chunk, crc32(body));
    return chunk;
}

QByteArray makePng(int width, int height, bool exif = false)
{
    QByteArray header;
    appendBe32(header, width);
    appendBe32(header, height);
    header.append(char(8)).append(char(2)).append(3, '\0'); // 8-bit RGB, deflate, no interlace
    QByteArray raw;
    for (int y = 0; y < height; ++y) {
        raw.append('\0'); // row filter: none
        for (int x = 0; x < width; ++x)
            raw.append(char(x * 16)).append(char(y * 16)).append(char(128));
    }
    QByteArray idat = qCompress(raw);
    idat.remove(0, 4); // qCompress puts the length before the zlib stream
    QByteArray png("\x89PNG\r\n\x1a\n", 8);
    png += pngChunk("IHDR", header);
    if (exif)
        png += pngChunk("eXIf", exifTiff());
    png += pngChunk("IDAT", idat);
    png += pngChunk("IEND", {});
    return png;
}

constexpr std::array<int, 64> kLuminance = { 16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16,
    24, 40, 57, 69, 56, 14, 17, 22, 29, 51, 87, 80, 62, 18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113,
    92, 49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99 };
constexpr std::array<int, 64> kZigzag = { 0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40,
    48, 41, 34, 27, 20, 13, 6, 7, 14, 21, 28, 35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59,
    52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63 };

QByteArray jpegSegment(quint8 marker, const QByteArray& payload)
{
    QByteArray segment;
    segment.append(char(0xFF)).append(char(marker));
    appendBe16(segment, payload.size() + 2);
    return segment + payload;
}

// Writes entropy-coded bits MSB first, stuffing a zero byte after every 0xFF.
class BitWriter
{
public:
    explicit BitWriter(QByteArray& out)
        : m_out(out)
    { }
    void put(quint32 bits, int count)
    {
        for (int i = count - 1; i >= 0; --i) {
            m_byte = (m_byte << 1) | ((bits >> i) & 1);
            if (++m_count == 8) {
                m_out.append(char(m_byte));
                if (m_byte == 0xFF)
                    m_out.append('\0');
                m_byte = 0;
                m_count = 0;
            }
        }
    }
    void finish()
    {
        while (m_count != 0)
            put(1, 1);
    }

private:
    QByteArray& m_out;
    quint32 m_byte = 0;
    int m_count = 0;
};

// A baseline greyscale JPEG with libjpeg's luminance table at `quality`; each 8x8 block is flat
// (DC only), coded with tiny Huffman tables: DC categories as 4-bit codes, AC only end-of-block "0".
QByteArray makeJpeg(int width, int height, int quality, bool exif = false)
{
    QByteArray jpeg("\xFF\xD8", 2);
    if (exif)
        jpeg += jpegSegment(0xE1, QByteArray("Exif\0\0", 6) + exifTiff());
    QByteArray dqt(1, '\0');
    const int scale = quality < 50 ? 5000 / quality : 200 - 2 * quality;
    for (int k = 0; k < 64; ++k)
        dqt.append(char(qBound(1, (kLuminance[kZigzag[k]] * scale + 50) / 100, 255)));
    jpeg += jpegSegment(0xDB, dqt);
    QByteArray sof(1, char(8));
    appendBe16(sof, height);
    appendBe16(sof, width);
    sof.append(char(1)).append(char(1)).append(char(0x11)).append(char(0));
    jpeg += jpegSegment(0xC0, sof);
    QByteArray dc(1, char(0x00));
    for (int length = 1; length <= 16; ++length)
        dc.append(char(length == 4 ? 12 : 0));
    for (int symbol = 0; symbol < 12; ++symbol)
        dc.append(char(symbol));
    jpeg += jpegSegment(0xC4, dc);
    QByteArray ac(1, char(0x10));
    for (int length = 1; length <= 16; ++length)
        ac.append(char(length == 1 ? 1 : 0));
    ac.append('\0');
    jpeg += jpegSegment(0xC4, ac);
    jpeg += jpegSegment(0xDA, QByteArray("\x01\x01\x00\x00\x3F\x00", 6));
    BitWriter bits(jpeg);
    int previous = 0;
    const int blocks = ((width + 7) / 8) * ((height + 7) / 8);
    for (int i = 0; i < blocks; ++i) {
        const int value = (i * 13) % 40 - 20;
        const int diff = value - previous;
        previous = value;
        int category = 0;
        for (int magnitude = qAbs(diff); magnitude; magnitude >>= 1)
            ++category;
        bits.put(category, 4);
        if (category)
            bits.put(diff >= 0 ? diff : diff + (1 << category) - 1, category);
        bits.put(0, 1); // end of block
    }
    bits.finish();
    return jpeg + QByteArray("\xFF\xD9", 2);
}

QByteArray makeBmp(int width, int height)
{
    const int rowSize = (width * 3 + 3) / 4 * 4;
    QByteArray bmp("BM");
    appendLe32(bmp, 54 + rowSize * height);
    appendLe32(bmp, 0);
    appendLe32(bmp, 54);
    appendLe32(bmp, 40);
    appendLe32(bmp, width);
    appendLe32(bmp, height);
    appendLe16(bmp, 1);
    appendLe16(bmp, 24);
    for (int i = 0; i < 6; ++i)
        appendLe32(bmp, i == 1 ? rowSize * height : 0);
    bmp.append(rowSize * height, char(90));
    return bmp;
}

QByteArray riff(const QByteArray& chunks)
{
    QByteArray webp("RIFF");
    appendLe32(webp, chunks.size() + 4);
    return webp + "WEBP" + chunks;
}

QByteArray riffChunk(const char* fourCc, const QByteArray& data)
{
    QByteArray chunk(fourCc, 4);
    appendLe32(chunk, data.size());
    chunk += data;
    if (data.size() % 2)
        chunk.append('\0');
    return chunk;
}

QByteArray webpLossless(int width, int height, bool exif = false)
{
    QByteArray vp8l(1, char(0x2F));
    appendLe32(vp8l, quint32(width - 1) | quint32(height - 1) << 14);
    return riff(riffChunk("VP8L", vp8l) + (exif ? riffChunk("EXIF", exifTiff()) : QByteArray()));
}

QByteArray webpLossy(int width, int height)
{
    QByteArray vp8("\x00\x00\x00\x9D\x01\x2A", 6);
    appendLe16(vp8, width);
    appendLe16(vp8, height);
    return riff(riffChunk("VP8 ", vp8));
}

QByteArray webpExtended(int width, int height)
{
    QByteArray vp8x(4, '\0');
    vp8x.append(char((width - 1) & 0xFF)).append(char((width - 1) >> 8)).append('\0');
    vp8x.append(char((height - 1) & 0xFF)).append(char((height - 1) >> 8)).append('\0');
    return riff(riffChunk("VP8X", vp8x) + riffChunk("VP8L", QByteArray(5, '\0')));
}

QByteArray gifHeader(int width, int height)
{
    QByteArray gif("GIF89a");
    appendLe16(gif, width);
    appendLe16(gif, height);
    return gif + QByteArray(3, '\0') + ";";
}

QByteArray tiffHeader(int width, int height, bool bigEndian)
{
    QByteArray tiff;
    const auto u16 = [&](quint32 v) { bigEndian ? appendBe16(tiff, v) : appendLe16(tiff, v); };
    const auto u32 = [&](quint32 v) { bigEndian ? appendBe32(tiff, v) : appendLe32(tiff, v); };
    tiff += bigEndian ? QByteArray("MM\0*", 4) : QByteArray("II*\0", 4);
    u32(8);
    u16(2);
    u16(256); // ImageWidth as SHORT, left-aligned in the value field
    u16(3);
    u32(1);
    u16(width);
    u16(0);
    u16(257); // ImageLength as LONG
    u16(4);
    u32(1);
    u32(height);
    u32(0);
    return tiff;
}

} // namespace

class Test_imagefileinfo : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    int m_fileCount = 0;

    QString write(const QByteArray& bytes, const QString& name = QStringLiteral("image"))
    {
        const QString path = m_dir.filePath(QStringLiteral("%1-%2").arg(++m_fileCount).arg(name));
        QFile file(path);
        if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size())
            qFatal("cannot write fixture %s", qPrintable(path));
        return path;
    }

private Q_SLOTS:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    void formatAndSize_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("format");
        QTest::addColumn<int>("width");
        QTest::addColumn<int>("height");
        QTest::newRow("png") << makePng(16, 12) << "png" << 16 << 12;
        QTest::newRow("jpeg") << makeJpeg(24, 16, 90) << "jpeg" << 24 << 16;
        QTest::newRow("jpeg, partial blocks") << makeJpeg(13, 7, 90) << "jpeg" << 13 << 7;
        QTest::newRow("webp lossy") << webpLossy(640, 480) << "webp" << 640 << 480;
        QTest::newRow("webp lossless") << webpLossless(300, 200) << "webp" << 300 << 200;
        QTest::newRow("webp extended") << webpExtended(1000, 800) << "webp" << 1000 << 800;
        QTest::newRow("bmp") << makeBmp(5, 3) << "bmp" << 5 << 3;
        QTest::newRow("gif") << gifHeader(40, 30) << "gif" << 40 << 30;
        QTest::newRow("tiff little-endian") << tiffHeader(70, 50, false) << "tiff" << 70 << 50;
        QTest::newRow("tiff big-endian") << tiffHeader(70, 50, true) << "tiff" << 70 << 50;
    }
    void formatAndSize()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(QString, format);
        QFETCH(int, width);
        QFETCH(int, height);
        const Result<ImageFileInfo> info = inspectImageFile(write(bytes));
        QVERIFY2(info.ok(), qPrintable(info.error()));
        QCOMPARE(info->format, format);
        QCOMPARE(info->width, width);
        QCOMPARE(info->height, height);
        QVERIFY(info->complete);
        QCOMPARE(info->jpegQuality == -1, format != QLatin1String("jpeg"));
    }

    void jpegQuality_data()
    {
        QTest::addColumn<int>("quality");
        for (const int quality : { 10, 30, 50, 75, 90, 95, 100 })
            QTest::addRow("q%d", quality) << quality;
    }
    void jpegQuality()
    {
        QFETCH(int, quality);
        const Result<ImageFileInfo> info = inspectImageFile(write(makeJpeg(16, 16, quality), QStringLiteral("q.jpg")));
        QVERIFY2(info.ok(), qPrintable(info.error()));
        // The table is exactly libjpeg's, so the estimate must be exact: a tolerance would hide a
        // zigzag-order mistake, which still lands within a few points of the right quality.
        QCOMPARE(info->jpegQuality, quality);
    }

    void exif_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<bool>("hasExif");
        QTest::newRow("jpeg without") << makeJpeg(16, 16, 90) << false;
        QTest::newRow("jpeg with APP1 Exif") << makeJpeg(16, 16, 90, true) << true;
        QTest::newRow("png without") << makePng(8, 8) << false;
        QTest::newRow("png with eXIf") << makePng(8, 8, true) << true;
        QTest::newRow("webp without") << webpLossless(8, 8) << false;
        QTest::newRow("webp with EXIF") << webpLossless(8, 8, true) << true;
    }
    void exif()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(bool, hasExif);
        const Result<ImageFileInfo> info = inspectImageFile(write(bytes));
        QVERIFY2(info.ok(), qPrintable(info.error()));
        QCOMPARE(info->hasExif, hasExif);
    }

    // Cut files still have readable headers: the data-level call reports them incomplete.
    void truncated_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("truncation");
        const QByteArray jpeg = makeJpeg(64, 64, 90);
        const QByteArray png = makePng(16, 16);
        QTest::newRow("jpeg without end marker") << jpeg.chopped(2) << "JPEG end marker missing";
        QTest::newRow("jpeg cut in the image data") << jpeg.left(jpeg.size() - 20) << "JPEG end marker missing";
        QTest::newRow("png without IEND") << png.chopped(12) << "PNG IEND chunk missing";
        QTest::newRow("png cut in IDAT") << png.chopped(30) << "PNG chunk IDAT runs past the end of the file";
        QTest::newRow("webp shorter than RIFF says")
            << webpLossless(8, 8, true).chopped(4) << "WebP data shorter than its RIFF header says";
    }
    void truncated()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(QString, truncation);
        const Result<ImageFileInfo> data = inspectImageData(bytes);
        QVERIFY2(data.ok(), qPrintable(data.error()));
        QVERIFY(!data->complete);
        QCOMPARE(data->truncation, truncation);

        const QString path = write(bytes);
        const Result<ImageFileInfo> file = inspectImageFile(path);
        QVERIFY(!file.ok());
        QCOMPARE(file.error(), QDir::toNativeSeparators(path) + QStringLiteral(": truncated (%1)").arg(truncation));
    }

    void paddingAfterJpegEndIsComplete()
    {
        const Result<ImageFileInfo> info = inspectImageData(QByteArray(makeJpeg(16, 16, 90) + QByteArray(512, '\0')));
        QVERIFY2(info.ok(), qPrintable(info.error()));
        QVERIFY(info->complete);
    }

    // A phone's motion photo: a whole JPEG, then a video. The image is complete, the rest counted.
    void dataAfterTheJpegEndIsCounted_data()
    {
        QTest::addColumn<bool>("progressive");
        QTest::newRow("baseline") << false;
        QTest::newRow("progressive") << true;
    }
    void dataAfterTheJpegEndIsCounted()
    {
        QFETCH(bool, progressive);
        cv::Mat image(48, 64, CV_8UC3);
        cv::randu(image, cv::Scalar::all(0), cv::Scalar::all(255));
        std::vector<uchar> encoded;
        QVERIFY(cv::imencode(".jpg", image, encoded, { cv::IMWRITE_JPEG_PROGRESSIVE, progressive ? 1 : 0 }));
        const QByteArray jpeg(reinterpret_cast<const char*>(encoded.data()), qsizetype(encoded.size()));
        QByteArray video("\0\0\0\x18ftypmp42", 12);
        for (int i = 0; i < 3000; ++i)
            video.append(char(0xFF - i % 7)); // 0xFF bytes too: only the JPEG's own end marker counts
        const QByteArray motion = jpeg + video;
        const Result<ImageFileInfo> info = inspectImageData(motion);
        QVERIFY2(info.ok(), qPrintable(info.error()));
        QVERIFY(info->complete);
        QCOMPARE(info->trailingBytes, video.size());
        QCOMPARE(info->width, 64);
        QVERIFY(verifyImageDataDecodes(motion).ok());
    }

    // A phone's portrait JPEG is stored landscape with orientation 6: the size recorded is the one
    // people see (decoders turn it upright), big- and little-endian EXIF alike.
    void exifOrientationGivesTheDisplayedSize_data()
    {
        QTest::addColumn<bool>("bigEndian");
        QTest::addColumn<int>("orientation");
        QTest::addColumn<int>("width");
        QTest::addColumn<int>("height");
        QTest::newRow("II upright") << false << 1 << 64 << 32;
        QTest::newRow("II rotated 90") << false << 6 << 32 << 64;
        QTest::newRow("MM rotated 270") << true << 8 << 32 << 64;
        QTest::newRow("MM rotated 180") << true << 3 << 64 << 32;
    }
    void exifOrientationGivesTheDisplayedSize()
    {
        QFETCH(bool, bigEndian);
        QFETCH(int, orientation);
        QFETCH(int, width);
        QFETCH(int, height);
        QByteArray tiff = bigEndian ? QByteArray("MM\0*", 4) : QByteArray("II*\0", 4);
        const auto put16 = [&](int v) { bigEndian ? appendBe16(tiff, v) : appendLe16(tiff, v); };
        const auto put32 = [&](quint32 v) { bigEndian ? appendBe32(tiff, v) : appendLe32(tiff, v); };
        put32(8);
        put16(1); // one entry: Orientation, SHORT, count 1
        put16(0x0112);
        put16(3);
        put32(1);
        put16(orientation);
        put16(0);
        put32(0);
        const QByteArray plain = makeJpeg(64, 32, 90);
        const QByteArray jpeg = plain.left(2) + jpegSegment(0xE1, QByteArray("Exif\0\0", 6) + tiff) + plain.mid(2);
        const Result<ImageFileInfo> info = inspectImageData(jpeg);
        QVERIFY2(info.ok(), qPrintable(info.error()));
        QCOMPARE(info->orientation, orientation);
        QCOMPARE(info->width, width);
        QCOMPARE(info->height, height);
    }

    void animatedWebpIsFlagged()
    {
        QByteArray vp8x(1, char(0x02)); // animation flag
        vp8x.append(QByteArray(3, '\0'));
        vp8x.append(char(7)).append('\0').append('\0').append(char(3)).append('\0').append('\0');
        const Result<ImageFileInfo> info
            = inspectImageData(riff(riffChunk("VP8X", vp8x) + riffChunk("ANIM", QByteArray(6, '\0'))));
        QVERIFY2(info.ok(), qPrintable(info.error()));
        QVERIFY(info->animated);
        QCOMPARE(info->width, 8);
        QVERIFY(!inspectImageData(webpLossless(8, 8)).value().animated);
    }

    void errors_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("message");
        QTest::newRow("empty") << QByteArray() << "file is empty (0 bytes)";
        QTest::newRow("text") << QByteArray("path,source\nx.png,real\n") << "not an image (unknown format)";
        QTest::newRow("text starting with BM")
            << QByteArray("BM is not a bitmap by itself, even if long enough") << "not an image (unknown format)";
        QTest::newRow("jpeg header cut") << makeJpeg(16, 16, 90).left(40) << "truncated (JPEG header incomplete)";
        QTest::newRow("png header cut") << makePng(16, 16).left(20) << "truncated (PNG header incomplete)";
        // The 4-byte signature alone must not let the reader take the 4-byte directory offset after it.
        QTest::newRow("tiff header cut after 6 bytes")
            << QByteArray("II*\0\x08\0", 6) << "truncated (TIFF header incomplete)";
        QTest::newRow("big-endian tiff header cut after 6 bytes")
            << QByteArray("MM\0*\0\0", 6) << "truncated (TIFF header incomplete)";
        QTest::newRow("tiff signature only") << QByteArray("II*\0", 4) << "truncated (TIFF header incomplete)";
        QTest::newRow("tiff directory past the end")
            << tiffHeader(70, 50, false).left(8) << "truncated (TIFF header incomplete)";
        QTest::newRow("tiff directory entries cut")
            << tiffHeader(70, 50, false).chopped(6) << "truncated (TIFF header incomplete)";
    }
    void errors()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(QString, message);
        const QString path = write(bytes, QStringLiteral("x.jpg"));
        const Result<ImageFileInfo> info = inspectImageFile(path);
        QVERIFY(!info.ok());
        QCOMPARE(info.error(), QDir::toNativeSeparators(path) + QStringLiteral(": ") + message);
    }

    // "II*\0" followed by 2 bytes: the header's directory offset is cut in half. The data-level call must say
    // so without reading past the buffer.
    void truncatedTiffHeader()
    {
        const QByteArray bytes("II*\0\x08\0", 6);
        QCOMPARE(bytes.size(), 6);
        const Result<ImageFileInfo> data = inspectImageData(bytes);
        QVERIFY(!data.ok());
        QCOMPARE(data.error(), QStringLiteral("truncated (TIFF header incomplete)"));

        const QString path = write(bytes, QStringLiteral("cut.tif"));
        const Result<ImageFileInfo> file = inspectImageFile(path);
        QVERIFY(!file.ok());
        QCOMPARE(file.error(), QDir::toNativeSeparators(path) + QStringLiteral(": truncated (TIFF header incomplete)"));
    }

    void missingFileCannotBeRead()
    {
        const QString path = m_dir.filePath(QStringLiteral("gpt4/none.jpg"));
        const Result<ImageFileInfo> info = inspectImageFile(path);
        QVERIFY(!info.ok());
        QVERIFY2(info.error().startsWith(QDir::toNativeSeparators(path) + QStringLiteral(": cannot be read: ")),
            qPrintable(info.error()));
        QVERIFY(!verifyImageDecodes(path).ok());
    }

    void decodes_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<bool>("decodes");
        QByteArray badPng = makePng(16, 16);
        // Keep the chunk structure (and IDAT's CRC) intact but make the compressed data nonsense.
        const int idat = badPng.indexOf("IDAT");
        const int length = qFromBigEndian<quint32>(badPng.constData() + idat - 4);
        for (int i = 0; i < length; ++i)
            badPng[idat + 4 + i] = char(0xA5 ^ i);
        const QByteArray body = badPng.mid(idat, 4 + length);
        QByteArray crc;
        appendBe32(crc, crc32(body));
        badPng.replace(idat + 4 + length, 4, crc);
        QTest::newRow("png") << makePng(16, 12) << true;
        QTest::newRow("jpeg") << makeJpeg(24, 16, 75) << true;
        QTest::newRow("jpeg with exif") << makeJpeg(24, 16, 75, true) << true;
        QTest::newRow("bmp") << makeBmp(5, 3) << true;
        QTest::newRow("png with broken data") << badPng << false;
        QTest::newRow("text") << QByteArray("hello") << false;
    }
    void decodes()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(bool, decodes);
        const QString path = write(bytes);
        const Status status = verifyImageDecodes(path);
        QVERIFY2(status.ok() == decodes, qPrintable(status.error()));
        if (!decodes)
            QVERIFY2(status.error().startsWith(QDir::toNativeSeparators(path) + QStringLiteral(": ")),
                qPrintable(status.error()));
    }

    // Real files from another encoder: the sample's JPEGs were written by libjpeg at quality 90.
    void deepArtSample()
    {
        const QDir sample(QStringLiteral(NTT_SHARED_DATA_DIR "/deepart-sample"));
        if (!sample.exists())
            QSKIP("shared DeepArt sample not present");
        QMap<QString, int> formats;
        for (const QString& source : { QStringLiteral("human"), QStringLiteral("gpt4") }) {
            const QDir dir(sample.filePath(source));
            for (const QString& name : dir.entryList(QDir::Files)) {
                const QString path = dir.filePath(name);
                const Result<ImageFileInfo> info = inspectImageFile(path);
                QVERIFY2(info.ok(), qPrintable(info.error()));
                QCOMPARE(info->width, 384);
                QCOMPARE(info->height, 384);
                QCOMPARE(info->format, QFileInfo(name).suffix() == QLatin1String("png") ? "png" : "jpeg");
                if (info->format == QLatin1String("jpeg"))
                    QCOMPARE(info->jpegQuality, 90);
                ++formats[source + QLatin1Char('/') + info->format];
            }
        }
        QCOMPARE(formats.value(QStringLiteral("human/png")), 39);
        QCOMPARE(formats.value(QStringLiteral("human/jpeg")), 1);
        QCOMPARE(formats.value(QStringLiteral("gpt4/jpeg")), 40);
    }
};

QTEST_GUILESS_MAIN(Test_imagefileinfo)
#include "tst_imagefileinfo.moc"
