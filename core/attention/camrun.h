#pragma once

#include "attention/camoverlay.h"
#include "attention/gradcam.h"
#include "cancel.h"
#include "models/classifier.h"

#include <QString>
#include <QStringList>

#include <functional>
#include <vector>

namespace ntt {

/// One image's map and what the model said of it.
struct CamImageResult
{
    QString path;
    QString sha256; ///< of the bytes that were decoded for the map (empty when the file was not read)
    int imageWidth = 0; ///< the file's size, for camMapToImage()
    int imageHeight = 0;
    CamMap map;
    Prediction prediction;
    QString error; ///< set when this image failed (does not decode...); the others go on
};

/**
 * Class-activation maps of image files through one classifier, `batchSize` at a time on the
 * calling thread (a worker thread: forward and backward passes); each file is read once and hashed
 * (CamImageResult::sha256). `options.layer` empty means the
 * model's default layer; the maps name the layer used. Images that fail get their error; a
 * failure of the model itself stops and returns the error. Cancelling stops between batches.
 */
Result<std::vector<CamImageResult>> computeCamsForFiles(Classifier& classifier, const QStringList& paths,
    const CamOptions& options, int batchSize, const CancelToken& cancel,
    const std::function<void(int done, int total)>& progress = {});

/// `options` with the layer filled in (the model's default when empty) and checked against the
/// model's layers; the error lists the layers it has.
Result<CamOptions> resolveCamLayer(Classifier& classifier, CamOptions options);

/// One overlay of camFigure(): a map, the input geometry of the model that made it, a caption.
struct CamFigureMap
{
    CamMap map;
    InputSpec input;
    QString caption;
};

/// The figure of an image with its maps laid over it (each brought to the image's size by
/// camMapToImage()), side by side with a legend: composeCamFigure() on the 8-bit BGR image.
Result<cv::Mat> camFigure(const cv::Mat& imageBgr8, const std::vector<CamFigureMap>& maps,
    const OverlayOptions& overlay, const CamFigureLayout& layout = {});
/// camFigure() of an image file, decoded with readImageBgr().
Result<cv::Mat> camFigure(const QString& imagePath, const std::vector<CamFigureMap>& maps,
    const OverlayOptions& overlay, const CamFigureLayout& layout = {});

} // namespace ntt
