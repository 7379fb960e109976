#include "pool/imagedecode.h"

#include "pool/imagefileinfo.h"

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <climits>

namespace ntt {
namespace {

class Text
{
    Q_DECLARE_TR_FUNCTIONS(ntt::ImageDecode)
};

QString cvMessage(const cv::Exception& e)
{
    return QString::fromStdString(e.err.empty() ? e.what() : e.err);
}

// OpenCV's ApplyExifOrientation (imgcodecs/src/loadsave.cpp), which its reader applies to JPEG and
// PNG files unless asked for the samples unchanged, as we must to keep the alpha channel.
void applyOrientation(cv::Mat& image, int orientation)
{
    switch (orientation) {
    case 2:
        cv::flip(image, image, 1);
        break;
    case 3:
        cv::flip(image, image, -1);
        break;
    case 4:
        cv::flip(image, image, 0);
        break;
    case 5:
        cv::transpose(image, image);
        break;
    case 6:
        cv::transpose(image, image);
        cv::flip(image, image, 1);
        break;
    case 7:
        cv::transpose(image, image);
        cv::flip(image, image, -1);
        break;
    case 8:
        cv::transpose(image, image);
        cv::flip(image, image, 0);
        break;
    default:
        break;
    }
}

// Samples of a 16-bit image cut to their high byte, as libpng's png_set_strip_16 (which OpenCV's
// reader asks for when it returns 8 bits) does.
cv::Mat highByte(const cv::Mat& image16)
{
    cv::Mat out(image16.size(), CV_MAKETYPE(CV_8U, image16.channels()));
    const int values = image16.cols * image16.channels();
    for (int y = 0; y < image16.rows; ++y) {
        const auto* in = image16.ptr<quint16>(y);
        auto* to = out.ptr<uchar>(y);
        for (int i = 0; i < values; ++i)
            to[i] = uchar(in[i] >> 8);
    }
    return out;
}

bool isJpeg(QByteArrayView bytes)
{
    return bytes.size() >= 3 && uchar(bytes[0]) == 0xFF && uchar(bytes[1]) == 0xD8 && uchar(bytes[2]) == 0xFF;
}

int hexValue(const QString& text, int from, int digits)
{
    const int v = text.mid(from, digits).toInt(nullptr, 16);
    return digits == 1 ? v * 17 : v;
}

} // namespace

QString Background::name() const
{
    return QStringLiteral("#%1%2%3")
        .arg(red, 2, 16, QLatin1Char('0'))
        .arg(green, 2, 16, QLatin1Char('0'))
        .arg(blue, 2, 16, QLatin1Char('0'));
}

Result<Background> parseBackground(const QString& text)
{
    const QString t = text.trimmed().toLower();
    if (t == QLatin1String("white"))
        return Background { 255, 255, 255 };
    if (t == QLatin1String("black"))
        return Background { 0, 0, 0 };
    if (t == QLatin1String("grey") || t == QLatin1String("gray"))
        return Background { 128, 128, 128 };
    static const QRegularExpression hex(QStringLiteral("^#([0-9a-f]{3}|[0-9a-f]{6})$"));
    if (!hex.match(t).hasMatch())
        return Error { Text::tr("background \"%1\" is not a colour: write #rrggbb (e.g. #ffffff), white, black or "
                                "grey")
                           .arg(text) };
    const int digits = t.size() == 4 ? 1 : 2;
    return Background { hexValue(t, 1, digits), hexValue(t, 1 + digits, digits), hexValue(t, 1 + 2 * digits, digits) };
}

cv::Mat compositeOnto(const cv::Mat& bgra8, const Background& background)
{
    CV_Assert(bgra8.type() == CV_8UC4);
    cv::Mat out(bgra8.size(), CV_8UC3);
    const quint32 back[3] = { quint32(background.blue), quint32(background.green), quint32(background.red) };
    // AlphaComposite.c with an opaque destination: outa255 = 255 * 255, so coef1 = a << 7 and
    // coef2 = (255 - a) << 7; the sum plus half (0x80 << 7) is divided by 255 with SHIFTFORDIV255.
    constexpr int kPrecisionBits = 7;
    for (int y = 0; y < bgra8.rows; ++y) {
        const auto* in = bgra8.ptr<cv::Vec4b>(y);
        auto* to = out.ptr<cv::Vec3b>(y);
        for (int x = 0; x < bgra8.cols; ++x) {
            const quint32 a = in[x][3];
            for (int c = 0; c < 3; ++c) {
                if (a == 0) {
                    to[x][c] = uchar(back[c]);
                    continue;
                }
                const quint32 coef1 = a << kPrecisionBits;
                const quint32 coef2 = (255u << kPrecisionBits) - coef1;
                const quint32 sum = quint32(in[x][c]) * coef1 + back[c] * coef2 + (0x80u << kPrecisionBits);
                to[x][c] = uchar((((sum >> 8) + sum) >> 8) >> kPrecisionBits);
            }
        }
    }
    return out;
}

Result<cv::Mat> decodeImageBgr(QByteArrayView bytes, const Background& background, int reduction)
{
    if (bytes.isEmpty())
        return Error { Text::tr("the file is empty") };
    if (bytes.size() > INT_MAX)
        return Error { Text::tr("too large to decode (%1 bytes)").arg(bytes.size()) };
    const cv::Mat buffer(1, int(bytes.size()), CV_8UC1, const_cast<char*>(bytes.data()));
    try {
        if (isJpeg(bytes)) {
            // No alpha in JPEG: OpenCV's colour reader applies the orientation and can decode at 1/2, 1/4, 1/8.
            const int flag = reduction >= 8 ? cv::IMREAD_REDUCED_COLOR_8
                : reduction >= 4            ? cv::IMREAD_REDUCED_COLOR_4
                : reduction >= 2            ? cv::IMREAD_REDUCED_COLOR_2
                                            : cv::IMREAD_COLOR;
            cv::Mat image = cv::imdecode(buffer, flag);
            if (image.empty())
                return Error { Text::tr("not a decodable image") };
            return image;
        }
        cv::Mat image = cv::imdecode(buffer, cv::IMREAD_UNCHANGED);
        if (image.empty())
            return Error { Text::tr("not a decodable image") };
        if (image.depth() == CV_16U) {
            image = highByte(image);
        } else if (image.depth() != CV_8U) {
            // Floating-point or 32-bit samples (some TIFFs): OpenCV's own conversion to 8-bit colour.
            image = cv::imdecode(buffer, cv::IMREAD_COLOR);
            if (image.empty())
                return Error { Text::tr("not a decodable image") };
        }
        switch (image.channels()) {
        case 1:
            cv::cvtColor(image, image, cv::COLOR_GRAY2BGR);
            break;
        case 2: { // grey and alpha
            cv::Mat planes[2];
            cv::split(image, planes);
            const cv::Mat bgra[4] = { planes[0], planes[0], planes[0], planes[1] };
            cv::merge(bgra, 4, image);
            image = compositeOnto(image, background);
            break;
        }
        case 4:
            image = compositeOnto(image, background);
            break;
        default:
            break;
        }
        // OpenCV's TIFF reader orients the image itself; its reader applies a PNG's eXIf orientation
        // only in colour mode, which drops alpha, so it is applied here. inspectImageData reads it.
        if (const auto info = inspectImageData(bytes); info && info->format == QLatin1String("png"))
            applyOrientation(image, info->orientation);
        if (reduction > 1) {
            const cv::Size size((image.cols + reduction - 1) / reduction, (image.rows + reduction - 1) / reduction);
            cv::resize(image, image, size, 0, 0, cv::INTER_AREA);
        }
        return image;
    } catch (const cv::Exception& e) {
        return Error { Text::tr("not a decodable image (%1)").arg(cvMessage(e)) };
    }
}

Result<FileBytes> readFileBytes(const QString& path)
{
    QFile file(path);
    if (!QFileInfo(path).isFile())
        return Error { Text::tr("%1: no such image file").arg(path) };
    if (!file.open(QIODevice::ReadOnly))
        return Error { Text::tr("%1: cannot be read (%2)").arg(path, file.errorString()) };
    FileBytes out;
    out.bytes = file.readAll();
    if (out.bytes.size() != file.size())
        return Error { Text::tr("%1: cannot be read (%2)").arg(path, file.errorString()) };
    out.sha256 = QString::fromLatin1(QCryptographicHash::hash(out.bytes, QCryptographicHash::Sha256).toHex());
    return out;
}

Result<cv::Mat> readImageBgr(const QString& imagePath, int reduction, const Background& background)
{
    auto file = readFileBytes(imagePath);
    if (!file)
        return Error { file.error() };
    auto image = decodeImageBgr(file->bytes, background, reduction);
    if (!image)
        return Error { QStringLiteral("%1: %2").arg(imagePath, image.error()) };
    return image;
}

} // namespace ntt
