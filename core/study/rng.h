#pragma once

#include <QtGlobal>

#include <cstdint>
#include <utility>
#include <vector>

namespace ntt {

/**
 * Pseudo-random generator whose output the project defines: xoshiro256** seeded through splitmix64,
 * with our own unbiased bounded integers and shuffles. The standard library's distributions differ
 * between implementations; these give the same trial list on every platform for a seed.
 */
class Rng
{
public:
    explicit Rng(std::uint64_t seed);
    /// An independent stream for (seed, stream), e.g. one per participant index.
    static Rng forStream(std::uint64_t seed, std::uint64_t stream);

    std::uint64_t next();
    /// Uniform integer in [0, bound); bound must be > 0.
    std::uint64_t below(std::uint64_t bound);
    /// Uniform double in [0, 1) with 53 random bits.
    double uniform();
    /// Standard normal deviate (Box-Muller on uniform()).
    double normal();

    template <typename T> void shuffle(std::vector<T>& items)
    {
        for (std::size_t i = items.size(); i > 1; --i) {
            const auto j = static_cast<std::size_t>(below(i));
            std::swap(items[i - 1], items[j]);
        }
    }

private:
    std::uint64_t m_state[4];
};

} // namespace ntt
