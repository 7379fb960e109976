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

/// Decodes an image file and scales it (area interpolation) to fit within maxWidth x maxHeight,
/// keeping its aspect ratio; never scales up. Safe to call from any thread.
Result<RgbImage> loadStimulus(const QString& path, int maxWidth, int maxHeight);

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
 * e.g. "<sha256>-512-q90.jpg" or "<sha256>-512.png", so that studies with different normalisations
 * can share one folder). Existing outputs with the right name are reused, so running it again is
 * cheap. Fails naming the image that could not be read, or the setting that is out of range
 * (size 16..4096, format jpeg or png, quality 1..100).
 */
Result<std::vector<NormalisedStimulus>> normaliseStimuli(const std::vector<PoolImage>& images,
    const StimulusNormalisation& normalisation, const QString& outputDir, const CancelToken& cancel,
    const ProgressFn& progress);

} // namespace ntt
