#include "analysis/imagebrowser.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace ntt {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

struct OutcomeName
{
    Outcome outcome;
    const char* name;
    const char* label;
};
constexpr OutcomeName kOutcomes[] = {
    { Outcome::Any, "any", "Any outcome" },
    { Outcome::BothRight, "both-right", "People and model right" },
    { Outcome::PeopleWrongModelRight, "people-wrong-model-right", "People wrong, model right" },
    { Outcome::PeopleRightModelWrong, "people-right-model-wrong", "People right, model wrong" },
    { Outcome::BothWrong, "both-wrong", "People and model wrong" },
};

double peopleShare(const BrowserImage& image)
{
    return image.people.trials > 0 ? image.people.shareCorrect() : kNaN;
}

double pRealOf(const BrowserImage& image, const QString& model)
{
    const auto it = image.pReal.constFind(model);
    return it == image.pReal.cend() ? kNaN : double(*it);
}

bool within(double v, double low, double high)
{
    if (std::isnan(v))
        return low <= 0.0 && high >= 1.0;
    // P(real) is stored as a float: 0.9f is 0.89999998, and a range starting at 0.9 keeps it.
    constexpr double kFloatSlack = 1e-6;
    return v >= low - kFloatSlack && v <= high + kFloatSlack;
}

} // namespace

QString outcomeName(Outcome outcome)
{
    for (const OutcomeName& o : kOutcomes) {
        if (o.outcome == outcome)
            return QString::fromLatin1(o.name);
    }
    return {};
}

QString outcomeLabel(Outcome outcome)
{
    for (const OutcomeName& o : kOutcomes) {
        if (o.outcome == outcome)
            return QString::fromLatin1(o.label);
    }
    return {};
}

std::optional<Outcome> outcomeFromName(const QString& name)
{
    for (const OutcomeName& o : kOutcomes) {
        if (name.compare(QLatin1String(o.name), Qt::CaseInsensitive) == 0)
            return o.outcome;
    }
    return std::nullopt;
}

std::optional<Outcome> outcomeOf(const BrowserImage& image, const QString& model)
{
    const double share = peopleShare(image);
    const double p = pRealOf(image, model);
    if (std::isnan(share) || std::isnan(p))
        return std::nullopt;
    const bool peopleRight = share >= 0.5;
    const bool modelRight = (p >= 0.5) == image.real;
    if (peopleRight)
        return modelRight ? Outcome::BothRight : Outcome::PeopleRightModelWrong;
    return modelRight ? Outcome::PeopleWrongModelRight : Outcome::BothWrong;
}

double hardness(const BrowserImage& image, const QString& model)
{
    std::vector<double> p;
    const auto classes = image.classProbabilities.constFind(model);
    if (classes != image.classProbabilities.cend() && !classes->empty()) {
        p.assign(classes->begin(), classes->end());
    } else {
        const double r = pRealOf(image, model);
        if (std::isnan(r))
            return kNaN;
        p = { r, 1.0 - r };
    }
    double h = 0.0;
    for (double q : p) {
        if (q > 0.0)
            h -= q * std::log2(q);
    }
    return h;
}

QString browserSortName(BrowserSort sort)
{
    switch (sort) {
    case BrowserSort::Id:
        return QStringLiteral("id");
    case BrowserSort::PeopleAccuracy:
        return QStringLiteral("people");
    case BrowserSort::PReal:
        return QStringLiteral("p-real");
    case BrowserSort::Hardness:
        return QStringLiteral("hardness");
    }
    return {};
}

std::optional<BrowserSort> browserSortFromName(const QString& name)
{
    for (BrowserSort s : { BrowserSort::Id, BrowserSort::PeopleAccuracy, BrowserSort::PReal, BrowserSort::Hardness }) {
        if (name.compare(browserSortName(s), Qt::CaseInsensitive) == 0)
            return s;
    }
    return std::nullopt;
}

ConfusionMatrix confusionMatrix(const std::vector<BrowserImage>& images, const std::vector<int>& subset,
    const QString& model, const ModelSpec& spec)
{
    const bool multiClass = spec.classes.size() > 1
        && (spec.output == OutputKind::SourceClasses || spec.output == OutputKind::CategoryClasses);
    const QString real = QStringLiteral("real");
    const QString generated = QStringLiteral("generated");
    std::vector<std::pair<int, std::pair<QString, QString>>> labelled; // index, (truth, answer)
    for (int i : subset) {
        const BrowserImage& b = images[std::size_t(i)];
        if (multiClass) {
            const auto p = b.classProbabilities.constFind(model);
            if (p == b.classProbabilities.cend() || p->size() != std::size_t(spec.classes.size()))
                continue;
            const int best = int(std::max_element(p->begin(), p->end()) - p->begin());
            const QString& cls = spec.classes[best];
            const QString answer = spec.labelOf(cls);
            const QString truth = spec.output == OutputKind::SourceClasses ? b.image.source : b.image.category;
            labelled.push_back({ i, { truth, answer } });
        } else {
            const auto p = b.pReal.constFind(model);
            if (p == b.pReal.cend())
                continue;
            labelled.push_back({ i, { b.real ? real : generated, *p >= 0.5f ? real : generated } });
        }
    }
    ConfusionMatrix m;
    for (const auto& l : labelled) {
        if (!m.truths.contains(l.second.first))
            m.truths << l.second.first;
        if (!m.answers.contains(l.second.second))
            m.answers << l.second.second;
    }
    if (!multiClass) {
        m.truths = QStringList { real, generated };
        m.answers = m.truths;
    }
    m.truths.sort();
    m.answers.sort();
    m.cells.assign(std::size_t(m.truths.size()), std::vector<std::vector<int>>(std::size_t(m.answers.size())));
    for (const auto& l : labelled)
        m.cells[std::size_t(m.truths.indexOf(l.second.first))][std::size_t(m.answers.indexOf(l.second.second))]
            .push_back(l.first);
    return m;
}

std::vector<int> filterImages(
    const std::vector<BrowserImage>& images, const BrowserFilter& f, BrowserSort sort, bool descending)
{
    std::vector<int> kept;
    for (int i = 0; i < int(images.size()); ++i) {
        const BrowserImage& b = images[std::size_t(i)];
        if (!f.category.isEmpty() && b.image.category != f.category)
            continue;
        if (!f.source.isEmpty() && b.image.source != f.source)
            continue;
        if (!f.tag.isEmpty() && !b.tags.contains(f.tag))
            continue;
        if (!within(peopleShare(b), f.peopleMin, f.peopleMax))
            continue;
        if (!within(pRealOf(b, f.model), f.pRealMin, f.pRealMax))
            continue;
        if (f.outcome != Outcome::Any) {
            const auto o = outcomeOf(b, f.model);
            if (!o || *o != f.outcome)
                continue;
        }
        kept.push_back(i);
    }
    auto key = [&](int i) {
        const BrowserImage& b = images[std::size_t(i)];
        switch (sort) {
        case BrowserSort::Id:
            return double(b.image.id);
        case BrowserSort::PeopleAccuracy:
            return peopleShare(b);
        case BrowserSort::PReal:
            return pRealOf(b, f.model);
        case BrowserSort::Hardness:
            return hardness(b, f.model);
        }
        return 0.0;
    };
    std::vector<double> keys(images.size(), 0.0);
    for (int i : kept)
        keys[std::size_t(i)] = key(i);
    // Images without a value go last in either direction; ties by id.
    std::stable_sort(kept.begin(), kept.end(), [&](int a, int b) {
        const double ka = keys[std::size_t(a)];
        const double kb = keys[std::size_t(b)];
        if (std::isnan(ka) != std::isnan(kb))
            return std::isnan(kb);
        if (!std::isnan(ka) && ka != kb)
            return descending ? ka > kb : ka < kb;
        return images[std::size_t(a)].image.id < images[std::size_t(b)].image.id;
    });
    return kept;
}

} // namespace ntt
