#pragma once

#include "models/classifier.h"
#include "pool/imagedecode.h"
#include "result.h"

#include <QByteArrayView>
#include <QString>

namespace ntt {

/**
 * An upright 8-bit BGR image [H, W, 3] turned into a network input [3, size, size] by the spec, as
 * torchvision's evaluation transform does (Resize, CenterCrop, ToTensor, Normalize; see resampling.h
 * for the resize): resize (and centre-crop), BGR to the spec's channel order, 0..1, mean/std.
 * Safe on any thread. Errors name no file.
 */
Result<PreparedImage> prepareDecodedImage(const cv::Mat& bgr8, const InputSpec& input);

/// decodeImageBgr() (transparency composited onto `background`), then prepareDecodedImage().
Result<PreparedImage> prepareImageData(QByteArrayView bytes, const InputSpec& input, const Background& background = {});

/// prepareImageData() of a file's bytes; errors name the file.
Result<PreparedImage> prepareImageFile(const QString& path, const InputSpec& input, const Background& background = {});

/// The part of a width x height image the network input shows, in the image's pixels: all of it
/// for "resize", the centre square scaled to the input for "resize-crop".
struct InputRegion
{
    double x = 0.0;
    double y = 0.0;
    double width = 0.0;
    double height = 0.0;
};
InputRegion inputRegionInImage(const InputSpec& input, int width, int height);

} // namespace ntt
