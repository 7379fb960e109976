#include "study/sessionflow.h"

#include <algorithm>

namespace ntt {

SessionFlow::SessionFlow(const StudyDefinition& definition, const std::vector<Trial>& trials, const QSet<int>& answered)
{
    m_firstUnanswered = static_cast<int>(trials.size());
    for (const Trial& t : trials) {
        if (!answered.contains(t.index)) {
            m_firstUnanswered = t.index;
            break;
        }
    }
    m_resumed = !answered.isEmpty();

    if (m_resumed) {
        m_screens.push_back({ ScreenKind::Resume, -1 });
    } else {
        m_screens.push_back({ ScreenKind::Instructions, -1 });
        if (!definition.consent.trimmed().isEmpty())
            m_screens.push_back({ ScreenKind::Consent, -1 });
    }
    bool previousWasPractice = false;
    for (const Trial& t : trials) {
        if (t.index < m_firstUnanswered) {
            previousWasPractice = t.practice;
            continue;
        }
        if (!t.practice && previousWasPractice)
            m_screens.push_back({ ScreenKind::MainStart, -1 });
        m_screens.push_back({ ScreenKind::Trial, t.index });
        if (t.breakAfter)
            m_screens.push_back({ ScreenKind::Break, -1 });
        previousWasPractice = t.practice;
    }
    m_screens.push_back({ ScreenKind::End, -1 });
}

void SessionFlow::advance()
{
    if (m_position + 1 < m_screens.size())
        ++m_position;
}

void scoreResponse(const StudyDefinition& definition, const Trial& trial, Response& response)
{
    response.trialId = trial.id;
    response.trialIndex = trial.index;
    response.timedOut = response.answer < 0;
    response.correct = isCorrectAnswer(trial, response.answer);
    response.tooFast = !response.timedOut && definition.minRtMs > 0 && response.rtMs < definition.minRtMs;
}

std::unique_ptr<Staircase> sessionStaircase(
    const StudyDefinition& definition, const std::vector<Trial>& trials, std::vector<Response> answers)
{
    if (!definition.exposure.staircase.enabled)
        return nullptr;
    auto staircase = std::make_unique<Staircase>(definition.exposure.staircase);
    // In the order the trials came, as the staircase saw them the first time.
    std::sort(answers.begin(), answers.end(),
        [](const Response& a, const Response& b) { return a.trialIndex < b.trialIndex; });
    for (const Response& r : answers) {
        if (r.trialIndex >= 0 && r.trialIndex < int(trials.size())
            && trials[std::size_t(r.trialIndex)].exposureFrames == kStaircaseExposure && r.exposureFrames > 0)
            staircase->addResponse(r.correct, r.exposureFrames);
    }
    return staircase;
}

int exposureFramesOf(const StudyDefinition& definition, const Trial& trial, const Staircase* staircase)
{
    if (trial.exposureFrames != kStaircaseExposure)
        return std::max(0, trial.exposureFrames);
    return staircase ? staircase->nextFrames() : definition.exposure.longestFrames();
}

} // namespace ntt
