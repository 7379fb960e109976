#include "analysis/attentiongroups.h"

#include <QStringList>

#include <cmath>
#include <map>

namespace ntt {

QString rowLabel(const std::vector<qint64>& row)
{
    QStringList ids;
    for (qint64 id : row)
        ids << QString::number(id);
    return ids.join(QLatin1Char('+'));
}

std::vector<AttentionGroup> summariseAttention(const std::vector<ImageAttentionAgreement>& rows)
{
    struct Sums
    {
        int images = 0;
        int correlations = 0;
        double sumR = 0.0;
        int marks = 0;
        int inTop20 = 0;
        int pointingImages = 0;
        int hits = 0;
    };
    QStringList models;
    // (model, grouping rank, group) -> sums; the rank keeps all, category, source, row in that order.
    std::map<std::tuple<int, int, QString>, Sums> sums;
    for (const ImageAttentionAgreement& r : rows) {
        if (!r.error.isEmpty() || r.agreement.marks <= 0)
            continue;
        if (!models.contains(r.model))
            models << r.model;
        const int model = int(models.indexOf(r.model));
        std::vector<std::pair<int, QString>> groups;
        if (r.row.empty())
            groups = { { 0, QStringLiteral("all") }, { 1, r.image.category }, { 2, r.image.source } };
        else
            groups = { { 3, rowLabel(r.row) } };
        const MapAgreement& a = r.agreement;
        for (const auto& [rank, group] : groups) {
            Sums& s = sums[{ model, rank, group }];
            ++s.images;
            if (std::isfinite(a.correlation)) {
                ++s.correlations;
                s.sumR += a.correlation;
            }
            s.marks += a.marks;
            // The share was counted over whole marks: this gives the count back exactly.
            s.inTop20 += int(std::lround(a.shareInModelTop20 * a.marks));
            if (a.pointingHit >= 0) {
                ++s.pointingImages;
                s.hits += a.pointingHit;
            }
        }
    }
    static const QStringList groupings
        = { QStringLiteral("all"), QStringLiteral("category"), QStringLiteral("source"), QStringLiteral("row") };
    std::vector<AttentionGroup> out;
    for (const auto& [key, s] : sums) {
        AttentionGroup g;
        g.model = models[std::get<0>(key)];
        g.grouping = groupings[std::get<1>(key)];
        g.group = std::get<2>(key);
        g.images = s.images;
        g.correlations = s.correlations;
        g.meanCorrelation = s.correlations > 0 ? s.sumR / s.correlations : std::nan("");
        g.marksInTop20 = wilsonInterval(s.inTop20, s.marks);
        g.pointing = wilsonInterval(s.hits, s.pointingImages);
        out.push_back(std::move(g));
    }
    return out;
}

} // namespace ntt
