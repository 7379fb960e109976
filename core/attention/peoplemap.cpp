#include "attention/peoplemap.h"

#include "quantile.h"

#include <opencv2/imgproc.hpp>

#include <cmath>
#include <limits>

namespace ntt {

cv::Mat peopleHeatMap(const std::vector<QPointF>& marks, int width, int height, double sigmaPx)
{
    cv::Mat impulses = cv::Mat::zeros(height, width, CV_64F);
    for (const QPointF& m : marks) {
        const int x = int(std::floor(m.x()));
        const int y = int(std::floor(m.y()));
        if (x >= 0 && y >= 0 && x < width && y < height)
            impulses.at<double>(y, x) += 1.0;
    }
    cv::Mat smoothed;
    // SciPy's kernel: radius int(truncate * sigma + 0.5), weights exp(-x^2 / (2 sigma^2)) summing to 1.
    const int radius = int(4.0 * sigmaPx + 0.5);
    cv::Mat kernel(2 * radius + 1, 1, CV_64F);
    double sum = 0.0;
    for (int i = -radius; i <= radius; ++i) {
        const double w = std::exp(-0.5 * double(i) * double(i) / (sigmaPx * sigmaPx));
        kernel.at<double>(i + radius) = w;
        sum += w;
    }
    kernel /= sum;
    cv::sepFilter2D(impulses, smoothed, CV_64F, kernel, kernel, cv::Point(-1, -1), 0.0, cv::BORDER_CONSTANT);
    double maximum = 0.0;
    cv::minMaxLoc(smoothed, nullptr, &maximum);
    if (maximum > 0.0)
        smoothed /= maximum;
    else
        smoothed.setTo(0.0);
    cv::Mat out;
    smoothed.convertTo(out, CV_32F);
    return out;
}

MapAgreement mapAgreement(const std::vector<QPointF>& marks, const cv::Mat& model, double sigmaPx, double scale)
{
    constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
    MapAgreement a;
    std::vector<QPointF> scaled;
    for (const QPointF& m : marks)
        scaled.emplace_back(m.x() * scale, m.y() * scale);
    a.marks = int(scaled.size());
    const double sigma = sigmaPx * scale;
    const cv::Mat people = peopleHeatMap(scaled, model.cols, model.rows, sigma);

    // Pearson's r over all pixels.
    cv::Mat p64, m64;
    people.convertTo(p64, CV_64F);
    model.convertTo(m64, CV_64F);
    const double n = double(model.total());
    const double meanP = cv::sum(p64)[0] / n;
    const double meanM = cv::sum(m64)[0] / n;
    const cv::Mat dp = p64 - meanP;
    const cv::Mat dm = m64 - meanM;
    const double sxy = dp.dot(dm);
    const double sxx = dp.dot(dp);
    const double syy = dm.dot(dm);
    a.correlation = sxx > 0.0 && syy > 0.0 ? sxy / std::sqrt(sxx * syy) : kNaN;

    if (scaled.empty()) {
        a.shareInModelTop20 = kNaN;
        return a;
    }
    std::vector<double> values(m64.begin<double>(), m64.end<double>());
    const double top20 = linearPercentile(values, 0.8);
    int inside = 0;
    for (const QPointF& m : scaled) {
        const int x = std::clamp(int(std::floor(m.x())), 0, model.cols - 1);
        const int y = std::clamp(int(std::floor(m.y())), 0, model.rows - 1);
        inside += m64.at<double>(y, x) >= top20 ? 1 : 0;
    }
    a.shareInModelTop20 = double(inside) / scaled.size();

    // The model's peak: the first maximum in row-major order (numpy.argmax), at its pixel centre.
    int peak = 0;
    for (int i = 1; i < int(values.size()); ++i) {
        if (values[std::size_t(i)] > values[std::size_t(peak)])
            peak = i;
    }
    const double px = peak % model.cols + 0.5;
    const double py = peak / model.cols + 0.5;
    a.pointingHit = 0;
    for (const QPointF& m : scaled) {
        if (std::hypot(m.x() - px, m.y() - py) <= 2.0 * sigma)
            a.pointingHit = 1;
    }
    return a;
}

MapAgreement shownImageAgreement(const std::vector<QPointF>& marks, const cv::Mat& model, double sigmaPx)
{
    constexpr int kLongSide = 256;
    const double scale = std::min(1.0, double(kLongSide) / std::max(model.cols, model.rows));
    if (scale >= 1.0)
        return mapAgreement(marks, model, sigmaPx);
    cv::Mat small;
    cv::resize(model, small,
        cv::Size(std::max(1, int(std::lround(model.cols * scale))), std::max(1, int(std::lround(model.rows * scale)))),
        0, 0, cv::INTER_AREA);
    return mapAgreement(marks, small, sigmaPx, double(small.cols) / model.cols);
}

} // namespace ntt
