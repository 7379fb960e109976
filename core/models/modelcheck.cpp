#include "models/modelcheck.h"

#include <QCoreApplication>

#include <algorithm>
#include <cmath>

namespace ntt {
namespace {

class Text
{
    Q_DECLARE_TR_FUNCTIONS(ntt::ModelCheck)
};

constexpr double kTolerance = 1e-4;

double difference(double a, double b)
{
    if (std::isnan(a) && std::isnan(b))
        return 0.0;
    if (std::isnan(a) || std::isnan(b))
        return 1.0;
    return std::abs(a - b);
}

/// The largest difference between two sets of predictions of the same images.
double largestDifference(const std::vector<Prediction>& a, const std::vector<Prediction>& b)
{
    double worst = 0.0;
    for (std::size_t i = 0; i < std::min(a.size(), b.size()); ++i) {
        worst = std::max(worst, difference(a[i].pReal, b[i].pReal));
        const std::size_t classes = std::min(a[i].classProbabilities.size(), b[i].classProbabilities.size());
        for (std::size_t c = 0; c < classes; ++c)
            worst = std::max(worst, difference(a[i].classProbabilities[c], b[i].classProbabilities[c]));
    }
    return worst;
}

Result<std::vector<Prediction>> oneByOne(Classifier& classifier, const std::vector<PreparedImage>& images)
{
    std::vector<Prediction> all;
    for (const PreparedImage& image : images) {
        auto one = classifier.predict({ image });
        if (!one)
            return Error { one.error() };
        if (one->size() != 1)
            return Error { Text::tr("%1: one image gave %2 outputs").arg(classifier.path()).arg(one->size()) };
        all.push_back(one->front());
    }
    return all;
}

Error nondeterministic(const Classifier& classifier, double difference)
{
    return Error { Text::tr("%1 gives other outputs for the same images in two runs (largest difference %2): export "
                            "it after model.eval(), without dropout at inference")
                       .arg(classifier.path())
                       .arg(difference, 0, 'g', 3) };
}

} // namespace

Result<ModelCheck> checkModelBehaviour(Classifier& classifier, const std::vector<PreparedImage>& images)
{
    ModelCheck check;
    if (images.empty()) {
        check.warnings << Text::tr("%1: no pool image could be prepared, so the model's batches were not checked")
                              .arg(classifier.path());
        return check;
    }
    auto single = oneByOne(classifier, images);
    if (!single)
        return Error { Text::tr("the model fails on a pool image: %1").arg(single.error()) };
    if (images.size() < 2)
        return check;

    auto batch = classifier.predict(images);
    if (!batch) {
        check.maxBatch = 1;
        check.warnings << Text::tr("%1 cannot take a batch of %2 images (%3); it was probably traced with a batch of "
                                   "one. Runs give it one image at a time (\"max_batch\": 1).")
                              .arg(classifier.path())
                              .arg(images.size())
                              .arg(batch.error());
        auto again = oneByOne(classifier, images);
        if (!again)
            return Error { again.error() };
        if (const double d = largestDifference(single.value(), again.value()); d > kTolerance)
            return nondeterministic(classifier, d);
        return check;
    }
    auto again = classifier.predict(images);
    if (!again)
        return Error { again.error() };
    if (const double d = largestDifference(batch.value(), again.value()); d > kTolerance)
        return nondeterministic(classifier, d);
    if (const double d = largestDifference(batch.value(), single.value()); d > kTolerance) {
        check.maxBatch = 1;
        check.warnings << Text::tr("%1: an image's outputs change with the other images in its batch (largest "
                                   "difference %2; batch statistics at inference, e.g. batch norm in training mode). "
                                   "Runs give it one image at a time (\"max_batch\": 1).")
                              .arg(classifier.path())
                              .arg(d, 0, 'g', 3);
    }
    return check;
}

} // namespace ntt
