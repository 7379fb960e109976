#include "attention/camoverlay.h"

#include <QCoreApplication>

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>

namespace ntt {
namespace {

class Text
{
    Q_DECLARE_TR_FUNCTIONS(ntt::CamOverlay)
};

QString cvMessage(const cv::Exception& e)
{
    return QString::fromStdString(e.err.empty() ? e.what() : e.err);
}

// Resizing and float rounding can step a hair outside 0..1; more than this is an unnormalised map.
constexpr double kRangeTolerance = 1e-3;

const cv::Scalar kWhite(255, 255, 255);
const cv::Scalar kInk(30, 30, 30); // text: near-black reads better than pure black when antialiased
const cv::Scalar kFrame(90, 90, 90);
constexpr int kFont = cv::FONT_HERSHEY_SIMPLEX;
constexpr int kMaxCaptionLines = 3;

struct ColormapEntry
{
    CamColormap colormap;
    const char* name;
    int opencv;
};
// In the order of the enum.
constexpr ColormapEntry kColormaps[] = {
    { CamColormap::Jet, "jet", cv::COLORMAP_JET },
    { CamColormap::Turbo, "turbo", cv::COLORMAP_TURBO },
    { CamColormap::Viridis, "viridis", cv::COLORMAP_VIRIDIS },
};
static_assert(kColormaps[int(CamColormap::Turbo)].colormap == CamColormap::Turbo
        && kColormaps[int(CamColormap::Viridis)].colormap == CamColormap::Viridis,
    "kColormaps is indexed by the enum");

int cvColormap(CamColormap colormap)
{
    return kColormaps[int(colormap)].opencv;
}

// What asciiCaption() puts for characters that have an obvious ASCII stand-in.
struct AsciiReplacement
{
    char32_t from;
    const char* to;
};
constexpr AsciiReplacement kAsciiReplacements[] = {
    { U'\t', " " },
    { U'\n', " " },
    { U'\r', " " },
    { 0x00a0, " " }, // no-break space
    { 0x00b7, "-" }, // middle dot
    { 0x2022, "-" }, // bullet
    { 0x2219, "-" }, // bullet operator
    { 0x22c5, "-" }, // dot operator
    { 0x2010, "-" }, // hyphen
    { 0x2011, "-" }, // non-breaking hyphen
    { 0x2013, "-" }, // en dash
    { 0x2014, "-" }, // em dash
    { 0x2212, "-" }, // minus sign
    { 0x2018, "'" },
    { 0x2019, "'" },
    { 0x201c, "\"" },
    { 0x201d, "\"" },
    { 0x2026, "..." },
    { 0x00d7, "x" },
    { 0x00b5, "u" }, // micro sign
    { 0x03bc, "u" }, // Greek mu
    { 0x2264, "<=" },
    { 0x2265, ">=" },
    { 0x00b1, "+/-" },
    { 0x2192, "->" },
};

// The map clamped to 0..1, or an error naming the first value that is not finite or clearly outside.
Result<cv::Mat> checkedMap(const cv::Mat& map01)
{
    if (map01.empty())
        return Error { Text::tr("the map is empty") };
    if (map01.type() != CV_32FC1 || map01.dims != 2)
        return Error { Text::tr("the map is not a 2-D single-channel float32 matrix (OpenCV type %1, %2-D)")
                           .arg(map01.type())
                           .arg(map01.dims) };
    for (int y = 0; y < map01.rows; ++y) {
        const float* row = map01.ptr<float>(y);
        for (int x = 0; x < map01.cols; ++x) {
            const float v = row[x];
            if (!std::isfinite(v))
                return Error { Text::tr("map value %1 at (%2, %3) is not a finite number").arg(v).arg(x).arg(y) };
            if (v < -kRangeTolerance || v > 1 + kRangeTolerance)
                return Error { Text::tr("map value %1 at (%2, %3) is outside 0..1").arg(v).arg(x).arg(y) };
        }
    }
    cv::Mat clamped;
    cv::min(map01, 1.0, clamped);
    cv::max(clamped, 0.0, clamped);
    return clamped;
}

cv::Mat colourise(const cv::Mat& clamped01, CamColormap colormap)
{
    cv::Mat grey;
    clamped01.convertTo(grey, CV_8U, 255.0); // rounds: 1.0 -> 255
    cv::Mat colour;
    cv::applyColorMap(grey, colour, cvColormap(colormap));
    return colour;
}

Status checkImage(const cv::Mat& image)
{
    if (image.empty())
        return Error { Text::tr("the image is empty") };
    if (image.type() != CV_8UC3)
        return Error { Text::tr("the image is not 8-bit BGR (OpenCV type %1)").arg(image.type()) };
    return {};
}

Status checkOptions(const OverlayOptions& options)
{
    if (!(options.opacity >= 0.0 && options.opacity <= 1.0))
        return Error { Text::tr("opacity %1 is outside 0..1").arg(options.opacity) };
    if (options.contourThreshold && !(*options.contourThreshold >= 0.0 && *options.contourThreshold <= 1.0))
        return Error { Text::tr("contour threshold %1 is outside 0..1").arg(*options.contourThreshold) };
    return {};
}

// The iso-line of `map` at `threshold`, white with a dark outline, line width scaled with the image
// so it stays thin but visible. The outline of the region above the threshold also runs along the
// image border wherever the region reaches it; those stretches are no iso-line and are left out.
void drawContour(cv::Mat& canvas, const cv::Mat& map, double threshold)
{
    const cv::Mat mask = map >= threshold;
    std::vector<std::vector<cv::Point>> contours;
    cv::findContours(mask, contours, cv::RETR_LIST, cv::CHAIN_APPROX_NONE);
    const auto onBorder
        = [&map](const cv::Point& p) { return p.x == 0 || p.y == 0 || p.x == map.cols - 1 || p.y == map.rows - 1; };
    std::vector<std::vector<cv::Point>> lines;
    const auto flush = [&lines](std::vector<cv::Point>& line) {
        if (line.size() >= 2)
            lines.push_back(line);
        line.clear();
    };
    for (const std::vector<cv::Point>& contour : contours) {
        std::vector<cv::Point> line;
        // Once round, back to the first point: the contour is closed.
        for (std::size_t i = 0; i <= contour.size(); ++i) {
            const cv::Point& p = contour[i % contour.size()];
            if (i > 0 && onBorder(p) && onBorder(contour[i - 1]))
                flush(line);
            line.push_back(p);
        }
        flush(line);
    }
    const int width = std::max(1, int(std::lround(std::min(map.cols, map.rows) / 400.0)));
    // Dark first, white over it, so crossing lines keep one clean white stroke. Not antialiased: the
    // points are pixel centres, and LINE_AA would smear a one-pixel line over two grey ones.
    for (const auto& line : lines)
        cv::polylines(canvas, line, false, cv::Scalar(20, 20, 20), width + 1, cv::LINE_8);
    for (const auto& line : lines)
        cv::polylines(canvas, line, false, kWhite, width, cv::LINE_8);
}

struct TextStyle
{
    explicit TextStyle(double fontScale)
        : scale(fontScale)
        , thickness(fontScale >= 0.9 ? 2 : 1) // one pixel strokes look faint on large text
    { }

    double scale;
    int thickness;

    // Height of a capital and the depth below the baseline, as cv::getTextSize reports them.
    int ascent() const { return cv::getTextSize("Ag", kFont, scale, thickness, nullptr).height; }
    int descent() const
    {
        int baseline = 0;
        cv::getTextSize("Ag", kFont, scale, thickness, &baseline);
        return baseline;
    }
    int lineHeight() const { return ascent() + descent() + std::max(2, ascent() / 3); }
    int width(const std::string& text) const { return cv::getTextSize(text, kFont, scale, thickness, nullptr).width; }
    void draw(cv::Mat& canvas, const std::string& text, cv::Point baselineLeft) const
    {
        cv::putText(canvas, text, baselineLeft, kFont, scale, kInk, thickness, cv::LINE_AA);
    }
};

// About 11 px capitals at 256 px panels, never below about 7 px.
TextStyle styleFor(int panelHeight)
{
    return TextStyle(std::clamp(0.5 * panelHeight / 256.0, 0.32, 1.6));
}

// Greedy word wrap to `maxWidth`: words wider than a line are split, a lone "-" (asciiCaption's "·")
// at a break is dropped, and beyond kMaxCaptionLines the last line ends in "...".
std::vector<std::string> wrapCaption(const std::string& text, const TextStyle& style, int maxWidth)
{
    std::vector<std::string> words;
    std::string word;
    for (char c : text + ' ') {
        if (c != ' ') {
            word += c;
            continue;
        }
        if (!word.empty())
            words.push_back(word);
        word.clear();
    }
    std::vector<std::string> lines;
    std::string line;
    for (std::string w : words) {
        const std::string joined = line.empty() ? w : line + ' ' + w;
        if (style.width(joined) <= maxWidth) {
            line = joined;
            continue;
        }
        if (!line.empty())
            lines.push_back(line);
        line.clear();
        while (w.size() > 1 && style.width(w) > maxWidth) {
            std::size_t fit = w.size() - 1;
            while (fit > 1 && style.width(w.substr(0, fit)) > maxWidth)
                --fit;
            lines.push_back(w.substr(0, fit));
            w = w.substr(fit);
        }
        line = w;
    }
    if (!line.empty())
        lines.push_back(line);
    // A line break already separates: "A - B" broken at the dash reads "A" / "B", not "A -" / "B".
    for (std::size_t i = 0; i < lines.size(); ++i) {
        std::string& l = lines[i];
        if (i + 1 < lines.size() && l.size() > 2 && l.compare(l.size() - 2, 2, " -") == 0)
            l.resize(l.size() - 2);
        if (i > 0 && l.size() > 2 && l.compare(0, 2, "- ") == 0)
            l.erase(0, 2);
    }
    if (int(lines.size()) > kMaxCaptionLines) {
        lines.resize(kMaxCaptionLines);
        std::string& last = lines.back();
        while (!last.empty() && style.width(last + "...") > maxWidth)
            last.pop_back();
        last += "...";
    }
    return lines;
}

// The height of a caption strip holding `lines` lines, with a little air above and below.
int captionStripHeight(int lines, const TextStyle& style)
{
    return lines * style.lineHeight() + style.ascent() / 2;
}

// Each line centred in [x, x + width), the first baseline a little below `top`.
void drawCaption(
    cv::Mat& canvas, const std::vector<std::string>& lines, int x, int top, int width, const TextStyle& style)
{
    int baseline = top + style.ascent() / 2 + style.ascent();
    for (const std::string& line : lines) {
        style.draw(canvas, line, cv::Point(x + (width - style.width(line)) / 2, baseline));
        baseline += style.lineHeight();
    }
}

// The legend's parts that do not depend on where it is drawn.
struct LegendLayout
{
    int barWidth = 0;
    int tickLength = 0;
    int labelGap = 0;

    int contentWidth(const TextStyle& style) const { return barWidth + tickLength + labelGap + style.width("0.5"); }
};

LegendLayout legendLayoutFor(int barAreaHeight)
{
    LegendLayout layout;
    layout.barWidth = std::max(10, barAreaHeight / 14);
    layout.tickLength = std::max(3, barAreaHeight / 64);
    layout.labelGap = std::max(2, barAreaHeight / 100);
    return layout;
}

int legendWidthFor(int barAreaHeight, const TextStyle& style)
{
    const int margin = 2 * std::max(2, style.ascent() / 2);
    return std::max(legendLayoutFor(barAreaHeight).contentWidth(style), style.width("attention")) + margin;
}

// The colour bar in the top `barAreaHeight` rows of `canvas` (white, `width` wide), its caption in
// the strip below.
void drawLegend(cv::Mat& canvas, CamColormap colormap, int barAreaHeight, const TextStyle& style)
{
    const LegendLayout layout = legendLayoutFor(barAreaHeight);
    // Room for half a label above the top tick and below the bottom one.
    const int top = style.ascent() / 2 + 2;
    const int bottom = barAreaHeight - style.ascent() / 2 - 3;
    const int left = std::max(0, (canvas.cols - layout.contentWidth(style)) / 2);
    const int right = left + layout.barWidth; // exclusive

    cv::Mat ramp(bottom - top + 1, 1, CV_8UC1);
    for (int y = 0; y < ramp.rows; ++y)
        ramp.at<uchar>(y) = cv::saturate_cast<uchar>(255.0 * (ramp.rows - 1 - y) / std::max(1, ramp.rows - 1));
    cv::Mat colour;
    cv::applyColorMap(ramp, colour, cvColormap(colormap));
    cv::Mat bar;
    cv::repeat(colour, 1, layout.barWidth, bar);
    bar.copyTo(canvas(cv::Rect(left, top, layout.barWidth, ramp.rows)));
    cv::rectangle(canvas, cv::Rect(left - 1, top - 1, layout.barWidth + 2, ramp.rows + 2), kFrame, 1);

    const std::pair<double, const char*> ticks[] = { { 0.0, "0" }, { 0.5, "0.5" }, { 1.0, "1" } };
    for (const auto& [value, label] : ticks) {
        const int y = bottom - int(std::lround(value * (bottom - top)));
        cv::line(canvas, cv::Point(right, y), cv::Point(right + layout.tickLength, y), kFrame, 1);
        style.draw(canvas, label, cv::Point(right + layout.tickLength + layout.labelGap, y + style.ascent() / 2));
    }
    drawCaption(canvas, { "attention" }, 0, barAreaHeight, canvas.cols, style);
}

cv::Mat scaledToHeight(const cv::Mat& image, int height)
{
    const int width = std::max(1, int(std::lround(double(image.cols) * height / image.rows)));
    if (width == image.cols && height == image.rows)
        return image;
    cv::Mat scaled;
    cv::resize(image, scaled, cv::Size(width, height), 0, 0, height < image.rows ? cv::INTER_AREA : cv::INTER_LINEAR);
    return scaled;
}

} // namespace

QString camColormapName(CamColormap colormap)
{
    return QLatin1String(kColormaps[int(colormap)].name);
}

std::optional<CamColormap> camColormapFromName(const QString& name)
{
    for (const ColormapEntry& entry : kColormaps) {
        if (name.compare(QLatin1String(entry.name), Qt::CaseInsensitive) == 0)
            return entry.colormap;
    }
    return std::nullopt;
}

Result<cv::Mat> colouriseMap(const cv::Mat& map01, CamColormap colormap)
{
    Result<cv::Mat> map = checkedMap(map01);
    if (!map)
        return map;
    try {
        return colourise(map.value(), colormap);
    } catch (const cv::Exception& e) {
        return Error { Text::tr("cannot colour the map (%1)").arg(cvMessage(e)) };
    }
}

Result<cv::Mat> overlayMap(const cv::Mat& imageBgr8, const cv::Mat& map01, const OverlayOptions& options)
{
    if (Status s = checkImage(imageBgr8); !s)
        return Error { s.error() };
    if (Status s = checkOptions(options); !s)
        return Error { s.error() };
    Result<cv::Mat> map = checkedMap(map01);
    if (!map)
        return map;
    try {
        cv::Mat resized = map.value();
        if (resized.size() != imageBgr8.size())
            cv::resize(map.value(), resized, imageBgr8.size(), 0, 0, cv::INTER_LINEAR);
        cv::Mat out;
        cv::addWeighted(
            imageBgr8, 1.0 - options.opacity, colourise(resized, options.colormap), options.opacity, 0.0, out);
        if (options.contourThreshold)
            drawContour(out, resized, *options.contourThreshold);
        return out;
    } catch (const cv::Exception& e) {
        return Error { Text::tr("cannot draw the overlay (%1)").arg(cvMessage(e)) };
    }
}

cv::Mat colourLegend(CamColormap colormap, int height, int width)
{
    if (height < 48 || width < 24)
        return {};
    TextStyle style = styleFor(height);
    // Shrink the text until the caption and the labels fit the width, down to the smallest legible size.
    while (style.scale > 0.3 && legendWidthFor(height, style) > width)
        style = TextStyle(style.scale - 0.02);
    const int barAreaHeight = height - captionStripHeight(1, style);
    cv::Mat legend(height, width, CV_8UC3, kWhite);
    drawLegend(legend, colormap, barAreaHeight, style);
    return legend;
}

QString asciiCaption(const QString& text)
{
    QString out;
    for (char32_t c : text.toUcs4()) {
        if (c >= 0x20 && c < 0x7f) {
            out += QChar(char16_t(c));
            continue;
        }
        const auto replacement = std::find_if(std::begin(kAsciiReplacements), std::end(kAsciiReplacements),
            [c](const AsciiReplacement& r) { return r.from == c; });
        if (replacement != std::end(kAsciiReplacements)) {
            out += QLatin1String(replacement->to);
            continue;
        }
        // "é" decomposes to "e" and a combining accent, "²" to "2", "ﬁ" to "fi": keep the ASCII part.
        QString ascii;
        for (QChar d : QString::fromUcs4(&c, 1).normalized(QString::NormalizationForm_KD)) {
            if (d.unicode() >= 0x20 && d.unicode() < 0x7f)
                ascii += d;
        }
        out += ascii.isEmpty() ? QStringLiteral("?") : ascii;
    }
    return out;
}

Result<cv::Mat> composeCamFigure(
    const cv::Mat& imageBgr8, const std::vector<CamPanel>& panels, CamColormap colormap, const CamFigureLayout& layout)
{
    if (Status s = checkImage(imageBgr8); !s)
        return Error { s.error() };
    if (layout.panelHeight < 32 || layout.panelHeight > 4096)
        return Error { Text::tr("panel height %1 is outside 32..4096").arg(layout.panelHeight) };
    if (layout.gap < 0 || layout.gap > 256)
        return Error { Text::tr("gap %1 is outside 0..256").arg(layout.gap) };
    const int height = layout.panelHeight;
    const int gap = layout.gap;
    try {
        const cv::Mat image = scaledToHeight(imageBgr8, height);
        std::vector<cv::Mat> columns { image };
        std::vector<QString> captions { layout.imageCaption };
        for (std::size_t i = 0; i < panels.size(); ++i) {
            const CamPanel& panel = panels[i];
            if (panel.options.colormap != colormap)
                return Error { Text::tr("panel %1 is coloured with %2 but the legend shows %3")
                                   .arg(i + 1)
                                   .arg(camColormapName(panel.options.colormap), camColormapName(colormap)) };
            Result<cv::Mat> overlay = overlayMap(image, panel.map01, panel.options);
            if (!overlay)
                return Error { Text::tr("panel %1: %2").arg(i + 1).arg(overlay.error()) };
            columns.push_back(overlay.value());
            captions.push_back(panel.caption);
        }

        const TextStyle style = styleFor(height);
        const int textMargin = std::max(2, style.ascent() / 2);
        std::vector<std::vector<std::string>> captionLines;
        int lineCount = 1; // the legend's "attention"
        for (std::size_t i = 0; i < columns.size(); ++i) {
            const std::string text = asciiCaption(captions[i]).toStdString();
            captionLines.push_back(wrapCaption(text, style, columns[i].cols - 2 * textMargin));
            lineCount = std::max(lineCount, int(captionLines.back().size()));
        }
        const int stripHeight = captionStripHeight(lineCount, style);
        const int legendWidth = legendWidthFor(height, style);

        int totalWidth = gap + legendWidth + gap;
        for (const cv::Mat& column : columns)
            totalWidth += column.cols + gap;
        cv::Mat figure(gap + height + stripHeight + gap, totalWidth, CV_8UC3, kWhite);
        int x = gap;
        for (std::size_t i = 0; i < columns.size(); ++i) {
            columns[i].copyTo(figure(cv::Rect(x, gap, columns[i].cols, height)));
            drawCaption(figure, captionLines[i], x, gap + height, columns[i].cols, style);
            x += columns[i].cols + gap;
        }
        cv::Mat legend = figure(cv::Rect(x, gap, legendWidth, height + stripHeight));
        drawLegend(legend, colormap, height, style);
        return figure;
    } catch (const cv::Exception& e) {
        return Error { Text::tr("cannot compose the figure (%1)").arg(cvMessage(e)) };
    }
}

} // namespace ntt
