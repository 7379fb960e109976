// Preparing model inputs from the real images in ../shared/data (decode, resize, crop, normalise),
// the producer side of a model run: torchvision's evaluation transform as NameThatTrue does it now
// (PIL's antialiased resize, or PyTorch's without antialias) against the OpenCV bilinear resize it
// used before, alternated round by round in one process.
//
// Run: build/dev/bin/bench_preprocess [folder] [rounds] [model.pt]
// Prints the median images per second of each way over the rounds. With a TorchScript model (and its
// sidecar), also a whole model run over the folder (runClassifier: preparation on a producer thread
// overlapping inference, batch 16) beside inference alone on the same images prepared beforehand:
// when the two agree, preparation is not what limits a run.

#include "models/modelrun.h"
#include "models/preprocess.h"

#include <QCoreApplication>
#include <QDirIterator>
#include <QElapsedTimer>
#include <QFile>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <vector>

using namespace ntt;

namespace {

// The preparation before this change, kept here only to compare against: OpenCV's bilinear resize
// without antialiasing, the centre crop, then normalisation.
bool prepareBefore(const QString& path, const InputSpec& input)
{
    const cv::Mat bgr = cv::imread(QFile::encodeName(path).toStdString(), cv::IMREAD_COLOR);
    if (bgr.empty())
        return false;
    const int shortSide = std::min(bgr.cols, bgr.rows);
    const int longSide = std::max(bgr.cols, bgr.rows);
    const int newLong = int(static_cast<long long>(input.resizeTo) * longSide / shortSide);
    const cv::Size target
        = bgr.cols <= bgr.rows ? cv::Size(input.resizeTo, newLong) : cv::Size(newLong, input.resizeTo);
    cv::Mat scaled;
    cv::resize(bgr, scaled, target, 0, 0, cv::INTER_LINEAR);
    const cv::Mat crop
        = scaled(cv::Rect((scaled.cols - input.size) / 2, (scaled.rows - input.size) / 2, input.size, input.size));
    std::vector<float> chw(std::size_t(3) * input.size * input.size);
    const std::size_t plane = std::size_t(input.size) * input.size;
    for (int y = 0; y < input.size; ++y) {
        const auto* row = crop.ptr<cv::Vec3b>(y);
        for (int x = 0; x < input.size; ++x) {
            for (int c = 0; c < 3; ++c)
                chw[c * plane + std::size_t(y) * input.size + x]
                    = (row[x][2 - c] / 255.0f - input.mean[c]) / input.std[c];
        }
    }
    return true;
}

double imagesPerSecond(const QStringList& files, const std::function<bool(const QString&)>& prepare)
{
    QElapsedTimer clock;
    clock.start();
    for (const QString& f : files) {
        if (!prepare(f))
            std::fprintf(stderr, "bench_preprocess: %s failed\n", qPrintable(f));
    }
    return files.size() / (double(clock.nsecsElapsed()) / 1e9);
}

double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

} // namespace

int main(int argc, char* argv[])
{
    QCoreApplication app(argc, argv);
    const QString folder
        = argc > 1 ? QString::fromLocal8Bit(argv[1]) : QStringLiteral(NTT_SHARED_DATA_DIR "/deepart-sample");
    const int rounds = argc > 2 ? std::max(1, std::atoi(argv[2])) : 7;
    QStringList files;
    QDirIterator it(
        folder, { QStringLiteral("*.png"), QStringLiteral("*.jpg") }, QDir::Files, QDirIterator::Subdirectories);
    while (it.hasNext())
        files << it.next();
    files.sort();
    if (files.isEmpty()) {
        std::fprintf(stderr, "bench_preprocess: no images in %s\n", qPrintable(folder));
        return 1;
    }
    InputSpec pil; // torchvision's Resize(256) + CenterCrop(224), bilinear, antialias
    InputSpec tensor = pil;
    tensor.antialias = false;
    InputSpec bicubic = pil;
    bicubic.interpolation = Interpolation::Bicubic;

    struct Way
    {
        const char* name;
        std::function<bool(const QString&)> prepare;
        std::vector<double> rates;
    };
    std::vector<Way> ways = {
        { "before: OpenCV bilinear, no antialias", [&](const QString& f) { return prepareBefore(f, pil); }, {} },
        { "PIL bilinear, antialias (default)", [&](const QString& f) { return prepareImageFile(f, pil).ok(); }, {} },
        { "PIL bicubic, antialias (timm)", [&](const QString& f) { return prepareImageFile(f, bicubic).ok(); }, {} },
        { "PyTorch bilinear, no antialias", [&](const QString& f) { return prepareImageFile(f, tensor).ok(); }, {} },
    };
    for (Way& w : ways) // warm the file cache and the code
        imagesPerSecond(files, w.prepare);
    for (int r = 0; r < rounds; ++r) {
        for (Way& w : ways)
            w.rates.push_back(imagesPerSecond(files, w.prepare));
    }
    std::printf("%lld images from %s, 224 px from 256, %d alternated rounds, one thread\n", qlonglong(files.size()),
        qPrintable(folder), rounds);
    for (const Way& w : ways)
        std::printf("  %-40s %8.1f images/s (median)\n", w.name, median(w.rates));
    if (argc <= 3)
        return 0;

    auto classifier = loadClassifier(QString::fromLocal8Bit(argv[3]), DevicePreference::Cpu);
    if (!classifier) {
        std::fprintf(stderr, "bench_preprocess: %s\n", qPrintable(classifier.error()));
        return 1;
    }
    Classifier& model = *classifier.value();
    std::vector<ModelRunItem> items;
    std::vector<PreparedImage> prepared;
    for (const QString& f : files) {
        items.push_back({ qint64(items.size() + 1), f, QString() });
        prepared.push_back(prepareImageFile(f, model.spec().input).value());
    }
    constexpr int batch = 16;
    std::vector<double> whole;
    std::vector<double> inferenceOnly;
    for (int r = 0; r < std::max(3, rounds / 2); ++r) {
        QElapsedTimer clock;
        clock.start();
        const Status run = runClassifier(
            model, items, batch, CancelToken(), {}, [](const std::vector<ImagePrediction>&) { return Status {}; });
        if (!run) {
            std::fprintf(stderr, "bench_preprocess: %s\n", qPrintable(run.error()));
            return 1;
        }
        whole.push_back(files.size() / (double(clock.nsecsElapsed()) / 1e9));
        clock.restart();
        for (std::size_t start = 0; start < prepared.size(); start += batch) {
            const std::vector<PreparedImage> chunk(prepared.begin() + std::ptrdiff_t(start),
                prepared.begin() + std::ptrdiff_t(std::min(prepared.size(), start + batch)));
            if (!model.predict(chunk))
                return 1;
        }
        inferenceOnly.push_back(files.size() / (double(clock.nsecsElapsed()) / 1e9));
    }
    std::printf("%s, %d threads, batch %d, %d alternated rounds\n", qPrintable(model.spec().name),
        model.runtime().threads, batch, int(whole.size()));
    std::printf("  %-40s %8.1f images/s (median)\n", "model run (prepare + infer)", median(whole));
    std::printf("  %-40s %8.1f images/s (median)\n", "inference alone", median(inferenceOnly));
    return 0;
}
