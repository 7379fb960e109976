// Forward-pass throughput of the built-in ResNet-18 detector on this machine's CPU, at 224 px,
// batch 1 and 16, with 1 and with all threads: the figures behind defaultTorchThreads().
//
// Run: build/dev/bin/bench_model_inference
// Prints images per second for each setting.

#include "demo/demo.h"
#include "models/classifier.h"
#include "models/training.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QTemporaryDir>

#include <cstdio>
#include <thread>

using namespace ntt;

namespace {

int fail(const QString& message)
{
    std::fprintf(stderr, "bench_model_inference: %s\n", qPrintable(message));
    return 1;
}

} // namespace

int main(int argc, char* argv[])
{
    QCoreApplication app(argc, argv);
    QTemporaryDir tmp;
    CancelToken cancel;

    // A ResNet-18 with real weights of the right shapes: one quick epoch on a few synthetic images.
    DemoPoolOptions demo;
    demo.outputDir = tmp.filePath(QStringLiteral("pool"));
    demo.imagesPerSourceAndCategory = 2;
    demo.size = 224;
    const auto pool = generateDemoPool(demo, cancel, {});
    if (!pool)
        return fail(pool.error());
    std::vector<LabelledImage> images;
    for (const QString& source : pool->sources) {
        for (const QString& category : pool->categories) {
            const QDir dir(pool->root + QLatin1Char('/') + source + QLatin1Char('/') + category);
            for (const QString& file : dir.entryList({ QStringLiteral("*.png") }))
                images.push_back({ dir.filePath(file), source == pool->sources.front(), source });
        }
    }
    TrainingOptions options;
    options.architecture = DetectorArchitecture::ResNet18;
    options.epochs = 1;
    options.batchSize = 4;
    options.inputSize = 224;
    options.randomResizedCrop = false;
    options.device = DevicePreference::Cpu;
    const QString modelPath = tmp.filePath(QStringLiteral("resnet18.pt"));
    const auto trained = trainDetector(images, images, options, modelPath, QStringLiteral("bench"), cancel, {});
    if (!trained)
        return fail(trained.error());

    const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    std::printf("ResNet-18 forward, 224 px, CPU (%d cores)\n", cores);
    for (int threads : { 1, cores }) {
        auto classifier = loadClassifier(modelPath, DevicePreference::Cpu, threads);
        if (!classifier)
            return fail(classifier.error());
        for (int batch : { 1, 16 }) {
            PreparedImage input;
            input.size = 224;
            input.chw.assign(3 * 224 * 224, 0.1f);
            const std::vector<PreparedImage> inputs(static_cast<std::size_t>(batch), input);
            classifier.value()->predict(inputs); // warm-up
            QElapsedTimer clock;
            clock.start();
            int done = 0;
            while (clock.elapsed() < 4000) {
                if (const auto out = classifier.value()->predict(inputs); !out)
                    return fail(out.error());
                done += batch;
            }
            std::printf("threads %d, batch %2d: %6.1f images/s (%s, LibTorch %s)\n", threads, batch,
                1000.0 * done / static_cast<double>(clock.elapsed()), qPrintable(classifier.value()->runtime().device),
                qPrintable(classifier.value()->runtime().torchVersion));
        }
    }
    return 0;
}
