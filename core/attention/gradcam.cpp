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

// pytorch-grad-cam's epsilons: utils/image.py scale_cam_image divides by (1e-7 + max);
// grad_cam_plusplus.py adds eps = 0.000001 to the alpha denominator.
constexpr double kGradCamEpsilon = 1e-7;
constexpr double kGradCamPlusPlusEpsilon = 1e-6;
// TorchCAM's: eps = 1e-8 in SmoothGradCAMpp._get_weights and in _CAM._normalize.
constexpr double kTorchCamEpsilon = 1e-8;

/// (v - min) / (max(v - min) + eps), as scale_cam_image and TorchCAM's _normalize do.
std::vector<float> normalisedMap(const std::vector<double>& values, double epsilon)
{
    std::vector<float> out(values.size());
    if (values.empty())
        return out;
    const double lowest = *std::min_element(values.begin(), values.end());
    double highest = 0.0;
    for (double v : values)
        highest = std::max(highest, v - lowest);
    for (std::size_t i = 0; i < values.size(); ++i)
        out[i] = static_cast<float>((values[i] - lowest) / (epsilon + highest));
    return out;
}

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
    const bool smooth = method == CamMethod::SmoothGradCamPlusPlus;
    if (total == 0 || e.activations.size() != total || e.gradMean.size() != total || e.gradSquareMean.size() != total
        || e.gradCubeMean.size() != total
        || (smooth && (e.lastActivations.size() != total || e.lastGradient.size() != total)))
        return Error { Text::tr("class activation map: the layer's activations and gradients do not have %1 x %2 x %3 "
                                "values")
                           .arg(e.channels)
                           .arg(e.height)
                           .arg(e.width) };

    // Smooth Grad-CAM++ combines the last noisy copy's activations, as TorchCAM does.
    const std::vector<float>& combined = smooth ? e.lastActivations : e.activations;
    std::vector<double> cam(plane, 0.0);
    for (int k = 0; k < e.channels; ++k) {
        const std::size_t base = std::size_t(k) * plane;
        const float* a = e.activations.data() + base;
        double weight = 0.0;
        switch (method) {
        case CamMethod::GradCam: // pytorch-grad-cam grad_cam.py: np.mean(grads, axis=(2, 3))
            for (std::size_t i = 0; i < plane; ++i)
                weight += e.gradMean[base + i];
            weight /= double(plane);
            break;
        case CamMethod::GradCamPlusPlus: {
            // pytorch-grad-cam grad_cam_plusplus.py: aij = g^2 / (2 g^2 + sum(A) g^3 + 1e-6), 0 where
            // g == 0; weights = sum(max(g, 0) * aij).
            double activationSum = 0.0;
            for (std::size_t i = 0; i < plane; ++i)
                activationSum += a[i];
            for (std::size_t i = 0; i < plane; ++i) {
                const double g = e.gradMean[base + i];
                if (g == 0.0)
                    continue;
                const double g2 = e.gradSquareMean[base + i];
                const double alpha
                    = g2 / (2.0 * g2 + activationSum * e.gradCubeMean[base + i] + kGradCamPlusPlusEpsilon);
                weight += std::max(0.0, g) * alpha;
            }
            break;
        }
        case CamMethod::SmoothGradCamPlusPlus: {
            // TorchCAM SmoothGradCAMpp._get_weights: alpha = g2 / (2 g2 + sum_ab(g3 * A_clean) + 1e-8)
            // with g2, g3 the means over the noisy copies; weights = sum(alpha * relu(g_last)).
            double weightedCube = 0.0;
            for (std::size_t i = 0; i < plane; ++i)
                weightedCube += double(e.gradCubeMean[base + i]) * a[i];
            for (std::size_t i = 0; i < plane; ++i) {
                const double g2 = e.gradSquareMean[base + i];
                const double alpha = g2 / (2.0 * g2 + weightedCube + kTorchCamEpsilon);
                weight += alpha * std::max(0.0, double(e.lastGradient[base + i]));
            }
            break;
        }
        }
        const float* c = combined.data() + base;
        for (std::size_t i = 0; i < plane; ++i)
            cam[i] += weight * c[i];
    }
    for (std::size_t i = 0; i < plane; ++i) {
        cam[i] = std::max(0.0, cam[i]);
        if (!std::isfinite(cam[i]))
            return Error { Text::tr("class activation map: the gradients are not finite") };
    }

    CamMap map;
    map.width = e.width;
    map.height = e.height;
    map.method = method;
    map.targetClass = e.targetClass;
    map.targetNegated = e.targetNegated;
    map.values = normalisedMap(cam, smooth ? kTorchCamEpsilon : kGradCamEpsilon);
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
    cv::Mat small(map.height, map.width, CV_32F, const_cast<float*>(map.values.data()));
    if (map.method != CamMethod::SmoothGradCamPlusPlus && input.size > 0) {
        // pytorch-grad-cam: scale_cam_image(cam, target_size) resizes each normalised map to the
        // input tensor's size with cv2.resize (bilinear), and aggregate_multi_layers normalises again.
        cv::Mat atInput;
        cv::resize(small, atInput, cv::Size(input.size, input.size), 0, 0, cv::INTER_LINEAR);
        std::vector<double> values(atInput.begin<float>(), atInput.end<float>());
        for (double& v : values)
            v = std::max(0.0, v);
        const std::vector<float> normalised = normalisedMap(values, kGradCamEpsilon);
        small = cv::Mat(input.size, input.size, CV_32F);
        std::copy(normalised.begin(), normalised.end(), small.begin<float>());
    }
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
