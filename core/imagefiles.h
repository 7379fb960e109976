#pragma once

// Image files in and out, for every stage: decoding for thumbnails, maps and figures; encoding and
// atomic writes for figures, contact sheets and thumbnails.

#include "result.h"

#include <QByteArray>
#include <QString>

#include <opencv2/core/mat.hpp>

namespace ntt {

/// An image file decoded to 8-bit BGR, at 1/`reduction` of its size (1, 2, 4 or 8; JPEG decoding
/// then skips most of the work); the error names the file.
Result<cv::Mat> readImageBgr(const QString& imagePath, int reduction = 1);

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
