#pragma once

#include "result.h"

#include <QByteArrayView>
#include <QString>

namespace ntt {

/// What an image file's bytes say about it, read without a full decode.
struct ImageFileInfo
{
    QString format; ///< "png", "jpeg", "webp", "bmp", "tiff", "gif"
    int width = 0; ///< as displayed: EXIF orientation 5 to 8 (JPEG, PNG eXIf) swaps the stored width and height
    int height = 0;
    int orientation = 1; ///< EXIF orientation, 1 (upright, or none given) to 8
    int jpegQuality = -1; ///< IJG-scale estimate from the luminance quantisation table; -1 if not JPEG
    bool hasExif = false; ///< JPEG APP1 Exif, PNG eXIf chunk, WebP EXIF chunk
    bool complete = true; ///< the file ends where its format says it should (JPEG EOI, PNG IEND)
    QString truncation; ///< what is missing when complete is false, e.g. "JPEG end marker missing"
    /// Bytes after the image's end (a JPEG's end marker, ignoring zero padding): phones append a
    /// video to "motion photos". The image itself is complete; decoders stop at its end.
    qint64 trailingBytes = 0;
    bool animated = false; ///< an animated WebP (its VP8X header says so)
};

/**
 * Reads the header and structure of an image file. Fails with a message naming the file when it is
 * empty, unreadable, not an image of a known format, or cut short before its end marker.
 */
Result<ImageFileInfo> inspectImageFile(const QString& path);

/// SHA-256 of a file's bytes as lower-case hex, read in chunks; empty when it cannot be read.
QString fileSha256(const QString& path);

/// Decodes the file fully with OpenCV; fails with a message naming the file when it does not decode.
Status verifyImageDecodes(const QString& path);

/**
 * The checks of inspectImageFile on bytes already in memory, for callers that read the file once
 * (the pool importer hashes, inspects and decodes the same bytes). A truncated file is not an error
 * here: it comes back with complete = false and the reason in `truncation`. Messages name no file.
 */
Result<ImageFileInfo> inspectImageData(QByteArrayView data);

/**
 * Decodes bytes already in memory with OpenCV and says how they use transparency: "none" (no alpha
 * channel), "opaque" (an alpha channel, every pixel opaque) or "transparent" (some pixel is not).
 * The message names no file.
 */
Result<QString> verifyImageDataDecodes(QByteArrayView data);

} // namespace ntt
