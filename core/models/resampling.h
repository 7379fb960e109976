#pragma once

// Resizing an image exactly as the Python pipelines researchers check a model against: PIL's
// Image.resize (what torchvision's Resize does to a PIL image) and torch.nn.functional.interpolate
// without antialiasing (what torchvision's Resize does to a uint8 tensor with antialias=False).

#include "models/modelspec.h"
#include "result.h"

#include <opencv2/core/mat.hpp>

namespace ntt {

/**
 * PIL's `Image.resize((width, height), filter)` of Pillow 9.4 on an 8-bit image (CV_8UC1, C3 or C4;
 * channels are independent, so BGR and RGB give the same result), to the bit:
 * - bilinear and bicubic (a = -0.5) use Pillow's separable convolution (Resample.c): the filter
 *   widened by the scale when shrinking (so it low-pass filters: antialiasing), weights normalised per
 *   output pixel and rounded to 22-bit fixed point, a horizontal pass rounded to 8 bits, then a
 *   vertical pass; a dimension that keeps its size is not resampled;
 * - nearest takes input pixel int((x + 0.5) * in / out) as Pillow's affine scaling does.
 * Errors on an empty image, another depth or channel count, or a size below 1 pixel.
 */
Result<cv::Mat> resizeLikePil(const cv::Mat& image8, int width, int height, Interpolation interpolation);

/**
 * torchvision 0.14's `Resize` on a uint8 image tensor with antialias=False: the pixels as float32,
 * `torch.nn.functional.interpolate(mode, align_corners=False)` (PyTorch's formulas: source
 * coordinate (x + 0.5) * in / out - 0.5 in float32; bicubic with a = -0.75 and clamped borders;
 * nearest floor(x * in / out)), bicubic clamped to 0..255, then rounded half to even back to 8 bits.
 * Same inputs and errors as resizeLikePil().
 */
Result<cv::Mat> resizeLikeTorch(const cv::Mat& image8, int width, int height, Interpolation interpolation);

} // namespace ntt
