// The built-in detectors: the networks (written with LibTorch's C++ API), their training and their
// inference backend behind loadClassifier(). Torch headers stay in this file and the TorchScript
// backend; the declarations the rest of core sees (training.h, classifierbackends_p.h) are Torch-free.

#include "logging.h"
#include "models/classifierbackends_p.h"
#include "models/layergradients_torch_p.h"
#include "models/preprocess.h"
#include "models/training.h"
#include "study/rng.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>

#include <c10/util/Exception.h>
#include <torch/nn.h>
#include <torch/optim.h>
#include <torch/serialize.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <functional>
#include <limits>
#include <mutex>
#include <new>
#include <sstream>
#include <thread>

namespace ntt {
namespace {

class Text
{
    Q_DECLARE_TR_FUNCTIONS(ntt::TrainDetector)
};

// ---------------------------------------------------------------------------------------------
// Networks

/// What every built-in detector offers: the last 4-D activation (the Grad-CAM target layer, the one
/// before global pooling) and the head that turns it into the "generated" logit (one output) or
/// one logit per source (a K-way detector).
struct DetectorImpl : torch::nn::Module
{
    /// A step of forward(), named after the torchvision module whose output it gives.
    struct Stage
    {
        const char* name;
        std::function<torch::Tensor(torch::Tensor)> run;
    };

    virtual torch::Tensor features(torch::Tensor x) = 0;
    virtual torch::Tensor head(torch::Tensor features) = 0;
    /// forward() in named steps, for class-activation maps at any of them; the last is the head.
    virtual std::vector<Stage> stages() = 0;
    torch::Tensor forward(torch::Tensor x) { return head(features(std::move(x))); }
};

/// The two-convolution baseline of "Seeing Through the Facade": conv 3->16, ReLU, max-pool 2,
/// conv 16->32, ReLU, max-pool 2, global average pool, linear to `outputs` logits.
struct BaselineCnnImpl : DetectorImpl
{
    explicit BaselineCnnImpl(int64_t outputs)
        : conv1(register_module("conv1", torch::nn::Conv2d(torch::nn::Conv2dOptions(3, 16, 3).padding(1))))
        , conv2(register_module("conv2", torch::nn::Conv2d(torch::nn::Conv2dOptions(16, 32, 3).padding(1))))
        , fc(register_module("fc", torch::nn::Linear(32, outputs)))
    { }

    torch::Tensor features(torch::Tensor x) override
    {
        x = torch::max_pool2d(torch::relu(conv1->forward(x)), 2);
        return torch::max_pool2d(torch::relu(conv2->forward(x)), 2);
    }

    torch::Tensor head(torch::Tensor features) override
    {
        return fc->forward(torch::adaptive_avg_pool2d(features, { 1, 1 }).flatten(1));
    }

    std::vector<Stage> stages() override
    {
        return { { "conv1", [this](torch::Tensor x) { return torch::relu(conv1->forward(x)); } },
            { "pool1", [](torch::Tensor x) { return torch::max_pool2d(x, 2); } },
            { "conv2", [this](torch::Tensor x) { return torch::relu(conv2->forward(x)); } },
            { "pool2", [](torch::Tensor x) { return torch::max_pool2d(x, 2); } },
            { "fc", [this](torch::Tensor x) { return head(x); } } };
    }

    torch::nn::Conv2d conv1;
    torch::nn::Conv2d conv2;
    torch::nn::Linear fc;
};
TORCH_MODULE(BaselineCnn);

torch::nn::Conv2d conv3x3(int64_t in, int64_t out, int64_t stride)
{
    return torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, 3).stride(stride).padding(1).bias(false));
}

/// torchvision's BasicBlock, with its submodule names (conv1, bn1, conv2, bn2, downsample).
struct BasicBlockImpl : torch::nn::Module
{
    BasicBlockImpl(int64_t inPlanes, int64_t planes, int64_t stride)
        : conv1(register_module("conv1", conv3x3(inPlanes, planes, stride)))
        , bn1(register_module("bn1", torch::nn::BatchNorm2d(planes)))
        , conv2(register_module("conv2", conv3x3(planes, planes, 1)))
        , bn2(register_module("bn2", torch::nn::BatchNorm2d(planes)))
    {
        if (stride != 1 || inPlanes != planes) {
            downsample = register_module("downsample",
                torch::nn::Sequential(
                    torch::nn::Conv2d(torch::nn::Conv2dOptions(inPlanes, planes, 1).stride(stride).bias(false)),
                    torch::nn::BatchNorm2d(planes)));
        }
    }

    torch::Tensor forward(torch::Tensor x)
    {
        torch::Tensor out = torch::relu(bn1->forward(conv1->forward(x)));
        out = bn2->forward(conv2->forward(out));
        out = out + (downsample ? downsample->forward(x) : x);
        return torch::relu(out);
    }

    torch::nn::Conv2d conv1;
    torch::nn::BatchNorm2d bn1;
    torch::nn::Conv2d conv2;
    torch::nn::BatchNorm2d bn2;
    torch::nn::Sequential downsample { nullptr };
};
TORCH_MODULE(BasicBlock);

/// ResNet-18 in torchvision's layout (BasicBlock x [2, 2, 2, 2], 64-128-256-512, batch norm) and
/// parameter names, with `outputs` logits.
struct ResNet18Impl : DetectorImpl
{
    explicit ResNet18Impl(int64_t outputs)
        : conv1(register_module(
            "conv1", torch::nn::Conv2d(torch::nn::Conv2dOptions(3, 64, 7).stride(2).padding(3).bias(false))))
        , bn1(register_module("bn1", torch::nn::BatchNorm2d(64)))
        , layer1(register_module("layer1", makeLayer(64, 64, 1)))
        , layer2(register_module("layer2", makeLayer(64, 128, 2)))
        , layer3(register_module("layer3", makeLayer(128, 256, 2)))
        , layer4(register_module("layer4", makeLayer(256, 512, 2)))
        , fc(register_module("fc", torch::nn::Linear(512, outputs)))
    {
        // torchvision's initialisation: He normal (fan-out) for convolutions, BN weight 1 and bias 0.
        for (auto& module : modules(/*include_self=*/false)) {
            if (auto* conv = module->as<torch::nn::Conv2d>()) {
                torch::nn::init::kaiming_normal_(conv->weight, 0.0, torch::kFanOut, torch::kReLU);
            } else if (auto* bn = module->as<torch::nn::BatchNorm2d>()) {
                torch::nn::init::ones_(bn->weight);
                torch::nn::init::zeros_(bn->bias);
            }
        }
    }

    static torch::nn::Sequential makeLayer(int64_t inPlanes, int64_t planes, int64_t stride)
    {
        return torch::nn::Sequential(BasicBlock(inPlanes, planes, stride), BasicBlock(planes, planes, 1));
    }

    torch::Tensor features(torch::Tensor x) override
    {
        x = torch::relu(bn1->forward(conv1->forward(x)));
        x = torch::max_pool2d(x, 3, 2, 1);
        return layer4->forward(layer3->forward(layer2->forward(layer1->forward(x))));
    }

    torch::Tensor head(torch::Tensor features) override
    {
        return fc->forward(torch::adaptive_avg_pool2d(features, { 1, 1 }).flatten(1));
    }

    std::vector<Stage> stages() override
    {
        return { { "relu", [this](torch::Tensor x) { return torch::relu(bn1->forward(conv1->forward(x))); } },
            { "maxpool", [](torch::Tensor x) { return torch::max_pool2d(x, 3, 2, 1); } },
            { "layer1", [this](torch::Tensor x) { return layer1->forward(x); } },
            { "layer2", [this](torch::Tensor x) { return layer2->forward(x); } },
            { "layer3", [this](torch::Tensor x) { return layer3->forward(x); } },
            { "layer4", [this](torch::Tensor x) { return layer4->forward(x); } },
            { "fc", [this](torch::Tensor x) { return head(x); } } };
    }

    torch::nn::Conv2d conv1;
    torch::nn::BatchNorm2d bn1;
    torch::nn::Sequential layer1, layer2, layer3, layer4;
    torch::nn::Linear fc;
};
TORCH_MODULE(ResNet18);

std::shared_ptr<DetectorImpl> makeNet(DetectorArchitecture architecture, int64_t outputs)
{
    switch (architecture) {
    case DetectorArchitecture::BaselineCnn:
        return BaselineCnn(outputs).ptr();
    case DetectorArchitecture::ResNet18:
        return ResNet18(outputs).ptr();
    }
    return nullptr;
}

/// The loss of a batch: binary cross-entropy on the "generated" logit ([N, 1] against [N] of 0/1),
/// or cross-entropy over the sources ([N, K] against [N] class indices).
torch::Tensor detectorLoss(const torch::Tensor& logits, const torch::Tensor& targets)
{
    if (logits.size(1) == 1)
        return torch::binary_cross_entropy_with_logits(logits.reshape({ -1 }), targets);
    return torch::nn::functional::cross_entropy(logits, targets);
}

/// Right answers in a batch: logit > 0 says generated; a K-way head answers its most likely source.
int64_t correctAnswers(const torch::Tensor& logits, const torch::Tensor& targets)
{
    if (logits.size(1) == 1)
        return logits.reshape({ -1 }).gt(0).to(torch::kFloat32).eq(targets).sum().item<int64_t>();
    return logits.argmax(1).eq(targets).sum().item<int64_t>();
}

// ---------------------------------------------------------------------------------------------
// Helpers

// c10::Error messages run on with the C++ stack; the first line says what happened.
QString torchMessage(const std::exception& e)
{
    const auto* c10Error = dynamic_cast<const c10::Error*>(&e);
    const QString message = QString::fromLocal8Bit(c10Error ? c10Error->what_without_backtrace() : e.what()).trimmed();
    const qsizetype newline = message.indexOf(QLatin1Char('\n'));
    return newline < 0 ? message : message.left(newline).trimmed();
}

/// The input preparation of every built-in detector: a plain resize (nothing the detector should
/// see is cut away), or with cropFrom the centre of the image scaled to cropFrom px; RGB, pixels
/// mapped to -1..1.
InputSpec builtinInputSpec(int size, int cropFrom)
{
    InputSpec input;
    input.size = size;
    input.resizePolicy = cropFrom > 0 ? QStringLiteral("resize-crop") : QStringLiteral("resize");
    input.resizeTo = cropFrom > 0 ? std::max(cropFrom, size) : size;
    input.mean = { 0.5f, 0.5f, 0.5f };
    input.std = { 0.5f, 0.5f, 0.5f };
    input.channelOrder = QStringLiteral("rgb");
    return input;
}

QString sidecarPath(const QString& modelPath)
{
    const QFileInfo info(modelPath);
    return info.dir().filePath(info.completeBaseName() + QLatin1String(".json"));
}

/// Decodes every image once into one [N, 3, size, size] tensor, on a few threads (each image
/// writes its own slot, so the result does not depend on the scheduling). The first failing
/// image, in list order, names the error.
Result<torch::Tensor> decodeAll(
    const std::vector<LabelledImage>& images, const InputSpec& input, int threads, const CancelToken& cancel)
{
    const auto n = static_cast<int64_t>(images.size());
    const int64_t plane = static_cast<int64_t>(input.size) * input.size;
    torch::Tensor data = torch::empty({ n, 3, input.size, input.size }, torch::kFloat32);
    float* base = data.data_ptr<float>();
    std::vector<QString> errors(images.size());
    std::atomic<int64_t> nextIndex { 0 };
    std::atomic_bool failed { false };
    auto work = [&] {
        for (int64_t i = nextIndex++; i < n; i = nextIndex++) {
            if (failed.load() || cancel.isCancelled())
                return;
            auto prepared = prepareImageFile(images[static_cast<std::size_t>(i)].path, input);
            if (!prepared) {
                errors[static_cast<std::size_t>(i)] = prepared.error();
                failed.store(true);
                return;
            }
            std::memcpy(base + i * 3 * plane, prepared->chw.data(), sizeof(float) * 3 * plane);
        }
    };
    const int workers = std::max(1, std::min<int>(threads, static_cast<int>(n)));
    std::vector<std::thread> pool;
    for (int w = 1; w < workers; ++w)
        pool.emplace_back(work);
    work();
    for (std::thread& t : pool)
        t.join();
    if (cancel.isCancelled())
        return Error { Text::tr("training cancelled") };
    for (const QString& e : errors) {
        if (!e.isEmpty())
            return Error { e };
    }
    return data;
}

/// Copies of every parameter and buffer (batch-norm statistics too), in registration order.
std::vector<torch::Tensor> snapshot(const torch::nn::Module& net)
{
    torch::NoGradGuard noGrad;
    std::vector<torch::Tensor> state;
    for (const torch::Tensor& p : net.parameters())
        state.push_back(p.detach().clone());
    for (const torch::Tensor& b : net.buffers())
        state.push_back(b.detach().clone());
    return state;
}

void restore(torch::nn::Module& net, const std::vector<torch::Tensor>& state)
{
    torch::NoGradGuard noGrad;
    std::size_t i = 0;
    for (torch::Tensor& p : net.parameters())
        p.copy_(state[i++]);
    for (torch::Tensor& b : net.buffers())
        b.copy_(state[i++]);
}

struct Evaluation
{
    double accuracy = 0.0;
    double loss = 0.0;
};

/// Accuracy and mean loss on already prepared images, in eval mode.
Evaluation evaluate(DetectorImpl& net, const torch::Tensor& data, const torch::Tensor& labels, int batchSize,
    const torch::Device& device)
{
    torch::NoGradGuard noGrad;
    net.eval();
    const int64_t n = data.size(0);
    int64_t correct = 0;
    double lossSum = 0.0;
    for (int64_t start = 0; start < n; start += batchSize) {
        const int64_t end = std::min<int64_t>(n, start + batchSize);
        const torch::Tensor logits = net.forward(data.slice(0, start, end).to(device)).cpu();
        const torch::Tensor targets = labels.slice(0, start, end);
        lossSum += detectorLoss(logits, targets).item<double>() * double(end - start);
        correct += correctAnswers(logits, targets);
    }
    net.train();
    Evaluation result;
    if (n > 0) {
        result.accuracy = double(correct) / double(n);
        result.loss = lossSum / double(n);
    }
    return result;
}

// torch::manual_seed and module construction share LibTorch's global generator; two trainings
// started at once must not interleave there.
std::mutex& initialisationMutex()
{
    static std::mutex mutex;
    return mutex;
}

Status validate(const std::vector<LabelledImage>& train, const std::vector<LabelledImage>& val,
    const TrainingOptions& options, const QString& modelPath)
{
    if (options.epochs < 1)
        return Error { Text::tr("training: epochs must be at least 1 (got %1)").arg(options.epochs) };
    if (options.batchSize < 1)
        return Error { Text::tr("training: batch size must be at least 1 (got %1)").arg(options.batchSize) };
    if (options.architecture == DetectorArchitecture::ResNet18 && options.batchSize < 2)
        return Error { Text::tr("training: batch size must be at least 2 for %1, whose batch normalisation needs "
                                "two images per batch (got %2)")
                           .arg(architectureName(options.architecture))
                           .arg(options.batchSize) };
    if (!(options.learningRate > 0) || !std::isfinite(options.learningRate))
        return Error { Text::tr("training: learning rate must be greater than 0 (got %1)").arg(options.learningRate) };
    const QString optimizer = options.optimizer.trimmed().toLower();
    if (optimizer != QLatin1String("sgd") && optimizer != QLatin1String("adamw"))
        return Error { Text::tr("training: optimizer \"%1\" is not \"sgd\" or \"adamw\"").arg(options.optimizer) };
    if (!(options.momentum >= 0 && options.momentum < 1))
        return Error { Text::tr("training: momentum must be in 0..1 (got %1)").arg(options.momentum) };
    if (!(options.weightDecay >= 0) || !std::isfinite(options.weightDecay))
        return Error { Text::tr("training: weight decay must not be negative (got %1)").arg(options.weightDecay) };
    if (options.inputSize < 16 || options.inputSize > 512)
        return Error { Text::tr("training: input size %1 px is outside 16..512").arg(options.inputSize) };
    if (options.cropFrom != 0 && (options.cropFrom < options.inputSize || options.cropFrom > 4096))
        return Error { Text::tr("training: crop-from size %1 px must be 0 (off) or between the input size (%2 px) and "
                                "4096 px")
                           .arg(options.cropFrom)
                           .arg(options.inputSize) };
    if (options.earlyStoppingPatience < 0)
        return Error { Text::tr("training: early-stopping patience must not be negative (got %1)")
                           .arg(options.earlyStoppingPatience) };
    if (options.threads < 0)
        return Error { Text::tr("training: thread count must not be negative (got %1)").arg(options.threads) };
    if (modelPath.trimmed().isEmpty())
        return Error { Text::tr("training: no model file given") };
    if (QFileInfo(modelPath).suffix().compare(QLatin1String("json"), Qt::CaseInsensitive) == 0)
        return Error { Text::tr("%1: a model file must not end in .json, which is its sidecar's name").arg(modelPath) };
    if (train.empty())
        return Error { Text::tr("training: the train split has no images") };
    if (val.empty())
        return Error { Text::tr("training: the validation split has no images") };
    if (!options.classes.isEmpty()) {
        if (options.classes.size() < 2)
            return Error { Text::tr("training: a K-way detector needs at least two classes (got %1)")
                               .arg(options.classes.join(QStringLiteral(", "))) };
        for (const auto* split : { &train, &val }) {
            for (const LabelledImage& image : *split) {
                if (!options.classes.contains(image.label))
                    return Error { Text::tr("%1: its class \"%2\" is not among the detector's classes (%3)")
                                       .arg(image.path, image.label, options.classes.join(QStringLiteral(", "))) };
            }
        }
        for (const QString& source : options.classes) {
            if (std::none_of(train.begin(), train.end(), [&](const LabelledImage& i) { return i.label == source; }))
                return Error { Text::tr("training: the train split has no images of class \"%1\"").arg(source) };
        }
        return {};
    }
    const auto reals = std::count_if(train.begin(), train.end(), [](const LabelledImage& i) { return i.real; });
    if (reals == 0)
        return Error { Text::tr("training: the train split has no real images (%1 generated)").arg(train.size()) };
    if (reals == static_cast<qint64>(train.size()))
        return Error { Text::tr("training: the train split has no generated images (%1 real)").arg(train.size()) };
    return {};
}

/// The labels of `images`: 1 for generated and 0 for real ([N] float) for a binary detector, or the
/// index of each image's label in `classes` ([N] int64) for a K-way one.
torch::Tensor trainingTargets(const std::vector<LabelledImage>& images, const QStringList& classes)
{
    const auto n = static_cast<int64_t>(images.size());
    if (!classes.isEmpty()) {
        torch::Tensor targets = torch::empty({ n }, torch::kInt64);
        int64_t* p = targets.data_ptr<int64_t>();
        for (std::size_t i = 0; i < images.size(); ++i)
            p[i] = classes.indexOf(images[i].label);
        return targets;
    }
    torch::Tensor targets = torch::empty({ n }, torch::kFloat32);
    float* p = targets.data_ptr<float>();
    for (std::size_t i = 0; i < images.size(); ++i)
        p[i] = images[i].real ? 0.0f : 1.0f;
    return targets;
}

/// One augmented training batch. With random resized crops the images were decoded a little larger
/// than the input: a square window of 80-100 % of that area is cut out and scaled to the input size
/// (a window of exactly the input size is copied pixel for pixel). Every random choice comes from `rng`.
torch::Tensor augmentedBatch(const torch::Tensor& data, const std::vector<int64_t>& indices, int64_t begin, int64_t end,
    int inputSize, const TrainingOptions& options, Rng& rng)
{
    const int64_t decoded = data.size(2);
    std::vector<torch::Tensor> images;
    images.reserve(static_cast<std::size_t>(end - begin));
    for (int64_t k = begin; k < end; ++k) {
        torch::Tensor image = data[indices[static_cast<std::size_t>(k)]];
        if (options.randomResizedCrop && decoded > inputSize) {
            const double area = 0.8 + 0.2 * rng.uniform();
            const auto side = std::clamp<int64_t>(std::llround(decoded * std::sqrt(area)), inputSize, decoded);
            const auto x = static_cast<int64_t>(rng.below(static_cast<std::uint64_t>(decoded - side + 1)));
            const auto y = static_cast<int64_t>(rng.below(static_cast<std::uint64_t>(decoded - side + 1)));
            image = image.slice(1, y, y + side).slice(2, x, x + side);
            if (side != inputSize) {
                namespace F = torch::nn::functional;
                image = F::interpolate(image.unsqueeze(0),
                    F::InterpolateFuncOptions()
                        .size(std::vector<int64_t> { inputSize, inputSize })
                        .mode(torch::kBilinear)
                        .align_corners(false))
                            .squeeze(0);
            }
        }
        if (options.flips && rng.below(2) == 1)
            image = image.flip({ 2 });
        images.push_back(image);
    }
    return torch::stack(images);
}

// ---------------------------------------------------------------------------------------------
// Inference backend

class BuiltinClassifier final : public Classifier
{
public:
    BuiltinClassifier(std::shared_ptr<DetectorImpl> net, const torch::Device& device, const QString& path,
        const ModelSpec& spec, const QString& modelHash, const RuntimeInfo& runtime)
        : m_net(std::move(net))
        , m_device(device)
    {
        m_path = path;
        m_spec = spec;
        m_modelHash = modelHash;
        m_runtime = runtime;
    }

    Result<std::vector<Prediction>> predict(const std::vector<PreparedImage>& batch) override
    {
        std::vector<Prediction> predictions;
        if (batch.empty())
            return predictions;
        auto batchInput = detail::batchTensor(batch, m_spec.input.size, m_path);
        if (!batchInput)
            return Error { batchInput.error() };
        const torch::Tensor input = std::move(batchInput).value();
        QElapsedTimer timer;
        timer.start();
        try {
            c10::InferenceMode inference;
            const auto n = static_cast<int64_t>(batch.size());
            const torch::Tensor output = m_net->forward(input.to(m_device));
            const int64_t outputs = m_spec.outputCount();
            if (output.dim() != 2 || output.size(0) != n || output.size(1) != outputs)
                return Error { Text::tr("%1: the network gave an output of shape %2 for %3 images, expected [%3, %4]")
                                   .arg(m_path, QString::fromStdString(c10::str(output.sizes())))
                                   .arg(n)
                                   .arg(outputs) };
            const double share = timer.nsecsElapsed() / 1e6 / double(n);
            predictions.resize(batch.size());
            if (isClassKind(m_spec.output)) {
                // Softmax over the classes; P(real) is the real source's share, when it is a class.
                const torch::Tensor probabilities
                    = torch::softmax(output.to(torch::kCPU, torch::kFloat32), 1).contiguous();
                const float* q = probabilities.data_ptr<float>();
                const auto realClass
                    = m_spec.output == OutputKind::SourceClasses ? m_spec.classes.indexOf(m_spec.realSource) : -1;
                for (std::size_t i = 0; i < batch.size(); ++i) {
                    predictions[i].classProbabilities.assign(q + i * outputs, q + (i + 1) * outputs);
                    predictions[i].pReal = realClass < 0 ? -1.0f : q[i * outputs + realClass];
                    predictions[i].milliseconds = share;
                }
                return predictions;
            }
            const torch::Tensor pGenerated
                = torch::sigmoid(output.reshape({ -1 }).to(torch::kCPU, torch::kFloat32)).contiguous();
            const float* q = pGenerated.data_ptr<float>();
            for (std::size_t i = 0; i < batch.size(); ++i) {
                predictions[i].pReal = std::isnan(q[i]) ? std::numeric_limits<float>::quiet_NaN() : 1.0f - q[i];
                predictions[i].milliseconds = share;
            }
            return predictions;
        } catch (const std::exception& e) {
            return Error { Text::tr("%1: inference failed (%2)").arg(m_path, torchMessage(e)) };
        }
    }

    Result<std::vector<CamLayer>> camLayers() override
    {
        try {
            torch::NoGradGuard noGradients;
            const int size = m_spec.input.size;
            torch::Tensor x = torch::zeros({ 1, 3, size, size }).to(m_device);
            std::vector<CamLayer> layers;
            for (const DetectorImpl::Stage& stage : m_net->stages()) {
                x = stage.run(x);
                layers.push_back({ QString::fromLatin1(stage.name), x.sizes().vec() });
            }
            return layers;
        } catch (const std::exception& e) {
            return Error { Text::tr("%1: cannot list the layers (%2)").arg(m_path, torchMessage(e)) };
        }
    }

    Result<std::vector<CamEvidence>> layerEvidence(
        const std::vector<PreparedImage>& batch, const EvidenceRequest& options) override
    {
        if (batch.empty())
            return std::vector<CamEvidence> {};
        auto layers = camLayers();
        if (!layers)
            return Error { layers.error() };
        const QString layer = options.layer.isEmpty() ? defaultCamLayer(layers.value()) : options.layer;
        if (std::none_of(layers->begin(), layers->end(), [&](const CamLayer& l) { return l.name == layer; }))
            return Error { Text::tr("%1: the model has no layer \"%2\"").arg(m_path, layer) };
        auto input = detail::batchTensor(batch, m_spec.input.size, m_path);
        if (!input)
            return Error { input.error() };
        const std::vector<DetectorImpl::Stage> stages = m_net->stages();
        const detail::ForwardWithActivation forward = [&stages, &layer](const torch::Tensor& in) {
            torch::Tensor x = in;
            torch::Tensor activation;
            for (const DetectorImpl::Stage& stage : stages) {
                x = stage.run(x);
                if (layer == QLatin1String(stage.name))
                    activation = x;
            }
            return std::make_pair(x, activation);
        };
        try {
            return detail::gradientEvidence(forward, input->to(m_device), m_spec, options, m_path, layer);
        } catch (const std::exception& e) {
            return Error { Text::tr("%1: class activation map failed (%2)").arg(m_path, torchMessage(e)) };
        }
    }

private:
    std::shared_ptr<DetectorImpl> m_net;
    torch::Device m_device;
};

} // namespace

QString architectureName(DetectorArchitecture architecture)
{
    switch (architecture) {
    case DetectorArchitecture::BaselineCnn:
        return QStringLiteral("baseline-cnn");
    case DetectorArchitecture::ResNet18:
        return QStringLiteral("resnet18");
    }
    return {};
}

std::optional<DetectorArchitecture> architectureFromName(const QString& name)
{
    const QString n = name.trimmed().toLower();
    if (n == QLatin1String("baseline-cnn"))
        return DetectorArchitecture::BaselineCnn;
    if (n == QLatin1String("resnet18") || n == QLatin1String("resnet-18"))
        return DetectorArchitecture::ResNet18;
    return std::nullopt;
}

Result<TrainedDetector> trainDetector(const std::vector<LabelledImage>& train, const std::vector<LabelledImage>& val,
    const TrainingOptions& options, const QString& modelPath, const QString& name, const CancelToken& cancel,
    const TrainingProgressFn& progress)
{
    if (const Status valid = validate(train, val, options, modelPath); !valid)
        return Error { valid.error() };

    TrainedDetector trained;
    trained.modelPath = modelPath;
    trained.runtime = detail::chooseRuntime(options.device, options.threads);
    const QString archName = architectureName(options.architecture);
    qCInfo(lcModels).noquote() << QStringLiteral("training %1 (%2) on %3 with %4 threads: %5 train, %6 val images")
                                      .arg(name, archName, trained.runtime.device)
                                      .arg(trained.runtime.threads)
                                      .arg(train.size())
                                      .arg(val.size());

    const int inputSize = options.inputSize;
    const InputSpec input = builtinInputSpec(inputSize, options.cropFrom);
    // Random resized crops of 80-100 % of the area: decode 1/sqrt(0.8) larger, so the smallest
    // window is the input size itself.
    const int decodedSize
        = options.randomResizedCrop ? static_cast<int>(std::ceil(inputSize / std::sqrt(0.8) - 1e-9)) : inputSize;

    try {
        const torch::Device device(trained.runtime.device.toStdString());

        QElapsedTimer decoding;
        decoding.start();
        auto trainData
            = decodeAll(train, builtinInputSpec(decodedSize, options.cropFrom), trained.runtime.threads, cancel);
        if (!trainData)
            return Error { trainData.error() };
        auto valData = decodeAll(val, input, trained.runtime.threads, cancel);
        if (!valData)
            return Error { valData.error() };
        trained.decodeMs = double(decoding.nsecsElapsed()) / 1e6;
        const torch::Tensor trainTargets = trainingTargets(train, options.classes);
        const torch::Tensor valTargets = trainingTargets(val, options.classes);
        const int64_t outputs = options.classes.isEmpty() ? 1 : options.classes.size();

        std::shared_ptr<DetectorImpl> net;
        {
            std::lock_guard<std::mutex> lock(initialisationMutex());
            torch::manual_seed(options.seed);
            net = makeNet(options.architecture, outputs);
        }
        net->to(device);
        net->train();

        std::unique_ptr<torch::optim::Optimizer> optimizer;
        if (options.optimizer.trimmed().toLower() == QLatin1String("adamw")) {
            optimizer = std::make_unique<torch::optim::AdamW>(
                net->parameters(), torch::optim::AdamWOptions(options.learningRate).weight_decay(options.weightDecay));
        } else {
            optimizer = std::make_unique<torch::optim::SGD>(net->parameters(),
                torch::optim::SGDOptions(options.learningRate)
                    .momentum(options.momentum)
                    .weight_decay(options.weightDecay));
        }

        const auto n = static_cast<int64_t>(train.size());
        // A last batch of one image is folded into the one before: batch norm cannot train on it.
        std::vector<std::pair<int64_t, int64_t>> batches;
        for (int64_t start = 0; start < n; start += options.batchSize)
            batches.emplace_back(start, std::min<int64_t>(n, start + options.batchSize));
        if (batches.size() > 1 && batches.back().second - batches.back().first == 1) {
            batches.pop_back();
            batches.back().second = n;
        }

        std::vector<int64_t> order(static_cast<std::size_t>(n));
        std::vector<torch::Tensor> best;
        double bestAccuracy = -1.0;
        double bestLoss = std::numeric_limits<double>::infinity();
        int epochsWithoutImprovement = 0;
        for (int epoch = 1; epoch <= options.epochs; ++epoch) {
            const double lr = options.learningRate * 0.5 * (1.0 + std::cos(M_PI * (epoch - 1) / options.epochs));
            for (auto& group : optimizer->param_groups())
                group.options().set_lr(lr);

            // The epoch's order and augmentations come from its own stream: deterministic, and
            // not shared between (seed, epoch + 1) and (seed + 1, epoch).
            Rng rng = Rng::forStream(options.seed, static_cast<std::uint64_t>(epoch));
            for (int64_t i = 0; i < n; ++i)
                order[static_cast<std::size_t>(i)] = i;
            rng.shuffle(order);

            double lossSum = 0.0;
            int64_t seen = 0;
            QElapsedTimer epochClock;
            epochClock.start();
            QElapsedTimer networkClock;
            qint64 networkNs = 0;
            for (std::size_t b = 0; b < batches.size(); ++b) {
                if (cancel.isCancelled())
                    return Error { Text::tr("training cancelled") };
                const auto [begin, end] = batches[b];
                const torch::Tensor x = augmentedBatch(trainData.value(), order, begin, end, inputSize, options, rng);
                const torch::Tensor index
                    = torch::from_blob(order.data() + begin, { end - begin }, torch::kInt64).clone();
                const torch::Tensor y = trainTargets.index_select(0, index);

                networkClock.start();
                optimizer->zero_grad();
                const torch::Tensor logits = net->forward(x.to(device));
                const torch::Tensor loss = detectorLoss(logits, y.to(device));
                const double lossValue = loss.item<double>();
                if (!std::isfinite(lossValue))
                    return Error { Text::tr("training %1: the loss became %2 in epoch %3; try a lower learning rate")
                                       .arg(name)
                                       .arg(lossValue)
                                       .arg(epoch) };
                loss.backward();
                optimizer->step();
                networkNs += networkClock.nsecsElapsed();

                lossSum += lossValue * double(end - begin);
                seen += end - begin;
                if (progress) {
                    TrainingProgress report;
                    report.epoch = epoch;
                    report.epochs = options.epochs;
                    report.batch = static_cast<int>(b) + 1;
                    report.batches = static_cast<int>(batches.size());
                    report.loss = lossSum / double(seen);
                    progress(report);
                }
            }
            if (cancel.isCancelled())
                return Error { Text::tr("training cancelled") };

            TrainingProgress report;
            report.epoch = epoch;
            report.epochs = options.epochs;
            report.batches = static_cast<int>(batches.size());
            report.loss = lossSum / double(std::max<int64_t>(1, seen));
            networkClock.start();
            const Evaluation validation = evaluate(*net, valData.value(), valTargets, options.batchSize, device);
            networkNs += networkClock.nsecsElapsed();
            report.validationAccuracy = validation.accuracy;
            report.validationLoss = validation.loss;
            report.epochMs = double(epochClock.nsecsElapsed()) / 1e6;
            report.networkMs = double(networkNs) / 1e6;
            trained.epochs.push_back(report);
            if (progress)
                progress(report);
            qCDebug(lcModels).noquote() << QStringLiteral("epoch %1/%2: loss %3, validation accuracy %4, loss %5")
                                               .arg(epoch)
                                               .arg(options.epochs)
                                               .arg(report.loss)
                                               .arg(report.validationAccuracy)
                                               .arg(report.validationLoss);

            // At equal accuracy a lower validation loss counts as better: on a small validation split the
            // accuracy often stays flat for many epochs while the network is still learning.
            const bool better = report.validationAccuracy > bestAccuracy
                || (report.validationAccuracy == bestAccuracy && report.validationLoss < bestLoss);
            if (better) {
                bestAccuracy = report.validationAccuracy;
                bestLoss = report.validationLoss;
                trained.bestEpoch = epoch;
                best = snapshot(*net);
                epochsWithoutImprovement = 0;
            } else if (options.earlyStoppingPatience > 0
                && ++epochsWithoutImprovement >= options.earlyStoppingPatience) {
                break;
            }
        }
        trained.bestValidationAccuracy = bestAccuracy;
        restore(*net, best);
        net->eval();
        net->to(torch::kCPU); // saved for CPU, so the file loads on any machine

        std::ostringstream bytes;
        torch::save(std::static_pointer_cast<torch::nn::Module>(net), bytes);
        const std::string weights = bytes.str();

        ModelSpec spec;
        spec.name = name.trimmed().isEmpty() ? QFileInfo(modelPath).completeBaseName() : name.trimmed();
        spec.builtin = archName;
        // Trained on crops at full resolution, the network (fully convolutional, global pooling)
        // then sees the whole image at that resolution: all of its evidence, and maps that cover it.
        spec.input = options.cropFrom > 0 ? builtinInputSpec(options.cropFrom, 0) : input;
        spec.output = OutputKind::LogitGenerated;
        if (!options.classes.isEmpty()) {
            spec.output = options.classKind;
            spec.classes = options.classes;
            spec.realSource = options.realSource;
        }
        const QByteArray sidecar = modelSpecToJson(spec);

        if (cancel.isCancelled())
            return Error { Text::tr("training cancelled") };
        const QString sidecarFile = sidecarPath(modelPath);
        QDir().mkpath(QFileInfo(modelPath).absolutePath());
        QSaveFile modelFile(modelPath);
        QSaveFile sidecarOut(sidecarFile);
        if (!modelFile.open(QIODevice::WriteOnly)
            || modelFile.write(weights.data(), static_cast<qint64>(weights.size()))
                != static_cast<qint64>(weights.size()))
            return Error { Text::tr("%1: cannot write the model (%2)").arg(modelPath, modelFile.errorString()) };
        if (!sidecarOut.open(QIODevice::WriteOnly) || sidecarOut.write(sidecar) != sidecar.size())
            return Error { Text::tr("%1: cannot write the sidecar (%2)").arg(sidecarFile, sidecarOut.errorString()) };
        if (!modelFile.commit())
            return Error { Text::tr("%1: cannot write the model (%2)").arg(modelPath, modelFile.errorString()) };
        if (!sidecarOut.commit()) {
            // A model without its sidecar would load as a TorchScript file and fail; leave neither.
            QFile::remove(modelPath);
            return Error { Text::tr("%1: cannot write the sidecar (%2)").arg(sidecarFile, sidecarOut.errorString()) };
        }
        qCInfo(lcModels).noquote() << QStringLiteral("saved %1: best epoch %2, validation accuracy %3")
                                          .arg(modelPath)
                                          .arg(trained.bestEpoch)
                                          .arg(trained.bestValidationAccuracy);
        return trained;
    } catch (const std::bad_alloc&) {
        return Error { Text::tr("training %1: out of memory; try a smaller batch or input size").arg(name) };
    } catch (const std::exception& e) {
        return Error { Text::tr("training %1: %2").arg(name, torchMessage(e)) };
    }
}

namespace detail {

Result<std::unique_ptr<Classifier>> loadBuiltinClassifier(
    const QString& path, const ModelSpec& spec, const QString& modelHash, const RuntimeInfo& runtime)
{
    const auto architecture = architectureFromName(spec.builtin);
    if (!architecture)
        return Error { Text::tr("%1: unknown built-in detector \"%2\" in the sidecar (known: baseline-cnn, resnet18)")
                           .arg(path, spec.builtin) };
    if (spec.output != OutputKind::LogitGenerated && !isClassKind(spec.output))
        return Error { Text::tr("%1: a built-in detector gives a \"generated\" logit or one logit per class, but the "
                                "sidecar says \"%2\"")
                           .arg(path, outputKindName(spec.output)) };

    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return Error { Text::tr("%1: cannot read the model file (%2)").arg(path, file.errorString()) };
    const QByteArray bytes = file.readAll();
    file.close();

    try {
        std::shared_ptr<DetectorImpl> net = makeNet(*architecture, spec.outputCount());
        std::vector<std::vector<int64_t>> shapes;
        for (const torch::Tensor& p : net->parameters())
            shapes.push_back(p.sizes().vec());
        for (const torch::Tensor& b : net->buffers())
            shapes.push_back(b.sizes().vec());

        std::istringstream stream(std::string(bytes.constData(), static_cast<std::size_t>(bytes.size())));
        std::shared_ptr<torch::nn::Module> module = net;
        torch::load(module, stream, torch::Device(torch::kCPU));

        // Loading replaces tensors by name; a file of another layout must not slip through.
        std::size_t i = 0;
        for (const torch::Tensor& t : net->parameters()) {
            if (t.sizes().vec() != shapes[i++])
                return Error { Text::tr("%1: the weights do not fit a %2 network").arg(path, spec.builtin) };
        }
        for (const torch::Tensor& t : net->buffers()) {
            if (t.sizes().vec() != shapes[i++])
                return Error { Text::tr("%1: the weights do not fit a %2 network").arg(path, spec.builtin) };
        }

        const torch::Device device(runtime.device.toStdString());
        net->eval();
        net->to(device);
        return std::unique_ptr<Classifier>(
            std::make_unique<BuiltinClassifier>(std::move(net), device, path, spec, modelHash, runtime));
    } catch (const std::exception& e) {
        return Error {
            Text::tr("%1: not a %2 model saved by NameThatTrue (%3)").arg(path, spec.builtin, torchMessage(e))
        };
    }
}

} // namespace detail

} // namespace ntt
