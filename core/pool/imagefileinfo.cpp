#include "pool/imagefileinfo.h"

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QtEndian>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include <algorithm>
#include <array>
#include <climits>
#include <cstdlib>
#include <cstring>

namespace ntt {
namespace {

class Text
{
    Q_DECLARE_TR_FUNCTIONS(ntt::ImageFileInfo)
};

// Bounds-checked reads from the file's bytes: every header field comes from untrusted input.
class Bytes
{
public:
    explicit Bytes(QByteArrayView data)
        : m_data(reinterpret_cast<const uchar*>(data.data()))
        , m_size(data.size())
    { }

    qint64 size() const { return m_size; }
    bool has(qint64 offset, qint64 count) const { return offset >= 0 && count >= 0 && offset <= m_size - count; }
    quint8 u8(qint64 offset) const { return m_data[offset]; }
    quint16 be16(qint64 offset) const { return qFromBigEndian<quint16>(m_data + offset); }
    quint32 be32(qint64 offset) const { return qFromBigEndian<quint32>(m_data + offset); }
    quint16 le16(qint64 offset) const { return qFromLittleEndian<quint16>(m_data + offset); }
    quint32 le24(qint64 offset) const { return m_data[offset] | m_data[offset + 1] << 8 | m_data[offset + 2] << 16; }
    quint32 le32(qint64 offset) const { return qFromLittleEndian<quint32>(m_data + offset); }
    bool matches(qint64 offset, const char* text, qint64 length) const
    {
        return has(offset, length) && std::memcmp(m_data + offset, text, static_cast<size_t>(length)) == 0;
    }
    QString fourCc(qint64 offset) const
    {
        return QString::fromLatin1(reinterpret_cast<const char*>(m_data + offset), 4);
    }

private:
    const uchar* m_data;
    qint64 m_size;
};

Error truncatedHeader(const char* format)
{
    return Error { Text::tr("truncated (%1 header incomplete)").arg(QLatin1String(format)) };
}

Error corrupt(const QString& what)
{
    return Error { Text::tr("not a valid image (%1)").arg(what) };
}

// The IJG (libjpeg) luminance table in natural order, scaled by libjpeg for every quality setting.
constexpr std::array<int, 64> kIjgLuminance = {
    16, 11, 10, 16, 24, 40, 51, 61, //
    12, 12, 14, 19, 26, 58, 60, 55, //
    14, 13, 16, 24, 40, 57, 69, 56, //
    14, 17, 22, 29, 51, 87, 80, 62, //
    18, 22, 37, 56, 68, 109, 103, 77, //
    24, 35, 55, 64, 81, 104, 113, 92, //
    49, 64, 78, 87, 103, 121, 120, 101, //
    72, 92, 95, 98, 112, 100, 103, 99, //
};

// DQT segments store their entries in zigzag order; entry k belongs to natural position kZigzag[k].
constexpr std::array<int, 64> kZigzag = {
    0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, //
    41, 34, 27, 20, 13, 6, 7, 14, 21, 28, 35, 42, 49, 56, 57, 50, 43, 36, 29, 22, //
    15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63, //
};

// The quality whose scaled IJG table is closest (sum of absolute differences) to the file's table;
// encoders other than libjpeg use other tables, so this is an estimate on libjpeg's scale.
int estimateIjgQuality(const std::array<int, 64>& zigzagTable)
{
    int best = -1;
    long bestDistance = LONG_MAX;
    for (int quality = 1; quality <= 100; ++quality) {
        const long scale = quality < 50 ? 5000 / quality : 200 - 2 * quality;
        long distance = 0;
        for (int k = 0; k < 64; ++k) {
            const long expected = std::clamp((kIjgLuminance[kZigzag[k]] * scale + 50) / 100, 1L, 255L);
            distance += std::labs(expected - zigzagTable[k]);
        }
        if (distance < bestDistance) {
            bestDistance = distance;
            best = quality;
        }
    }
    return best;
}

int exifOrientation(const Bytes& b, qint64 tiff, qint64 end);

Result<ImageFileInfo> inspectPng(const Bytes& b)
{
    ImageFileInfo info;
    info.format = QStringLiteral("png");
    // The signature is followed by IHDR, whose 13 data bytes start with width and height.
    if (!b.has(0, 8 + 8 + 13))
        return truncatedHeader("PNG");
    if (!b.matches(12, "IHDR", 4))
        return corrupt(Text::tr("PNG without IHDR chunk"));
    const quint32 width = b.be32(16);
    const quint32 height = b.be32(20);
    if (width == 0 || height == 0 || width > INT_MAX || height > INT_MAX)
        return corrupt(Text::tr("PNG size %1x%2").arg(width).arg(height));
    info.width = static_cast<int>(width);
    info.height = static_cast<int>(height);

    qint64 offset = 8;
    for (;;) {
        if (!b.has(offset, 8)) {
            info.complete = false;
            info.truncation = Text::tr("PNG IEND chunk missing");
            break;
        }
        const qint64 length = b.be32(offset);
        const QString type = b.fourCc(offset + 4);
        if (!b.has(offset + 8, length + 4)) {
            info.complete = false;
            bool printable = true;
            for (const QChar c : type)
                printable = printable && c.isLetter() && c.unicode() < 128;
            info.truncation = printable ? Text::tr("PNG chunk %1 runs past the end of the file").arg(type)
                                        : Text::tr("PNG chunk at byte %1 runs past the end of the file").arg(offset);
            break;
        }
        if (type == QLatin1String("eXIf")) {
            // The chunk holds a TIFF block; some writers keep JPEG's "Exif\0\0" before it.
            info.hasExif = true;
            const qint64 data = offset + 8;
            const qint64 tiff = b.matches(data, "Exif\0\0", 6) ? data + 6 : data;
            info.orientation = exifOrientation(b, tiff, data + length);
        }
        if (type == QLatin1String("IEND"))
            break;
        offset += 12 + length;
    }
    // OpenCV's reader turns a PNG upright by its eXIf orientation, as it does a JPEG.
    if (info.orientation >= 5)
        std::swap(info.width, info.height);
    return info;
}

/// The Orientation tag (0x0112) of the first IFD of an EXIF TIFF block at [tiff, end); 1 when absent or
/// out of range.
int exifOrientation(const Bytes& b, qint64 tiff, qint64 end)
{
    if (!b.has(tiff, 8) || end - tiff < 8)
        return 1;
    const bool little = b.matches(tiff, "II", 2);
    if (!little && !b.matches(tiff, "MM", 2))
        return 1;
    const auto u16 = [&](qint64 at) { return little ? b.le16(at) : b.be16(at); };
    const auto u32 = [&](qint64 at) { return little ? b.le32(at) : b.be32(at); };
    const qint64 ifd = tiff + u32(tiff + 4);
    if (ifd < tiff + 8 || !b.has(ifd, 2) || ifd + 2 > end)
        return 1;
    const int entries = u16(ifd);
    for (int i = 0; i < entries; ++i) {
        const qint64 entry = ifd + 2 + 12 * qint64(i);
        if (!b.has(entry, 12) || entry + 12 > end)
            break;
        if (u16(entry) == 0x0112 && u16(entry + 2) == 3) {
            const int value = u16(entry + 8);
            return value >= 1 && value <= 8 ? value : 1;
        }
    }
    return 1;
}

Result<ImageFileInfo> inspectJpeg(const Bytes& b)
{
    ImageFileInfo info;
    info.format = QStringLiteral("jpeg");
    std::array<int, 64> luminanceTable {};
    bool haveLuminanceTable = false;
    bool haveFrame = false;

    // Walk the marker segments up to the start of the image data (SOS); everything we need is before it.
    qint64 pos = 2;
    for (;;) {
        if (!b.has(pos, 2))
            return truncatedHeader("JPEG");
        if (b.u8(pos) != 0xFF)
            return corrupt(Text::tr("JPEG marker expected at byte %1").arg(pos));
        while (b.has(pos + 1, 1) && b.u8(pos + 1) == 0xFF) // fill bytes
            ++pos;
        if (!b.has(pos, 2))
            return truncatedHeader("JPEG");
        const quint8 marker = b.u8(pos + 1);
        pos += 2;
        if (marker == 0xD8 || marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7))
            continue; // markers without a length field
        if (marker == 0xD9)
            break;
        if (!b.has(pos, 2))
            return truncatedHeader("JPEG");
        const qint64 length = b.be16(pos);
        if (length < 2)
            return corrupt(Text::tr("JPEG segment length %1 at byte %2").arg(length).arg(pos));
        if (!b.has(pos, length))
            return truncatedHeader("JPEG");
        const qint64 payload = pos + 2;
        const qint64 payloadEnd = pos + length;

        const bool isFrame = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
        if (isFrame && !haveFrame && length >= 2 + 5) {
            info.height = b.be16(payload + 1);
            info.width = b.be16(payload + 3);
            haveFrame = true;
        } else if (marker == 0xDB) {
            qint64 q = payload;
            while (q < payloadEnd) {
                const int precision = b.u8(q) >> 4;
                const int tableId = b.u8(q) & 0x0F;
                const qint64 entrySize = precision ? 2 : 1;
                ++q;
                if (q + 64 * entrySize > payloadEnd)
                    break;
                if (tableId == 0) {
                    for (int k = 0; k < 64; ++k)
                        luminanceTable[k] = precision ? b.be16(q + 2 * k) : b.u8(q + k);
                    haveLuminanceTable = true;
                }
                q += 64 * entrySize;
            }
        } else if (marker == 0xE1 && b.has(payload, 6) && payloadEnd - payload >= 6
            && b.matches(payload, "Exif\0\0", 6)) {
            info.hasExif = true;
            info.orientation = exifOrientation(b, payload + 6, payloadEnd);
        }
        pos = payloadEnd;
        if (marker == 0xDA)
            break;
    }
    if (!haveFrame)
        return corrupt(Text::tr("JPEG without frame header"));
    // Decoders (OpenCV's among them) turn the image upright: record the size people see.
    if (info.orientation >= 5)
        std::swap(info.width, info.height);
    if (haveLuminanceTable)
        info.jpegQuality = estimateIjgQuality(luminanceTable);

    // The end marker: after the scan data, where 0xFF is followed by a stuffed 0x00, a restart
    // marker, or another segment (progressive files have several scans). Data after it is not
    // the image's (a motion photo's video, or zero padding to a block size).
    qint64 eoi = -1;
    while (eoi < 0 && b.has(pos, 2)) {
        if (b.u8(pos) != 0xFF) {
            ++pos;
            continue;
        }
        const quint8 next = b.u8(pos + 1);
        if (next == 0x00 || next == 0xFF || (next >= 0xD0 && next <= 0xD7) || next == 0x01) {
            pos += next == 0xFF ? 1 : 2;
        } else if (next == 0xD9) {
            eoi = pos + 2;
        } else if (b.has(pos + 2, 2) && b.be16(pos + 2) >= 2) {
            pos += 2 + b.be16(pos + 2);
        } else {
            break;
        }
    }
    if (eoi < 0) {
        info.complete = false;
        info.truncation = Text::tr("JPEG end marker missing");
        return info;
    }
    qint64 end = b.size();
    while (end > eoi && b.u8(end - 1) == 0)
        --end;
    info.trailingBytes = end - eoi;
    return info;
}

Result<ImageFileInfo> inspectWebp(const Bytes& b)
{
    ImageFileInfo info;
    info.format = QStringLiteral("webp");
    const qint64 riffEnd = qint64(b.le32(4)) + 8;
    if (riffEnd > b.size()) {
        info.complete = false;
        info.truncation = Text::tr("WebP data shorter than its RIFF header says");
    }
    const qint64 end = qMin(riffEnd, b.size());
    bool haveSize = false;
    bool haveCanvas = false; // VP8X gives the canvas size, which wins over the bitstream's
    for (qint64 pos = 12; pos + 8 <= end;) {
        const qint64 length = b.le32(pos + 4);
        const qint64 data = pos + 8;
        if (b.matches(pos, "VP8X", 4) && b.has(data, 10)) {
            info.animated = (b.u8(data) & 0x02) != 0;
            info.width = static_cast<int>(b.le24(data + 4) + 1);
            info.height = static_cast<int>(b.le24(data + 7) + 1);
            haveSize = haveCanvas = true;
        } else if (b.matches(pos, "VP8 ", 4) && b.has(data, 10) && !haveCanvas) {
            if (b.u8(data + 3) != 0x9D || b.u8(data + 4) != 0x01 || b.u8(data + 5) != 0x2A)
                return corrupt(Text::tr("WebP VP8 start code missing"));
            info.width = b.le16(data + 6) & 0x3FFF;
            info.height = b.le16(data + 8) & 0x3FFF;
            haveSize = true;
        } else if (b.matches(pos, "VP8L", 4) && b.has(data, 5) && !haveCanvas) {
            if (b.u8(data) != 0x2F)
                return corrupt(Text::tr("WebP VP8L signature missing"));
            const quint32 bits = b.le32(data + 1);
            info.width = static_cast<int>((bits & 0x3FFF) + 1);
            info.height = static_cast<int>(((bits >> 14) & 0x3FFF) + 1);
            haveSize = true;
        } else if (b.matches(pos, "EXIF", 4)) {
            info.hasExif = true;
        }
        pos = data + length + (length & 1); // chunks are padded to an even size
    }
    if (!haveSize)
        return truncatedHeader("WebP");
    return info;
}

Result<ImageFileInfo> inspectBmp(const Bytes& b)
{
    ImageFileInfo info;
    info.format = QStringLiteral("bmp");
    const quint32 headerSize = b.le32(14);
    if (headerSize == 12) { // OS/2 BITMAPCOREHEADER: 16-bit sizes
        info.width = b.le16(18);
        info.height = b.le16(20);
    } else {
        info.width = static_cast<qint32>(b.le32(18));
        info.height = std::abs(static_cast<qint32>(b.le32(22))); // negative height: rows stored top-down
    }
    if (info.width <= 0 || info.height <= 0)
        return corrupt(Text::tr("BMP size %1x%2").arg(info.width).arg(info.height));
    return info;
}

Result<ImageFileInfo> inspectGif(const Bytes& b)
{
    ImageFileInfo info;
    info.format = QStringLiteral("gif");
    if (!b.has(0, 10))
        return truncatedHeader("GIF");
    info.width = b.le16(6);
    info.height = b.le16(8);
    return info;
}

Result<ImageFileInfo> inspectTiff(const Bytes& b)
{
    ImageFileInfo info;
    info.format = QStringLiteral("tiff");
    // The 8-byte header: byte order, magic 42 and the offset of the first image directory (IFD).
    // Every read below is covered by the has() check before it: the signature alone is only 4 bytes.
    if (!b.has(0, 8))
        return truncatedHeader("TIFF");
    const bool bigEndian = b.u8(0) == 'M';
    const auto u16 = [&](qint64 offset) { return bigEndian ? b.be16(offset) : b.le16(offset); };
    const auto u32 = [&](qint64 offset) { return bigEndian ? b.be32(offset) : b.le32(offset); };
    const qint64 directory = u32(4);
    if (!b.has(directory, 2)) // the IFD's entry count
        return truncatedHeader("TIFF");
    const int entries = u16(directory);
    for (int i = 0; i < entries; ++i) {
        const qint64 entry = directory + 2 + 12 * qint64(i);
        if (!b.has(entry, 12)) // tag, type, count and the 4-byte value field
            return truncatedHeader("TIFF");
        const int tag = u16(entry);
        const int type = u16(entry + 2);
        if (tag != 256 && tag != 257)
            continue;
        // SHORT values sit left-aligned in the 4-byte value field.
        const qint64 value = type == 3 ? u16(entry + 8) : type == 4 ? u32(entry + 8) : -1;
        if (value <= 0 || value > INT_MAX)
            return corrupt(Text::tr("TIFF image size field"));
        (tag == 256 ? info.width : info.height) = static_cast<int>(value);
    }
    if (info.width == 0 || info.height == 0)
        return corrupt(Text::tr("TIFF without image size"));
    return info;
}

// The bytes of a whole file: memory-mapped where possible, so large files cost no copy.
class FileContents
{
public:
    Status open(const QString& path)
    {
        m_file.setFileName(path);
        if (!m_file.open(QIODevice::ReadOnly))
            return Error { Text::tr("cannot be read: %1").arg(m_file.errorString()) };
        const qint64 size = m_file.size();
        if (size == 0)
            return Error { Text::tr("file is empty (0 bytes)") };
        if (const uchar* mapped = m_file.map(0, size)) {
            m_bytes = QByteArrayView(reinterpret_cast<const char*>(mapped), size);
            return {};
        }
        m_copy = m_file.readAll();
        if (m_copy.size() != size)
            return Error { Text::tr("cannot be read: %1").arg(m_file.errorString()) };
        m_bytes = m_copy;
        return {};
    }
    QByteArrayView bytes() const { return m_bytes; }

private:
    QFile m_file;
    QByteArray m_copy;
    QByteArrayView m_bytes;
};

QString namingFile(const QString& path, const QString& message)
{
    return QDir::toNativeSeparators(path) + QStringLiteral(": ") + message;
}

} // namespace

Result<ImageFileInfo> inspectImageData(QByteArrayView data)
{
    const Bytes b(data);
    if (b.size() == 0)
        return Error { Text::tr("file is empty (0 bytes)") };
    if (b.matches(0, "\x89PNG\r\n\x1a\n", 8))
        return inspectPng(b);
    if (b.matches(0, "\xFF\xD8\xFF", 3))
        return inspectJpeg(b);
    if (b.matches(0, "RIFF", 4) && b.matches(8, "WEBP", 4))
        return inspectWebp(b);
    if (b.matches(0, "II*\0", 4) || b.matches(0, "MM\0*", 4))
        return inspectTiff(b);
    if (b.matches(0, "GIF87a", 6) || b.matches(0, "GIF89a", 6))
        return inspectGif(b);
    // "BM" alone is too weak a signature: also require one of the known DIB header sizes.
    if (b.matches(0, "BM", 2) && b.has(0, 26)) {
        const quint32 headerSize = b.le32(14);
        if (headerSize == 12 || headerSize == 40 || headerSize == 52 || headerSize == 56 || headerSize == 64
            || headerSize == 108 || headerSize == 124)
            return inspectBmp(b);
    }
    return Error { Text::tr("not an image (unknown format)") };
}

Result<QString> verifyImageDataDecodes(QByteArrayView data)
{
    if (data.size() > INT_MAX)
        return Error { Text::tr("too large to decode (%1 bytes)").arg(data.size()) };
    try {
        // imdecode only reads the buffer; decoding from memory also avoids path encoding issues.
        const cv::Mat buffer(1, static_cast<int>(data.size()), CV_8UC1, const_cast<char*>(data.data()));
        const cv::Mat image = cv::imdecode(buffer, cv::IMREAD_UNCHANGED);
        if (image.empty())
            return Error { Text::tr("does not decode (OpenCV cannot read it)") };
        const int channels = image.channels();
        if (channels != 2 && channels != 4)
            return QStringLiteral("none");
        cv::Mat alpha;
        cv::extractChannel(image, alpha, channels - 1);
        double lowest = 0.0;
        double highest = 0.0;
        cv::minMaxLoc(alpha, &lowest, &highest);
        const double opaque = image.depth() == CV_16U ? 65535.0 : image.depth() == CV_8U ? 255.0 : 1.0;
        return lowest < opaque ? QStringLiteral("transparent") : QStringLiteral("opaque");
    } catch (const cv::Exception& e) {
        return Error { Text::tr("does not decode: %1").arg(QString::fromStdString(e.err)) };
    }
}

Result<ImageFileInfo> inspectImageFile(const QString& path)
{
    FileContents contents;
    if (const Status opened = contents.open(path); !opened)
        return Error { namingFile(path, opened.error()) };
    Result<ImageFileInfo> info = inspectImageData(contents.bytes());
    if (!info)
        return Error { namingFile(path, info.error()) };
    if (!info->complete)
        return Error { namingFile(path, Text::tr("truncated (%1)").arg(info->truncation)) };
    return info;
}

Status verifyImageDecodes(const QString& path)
{
    FileContents contents;
    if (const Status opened = contents.open(path); !opened)
        return Error { namingFile(path, opened.error()) };
    if (const auto decoded = verifyImageDataDecodes(contents.bytes()); !decoded)
        return Error { namingFile(path, decoded.error()) };
    return {};
}

QString fileSha256(const QString& path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    QCryptographicHash hash(QCryptographicHash::Sha256);
    if (!hash.addData(&file))
        return {};
    return QString::fromLatin1(hash.result().toHex());
}

} // namespace ntt
