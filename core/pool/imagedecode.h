#pragma once

// Decoding image files the one way every stage shows them: upright, 8-bit BGR, with transparency
// composited onto the study's background (stimuli, model inputs, thumbnails and map overlays alike).

#include "result.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

#include <opencv2/core/mat.hpp>

namespace ntt {

/**
 * The opaque colour (8-bit sRGB) that images with transparency are composited onto. A study sets it
 * ("background" in its definition); white (#ffffff) when none is set.
 */
struct Background
{
    int red = 255;
    int green = 255;
    int blue = 255;

    bool operator==(const Background& o) const { return red == o.red && green == o.green && blue == o.blue; }
    bool operator!=(const Background& o) const { return !(*this == o); }
    /// "#rrggbb", lower case.
    QString name() const;
};

/// "#rrggbb" or "#rgb", or white, black, grey / gray (#808080); the error quotes the text.
Result<Background> parseBackground(const QString& text);

/**
 * An 8-bit BGRA image [H, W, 4] composited onto `background`: 8-bit BGR [H, W, 3], exactly as
 * Pillow 9.4's Image.alpha_composite(Image.new("RGBA", size, background), image).convert("RGB")
 * (libImaging/AlphaComposite.c: weights in 7-bit fixed point, the division by 255 rounded).
 */
cv::Mat compositeOnto(const cv::Mat& bgra8, const Background& background);

/**
 * An image file's bytes decoded as people are shown it, 8-bit BGR [H, W, 3]: upright (the EXIF
 * orientation of a JPEG or a PNG's eXIf chunk applied, as OpenCV's own reader does), 16-bit samples
 * cut to their high byte, grey made BGR, transparency composited onto `background`. `reduction`
 * (1, 2, 4 or 8) decodes a JPEG at that fraction of its size and shrinks other formats by area
 * interpolation to ceil(size / reduction). Messages name no file.
 */
Result<cv::Mat> decodeImageBgr(QByteArrayView bytes, const Background& background = {}, int reduction = 1);

/// decodeImageBgr() of a file; the error names the file.
Result<cv::Mat> readImageBgr(const QString& imagePath, int reduction = 1, const Background& background = {});

/// A file's bytes with their SHA-256 (lower-case hex): what was hashed is what gets decoded.
struct FileBytes
{
    QByteArray bytes;
    QString sha256;
};
/// Reads a whole file and hashes it; the error names the file.
Result<FileBytes> readFileBytes(const QString& path);

} // namespace ntt
