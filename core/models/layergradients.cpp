// The gradient half of the class-activation maps (Torch): target scores, backward passes, noisy
// copies for Smooth Grad-CAM++. The formulas that turn this evidence into maps are in
// attention/gradcam.cpp.

#include "models/layergradients_torch_p.h"

#include <QCoreApplication>

#include <ATen/CPUGeneratorImpl.h>
#include <torch/autograd.h>
#include <torch/torch.h>

#include <algorithm>
#include <cstring>

namespace ntt::detail {
namespace {

class Text
{
    Q_DECLARE_TR_FUNCTIONS(ntt::GradCam)
};

/// Whether a positive single output means "generated".
bool positiveMeansGenerated(OutputKind kind)
{
    return kind == OutputKind::LogitGenerated || kind == OutputKind::ProbabilityGenerated;
}

/// The threshold of a single output at which P(real) is one half.
double neutralOutput(OutputKind kind)
{
    return kind == OutputKind::LogitGenerated || kind == OutputKind::LogitReal ? 0.0 : 0.5;
}

struct Targets
{
    std::vector<int64_t> classes;
    std::vector<float> signs;
};

/// The output index and sign each image's score takes, decided on the clean output [N, C].
Result<Targets> chooseTargets(
    const torch::Tensor& output, const ModelSpec& spec, const CamTarget& target, const QString& modelPath)
{
    const int64_t n = output.size(0);
    const int64_t count = output.size(1);
    const torch::Tensor cpu = output.detach().to(torch::kCPU, torch::kFloat32).contiguous();
    const float* out = cpu.data_ptr<float>();
    Targets t;
    t.classes.assign(std::size_t(n), 0);
    t.signs.assign(std::size_t(n), 1.0f);
    if (count == 1) {
        const bool generatedPositive = positiveMeansGenerated(spec.output);
        for (int64_t i = 0; i < n; ++i) {
            bool wantReal = false;
            switch (target.kind) {
            case CamTarget::Kind::Predicted: {
                // P(real) >= 0.5 counts as "real", as the model's answers do.
                const double v = out[i];
                wantReal = generatedPositive ? v <= neutralOutput(spec.output) : v >= neutralOutput(spec.output);
                break;
            }
            case CamTarget::Kind::Real:
                wantReal = true;
                break;
            case CamTarget::Kind::Generated:
                wantReal = false;
                break;
            case CamTarget::Kind::Class:
                if (target.classIndex != 0)
                    return Error { Text::tr("%1: the model has one output; class %2 does not exist")
                                       .arg(modelPath)
                                       .arg(target.classIndex) };
                continue; // the output itself
            }
            t.signs[std::size_t(i)] = (wantReal == generatedPositive) ? -1.0f : 1.0f;
        }
        return t;
    }

    std::vector<bool> real(std::size_t(count), false);
    bool anyReal = false;
    if (spec.output == OutputKind::SourceClasses) {
        for (int64_t k = 0; k < count && k < spec.classes.size(); ++k) {
            const QString& c = spec.classes[int(k)];
            real[std::size_t(k)] = spec.labelOf(c) == spec.realSource;
            anyReal = anyReal || real[std::size_t(k)];
        }
    }
    if ((target.kind == CamTarget::Kind::Real || target.kind == CamTarget::Kind::Generated) && !anyReal)
        return Error { Text::tr("%1: no class of the model is mapped to the real source, so \"%2\" has no class; "
                                "choose a class")
                           .arg(modelPath, camTargetName(target)) };
    if (target.kind == CamTarget::Kind::Class && (target.classIndex < 0 || target.classIndex >= count))
        return Error { Text::tr("%1: class %2 does not exist; the model has classes 0 to %3")
                           .arg(modelPath)
                           .arg(target.classIndex)
                           .arg(count - 1) };
    for (int64_t i = 0; i < n; ++i) {
        const float* row = out + i * count;
        int64_t best = -1;
        for (int64_t k = 0; k < count; ++k) {
            const bool eligible = target.kind == CamTarget::Kind::Predicted
                || (target.kind == CamTarget::Kind::Real && real[std::size_t(k)])
                || (target.kind == CamTarget::Kind::Generated && !real[std::size_t(k)]);
            if (eligible && (best < 0 || row[k] > row[best]))
                best = k;
        }
        t.classes[std::size_t(i)] = target.kind == CamTarget::Kind::Class ? target.classIndex : best;
    }
    return t;
}

/// Output as [N, C]: single-output models may give [N].
torch::Tensor asMatrix(const torch::Tensor& output, int64_t n)
{
    return output.dim() == 1 ? output.reshape({ n, 1 }) : output;
}

torch::Tensor score(const torch::Tensor& output2d, const torch::Tensor& classes, const torch::Tensor& signs)
{
    return (output2d.gather(1, classes).squeeze(1) * signs).sum();
}

void copyImage(const torch::Tensor& cpu, int64_t i, std::vector<float>& to)
{
    const torch::Tensor one = cpu[i].contiguous();
    to.resize(std::size_t(one.numel()));
    std::memcpy(to.data(), one.data_ptr<float>(), sizeof(float) * to.size());
}

} // namespace

Result<std::vector<CamEvidence>> gradientEvidence(const ForwardWithActivation& forward, const torch::Tensor& input,
    const ModelSpec& spec, const EvidenceRequest& options, const QString& modelPath, const QString& layer)
{
    const bool smooth = options.noiseSamples > 0;
    if (options.noiseSamples < 0 || options.noiseSamples > 256)
        return Error { Text::tr("%1: %2 noisy copies is outside 0..256").arg(modelPath).arg(options.noiseSamples) };
    if (smooth && !(options.noiseSigma >= 0.0 && options.noiseSigma <= 10.0))
        return Error { Text::tr("%1: noise sigma %2 is outside 0..10").arg(modelPath).arg(options.noiseSigma) };

    torch::AutoGradMode gradients(true);
    const int64_t n = input.size(0);
    const int count = spec.outputCount();

    Targets targets;
    torch::Tensor activation;
    torch::Tensor classes;
    torch::Tensor signs;

    // Clean pass: targets, activations, and the gradient for the plain methods.
    torch::Tensor g1;
    torch::Tensor g2;
    torch::Tensor g3;
    torch::Tensor lastActivation;
    torch::Tensor lastGradient;
    {
        const torch::Tensor leaf = input.detach().requires_grad_(true);
        auto [output, act] = forward(leaf);
        if (act.dim() != 4 || act.size(0) != n)
            return Error { Text::tr("%1: the target layer's output has shape %2; class activation maps need [N, C, H, "
                                    "W]")
                               .arg(modelPath, QString::fromStdString(c10::str(act.sizes()))) };
        if (!act.requires_grad())
            return Error {
                Text::tr("%1: the model's output does not depend on the target layer differentiably").arg(modelPath)
            };
        const torch::Tensor out = asMatrix(output, n).to(torch::kFloat32);
        if (out.dim() != 2 || out.size(0) != n || out.size(1) != count)
            return Error { Text::tr("%1: the model gave outputs of shape %2 for %3 images, but its sidecar expects %4 "
                                    "value(s) each")
                               .arg(modelPath, QString::fromStdString(c10::str(output.sizes())))
                               .arg(n)
                               .arg(count) };
        auto chosen = chooseTargets(out, spec, options.target, modelPath);
        if (!chosen)
            return Error { chosen.error() };
        targets = std::move(chosen).value();
        classes = torch::tensor(targets.classes, torch::kLong).reshape({ n, 1 }).to(out.device());
        signs = torch::tensor(targets.signs, torch::kFloat32).to(out.device());
        activation = act.detach();
        const torch::Tensor g = torch::autograd::grad({ score(out, classes, signs) }, { act })[0].detach();
        if (!smooth) {
            g1 = g;
            g2 = g * g;
            g3 = g2 * g;
        }
    }
    if (smooth) {
        auto generator = at::detail::createCPUGenerator(options.noiseSeed);
        g1 = torch::zeros_like(activation);
        g2 = torch::zeros_like(activation);
        g3 = torch::zeros_like(activation);
        for (int t = 0; t < options.noiseSamples; ++t) {
            const torch::Tensor noise
                = torch::randn(input.sizes(), generator, torch::TensorOptions().dtype(torch::kFloat32))
                * options.noiseSigma;
            const torch::Tensor leaf = (input.detach() + noise.to(input.device())).requires_grad_(true);
            auto [output, act] = forward(leaf);
            const torch::Tensor out = asMatrix(output, n).to(torch::kFloat32);
            const torch::Tensor g = torch::autograd::grad({ score(out, classes, signs) }, { act })[0].detach();
            lastActivation = act.detach();
            lastGradient = g;
            g1 += g;
            const torch::Tensor square = g * g;
            g2 += square;
            g3 += square * g;
        }
        g1 /= options.noiseSamples;
        g2 /= options.noiseSamples;
        g3 /= options.noiseSamples;
    }

    const auto toCpu = [](const torch::Tensor& t) { return t.to(torch::kCPU, torch::kFloat32).contiguous(); };
    const torch::Tensor a = toCpu(activation);
    const torch::Tensor m1 = toCpu(g1);
    const torch::Tensor m2 = toCpu(g2);
    const torch::Tensor m3 = toCpu(g3);
    const torch::Tensor lastA = smooth ? toCpu(lastActivation) : torch::Tensor();
    const torch::Tensor lastG = smooth ? toCpu(lastGradient) : torch::Tensor();
    std::vector<CamEvidence> evidence(static_cast<std::size_t>(n));
    for (int64_t i = 0; i < n; ++i) {
        CamEvidence& e = evidence[std::size_t(i)];
        e.channels = int(a.size(1));
        e.height = int(a.size(2));
        e.width = int(a.size(3));
        copyImage(a, i, e.activations);
        copyImage(m1, i, e.gradMean);
        copyImage(m2, i, e.gradSquareMean);
        copyImage(m3, i, e.gradCubeMean);
        if (smooth) {
            copyImage(lastA, i, e.lastActivations);
            copyImage(lastG, i, e.lastGradient);
        }
        e.layer = layer;
        e.targetClass = int(targets.classes[std::size_t(i)]);
        e.targetNegated = targets.signs[std::size_t(i)] < 0;
    }
    return evidence;
}

Result<torch::Tensor> batchTensor(const std::vector<PreparedImage>& batch, int size, const QString& modelPath)
{
    const std::size_t values = std::size_t(3) * std::size_t(size) * std::size_t(size);
    for (std::size_t i = 0; i < batch.size(); ++i) {
        if (batch[i].size != size || batch[i].chw.size() != values)
            return Error { Text::tr("%1: image %2 of the batch is prepared at %3 px, the model takes %4 px")
                               .arg(modelPath)
                               .arg(i)
                               .arg(batch[i].size)
                               .arg(size) };
    }
    // Owning memory, filled by copy: the prepared images may go away while the tensor lives on.
    torch::Tensor input = torch::empty({ int64_t(batch.size()), 3, size, size }, torch::kFloat32);
    float* data = input.data_ptr<float>();
    for (std::size_t i = 0; i < batch.size(); ++i)
        std::memcpy(data + i * values, batch[i].chw.data(), values * sizeof(float));
    return input;
}

} // namespace ntt::detail
