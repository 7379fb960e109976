#include "attention/gradcam.h"

#include "models/preprocess.h"

#include <QCoreApplication>

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>

namespace ntt {
namespace {

class Text
{
    Q_DECLARE_TR_FUNCTIONS(ntt::GradCam)
};

// pytorch-grad-cam's epsilon, in the Grad-CAM++ denominator and in the normalisation.
constexpr double kEpsilon = 1e-7;

} // namespace

QString camMethodName(CamMethod method)
{
    switch (method) {
    case CamMethod::GradCam:
        return QStringLiteral("gradcam");
    case CamMethod::GradCamPlusPlus:
        return QStringLiteral("gradcampp");
    case CamMethod::SmoothGradCamPlusPlus:
        return QStringLiteral("smoothgradcampp");
    }
    return {};
}

QString camMethodLabel(CamMethod method)
{
    switch (method) {
    case CamMethod::GradCam:
        return QStringLiteral("Grad-CAM");
    case CamMethod::GradCamPlusPlus:
        return QStringLiteral("Grad-CAM++");
    case CamMethod::SmoothGradCamPlusPlus:
        return QStringLiteral("Smooth Grad-CAM++");
    }
    return {};
}

std::optional<CamMethod> camMethodFromName(const QString& name)
{
    for (CamMethod m : { CamMethod::GradCam, CamMethod::GradCamPlusPlus, CamMethod::SmoothGradCamPlusPlus }) {
        if (name.compare(camMethodName(m), Qt::CaseInsensitive) == 0
            || name.compare(camMethodLabel(m), Qt::CaseInsensitive) == 0)
            return m;
    }
    return std::nullopt;
}

Result<CamMap> camFromEvidence(const CamEvidence& e, CamMethod method)
{
    const std::size_t plane = std::size_t(std::max(e.height, 0)) * std::size_t(std::max(e.width, 0));
    const std::size_t total = plane * std::size_t(std::max(e.channels, 0));
    if (total == 0 || e.activations.size() != total || e.gradMean.size() != total || e.gradSquareMean.size() != total
        || e.gradCubeMean.size() != total)
        return Error { Text::tr("class activation map: the layer's activations and gradients do not have %1 x %2 x %3 "
                                "values")
                           .arg(e.channels)
                           .arg(e.height)
                           .arg(e.width) };

    std::vector<double> cam(plane, 0.0);
    for (int k = 0; k < e.channels; ++k) {
        const std::size_t base = std::size_t(k) * plane;
        const float* a = e.activations.data() + base;
        double weight = 0.0;
        if (method == CamMethod::GradCam) {
            for (std::size_t i = 0; i < plane; ++i)
                weight += e.gradMean[base + i];
            weight /= double(plane);
        } else {
            double activationSum = 0.0;
            for (std::size_t i = 0; i < plane; ++i)
                activationSum += a[i];
            for (std::size_t i = 0; i < plane; ++i) {
                const double g2 = e.gradSquareMean[base + i];
                if (g2 == 0.0)
                    continue; // alpha = 0 where the gradient is 0
                const double alpha = g2 / (2.0 * g2 + activationSum * e.gradCubeMean[base + i] + kEpsilon);
                weight += std::max(0.0, double(e.gradMean[base + i])) * alpha;
            }
        }
        for (std::size_t i = 0; i < plane; ++i)
            cam[i] += weight * a[i];
    }

    CamMap map;
    map.width = e.width;
    map.height = e.height;
    map.targetClass = e.targetClass;
    map.targetNegated = e.targetNegated;
    map.values.resize(plane);
    double lowest = 0.0;
    double highest = 0.0;
    for (std::size_t i = 0; i < plane; ++i) {
        cam[i] = std::max(0.0, cam[i]);
        if (!std::isfinite(cam[i]))
            return Error { Text::tr("class activation map: the gradients are not finite") };
        lowest = i == 0 ? cam[i] : std::min(lowest, cam[i]);
    }
    for (std::size_t i = 0; i < plane; ++i) {
        cam[i] -= lowest;
        highest = std::max(highest, cam[i]);
    }
    for (std::size_t i = 0; i < plane; ++i)
        map.values[i] = static_cast<float>(cam[i] / (kEpsilon + highest));
    return map;
}

Result<cv::Mat> camMapToImage(const CamMap& map, const InputSpec& input, int imageWidth, int imageHeight)
{
    if (map.width < 1 || map.height < 1 || map.values.size() != std::size_t(map.width) * std::size_t(map.height))
        return Error { Text::tr("class activation map of %1 x %2 has %3 values")
                           .arg(map.width)
                           .arg(map.height)
                           .arg(map.values.size()) };
    if (imageWidth < 1 || imageHeight < 1)
        return Error { Text::tr("image size %1 x %2 is not valid").arg(imageWidth).arg(imageHeight) };
    const cv::Mat small(map.height, map.width, CV_32F, const_cast<float*>(map.values.data()));
    const InputRegion region = inputRegionInImage(input, imageWidth, imageHeight);
    const cv::Rect target(int(std::lround(region.x)), int(std::lround(region.y)),
        std::max(1, int(std::lround(region.width))), std::max(1, int(std::lround(region.height))));
    const cv::Rect inside = target & cv::Rect(0, 0, imageWidth, imageHeight);
    cv::Mat out = cv::Mat::zeros(imageHeight, imageWidth, CV_32F);
    if (target == cv::Rect(0, 0, imageWidth, imageHeight)) {
        cv::resize(small, out, out.size(), 0, 0, cv::INTER_LINEAR);
        return out;
    }
    cv::Mat scaled;
    cv::resize(small, scaled, target.size(), 0, 0, cv::INTER_LINEAR);
    scaled(cv::Rect(inside.x - target.x, inside.y - target.y, inside.width, inside.height)).copyTo(out(inside));
    return out;
}

Result<std::vector<CamMap>> computeCams(
    Classifier& classifier, const std::vector<PreparedImage>& batch, const CamOptions& options)
{
    if (batch.empty())
        return std::vector<CamMap> {};
    const bool smooth = options.method == CamMethod::SmoothGradCamPlusPlus;
    if (smooth && (options.noiseSamples < 1 || options.noiseSamples > 256))
        return Error { Text::tr("Smooth Grad-CAM++: %1 noisy copies is outside 1..256").arg(options.noiseSamples) };
    if (smooth && !(options.noiseSigma >= 0.0 && options.noiseSigma <= 10.0))
        return Error { Text::tr("Smooth Grad-CAM++: noise sigma %1 is outside 0..10").arg(options.noiseSigma) };
    EvidenceRequest request;
    request.layer = options.layer;
    request.target = options.target;
    request.noiseSamples = smooth ? options.noiseSamples : 0;
    request.noiseSigma = options.noiseSigma;
    request.noiseSeed = options.noiseSeed;
    auto evidence = classifier.layerEvidence(batch, request);
    if (!evidence)
        return Error { evidence.error() };
    std::vector<CamMap> maps;
    maps.reserve(evidence->size());
    for (const CamEvidence& e : evidence.value()) {
        auto map = camFromEvidence(e, options.method);
        if (!map)
            return Error { QStringLiteral("%1: %2").arg(classifier.path(), map.error()) };
        map->layer = e.layer;
        maps.push_back(std::move(map).value());
    }
    return maps;
}

} // namespace ntt
