#include "study/staircase.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace ntt {

double staircaseTarget(int down, int up)
{
    if (up != 1 || down < 1)
        return std::numeric_limits<double>::quiet_NaN();
    return std::pow(0.5, 1.0 / down);
}

Staircase::Staircase(const StaircaseOptions& options)
    : m_options(options)
    , m_step(options.stepFrames.empty() ? 1 : options.stepFrames.front())
    , m_next(options.startFrames)
{ }

void Staircase::addResponse(bool correct, int frames)
{
    m_intensities.push_back(frames);
    const bool run = !m_answers.empty() && m_answers.back() == correct;
    m_answers.push_back(correct);
    // A run of equal answers counts on; a change of answer restarts the count at +1 or -1.
    if (correct)
        m_counter = run ? m_counter + 1 : 1;
    else
        m_counter = run ? m_counter - 1 : -1;

    bool reversal = false;
    if (m_reversalFrames.empty() && m_options.initialRule) {
        reversal = correct ? m_direction == Direction::Up : m_direction == Direction::Down;
        m_direction = correct ? Direction::Down : Direction::Up;
    } else if (m_counter >= m_options.down) {
        reversal = m_direction == Direction::Up;
        m_direction = Direction::Down;
    } else if (m_counter <= -m_options.up) {
        reversal = m_direction == Direction::Down;
        m_direction = Direction::Up;
    }
    if (reversal) {
        if (m_reversalFrames.empty() && m_options.initialRule)
            m_initialRulePending = true;
        m_reversalFrames.push_back(frames);
        const std::vector<int>& steps = m_options.stepFrames;
        if (steps.size() > 1)
            m_step = m_reversalFrames.size() >= steps.size() ? steps.back() : steps[m_reversalFrames.size()];
    }

    // The step that reaches the first reversal still follows the initial rule.
    if ((m_reversalFrames.empty() || m_initialRulePending) && m_options.initialRule) {
        m_initialRulePending = false;
        step(correct);
    } else if (m_counter >= m_options.down) {
        step(true);
    } else if (m_counter <= -m_options.up) {
        step(false);
    }
}

void Staircase::step(bool towardsShorter)
{
    m_next = towardsShorter ? std::max(m_options.minFrames, m_next - m_step)
                            : std::min(m_options.maxFrames, m_next + m_step);
    m_counter = 0;
}

double Staircase::thresholdFrames() const
{
    if (m_reversalFrames.empty())
        return std::numeric_limits<double>::quiet_NaN();
    const std::size_t n = std::min<std::size_t>(m_reversalFrames.size(), std::max(1, m_options.thresholdReversals));
    double sum = 0.0;
    for (std::size_t i = m_reversalFrames.size() - n; i < m_reversalFrames.size(); ++i)
        sum += m_reversalFrames[i];
    return sum / double(n);
}

} // namespace ntt
