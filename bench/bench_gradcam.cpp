// Milliseconds per image of Grad-CAM, Grad-CAM++ and Smooth Grad-CAM++ (4 noisy copies) on a
// TorchScript ResNet-18 at 224 px on the CPU, at batch 1 and 16, beside the model's forward pass
// alone and its forward plus backward pass alone (what any gradient method pays at least).
//
// Make the model (torchvision's ResNet-18, random weights), then run:
//   /usr/bin/python3 bench/make_resnet18_torchscript.py /tmp/benchmodels
//   build/dev/bin/bench_gradcam /tmp/benchmodels/resnet18_traced.pt

#include "attention/camrun.h"
#include "models/classifier.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>

#include <torch/script.h>

#include <cstdio>
#include <functional>

using namespace ntt;

namespace {

/// Runs `work` (one batch) until 3 s have passed and at least twice after a warm-up; ms per image.
double perImage(int batch, const std::function<bool()>& work)
{
    if (!work())
        return -1.0;
    QElapsedTimer clock;
    clock.start();
    int runs = 0;
    while (runs < 2 || clock.elapsed() < 3000) {
        if (!work())
            return -1.0;
        ++runs;
    }
    return double(clock.nsecsElapsed()) / 1e6 / runs / batch;
}

} // namespace

int main(int argc, char* argv[])
{
    QCoreApplication app(argc, argv);
    const QString path = argc > 1 ? QString::fromLocal8Bit(argv[1]) : QString();
    if (path.isEmpty() || !QFile::exists(path)) {
        std::fprintf(stderr,
            "usage: bench_gradcam RESNET18.pt\n"
            "make one with: /usr/bin/python3 bench/make_resnet18_torchscript.py /tmp/benchmodels\n");
        return 2;
    }
    auto classifier = loadClassifier(path, DevicePreference::Cpu);
    if (!classifier) {
        std::fprintf(stderr, "bench_gradcam: %s\n", qPrintable(classifier.error()));
        return 1;
    }
    Classifier& model = *classifier.value();
    torch::jit::Module module = torch::jit::load(QFile::encodeName(path).toStdString());
    module.eval();
    const RuntimeInfo& runtime = model.runtime();
    std::printf("%s, 224 px, %s, %d threads, LibTorch %s; ms per image\n", qPrintable(model.spec().name),
        qPrintable(runtime.device), runtime.threads, qPrintable(runtime.torchVersion));
    std::printf("%-32s %10s %10s\n", "", "batch 1", "batch 16");

    auto row = [&](const char* label, const std::function<bool(const std::vector<PreparedImage>&)>& work) {
        double ms[2] = {};
        int k = 0;
        for (int batch : { 1, 16 }) {
            PreparedImage input;
            input.size = 224;
            input.chw.resize(3 * 224 * 224);
            for (std::size_t i = 0; i < input.chw.size(); ++i)
                input.chw[i] = float((i * 2654435761u) % 1000) / 500.0f - 1.0f;
            const std::vector<PreparedImage> inputs(std::size_t(batch), input);
            ms[k++] = perImage(batch, [&] { return work(inputs); });
        }
        std::printf("%-32s %10.1f %10.1f\n", label, ms[0], ms[1]);
        std::fflush(stdout);
    };

    row("forward (inference mode)", [&](const std::vector<PreparedImage>& b) { return model.predict(b).ok(); });
    row("forward + backward alone", [&](const std::vector<PreparedImage>& b) {
        const auto n = int64_t(b.size());
        torch::Tensor x = torch::empty({ n, 3, 224, 224 });
        for (int64_t i = 0; i < n; ++i)
            std::memcpy(x[i].data_ptr<float>(), b[std::size_t(i)].chw.data(), sizeof(float) * 3 * 224 * 224);
        x.requires_grad_(true);
        const torch::Tensor out = module.forward({ x }).toTensor();
        out.sum().backward();
        return x.grad().defined();
    });
    for (CamMethod method : { CamMethod::GradCam, CamMethod::GradCamPlusPlus, CamMethod::SmoothGradCamPlusPlus }) {
        CamOptions options;
        options.method = method;
        const QString label = camMethodLabel(method)
            + (method == CamMethod::SmoothGradCamPlusPlus ? QStringLiteral(" (n = 4)") : QString());
        row(qPrintable(label),
            [&](const std::vector<PreparedImage>& b) { return computeCams(model, b, options).ok(); });
    }
    return 0;
}
