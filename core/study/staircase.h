#pragma once

#include <vector>

namespace ntt {

/// Settings of an adaptive up/down staircase on the exposure duration, in frames of the participant's
/// display ("exposure": {"staircase": {...}} in a study definition).
struct StaircaseOptions
{
    bool enabled = false;
    int startFrames = 24; ///< exposure of the first trial
    int minFrames = 1; ///< never shorter
    int maxFrames = 60; ///< never longer
    /// Step in frames; the k-th entry applies after the k-th reversal, the last one from then on.
    std::vector<int> stepFrames { 4, 2, 1 };
    int down = 3; ///< this many right answers in a row make the exposure shorter
    int up = 1; ///< this many wrong answers in a row make it longer
    /// Until the first reversal every answer moves the exposure (1-up/1-down), as PsychoPy does.
    bool initialRule = true;
    /// The threshold is the mean exposure at the last this many reversals.
    int thresholdReversals = 6;
};

/// The share correct an up/down rule converges on when 1 wrong answer steps up and `down` right
/// answers in a row step down: 0.5^(1/down), e.g. 0.794 for 3-down/1-up (Levitt 1971, J. Acoust. Soc.
/// Am. 49:467, table I). NaN for `up` other than 1, whose runs rule has no such closed form.
double staircaseTarget(int down, int up);

/**
 * A transformed up/down staircase with the rules of PsychoPy's StairHandler (psychopy/data/
 * staircase.py, stepType "lin", with minVal and maxVal): a run of `down` right answers steps the
 * exposure down, a run of `up` wrong answers steps it up; a change of direction is a reversal, at
 * which the exposure of that trial is kept and the step size moves on in the list; before the first
 * reversal each answer steps (the initial rule). Tested against StairHandler's own output
 * (tests/data/make_staircase_references.py).
 */
class Staircase
{
public:
    explicit Staircase(const StaircaseOptions& options);

    /// The exposure, in frames, the next trial is shown for.
    int nextFrames() const { return m_next; }
    /// Records the answer to a trial shown for `frames` (normally nextFrames()); a timed-out trial is wrong.
    void addResponse(bool correct, int frames);

    const std::vector<int>& frames() const { return m_intensities; }
    const std::vector<int>& reversalFrames() const { return m_reversalFrames; }
    /// Mean exposure in frames at the last `thresholdReversals` reversals (fewer when there are fewer);
    /// NaN before the first reversal.
    double thresholdFrames() const;

private:
    enum class Direction { Start, Up, Down };
    void step(bool towardsShorter);

    StaircaseOptions m_options;
    std::vector<bool> m_answers;
    std::vector<int> m_intensities;
    std::vector<int> m_reversalFrames;
    Direction m_direction = Direction::Start;
    int m_counter = 0; ///< right answers in a row (positive) or wrong ones (negative) since the last step
    int m_step = 1;
    bool m_initialRulePending = false;
    int m_next = 0;
};

} // namespace ntt
