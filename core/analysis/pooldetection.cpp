#include "analysis/pooldetection.h"

#include <cmath>
#include <limits>
#include <map>

namespace ntt {

std::vector<SourceDetection> detectionBySource(
    const std::vector<PredictionRow>& rows, const QString& realSource, double threshold)
{
    struct Tally
    {
        int images = 0;
        int right = 0;
        double sum = 0.0;
    };
    std::map<QString, Tally> bySource;
    for (const PredictionRow& row : rows) {
        if (row.pReal < 0.0f || !row.error.isEmpty())
            continue;
        Tally& t = bySource[row.image.source];
        const bool calledReal = row.pReal >= threshold;
        const bool isReal = row.image.source == realSource;
        ++t.images;
        t.right += calledReal == isReal ? 1 : 0;
        t.sum += row.pReal;
    }
    std::vector<SourceDetection> result;
    for (const auto& [source, t] : bySource) {
        SourceDetection d;
        d.source = source;
        d.real = source == realSource;
        d.images = t.images;
        d.meanPReal = t.images > 0 ? t.sum / t.images : std::numeric_limits<double>::quiet_NaN();
        d.accuracy = wilsonInterval(t.right, t.images);
        if (d.real)
            result.insert(result.begin(), d);
        else
            result.push_back(d);
    }
    return result;
}

} // namespace ntt
