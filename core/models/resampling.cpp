// Two reference resizes, step for step. PIL: Pillow 9.4's src/libImaging/Resample.c
// (precompute_coeffs, normalize_coeffs_8bpc, ImagingResampleHorizontal/Vertical_8bpc,
// ImagingResampleInner) and, for nearest, src/_imaging.c _resize with Geometry.c
// ImagingScaleAffine. PyTorch 1.13: aten/src/ATen/native/UpSample.h (area_pixel_compute_scale,
// area_pixel_compute_source_index, nearest_idx, the cubic convolution coefficients) and
// cpu/UpSampleKernel.cpp (the order in which weights multiply), with torchvision 0.14's
// functional_tensor.resize around it (float32, clamp for bicubic, round, back to uint8).

#include "models/resampling.h"

#include <QCoreApplication>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

namespace ntt {
namespace {

class Text
{
    Q_DECLARE_TR_FUNCTIONS(ntt::Resampling)
};

// ---- PIL ----------------------------------------------------------------------------------------

struct PilFilter
{
    double (*weight)(double);
    double support;
};

double pilBilinear(double x)
{
    x = std::fabs(x);
    return x < 1.0 ? 1.0 - x : 0.0;
}

double pilBicubic(double x)
{
    constexpr double a = -0.5;
    x = std::fabs(x);
    if (x < 1.0)
        return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
    if (x < 2.0)
        return (((x - 5) * x + 8) * x - 4) * a;
    return 0.0;
}

// 8 bits of result, two bits of headroom for filters with negative lobes (Pillow's PRECISION_BITS).
constexpr int kPrecisionBits = 32 - 8 - 2;

/// Per output pixel: the first input pixel, how many it uses, and their fixed-point weights.
struct PilCoefficients
{
    int kernelSize = 0;
    std::vector<int> first;
    std::vector<int> count;
    std::vector<std::int32_t> weights; ///< outSize * kernelSize
};

PilCoefficients pilCoefficients(int inSize, int outSize, const PilFilter& filter)
{
    const double scale = double(inSize) / outSize;
    const double filterScale = std::max(scale, 1.0);
    const double support = filter.support * filterScale;
    PilCoefficients c;
    c.kernelSize = int(std::ceil(support)) * 2 + 1;
    c.first.resize(std::size_t(outSize));
    c.count.resize(std::size_t(outSize));
    c.weights.assign(std::size_t(outSize) * std::size_t(c.kernelSize), 0);
    std::vector<double> k(std::size_t(c.kernelSize));
    const double inverseScale = 1.0 / filterScale;
    for (int xx = 0; xx < outSize; ++xx) {
        const double centre = (xx + 0.5) * scale;
        // C's (int) conversion truncates towards zero, as Pillow's does.
        const int xmin = std::max(int(centre - support + 0.5), 0);
        const int xmax = std::min(int(centre + support + 0.5), inSize) - xmin;
        double total = 0.0;
        for (int x = 0; x < xmax; ++x) {
            k[std::size_t(x)] = filter.weight((x + xmin - centre + 0.5) * inverseScale);
            total += k[std::size_t(x)];
        }
        std::int32_t* out = c.weights.data() + std::size_t(xx) * std::size_t(c.kernelSize);
        for (int x = 0; x < xmax; ++x) {
            const double w = total != 0.0 ? k[std::size_t(x)] / total : k[std::size_t(x)];
            const double fixed = w * double(1 << kPrecisionBits);
            out[x] = std::int32_t(w < 0 ? -0.5 + fixed : 0.5 + fixed);
        }
        c.first[std::size_t(xx)] = xmin;
        c.count[std::size_t(xx)] = xmax;
    }
    return c;
}

std::uint8_t pilClip8(int value)
{
    // Pillow looks up value >> 22 (an arithmetic shift) in a table clamped to 0..255.
    return std::uint8_t(std::clamp(value >> kPrecisionBits, 0, 255));
}

// The passes sum the same integer products as Pillow's (exactly, so in any order), arranged for the
// cache: channels of a pixel together, and whole rows at a time vertically.
template <int Channels> void pilHorizontalRows(const cv::Mat& in, cv::Mat& out, const PilCoefficients& c)
{
    const int width = out.cols;
    for (int y = 0; y < in.rows; ++y) {
        const std::uint8_t* row = in.ptr<std::uint8_t>(y);
        std::uint8_t* to = out.ptr<std::uint8_t>(y);
        for (int xx = 0; xx < width; ++xx) {
            const std::int32_t* k = c.weights.data() + std::size_t(xx) * std::size_t(c.kernelSize);
            const std::uint8_t* from = row + std::size_t(c.first[std::size_t(xx)]) * Channels;
            const int n = c.count[std::size_t(xx)];
            int sum[Channels];
            for (int ch = 0; ch < Channels; ++ch)
                sum[ch] = 1 << (kPrecisionBits - 1);
            for (int x = 0; x < n; ++x) {
                const int w = k[x];
                for (int ch = 0; ch < Channels; ++ch)
                    sum[ch] += from[x * Channels + ch] * w;
            }
            for (int ch = 0; ch < Channels; ++ch)
                to[xx * Channels + ch] = pilClip8(sum[ch]);
        }
    }
}

cv::Mat pilHorizontal(const cv::Mat& in, int width, const PilFilter& filter)
{
    const PilCoefficients c = pilCoefficients(in.cols, width, filter);
    cv::Mat out(in.rows, width, in.type());
    switch (in.channels()) {
    case 1:
        pilHorizontalRows<1>(in, out, c);
        break;
    case 3:
        pilHorizontalRows<3>(in, out, c);
        break;
    default:
        pilHorizontalRows<4>(in, out, c);
        break;
    }
    return out;
}

cv::Mat pilVertical(const cv::Mat& in, int height, const PilFilter& filter)
{
    const PilCoefficients c = pilCoefficients(in.rows, height, filter);
    const int values = in.cols * in.channels();
    cv::Mat out(height, in.cols, in.type());
    std::vector<int> sum(static_cast<std::size_t>(values));
    for (int yy = 0; yy < height; ++yy) {
        const std::int32_t* k = c.weights.data() + std::size_t(yy) * std::size_t(c.kernelSize);
        const int ymin = c.first[std::size_t(yy)];
        std::fill(sum.begin(), sum.end(), 1 << (kPrecisionBits - 1));
        int* __restrict total = sum.data();
        for (int y = 0; y < c.count[std::size_t(yy)]; ++y) {
            const std::uint8_t* __restrict row = in.ptr<std::uint8_t>(y + ymin);
            const int w = k[y];
            for (int i = 0; i < values; ++i)
                total[i] += row[i] * w;
        }
        std::uint8_t* to = out.ptr<std::uint8_t>(yy);
        for (int i = 0; i < values; ++i)
            to[i] = pilClip8(sum[std::size_t(i)]);
    }
    return out;
}

cv::Mat pilNearest(const cv::Mat& in, int width, int height)
{
    // ImagingScaleAffine: positions accumulated in double from a[2] + a[0] / 2, truncated.
    const double ax = double(in.cols) / width;
    const double ay = double(in.rows) / height;
    std::vector<int> columns(static_cast<std::size_t>(width));
    double xo = ax * 0.5;
    for (int x = 0; x < width; ++x) {
        columns[std::size_t(x)] = std::min(int(xo), in.cols - 1);
        xo += ax;
    }
    const std::size_t pixel = in.elemSize();
    cv::Mat out(height, width, in.type());
    double yo = ay * 0.5;
    for (int y = 0; y < height; ++y) {
        const std::uint8_t* row = in.ptr<std::uint8_t>(std::min(int(yo), in.rows - 1));
        std::uint8_t* to = out.ptr<std::uint8_t>(y);
        for (int x = 0; x < width; ++x)
            std::copy_n(row + std::size_t(columns[std::size_t(x)]) * pixel, pixel, to + std::size_t(x) * pixel);
        yo += ay;
    }
    return out;
}

// ---- PyTorch ------------------------------------------------------------------------------------

/// One output coordinate's input indices (clamped) and weights, as UpSampleKernel.cpp tabulates them.
struct TorchTaps
{
    int count = 0;
    std::vector<int> index; ///< outSize * count
    std::vector<float> weight;
};

TorchTaps torchTaps(int inSize, int outSize, Interpolation interpolation)
{
    TorchTaps t;
    const float scale = float(inSize) / float(outSize); // area_pixel_compute_scale<float>, no scale factor given
    const auto sourceIndex = [scale](int dst, bool cubic) {
        // scale * (dst + 0.5) - 0.5 is evaluated in double (dst + 0.5 is a double) and stored as float.
        const float src = float(double(scale) * (dst + 0.5) - 0.5);
        return (!cubic && src < 0.0f) ? 0.0f : src;
    };
    switch (interpolation) {
    case Interpolation::Nearest:
        t.count = 1;
        for (int x = 0; x < outSize; ++x) {
            int i = 0;
            if (outSize == inSize)
                i = x;
            else if (outSize == 2 * inSize)
                i = x >> 1;
            else
                i = std::min(int(std::floor(float(x) * scale)), inSize - 1);
            t.index.push_back(i);
            t.weight.push_back(1.0f);
        }
        break;
    case Interpolation::Bilinear:
        t.count = 2;
        for (int x = 0; x < outSize; ++x) {
            if (outSize == inSize) {
                t.index.insert(t.index.end(), { x, x });
                t.weight.insert(t.weight.end(), { 1.0f, 0.0f });
                continue;
            }
            const float src = sourceIndex(x, false);
            const int i0 = int(src);
            const int i1 = i0 + (i0 < inSize - 1 ? 1 : 0);
            const float lambda1 = src - float(i0);
            t.index.insert(t.index.end(), { i0, i1 });
            t.weight.insert(t.weight.end(), { 1.0f - lambda1, lambda1 });
        }
        break;
    case Interpolation::Bicubic: {
        t.count = 4;
        constexpr float a = -0.75f;
        const auto near = [a](float x) { return ((a + 2) * x - (a + 3)) * x * x + 1; };
        const auto far = [a](float x) { return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a; };
        for (int x = 0; x < outSize; ++x) {
            const float src = sourceIndex(x, true);
            const int i = int(std::floor(src));
            const float d = src - float(i);
            const float w[4] = { far(d + 1.0f), near(d), near(1.0f - d), far(1.0f - d + 1.0f) };
            for (int j = 0; j < 4; ++j) {
                t.index.push_back(std::clamp(i - 1 + j, 0, inSize - 1));
                t.weight.push_back(w[j]);
            }
        }
        break;
    }
    }
    return t;
}

/// Round half to even (torch.round) and clamp into 0..255.
std::uint8_t torchToByte(float v, bool clamp)
{
    if (clamp)
        v = std::clamp(v, 0.0f, 255.0f);
    return std::uint8_t(std::nearbyint(v));
}

Status checkResize(const cv::Mat& image8, int width, int height)
{
    if (image8.empty())
        return Error { Text::tr("cannot resize an empty image") };
    if (image8.depth() != CV_8U || (image8.channels() != 1 && image8.channels() != 3 && image8.channels() != 4))
        return Error {
            Text::tr("can only resize 8-bit images with 1, 3 or 4 channels (OpenCV type %1)").arg(image8.type())
        };
    if (width < 1 || height < 1)
        return Error { Text::tr("cannot resize to %1 x %2 pixels").arg(width).arg(height) };
    return {};
}

} // namespace

Result<cv::Mat> resizeLikePil(const cv::Mat& image8, int width, int height, Interpolation interpolation)
{
    if (const Status ok = checkResize(image8, width, height); !ok)
        return Error { ok.error() };
    // _resize: a box of the requested size is a crop, i.e. a copy.
    if (width == image8.cols && height == image8.rows)
        return image8.clone();
    if (interpolation == Interpolation::Nearest)
        return pilNearest(image8, width, height);
    const PilFilter filter
        = interpolation == Interpolation::Bicubic ? PilFilter { pilBicubic, 2.0 } : PilFilter { pilBilinear, 1.0 };
    cv::Mat out = image8;
    if (width != image8.cols)
        out = pilHorizontal(out, width, filter);
    if (height != image8.rows)
        out = pilVertical(out, height, filter);
    return out;
}

Result<cv::Mat> resizeLikeTorch(const cv::Mat& image8, int width, int height, Interpolation interpolation)
{
    if (const Status ok = checkResize(image8, width, height); !ok)
        return Error { ok.error() };
    const TorchTaps columns = torchTaps(image8.cols, width, interpolation);
    const TorchTaps rows = torchTaps(image8.rows, height, interpolation);
    const int channels = image8.channels();
    const bool clamp = interpolation == Interpolation::Bicubic;
    cv::Mat out(height, width, image8.type());
    for (int y = 0; y < height; ++y) {
        std::uint8_t* to = out.ptr<std::uint8_t>(y);
        for (int x = 0; x < width; ++x) {
            for (int ch = 0; ch < channels; ++ch) {
                // Height is the outer dimension: each row tap's inner sum over the column taps,
                // weighted, accumulated in float in tap order.
                float value = 0.0f;
                for (int r = 0; r < rows.count; ++r) {
                    const std::size_t ri = std::size_t(y) * std::size_t(rows.count) + std::size_t(r);
                    const std::uint8_t* row = image8.ptr<std::uint8_t>(rows.index[ri]);
                    float inner = 0.0f;
                    for (int c = 0; c < columns.count; ++c) {
                        const std::size_t ci = std::size_t(x) * std::size_t(columns.count) + std::size_t(c);
                        const float term = float(row[columns.index[ci] * channels + ch]) * columns.weight[ci];
                        inner = c == 0 ? term : inner + term;
                    }
                    const float term = inner * rows.weight[ri];
                    value = r == 0 ? term : value + term;
                }
                to[x * channels + ch] = torchToByte(value, clamp);
            }
        }
    }
    return out;
}

} // namespace ntt
