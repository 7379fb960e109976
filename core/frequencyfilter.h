#pragma once

#include "result.h"

#include <QString>
#include <QStringList>

#include <opencv2/core/mat.hpp>

#include <optional>
#include <vector>

namespace ntt {

/// An ideal (sharp) filter on spatial frequency, in cycles per image: the distance of a 2-D
/// frequency (u cycles across the width, v down the height) from zero is sqrt(u^2 + v^2).
struct FrequencyFilter
{
    enum class Kind {
        None,
        LowPass, ///< keeps frequencies <= cutoff
        HighPass, ///< keeps frequencies > cutoff (the mean, frequency 0, is put back so brightness stays)
        BandPass, ///< keeps cutoff < frequency <= upper (the mean put back)
    };
    Kind kind = Kind::None;
    double cutoff = 0.0; ///< cycles per image
    double upper = 0.0; ///< band-pass only, cycles per image

    bool enabled() const { return kind != Kind::None; }
    /// "low-pass 10", "high-pass 30", "band-pass 10-30" (cycles per image); "none".
    QString describe() const;
    /// A short tag for file names: "lp10", "hp30", "bp10-30".
    QString tag() const;
};

/// Reads "low:10", "high:30", "band:10-30" (or "none"); the error names the text and says what is expected.
Result<FrequencyFilter> parseFrequencyFilter(const QString& text);

/**
 * The image with only the frequencies `filter` keeps: each channel of the 8-bit image ([H, W, C],
 * any C) goes through OpenCV's DFT, the ideal mask, the inverse DFT, then is rounded and clipped to
 * 0..255. As numpy.fft.fft2 / ifft2 with the same mask (tests/data/make_frequency_references.py).
 * Fails (naming `origin`) on an empty or non-8-bit image, or a band whose upper cut-off is not above
 * the lower one.
 */
Result<cv::Mat> filterFrequencies(const cv::Mat& image8, const FrequencyFilter& filter, const QString& origin);

/// The filters of a frequency analysis from cut-offs (default You et al.'s 10, 30, 50, 100 cycles per
/// image): a low-pass and a high-pass at each, and a band-pass between each two consecutive ones.
std::vector<FrequencyFilter> frequencySweep(const std::vector<double>& cutoffs = { 10, 30, 50, 100 });

} // namespace ntt
