#pragma once

// A large synthetic study for the benchmarks: two-way pick-real trials over a pool whose images are
// spread over 10 categories and a real source plus 4 generators; people right 70 % of the time,
// models 90 %, each model a P(real) per image. Seeded: every run is the same study.

#include "study/responseexport.h"
#include "study/rng.h"

#include <QHash>
#include <QMap>
#include <QStringList>

#include <vector>

namespace ntt::bench {

struct SyntheticStudy
{
    std::vector<PoolImage> images;
    std::vector<ResponseRow> people;
    std::vector<ResponseRow> models;
    QMap<QString, QHash<qint64, float>> pReal;
};

inline SyntheticStudy syntheticStudy(int participants, int trialsEach, int imageCount, int modelCount)
{
    const QStringList categories = { QStringLiteral("animals"), QStringLiteral("buildings"), QStringLiteral("faces"),
        QStringLiteral("food"), QStringLiteral("hands"), QStringLiteral("landscapes"), QStringLiteral("objects"),
        QStringLiteral("plants"), QStringLiteral("text"), QStringLiteral("vehicles") };
    const QStringList generators
        = { QStringLiteral("sd21"), QStringLiteral("sdxl"), QStringLiteral("dalle3"), QStringLiteral("midjourney") };
    SyntheticStudy s;
    s.images.resize(std::size_t(imageCount));
    for (int i = 0; i < imageCount; ++i) {
        PoolImage& image = s.images[std::size_t(i)];
        image.id = i + 1;
        image.category = categories[(i / 5) % categories.size()];
        image.source = i % 5 == 0 ? QStringLiteral("real") : generators[i % 5 - 1];
        image.path = QStringLiteral("/synthetic/%1.jpg").arg(i + 1);
        image.sha256 = QStringLiteral("%1").arg(i + 1, 64, 10, QLatin1Char('0'));
    }
    Rng rng(42);
    auto pickImage = [&](bool real) {
        for (;;) {
            const PoolImage& image = s.images[std::size_t(rng.below(imageCount))];
            if ((image.source == QLatin1String("real")) == real)
                return image;
        }
    };
    s.people.reserve(std::size_t(participants) * std::size_t(trialsEach));
    qint64 trialId = 0;
    for (int p = 0; p < participants; ++p) {
        for (int t = 0; t < trialsEach; ++t) {
            ResponseRow r;
            r.sessionId = p + 1;
            r.participant = QStringLiteral("P%1").arg(p + 1);
            r.trial.id = ++trialId;
            r.trial.index = t;
            r.trial.type = TrialType::PickReal;
            r.shown = { pickImage(true), pickImage(false) };
            r.trial.imageIds = { r.shown[0].id, r.shown[1].id };
            r.trial.correctPosition = 0;
            r.response.answer = rng.uniform() < 0.7 ? 0 : 1;
            r.response.correct = r.response.answer == 0;
            r.response.rtMs = 800 + 1000 * rng.uniform();
            s.people.push_back(std::move(r));
        }
    }
    for (int m = 0; m < modelCount; ++m) {
        const QString name = QStringLiteral("model %1").arg(m + 1);
        for (const ResponseRow& h : s.people) {
            ResponseRow r = h;
            r.agent = name;
            r.participant.clear();
            r.response.answer = rng.uniform() < 0.9 ? 0 : 1;
            r.response.correct = r.response.answer == 0;
            s.models.push_back(std::move(r));
        }
        for (const PoolImage& image : s.images)
            s.pReal[name].insert(image.id, float(rng.uniform()));
    }
    return s;
}

} // namespace ntt::bench
