#include "models/splitmaker.h"

#include "study/rng.h"

#include <QCoreApplication>
#include <QStringList>

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <tuple>

namespace ntt {
namespace {

class Text
{
    Q_DECLARE_TR_FUNCTIONS(ntt::SplitMaker)
};

/// Images that must share a split: one pair key's images, or a single image without a pair key.
struct Unit
{
    std::vector<qint64> ids;
    QStringList sources; // sorted, distinct
    QStringList categories; // sorted, distinct
    // Smallest (relativePath, path, id) of the members: a stable order that ignores input order.
    std::tuple<QString, QString, qint64> order;
};

// FNV-1a over the UTF-8 key: a stratum's stream is a function of its name alone, so adding a source
// to the pool does not reshuffle the strata that were already there.
std::uint64_t stableHash(const QString& key)
{
    std::uint64_t h = 0xcbf29ce484222325ULL;
    for (const char c : key.toUtf8()) {
        h ^= static_cast<unsigned char>(c);
        h *= 0x100000001b3ULL;
    }
    return h;
}

} // namespace

Result<SplitRatios> parseSplitRatios(const QString& text)
{
    const QStringList parts = text.trimmed().split(QLatin1Char(':'));
    if (parts.size() != 3)
        return Error {
            Text::tr("split ratios \"%1\": expected three numbers train:val:test, such as 8:1:1 or 1:1:8").arg(text)
        };
    std::array<double, 3> values {};
    for (int i = 0; i < 3; ++i) {
        bool ok = false;
        const double v = parts[i].trimmed().toDouble(&ok);
        if (!ok || !std::isfinite(v))
            return Error { Text::tr("split ratios \"%1\": \"%2\" is not a number").arg(text, parts[i].trimmed()) };
        if (v < 0)
            return Error { Text::tr("split ratios \"%1\": %2 is negative").arg(text, parts[i].trimmed()) };
        values[i] = v;
    }
    if (values[0] + values[1] + values[2] <= 0)
        return Error { Text::tr("split ratios \"%1\": the ratios add up to 0").arg(text) };
    SplitRatios ratios;
    ratios.train = values[0];
    ratios.val = values[1];
    ratios.test = values[2];
    return ratios;
}

QMap<qint64, Split> makeSplits(const std::vector<PoolImage>& images, const SplitRatios& ratios, std::uint64_t seed)
{
    QMap<qint64, Split> result;
    const std::array<double, 3> weights { std::max(0.0, ratios.train), std::max(0.0, ratios.val),
        std::max(0.0, ratios.test) };
    const double weightSum = weights[0] + weights[1] + weights[2];
    if (images.empty() || !(weightSum > 0))
        return result;
    constexpr std::array<Split, 3> splits { Split::Train, Split::Val, Split::Test };

    // Units: keyed by pair key, or by position for images without one.
    std::map<QString, Unit> paired;
    std::vector<Unit> units;
    auto addTo = [](Unit& unit, const PoolImage& image) {
        unit.ids.push_back(image.id);
        if (!unit.sources.contains(image.source))
            unit.sources.append(image.source);
        if (!unit.categories.contains(image.category))
            unit.categories.append(image.category);
        const auto key = std::make_tuple(image.relativePath, image.path, image.id);
        if (unit.ids.size() == 1 || key < unit.order)
            unit.order = key;
    };
    for (const PoolImage& image : images) {
        if (image.pairKey.isEmpty()) {
            units.emplace_back();
            addTo(units.back(), image);
        } else {
            addTo(paired[image.pairKey], image);
        }
    }
    for (auto& entry : paired)
        units.push_back(std::move(entry.second));

    // Strata: a pair spanning sources (real and generated images of one prompt) is one unit of the
    // stratum named by its set of sources and categories, so it is cut together with its likes.
    std::map<QString, std::vector<const Unit*>> strata;
    for (Unit& unit : units) {
        unit.sources.sort();
        unit.categories.sort();
        const QString key
            = unit.sources.join(QLatin1Char(',')) + QLatin1Char('|') + unit.categories.join(QLatin1Char(','));
        strata[key].push_back(&unit);
    }

    // Each split gets the floor or the ceiling of its exact share in every stratum. Which splits
    // get the ceilings is decided by the largest remainder, counted over all strata so far: with a
    // remainder carried from stratum to stratum, many small strata still add up to the ratios
    // (plain per-stratum rounding of 1:1:8 over strata of 3 units would give val and train nothing).
    std::array<double, 3> exactSoFar {};
    std::array<qint64, 3> assignedSoFar {};
    for (auto& [key, members] : strata) {
        std::sort(members.begin(), members.end(), [](const Unit* a, const Unit* b) { return a->order < b->order; });
        Rng rng = Rng::forStream(seed, stableHash(key));
        rng.shuffle(members);

        const auto n = static_cast<qint64>(members.size());
        std::array<qint64, 3> counts {};
        std::array<bool, 3> fractional {};
        qint64 floors = 0;
        for (int s = 0; s < 3; ++s) {
            const double quota = n * weights[s] / weightSum;
            exactSoFar[s] += quota;
            counts[s] = static_cast<qint64>(std::floor(quota + 1e-9));
            fractional[s] = quota - counts[s] > 1e-9;
            floors += counts[s];
        }
        for (qint64 left = n - floors; left > 0; --left) {
            int best = -1;
            double bestDeficit = 0;
            for (int pass = 0; pass < 2 && best < 0; ++pass) {
                for (int s = 0; s < 3; ++s) {
                    // Rounding noise may hide a fraction; the second pass then takes any split.
                    if ((pass == 0 && !fractional[s]) || weights[s] <= 0)
                        continue;
                    const double deficit = exactSoFar[s] - double(assignedSoFar[s] + counts[s]);
                    if (best < 0 || deficit > bestDeficit + 1e-9) {
                        best = s;
                        bestDeficit = deficit;
                    }
                }
            }
            ++counts[best];
            fractional[best] = false;
        }

        qint64 next = 0;
        for (int s = 0; s < 3; ++s) {
            for (qint64 i = 0; i < counts[s]; ++i, ++next) {
                for (const qint64 id : members[static_cast<std::size_t>(next)]->ids)
                    result.insert(id, splits[s]);
            }
            assignedSoFar[s] += counts[s];
        }
    }
    return result;
}

} // namespace ntt
