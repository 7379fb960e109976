#pragma once

#include "study/staircase.h"
#include "study/study.h"
#include "study/trial.h"

#include <QSet>

#include <memory>
#include <vector>

namespace ntt {

/// The screens of a participant session, in order.
enum class ScreenKind {
    Instructions,
    Consent,
    Resume, ///< "welcome back" when an interrupted session continues
    MainStart, ///< between practice and the main block
    Trial,
    Break,
    End,
};

struct Screen
{
    ScreenKind kind = ScreenKind::End;
    int trialIndex = -1; ///< for ScreenKind::Trial
};

/**
 * The order of screens of one session: instructions, consent, practice, main trials with breaks,
 * end. A resumed session starts at a Resume screen and goes on at the first unanswered trial.
 * Pure logic shared by the participant window and the scripted participant of the command line.
 */
class SessionFlow
{
public:
    SessionFlow(const StudyDefinition& definition, const std::vector<Trial>& trials, const QSet<int>& answered);

    const Screen& current() const { return m_screens[m_position]; }
    /// Moves to the next screen; stays on End.
    void advance();
    bool atEnd() const { return current().kind == ScreenKind::End; }
    bool resumed() const { return m_resumed; }
    int firstUnanswered() const { return m_firstUnanswered; }
    const std::vector<Screen>& screens() const { return m_screens; }

private:
    std::vector<Screen> m_screens;
    std::size_t m_position = 0;
    int m_firstUnanswered = 0;
    bool m_resumed = false;
};

/// Whether the participant sees right/wrong after answering this trial.
inline bool showsFeedback(const StudyDefinition& definition, const Trial& trial)
{
    return trial.practice || definition.feedback;
}

/// The participant's exposure staircase when the study has one (null otherwise), gone on from
/// `answers` already given (a resumed session; trialIndex, correct and exposureFrames are read).
std::unique_ptr<Staircase> sessionStaircase(
    const StudyDefinition& definition, const std::vector<Trial>& trials, std::vector<Response> answers);

/// The frames `trial` is shown for now: its own exposure, the staircase's next one for a staircase
/// trial, 0 when it stays until answered.
int exposureFramesOf(const StudyDefinition& definition, const Trial& trial, const Staircase* staircase);

/// Fills response.correct, tooFast and timedOut from the answer, the response time and the study's limits.
void scoreResponse(const StudyDefinition& definition, const Trial& trial, Response& response);

} // namespace ntt
