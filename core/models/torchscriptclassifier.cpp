// The TorchScript backend of loadClassifier(): the only place besides the built-in detectors that
// includes Torch headers, so that the rest of core compiles in seconds.

#include "logging.h"
#include "models/classifierbackends_p.h"
#include "models/layergradients_torch_p.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QRegularExpression>

#include <ATen/Parallel.h>
#include <torch/csrc/jit/api/function_impl.h>
#include <torch/csrc/jit/ir/ir.h>
#include <torch/csrc/jit/passes/inliner.h>
#include <torch/cuda.h>
#include <torch/script.h>
#include <torch/version.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <exception>
#include <limits>
#include <map>
#include <optional>
#include <string>

#ifndef TORCH_VERSION
#define TORCH_VERSION "1.13"
#endif

namespace ntt {
namespace {

class Text
{
    Q_DECLARE_TR_FUNCTIONS(ntt::TorchScriptClassifier)
};

// c10::Error messages run on with the C++ and TorchScript stacks; keep the line that says what
// happened: the first, or for an error inside the TorchScript interpreter the exception at the end.
QString firstLine(const char* what)
{
    // CAFFE_ENFORCE prefixes its reason with where it failed ("[enforce fail at
    // inline_container.cc:165] . "): only the reason after it means something to a user.
    static const QRegularExpression enforce(QStringLiteral("\\[enforce fail at [^\\]]*\\]\\s*\\.?\\s*"));
    const QStringList lines = QString::fromLocal8Bit(what).remove(enforce).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    QString line = lines.isEmpty() ? QString() : lines.front().trimmed();
    if (line.startsWith(QLatin1String("The following operation failed in the TorchScript interpreter"))) {
        static const QRegularExpression exception(QStringLiteral("^[A-Za-z_.]*(Error|Exception)\\b.*:"));
        for (auto it = lines.crbegin(); it != lines.crend(); ++it) {
            if (exception.match(*it).hasMatch()) {
                line = it->trimmed();
                break;
            }
        }
    }
    // Some messages are paragraphs; the first sentence is enough in a table of errors.
    if (line.size() > 200) {
        const qsizetype stop = line.indexOf(QLatin1String(". "), 40);
        line = stop > 0 ? line.left(stop + 1) : line.left(200) + QStringLiteral("...");
    }
    return line;
}

QString errorText(const c10::Error& e)
{
    return firstLine(e.what_without_backtrace());
}

bool mentionsCuda(const QString& message)
{
    return message.contains(QLatin1String("cuda"), Qt::CaseInsensitive);
}

QString shapeText(const std::vector<int64_t>& shape)
{
    QStringList parts;
    for (int64_t d : shape)
        parts << QString::number(d);
    return QLatin1Char('[') + parts.join(QLatin1String(", ")) + QLatin1Char(']');
}

// A forward() that returns (logits, extras...) is common (auxiliary heads, features): take the
// first tensor. Anything else is not an output we know how to read.
/// What a forward returned, for messages: "a tensor [4, 1]", "a tuple (tensor [4, 1], tensor [4])",
/// "a dict (logits: tensor [4, 1], features: tensor [4, 512])".
QString describeOutput(const c10::IValue& value, bool nested = false)
{
    const auto shape = [](const at::Tensor& t) { return QString::fromStdString(c10::str(t.sizes())); };
    if (value.isTensor())
        return (nested ? QStringLiteral("tensor ") : QStringLiteral("a tensor ")) + shape(value.toTensor());
    QStringList parts;
    QString kind;
    if (value.isTuple()) {
        kind = QStringLiteral("tuple");
        for (const c10::IValue& e : value.toTupleRef().elements())
            parts << describeOutput(e, true);
    } else if (value.isList()) {
        kind = QStringLiteral("list");
        for (const c10::IValue e : value.toList())
            parts << describeOutput(e, true);
    } else if (value.isGenericDict()) {
        kind = QStringLiteral("dict");
        for (const auto& entry : value.toGenericDict())
            parts << QStringLiteral("%1: %2").arg(entry.key().isString()
                    ? QString::fromStdString(entry.key().toStringRef())
                    : QString::fromStdString(entry.key().tagKind()),
                describeOutput(entry.value(), true));
    } else {
        return (nested ? QString() : QStringLiteral("a ")) + QString::fromStdString(value.tagKind());
    }
    return (nested ? QString() : QStringLiteral("a ")) + kind + QStringLiteral(" (") + parts.join(QStringLiteral(", "))
        + QLatin1Char(')');
}

/// The tensor of the scores in what a forward returned, chosen by the sidecar's "output_key" (a
/// dict) or "output_index" (a tuple or list; the first element when it is not set, and then
/// `implicit` says so). Errors say what the model returned and what the sidecar can select.
Result<at::Tensor> selectOutput(const c10::IValue& value, const ModelSpec& spec, bool* implicit = nullptr)
{
    if (implicit)
        *implicit = false;
    if (value.isTensor())
        return value.toTensor();
    std::vector<c10::IValue> elements;
    if (value.isTuple()) {
        const auto& tuple = value.toTupleRef().elements();
        elements.assign(tuple.begin(), tuple.end());
    } else if (value.isList()) {
        for (const c10::IValue e : value.toList())
            elements.push_back(e);
    } else if (value.isGenericDict()) {
        if (spec.outputKey.isEmpty())
            return Error { Text::tr("the model returns %1; set \"output_key\" in its sidecar to the entry that holds "
                                    "the scores")
                               .arg(describeOutput(value)) };
        for (const auto& entry : value.toGenericDict()) {
            if (entry.key().isString() && QString::fromStdString(entry.key().toStringRef()) == spec.outputKey) {
                if (!entry.value().isTensor())
                    break;
                return entry.value().toTensor();
            }
        }
        return Error { Text::tr("the model returns %1, which has no tensor \"%2\" (the sidecar's \"output_key\")")
                           .arg(describeOutput(value), spec.outputKey) };
    } else {
        return Error { Text::tr("the model returns %1, not a tensor, a tuple, a list or a dict of tensors")
                           .arg(describeOutput(value)) };
    }
    const int index = spec.outputIndex >= 0 ? spec.outputIndex : 0;
    if (index >= int(elements.size()) || !elements[std::size_t(index)].isTensor())
        return Error { Text::tr("the model returns %1, whose element %2 is not a tensor; set \"output_index\" in its "
                                "sidecar to the element that holds the scores")
                           .arg(describeOutput(value))
                           .arg(index) };
    if (implicit)
        *implicit = spec.outputIndex < 0 && elements.size() > 1;
    return elements[std::size_t(index)].toTensor();
}

double sigmoid(double x)
{
    return x >= 0.0 ? 1.0 / (1.0 + std::exp(-x)) : std::exp(x) / (1.0 + std::exp(x));
}

std::vector<double> softmax(const float* logits, int count)
{
    double top = -std::numeric_limits<double>::infinity();
    for (int i = 0; i < count; ++i)
        top = std::max(top, double(logits[i]));
    std::vector<double> p(static_cast<std::size_t>(count));
    double sum = 0.0;
    for (int i = 0; i < count; ++i) {
        p[i] = std::exp(double(logits[i]) - top);
        sum += p[i];
    }
    for (double& v : p)
        v /= sum;
    return p;
}

// ---------------------------------------------------------------------------------------------
// Reaching a layer's output in a TorchScript module. A loaded module has no forward hooks in C++,
// so a copy of its forward graph is inlined (every submodule call expanded, each node keeping the
// chain of module instances it came from) and rewritten to also return the layer's output.

/// The module path a node of an inlined graph came from, e.g. {"layer4", "1", "conv2"}. Calls on
/// `self` (scripted helper methods) and free functions add no component.
std::vector<std::string> modulePath(const torch::jit::Node* node)
{
    std::vector<std::string> path;
    const auto stack = node->callstack();
    if (!stack)
        return path;
    for (const auto& entry : (*stack)->vec()) {
        const auto& instance = std::get<2>(entry);
        if (!instance)
            continue;
        const std::string& name = instance->instance_name();
        if (!name.empty() && name != "SELF")
            path.push_back(name);
    }
    return path;
}

bool startsWith(const std::vector<std::string>& path, const std::vector<std::string>& prefix)
{
    return path.size() >= prefix.size() && std::equal(prefix.begin(), prefix.end(), path.begin());
}

std::vector<std::string> splitLayer(const QString& layer)
{
    std::vector<std::string> parts;
    for (const QString& p : layer.split(QLatin1Char('.'), Qt::SkipEmptyParts))
        parts.push_back(p.toStdString());
    return parts;
}

/// The node of the graph's top block that holds `node` (itself, or the control-flow node around it).
const torch::jit::Node* topLevelNode(const torch::jit::Node* node, const torch::jit::Block* top)
{
    while (node && node->owningBlock() != top)
        node = node->owningBlock()->owningNode();
    return node;
}

/// A layer's output: the last tensor its nodes produce that nodes outside the layer use. Null when
/// the layer is never called, or only inside control flow.
torch::jit::Value* layerOutput(torch::jit::Graph& graph, const std::vector<std::string>& layer)
{
    const torch::jit::Block* top = graph.block();
    std::map<const torch::jit::Node*, bool> inside;
    for (const torch::jit::Node* node : graph.nodes())
        inside[node] = startsWith(modulePath(node), layer);
    torch::jit::Value* found = nullptr;
    for (torch::jit::Node* node : graph.nodes()) {
        if (!inside[node])
            continue;
        for (torch::jit::Value* value : node->outputs()) {
            if (!value->type()->isSubtypeOf(*c10::TensorType::get()))
                continue;
            for (const torch::jit::Use& use : value->uses()) {
                const torch::jit::Node* user = topLevelNode(use.user, top);
                if (user == graph.return_node() || (user && !inside[user])) {
                    found = value;
                    break;
                }
            }
        }
    }
    return found;
}

/// A copy of `inlined` that returns (its output, each of `values`), values given by index into
/// the nodes of the top block and the output slot.
struct ValueRef
{
    std::size_t node = 0;
    std::size_t output = 0;
};

std::shared_ptr<torch::jit::Graph> returningAlso(torch::jit::Graph& inlined, const std::vector<ValueRef>& refs)
{
    auto graph = inlined.copy();
    std::vector<torch::jit::Node*> nodes;
    for (torch::jit::Node* node : graph->nodes())
        nodes.push_back(node);
    std::vector<torch::jit::Value*> values { graph->outputs()[0] };
    for (const ValueRef& r : refs) {
        torch::jit::Value* value = nodes.at(r.node)->outputs()[r.output];
        // The rest of the graph works on a copy, so that in-place operations after the layer (a
        // residual "+=", ReLU(inplace=True)) change the copy and the value returned, and its
        // gradient, stay the layer's own, as a forward hook sees them in PyTorch.
        torch::jit::WithInsertPoint after(value->node()->next());
        torch::jit::Value* copy = graph->insert(c10::aten::clone, { value });
        value->replaceAllUsesAfterNodeWith(copy->node(), copy);
        values.push_back(value);
    }
    torch::jit::Node* tuple = graph->createTuple(values);
    tuple->insertBefore(graph->return_node());
    graph->eraseOutput(0);
    graph->registerOutput(tuple->output());
    return graph;
}

std::optional<ValueRef> refOf(const torch::jit::Graph& graph, const torch::jit::Value* value)
{
    std::size_t index = 0;
    for (const torch::jit::Node* node : graph.nodes()) {
        for (std::size_t o = 0; o < node->outputs().size(); ++o) {
            if (node->outputs()[o] == value)
                return ValueRef { index, o };
        }
        ++index;
    }
    return std::nullopt;
}

class TorchScriptClassifier final : public Classifier
{
public:
    TorchScriptClassifier(torch::jit::Module module, const torch::Device& device, const QString& path,
        const ModelSpec& spec, const QString& modelHash, const QStringList& warnings, const RuntimeInfo& runtime)
        : m_module(std::move(module))
        , m_device(device)
    {
        m_path = path;
        m_spec = spec;
        m_modelHash = modelHash;
        m_warnings = warnings;
        m_runtime = runtime;
        // Which classes count as real, once, rather than per image.
        for (const QString& c : m_spec.classes)
            m_realClass.push_back(m_spec.labelOf(c) == m_spec.realSource);
    }

    Result<std::vector<Prediction>> predict(const std::vector<PreparedImage>& batch) override
    {
        try {
            return run(batch);
        } catch (const c10::Error& e) {
            return failure(errorText(e));
        } catch (const std::exception& e) {
            return failure(firstLine(e.what()));
        }
    }

    Result<std::vector<CamLayer>> camLayers() override
    {
        try {
            return findLayers();
        } catch (const c10::Error& e) {
            return failure(errorText(e));
        } catch (const std::exception& e) {
            return failure(firstLine(e.what()));
        }
    }

    Result<std::vector<CamEvidence>> layerEvidence(
        const std::vector<PreparedImage>& batch, const EvidenceRequest& options) override
    {
        try {
            return evidence(batch, options);
        } catch (const c10::Error& e) {
            return failure(errorText(e));
        } catch (const std::exception& e) {
            return failure(firstLine(e.what()));
        }
    }

private:
    /// The forward graph with every call inlined, made once.
    torch::jit::Graph& inlinedGraph()
    {
        if (!m_inlined) {
            m_inlined = m_module.get_method("forward").graph()->copy();
            torch::jit::Inline(*m_inlined);
        }
        return *m_inlined;
    }

    Result<std::vector<CamLayer>> findLayers()
    {
        if (m_layers)
            return *m_layers;
        torch::jit::Graph& graph = inlinedGraph();
        // Every named submodule's output, in execution order, shapes from one forward pass.
        struct Found
        {
            QString name;
            ValueRef ref;
        };
        std::vector<Found> found;
        for (const auto& named : m_module.named_modules()) {
            if (named.name.empty())
                continue;
            if (const torch::jit::Value* v = layerOutput(graph, splitLayer(QString::fromStdString(named.name)))) {
                if (const auto ref = refOf(graph, v))
                    found.push_back({ QString::fromStdString(named.name), *ref });
            }
        }
        std::stable_sort(
            found.begin(), found.end(), [](const Found& a, const Found& b) { return a.ref.node < b.ref.node; });
        std::vector<ValueRef> refs;
        for (const Found& f : found)
            refs.push_back(f.ref);
        torch::jit::GraphFunction function("ntt_layers", returningAlso(graph, refs), nullptr);
        const int size = m_spec.input.size;
        torch::jit::Stack stack { m_module._ivalue(), torch::zeros({ 1, 3, size, size }).to(m_device) };
        {
            torch::NoGradGuard noGradients;
            function.run(stack);
        }
        const auto& elements = stack.back().toTupleRef().elements();
        std::vector<CamLayer> layers;
        for (std::size_t i = 0; i < found.size(); ++i) {
            const c10::IValue& v = elements[i + 1];
            if (v.isTensor())
                layers.push_back({ found[i].name, v.toTensor().sizes().vec() });
        }
        m_layers = layers;
        return layers;
    }

    /// The forward function returning (output, activation of `layer`), made once per layer.
    Result<torch::jit::GraphFunction*> layerFunction(const QString& layer)
    {
        auto it = m_layerFunctions.find(layer);
        if (it != m_layerFunctions.end())
            return it->second.get();
        torch::jit::Graph& graph = inlinedGraph();
        const torch::jit::Value* value = layerOutput(graph, splitLayer(layer));
        const auto ref = value ? refOf(graph, value) : std::nullopt;
        if (!ref)
            return Error { Text::tr("%1: layer \"%2\" is not called by the model's forward outside control flow; "
                                    "choose another layer")
                               .arg(m_path, layer) };
        auto function
            = std::make_unique<torch::jit::GraphFunction>("ntt_cam_forward", returningAlso(graph, { *ref }), nullptr);
        torch::jit::GraphFunction* raw = function.get();
        m_layerFunctions.emplace(layer, std::move(function));
        return raw;
    }

    Result<std::vector<CamEvidence>> evidence(const std::vector<PreparedImage>& batch, const EvidenceRequest& options)
    {
        if (batch.empty())
            return std::vector<CamEvidence> {};
        if (at::get_num_threads() != m_runtime.threads)
            at::set_num_threads(m_runtime.threads);
        auto layers = findLayers();
        if (!layers)
            return Error { layers.error() };
        const QString layer = options.layer.isEmpty() ? defaultCamLayer(layers.value()) : options.layer;
        if (layer.isEmpty())
            return Error { Text::tr("%1: no layer gives a 4-D output with a spatial size above 1; class activation "
                                    "maps need one")
                               .arg(m_path) };
        if (std::none_of(layers->begin(), layers->end(), [&](const CamLayer& l) { return l.name == layer; }))
            return Error { Text::tr("%1: the model has no layer \"%2\"").arg(m_path, layer) };
        auto function = layerFunction(layer);
        if (!function)
            return Error { function.error() };
        auto input = detail::batchTensor(batch, m_spec.input.size, m_path);
        if (!input)
            return Error { input.error() };
        torch::jit::GraphFunction* f = function.value();
        const detail::ForwardWithActivation forward = [this, f](const torch::Tensor& x) {
            torch::jit::Stack stack { m_module._ivalue(), x };
            f->run(stack);
            const auto& elements = stack.back().toTupleRef().elements();
            const auto output = selectOutput(elements[0], m_spec);
            if (!output)
                throw std::runtime_error(output.error().toStdString());
            return std::make_pair(output.value(), elements[1].toTensor());
        };
        return detail::gradientEvidence(forward, input->to(m_device), m_spec, options, m_path, layer);
    }

    Error failure(const QString& message) const
    {
        if (m_device.is_cpu() && mentionsCuda(message))
            return Error { Text::tr("%1: the model needs CUDA, which this machine or its LibTorch does not have: %2")
                               .arg(m_path, message) };
        return Error { Text::tr("%1: inference failed: %2").arg(m_path, message) };
    }

    Result<std::vector<Prediction>> run(const std::vector<PreparedImage>& batch)
    {
        if (batch.empty())
            return std::vector<Prediction> {};
        auto batchInput = detail::batchTensor(batch, m_spec.input.size, m_path);
        if (!batchInput)
            return Error { batchInput.error() };
        const torch::Tensor input = std::move(batchInput).value();

        // The intra-op thread count of OpenMP is per calling thread: apply the recorded one on the
        // thread that runs inference, which need not be the one that loaded the model.
        if (at::get_num_threads() != m_runtime.threads)
            at::set_num_threads(m_runtime.threads);
        const auto n = static_cast<int64_t>(batch.size());

        QElapsedTimer clock;
        clock.start();
        torch::Tensor output;
        {
            c10::InferenceMode guard;
            const c10::IValue result = m_module.forward({ input.to(m_device) });
            bool implicit = false;
            const auto tensor = selectOutput(result, m_spec, &implicit);
            if (!tensor)
                return Error { QStringLiteral("%1: %2").arg(m_path, tensor.error()) };
            if (implicit && !m_warnedImplicitOutput) {
                m_warnedImplicitOutput = true;
                m_warnings << Text::tr("%1: the model returns %2; its first element is taken as the scores (set "
                                       "\"output_index\" in the sidecar to choose another)")
                                  .arg(m_path, describeOutput(result));
            }
            output = tensor->to(torch::kCPU, torch::kFloat32).contiguous();
        }
        const double milliseconds = static_cast<double>(clock.nsecsElapsed()) / 1e6 / static_cast<double>(n);

        const int count = m_spec.outputCount();
        const bool shapeOk = (output.dim() == 2 && output.size(0) == n && output.size(1) == count)
            || (count == 1 && output.dim() == 1 && output.size(0) == n);
        if (!shapeOk)
            return Error { Text::tr("%1: the model gave outputs of shape %2 for %3 images, but its sidecar "
                                    "expects %4 (output \"%5\")")
                               .arg(m_path, shapeText(output.sizes().vec()))
                               .arg(n)
                               .arg(shapeText({ n, count }), outputKindName(m_spec.output)) };

        const float* out = output.data_ptr<float>();
        std::vector<Prediction> predictions(batch.size());
        for (std::size_t i = 0; i < batch.size(); ++i) {
            auto converted = convert(out + i * count, count);
            if (!converted)
                return Error { converted.error() };
            predictions[i] = std::move(converted).value();
            predictions[i].milliseconds = milliseconds;
        }
        return predictions;
    }

    Result<Prediction> convert(const float* values, int count) const
    {
        constexpr float nan = std::numeric_limits<float>::quiet_NaN();
        Prediction p;
        for (int k = 0; k < count; ++k) {
            if (std::isnan(values[k])) {
                p.pReal = nan;
                return p;
            }
        }
        const double v = values[0];
        switch (m_spec.output) {
        case OutputKind::LogitGenerated:
            p.pReal = static_cast<float>(sigmoid(-v));
            break;
        case OutputKind::LogitReal:
            p.pReal = static_cast<float>(sigmoid(v));
            break;
        case OutputKind::ProbabilityGenerated:
        case OutputKind::ProbabilityReal: {
            // Outside 0..1 the output is a logit and the sidecar says otherwise; reading it as a
            // probability would give nonsense quietly.
            if (v < -1e-3 || v > 1.0 + 1e-3 || !std::isfinite(v))
                return Error { Text::tr("%1: the model gave %2, but its sidecar says the output is a probability "
                                        "(\"%3\"); use a logit output kind")
                                   .arg(m_path)
                                   .arg(v)
                                   .arg(outputKindName(m_spec.output)) };
            const double probability = std::clamp(v, 0.0, 1.0);
            p.pReal
                = static_cast<float>(m_spec.output == OutputKind::ProbabilityReal ? probability : 1.0 - probability);
            break;
        }
        case OutputKind::SourceClasses:
        case OutputKind::CategoryClasses: {
            const std::vector<double> probabilities = softmax(values, count);
            double real = 0.0;
            p.classProbabilities.reserve(probabilities.size());
            for (std::size_t k = 0; k < probabilities.size(); ++k) {
                p.classProbabilities.push_back(static_cast<float>(probabilities[k]));
                if (m_realClass[k])
                    real += probabilities[k];
            }
            // A classifier over generators alone (no class is the real source) does not say P(real).
            const bool saysReal = std::find(m_realClass.begin(), m_realClass.end(), true) != m_realClass.end();
            p.pReal = m_spec.output == OutputKind::SourceClasses && saysReal ? static_cast<float>(real) : -1.0f;
            for (float q : p.classProbabilities) {
                if (!std::isfinite(q))
                    p.pReal = nan; // +inf logits: the softmax is undefined
            }
            break;
        }
        }
        if (!std::isfinite(p.pReal) && p.pReal != -1.0f)
            p.pReal = nan;
        return p;
    }

    torch::jit::Module m_module;
    torch::Device m_device;
    std::vector<bool> m_realClass;
    std::shared_ptr<torch::jit::Graph> m_inlined;
    std::optional<std::vector<CamLayer>> m_layers;
    std::map<QString, std::unique_ptr<torch::jit::GraphFunction>> m_layerFunctions;
    bool m_warnedImplicitOutput = false;
};

} // namespace

namespace detail {

RuntimeInfo chooseRuntime(DevicePreference device, int threads)
{
    RuntimeInfo info;
    bool cuda = false;
    try {
        cuda = device == DevicePreference::Auto && torch::cuda::is_available();
    } catch (const std::exception& e) {
        qCWarning(lcModels).noquote()
            << QStringLiteral("cannot query CUDA, using the CPU: %1").arg(firstLine(e.what()));
    }
    info.device = cuda ? QStringLiteral("cuda:0") : QStringLiteral("cpu");
    const int wanted = threads > 0 ? threads : defaultTorchThreads();
    at::set_num_threads(wanted);
    info.threads = at::get_num_threads();
    info.torchVersion = QStringLiteral(TORCH_VERSION);
    return info;
}

Result<std::unique_ptr<Classifier>> loadTorchScriptClassifier(const QString& path, const ModelSpec& spec,
    const QString& modelHash, const QStringList& warnings, const RuntimeInfo& runtime)
{
    try {
        const torch::Device device(runtime.device.toStdString());
        // Loading onto `device` maps tensors saved on another device (a model exported on a GPU
        // machine loads on the CPU).
        torch::jit::Module module = torch::jit::load(QFile::encodeName(path).toStdString(), device);
        module.eval();
        return std::unique_ptr<Classifier>(std::make_unique<TorchScriptClassifier>(
            std::move(module), device, path, spec, modelHash, warnings, runtime));
    } catch (const c10::Error& e) {
        const QString message = errorText(e);
        if (mentionsCuda(message))
            return Error { Text::tr("%1: the model was saved for CUDA and cannot be loaded on %2: %3")
                               .arg(path, runtime.device, message) };
        if (message.contains(QLatin1String("maximum supported version")))
            return Error { Text::tr("%1 was saved by a newer PyTorch than this program's LibTorch %2 reads: %3 Save "
                                    "it again with PyTorch %2 (torch.jit.save), or use a NameThatTrue built with a "
                                    "newer LibTorch.")
                               .arg(path, QStringLiteral(TORCH_VERSION), message) };
        return Error { Text::tr("%1 is not a TorchScript model: %2 (export it with torch.jit.trace or "
                                "torch.jit.script and save it with torch.jit.save)")
                           .arg(path, message) };
    } catch (const std::exception& e) {
        return Error { Text::tr("%1: cannot load the model: %2").arg(path, firstLine(e.what())) };
    }
}

} // namespace detail
} // namespace ntt
