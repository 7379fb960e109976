// Training speed of the built-in ResNet-18 at 224 px on the DeepArt sample (../shared/data/
// deepart-sample: 40 human paintings and 40 GPT-4 images of 384 px): half of each source trains,
// the other half validates. Images are decoded and scaled once before the first epoch; each epoch's
// wall time is set beside the time spent in the network itself (forward, loss, backward and
// optimiser step of every batch, and the validation's forward passes), both measured inside the
// same run by trainDetector.
//
// Run: build/dev/bin/bench_training [deepart-sample-dir] [epochs] [batch-size]
// Prints, per epoch: wall ms, network ms, their ratio, and training images per second of each.

#include "models/training.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QTemporaryDir>

#include <algorithm>
#include <cstdio>
#include <vector>

using namespace ntt;

namespace {

int fail(const QString& message)
{
    std::fprintf(stderr, "bench_training: %s\n", qPrintable(message));
    return 1;
}

} // namespace

int main(int argc, char* argv[])
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    const QString sample = args.size() > 1 ? args[1] : QStringLiteral(NTT_SHARED_DATA_DIR "/deepart-sample");
    const int epochs = args.size() > 2 ? args[2].toInt() : 3;
    const int batchSize = args.size() > 3 ? args[3].toInt() : 16;
    if (epochs < 1 || batchSize < 2)
        return fail(QStringLiteral("epochs must be at least 1 and the batch size at least 2"));

    std::vector<LabelledImage> train;
    std::vector<LabelledImage> val;
    for (const QString& source : { QStringLiteral("human"), QStringLiteral("gpt4") }) {
        const QDir dir(QDir(sample).filePath(source));
        const QStringList files
            = dir.entryList({ QStringLiteral("*.jpg"), QStringLiteral("*.png") }, QDir::Files, QDir::Name);
        if (files.size() < 4)
            return fail(
                QStringLiteral("%1 has %2 images; the DeepArt sample has 40").arg(dir.path()).arg(files.size()));
        for (int i = 0; i < files.size(); ++i) {
            LabelledImage image { dir.filePath(files[i]), source == QLatin1String("human"), {} };
            (i % 2 == 0 ? train : val).push_back(image);
        }
    }

    TrainingOptions options;
    options.architecture = DetectorArchitecture::ResNet18;
    options.inputSize = 224;
    options.batchSize = batchSize;
    options.epochs = epochs;
    options.earlyStoppingPatience = 0;
    QTemporaryDir tmp;
    CancelToken cancel;
    QElapsedTimer total;
    total.start();
    const auto trained = trainDetector(
        train, val, options, tmp.filePath(QStringLiteral("resnet18.pt")), QStringLiteral("bench"), cancel, {});
    if (!trained)
        return fail(trained.error());
    const double totalMs = double(total.nsecsElapsed()) / 1e6;

    std::printf("ResNet-18, 224 px, batch %d, %zu training and %zu validation images of the DeepArt sample, %s, "
                "%d threads\n",
        batchSize, train.size(), val.size(), qPrintable(trained->runtime.device), trained->runtime.threads);
    std::printf("decoding and scaling every image once: %.0f ms; whole run (start and save included): %.0f ms\n",
        trained->decodeMs, totalMs);
    std::vector<double> ratios;
    for (const TrainingProgress& e : trained->epochs) {
        const double ratio = e.epochMs / e.networkMs;
        ratios.push_back(ratio);
        std::printf("epoch %d: %.0f ms, of which network %.0f ms (x%.3f); %.1f images/s (training and validation), "
                    "network alone "
                    "%.1f\n",
            e.epoch, e.epochMs, e.networkMs, ratio, double(train.size() + val.size()) / (e.epochMs / 1000.0),
            double(train.size() + val.size()) / (e.networkMs / 1000.0));
    }
    std::sort(ratios.begin(), ratios.end());
    std::printf("median epoch / network ratio: x%.3f\n", ratios[ratios.size() / 2]);
    return 0;
}
