#include "attention/camrun.h"

#include "models/preprocess.h"
#include "pool/imagedecode.h"

#include <QCoreApplication>

#include <algorithm>

namespace ntt {
namespace {

class Text
{
    Q_DECLARE_TR_FUNCTIONS(ntt::GradCam)
};

} // namespace

Result<CamOptions> resolveCamLayer(Classifier& classifier, CamOptions options)
{
    const auto layers = classifier.camLayers();
    if (!layers)
        return Error { layers.error() };
    if (options.layer.isEmpty()) {
        options.layer = defaultCamLayer(layers.value());
        if (options.layer.isEmpty())
            return Error { Text::tr("%1: no layer gives a 4-D output with a spatial size above 1; class activation "
                                    "maps need one")
                               .arg(classifier.path()) };
        return options;
    }
    QStringList names;
    for (const CamLayer& l : layers.value()) {
        if (l.name == options.layer)
            return options;
        names << l.name;
    }
    return Error { Text::tr("%1: the model has no layer \"%2\"; its layers are: %3")
                       .arg(classifier.path(), options.layer, names.join(QStringLiteral(", "))) };
}

Result<std::vector<CamImageResult>> computeCamsForFiles(Classifier& classifier, const QStringList& paths,
    const CamOptions& options, int batchSize, const CancelToken& cancel,
    const std::function<void(int done, int total)>& progress)
{
    if (batchSize < 1)
        return Error { Text::tr("batch size %1 must be at least 1").arg(batchSize) };
    auto resolved = resolveCamLayer(classifier, options);
    if (!resolved)
        return Error { resolved.error() };
    std::vector<CamImageResult> results(static_cast<std::size_t>(paths.size()));
    const int total = static_cast<int>(paths.size());
    for (int begin = 0; begin < total; begin += batchSize) {
        if (cancel.isCancelled())
            return Error { Text::tr("cancelled") };
        const int end = std::min(total, begin + batchSize);
        std::vector<PreparedImage> batch;
        std::vector<std::size_t> slots;
        for (int i = begin; i < end; ++i) {
            CamImageResult& r = results[std::size_t(i)];
            r.path = paths[i];
            // One read: the hash the map is stored under is that of the bytes the model saw.
            const auto file = readFileBytes(paths[i]);
            if (!file) {
                r.error = file.error();
                continue;
            }
            r.sha256 = file->sha256;
            auto prepared = prepareImageData(file->bytes, classifier.spec().input);
            if (!prepared) {
                r.error = QStringLiteral("%1: %2").arg(paths[i], prepared.error());
                continue;
            }
            r.imageWidth = prepared->sourceWidth;
            r.imageHeight = prepared->sourceHeight;
            batch.push_back(std::move(prepared).value());
            slots.push_back(std::size_t(i));
        }
        if (!batch.empty()) {
            auto maps = computeCams(classifier, batch, resolved.value());
            if (!maps)
                return Error { maps.error() };
            auto predictions = classifier.predict(batch);
            if (!predictions)
                return Error { predictions.error() };
            for (std::size_t k = 0; k < slots.size(); ++k) {
                results[slots[k]].map = std::move(maps->at(k));
                results[slots[k]].prediction = predictions->at(k);
            }
        }
        if (progress)
            progress(end, total);
    }
    return results;
}

Result<cv::Mat> camFigure(const QString& imagePath, const std::vector<CamFigureMap>& maps,
    const OverlayOptions& overlay, const CamFigureLayout& layout)
{
    const auto image = readImageBgr(imagePath);
    if (!image)
        return Error { image.error() };
    return camFigure(image.value(), maps, overlay, layout);
}

Result<cv::Mat> camFigure(const cv::Mat& image, const std::vector<CamFigureMap>& maps, const OverlayOptions& overlay,
    const CamFigureLayout& layout)
{
    std::vector<CamPanel> panels;
    for (const CamFigureMap& m : maps) {
        auto full = camMapToImage(m.map, m.input, image.cols, image.rows);
        if (!full)
            return Error { full.error() };
        panels.push_back({ std::move(full).value(), m.caption, overlay });
    }
    return composeCamFigure(image, panels, overlay.colormap, layout);
}

} // namespace ntt
