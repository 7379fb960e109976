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
    // The images of one source (real or generated) in this group.
    const std::vector<int>& imagesOf(const QString& source, bool isReal) const
    {
        static const std::vector<int> none;
        if (isReal)
            return reals;
        const auto it = generatedBySource.find(source);
        return it == generatedBySource.end() ? none : it->second;
    }
    std::vector<int> allImages() const
    {
        std::vector<int> all = reals;
        for (const auto& [source, images] : generatedBySource)
            all.insert(all.end(), images.begin(), images.end());
        return all;
    }
};

// What one row must hold. `target` is the answer key of the legacy types (the correct position, or
// 0 = real / 1 = fake); which-source asks for an image of `source`; pick-source puts an image of
// `source` at position `target` and one of `other` beside it; which-category takes any image.
struct RowSpec
{
    int target = 0;
    QString source;
    QString other;
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
        , m_realSource(realSource)
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

    // Whether some group can ever serve `spec` (every candidate shown or not).
    bool canEverServe(const RowSpec& spec) const
    {
        return std::any_of(m_groups.begin(), m_groups.end(), [&](const Group& g) { return canServe(g, spec, false); });
    }

    // Builds one row as `spec` asks; the spec must be servable (canEverServe).
    std::vector<int> nextRow(const RowSpec& spec)
    {
        Group& g = nextGroup(spec);
        const int target = spec.target;
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
        case TrialType::WhichSource:
            return { pickFrom(imagesOf(g, spec.source)) };
        case TrialType::WhichCategory:
            return { pickFrom(g.allImages()) };
        case TrialType::PickSource: {
            std::vector<int> row = { pickFrom(imagesOf(g, spec.other)) };
            row.insert(row.begin() + target, pickFrom(imagesOf(g, spec.source), row));
            return row;
        }
        }
        return {};
    }

private:
    const std::vector<int>& imagesOf(const Group& g, const QString& source) const
    {
        return g.imagesOf(source, source == m_realSource);
    }

    int realsNeeded() const
    {
        switch (m_type) {
        case TrialType::PickReal:
            return 1;
        case TrialType::PickFake:
            return m_ways - 1;
        case TrialType::RealOrFake:
        case TrialType::WhichSource:
        case TrialType::WhichCategory:
        case TrialType::PickSource:
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
        case TrialType::WhichSource:
        case TrialType::WhichCategory:
            return 0;
        case TrialType::PickSource:
            return 2;
        }
        return 0;
    }

    bool feasible(const Group& g) const
    {
        switch (m_type) {
        case TrialType::RealOrFake:
        case TrialType::WhichSource:
        case TrialType::WhichCategory:
            return !g.reals.empty() || g.generatedCount() > 0;
        case TrialType::PickSource:
            // The real source counts as one source when the study lists it (candidates hold reals then).
            return g.generatedBySource.size() + (g.reals.empty() ? 0 : 1) >= 2;
        case TrialType::PickReal:
        case TrialType::PickFake:
            break;
        }
        return static_cast<int>(g.reals.size()) >= realsNeeded() && g.generatedCount() >= generatedNeeded();
    }

    bool canServe(const Group& g, const RowSpec& spec, bool unshownOnly) const
    {
        const int target = spec.target;
        auto available = [&](const std::vector<int>& v) {
            if (!unshownOnly)
                return static_cast<int>(v.size());
            return static_cast<int>(std::count_if(v.begin(), v.end(), [&](int i) { return !m_shown.contains(i); }));
        };
        int gens = 0;
        for (const auto& [source, images] : g.generatedBySource)
            gens += available(images);
        switch (m_type) {
        case TrialType::RealOrFake:
            return target == 0 ? available(g.reals) > 0 : gens > 0;
        case TrialType::WhichSource:
            return available(imagesOf(g, spec.source)) > 0;
        case TrialType::WhichCategory:
            return available(g.reals) + gens > 0;
        case TrialType::PickSource:
            return spec.source != spec.other && available(imagesOf(g, spec.source)) > 0
                && available(imagesOf(g, spec.other)) > 0;
        case TrialType::PickReal:
        case TrialType::PickFake:
            break;
        }
        return available(g.reals) >= realsNeeded() && gens >= generatedNeeded();
    }

    // Groups are visited in a shuffled cycle so categories stay balanced; a group whose images
    // were all shown is skipped while another one still has fresh images.
    Group& nextGroup(const RowSpec& spec)
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
                    if (canServe(g, spec, unshownOnly)) {
                        m_cycle.erase(m_cycle.begin() + static_cast<std::ptrdiff_t>(c));
                        return g;
                    }
                }
                m_cycle.clear();
            }
        }
        // Not reached for feasible groups; real-or-fake groups may lack one side.
        for (Group& g : m_groups) {
            if (canServe(g, spec, false))
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
    QString m_realSource;
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

// Makes the trials of one study from row builders: the answer keys of a block are balanced, and
// what a trial offers (names, a named source) is chosen here, per trial type.
class TrialFactory
{
public:
    TrialFactory(const StudyDefinition& definition, const std::vector<const PoolImage*>& images,
        QStringList sourceOptions, QStringList categoryOptions, Rng& rng)
        : m_definition(definition)
        , m_images(images)
        , m_sources(std::move(sourceOptions))
        , m_categories(std::move(categoryOptions))
        , m_rng(rng)
    {
        for (const QString& c : m_categories)
            m_distractorUse[c] = 0;
    }

    // Answer keys of a block of `count` trials, balanced over what `builder` can serve.
    std::vector<int> blockTargets(int count, const RowBuilder& builder)
    {
        switch (m_definition.trialType) {
        case TrialType::RealOrFake:
            return balancedTargets(count, 2, m_rng);
        case TrialType::PickReal:
        case TrialType::PickFake:
        case TrialType::PickSource:
            return balancedTargets(count, m_definition.ways, m_rng);
        case TrialType::WhichCategory:
            return std::vector<int>(static_cast<std::size_t>(count), 0);
        case TrialType::WhichSource: {
            std::vector<int> servable;
            for (int i = 0; i < static_cast<int>(m_sources.size()); ++i) {
                if (builder.canEverServe(RowSpec { 0, m_sources[i], {} }))
                    servable.push_back(i);
            }
            std::vector<int> targets;
            for (int k : balancedTargets(count, static_cast<int>(servable.size()), m_rng))
                targets.push_back(servable[static_cast<std::size_t>(k)]);
            return targets;
        }
        }
        return {};
    }

    // Pairs of generated sources `builder` can show together; pick-source only.
    std::vector<std::pair<QString, QString>> servablePairs(const RowBuilder& builder) const
    {
        std::vector<std::pair<QString, QString>> pairs;
        for (int a = 0; a < static_cast<int>(m_sources.size()); ++a) {
            for (int b = a + 1; b < static_cast<int>(m_sources.size()); ++b) {
                if (builder.canEverServe(RowSpec { 0, m_sources[a], m_sources[b] }))
                    pairs.emplace_back(m_sources[a], m_sources[b]);
            }
        }
        return pairs;
    }

    Trial make(RowBuilder& builder, const std::vector<std::pair<QString, QString>>& pairs, std::vector<int>& pairCycle,
        int target, bool practice, bool isCatch)
    {
        Trial t;
        t.type = m_definition.trialType;
        t.correctPosition = target;
        t.practice = practice;
        t.isCatch = isCatch;
        RowSpec spec { target, {}, {} };
        if (t.type == TrialType::WhichSource) {
            spec.source = m_sources[target];
            t.choices = m_sources;
        } else if (t.type == TrialType::PickSource) {
            // Pairs come in shuffled cycles; within a pair, which source is named alternates.
            if (pairCycle.empty()) {
                for (int i = 0; i < static_cast<int>(pairs.size()); ++i)
                    pairCycle.push_back(i);
                m_rng.shuffle(pairCycle);
            }
            const int pairIndex = pairCycle.back();
            pairCycle.pop_back();
            const auto& [a, b] = pairs[static_cast<std::size_t>(pairIndex)];
            const bool first = (m_pairUse[pairIndex]++ + pairOffset(pairIndex)) % 2 == 0;
            spec.source = first ? a : b;
            spec.other = first ? b : a;
            t.targetSource = spec.source;
        }
        for (int i : builder.nextRow(spec))
            t.imageIds.push_back(m_images[static_cast<std::size_t>(i)]->id);
        if (t.type == TrialType::WhichCategory) {
            const auto it = std::find_if(m_images.begin(), m_images.end(),
                [&](const PoolImage* image) { return image->id == t.imageIds.front(); });
            t.choices = categoryChoices((*it)->category);
            t.correctPosition = static_cast<int>(t.choices.indexOf((*it)->category));
        }
        return t;
    }

private:
    // A random first naming per pair, drawn once, so both sources of a pair are named equally often.
    int pairOffset(int pairIndex)
    {
        const auto it = m_pairOffset.find(pairIndex);
        if (it != m_pairOffset.end())
            return it->second;
        const int offset = static_cast<int>(m_rng.below(2));
        m_pairOffset[pairIndex] = offset;
        return offset;
    }

    // The names a which-category trial offers: every category in the study's order (free choice), or
    // the true one and the least used distractors so far (ties at random), in random order.
    QStringList categoryChoices(const QString& truth)
    {
        const int n = m_definition.choices == 0 ? static_cast<int>(m_categories.size()) : m_definition.choices;
        if (n >= static_cast<int>(m_categories.size()))
            return m_categories;
        std::vector<QString> others;
        for (const QString& c : m_categories) {
            if (c != truth)
                others.push_back(c);
        }
        m_rng.shuffle(others);
        std::stable_sort(others.begin(), others.end(),
            [&](const QString& x, const QString& y) { return m_distractorUse[x] < m_distractorUse[y]; });
        std::vector<QString> offered = { truth };
        for (int i = 0; i < n - 1; ++i) {
            ++m_distractorUse[others[static_cast<std::size_t>(i)]];
            offered.push_back(others[static_cast<std::size_t>(i)]);
        }
        m_rng.shuffle(offered);
        return QStringList(offered.begin(), offered.end());
    }

    const StudyDefinition& m_definition;
    const std::vector<const PoolImage*>& m_images;
    QStringList m_sources; // which-source: the answer names; pick-source: the generated sources
    QStringList m_categories; // which-category: every category the study offers, in order
    Rng& m_rng;
    std::map<QString, int> m_distractorUse;
    std::map<int, int> m_pairUse;
    std::map<int, int> m_pairOffset;
};

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
    const TrialType type = definition.trialType;
    // Which-source may leave the real source out (generated sources only); pick-source never shows it.
    const bool realOptional = type == TrialType::WhichSource || type == TrialType::PickSource;
    if (!realOptional && !poolSources.contains(realSource))
        return Error { QStringLiteral("the real source \"%1\" has no images in the pool").arg(realSource) };
    if (!realOptional && !definition.sources.isEmpty() && !definition.sources.contains(realSource))
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
        // Pick-source puts generators against each other unless the researcher lists the real source.
        if (type == TrialType::PickSource && definition.sources.isEmpty() && image.source == realSource)
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
    if (type == TrialType::RealOrFake && !bothKinds(candidates))
        return Error { QStringLiteral("real-or-fake trials need both real (\"%1\") and generated images among the "
                                      "study's sources and categories")
                           .arg(realSource) };
    if (definition.catchTrials > 0) {
        const std::vector<int> catchIndices(catchSet.begin(), catchSet.end());
        if (type == TrialType::RealOrFake && !bothKinds(catchIndices))
            return Error { QStringLiteral("the catch images must include both real and generated images for "
                                          "real-or-fake catch trials") };
    }

    // The names trials offer: the study's sources in its order (or the pool's, real first), and its
    // categories in its order (or the pool's, sorted).
    QStringList sourceOptions = definition.sources;
    if (sourceOptions.isEmpty()) {
        QStringList generated;
        for (const QString& s : poolSources) {
            if (s != realSource)
                generated << s;
        }
        generated.sort();
        if (poolSources.contains(realSource))
            sourceOptions << realSource;
        sourceOptions << generated;
    }
    if (type == TrialType::PickSource && definition.sources.isEmpty())
        sourceOptions.removeAll(realSource);
    QStringList categoryOptions = definition.categories;
    if (categoryOptions.isEmpty()) {
        QSet<QString> shown;
        for (int i : candidates)
            shown.insert(images[i]->category);
        categoryOptions = QStringList(shown.begin(), shown.end());
        categoryOptions.sort();
    }
    if (type == TrialType::WhichSource && sourceOptions.size() < 2)
        return Error { QStringLiteral("which-source trials need at least two sources to choose from; the study has "
                                      "%1")
                           .arg(sourceOptions.isEmpty() ? QStringLiteral("none") : sourceOptions.join(", ")) };
    if (type == TrialType::PickSource && sourceOptions.size() < 2)
        return Error { QStringLiteral("pick-source trials need at least two generated sources (besides the real "
                                      "source \"%1\")")
                           .arg(realSource) };
    if (type == TrialType::WhichCategory) {
        if (categoryOptions.size() < 2)
            return Error { QStringLiteral("which-category trials need at least two categories to choose from") };
        if (definition.choices > categoryOptions.size())
            return Error { QStringLiteral("\"choices\" is %1 but the study's images show only %2 categories (%3)")
                               .arg(definition.choices)
                               .arg(categoryOptions.size())
                               .arg(categoryOptions.join(QStringLiteral(", "))) };
    }

    Rng rng = Rng::forStream(definition.seed, static_cast<std::uint64_t>(participantIndex));
    QSet<int> shown;
    const int ways = definition.ways;
    // Which-category rows are one image of one category: the category is the group.
    const RowMatching matching = type == TrialType::WhichCategory ? RowMatching::Category : definition.matching;

    RowBuilder main(images, candidates, realSource, matching, type, ways, rng, shown);
    const QString shared = matching == RowMatching::PairKey ? QStringLiteral("pair key") : QStringLiteral("category");
    if (main.empty()) {
        if (type == TrialType::PickSource)
            return Error { QStringLiteral("no two generated sources share a %1, so no pick-source row can be made; "
                                          "use \"matching\": \"none\" or other sources")
                               .arg(shared) };
        if (answersWithLabels(type) && type != TrialType::RealOrFake)
            return Error { QStringLiteral("the pool has no images among the study's sources and categories for %1 "
                                          "trials")
                               .arg(trialTypeName(type)) };
        return Error { QStringLiteral("no %1 row of %2 images can be made from the pool with %3 matching: each row "
                                      "needs images sharing a %4, with the real source \"%5\" and generated ones")
                           .arg(trialTypeName(type))
                           .arg(ways)
                           .arg(rowMatchingName(matching), shared, realSource) };
    }

    TrialList list;
    TrialFactory factory(definition, images, sourceOptions, categoryOptions, rng);
    if (type == TrialType::WhichSource) {
        for (const QString& s : sourceOptions) {
            if (!main.canEverServe(RowSpec { 0, s, {} }))
                return Error { QStringLiteral("source \"%1\" has no images among the study's categories: a "
                                              "which-source trial could never have it as its answer")
                                   .arg(s) };
        }
    }
    std::vector<std::pair<QString, QString>> pairs;
    std::vector<int> pairCycle;
    if (type == TrialType::PickSource) {
        pairs = factory.servablePairs(main);
        if (pairs.empty())
            return Error { QStringLiteral("no two generated sources share a %1, so no pick-source row can be made; "
                                          "use \"matching\": \"none\" or other sources")
                               .arg(shared) };
        const qsizetype all = sourceOptions.size() * (sourceOptions.size() - 1) / 2;
        if (static_cast<qsizetype>(pairs.size()) < all)
            list.warnings << QStringLiteral("%1 of %2 pairs of generated sources share no %3 and are left out")
                                 .arg(all - static_cast<qsizetype>(pairs.size()))
                                 .arg(all)
                                 .arg(shared);
    }

    for (int target : factory.blockTargets(definition.practiceTrials, main))
        list.trials.push_back(factory.make(main, pairs, pairCycle, target, true, false));

    std::vector<Trial> block;
    for (int target : factory.blockTargets(definition.trialsPerParticipant, main))
        block.push_back(factory.make(main, pairs, pairCycle, target, false, false));

    if (definition.catchTrials > 0) {
        std::vector<int> catchCandidates(catchSet.begin(), catchSet.end());
        std::sort(catchCandidates.begin(), catchCandidates.end());
        QSet<int> catchShown;
        RowBuilder catchRows(images, catchCandidates, realSource, RowMatching::None, type, ways, rng, catchShown);
        std::vector<std::pair<QString, QString>> catchPairs;
        std::vector<int> catchPairCycle;
        if (type == TrialType::PickSource)
            catchPairs = factory.servablePairs(catchRows);
        const bool anySource = std::any_of(sourceOptions.begin(), sourceOptions.end(), [&](const QString& source) {
            return catchRows.canEverServe(RowSpec { 0, source, {} });
        });
        const bool usable = !catchRows.empty() && (type != TrialType::PickSource || !catchPairs.empty())
            && (type != TrialType::WhichSource || anySource);
        if (!usable)
            return Error { QStringLiteral("the catch images cannot make a %1 row of %2: mark both real and generated "
                                          "images for catch trials")
                               .arg(trialTypeName(type))
                               .arg(ways) };
        // Attention checks go anywhere in the main block except first, so nobody starts on one.
        for (int target : factory.blockTargets(definition.catchTrials, catchRows)) {
            const auto at = 1 + rng.below(block.size());
            block.insert(block.begin() + static_cast<std::ptrdiff_t>(at),
                factory.make(catchRows, catchPairs, catchPairCycle, target, false, true));
        }
        if (catchRows.repeats() > 0)
            list.warnings
                << QStringLiteral("catch trials repeat %1 image(s): mark more catch images").arg(catchRows.repeats());
    }

    // Brief exposure, from a stream of its own so the rows drawn above stay those of the definition
    // without it: practice at the staircase's start or the longest fixed exposure, catch trials at the
    // longest, main trials from the staircase or each fixed exposure equally often in shuffled order.
    if (const ExposureOptions& e = definition.exposure; e.enabled()) {
        const bool stair = e.staircase.enabled;
        for (Trial& t : list.trials)
            t.exposureFrames = stair ? e.staircase.startFrames : e.longestFrames();
        std::vector<int> levels;
        for (const Trial& t : block) {
            if (!t.isCatch)
                levels.push_back(stair ? kStaircaseExposure : e.frames[levels.size() % e.frames.size()]);
        }
        Rng exposureRng = Rng::forStream(definition.seed ^ 0x6578706f73757265ULL, std::uint64_t(participantIndex));
        exposureRng.shuffle(levels);
        std::size_t next = 0;
        for (Trial& t : block)
            t.exposureFrames = t.isCatch ? e.longestFrames() : levels[next++];
    }

    // Repeats: K main trials (never catch trials) shown again, in a new order, after the main block;
    // repeatOf holds the original's position in the block until the indices are known.
    if (definition.repeatTrials > 0) {
        std::vector<std::size_t> candidates;
        for (std::size_t i = 0; i < block.size(); ++i) {
            if (!block[i].isCatch)
                candidates.push_back(i);
        }
        rng.shuffle(candidates);
        candidates.resize(std::min(candidates.size(), std::size_t(definition.repeatTrials)));
        for (std::size_t original : candidates) {
            Trial copy = block[original];
            copy.repeatOf = int(original);
            copy.breakAfter = false;
            block.push_back(copy);
        }
    }
    const int blockStart = static_cast<int>(list.trials.size());
    for (std::size_t i = 0; i < block.size(); ++i) {
        block[i].breakAfter = definition.breakEvery > 0 && (i + 1) % definition.breakEvery == 0 && i + 1 < block.size();
        if (block[i].repeatOf >= 0)
            block[i].repeatOf += blockStart;
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
