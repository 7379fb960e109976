#include "models/splitmaker.h"
#include "study/rng.h"

#include <QtTest>

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <set>

using namespace ntt;

namespace {

/// A pool of prompt-matched pairs: per category `pairs` prompts, each rendered by every source
/// (one pair key), plus `loose` real images per category without a pair key.
std::vector<PoolImage> pairedPool(const QStringList& sources, const QStringList& categories, int pairs, int loose)
{
    std::vector<PoolImage> images;
    qint64 id = 1;
    for (const QString& category : categories) {
        for (int i = 0; i < pairs; ++i) {
            for (const QString& source : sources) {
                PoolImage image;
                image.id = id++;
                image.source = source;
                image.category = category;
                image.pairKey = QStringLiteral("%1-%2").arg(category).arg(i);
                image.relativePath
                    = QStringLiteral("%1/%2/%2-%3.png").arg(source, category).arg(i, 3, 10, QLatin1Char('0'));
                image.path = QStringLiteral("/pool/") + image.relativePath;
                images.push_back(image);
            }
        }
        for (int i = 0; i < loose; ++i) {
            PoolImage image;
            image.id = id++;
            image.source = QStringLiteral("real");
            image.category = category;
            image.relativePath = QStringLiteral("extra/%1/%1-%2.png").arg(category).arg(i, 3, 10, QLatin1Char('0'));
            image.path = QStringLiteral("/pool/") + image.relativePath;
            images.push_back(image);
        }
    }
    return images;
}

/// The units the split maker must keep together, keyed by their stratum: one unit per pair key,
/// one per image without one; the stratum is the unit's set of sources and categories.
std::map<QString, std::vector<std::vector<qint64>>> unitsByStratum(const std::vector<PoolImage>& images)
{
    std::map<QString, std::vector<const PoolImage*>> byPair;
    std::vector<std::vector<const PoolImage*>> units;
    for (const PoolImage& image : images) {
        if (image.pairKey.isEmpty())
            units.push_back({ &image });
        else
            byPair[image.pairKey].push_back(&image);
    }
    for (auto& entry : byPair)
        units.push_back(entry.second);
    std::map<QString, std::vector<std::vector<qint64>>> strata;
    for (const auto& unit : units) {
        std::set<QString> sources, categories;
        std::vector<qint64> ids;
        for (const PoolImage* image : unit) {
            sources.insert(image->source);
            categories.insert(image->category);
            ids.push_back(image->id);
        }
        const QString key = QStringList(sources.begin(), sources.end()).join(QLatin1Char(',')) + QLatin1Char('|')
            + QStringList(categories.begin(), categories.end()).join(QLatin1Char(','));
        strata[key].push_back(ids);
    }
    return strata;
}

int splitIndex(Split split)
{
    switch (split) {
    case Split::Train:
        return 0;
    case Split::Val:
        return 1;
    case Split::Test:
        return 2;
    case Split::None:
        break;
    }
    return -1;
}

} // namespace

class Test_splitmaker : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void parsesRatios_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<double>("train");
        QTest::addColumn<double>("val");
        QTest::addColumn<double>("test");
        QTest::newRow("8:1:1") << QStringLiteral("8:1:1") << 8.0 << 1.0 << 1.0;
        QTest::newRow("DeepArt 1:1:8") << QStringLiteral("1:1:8") << 1.0 << 1.0 << 8.0;
        QTest::newRow("fractions and spaces") << QStringLiteral(" 0.6 : 0.2 : 0.2 ") << 0.6 << 0.2 << 0.2;
        QTest::newRow("no validation") << QStringLiteral("9:0:1") << 9.0 << 0.0 << 1.0;
        QTest::newRow("test only") << QStringLiteral("0:0:1") << 0.0 << 0.0 << 1.0;
    }

    void parsesRatios()
    {
        QFETCH(QString, text);
        QFETCH(double, train);
        QFETCH(double, val);
        QFETCH(double, test);
        const auto ratios = parseSplitRatios(text);
        QVERIFY2(ratios.ok(), qPrintable(ratios.error()));
        QCOMPARE(ratios->train, train);
        QCOMPARE(ratios->val, val);
        QCOMPARE(ratios->test, test);
    }

    void rejectsBadRatios_data()
    {
        QTest::addColumn<QString>("text");
        QTest::newRow("empty") << QString();
        QTest::newRow("two parts") << QStringLiteral("8:1");
        QTest::newRow("four parts") << QStringLiteral("8:1:1:1");
        QTest::newRow("word") << QStringLiteral("eight:1:1");
        QTest::newRow("empty part") << QStringLiteral("8::1");
        QTest::newRow("negative") << QStringLiteral("-1:1:8");
        QTest::newRow("all zero") << QStringLiteral("0:0:0");
        QTest::newRow("semicolons") << QStringLiteral("8;1;1");
        QTest::newRow("not a number") << QStringLiteral("nan:1:1");
        QTest::newRow("infinite") << QStringLiteral("inf:1:1");
    }

    void rejectsBadRatios()
    {
        QFETCH(QString, text);
        const auto ratios = parseSplitRatios(text);
        QVERIFY(!ratios.ok());
        QVERIFY2(ratios.error().contains(QLatin1Char('"') + text + QLatin1Char('"')), qPrintable(ratios.error()));
    }

    void everyImageGetsOneSplit()
    {
        const auto images = pairedPool({ "real", "dalle2", "sd21" }, { "kite", "elephant" }, 12, 5);
        const auto splits = makeSplits(images, SplitRatios { 8, 1, 1 }, 1);
        QCOMPARE(splits.size(), qsizetype(images.size()));
        for (const PoolImage& image : images) {
            QVERIFY(splits.contains(image.id));
            QVERIFY(splits.value(image.id) != Split::None);
        }
    }

    void countsFollowRatiosPerStratum_data()
    {
        QTest::addColumn<QString>("ratios");
        QTest::addColumn<int>("pairs");
        QTest::addColumn<int>("loose");
        for (const char* r : { "1:1:8", "8:1:1", "6:2:2", "1:0:1" }) {
            for (const int pairs : { 1, 3, 7, 10, 23, 40 }) {
                QTest::addRow("%s, %d pairs", r, pairs) << QString::fromLatin1(r) << pairs << (pairs % 4);
            }
        }
    }

    void countsFollowRatiosPerStratum()
    {
        QFETCH(QString, ratios);
        QFETCH(int, pairs);
        QFETCH(int, loose);
        const SplitRatios r = parseSplitRatios(ratios).value();
        const std::array<double, 3> weights { r.train, r.val, r.test };
        const double sum = r.train + r.val + r.test;

        const auto images = pairedPool({ "real", "dalle2", "sd21" }, { "kite", "elephant", "portrait" }, pairs, loose);
        const auto splits = makeSplits(images, r, 42);
        for (const auto& [stratum, units] : unitsByStratum(images)) {
            std::array<int, 3> counts {};
            for (const auto& unit : units)
                ++counts[splitIndex(splits.value(unit.front()))];
            for (int s = 0; s < 3; ++s) {
                const double exact = units.size() * weights[s] / sum;
                // The floor or the ceiling of the exact share, never further off.
                QVERIFY2(std::abs(counts[s] - exact) < 1.0,
                    qPrintable(QStringLiteral("%1: split %2 has %3 of %4 units, exact share %5")
                                   .arg(stratum)
                                   .arg(s)
                                   .arg(counts[s])
                                   .arg(units.size())
                                   .arg(exact)));
                if (weights[s] == 0)
                    QCOMPARE(counts[s], 0);
            }
        }
    }

    void manySmallStrataStillAddUp()
    {
        // 30 categories of 3 prompts each: rounding every stratum on its own would give 1:1:8's
        // train and val nothing at all; the totals must still follow the ratios.
        QStringList categories;
        for (int c = 0; c < 30; ++c)
            categories << QStringLiteral("category%1").arg(c, 2, 10, QLatin1Char('0'));
        const auto images = pairedPool({ "real", "gpt4" }, categories, 3, 0);
        const auto splits = makeSplits(images, SplitRatios { 1, 1, 8 }, 5);
        std::array<int, 3> units {};
        for (const auto& [stratum, list] : unitsByStratum(images)) {
            for (const auto& unit : list)
                ++units[splitIndex(splits.value(unit.front()))];
        }
        QVERIFY2(std::abs(units[0] - 9) <= 1, qPrintable(QString::number(units[0])));
        QVERIFY2(std::abs(units[1] - 9) <= 1, qPrintable(QString::number(units[1])));
        QVERIFY2(std::abs(units[2] - 72) <= 1, qPrintable(QString::number(units[2])));
    }

    void pairsAreNeverSplit_data()
    {
        QTest::addColumn<QString>("ratios");
        QTest::newRow("1:1:8") << QStringLiteral("1:1:8");
        QTest::newRow("8:1:1") << QStringLiteral("8:1:1");
        QTest::newRow("1:1:1") << QStringLiteral("1:1:1");
    }

    void pairsAreNeverSplit()
    {
        QFETCH(QString, ratios);
        auto images = pairedPool({ "real", "dalle2", "sd21" }, { "kite", "elephant" }, 25, 3);
        // A pair that crosses categories too (a re-creation filed under another category).
        images[0].pairKey = QStringLiteral("cross");
        images.back().pairKey = QStringLiteral("cross");
        for (std::uint64_t seed = 1; seed <= 20; ++seed) {
            const auto splits = makeSplits(images, parseSplitRatios(ratios).value(), seed);
            std::map<QString, Split> splitOfPair;
            for (const PoolImage& image : images) {
                if (image.pairKey.isEmpty())
                    continue;
                const Split split = splits.value(image.id);
                const auto [it, inserted] = splitOfPair.emplace(image.pairKey, split);
                QVERIFY2(inserted || it->second == split, qPrintable(image.pairKey));
            }
        }
    }

    void sameSeedSameSplitsOtherSeedOthers()
    {
        const auto images = pairedPool({ "real", "dalle2" }, { "kite", "elephant" }, 30, 6);
        const SplitRatios ratios { 8, 1, 1 };
        QCOMPARE(makeSplits(images, ratios, 7), makeSplits(images, ratios, 7));
        QVERIFY(makeSplits(images, ratios, 7) != makeSplits(images, ratios, 8));
    }

    void independentOfInputOrder()
    {
        auto images = pairedPool({ "real", "dalle2", "sd21" }, { "kite", "elephant" }, 20, 5);
        const auto reference = makeSplits(images, SplitRatios { 1, 1, 8 }, 3);
        Rng rng(99);
        for (int round = 0; round < 5; ++round) {
            rng.shuffle(images);
            QCOMPARE(makeSplits(images, SplitRatios { 1, 1, 8 }, 3), reference);
        }
        std::reverse(images.begin(), images.end());
        QCOMPARE(makeSplits(images, SplitRatios { 1, 1, 8 }, 3), reference);
    }

    void emptyPoolGivesNoSplits() { QVERIFY(makeSplits({}, SplitRatios {}, 1).isEmpty()); }
};

QTEST_GUILESS_MAIN(Test_splitmaker)
#include "tst_splitmaker.moc"
