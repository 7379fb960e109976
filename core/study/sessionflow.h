#pragma once

#include "study/study.h"
#include "study/trial.h"

#include <QSet>

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

/// Fills response.correct, tooFast and timedOut from the answer, the response time and the study's limits.
void scoreResponse(const StudyDefinition& definition, const Trial& trial, Response& response);

} // namespace ntt
