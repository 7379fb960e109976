#include "study/trialgenerator.h"

#include "study/rng.h"

#include <QHash>
#include <QSet>

#include <algorithm>
#include <map>

namespace ntt {

namespace {

// Images of one row-matching group, split by source; indices point into the sorted pool.
struct Group
{
    QString key;
    std::vector<int> reals;
    std::map<QString, std::vector<int>> generatedBySource; // ordered for determinism
    int generatedCount() const
    {
        int n = 0;
        for (const auto& [source, images] : generatedBySource)
            n += static_cast<int>(images.size());
        return n;
    }
};

QString groupKey(const PoolImage& image, RowMatching matching)
{
    switch (matching) {
    case RowMatching::Category:
        return image.category;
    case RowMatching::PairKey:
        return image.pairKey;
    case RowMatching::None:
        break;
    }
    return {};
}

// Draws rows for one block of trials. Tracks which images this participant has seen, so repeats
// happen only when every candidate was already shown.
class RowBuilder
{
public:
    RowBuilder(const std::vector<const PoolImage*>& images, const std::vector<int>& candidates,
        const QString& realSource, RowMatching matching, TrialType type, int ways, Rng& rng, QSet<int>& shown)
        : m_images(images)
        , m_type(type)
        , m_ways(ways)
        , m_rng(rng)
        , m_shown(shown)
    {
        std::map<QString, Group> groups;
        for (int i : candidates) {
            const PoolImage& image = *images[i];
            if (matching == RowMatching::PairKey && image.pairKey.isEmpty())
                continue;
            Group& g = groups[groupKey(image, matching)];
            g.key = groupKey(image, matching);
            if (image.source == realSource)
                g.reals.push_back(i);
            else
                g.generatedBySource[image.source].push_back(i);
        }
        for (auto& [key, group] : groups) {
            if (feasible(group))
                m_groups.push_back(std::move(group));
        }
    }

    bool empty() const { return m_groups.empty(); }
    int repeats() const { return m_repeats; }
    int groupCount() const { return static_cast<int>(m_groups.size()); }

    // Builds one row whose answer key is `target`: the correct position for pick trials, or
    // 0 = real / 1 = fake for real-or-fake.
    std::vector<int> nextRow(int target)
    {
        Group& g = nextGroup(target);
        switch (m_type) {
        case TrialType::PickReal: {
            std::vector<int> row = pickGenerated(g, m_ways - 1);
            row.insert(row.begin() + target, pickFrom(g.reals));
            return row;
        }
        case TrialType::PickFake: {
            std::vector<int> row;
            for (int i = 0; i < m_ways - 1; ++i)
                row.push_back(pickFrom(g.reals, row));
            row.insert(row.begin() + target, pickGenerated(g, 1).front());
            return row;
        }
        case TrialType::RealOrFake:
            return { target == 0 ? pickFrom(g.reals) : pickGenerated(g, 1).front() };
        }
        return {};
    }

private:
    int realsNeeded() const
    {
        switch (m_type) {
        case TrialType::PickReal:
            return 1;
        case TrialType::PickFake:
            return m_ways - 1;
        case TrialType::RealOrFake:
            return 0;
        }
        return 0;
    }
    int generatedNeeded() const
    {
        switch (m_type) {
        case TrialType::PickReal:
            return m_ways - 1;
        case TrialType::PickFake:
            return 1;
        case TrialType::RealOrFake:
            return 0;
        }
        return 0;
    }

    bool feasible(const Group& g) const
    {
        if (m_type == TrialType::RealOrFake)
            return !g.reals.empty() || g.generatedCount() > 0;
        return static_cast<int>(g.reals.size()) >= realsNeeded() && g.generatedCount() >= generatedNeeded();
    }

    bool canServe(const Group& g, int target, bool unshownOnly) const
    {
        auto available = [&](const std::vector<int>& v) {
            if (!unshownOnly)
                return static_cast<int>(v.size());
            return static_cast<int>(std::count_if(v.begin(), v.end(), [&](int i) { return !m_shown.contains(i); }));
        };
        int gens = 0;
        for (const auto& [source, images] : g.generatedBySource)
            gens += available(images);
        if (m_type == TrialType::RealOrFake)
            return target == 0 ? available(g.reals) > 0 : gens > 0;
        return available(g.reals) >= realsNeeded() && gens >= generatedNeeded();
    }

    // Groups are visited in a shuffled cycle so categories stay balanced; a group whose images
    // were all shown is skipped while another one still has fresh images.
    Group& nextGroup(int target)
    {
        for (bool unshownOnly : { true, false }) {
            for (std::size_t attempt = 0; attempt < m_groups.size(); ++attempt) {
                if (m_cycle.empty()) {
                    m_cycle.resize(m_groups.size());
                    for (std::size_t i = 0; i < m_groups.size(); ++i)
                        m_cycle[i] = static_cast<int>(i);
                    m_rng.shuffle(m_cycle);
                }
                // Look ahead through the current cycle for a group that can serve this row.
                for (std::size_t c = 0; c < m_cycle.size(); ++c) {
                    Group& g = m_groups[m_cycle[c]];
                    if (canServe(g, target, unshownOnly)) {
                        m_cycle.erase(m_cycle.begin() + static_cast<std::ptrdiff_t>(c));
                        return g;
                    }
                }
                m_cycle.clear();
            }
        }
        // Not reached for feasible groups; real-or-fake groups may lack one side.
        for (Group& g : m_groups) {
            if (canServe(g, target, false))
                return g;
        }
        return m_groups.front();
    }

    // Picks an image not yet shown to this participant (and not already in `row`) when there is one.
    int pickFrom(const std::vector<int>& candidates, const std::vector<int>& row = {})
    {
        std::vector<int> fresh;
        for (int i : candidates) {
            if (!m_shown.contains(i) && std::find(row.begin(), row.end(), i) == row.end())
                fresh.push_back(i);
        }
        int chosen;
        if (!fresh.empty()) {
            chosen = fresh[m_rng.below(fresh.size())];
        } else {
            std::vector<int> notInRow;
            for (int i : candidates) {
                if (std::find(row.begin(), row.end(), i) == row.end())
                    notInRow.push_back(i);
            }
            const auto& from = notInRow.empty() ? candidates : notInRow;
            chosen = from[m_rng.below(from.size())];
            ++m_repeats;
        }
        m_shown.insert(chosen);
        return chosen;
    }

    // Picks `count` generated images, from distinct generators while distinct ones with fresh
    // images remain, then from any generator.
    std::vector<int> pickGenerated(Group& g, int count)
    {
        std::vector<QString> sources;
        for (const auto& [source, images] : g.generatedBySource)
            sources.push_back(source);
        m_rng.shuffle(sources);
        auto freshCount = [&](const QString& s) {
            const auto& v = g.generatedBySource[s];
            return std::count_if(v.begin(), v.end(), [&](int i) { return !m_shown.contains(i); });
        };
        // Sources with fresh images first, keeping the shuffled order otherwise.
        std::stable_sort(sources.begin(), sources.end(),
            [&](const QString& a, const QString& b) { return (freshCount(a) > 0) > (freshCount(b) > 0); });

        std::vector<int> row;
        std::vector<int> all;
        for (const auto& [source, images] : g.generatedBySource)
            all.insert(all.end(), images.begin(), images.end());
        for (int k = 0; k < count; ++k) {
            if (k < static_cast<int>(sources.size()))
                row.push_back(pickFrom(g.generatedBySource[sources[k]], row));
            else
                row.push_back(pickFrom(all, row));
        }
        return row;
    }

    const std::vector<const PoolImage*>& m_images;
    TrialType m_type;
    int m_ways;
    Rng& m_rng;
    QSet<int>& m_shown;
    std::vector<Group> m_groups;
    std::vector<int> m_cycle;
    int m_repeats = 0;
};

// Answer keys balanced across a block: each of `options` values equally often (the remainder at
// random), in random order.
std::vector<int> balancedTargets(int count, int options, Rng& rng)
{
    std::vector<int> extra(options);
    for (int i = 0; i < options; ++i)
        extra[i] = i;
    rng.shuffle(extra);
    std::vector<int> targets;
    for (int i = 0; i < count; ++i)
        targets.push_back(i < count - count % options ? i % options : extra[i % options]);
    rng.shuffle(targets);
    return targets;
}

int targetOptions(TrialType type, int ways)
{
    return type == TrialType::RealOrFake ? 2 : ways;
}

} // namespace

Result<TrialList> generateTrials(const StudyDefinition& definition, const std::vector<PoolImage>& pool,
    const QString& realSource, int participantIndex)
{
    const Status valid = validateStudyDefinition(definition);
    if (!valid)
        return Error { valid.error() };
    if (participantIndex < 0)
        return Error { QStringLiteral("participant index %1 is negative").arg(participantIndex) };

    // Sort by relative path (then hash) so the list does not depend on database ids or import order.
    std::vector<const PoolImage*> images;
    images.reserve(pool.size());
    for (const PoolImage& image : pool)
        images.push_back(&image);
    std::sort(images.begin(), images.end(), [](const PoolImage* a, const PoolImage* b) {
        return a->relativePath != b->relativePath ? a->relativePath < b->relativePath : a->sha256 < b->sha256;
    });

    QSet<QString> poolSources;
    QSet<QString> poolCategories;
    QHash<QString, int> byRelativePath;
    for (int i = 0; i < static_cast<int>(images.size()); ++i) {
        poolSources.insert(images[i]->source);
        poolCategories.insert(images[i]->category);
        byRelativePath.insert(images[i]->relativePath, i);
    }
    for (const QString& s : definition.sources) {
        if (!poolSources.contains(s))
            return Error { QStringLiteral("source \"%1\" is not in the pool").arg(s) };
    }
    for (const QString& c : definition.categories) {
        if (!poolCategories.contains(c))
            return Error { QStringLiteral("category \"%1\" is not in the pool").arg(c) };
    }
    if (!poolSources.contains(realSource))
        return Error { QStringLiteral("the real source \"%1\" has no images in the pool").arg(realSource) };
    if (!definition.sources.isEmpty() && !definition.sources.contains(realSource))
        return Error { QStringLiteral("the study's sources must include the real source \"%1\"").arg(realSource) };

    QSet<int> catchSet;
    for (const QString& path : definition.catchImages) {
        const auto it = byRelativePath.constFind(path);
        if (it == byRelativePath.constEnd())
            return Error { QStringLiteral("catch image \"%1\" is not in the pool").arg(path) };
        catchSet.insert(*it);
    }

    std::vector<int> candidates;
    for (int i = 0; i < static_cast<int>(images.size()); ++i) {
        const PoolImage& image = *images[i];
        if (catchSet.contains(i))
            continue;
        if (!definition.sources.isEmpty() && !definition.sources.contains(image.source))
            continue;
        if (!definition.categories.isEmpty() && !definition.categories.contains(image.category))
            continue;
        candidates.push_back(i);
    }

    // Real-or-fake rows are balanced between real and generated answers: both kinds must exist.
    auto bothKinds = [&](const std::vector<int>& indices) {
        const bool real
            = std::any_of(indices.begin(), indices.end(), [&](int i) { return images[i]->source == realSource; });
        const bool generated
            = std::any_of(indices.begin(), indices.end(), [&](int i) { return images[i]->source != realSource; });
        return real && generated;
    };
    if (definition.trialType == TrialType::RealOrFake && !bothKinds(candidates))
        return Error { QStringLiteral("real-or-fake trials need both real (\"%1\") and generated images among the "
                                      "study's sources and categories")
                           .arg(realSource) };
    if (definition.catchTrials > 0) {
        const std::vector<int> catchIndices(catchSet.begin(), catchSet.end());
        if (definition.trialType == TrialType::RealOrFake && !bothKinds(catchIndices))
            return Error { QStringLiteral("the catch images must include both real and generated images for "
                                          "real-or-fake catch trials") };
    }

    Rng rng = Rng::forStream(definition.seed, static_cast<std::uint64_t>(participantIndex));
    QSet<int> shown;
    const int ways = definition.ways;
    const int options = targetOptions(definition.trialType, ways);

    RowBuilder main(images, candidates, realSource, definition.matching, definition.trialType, ways, rng, shown);
    if (main.empty()) {
        return Error { QStringLiteral("no %1 row of %2 images can be made from the pool with %3 matching: each row "
                                      "needs images sharing a %4, with the real source \"%5\" and generated ones")
                           .arg(trialTypeName(definition.trialType))
                           .arg(ways)
                           .arg(rowMatchingName(definition.matching),
                               definition.matching == RowMatching::PairKey ? QStringLiteral("pair key")
                                                                           : QStringLiteral("category"),
                               realSource) };
    }

    TrialList list;
    auto makeTrial = [&](RowBuilder& builder, int target, bool practice, bool isCatch) {
        Trial t;
        t.type = definition.trialType;
        t.correctPosition = target;
        t.practice = practice;
        t.isCatch = isCatch;
        for (int i : builder.nextRow(target))
            t.imageIds.push_back(images[i]->id);
        return t;
    };

    for (int target : balancedTargets(definition.practiceTrials, options, rng))
        list.trials.push_back(makeTrial(main, target, true, false));

    std::vector<Trial> block;
    for (int target : balancedTargets(definition.trialsPerParticipant, options, rng))
        block.push_back(makeTrial(main, target, false, false));

    if (definition.catchTrials > 0) {
        std::vector<int> catchCandidates(catchSet.begin(), catchSet.end());
        std::sort(catchCandidates.begin(), catchCandidates.end());
        QSet<int> catchShown;
        RowBuilder catchRows(
            images, catchCandidates, realSource, RowMatching::None, definition.trialType, ways, rng, catchShown);
        if (catchRows.empty())
            return Error { QStringLiteral("the catch images cannot make a %1 row of %2: mark both real and generated "
                                          "images for catch trials")
                               .arg(trialTypeName(definition.trialType))
                               .arg(ways) };
        // Attention checks go anywhere in the main block except first, so nobody starts on one.
        for (int target : balancedTargets(definition.catchTrials, options, rng)) {
            const auto at = 1 + rng.below(block.size());
            block.insert(block.begin() + static_cast<std::ptrdiff_t>(at), makeTrial(catchRows, target, false, true));
        }
        if (catchRows.repeats() > 0)
            list.warnings
                << QStringLiteral("catch trials repeat %1 image(s): mark more catch images").arg(catchRows.repeats());
    }

    for (std::size_t i = 0; i < block.size(); ++i) {
        if (definition.breakEvery > 0 && (i + 1) % definition.breakEvery == 0 && i + 1 < block.size())
            block[i].breakAfter = true;
        list.trials.push_back(std::move(block[i]));
    }
    for (int i = 0; i < static_cast<int>(list.trials.size()); ++i)
        list.trials[i].index = i;

    if (main.repeats() > 0) {
        list.warnings << QStringLiteral("the pool is too small for %1 trials without repeats: %2 image(s) are shown "
                                        "twice to a participant")
                             .arg(definition.practiceTrials + definition.trialsPerParticipant)
                             .arg(main.repeats());
    }
    return list;
}

Result<QStringList> checkStudyDesign(
    const StudyDefinition& definition, const std::vector<PoolImage>& pool, const QString& realSource)
{
    auto list = generateTrials(definition, pool, realSource, 0);
    if (!list)
        return Error { list.error() };
    return list->warnings;
}

} // namespace ntt
