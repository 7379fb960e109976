#include "imagefiles.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>

#include <opencv2/imgcodecs.hpp>

#include <vector>

namespace ntt {
namespace {

class Text
{
    Q_DECLARE_TR_FUNCTIONS(ntt::ImageFiles)
};

QString cvMessage(const cv::Exception& e)
{
    return QString::fromStdString(e.err.empty() ? e.what() : e.err);
}

} // namespace

Result<QByteArray> encodeImage(const cv::Mat& bgr8, ImageEncoding encoding, const QString& destination)
{
    if (bgr8.empty())
        return Error { Text::tr("%1: the image to write is empty").arg(destination) };
    if (bgr8.depth() != CV_8U || (bgr8.channels() != 1 && bgr8.channels() != 3 && bgr8.channels() != 4))
        return Error {
            Text::tr("%1: the image is not 8-bit grey, BGR or BGRA (OpenCV type %2)").arg(destination).arg(bgr8.type())
        };
    const bool png = encoding == ImageEncoding::Png;
    std::vector<uchar> bytes;
    try {
        const std::vector<int> params = png ? std::vector<int> {} : std::vector<int> { cv::IMWRITE_JPEG_QUALITY, 90 };
        if (!cv::imencode(png ? ".png" : ".jpg", bgr8, bytes, params))
            return Error { Text::tr("%1: image encoding failed").arg(destination) };
    } catch (const cv::Exception& e) {
        return Error { Text::tr("%1: image encoding failed (%2)").arg(destination, cvMessage(e)) };
    }
    return QByteArray(reinterpret_cast<const char*>(bytes.data()), qsizetype(bytes.size()));
}

Status writeFileAtomically(const QByteArray& bytes, const QString& path)
{
    const QFileInfo info(path);
    if (!info.absoluteDir().exists())
        return Error { Text::tr("%1: folder %2 does not exist").arg(path, info.absolutePath()) };
    // Saved through QSaveFile: no half-written file under the final name, and paths outside the
    // local 8-bit encoding work on every platform.
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size() || !file.commit())
        return Error { Text::tr("%1: cannot write (%2)").arg(path, file.errorString()) };
    return {};
}

Status writeImage(const cv::Mat& bgr8, const QString& path, ImageEncoding encoding)
{
    const QFileInfo info(path);
    if (!info.absoluteDir().exists())
        return Error { Text::tr("%1: folder %2 does not exist").arg(path, info.absolutePath()) };
    const auto bytes = encodeImage(bgr8, encoding, path);
    if (!bytes)
        return Error { bytes.error() };
    return writeFileAtomically(bytes.value(), path);
}

Status writePng(const cv::Mat& bgr8, const QString& path)
{
    return writeImage(bgr8, path, ImageEncoding::Png);
}

} // namespace ntt
