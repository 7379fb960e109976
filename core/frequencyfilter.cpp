#include "frequencyfilter.h"

#include <opencv2/core.hpp>

#include <cmath>

namespace ntt {

namespace {

QString number(double v)
{
    return QString::number(v, 'g', 6);
}

// Signed frequency index of DFT bin k of n: 0, 1, ..., then negative (numpy.fft.fftfreq(n) * n).
double signedFrequency(int k, int n)
{
    return k <= (n - 1) / 2 ? double(k) : double(k - n);
}

} // namespace

QString FrequencyFilter::describe() const
{
    switch (kind) {
    case Kind::None:
        return QStringLiteral("none");
    case Kind::LowPass:
        return QStringLiteral("low-pass %1").arg(number(cutoff));
    case Kind::HighPass:
        return QStringLiteral("high-pass %1").arg(number(cutoff));
    case Kind::BandPass:
        return QStringLiteral("band-pass %1-%2").arg(number(cutoff), number(upper));
    }
    return {};
}

QString FrequencyFilter::tag() const
{
    switch (kind) {
    case Kind::None:
        return {};
    case Kind::LowPass:
        return QStringLiteral("lp%1").arg(number(cutoff));
    case Kind::HighPass:
        return QStringLiteral("hp%1").arg(number(cutoff));
    case Kind::BandPass:
        return QStringLiteral("bp%1-%2").arg(number(cutoff), number(upper));
    }
    return {};
}

Result<FrequencyFilter> parseFrequencyFilter(const QString& text)
{
    const QString t = text.trimmed().toLower();
    FrequencyFilter f;
    if (t.isEmpty() || t == QLatin1String("none"))
        return f;
    const auto bad = [&] {
        return Error { QStringLiteral("frequency filter \"%1\": write low:C, high:C or band:C1-C2 with cut-offs in "
                                      "cycles per image (e.g. low:30, band:10-30)")
                           .arg(text) };
    };
    const qsizetype colon = t.indexOf(QLatin1Char(':'));
    if (colon < 0)
        return bad();
    const QString kind = t.left(colon);
    const QString values = t.mid(colon + 1);
    bool ok = false;
    if (kind == QLatin1String("low") || kind == QLatin1String("high")) {
        f.kind = kind == QLatin1String("low") ? FrequencyFilter::Kind::LowPass : FrequencyFilter::Kind::HighPass;
        f.cutoff = values.toDouble(&ok);
    } else if (kind == QLatin1String("band")) {
        const QStringList parts = values.split(QLatin1Char('-'));
        if (parts.size() != 2)
            return bad();
        bool okUpper = false;
        f.kind = FrequencyFilter::Kind::BandPass;
        f.cutoff = parts[0].toDouble(&ok);
        f.upper = parts[1].toDouble(&okUpper);
        ok = ok && okUpper;
        if (ok && f.upper <= f.cutoff)
            return Error {
                QStringLiteral("frequency filter \"%1\": the upper cut-off must be above the lower one").arg(text)
            };
    } else {
        return bad();
    }
    if (!ok || !(f.cutoff > 0.0) || !std::isfinite(f.cutoff))
        return bad();
    return f;
}

Result<cv::Mat> filterFrequencies(const cv::Mat& image8, const FrequencyFilter& filter, const QString& origin)
{
    if (image8.empty() || image8.depth() != CV_8U)
        return Error { QStringLiteral("%1: frequency filtering needs an 8-bit image").arg(origin) };
    if (!filter.enabled())
        return image8.clone();
    if (filter.kind == FrequencyFilter::Kind::BandPass && filter.upper <= filter.cutoff)
        return Error { QStringLiteral("%1: band-pass %2-%3: the upper cut-off must be above the lower one")
                           .arg(origin, number(filter.cutoff), number(filter.upper)) };
    const int rows = image8.rows;
    const int cols = image8.cols;
    // The mask, with frequencies in cycles per image along each axis.
    cv::Mat mask(rows, cols, CV_32FC2);
    for (int y = 0; y < rows; ++y) {
        const double v = signedFrequency(y, rows);
        auto* m = mask.ptr<cv::Vec2f>(y);
        for (int x = 0; x < cols; ++x) {
            const double u = signedFrequency(x, cols);
            const double r = std::sqrt(u * u + v * v);
            bool keep = false;
            switch (filter.kind) {
            case FrequencyFilter::Kind::LowPass:
                keep = r <= filter.cutoff;
                break;
            case FrequencyFilter::Kind::HighPass:
                keep = r > filter.cutoff || r == 0.0;
                break;
            case FrequencyFilter::Kind::BandPass:
                keep = (r > filter.cutoff && r <= filter.upper) || r == 0.0;
                break;
            case FrequencyFilter::Kind::None:
                keep = true;
                break;
            }
            m[x] = cv::Vec2f(keep ? 1.0f : 0.0f, keep ? 1.0f : 0.0f);
        }
    }
    std::vector<cv::Mat> channels;
    cv::split(image8, channels);
    try {
        for (cv::Mat& channel : channels) {
            cv::Mat real;
            channel.convertTo(real, CV_64F);
            cv::Mat spectrum;
            cv::dft(real, spectrum, cv::DFT_COMPLEX_OUTPUT);
            cv::Mat mask64;
            mask.convertTo(mask64, CV_64FC2);
            spectrum = spectrum.mul(mask64);
            cv::Mat back;
            cv::idft(spectrum, back, cv::DFT_REAL_OUTPUT | cv::DFT_SCALE);
            back.convertTo(channel, CV_8U); // rounds to nearest and saturates to 0..255
        }
    } catch (const cv::Exception& e) {
        return Error {
            QStringLiteral("%1: frequency filtering failed (%2)").arg(origin, QString::fromStdString(e.msg).trimmed())
        };
    }
    cv::Mat out;
    cv::merge(channels, out);
    return out;
}

std::vector<FrequencyFilter> frequencySweep(const std::vector<double>& cutoffs)
{
    std::vector<FrequencyFilter> filters;
    for (double c : cutoffs)
        filters.push_back({ FrequencyFilter::Kind::LowPass, c, 0.0 });
    for (double c : cutoffs)
        filters.push_back({ FrequencyFilter::Kind::HighPass, c, 0.0 });
    for (std::size_t i = 0; i + 1 < cutoffs.size(); ++i)
        filters.push_back({ FrequencyFilter::Kind::BandPass, cutoffs[i], cutoffs[i + 1] });
    return filters;
}

} // namespace ntt
