#pragma once

#include <QPointF>

#include <opencv2/core.hpp>

#include <vector>

namespace ntt {

/**
 * People's heat map of one image: a unit impulse at the pixel of every mark (pixel floor(x),
 * floor(y); marks outside the image are left out), smoothed by a Gaussian of SD `sigmaPx` pixels
 * truncated at 4 SD (radius int(4 sigma + 0.5)) with zeros beyond the border, as
 * scipy.ndimage.gaussian_filter(impulses, sigma, mode="constant", truncate=4.0); then divided by its
 * maximum, so the map runs 0..1 like a Grad-CAM map. [height, width] CV_32F; all zeros without marks.
 */
cv::Mat peopleHeatMap(const std::vector<QPointF>& marks, int width, int height, double sigmaPx);

/// How well people's marks and a model's map of the same image agree.
struct MapAgreement
{
    int marks = 0; ///< people's marks on the image
    double correlation = 0.0; ///< Pearson's r of people's and the model's maps over all pixels; NaN if either is flat
    /// Share of people's marks on pixels in the model's top 20 % (at or above the 80th percentile of
    /// its map, numpy's linear method); NaN without marks.
    double shareInModelTop20 = 0.0;
    /// Pointing game (Zhang et al. 2016): whether the model's peak (the first maximum in row-major
    /// order) lies within 2 kernel SDs of some mark, people's region. -1 without marks.
    int pointingHit = -1;
};

/**
 * The agreement of people's marks (image pixels, as peopleHeatMap) with a model's map, both at
 * `model`'s size ([height, width] CV_32F, the model's map brought to the image's pixels or a scaled
 * copy of them: `scale` is the model map's size over the image's, marks and kernel scaled with it).
 */
MapAgreement mapAgreement(const std::vector<QPointF>& marks, const cv::Mat& model, double sigmaPx, double scale = 1.0);

/**
 * mapAgreement() of people's marks and a model's map on an image as shown (the file participants
 * saw, `model` brought to its size, marks in its pixels, the kernel's SD in its pixels), computed on
 * a copy at most 256 pixels on the long side (INTER_AREA) so that a phone's photo costs no more than
 * a thumbnail.
 */
MapAgreement shownImageAgreement(const std::vector<QPointF>& marks, const cv::Mat& model, double sigmaPx);

} // namespace ntt
