#include "analysis/rocanalysis.h"

#include <QSet>

#include <map>

namespace ntt {

int realOrFakeRating(int answer, int confidence)
{
    return answer == 0 ? 4 + confidence : 5 - confidence;
}

RocAnalysis rocAndCalibration(const std::vector<ResponseRow>& people,
    const QMap<QString, QHash<qint64, float>>& pRealByModel, const AnalysisOptions& options, int bins)
{
    RocAnalysis result;
    std::map<QString, ScoredCluster> byParticipant;
    std::map<int, std::pair<int, int>> byLevel; // level -> (correct, trials)
    QHash<qint64, bool> realOrFakeImages; // image id -> is real
    std::vector<qint64> imageOrder;
    for (const ResponseRow& r : people) {
        if (!countsAsAnswer(r, options.filter))
            continue;
        const bool realOrFake = r.trial.type == TrialType::RealOrFake && !r.trial.imageIds.empty();
        if (realOrFake && !realOrFakeImages.contains(r.trial.imageIds.front())) {
            realOrFakeImages.insert(r.trial.imageIds.front(), r.trial.correctPosition == 0);
            imageOrder.push_back(r.trial.imageIds.front());
        }
        if (!r.response.confidence || r.response.answer < 0)
            continue;
        const int confidence = *r.response.confidence;
        auto& level = byLevel[confidence];
        level.first += r.response.correct ? 1 : 0;
        level.second += 1;
        if (realOrFake) {
            byParticipant[r.participant].emplace_back(
                double(realOrFakeRating(r.response.answer, confidence)), r.trial.correctPosition == 0);
            ++result.ratedTrials;
        }
    }
    for (const auto& [level, counts] : byLevel)
        result.peopleConfidence.push_back({ level, wilsonInterval(counts.first, counts.second, options.confidence) });

    const auto curveOf = [&](const QString& agent, bool isModel, const std::vector<ScoredCluster>& clusters) {
        RocCurve curve;
        curve.agent = agent;
        curve.isModel = isModel;
        curve.interval = isModel ? QStringLiteral("image bootstrap") : QStringLiteral("participant bootstrap");
        std::vector<double> positives;
        std::vector<double> negatives;
        for (const ScoredCluster& c : clusters) {
            for (const auto& [score, positive] : c)
                (positive ? positives : negatives).push_back(score);
        }
        curve.points = rocCurve(positives, negatives);
        curve.auc
            = clusterBootstrapAuc(clusters, options.bootstrapReplicates, options.bootstrapSeed, options.confidence);
        return curve;
    };
    if (result.ratedTrials > 0) {
        std::vector<ScoredCluster> clusters;
        for (auto& [participant, items] : byParticipant)
            clusters.push_back(std::move(items));
        result.curves.push_back(curveOf(peopleAgent(), false, clusters));
    }
    for (auto m = pRealByModel.cbegin(); m != pRealByModel.cend(); ++m) {
        std::vector<ScoredCluster> clusters;
        std::vector<std::pair<double, bool>> predictions;
        for (qint64 image : imageOrder) {
            const auto p = m.value().constFind(image);
            if (p == m.value().cend() || p.value() < 0.0f)
                continue;
            const bool real = realOrFakeImages.value(image);
            clusters.push_back({ { double(p.value()), real } });
            predictions.emplace_back(double(p.value()), real);
        }
        if (predictions.empty())
            continue;
        result.curves.push_back(curveOf(m.key(), true, clusters));
        result.models.push_back({ m.key(), reliabilityDiagram(predictions, bins) });
    }
    return result;
}

} // namespace ntt
