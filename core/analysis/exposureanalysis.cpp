#include "analysis/exposureanalysis.h"

#include "analysis/analysis.h"
#include "study/staircase.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

namespace ntt {

Result<ExposureAnalysis> exposureAnalysis(
    const std::vector<ResponseRow>& people, const AnswerFilter& filter, const StudyDefinition& definition)
{
    struct Tally
    {
        int right = 0;
        int trials = 0;
        double sumMs = 0.0;
        double minMs = std::numeric_limits<double>::infinity();
        double maxMs = 0.0;
        double sumHz = 0.0;
    };
    std::map<int, Tally> pooled;
    std::map<std::pair<QString, int>, Tally> byParticipant;
    std::map<qint64, std::vector<const ResponseRow*>> bySession;
    for (const ResponseRow& r : people) {
        if (r.response.exposureFrames <= 0)
            continue;
        if (r.trial.exposureFrames == kStaircaseExposure && !r.trial.practice
            && (filter.includeSimulated || !r.simulated))
            bySession[r.sessionId].push_back(&r);
        if (!countsAsAnswer(r, filter))
            continue;
        for (Tally* t :
            { &pooled[r.response.exposureFrames], &byParticipant[{ r.participant, r.response.exposureFrames }] }) {
            t->right += r.response.correct ? 1 : 0;
            ++t->trials;
            t->sumMs += r.response.exposureMs;
            t->minMs = std::min(t->minMs, r.response.exposureMs);
            t->maxMs = std::max(t->maxMs, r.response.exposureMs);
            t->sumHz += r.response.frameRateHz;
        }
    }
    ExposureAnalysis out;
    const auto level = [](const QString& who, int frames, const Tally& t) {
        ExposureLevel l;
        l.participant = who;
        l.frames = frames;
        l.meanExposureMs = t.sumMs / t.trials;
        l.minExposureMs = t.minMs;
        l.maxExposureMs = t.maxMs;
        l.meanFrameRateHz = t.sumHz / t.trials;
        l.accuracy = wilsonInterval(t.right, t.trials);
        return l;
    };
    for (const auto& [frames, t] : pooled)
        out.levels.push_back(level(peopleAgent(), frames, t));
    for (const auto& [key, t] : byParticipant)
        out.levels.push_back(level(key.first, key.second, t));

    const StaircaseOptions& options = definition.exposure.staircase;
    if (!options.enabled)
        return out;
    for (auto& [sessionId, rows] : bySession) {
        std::sort(rows.begin(), rows.end(),
            [](const ResponseRow* a, const ResponseRow* b) { return a->trial.index < b->trial.index; });
        Staircase stair(options);
        double sumHz = 0.0;
        for (const ResponseRow* r : rows) {
            if (r->response.exposureFrames != stair.nextFrames())
                return Error { QStringLiteral("session %1 (participant %2): trial %3 was shown for %4 frames, but the "
                                              "study's staircase gives %5 after the answers before it; the stored "
                                              "answers do not follow this study's definition")
                                   .arg(sessionId)
                                   .arg(r->participant)
                                   .arg(r->trial.index)
                                   .arg(r->response.exposureFrames)
                                   .arg(stair.nextFrames()) };
            stair.addResponse(r->response.correct, r->response.exposureFrames);
            sumHz += r->response.frameRateHz;
        }
        StaircaseResult s;
        s.participant = rows.front()->participant;
        s.sessionId = sessionId;
        s.trials = int(rows.size());
        s.reversalFrames = stair.reversalFrames();
        s.thresholdFrames = stair.thresholdFrames();
        const double hz = sumHz / double(rows.size());
        s.thresholdMs = hz > 0.0 ? s.thresholdFrames * 1000.0 / hz : std::nan("");
        s.target = staircaseTarget(options.down, options.up);
        out.staircases.push_back(std::move(s));
    }
    return out;
}

} // namespace ntt
