#include "study/study.h"

#include "study/trial.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>

#include <algorithm>
#include <cmath>

namespace ntt {

namespace {

// A JSON number that is a whole number (compared without converting: a cast of a double beyond
// long long's range is undefined behaviour).
bool isWholeNumber(double d)
{
    return std::isfinite(d) && d == std::floor(d);
}

struct TypeName
{
    TrialType type;
    const char* name;
};
constexpr TypeName kTrialTypes[] = {
    { TrialType::PickReal, "pick-real" },
    { TrialType::PickFake, "pick-fake" },
    { TrialType::RealOrFake, "real-or-fake" },
    { TrialType::WhichSource, "which-source" },
    { TrialType::WhichCategory, "which-category" },
    { TrialType::PickSource, "pick-source" },
};

struct MatchingName
{
    RowMatching matching;
    const char* name;
};
constexpr MatchingName kMatchings[] = {
    { RowMatching::Category, "category" },
    { RowMatching::PairKey, "pair-key" },
    { RowMatching::None, "none" },
};

const QStringList kKnownKeys = {
    QStringLiteral("name"),
    QStringLiteral("trial_type"),
    QStringLiteral("ways"),
    QStringLiteral("choices"),
    QStringLiteral("sources"),
    QStringLiteral("categories"),
    QStringLiteral("matching"),
    QStringLiteral("trials_per_participant"),
    QStringLiteral("practice_trials"),
    QStringLiteral("catch_trials"),
    QStringLiteral("catch_images"),
    QStringLiteral("repeat_trials"),
    QStringLiteral("break_every"),
    QStringLiteral("deadline_ms"),
    QStringLiteral("min_rt_ms"),
    QStringLiteral("feedback"),
    QStringLiteral("confidence"),
    QStringLiteral("marks"),
    QStringLiteral("exposure"),
    QStringLiteral("instructions"),
    QStringLiteral("consent"),
    QStringLiteral("seed"),
    QStringLiteral("normalise"),
    QStringLiteral("background"),
};

// Reads typed keys of one JSON object and remembers the first error, naming the file and the key.
class JsonReader
{
public:
    JsonReader(const QJsonObject& object, QString origin)
        : m_object(object)
        , m_origin(std::move(origin))
    { }

    bool failed() const { return !m_error.isEmpty(); }
    const QString& error() const { return m_error; }

    void fail(const QString& key, const QString& what)
    {
        if (m_error.isEmpty())
            m_error = QStringLiteral("%1: \"%2\" %3").arg(m_origin, key, what);
    }

    void readString(const char* key, QString& out)
    {
        const QJsonValue v = m_object.value(QLatin1String(key));
        if (v.isUndefined())
            return;
        if (!v.isString())
            return fail(QLatin1String(key), QStringLiteral("must be a string"));
        out = v.toString();
    }

    void readBool(const char* key, bool& out)
    {
        const QJsonValue v = m_object.value(QLatin1String(key));
        if (v.isUndefined())
            return;
        if (!v.isBool())
            return fail(QLatin1String(key), QStringLiteral("must be true or false"));
        out = v.toBool();
    }

    void readInt(const char* key, int& out, int min, int max)
    {
        const QJsonValue v = m_object.value(QLatin1String(key));
        if (v.isUndefined())
            return;
        const double d = v.toDouble(-1e300);
        if (!v.isDouble() || !isWholeNumber(d))
            return fail(QLatin1String(key), QStringLiteral("must be a whole number"));
        if (d < min || d > max)
            return fail(
                QLatin1String(key), QStringLiteral("is %1; it must be between %2 and %3").arg(d).arg(min).arg(max));
        out = static_cast<int>(d);
    }

    void readDouble(const char* key, double& out, double min, double max)
    {
        const QJsonValue v = m_object.value(QLatin1String(key));
        if (v.isUndefined())
            return;
        if (!v.isDouble())
            return fail(QLatin1String(key), QStringLiteral("must be a number"));
        const double d = v.toDouble();
        if (!(d >= min && d <= max))
            return fail(
                QLatin1String(key), QStringLiteral("is %1; it must be between %2 and %3").arg(d).arg(min).arg(max));
        out = d;
    }

    void readIntList(const char* key, std::vector<int>& out, int min, int max)
    {
        const QJsonValue v = m_object.value(QLatin1String(key));
        if (v.isUndefined())
            return;
        if (!v.isArray() || v.toArray().isEmpty())
            return fail(QLatin1String(key), QStringLiteral("must be a list of whole numbers"));
        out.clear();
        for (const QJsonValue& item : v.toArray()) {
            const double d = item.toDouble(-1e300);
            if (!item.isDouble() || !isWholeNumber(d))
                return fail(QLatin1String(key), QStringLiteral("must be a list of whole numbers"));
            if (d < min || d > max)
                return fail(QLatin1String(key),
                    QStringLiteral("holds %1; each must be between %2 and %3").arg(d).arg(min).arg(max));
            out.push_back(static_cast<int>(d));
        }
    }

    void readStringList(const char* key, QStringList& out)
    {
        const QJsonValue v = m_object.value(QLatin1String(key));
        if (v.isUndefined())
            return;
        if (!v.isArray())
            return fail(QLatin1String(key), QStringLiteral("must be a list of strings"));
        out.clear();
        for (const QJsonValue& item : v.toArray()) {
            if (!item.isString())
                return fail(QLatin1String(key), QStringLiteral("must be a list of strings"));
            out << item.toString();
        }
    }

private:
    QJsonObject m_object;
    QString m_origin;
    QString m_error;
};

} // namespace

QString trialTypeName(TrialType type)
{
    for (const auto& t : kTrialTypes) {
        if (t.type == type)
            return QLatin1String(t.name);
    }
    return {};
}

std::optional<TrialType> trialTypeFromName(const QString& name)
{
    for (const auto& t : kTrialTypes) {
        if (name == QLatin1String(t.name))
            return t.type;
    }
    return std::nullopt;
}

bool answersWithLabels(TrialType type)
{
    switch (type) {
    case TrialType::PickReal:
    case TrialType::PickFake:
    case TrialType::PickSource:
        return false;
    case TrialType::RealOrFake:
    case TrialType::WhichSource:
    case TrialType::WhichCategory:
        return true;
    }
    return false;
}

int answerOptionCount(const Trial& trial)
{
    switch (trial.type) {
    case TrialType::PickReal:
    case TrialType::PickFake:
    case TrialType::PickSource:
        return trial.ways();
    case TrialType::RealOrFake:
        return 2;
    case TrialType::WhichSource:
    case TrialType::WhichCategory:
        return static_cast<int>(trial.choices.size());
    }
    return 0;
}

QString rowMatchingName(RowMatching matching)
{
    for (const auto& m : kMatchings) {
        if (m.matching == matching)
            return QLatin1String(m.name);
    }
    return {};
}

std::optional<RowMatching> rowMatchingFromName(const QString& name)
{
    for (const auto& m : kMatchings) {
        if (name == QLatin1String(m.name))
            return m.matching;
    }
    return std::nullopt;
}

Result<StudyDefinition> parseStudyDefinition(const QByteArray& json, const QString& origin)
{
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        const int line = json.left(parseError.offset).count('\n') + 1;
        return Error { QStringLiteral("%1: line %2: %3").arg(origin).arg(line).arg(parseError.errorString()) };
    }
    if (!doc.isObject())
        return Error { QStringLiteral("%1: a study definition must be a JSON object").arg(origin) };
    const QJsonObject root = doc.object();
    for (auto it = root.begin(); it != root.end(); ++it) {
        if (!kKnownKeys.contains(it.key())) {
            return Error { QStringLiteral("%1: unknown key \"%2\"; known keys: %3")
                               .arg(origin, it.key(), kKnownKeys.join(QStringLiteral(", "))) };
        }
    }

    StudyDefinition d;
    JsonReader r(root, origin);
    r.readString("name", d.name);
    QString typeName = trialTypeName(d.trialType);
    r.readString("trial_type", typeName);
    if (const auto type = trialTypeFromName(typeName))
        d.trialType = *type;
    else
        r.fail(QStringLiteral("trial_type"),
            QStringLiteral("is \"%1\"; it must be pick-real, pick-fake, real-or-fake, which-source, which-category "
                           "or pick-source")
                .arg(typeName));
    if (answersWithLabels(d.trialType))
        d.ways = 1;
    r.readInt("ways", d.ways, 1, 6);
    r.readInt("choices", d.choices, 0, 1000);
    r.readStringList("sources", d.sources);
    r.readStringList("categories", d.categories);
    QString matchingName = rowMatchingName(d.matching);
    r.readString("matching", matchingName);
    if (const auto matching = rowMatchingFromName(matchingName))
        d.matching = *matching;
    else
        r.fail(QStringLiteral("matching"),
            QStringLiteral("is \"%1\"; it must be category, pair-key or none").arg(matchingName));
    r.readInt("trials_per_participant", d.trialsPerParticipant, 1, 10000);
    r.readInt("practice_trials", d.practiceTrials, 0, 1000);
    r.readInt("catch_trials", d.catchTrials, 0, 1000);
    r.readStringList("catch_images", d.catchImages);
    r.readInt("repeat_trials", d.repeatTrials, 0, 10000);
    r.readInt("break_every", d.breakEvery, 0, 10000);
    r.readInt("deadline_ms", d.deadlineMs, 0, 600000);
    r.readInt("min_rt_ms", d.minRtMs, 0, 60000);
    r.readBool("feedback", d.feedback);
    r.readBool("confidence", d.confidence);
    r.readString("instructions", d.instructions);
    r.readString("consent", d.consent);

    const QJsonValue seed = root.value(QStringLiteral("seed"));
    if (seed.isString()) {
        bool ok = false;
        d.seed = seed.toString().toULongLong(&ok);
        if (!ok)
            r.fail(QStringLiteral("seed"), QStringLiteral("must be a whole number from 0 to 18446744073709551615"));
    } else if (seed.isDouble()) {
        const double s = seed.toDouble();
        if (s < 0 || s > 9007199254740992.0 || s != static_cast<double>(static_cast<std::uint64_t>(s)))
            r.fail(QStringLiteral("seed"), QStringLiteral("must be a whole number (write larger seeds as a string)"));
        else
            d.seed = static_cast<std::uint64_t>(s);
    } else if (!seed.isUndefined()) {
        r.fail(QStringLiteral("seed"), QStringLiteral("must be a whole number"));
    }

    const QJsonValue norm = root.value(QStringLiteral("normalise"));
    if (norm.isObject()) {
        JsonReader n(norm.toObject(), origin + QStringLiteral(": normalise"));
        d.normalisation.enabled = true;
        n.readInt("size", d.normalisation.size, 16, 4096);
        n.readString("format", d.normalisation.format);
        n.readInt("quality", d.normalisation.quality, 1, 100);
        QString filterText;
        n.readString("filter", filterText);
        if (n.failed())
            return Error { n.error() };
        const auto filter = parseFrequencyFilter(filterText);
        if (!filter)
            return Error { QStringLiteral("%1: normalise: %2").arg(origin, filter.error()) };
        d.normalisation.filter = filter.value();
    } else if (!norm.isUndefined() && !norm.isNull() && !(norm.isBool() && !norm.toBool())) {
        r.fail(
            QStringLiteral("normalise"), QStringLiteral("must be an object {size, format, quality, filter} or false"));
    }

    const QJsonValue marks = root.value(QStringLiteral("marks"));
    if (marks.isObject()) {
        JsonReader m(marks.toObject(), origin + QStringLiteral(": marks"));
        d.marks.points = 3;
        m.readInt("points", d.marks.points, 1, 20);
        m.readStringList("reasons", d.marks.reasons);
        m.readDouble("kernel_sigma_px", d.marks.kernelSigmaPx, 0.5, 1000.0);
        if (m.failed())
            return Error { m.error() };
    } else if (!marks.isUndefined() && !marks.isNull() && !(marks.isBool() && !marks.toBool())) {
        r.fail(
            QStringLiteral("marks"), QStringLiteral("must be an object {points, reasons, kernel_sigma_px} or false"));
    }

    const QJsonValue exposure = root.value(QStringLiteral("exposure"));
    if (exposure.isObject()) {
        const QString where = origin + QStringLiteral(": exposure");
        JsonReader e(exposure.toObject(), where);
        e.readIntList("frames", d.exposure.frames, 1, 600);
        e.readInt("mask_frames", d.exposure.maskFrames, 0, 600);
        const QJsonValue stair = exposure.toObject().value(QStringLiteral("staircase"));
        if (stair.isObject()) {
            JsonReader s(stair.toObject(), where + QStringLiteral(": staircase"));
            StaircaseOptions& o = d.exposure.staircase;
            o.enabled = true;
            s.readInt("start_frames", o.startFrames, 1, 600);
            s.readInt("min_frames", o.minFrames, 1, 600);
            s.readInt("max_frames", o.maxFrames, 1, 600);
            s.readIntList("step_frames", o.stepFrames, 1, 600);
            s.readInt("down", o.down, 1, 8);
            s.readInt("up", o.up, 1, 8);
            s.readBool("initial_rule", o.initialRule);
            s.readInt("threshold_reversals", o.thresholdReversals, 1, 100);
            if (s.failed())
                return Error { s.error() };
        } else if (!stair.isUndefined()) {
            e.fail(QStringLiteral("staircase"),
                QStringLiteral("must be an object {start_frames, min_frames, max_frames, step_frames, down, up, "
                               "initial_rule, threshold_reversals}"));
        }
        if (e.failed())
            return Error { e.error() };
        if (!d.exposure.enabled())
            return Error {
                QStringLiteral("%1: give \"frames\" (a list of exposures in frames) or a \"staircase\"").arg(where)
            };
    } else if (!exposure.isUndefined() && !exposure.isNull() && !(exposure.isBool() && !exposure.toBool())) {
        r.fail(QStringLiteral("exposure"),
            QStringLiteral("must be an object {frames or staircase, mask_frames} or false"));
    }

    QString backgroundText = d.background.name();
    r.readString("background", backgroundText);
    if (const auto background = parseBackground(backgroundText))
        d.background = background.value();
    else
        r.fail(QStringLiteral("background"),
            QStringLiteral("is \"%1\"; write a colour as #rrggbb (e.g. #ffffff), white, black or grey")
                .arg(backgroundText));

    if (r.failed())
        return Error { r.error() };
    const Status valid = validateStudyDefinition(d);
    if (!valid)
        return Error { QStringLiteral("%1: %2").arg(origin, valid.error()) };
    return d;
}

QByteArray studyDefinitionToJson(const StudyDefinition& d)
{
    QJsonObject o;
    o.insert(QStringLiteral("name"), d.name);
    o.insert(QStringLiteral("trial_type"), trialTypeName(d.trialType));
    o.insert(QStringLiteral("ways"), d.ways);
    if (d.trialType == TrialType::WhichCategory)
        o.insert(QStringLiteral("choices"), d.choices);
    o.insert(QStringLiteral("sources"), QJsonArray::fromStringList(d.sources));
    o.insert(QStringLiteral("categories"), QJsonArray::fromStringList(d.categories));
    o.insert(QStringLiteral("matching"), rowMatchingName(d.matching));
    o.insert(QStringLiteral("trials_per_participant"), d.trialsPerParticipant);
    o.insert(QStringLiteral("practice_trials"), d.practiceTrials);
    o.insert(QStringLiteral("catch_trials"), d.catchTrials);
    o.insert(QStringLiteral("catch_images"), QJsonArray::fromStringList(d.catchImages));
    if (d.repeatTrials > 0)
        o.insert(QStringLiteral("repeat_trials"), d.repeatTrials);
    o.insert(QStringLiteral("break_every"), d.breakEvery);
    o.insert(QStringLiteral("deadline_ms"), d.deadlineMs);
    o.insert(QStringLiteral("min_rt_ms"), d.minRtMs);
    o.insert(QStringLiteral("feedback"), d.feedback);
    o.insert(QStringLiteral("confidence"), d.confidence);
    if (d.marks.points > 0)
        o.insert(QStringLiteral("marks"),
            QJsonObject { { QStringLiteral("points"), d.marks.points },
                { QStringLiteral("reasons"), QJsonArray::fromStringList(d.marks.reasons) },
                { QStringLiteral("kernel_sigma_px"), d.marks.kernelSigmaPx } });
    if (d.exposure.enabled()) {
        QJsonObject e;
        const auto ints = [](const std::vector<int>& values) {
            QJsonArray a;
            for (int v : values)
                a.append(v);
            return a;
        };
        if (d.exposure.staircase.enabled) {
            const StaircaseOptions& s = d.exposure.staircase;
            e.insert(QStringLiteral("staircase"),
                QJsonObject { { QStringLiteral("start_frames"), s.startFrames },
                    { QStringLiteral("min_frames"), s.minFrames }, { QStringLiteral("max_frames"), s.maxFrames },
                    { QStringLiteral("step_frames"), ints(s.stepFrames) }, { QStringLiteral("down"), s.down },
                    { QStringLiteral("up"), s.up }, { QStringLiteral("initial_rule"), s.initialRule },
                    { QStringLiteral("threshold_reversals"), s.thresholdReversals } });
        } else {
            e.insert(QStringLiteral("frames"), ints(d.exposure.frames));
        }
        e.insert(QStringLiteral("mask_frames"), d.exposure.maskFrames);
        o.insert(QStringLiteral("exposure"), e);
    }
    o.insert(QStringLiteral("instructions"), d.instructions);
    o.insert(QStringLiteral("consent"), d.consent);
    // A string keeps all 64 bits; JSON numbers are doubles.
    o.insert(QStringLiteral("seed"), QString::number(d.seed));
    if (d.normalisation.enabled) {
        QJsonObject n;
        n.insert(QStringLiteral("size"), d.normalisation.size);
        n.insert(QStringLiteral("format"), d.normalisation.format);
        n.insert(QStringLiteral("quality"), d.normalisation.quality);
        if (d.normalisation.filter.enabled()) {
            const FrequencyFilter& f = d.normalisation.filter;
            n.insert(QStringLiteral("filter"),
                f.kind == FrequencyFilter::Kind::BandPass
                    ? QStringLiteral("band:%1-%2").arg(f.cutoff).arg(f.upper)
                    : QStringLiteral("%1:%2")
                          .arg(
                              f.kind == FrequencyFilter::Kind::LowPass ? QStringLiteral("low") : QStringLiteral("high"))
                          .arg(f.cutoff));
        }
        o.insert(QStringLiteral("normalise"), n);
    }
    o.insert(QStringLiteral("background"), d.background.name());
    return QJsonDocument(o).toJson(QJsonDocument::Indented);
}

int ExposureOptions::longestFrames() const
{
    if (staircase.enabled)
        return staircase.maxFrames;
    return frames.empty() ? 0 : *std::max_element(frames.begin(), frames.end());
}

Status validateStudyDefinition(const StudyDefinition& d)
{
    if (d.name.trimmed().isEmpty())
        return Error { QStringLiteral("the study needs a name") };
    switch (d.trialType) {
    case TrialType::PickReal:
    case TrialType::PickFake:
        if (d.ways < 2 || d.ways > 6)
            return Error { QStringLiteral("\"ways\" is %1; %2 trials show 2 to 6 images")
                               .arg(d.ways)
                               .arg(trialTypeName(d.trialType)) };
        break;
    case TrialType::RealOrFake:
    case TrialType::WhichSource:
    case TrialType::WhichCategory:
        if (d.ways != 1)
            return Error {
                QStringLiteral("\"ways\" is %1; %2 trials show one image").arg(d.ways).arg(trialTypeName(d.trialType))
            };
        break;
    case TrialType::PickSource:
        if (d.ways != 2)
            return Error { QStringLiteral("\"ways\" is %1; pick-source trials show two images, one from each of two "
                                          "generated sources")
                               .arg(d.ways) };
        break;
    }
    if (d.choices != 0 && d.trialType != TrialType::WhichCategory)
        return Error { QStringLiteral("\"choices\" is %1 but only which-category trials offer a number of names; "
                                      "leave it out for %2 trials")
                           .arg(d.choices)
                           .arg(trialTypeName(d.trialType)) };
    if (d.choices == 1)
        return Error { QStringLiteral("\"choices\" is 1; a which-category trial offers at least 2 names (or 0 for "
                                      "every category)") };
    if (d.catchTrials > 0 && d.catchImages.isEmpty())
        return Error { QStringLiteral(
            "\"catch_trials\" is %1 but no \"catch_images\" are marked; list the images to use for attention checks")
                           .arg(d.catchTrials) };
    if (d.repeatTrials > d.trialsPerParticipant)
        return Error { QStringLiteral("\"repeat_trials\" is %1 but there are only %2 main trials to repeat")
                           .arg(d.repeatTrials)
                           .arg(d.trialsPerParticipant) };
    if (d.deadlineMs > 0 && d.minRtMs >= d.deadlineMs)
        return Error {
            QStringLiteral("\"min_rt_ms\" (%1) must be below \"deadline_ms\" (%2)").arg(d.minRtMs).arg(d.deadlineMs)
        };
    if (d.normalisation.enabled) {
        const QString f = d.normalisation.format;
        if (f != QLatin1String("jpeg") && f != QLatin1String("png"))
            return Error { QStringLiteral("normalise format is \"%1\"; it must be jpeg or png").arg(f) };
    }
    if (d.marks.points > 0 && (d.trialType == TrialType::WhichSource || d.trialType == TrialType::WhichCategory))
        return Error { QStringLiteral("\"marks\" are asked after a \"generated\" answer or a pick; %1 trials have "
                                      "neither, so leave \"marks\" out")
                           .arg(trialTypeName(d.trialType)) };
    if (d.marks.reasons.size() > 9)
        return Error {
            QStringLiteral("\"marks\" offers %1 reasons; at most 9 fit the keys 1 to 9").arg(d.marks.reasons.size())
        };
    if (d.exposure.staircase.enabled) {
        const StaircaseOptions& s = d.exposure.staircase;
        if (!d.exposure.frames.empty())
            return Error { QStringLiteral("\"exposure\" has both \"frames\" and a \"staircase\"; the staircase chooses "
                                          "the frames, so give one") };
        if (s.minFrames > s.maxFrames || s.startFrames < s.minFrames || s.startFrames > s.maxFrames)
            return Error { QStringLiteral("the exposure staircase starts at %1 frames, outside its range %2 to %3")
                               .arg(s.startFrames)
                               .arg(s.minFrames)
                               .arg(s.maxFrames) };
        if (s.stepFrames.empty())
            return Error { QStringLiteral("the exposure staircase needs at least one step size (\"step_frames\")") };
    }
    QSet<QString> seen;
    for (const QString& s : d.sources) {
        if (seen.contains(s))
            return Error { QStringLiteral("source \"%1\" is listed twice").arg(s) };
        seen.insert(s);
    }
    return {};
}

} // namespace ntt
