#pragma once

#include "imagefiles.h"
#include "result.h"

#include <QByteArray>
#include <QString>

#include <opencv2/core/mat.hpp>

#include <optional>
#include <vector>

namespace ntt {

/// The colour scales a class-activation map can be drawn with (OpenCV's COLORMAP_JET, _TURBO, _VIRIDIS).
enum class CamColormap {
    Jet,
    Turbo,
    Viridis,
};
QString camColormapName(CamColormap colormap); ///< "jet", "turbo", "viridis"
/// The colormap of camColormapName(), compared case-insensitively; nullopt for any other name.
std::optional<CamColormap> camColormapFromName(const QString& name);

/// How one map is laid over its image.
struct OverlayOptions
{
    CamColormap colormap = CamColormap::Jet;
    double opacity = 0.5; ///< 0..1: 0 shows the image only, 1 the coloured map only
    /// 0..1 on the map: draws the iso-line map == threshold as a thin white line with a dark outline.
    std::optional<double> contourThreshold;
};

/**
 * The map in colour: `map01` is a non-empty single-channel CV_32F matrix of finite values in 0..1
 * (values up to 1e-3 outside are clamped: interpolation rounding). Returns an 8-bit BGR image of
 * the same size, equal to cv::applyColorMap of round(255 * value). The error names the first bad
 * value and where it is.
 */
Result<cv::Mat> colouriseMap(const cv::Mat& map01, CamColormap colormap = CamColormap::Jet);

/**
 * `map01` (as for colouriseMap()) over the 8-bit BGR image: the map is resized to the image with
 * INTER_LINEAR when the sizes differ, coloured, and blended as (1 - opacity) * image + opacity *
 * colour; then the optional contour is drawn. Iso-line segments along the image border (where the
 * region above the threshold merely meets the edge) are not drawn.
 */
Result<cv::Mat> overlayMap(const cv::Mat& imageBgr8, const cv::Mat& map01, const OverlayOptions& options);

/**
 * A vertical colour bar, height x width pixels, white background: 1 at the top, 0 at the bottom,
 * ticks labelled 0, 0.5 and 1, and the caption "attention" underneath. The text shrinks to fit the
 * width. Empty when height < 48 or width < 24 (too small to read).
 */
cv::Mat colourLegend(CamColormap colormap, int height, int width);

/// One overlay of a figure.
struct CamPanel
{
    cv::Mat map01; ///< as for colouriseMap(); any size, resized to the panel
    QString caption; ///< e.g. "ResNet-18 · Grad-CAM++ · P(real) 0.12"; see asciiCaption()
    OverlayOptions options; ///< options.colormap must be the figure's colormap (one legend serves all)
};

/// Layout of composeCamFigure().
struct CamFigureLayout
{
    int panelHeight = 256; ///< height of the image and of every overlay, 32..4096
    int gap = 6; ///< white space between panels and around the figure, 0..256
    QString imageCaption; ///< under the plain image; empty leaves the space blank
};

/**
 * A figure for a paper or a slide, on white: left to right the image, each panel's overlay and the
 * legend, all `layout.panelHeight` pixels tall (the image scaled, keeping its aspect ratio), each
 * with its caption in a strip below (word-wrapped to the panel width, at most three lines, elided
 * with "..." beyond). The width is the sum of the panel widths plus (number of columns + 1) gaps.
 * Fails when an overlay fails (the error names the panel), or when a panel's colormap is not
 * `colormap`.
 */
Result<cv::Mat> composeCamFigure(const cv::Mat& imageBgr8, const std::vector<CamPanel>& panels, CamColormap colormap,
    const CamFigureLayout& layout = {});

/**
 * `text` in printable ASCII, as cv::putText draws only that: "·", "•", "–", "—" and "−" become "-",
 * curly quotes straight ones, "…" "...", "×" "x", "µ" "u", "≤" "<=", "≥" ">=", "±" "+/-", "→"
 * "->"; other letters lose their accents ("é" -> "e", by Unicode compatibility decomposition);
 * line breaks and tabs become spaces; anything else becomes "?".
 */
QString asciiCaption(const QString& text);

} // namespace ntt
