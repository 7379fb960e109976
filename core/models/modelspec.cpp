#include "models/modelspec.h"

#include "logging.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>
#include <QSet>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

namespace ntt {
namespace {

class Text
{
    Q_DECLARE_TR_FUNCTIONS(ntt::ModelSpec)
};

struct KindName
{
    OutputKind kind;
    const char* name;
};

constexpr std::array<KindName, 6> kindNames { {
    { OutputKind::LogitGenerated, "logit-generated" },
    { OutputKind::ProbabilityGenerated, "probability-generated" },
    { OutputKind::LogitReal, "logit-real" },
    { OutputKind::ProbabilityReal, "probability-real" },
    { OutputKind::SourceClasses, "source-classes" },
    { OutputKind::CategoryClasses, "category-classes" },
} };

QString allKindNames()
{
    QStringList names;
    for (const KindName& k : kindNames)
        names << QString::fromLatin1(k.name);
    return names.join(QLatin1String(", "));
}

// Reads one sidecar object; every message starts with the origin and names the key at fault.
class SpecReader
{
public:
    explicit SpecReader(const QString& origin)
        : m_origin(origin)
    { }

    Error error(const QString& key, const QString& what) const
    {
        return Error { Text::tr("%1: \"%2\" %3").arg(m_origin, key, what) };
    }

    Status checkKeys(const QJsonObject& object, const QStringList& known, const QString& prefix) const
    {
        for (auto it = object.begin(); it != object.end(); ++it) {
            if (!known.contains(it.key()))
                return Error { Text::tr("%1: unknown key \"%2%3\" (known: %4)")
                                   .arg(m_origin, prefix, it.key(), known.join(QLatin1String(", "))) };
        }
        return {};
    }

    Result<QString> string(const QJsonValue& value, const QString& key) const
    {
        if (!value.isString())
            return error(key, Text::tr("must be a string"));
        return value.toString();
    }

    Result<int> integer(const QJsonValue& value, const QString& key, int low, int high) const
    {
        const double d = value.toDouble(std::nan(""));
        if (!value.isDouble() || d != std::floor(d))
            return error(key, Text::tr("must be a whole number"));
        if (d < low || d > high)
            return error(key, Text::tr("is %1, outside %2..%3").arg(d).arg(low).arg(high));
        return static_cast<int>(d);
    }

    Result<std::vector<float>> triple(const QJsonValue& value, const QString& key, bool positive) const
    {
        if (!value.isArray() || value.toArray().size() != 3)
            return error(key, Text::tr("must be a list of 3 numbers, one per channel"));
        std::vector<float> out;
        for (const QJsonValue& v : value.toArray()) {
            if (!v.isDouble() || !std::isfinite(v.toDouble()))
                return error(key, Text::tr("must be a list of 3 numbers, one per channel"));
            // Kept as 32-bit floats, as the model's input tensor is.
            if (std::abs(v.toDouble()) > double(std::numeric_limits<float>::max()))
                return error(key, Text::tr("holds %1, beyond a 32-bit float").arg(v.toDouble()));
            if (positive && v.toDouble() <= 0.0)
                return error(key, Text::tr("must be greater than 0 (got %1)").arg(v.toDouble()));
            out.push_back(static_cast<float>(v.toDouble()));
        }
        return out;
    }

private:
    QString m_origin;
};

Result<InputSpec> readInput(const SpecReader& reader, const QJsonValue& value)
{
    if (!value.isObject())
        return reader.error(QStringLiteral("input"), Text::tr("must be an object"));
    const QJsonObject object = value.toObject();
    const QStringList known { QStringLiteral("size"), QStringLiteral("resize_policy"), QStringLiteral("resize_to"),
        QStringLiteral("mean"), QStringLiteral("std"), QStringLiteral("channel_order"), QStringLiteral("interpolation"),
        QStringLiteral("antialias") };
    if (const Status keys = reader.checkKeys(object, known, QStringLiteral("input.")); !keys)
        return Error { keys.error() };

    InputSpec input;
    bool resizeToGiven = false;
    if (object.contains(QLatin1String("size"))) {
        auto size = reader.integer(object.value(QLatin1String("size")), QStringLiteral("input.size"), 8, 2048);
        if (!size)
            return Error { size.error() };
        input.size = size.value();
        // Keep the 224/256 ratio of the default when only the size is given.
        input.resizeTo = static_cast<int>(std::lround(input.size * 256.0 / 224.0));
    }
    if (object.contains(QLatin1String("resize_policy"))) {
        auto policy
            = reader.string(object.value(QLatin1String("resize_policy")), QStringLiteral("input.resize_policy"));
        if (!policy)
            return Error { policy.error() };
        if (policy.value() != QLatin1String("resize") && policy.value() != QLatin1String("resize-crop"))
            return reader.error(QStringLiteral("input.resize_policy"),
                Text::tr("is \"%1\", not \"resize\" or \"resize-crop\"").arg(policy.value()));
        input.resizePolicy = policy.value();
    }
    if (object.contains(QLatin1String("resize_to"))) {
        auto resizeTo
            = reader.integer(object.value(QLatin1String("resize_to")), QStringLiteral("input.resize_to"), 8, 4096);
        if (!resizeTo)
            return Error { resizeTo.error() };
        input.resizeTo = resizeTo.value();
        resizeToGiven = true;
    }
    if (input.resizePolicy == QLatin1String("resize-crop") && input.resizeTo < input.size) {
        if (resizeToGiven)
            return reader.error(QStringLiteral("input.resize_to"),
                Text::tr("is %1, smaller than the crop size %2").arg(input.resizeTo).arg(input.size));
        input.resizeTo = input.size;
    }
    if (object.contains(QLatin1String("mean"))) {
        auto mean = reader.triple(object.value(QLatin1String("mean")), QStringLiteral("input.mean"), false);
        if (!mean)
            return Error { mean.error() };
        input.mean = mean.value();
    }
    if (object.contains(QLatin1String("std"))) {
        auto std = reader.triple(object.value(QLatin1String("std")), QStringLiteral("input.std"), true);
        if (!std)
            return Error { std.error() };
        input.std = std.value();
    }
    if (object.contains(QLatin1String("channel_order"))) {
        auto order = reader.string(object.value(QLatin1String("channel_order")), QStringLiteral("input.channel_order"));
        if (!order)
            return Error { order.error() };
        if (order.value() != QLatin1String("rgb") && order.value() != QLatin1String("bgr"))
            return reader.error(QStringLiteral("input.channel_order"),
                Text::tr("is \"%1\", not \"rgb\" or \"bgr\"").arg(order.value()));
        input.channelOrder = order.value();
    }
    if (object.contains(QLatin1String("interpolation"))) {
        auto name = reader.string(object.value(QLatin1String("interpolation")), QStringLiteral("input.interpolation"));
        if (!name)
            return Error { name.error() };
        const auto interpolation = interpolationFromName(name.value());
        if (!interpolation)
            return reader.error(QStringLiteral("input.interpolation"),
                Text::tr("is \"%1\", not \"bilinear\", \"bicubic\" or \"nearest\"").arg(name.value()));
        input.interpolation = *interpolation;
    }
    if (object.contains(QLatin1String("antialias"))) {
        const QJsonValue antialias = object.value(QLatin1String("antialias"));
        if (!antialias.isBool())
            return reader.error(QStringLiteral("input.antialias"), Text::tr("must be true or false"));
        input.antialias = antialias.toBool();
    }
    return input;
}

// Shortest decimal that reads back as the same float, so that 0.485f is written as 0.485 and not
// as 0.48500001430511475.
double shortestDouble(float value)
{
    for (int precision = 6; precision < 9; ++precision) {
        const double candidate = QString::number(double(value), 'g', precision).toDouble();
        if (static_cast<float>(candidate) == value)
            return candidate;
    }
    return QString::number(double(value), 'g', 9).toDouble();
}

QJsonArray floatArray(const std::vector<float>& values)
{
    QJsonArray array;
    for (float v : values)
        array.append(shortestDouble(v));
    return array;
}

} // namespace

QString interpolationName(Interpolation interpolation)
{
    switch (interpolation) {
    case Interpolation::Bilinear:
        return QStringLiteral("bilinear");
    case Interpolation::Bicubic:
        return QStringLiteral("bicubic");
    case Interpolation::Nearest:
        return QStringLiteral("nearest");
    }
    return {};
}

std::optional<Interpolation> interpolationFromName(const QString& name)
{
    for (Interpolation i : { Interpolation::Bilinear, Interpolation::Bicubic, Interpolation::Nearest }) {
        if (name.compare(interpolationName(i), Qt::CaseInsensitive) == 0)
            return i;
    }
    return std::nullopt;
}

QString outputKindName(OutputKind kind)
{
    for (const KindName& k : kindNames) {
        if (k.kind == kind)
            return QString::fromLatin1(k.name);
    }
    return {};
}

std::optional<OutputKind> outputKindFromName(const QString& name)
{
    for (const KindName& k : kindNames) {
        if (name == QLatin1String(k.name))
            return k.kind;
    }
    return std::nullopt;
}

int ModelSpec::outputCount() const
{
    return isClassKind(output) ? static_cast<int>(classes.size()) : 1;
}

bool isClassKind(OutputKind kind)
{
    return kind == OutputKind::SourceClasses || kind == OutputKind::CategoryClasses;
}

QMap<QString, double> ModelSpec::labelProbabilities(const std::vector<float>& probabilities) const
{
    QMap<QString, double> mass;
    if (probabilities.size() != static_cast<std::size_t>(classes.size()))
        return mass;
    for (qsizetype i = 0; i < classes.size(); ++i)
        mass[labelOf(classes[i])] += static_cast<double>(probabilities[static_cast<std::size_t>(i)]);
    return mass;
}

Result<QStringList> namedClassList(const QString& name)
{
    if (name != QLatin1String("imagenet-1k"))
        return Error { Text::tr("names \"%1\", which is not a known class list (known: \"imagenet-1k\")").arg(name) };
    QFile file(QStringLiteral(":/ntt/data/imagenet/imagenet1k-classes.txt"));
    if (!file.open(QIODevice::ReadOnly))
        return Error { Text::tr("names \"imagenet-1k\", whose list is missing from this build") };
    QStringList classes;
    for (const QByteArray& line : file.readAll().split('\n'))
        if (!line.trimmed().isEmpty())
            classes << QString::fromUtf8(line.trimmed());
    return classes;
}

Result<ModelSpec> parseModelSpec(const QByteArray& json, const QString& origin)
{
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(json, &parseError);
    if (parseError.error != QJsonParseError::NoError)
        return Error { Text::tr("%1: not valid JSON (%2 at offset %3)")
                           .arg(origin, parseError.errorString())
                           .arg(parseError.offset) };
    if (!document.isObject())
        return Error { Text::tr("%1: the sidecar must be a JSON object").arg(origin) };

    const SpecReader reader(origin);
    const QJsonObject object = document.object();
    const QStringList known { QStringLiteral("name"), QStringLiteral("builtin"), QStringLiteral("input"),
        QStringLiteral("output"), QStringLiteral("classes"), QStringLiteral("class_map"), QStringLiteral("real_source"),
        QStringLiteral("output_key"), QStringLiteral("output_index"), QStringLiteral("max_batch") };
    if (const Status keys = reader.checkKeys(object, known, QString()); !keys)
        return Error { keys.error() };

    ModelSpec spec;
    if (object.contains(QLatin1String("name"))) {
        auto name = reader.string(object.value(QLatin1String("name")), QStringLiteral("name"));
        if (!name)
            return Error { name.error() };
        spec.name = name.value().trimmed();
    }
    if (object.contains(QLatin1String("builtin"))) {
        auto builtin = reader.string(object.value(QLatin1String("builtin")), QStringLiteral("builtin"));
        if (!builtin)
            return Error { builtin.error() };
        spec.builtin = builtin.value().trimmed();
    }
    if (object.contains(QLatin1String("input"))) {
        auto input = readInput(reader, object.value(QLatin1String("input")));
        if (!input)
            return Error { input.error() };
        spec.input = input.value();
    }
    if (object.contains(QLatin1String("output"))) {
        auto name = reader.string(object.value(QLatin1String("output")), QStringLiteral("output"));
        if (!name)
            return Error { name.error() };
        const auto kind = outputKindFromName(name.value());
        if (!kind)
            return reader.error(
                QStringLiteral("output"), Text::tr("is \"%1\", not one of %2").arg(name.value(), allKindNames()));
        spec.output = *kind;
    }
    if (object.contains(QLatin1String("output_key"))) {
        auto key = reader.string(object.value(QLatin1String("output_key")), QStringLiteral("output_key"));
        if (!key)
            return Error { key.error() };
        spec.outputKey = key.value();
    }
    if (object.contains(QLatin1String("output_index"))) {
        auto index
            = reader.integer(object.value(QLatin1String("output_index")), QStringLiteral("output_index"), 0, 1000);
        if (!index)
            return Error { index.error() };
        spec.outputIndex = index.value();
    }
    if (!spec.outputKey.isEmpty() && spec.outputIndex >= 0)
        return reader.error(QStringLiteral("output_key"),
            Text::tr("and \"output_index\" are both set: a dict output takes a key, a tuple or list an index"));
    if (object.contains(QLatin1String("max_batch"))) {
        auto batch = reader.integer(object.value(QLatin1String("max_batch")), QStringLiteral("max_batch"), 0, 4096);
        if (!batch)
            return Error { batch.error() };
        spec.maxBatch = batch.value();
    }
    if (object.contains(QLatin1String("classes"))) {
        const QJsonValue value = object.value(QLatin1String("classes"));
        if (value.isString()) {
            // A dataset's class list by name, shipped with NameThatTrue.
            const auto named = namedClassList(value.toString());
            if (!named)
                return reader.error(QStringLiteral("classes"), named.error());
            spec.classes = named.value();
        } else if (!value.isArray()) {
            return reader.error(QStringLiteral("classes"),
                Text::tr("must be a list of class names, or the name of a known list (\"imagenet-1k\")"));
        }
        QSet<QString> seen;
        for (const QJsonValue& v : value.isArray() ? value.toArray() : QJsonArray()) {
            if (!v.isString() || v.toString().trimmed().isEmpty())
                return reader.error(QStringLiteral("classes"), Text::tr("must be a list of non-empty class names"));
            const QString name = v.toString().trimmed();
            if (seen.contains(name))
                return reader.error(QStringLiteral("classes"), Text::tr("names \"%1\" twice").arg(name));
            seen.insert(name);
            spec.classes << name;
        }
    }
    if (object.contains(QLatin1String("class_map"))) {
        const QJsonValue value = object.value(QLatin1String("class_map"));
        if (!value.isObject())
            return reader.error(QStringLiteral("class_map"), Text::tr("must be an object of class name: source"));
        const QJsonObject map = value.toObject();
        for (auto it = map.begin(); it != map.end(); ++it) {
            if (!spec.classes.contains(it.key()))
                return reader.error(
                    QStringLiteral("class_map"), Text::tr("maps \"%1\", which is not in \"classes\"").arg(it.key()));
            if (!it.value().isString() || it.value().toString().trimmed().isEmpty())
                return reader.error(
                    QStringLiteral("class_map"), Text::tr("must map \"%1\" to a non-empty name").arg(it.key()));
            spec.classMap.insert(it.key(), it.value().toString().trimmed());
        }
    }
    if (object.contains(QLatin1String("real_source"))) {
        auto real = reader.string(object.value(QLatin1String("real_source")), QStringLiteral("real_source"));
        if (!real)
            return Error { real.error() };
        if (real.value().trimmed().isEmpty())
            return reader.error(QStringLiteral("real_source"), Text::tr("must not be empty"));
        spec.realSource = real.value().trimmed();
    }

    const QString kindName = outputKindName(spec.output);
    if (isClassKind(spec.output)) {
        if (spec.classes.size() < 2)
            return reader.error(QStringLiteral("classes"),
                Text::tr("must list at least 2 class names when the output is \"%1\"").arg(kindName));
    } else if (!spec.classes.isEmpty() || !spec.classMap.isEmpty()) {
        // A class list with a single-value output means the sidecar and the model disagree about
        // what the model gives; better to say so than to read the first value and ignore the rest.
        return reader.error(
            object.contains(QLatin1String("classes")) ? QStringLiteral("classes") : QStringLiteral("class_map"),
            Text::tr("is only used with \"source-classes\" or \"category-classes\" output, not \"%1\"").arg(kindName));
    }
    if (spec.output == OutputKind::SourceClasses && object.contains(QLatin1String("real_source"))) {
        // Named on purpose, the real source must be a class; a classifier over generators alone
        // leaves real_source out and says no P(real).
        bool anyReal = false;
        for (const QString& c : spec.classes)
            anyReal = anyReal || spec.labelOf(c) == spec.realSource;
        if (!anyReal)
            return reader.error(QStringLiteral("real_source"),
                Text::tr("is \"%1\", but no class maps to it (set \"class_map\" or \"real_source\")")
                    .arg(spec.realSource));
    }
    return spec;
}

QByteArray modelSpecToJson(const ModelSpec& spec)
{
    QJsonObject input;
    input.insert(QLatin1String("size"), spec.input.size);
    input.insert(QLatin1String("resize_policy"), spec.input.resizePolicy);
    input.insert(QLatin1String("resize_to"), spec.input.resizeTo);
    input.insert(QLatin1String("mean"), floatArray(spec.input.mean));
    input.insert(QLatin1String("std"), floatArray(spec.input.std));
    input.insert(QLatin1String("channel_order"), spec.input.channelOrder);
    input.insert(QLatin1String("interpolation"), interpolationName(spec.input.interpolation));
    input.insert(QLatin1String("antialias"), spec.input.antialias);

    QJsonObject object;
    if (!spec.name.isEmpty())
        object.insert(QLatin1String("name"), spec.name);
    if (!spec.builtin.isEmpty())
        object.insert(QLatin1String("builtin"), spec.builtin);
    object.insert(QLatin1String("input"), input);
    object.insert(QLatin1String("output"), outputKindName(spec.output));
    if (!spec.outputKey.isEmpty())
        object.insert(QLatin1String("output_key"), spec.outputKey);
    if (spec.outputIndex >= 0)
        object.insert(QLatin1String("output_index"), spec.outputIndex);
    if (spec.maxBatch > 0)
        object.insert(QLatin1String("max_batch"), spec.maxBatch);
    if (!spec.classes.isEmpty())
        object.insert(QLatin1String("classes"), QJsonArray::fromStringList(spec.classes));
    if (!spec.classMap.isEmpty()) {
        QJsonObject map;
        for (auto it = spec.classMap.begin(); it != spec.classMap.end(); ++it)
            map.insert(it.key(), it.value());
        object.insert(QLatin1String("class_map"), map);
    }
    const bool realIsAClass = std::any_of(
        spec.classes.begin(), spec.classes.end(), [&](const QString& c) { return spec.labelOf(c) == spec.realSource; });
    if (spec.output == OutputKind::SourceClasses && realIsAClass)
        object.insert(QLatin1String("real_source"), spec.realSource);
    return QJsonDocument(object).toJson(QJsonDocument::Indented);
}

Result<ModelSpec> loadSidecar(const QString& modelPath, QStringList* warnings)
{
    const QFileInfo info(modelPath);
    const QString besideBase = info.dir().filePath(info.completeBaseName() + QLatin1String(".json"));
    const QString besideFull = modelPath + QLatin1String(".json");

    ModelSpec spec;
    bool found = false;
    for (const QString& candidate : { besideBase, besideFull }) {
        if (!QFileInfo(candidate).isFile())
            continue;
        QFile file(candidate);
        if (!file.open(QIODevice::ReadOnly))
            return Error { Text::tr("%1: cannot read the sidecar (%2)").arg(candidate, file.errorString()) };
        auto parsed = parseModelSpec(file.readAll(), candidate);
        if (!parsed)
            return Error { parsed.error() };
        spec = std::move(parsed).value();
        found = true;
        break;
    }
    if (!found) {
        const QString warning
            = Text::tr("%1: no sidecar (%2); using 224 px, ImageNet mean/std, RGB, and a single 'generated' logit")
                  .arg(modelPath, besideBase);
        qCWarning(lcModels).noquote() << warning;
        if (warnings)
            warnings->append(warning);
    }
    if (spec.name.isEmpty())
        spec.name = info.completeBaseName();
    return spec;
}

} // namespace ntt
