#pragma once

#include "models/classifier.h"
#include "result.h"

#include <QString>

namespace ntt {

/// Decodes an image file and turns it into a network input by the spec, as torchvision's evaluation
/// transform does (Resize, CenterCrop, ToTensor, Normalize; see resampling.h for the resize): resize (and centre-crop),
/// BGR to the spec's channel order, 0..1, mean/std. Safe on any thread. Errors name the file.
Result<PreparedImage> prepareImageFile(const QString& path, const InputSpec& input);

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
