#pragma once

#include "result.h"

#include <QString>

#include <opencv2/core/mat.hpp>

namespace ntt {

/**
 * Thumbnails of pool images, made once and kept as JPEG files in a folder beside the study file,
 * named by the image file's SHA-256 and the size: a changed file gets a new thumbnail, and any
 * number of processes can share the folder (files appear atomically).
 */
class ThumbnailCache
{
public:
    /// `folder` is created on first use; `size` is the longest side in pixels (32..1024).
    ThumbnailCache(QString folder, int size);

    QString folder() const { return m_folder; }
    int size() const { return m_size; }
    /// Where the thumbnail of the file with this hash is (or will be) kept.
    QString pathFor(const QString& sha256) const;
    bool contains(const QString& sha256) const;

    /**
     * The thumbnail of `imagePath` (whose SHA-256 is `sha256`), 8-bit BGR, longest side size():
     * read from the folder, or made (decoded at a reduced scale where the image is large enough,
     * resized with INTER_AREA) and stored. Thread-safe; call it from worker threads. The error
     * names the image or the folder.
     */
    Result<cv::Mat> thumbnail(const QString& imagePath, const QString& sha256) const;

private:
    QString m_folder;
    int m_size;
};

/// The thumbnail folder of a study file: "<file>.thumbs".
QString thumbnailFolderOf(const QString& studyFilePath);

} // namespace ntt
