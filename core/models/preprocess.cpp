#include "models/preprocess.h"

#include "models/resampling.h"
#include "pool/imagedecode.h"

#include <QCoreApplication>
#include <QFile>
#include <QFileInfo>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <exception>

namespace ntt {
namespace {

class Text
{
    Q_DECLARE_TR_FUNCTIONS(ntt::PreparedImage)
};

QString cvMessage(const cv::Exception& e)
{
    return QString::fromStdString(e.err.empty() ? e.what() : e.err);
}

// torchvision's CenterCrop offset: int(round((length - crop) / 2.0)), and Python rounds halves to even.
int centreCropOffset(int length, int crop)
{
    const int difference = length - crop;
    const int half = difference / 2;
    if (difference % 2 == 0)
        return half;
    return half % 2 == 0 ? half : half + 1;
}

/// The size resizeForInput scales a "resize-crop" image to before cutting the centre out.
cv::Size scaledForCrop(int width, int height, const InputSpec& input)
{
    const int shortSide = std::min(width, height);
    const int longSide = std::max(width, height);
    const int newShort = input.resizeTo;
    const int newLong = static_cast<int>(static_cast<long long>(newShort) * longSide / shortSide);
    return width <= height ? cv::Size(newShort, newLong) : cv::Size(newLong, newShort);
}

// Geometry as torchvision's Resize / CenterCrop: "resize" scales straight to size x size;
// "resize-crop" scales the short side to resizeTo (the long side truncated, as torchvision does)
// and crops the centre. The resize itself is PIL's (antialias) or PyTorch's (no antialias).
Result<cv::Mat> resizeForInput(const cv::Mat& image, const InputSpec& input)
{
    const int size = input.size;
    const cv::Size target = input.resizePolicy == QLatin1String("resize")
        ? cv::Size(size, size)
        : scaledForCrop(image.cols, image.rows, input);
    auto scaled = input.antialias ? resizeLikePil(image, target.width, target.height, input.interpolation)
                                  : resizeLikeTorch(image, target.width, target.height, input.interpolation);
    if (!scaled || input.resizePolicy == QLatin1String("resize"))
        return scaled;
    const cv::Rect centre(centreCropOffset(scaled->cols, size), centreCropOffset(scaled->rows, size), size, size);
    return scaled.value()(centre);
}

} // namespace

InputRegion inputRegionInImage(const InputSpec& input, int width, int height)
{
    if (input.resizePolicy == QLatin1String("resize") || width < 1 || height < 1)
        return { 0.0, 0.0, double(width), double(height) };
    const cv::Size scaled = scaledForCrop(width, height, input);
    const double sx = double(width) / scaled.width;
    const double sy = double(height) / scaled.height;
    return { centreCropOffset(scaled.width, input.size) * sx, centreCropOffset(scaled.height, input.size) * sy,
        input.size * sx, input.size * sy };
}

namespace {

Status checkInputSpec(const InputSpec& input)
{
    if (input.size < 1 || input.mean.size() != 3 || input.std.size() != 3)
        return Error { Text::tr("the model's input settings are incomplete") };
    if (input.resizePolicy == QLatin1String("resize-crop") && input.resizeTo < input.size)
        return Error {
            Text::tr("cannot crop %1 px out of an image scaled to %2 px").arg(input.size).arg(input.resizeTo)
        };
    return {};
}

} // namespace

Result<PreparedImage> prepareDecodedImage(const cv::Mat& bgr, const InputSpec& input)
{
    if (const Status valid = checkInputSpec(input); !valid)
        return Error { valid.error() };
    try {
        const auto resized = resizeForInput(bgr, input);
        if (!resized)
            return Error { resized.error() };
        const cv::Mat& sized = resized.value();

        const bool rgb = input.channelOrder != QLatin1String("bgr");
        const int size = input.size;
        const std::size_t plane = static_cast<std::size_t>(size) * static_cast<std::size_t>(size);
        PreparedImage out;
        out.size = size;
        out.sourceWidth = bgr.cols;
        out.sourceHeight = bgr.rows;
        out.chw.resize(3 * plane);
        // Output channel c comes from BGR channel 2 - c for RGB order, channel c for BGR order. The
        // arithmetic is ToTensor's (v / 255 in float32) then Normalize's ((x - mean) / std).
        // Each channel's 256 possible values are computed once, with the same float operations.
        int from[3];
        float value[3][256];
        for (int c = 0; c < 3; ++c) {
            from[c] = rgb ? 2 - c : c;
            for (int v = 0; v < 256; ++v)
                value[c][v] = (float(v) / 255.0f - input.mean[c]) / input.std[c];
        }
        for (int y = 0; y < size; ++y) {
            const auto* row = sized.ptr<cv::Vec3b>(y);
            for (int x = 0; x < size; ++x) {
                const std::size_t at = static_cast<std::size_t>(y) * size + x;
                for (int c = 0; c < 3; ++c)
                    out.chw[c * plane + at] = value[c][row[x][from[c]]];
            }
        }
        return out;
    } catch (const cv::Exception& e) {
        return Error { Text::tr("cannot prepare the image (%1)").arg(cvMessage(e)) };
    } catch (const std::exception& e) {
        return Error { Text::tr("cannot prepare the image (%1)").arg(QString::fromLocal8Bit(e.what())) };
    }
}

Result<PreparedImage> prepareImageData(QByteArrayView bytes, const InputSpec& input, const Background& background)
{
    // The settings first: a model whose settings are wrong fails the same on every image.
    if (const Status valid = checkInputSpec(input); !valid)
        return Error { valid.error() };
    const auto decoded = decodeImageBgr(bytes, background);
    if (!decoded)
        return Error { decoded.error() };
    return prepareDecodedImage(decoded.value(), input);
}

Result<PreparedImage> prepareImageFile(const QString& path, const InputSpec& input, const Background& background)
{
    const QFileInfo info(path);
    if (!info.isFile())
        return Error { Text::tr("%1: file not found").arg(path) };
    if (!info.isReadable())
        return Error { Text::tr("%1: file is not readable").arg(path) };
    const auto file = readFileBytes(path);
    if (!file)
        return Error { file.error() };
    auto prepared = prepareImageData(file->bytes, input, background);
    if (!prepared)
        return Error { QStringLiteral("%1: %2").arg(path, prepared.error()) };
    return prepared;
}

} // namespace ntt
