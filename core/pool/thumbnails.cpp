#include "pool/thumbnails.h"

#include "imagefiles.h"
#include "pool/imagedecode.h"
#include "pool/imagefileinfo.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>

namespace ntt {
namespace {

struct Text
{
    Q_DECLARE_TR_FUNCTIONS(ThumbnailCache)
};

/// 1, 2, 4 or 8: the largest reduction at which the image's longest side stays at least `size`.
int reductionFor(const QString& path, int size)
{
    const auto info = inspectImageFile(path);
    if (!info)
        return 1;
    const int longest = std::max(info->width, info->height);
    int reduction = 1;
    while (reduction < 8 && longest / (reduction * 2) >= size)
        reduction *= 2;
    return reduction;
}

} // namespace

ThumbnailCache::ThumbnailCache(QString folder, int size)
    : m_folder(std::move(folder))
    , m_size(std::clamp(size, 32, 1024))
{ }

QString ThumbnailCache::pathFor(const QString& sha256) const
{
    return QDir(m_folder).filePath(QStringLiteral("%1-%2.jpg").arg(sha256).arg(m_size));
}

bool ThumbnailCache::contains(const QString& sha256) const
{
    return QFile::exists(pathFor(sha256));
}

Result<cv::Mat> ThumbnailCache::thumbnail(const QString& imagePath, const QString& sha256) const
{
    const QString cached = pathFor(sha256);
    if (QFile::exists(cached)) {
        auto image = readImageBgr(cached);
        if (image)
            return image;
        // A damaged thumbnail is made again below.
    }
    auto image = readImageBgr(imagePath, reductionFor(imagePath, m_size));
    if (!image)
        return image;
    cv::Mat full = std::move(image).value();
    const double scale = double(m_size) / std::max(full.cols, full.rows);
    cv::Mat thumb;
    if (scale < 1.0)
        cv::resize(full, thumb, cv::Size(), scale, scale, cv::INTER_AREA);
    else
        thumb = full;
    if (!QDir().mkpath(m_folder))
        return Error { Text::tr("%1: cannot create the thumbnail folder").arg(m_folder) };
    if (const Status s = writeImage(thumb, cached, ImageEncoding::Jpeg); !s)
        return Error { s.error() };
    return thumb;
}

QString thumbnailFolderOf(const QString& studyFilePath)
{
    return studyFilePath + QStringLiteral(".thumbs");
}

} // namespace ntt
