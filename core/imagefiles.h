#pragma once

// Image files out, for every stage: encoding and atomic writes for figures, contact sheets and
// thumbnails. Decoding, which must composite transparency and orient images, is pool/imagedecode.h.

#include "result.h"

#include <QByteArray>
#include <QString>

#include <opencv2/core/mat.hpp>

namespace ntt {

enum class ImageEncoding { Png, Jpeg };
/// An 8-bit (grey, BGR or BGRA) image encoded in memory (JPEG at quality 90); errors name `destination`.
Result<QByteArray> encodeImage(const cv::Mat& bgr8, ImageEncoding encoding, const QString& destination);
/// Writes the bytes through a temporary file renamed on success; the folder must exist.
Status writeFileAtomically(const QByteArray& bytes, const QString& path);
/// encodeImage() then writeFileAtomically(); the error names the file.
Status writeImage(const cv::Mat& bgr8, const QString& path, ImageEncoding encoding);
/// writeImage() as PNG.
Status writePng(const cv::Mat& bgr8, const QString& path);

} // namespace ntt
