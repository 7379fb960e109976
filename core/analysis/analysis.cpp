#include "analysis/analysis.h"

#include <QSet>

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <set>

namespace ntt {
namespace {

const QString kAll = QStringLiteral("all");

QString waysLabel(const Trial& t)
{
    if (t.type == TrialType::RealOrFake)
        return QStringLiteral("real-or-fake");
    if (answersWithLabels(t.type))
        return QStringLiteral("%1 of %2").arg(trialTypeName(t.type)).arg(answerOptionCount(t));
    return QStringLiteral("%1-way").arg(t.ways());
}

/// The category of a trial: its rows share one; the first image's.
QString categoryOf(const ResponseRow& row)
{
    return row.shown.empty() ? QString() : row.shown.front().category;
}

/// Tallies per agent and group.
struct Tally
{
    int correct = 0;
    int trials = 0;
    double chanceSum = 0.0;
    std::map<QString, std::pair<int, int>> byParticipant; ///< pooled people: (correct, trials) per participant
};

using Tallies = std::map<std::pair<QString, QString>, Tally>; ///< (agent, group)

void count(
    Tallies& tallies, const QString& agent, const QString& group, const ResponseRow& row, const QString& participant)
{
    Tally& t = tallies[{ agent, group }];
    const bool correct = row.response.correct;
    t.correct += correct ? 1 : 0;
    ++t.trials;
    t.chanceSum += 1.0 / std::max(1, answerOptionCount(row.trial));
    if (!participant.isEmpty()) {
        auto& p = t.byParticipant[participant];
        p.first += correct ? 1 : 0;
        ++p.second;
    }
}

std::vector<AccuracyCell> cells(const Tallies& tallies, const QSet<QString>& modelNames,
    const QSet<QString>& participants, const AnalysisOptions& options)
{
    std::vector<AccuracyCell> out;
    for (const auto& [key, t] : tallies) {
        AccuracyCell c;
        c.agent = key.first;
        c.group = key.second;
        c.isModel = modelNames.contains(c.agent);
        c.isParticipant = participants.contains(c.agent);
        c.accuracy = wilsonInterval(t.correct, t.trials, options.confidence);
        c.chance = t.trials > 0 ? t.chanceSum / t.trials : 0.0;
        c.pBinomial = binomialTestTwoSided(t.correct, t.trials, c.chance);
        c.bootstrap.estimate = c.bootstrap.low = c.bootstrap.high = std::nan("");
        if (c.agent == peopleAgent() && !t.byParticipant.empty()) {
            std::vector<std::pair<int, int>> clusters;
            for (const auto& [code, counts] : t.byParticipant)
                clusters.push_back(counts);
            c.bootstrap = clusterBootstrapAccuracy(
                clusters, options.bootstrapReplicates, options.bootstrapSeed, options.confidence);
        }
        out.push_back(std::move(c));
    }
    // People first, then participants, then models; groups in name order within.
    std::stable_sort(out.begin(), out.end(), [](const AccuracyCell& a, const AccuracyCell& b) {
        const auto rank = [](const AccuracyCell& c) { return c.isModel ? 2 : (c.isParticipant ? 1 : 0); };
        return rank(a) < rank(b);
    });
    return out;
}

/// A row of images regardless of order, for pairing answers to the same row.
std::vector<qint64> rowKey(const Trial& t)
{
    std::vector<qint64> key = t.imageIds;
    std::sort(key.begin(), key.end());
    key.push_back(static_cast<qint64>(t.type));
    return key;
}

// The confusion matrices of which-source and which-category answers, one per question and agent.
std::vector<AnswerConfusion> confusionMatrices(const std::vector<const ResponseRow*>& people,
    const std::vector<const ResponseRow*>& models, const QStringList& modelNames)
{
    std::vector<AnswerConfusion> out;
    for (const TrialType question : { TrialType::WhichSource, TrialType::WhichCategory }) {
        // Names in the order trials offered them when every trial offered the same ones (the
        // study's sources, free choice), else in name order.
        QStringList labels;
        bool sameEverywhere = true;
        QSet<QString> all;
        for (const auto* rows : { &people, &models }) {
            for (const ResponseRow* r : *rows) {
                if (r->trial.type != question)
                    continue;
                if (labels.isEmpty())
                    labels = r->trial.choices;
                sameEverywhere = sameEverywhere && r->trial.choices == labels;
                for (const QString& c : r->trial.choices)
                    all.insert(c);
            }
        }
        if (all.isEmpty())
            continue;
        if (!sameEverywhere) {
            labels = QStringList(all.begin(), all.end());
            labels.sort();
        }
        auto matrixOf = [&](const QString& agent, bool isModel, const std::vector<const ResponseRow*>& rows) {
            AnswerConfusion m;
            m.agent = agent;
            m.isModel = isModel;
            m.question = question;
            m.labels = labels;
            m.counts.assign(std::size_t(labels.size()), std::vector<int>(std::size_t(labels.size()), 0));
            for (const ResponseRow* r : rows) {
                const Trial& t = r->trial;
                if (t.type != question || (isModel && r->agent != agent) || r->response.answer < 0
                    || r->response.answer >= t.choices.size() || t.correctPosition >= t.choices.size())
                    continue;
                const auto right = labels.indexOf(t.choices[t.correctPosition]);
                const auto chosen = labels.indexOf(t.choices[r->response.answer]);
                ++m.counts[std::size_t(right)][std::size_t(chosen)];
            }
            return m;
        };
        out.push_back(matrixOf(peopleAgent(), false, people));
        for (const QString& model : modelNames) {
            AnswerConfusion m = matrixOf(model, true, models);
            if (m.total() > 0)
                out.push_back(std::move(m));
        }
    }
    return out;
}

} // namespace

QStringList testedSources(const Trial& t, const std::vector<PoolImage>& shown)
{
    QStringList sources;
    for (std::size_t i = 0; i < shown.size(); ++i) {
        const bool correct = int(i) == t.correctPosition;
        const bool generated
            = t.type == TrialType::PickReal ? !correct : (t.type == TrialType::PickFake ? correct : true);
        if (generated && !sources.contains(shown[i].source))
            sources << shown[i].source;
    }
    return sources;
}

QString sourcePairLabel(const Trial& t, const std::vector<PoolImage>& shown)
{
    QStringList pair;
    if (t.type == TrialType::PickSource && shown.size() == 2)
        pair = { shown[0].source, shown[1].source };
    else if (t.type == TrialType::WhichSource && t.choices.size() == 2)
        pair = t.choices;
    if (pair.size() != 2 || pair[0] == pair[1])
        return {};
    pair.sort();
    return pair.join(QStringLiteral(" vs "));
}

int AnswerConfusion::total() const
{
    int n = 0;
    for (const auto& row : counts)
        for (int c : row)
            n += c;
    return n;
}

const AccuracyCell* Analysis::find(const std::vector<AccuracyCell>& cells, const QString& agent, const QString& group)
{
    for (const AccuracyCell& c : cells) {
        if (c.agent == agent && c.group == group)
            return &c;
    }
    return nullptr;
}

Analysis analyse(
    const std::vector<ResponseRow>& people, const std::vector<ResponseRow>& models, const AnalysisOptions& options)
{
    Analysis a;

    // Participants and the catch-trial rule.
    std::map<qint64, ParticipantSummary> bySession;
    for (const ResponseRow& r : people) {
        if (r.simulated && !options.filter.includeSimulated)
            continue;
        ParticipantSummary& p = bySession[r.sessionId];
        p.code = r.participant;
        p.sessionId = r.sessionId;
        p.simulated = r.simulated;
        if (r.trial.practice)
            continue;
        if (r.trial.isCatch) {
            ++p.catchTrials;
            p.catchCorrect += r.response.correct ? 1 : 0;
        }
    }
    QSet<qint64> excluded;
    for (auto& [session, p] : bySession) {
        if (options.catchExclusionBelow > 0 && p.catchTrials > 0
            && double(p.catchCorrect) / p.catchTrials < options.catchExclusionBelow) {
            p.excluded = true;
            p.exclusionReason = QStringLiteral("%1 of %2 catch trials correct, below %3 %")
                                    .arg(p.catchCorrect)
                                    .arg(p.catchTrials)
                                    .arg(options.catchExclusionBelow * 100.0, 0, 'g', 3);
            excluded.insert(session);
            a.excludedParticipants << p.code;
        }
    }

    // The analysed answers: counted by the filter, from included participants, answered.
    std::vector<const ResponseRow*> counted;
    QSet<qint64> countedTrials;
    for (const ResponseRow& r : people) {
        if (!countsAsAnswer(r, options.filter) || excluded.contains(r.sessionId))
            continue;
        countedTrials.insert(r.trial.id);
        if (r.response.answer < 0)
            continue;
        counted.push_back(&r);
        ParticipantSummary& p = bySession[r.sessionId];
        ++p.trials;
        p.correct += r.response.correct ? 1 : 0;
    }
    for (const auto& [session, p] : bySession)
        a.participants.push_back(p);
    std::vector<const ResponseRow*> modelCounted;
    QSet<QString> modelNames;
    for (const ResponseRow& m : models) {
        if (!countedTrials.contains(m.trial.id) || m.response.answer < 0)
            continue;
        modelCounted.push_back(&m);
        if (!modelNames.contains(m.agent)) {
            modelNames.insert(m.agent);
            a.models << m.agent;
        }
    }
    a.peopleTrials = int(counted.size());
    a.modelTrials = int(modelCounted.size());

    int lastIndex = 0;
    for (const ResponseRow* r : counted)
        lastIndex = std::max(lastIndex, r->trial.index);
    const int bins = std::max(1, options.positionBins);
    auto positionLabel = [&](int index) {
        const int width = std::max(1, (lastIndex + bins) / bins);
        const int bin = index / width;
        return QStringLiteral("trials %1-%2")
            .arg(bin * width + 1, 3, 10, QLatin1Char('0'))
            .arg((bin + 1) * width, 3, 10, QLatin1Char('0'));
    };

    Tallies overall, category, source, ways, position, pair;
    QSet<QString> participants;
    auto tallyAll = [&](const ResponseRow& r, const QString& agent, const QString& participant) {
        count(overall, agent, kAll, r, participant);
        count(category, agent, categoryOf(r), r, participant);
        for (const QString& s : testedSources(r.trial, r.shown))
            count(source, agent, s, r, participant);
        count(ways, agent, waysLabel(r.trial), r, participant);
        count(position, agent, positionLabel(r.trial.index), r, participant);
        if (const QString p = sourcePairLabel(r.trial, r.shown); !p.isEmpty())
            count(pair, agent, p, r, participant);
    };
    for (const ResponseRow* r : counted) {
        const QString code = r->participant.isEmpty() ? QStringLiteral("session %1").arg(r->sessionId) : r->participant;
        participants.insert(code);
        tallyAll(*r, peopleAgent(), code);
        count(overall, code, kAll, *r, QString());
    }
    for (const ResponseRow* m : modelCounted)
        tallyAll(*m, m->agent, QString());
    a.overall = cells(overall, modelNames, participants, options);
    a.byCategory = cells(category, modelNames, participants, options);
    a.bySource = cells(source, modelNames, participants, options);
    a.byWays = cells(ways, modelNames, participants, options);
    a.byPosition = cells(position, modelNames, participants, options);
    a.byPair = cells(pair, modelNames, participants, options);
    a.confusion = confusionMatrices(counted, modelCounted, a.models);
    for (const QString& model : std::as_const(a.models)) {
        PairAgreement agreement;
        agreement.model = model;
        for (const AccuracyCell& c : a.byPair) {
            if (c.agent != peopleAgent())
                continue;
            const AccuracyCell* m = Analysis::find(a.byPair, model, c.group);
            if (!m)
                continue;
            agreement.pairs << c.group;
            agreement.people.push_back(c.accuracy.estimate);
            agreement.modelAccuracy.push_back(m->accuracy.estimate);
        }
        if (agreement.pairs.isEmpty())
            continue;
        agreement.spearman = spearmanWithBootstrap(agreement.people, agreement.modelAccuracy,
            options.bootstrapReplicates, options.bootstrapSeed, options.confidence);
        a.pairAgreement.push_back(std::move(agreement));
    }

    // Signal detection on real-or-fake trials: "real" answers to real images are hits. Per agent
    // (the pooled people, each participant, each model) over all trials and per category; per
    // generator, the agent's hits on every real image against the false alarms on that generator's.
    struct SdtCounts
    {
        int hits = 0;
        int real = 0;
        int falseAlarms = 0;
        int generated = 0;
    };
    enum SdtGrouping { SdtAll, SdtCategory, SdtSource };
    std::map<std::tuple<int, QString, int, QString>, SdtCounts> sdt; // (agent kind, agent, grouping, group)
    auto addSdt = [&](const ResponseRow& r, int kind, const QString& agent) {
        if (r.trial.type != TrialType::RealOrFake || r.response.answer < 0)
            return;
        const bool real = r.trial.correctPosition == 0;
        const bool saidReal = r.response.answer == 0;
        std::vector<std::pair<int, QString>> groups { { SdtAll, kAll } };
        if (kind != 1)
            groups.push_back({ SdtCategory, categoryOf(r) });
        if (kind != 1 && !real && !r.shown.empty())
            groups.push_back({ SdtSource, r.shown.front().source });
        for (const auto& [grouping, group] : groups) {
            SdtCounts& c = sdt[{ kind, agent, grouping, group }];
            c.hits += real && saidReal ? 1 : 0;
            c.real += real ? 1 : 0;
            c.falseAlarms += !real && saidReal ? 1 : 0;
            c.generated += real ? 0 : 1;
        }
    };
    for (const ResponseRow* r : counted) {
        addSdt(*r, 0, peopleAgent());
        addSdt(*r, 1, r->participant);
    }
    for (const ResponseRow* m : modelCounted)
        addSdt(*m, 2, m->agent);
    static const QStringList groupingNames
        = { QStringLiteral("all"), QStringLiteral("category"), QStringLiteral("source") };
    for (const auto& [key, counts] : sdt) {
        const auto& [kind, agent, grouping, group] = key;
        SdtCounts c = counts;
        if (grouping == SdtSource) {
            // Hits from all of the agent's real trials.
            const SdtCounts& all = sdt.at({ kind, agent, SdtAll, kAll });
            c.hits = all.hits;
            c.real = all.real;
        }
        const auto s = signalDetection(c.hits, c.real, c.falseAlarms, c.generated);
        if (!s)
            continue;
        a.signalDetection.push_back({ agent, kind == 2, kind == 1, groupingNames[grouping], group, c.real, c.hits,
            c.generated, c.falseAlarms, *s });
    }

    // Error consistency: each person's answer against the model's answer to the same trial.
    QHash<qint64, QHash<QString, bool>> modelCorrect; // trial -> model -> correct
    for (const ResponseRow* m : modelCounted)
        modelCorrect[m->trial.id].insert(m->agent, m->response.correct);
    for (const QString& model : std::as_const(a.models)) {
        std::map<QString, std::pair<std::vector<bool>, std::vector<bool>>> pairs;
        for (const ResponseRow* r : counted) {
            const auto it = modelCorrect.constFind(r->trial.id);
            if (it == modelCorrect.cend() || !it->contains(model))
                continue;
            for (const QString& group : { kAll, categoryOf(*r) }) {
                pairs[group].first.push_back(r->response.correct);
                pairs[group].second.push_back(it->value(model));
            }
        }
        for (const auto& [group, p] : pairs)
            a.errorConsistency.push_back({ peopleAgent(), model, false, group, errorConsistency(p.first, p.second) });
    }
    // The ceiling: pairs of different participants who answered the same row.
    std::map<std::vector<qint64>, std::vector<const ResponseRow*>> byRow;
    for (const ResponseRow* r : counted)
        byRow[rowKey(r->trial)].push_back(r);
    std::map<QString, std::pair<std::vector<bool>, std::vector<bool>>> ceiling;
    for (const auto& [key, rows] : byRow) {
        for (std::size_t i = 0; i < rows.size(); ++i) {
            for (std::size_t j = i + 1; j < rows.size(); ++j) {
                if (rows[i]->sessionId == rows[j]->sessionId)
                    continue;
                for (const QString& group : { kAll, categoryOf(*rows[i]) }) {
                    ceiling[group].first.push_back(rows[i]->response.correct);
                    ceiling[group].second.push_back(rows[j]->response.correct);
                }
            }
        }
    }
    for (const auto& [group, p] : ceiling)
        a.errorConsistency.push_back(
            { peopleAgent(), peopleAgent(), true, group, errorConsistency(p.first, p.second) });

    // Response times of the pooled people.
    std::map<QString, ResponseTimes> times;
    for (const ResponseRow* r : counted) {
        if (r->response.timedOut)
            continue;
        for (const QString& group : { kAll, categoryOf(*r) }) {
            ResponseTimes& t = times[group];
            t.group = group;
            (r->response.correct ? t.correctMs : t.wrongMs).push_back(r->response.rtMs);
        }
    }
    for (auto& [group, t] : times)
        a.responseTimes.push_back(std::move(t));
    return a;
}

std::vector<SelfConsistency> selfConsistency(const std::vector<ResponseRow>& people, const AnswerFilter& filter)
{
    // Each session's answered trials by index, then every repeat against its original.
    QHash<QPair<qint64, int>, const ResponseRow*> byTrial;
    for (const ResponseRow& r : people) {
        if (countsAsAnswer(r, filter) && r.response.answer >= 0)
            byTrial.insert({ r.sessionId, r.trial.index }, &r);
    }
    struct Pairs
    {
        std::vector<bool> first;
        std::vector<bool> repeat;
        int same = 0;
    };
    std::map<QString, Pairs> byParticipant;
    Pairs pooled;
    for (const ResponseRow& r : people) {
        if (r.trial.repeatOf < 0 || r.response.answer < 0 || !countsAsAnswer(r, filter))
            continue;
        const ResponseRow* original = byTrial.value({ r.sessionId, r.trial.repeatOf });
        if (!original)
            continue;
        for (Pairs* p : { &byParticipant[r.participant], &pooled }) {
            p->first.push_back(original->response.correct);
            p->repeat.push_back(r.response.correct);
            p->same += original->response.answer == r.response.answer ? 1 : 0;
        }
    }
    std::vector<SelfConsistency> out;
    const auto row = [](const QString& who, const Pairs& p) {
        SelfConsistency c;
        c.participant = who;
        c.pairs = int(p.first.size());
        c.sameAnswer = wilsonInterval(p.same, c.pairs);
        c.errors = errorConsistency(p.first, p.repeat);
        return c;
    };
    for (const auto& [participant, pairs] : byParticipant)
        out.push_back(row(participant, pairs));
    if (!pooled.first.empty())
        out.push_back(row(peopleAgent(), pooled));
    return out;
}

} // namespace ntt
