#pragma once

#include "cancel.h"
#include "pool/pool.h"
#include "result.h"
#include "study/study.h"

#include <QByteArray>
#include <QString>

#include <vector>

namespace ntt {

/// A decoded image in 8-bit RGB, rows packed (stride = 3 * width); handed to the GUI to wrap in a QImage.
struct RgbImage
{
    int width = 0;
    int height = 0;
    QByteArray pixels;

    bool isNull() const { return width <= 0 || height <= 0; }
};

/// Decodes an image file (readImageBgr: upright, transparency on `background`) and scales it (area
/// interpolation) to fit within maxWidth x maxHeight pixels, keeping its aspect ratio; never scales up.
/// Safe to call from any thread.
/// How a normalised stimulus is cut from an image: scaled to scaledWidth x scaledHeight (covering
/// size x size), then the size x size square at (cropX, cropY) kept.
struct CoverGeometry
{
    int scaledWidth = 0;
    int scaledHeight = 0;
    int cropX = 0;
    int cropY = 0;
};
/// The cover-and-crop of a width x height image to size x size, as normalisation makes it.
CoverGeometry coverGeometry(int width, int height, int size);

Result<RgbImage> loadStimulus(const QString& path, int maxWidth, int maxHeight, const Background& background = {});

/// One normalised copy of a pool image.
struct NormalisedStimulus
{
    qint64 imageId = 0;
    QString path; ///< absolute path of the normalised file
    QString sha256;
};

/**
 * Re-encodes `images` to the normalisation's size, format and quality under `outputDir`
 * (file name: the source image's SHA-256, the size, the JPEG quality and the format's extension,
 * e.g. "<sha256>-512-q90.jpg" or "<sha256>-512.png", with "-bg<rrggbb>" before the extension when
 * the image may have transparency or the background is not white, so that studies with different
 * settings can share one folder).
 * Transparent pixels are composited onto `background`. Existing outputs with the right name are reused, so running it
 * again is cheap. Fails naming the image that could not be read, or the setting that is out of range (size 16..4096,
 * format jpeg or png, quality 1..100).
 */
Result<std::vector<NormalisedStimulus>> normaliseStimuli(const std::vector<PoolImage>& images,
    const StimulusNormalisation& normalisation, const QString& outputDir, const CancelToken& cancel,
    const ProgressFn& progress, const Background& background = {});

/**
 * Opaque copies of the `images` that have transparent pixels, composited onto `background` and
 * written losslessly (PNG, same pixel size) under `outputDir` as "<sha256>-flat-bg<rrggbb>.png".
 * Images recorded as without transparency are skipped unread; images imported before it was
 * recorded are decoded to find out. Fails naming the image that could not be read or written.
 */
Result<std::vector<NormalisedStimulus>> flattenTransparentStimuli(const std::vector<PoolImage>& images,
    const Background& background, const QString& outputDir, const CancelToken& cancel, const ProgressFn& progress);

/**
 * The files a study shows instead of the pool originals: every image normalised when the study
 * normalises (normaliseStimuli); otherwise flattened copies of the transparent images when the
 * background is not white (flattenTransparentStimuli). With neither, none: originals are shown, and
 * transparency is composited onto white wherever they are decoded, so a SHA-256 always stands for
 * one picture.
 */
Result<std::vector<NormalisedStimulus>> makeStudyStimuli(const std::vector<PoolImage>& images,
    const StimulusNormalisation& normalisation, const Background& background, const QString& outputDir,
    const CancelToken& cancel, const ProgressFn& progress);

} // namespace ntt
