#include "study/stimulus.h"

#include "logging.h"
#include "pool/imagedecode.h"
#include "pool/imagefileinfo.h"

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>

namespace ntt {
namespace {

class Text
{
    Q_DECLARE_TR_FUNCTIONS(ntt::Stimulus)
};

QString cvMessage(const cv::Exception& e)
{
    return QString::fromStdString(e.err.empty() ? e.what() : e.err);
}

// Every stimulus is decoded one way (pool/imagedecode.h): upright, 8-bit BGR, transparency on the
// study's background.
Result<cv::Mat> decodeColour(const QString& path, const Background& background)
{
    const QFileInfo info(path);
    if (!info.isFile())
        return Error { Text::tr("%1: file not found").arg(path) };
    if (!info.isReadable())
        return Error { Text::tr("%1: file is not readable").arg(path) };
    return readImageBgr(path, 1, background);
}

// Scales to cover size x size, then crops the centre: every stimulus fills the same square.
cv::Mat coverSquare(const cv::Mat& image, int size)
{
    const CoverGeometry g = coverGeometry(image.cols, image.rows, size);
    const double scale = std::max(double(size) / image.cols, double(size) / image.rows);
    cv::Mat scaled;
    if (g.scaledWidth == image.cols && g.scaledHeight == image.rows)
        scaled = image;
    else
        cv::resize(image, scaled, cv::Size(g.scaledWidth, g.scaledHeight), 0, 0,
            scale < 1.0 ? cv::INTER_AREA : cv::INTER_CUBIC);
    return scaled(cv::Rect(g.cropX, g.cropY, size, size)).clone();
}

Status validate(const StimulusNormalisation& n)
{
    if (n.size < 16 || n.size > 4096)
        return Error { Text::tr("normalisation size %1 is outside 16..4096").arg(n.size) };
    if (n.format != QLatin1String("jpeg") && n.format != QLatin1String("png"))
        return Error { Text::tr("normalisation format \"%1\" is neither jpeg nor png").arg(n.format) };
    if (n.quality < 1 || n.quality > 100)
        return Error { Text::tr("normalisation quality %1 is outside 1..100").arg(n.quality) };
    return {};
}

// The name carries the settings as well as the source hash: studies with different normalisations
// share one stimulus folder per study file, and must never reuse each other's outputs.
QString outputName(
    const PoolImage& image, const QString& sourceSha256, const StimulusNormalisation& n, const Background& background)
{
    // The background is in the name of every copy it can change (transparency seen or not yet
    // recorded) and of every copy made for a background other than white; copies of opaque images for
    // white keep the names they had before studies could choose a background.
    const bool opaque = image.alpha == QLatin1String("none") || image.alpha == QLatin1String("opaque");
    const QString onto
        = opaque && background == Background {} ? QString() : QStringLiteral("-bg") + background.name().mid(1);
    const QString filtered = n.filter.enabled() ? QStringLiteral("-") + n.filter.tag() : QString();
    if (n.format == QLatin1String("png"))
        return QStringLiteral("%1-%2%3%4.png").arg(sourceSha256).arg(n.size).arg(onto, filtered);
    return QStringLiteral("%1-%2-q%3%4%5.jpg").arg(sourceSha256).arg(n.size).arg(n.quality).arg(onto, filtered);
}

// Encodes and writes through a temporary file renamed on commit, so a crash never leaves half a
// stimulus under its final name. Returns the SHA-256 of the bytes written.
Result<QString> encodeAndWrite(const cv::Mat& image, const StimulusNormalisation& n, const QString& path)
{
    std::vector<uchar> bytes;
    try {
        const bool png = n.format == QLatin1String("png");
        const std::vector<int> params
            = png ? std::vector<int> {} : std::vector<int> { cv::IMWRITE_JPEG_QUALITY, n.quality };
        if (!cv::imencode(png ? ".png" : ".jpg", image, bytes, params))
            return Error { Text::tr("%1: encoding failed").arg(path) };
    } catch (const cv::Exception& e) {
        return Error { Text::tr("%1: encoding failed (%2)").arg(path, cvMessage(e)) };
    }
    const QByteArray data(reinterpret_cast<const char*>(bytes.data()), static_cast<qsizetype>(bytes.size()));
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(data) != data.size() || !file.commit())
        return Error { Text::tr("%1: cannot write (%2)").arg(path, file.errorString()) };
    return QString::fromLatin1(QCryptographicHash::hash(data, QCryptographicHash::Sha256).toHex());
}

} // namespace

CoverGeometry coverGeometry(int width, int height, int size)
{
    CoverGeometry g;
    const double scale = std::max(double(size) / width, double(size) / height);
    g.scaledWidth = std::max(size, static_cast<int>(std::lround(width * scale)));
    g.scaledHeight = std::max(size, static_cast<int>(std::lround(height * scale)));
    g.cropX = (g.scaledWidth - size) / 2;
    g.cropY = (g.scaledHeight - size) / 2;
    return g;
}

Result<RgbImage> loadStimulus(const QString& path, int maxWidth, int maxHeight, const Background& background)
{
    if (maxWidth < 1 || maxHeight < 1)
        return Error { Text::tr("%1: cannot fit into %2 x %3 pixels").arg(path).arg(maxWidth).arg(maxHeight) };
    auto decoded = decodeColour(path, background);
    if (!decoded)
        return Error { decoded.error() };
    const cv::Mat& bgr = decoded.value();
    try {
        const double scale = std::min({ 1.0, double(maxWidth) / bgr.cols, double(maxHeight) / bgr.rows });
        cv::Mat fitted;
        if (scale < 1.0) {
            const int width = std::clamp(static_cast<int>(std::lround(bgr.cols * scale)), 1, maxWidth);
            const int height = std::clamp(static_cast<int>(std::lround(bgr.rows * scale)), 1, maxHeight);
            cv::resize(bgr, fitted, cv::Size(width, height), 0, 0, cv::INTER_AREA);
        } else {
            fitted = bgr;
        }
        cv::Mat rgb;
        cv::cvtColor(fitted, rgb, cv::COLOR_BGR2RGB);

        RgbImage out;
        out.width = rgb.cols;
        out.height = rgb.rows;
        const qsizetype rowBytes = qsizetype(3) * rgb.cols;
        out.pixels.resize(rowBytes * rgb.rows);
        for (int y = 0; y < rgb.rows; ++y)
            std::copy_n(rgb.ptr<char>(y), rowBytes, out.pixels.data() + rowBytes * y);
        return out;
    } catch (const cv::Exception& e) {
        return Error { Text::tr("%1: cannot scale the image (%2)").arg(path, cvMessage(e)) };
    }
}

Result<std::vector<NormalisedStimulus>> normaliseStimuli(const std::vector<PoolImage>& images,
    const StimulusNormalisation& normalisation, const QString& outputDir, const CancelToken& cancel,
    const ProgressFn& progress, const Background& background)
{
    if (const Status valid = validate(normalisation); !valid)
        return Error { valid.error() };
    const QDir dir(outputDir);
    if (!QDir().mkpath(dir.absolutePath()))
        return Error { Text::tr("%1: cannot create folder").arg(outputDir) };

    std::vector<NormalisedStimulus> out;
    out.reserve(images.size());
    const auto total = static_cast<qint64>(images.size());
    for (const PoolImage& image : images) {
        if (cancel.isCancelled())
            return Error { Text::tr("normalising stimuli cancelled") };
        QString sourceSha = image.sha256.toLower();
        if (sourceSha.isEmpty()) {
            sourceSha = fileSha256(image.path);
            if (sourceSha.isEmpty())
                return Error { Text::tr("%1: cannot read the file").arg(image.path) };
        }
        NormalisedStimulus stimulus;
        stimulus.imageId = image.id;
        stimulus.path = dir.absoluteFilePath(outputName(image, sourceSha, normalisation, background));
        if (QFileInfo::exists(stimulus.path)) {
            stimulus.sha256 = fileSha256(stimulus.path);
            if (stimulus.sha256.isEmpty())
                return Error { Text::tr("%1: cannot read the file").arg(stimulus.path) };
            qCDebug(lcStimulus) << "reusing" << stimulus.path;
        } else {
            const auto decoded = decodeColour(image.path, background);
            if (!decoded)
                return Error { decoded.error() };
            cv::Mat square;
            try {
                square = coverSquare(decoded.value(), normalisation.size);
            } catch (const cv::Exception& e) {
                return Error { Text::tr("%1: cannot scale the image (%2)").arg(image.path, cvMessage(e)) };
            }
            if (normalisation.filter.enabled()) {
                auto filtered = filterFrequencies(square, normalisation.filter, image.path);
                if (!filtered)
                    return Error { filtered.error() };
                square = std::move(filtered).value();
            }
            const auto written = encodeAndWrite(square, normalisation, stimulus.path);
            if (!written)
                return Error { Text::tr("%1: %2").arg(image.path, written.error()) };
            stimulus.sha256 = written.value();
        }
        out.push_back(std::move(stimulus));
        if (progress)
            progress(
                static_cast<qint64>(out.size()), total, image.relativePath.isEmpty() ? image.path : image.relativePath);
    }
    return out;
}

Result<std::vector<NormalisedStimulus>> flattenTransparentStimuli(const std::vector<PoolImage>& images,
    const Background& background, const QString& outputDir, const CancelToken& cancel, const ProgressFn& progress)
{
    const QDir dir(outputDir);
    std::vector<NormalisedStimulus> out;
    const auto total = static_cast<qint64>(images.size());
    qint64 done = 0;
    for (const PoolImage& image : images) {
        if (cancel.isCancelled())
            return Error { Text::tr("flattening transparent stimuli cancelled") };
        if (progress)
            progress(++done, total, image.relativePath.isEmpty() ? image.path : image.relativePath);
        if (image.alpha == QLatin1String("none") || image.alpha == QLatin1String("opaque"))
            continue;
        const auto file = readFileBytes(image.path);
        if (!file)
            return Error { file.error() };
        if (image.alpha.isEmpty()) { // imported before transparency was recorded: look now
            const auto alpha = verifyImageDataDecodes(file->bytes);
            if (!alpha)
                return Error { QStringLiteral("%1: %2").arg(image.path, alpha.error()) };
            if (alpha.value() != QLatin1String("transparent"))
                continue;
        }
        if (!QDir().mkpath(dir.absolutePath()))
            return Error { Text::tr("%1: cannot create folder").arg(outputDir) };
        NormalisedStimulus stimulus;
        stimulus.imageId = image.id;
        stimulus.path
            = dir.absoluteFilePath(QStringLiteral("%1-flat-bg%2.png").arg(file->sha256, background.name().mid(1)));
        const auto decoded = decodeImageBgr(file->bytes, background);
        if (!decoded)
            return Error { QStringLiteral("%1: %2").arg(image.path, decoded.error()) };
        StimulusNormalisation lossless;
        lossless.format = QStringLiteral("png");
        const auto written = encodeAndWrite(decoded.value(), lossless, stimulus.path);
        if (!written)
            return Error { Text::tr("%1: %2").arg(image.path, written.error()) };
        stimulus.sha256 = written.value();
        out.push_back(std::move(stimulus));
    }
    return out;
}

Result<std::vector<NormalisedStimulus>> makeStudyStimuli(const std::vector<PoolImage>& images,
    const StimulusNormalisation& normalisation, const Background& background, const QString& outputDir,
    const CancelToken& cancel, const ProgressFn& progress)
{
    if (normalisation.enabled)
        return normaliseStimuli(images, normalisation, outputDir, cancel, progress, background);
    if (background != Background {})
        return flattenTransparentStimuli(images, background, outputDir, cancel, progress);
    return std::vector<NormalisedStimulus> {};
}

} // namespace ntt
