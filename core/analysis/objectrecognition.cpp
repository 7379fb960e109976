#include "analysis/objectrecognition.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>

#include <algorithm>
#include <map>
#include <numeric>

namespace ntt {

std::vector<RankedClass> rankClasses(const std::vector<double>& probabilities, const ModelSpec& spec, int k)
{
    if (probabilities.size() != static_cast<std::size_t>(spec.classes.size()))
        return {};
    std::vector<int> order(probabilities.size());
    std::iota(order.begin(), order.end(), 0);
    const auto shown = std::min<std::size_t>(static_cast<std::size_t>(std::max(k, 0)), order.size());
    // Ties keep the lower index first: a fixed rule, so a table never depends on the sort.
    std::partial_sort(
        order.begin(), order.begin() + static_cast<std::ptrdiff_t>(shown), order.end(), [&](int a, int b) {
            const double pa = probabilities[std::size_t(a)];
            const double pb = probabilities[std::size_t(b)];
            return pa != pb ? pa > pb : a < b;
        });
    std::vector<RankedClass> top;
    for (std::size_t i = 0; i < shown; ++i) {
        const int index = order[i];
        const QString name = spec.classes.at(index);
        top.push_back(RankedClass { index, name, spec.labelOf(name), probabilities[std::size_t(index)] });
    }
    return top;
}

std::vector<RankedClass> topClasses(const PredictionRow& row, const ModelSpec& spec, int k)
{
    if (!row.error.isEmpty() || row.classProbabilities.isEmpty())
        return {};
    std::vector<double> probabilities;
    for (const QJsonValue& v : QJsonDocument::fromJson(row.classProbabilities.toUtf8()).array())
        probabilities.push_back(v.toDouble());
    return rankClasses(probabilities, spec, k);
}

std::vector<CategoryRecognition> recognitionByCategory(const std::vector<PredictionRow>& rows, const ModelSpec& spec)
{
    QSet<QString> reachable;
    for (const QString& c : spec.classes)
        reachable.insert(spec.labelOf(c));
    struct Tally
    {
        int images = 0;
        int top1 = 0;
        int top5 = 0;
    };
    std::map<QString, Tally> byCategory;
    for (const PredictionRow& row : rows) {
        const std::vector<RankedClass> top = topClasses(row, spec, 5);
        if (top.empty())
            continue;
        Tally& t = byCategory[row.image.category];
        ++t.images;
        const QString& truth = row.image.category;
        t.top1 += top.front().category == truth ? 1 : 0;
        t.top5
            += std::any_of(top.begin(), top.end(), [&](const RankedClass& c) { return c.category == truth; }) ? 1 : 0;
    }
    std::vector<CategoryRecognition> result;
    for (const auto& [category, t] : byCategory) {
        CategoryRecognition r;
        r.category = category;
        r.images = t.images;
        r.top1 = wilsonInterval(t.top1, t.images);
        r.top5 = wilsonInterval(t.top5, t.images);
        r.mapped = reachable.contains(category);
        result.push_back(r);
    }
    return result;
}

} // namespace ntt
