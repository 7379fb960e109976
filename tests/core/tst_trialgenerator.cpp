#include "study/trialgenerator.h"

#include <QtTest>

#include <map>
#include <set>

using namespace ntt;

namespace {

// A pool of `perCell` images per source and category; image i of every source in a category
// shares pair key "<category>-<i>". Ids are assigned in a scrambled order so that nothing can
// depend on them.
std::vector<PoolImage> makePool(const QStringList& sources, const QStringList& categories, int perCell)
{
    std::vector<PoolImage> pool;
    for (const QString& s : sources) {
        for (const QString& c : categories) {
            for (int i = 0; i < perCell; ++i) {
                PoolImage image;
                image.source = s;
                image.category = c;
                image.pairKey = QStringLiteral("%1-%2").arg(c).arg(i);
                image.relativePath = QStringLiteral("%1/%2/%3.png").arg(s, c).arg(i, 3, 10, QLatin1Char('0'));
                image.sha256 = image.relativePath;
                pool.push_back(image);
            }
        }
    }
    for (std::size_t k = 0; k < pool.size(); ++k)
        pool[k].id = static_cast<qint64>(1000 + (k * 7919) % 100003);
    return pool;
}

std::map<qint64, const PoolImage*> index(const std::vector<PoolImage>& pool)
{
    std::map<qint64, const PoolImage*> byId;
    for (const PoolImage& image : pool)
        byId[image.id] = &image;
    return byId;
}

StudyDefinition definition(TrialType type, int ways, int trials)
{
    StudyDefinition d;
    d.name = QStringLiteral("test");
    d.trialType = type;
    d.ways = ways;
    d.trialsPerParticipant = trials;
    d.seed = 99;
    return d;
}

const QStringList kSources
    = { QStringLiteral("real"), QStringLiteral("genA"), QStringLiteral("genB"), QStringLiteral("genC") };
const QStringList kCategories = { QStringLiteral("cat"), QStringLiteral("dog"), QStringLiteral("kite") };

} // namespace

class Test_trialgenerator : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void sameInputsGiveTheSameList()
    {
        const auto pool = makePool(kSources, kCategories, 20);
        const auto d = definition(TrialType::PickReal, 3, 30);
        const auto a = generateTrials(d, pool, QStringLiteral("real"), 4);
        QVERIFY2(a.ok(), qPrintable(a.error()));
        // The same pool handed over in another order (as another database might) gives the same list.
        auto reversed = pool;
        std::reverse(reversed.begin(), reversed.end());
        const auto b = generateTrials(d, reversed, QStringLiteral("real"), 4);
        QVERIFY(b.ok());
        QCOMPARE(a->trials.size(), b->trials.size());
        for (std::size_t i = 0; i < a->trials.size(); ++i) {
            QCOMPARE(a->trials[i].imageIds, b->trials[i].imageIds);
            QCOMPARE(a->trials[i].correctPosition, b->trials[i].correctPosition);
        }
        const auto other = generateTrials(d, pool, QStringLiteral("real"), 5);
        QVERIFY(other.ok());
        bool differs = false;
        for (std::size_t i = 0; i < a->trials.size(); ++i)
            differs = differs || a->trials[i].imageIds != other->trials[i].imageIds;
        QVERIFY2(differs, "participants 4 and 5 got the same list");
    }

    // Fixed brief exposures: each main trial gets one, equally often, in a shuffled order; practice
    // and catch trials the longest; repeats keep their original's; the rows are those drawn without
    // brief exposure. With a staircase, main trials leave the exposure to it.
    void briefExposureIsBalancedAndLeavesTheRowsAlone()
    {
        const auto pool = makePool(kSources, kCategories, 20);
        auto d = definition(TrialType::RealOrFake, 1, 24);
        d.practiceTrials = 2;
        d.repeatTrials = 4;
        const auto plain = generateTrials(d, pool, QStringLiteral("real"), 3);
        QVERIFY(plain.ok());
        d.exposure.frames = { 2, 5, 11 };
        const auto brief = generateTrials(d, pool, QStringLiteral("real"), 3);
        QVERIFY(brief.ok());
        QCOMPARE(brief->trials.size(), plain->trials.size());
        std::map<int, int> count;
        std::vector<int> order;
        for (std::size_t i = 0; i < brief->trials.size(); ++i) {
            const Trial& t = brief->trials[i];
            QCOMPARE(t.imageIds, plain->trials[i].imageIds);
            if (t.practice) {
                QCOMPARE(t.exposureFrames, 11);
            } else if (t.repeatOf >= 0) {
                QCOMPARE(t.exposureFrames, brief->trials[std::size_t(t.repeatOf)].exposureFrames);
            } else {
                ++count[t.exposureFrames];
                order.push_back(t.exposureFrames);
            }
        }
        QCOMPARE(count, (std::map<int, int> { { 2, 8 }, { 5, 8 }, { 11, 8 } }));
        std::vector<int> cycled;
        for (int i = 0; i < 24; ++i)
            cycled.push_back(d.exposure.frames[std::size_t(i % 3)]);
        QVERIFY(order != cycled); // shuffled, not in the list's order

        d.exposure.frames.clear();
        d.exposure.staircase.enabled = true;
        d.exposure.staircase.startFrames = 9;
        const auto stair = generateTrials(d, pool, QStringLiteral("real"), 3);
        QVERIFY(stair.ok());
        for (const Trial& t : stair->trials)
            QCOMPARE(t.exposureFrames, t.practice ? 9 : kStaircaseExposure);
    }

    void listIsPinnedAcrossPlatforms()
    {
        // Pinned output: a change here means participant k no longer gets the list recorded for k
        // in existing study files (or the platform's arithmetic differs). Update only on purpose.
        const auto pool = makePool(kSources, kCategories, 5);
        const auto list = generateTrials(definition(TrialType::PickReal, 2, 4), pool, QStringLiteral("real"), 0);
        QVERIFY(list.ok());
        QStringList rows;
        const auto byId = index(pool);
        for (const Trial& t : list->trials) {
            QStringList paths;
            for (qint64 id : t.imageIds)
                paths << byId.at(id)->relativePath;
            rows << paths.join(QLatin1Char('+'));
        }
        qInfo().noquote() << "pinned rows:" << rows.join(QStringLiteral(" | "));
        QCOMPARE(rows.join(QStringLiteral(" | ")),
            QStringLiteral("genA/cat/001.png+real/cat/004.png | real/kite/002.png+genB/kite/000.png | "
                           "real/dog/003.png+genA/dog/003.png | genB/dog/001.png+real/dog/002.png"));
    }

    void correctPositionIsBalancedAndHoldsTheRealImage_data()
    {
        QTest::addColumn<int>("ways");
        QTest::addColumn<int>("trials");
        QTest::newRow("2-way, 40") << 2 << 40;
        QTest::newRow("3-way, 31") << 3 << 31;
        QTest::newRow("4-way, 24") << 4 << 24;
        QTest::newRow("6-way, 13") << 6 << 13;
    }

    void correctPositionIsBalancedAndHoldsTheRealImage()
    {
        QFETCH(int, ways);
        QFETCH(int, trials);
        const QStringList sources = { QStringLiteral("real"), QStringLiteral("g1"), QStringLiteral("g2"),
            QStringLiteral("g3"), QStringLiteral("g4"), QStringLiteral("g5") };
        const auto pool = makePool(sources, kCategories, 30);
        const auto byId = index(pool);
        const auto list
            = generateTrials(definition(TrialType::PickReal, ways, trials), pool, QStringLiteral("real"), 1);
        QVERIFY2(list.ok(), qPrintable(list.error()));
        QCOMPARE(int(list->trials.size()), trials);
        std::map<int, int> positions;
        for (const Trial& t : list->trials) {
            QCOMPARE(t.ways(), ways);
            ++positions[t.correctPosition];
            for (int p = 0; p < ways; ++p) {
                const bool real = byId.at(t.imageIds[p])->source == QLatin1String("real");
                QCOMPARE(real, p == t.correctPosition);
            }
        }
        QCOMPARE(int(positions.size()), ways);
        for (const auto& [position, count] : positions)
            QVERIFY2(count == trials / ways || count == trials / ways + 1, qPrintable(QString::number(count)));
    }

    void noImageTwiceWhenThePoolSuffices()
    {
        const auto pool = makePool(kSources, kCategories, 20);
        auto d = definition(TrialType::PickReal, 4, 50);
        d.practiceTrials = 5;
        const auto list = generateTrials(d, pool, QStringLiteral("real"), 0);
        QVERIFY(list.ok());
        QVERIFY2(list->warnings.isEmpty(), qPrintable(list->warnings.join(QLatin1Char(';'))));
        std::set<qint64> seen;
        for (const Trial& t : list->trials) {
            for (qint64 id : t.imageIds)
                QVERIFY2(seen.insert(id).second, "an image was shown twice");
        }
    }

    void repeatsOnlyWithAWarningWhenThePoolIsTooSmall()
    {
        const auto pool = makePool({ QStringLiteral("real"), QStringLiteral("fake") }, { QStringLiteral("x") }, 5);
        const auto d = definition(TrialType::PickReal, 2, 8);
        const auto list = generateTrials(d, pool, QStringLiteral("real"), 0);
        QVERIFY(list.ok());
        QCOMPARE(int(list->trials.size()), 8);
        QCOMPARE(list->warnings.size(), 1);
        QVERIFY(list->warnings.first().contains(QStringLiteral("too small")));
        // The first five rows use fresh images only.
        std::set<qint64> seen;
        for (int i = 0; i < 5; ++i) {
            for (qint64 id : list->trials[i].imageIds)
                QVERIFY(seen.insert(id).second);
        }
        const auto check = checkStudyDesign(d, pool, QStringLiteral("real"));
        QVERIFY(check.ok());
        QCOMPARE(check.value(), list->warnings);
    }

    void rowsShareACategoryOrPairKey()
    {
        const auto pool = makePool(kSources, kCategories, 12);
        const auto byId = index(pool);
        for (RowMatching matching : { RowMatching::Category, RowMatching::PairKey }) {
            auto d = definition(TrialType::PickReal, 3, 30);
            d.matching = matching;
            const auto list = generateTrials(d, pool, QStringLiteral("real"), 2);
            QVERIFY2(list.ok(), qPrintable(list.error()));
            std::map<QString, int> categories;
            for (const Trial& t : list->trials) {
                const PoolImage* first = byId.at(t.imageIds[0]);
                ++categories[first->category];
                for (qint64 id : t.imageIds) {
                    QCOMPARE(byId.at(id)->category, first->category);
                    if (matching == RowMatching::PairKey)
                        QCOMPARE(byId.at(id)->pairKey, first->pairKey);
                }
            }
            // Categories are visited in a balanced cycle.
            if (matching == RowMatching::Category) {
                for (const auto& [category, count] : categories)
                    QCOMPARE(count, 10);
            }
        }
    }

    void generatedImagesComeFromDistinctGenerators()
    {
        const auto pool = makePool(kSources, kCategories, 20);
        const auto byId = index(pool);
        const auto list = generateTrials(definition(TrialType::PickReal, 4, 30), pool, QStringLiteral("real"), 0);
        QVERIFY(list.ok());
        for (const Trial& t : list->trials) {
            std::set<QString> sources;
            for (qint64 id : t.imageIds)
                sources.insert(byId.at(id)->source);
            QCOMPARE(int(sources.size()), 4);
        }
    }

    void pickFakeHasOneGeneratedImage()
    {
        const auto pool = makePool(kSources, kCategories, 20);
        const auto byId = index(pool);
        const auto list = generateTrials(definition(TrialType::PickFake, 3, 21), pool, QStringLiteral("real"), 0);
        QVERIFY2(list.ok(), qPrintable(list.error()));
        for (const Trial& t : list->trials) {
            for (int p = 0; p < t.ways(); ++p)
                QCOMPARE(byId.at(t.imageIds[p])->source != QLatin1String("real"), p == t.correctPosition);
        }
    }

    void realOrFakeIsBalanced()
    {
        const auto pool = makePool(kSources, kCategories, 20);
        const auto byId = index(pool);
        auto d = definition(TrialType::RealOrFake, 1, 30);
        const auto list = generateTrials(d, pool, QStringLiteral("real"), 0);
        QVERIFY2(list.ok(), qPrintable(list.error()));
        int reals = 0;
        for (const Trial& t : list->trials) {
            QCOMPARE(t.ways(), 1);
            const bool real = byId.at(t.imageIds[0])->source == QLatin1String("real");
            QCOMPARE(real, t.correctPosition == 0);
            reals += real ? 1 : 0;
        }
        QCOMPARE(reals, 15);
    }

    void practiceCatchAndBreaks()
    {
        const auto pool = makePool(kSources, kCategories, 20);
        auto d = definition(TrialType::PickReal, 2, 20);
        d.practiceTrials = 3;
        d.catchTrials = 2;
        d.catchImages = { QStringLiteral("real/cat/000.png"), QStringLiteral("real/dog/000.png"),
            QStringLiteral("genA/kite/000.png"), QStringLiteral("genB/kite/001.png") };
        d.breakEvery = 10;
        const auto byId = index(pool);
        const auto list = generateTrials(d, pool, QStringLiteral("real"), 0);
        QVERIFY2(list.ok(), qPrintable(list.error()));
        QCOMPARE(int(list->trials.size()), 25);
        for (int i = 0; i < 3; ++i)
            QVERIFY(list->trials[i].practice);
        QVERIFY(!list->trials[3].isCatch); // nobody starts the main block on an attention check
        int catches = 0;
        for (const Trial& t : list->trials) {
            QCOMPARE(t.index, int(&t - &list->trials[0]));
            if (!t.isCatch) {
                for (qint64 id : t.imageIds)
                    QVERIFY(!d.catchImages.contains(byId.at(id)->relativePath));
                continue;
            }
            ++catches;
            QVERIFY(!t.practice);
            for (qint64 id : t.imageIds)
                QVERIFY(d.catchImages.contains(byId.at(id)->relativePath));
        }
        QCOMPARE(catches, 2);
        // Breaks after main trials 10 and 20 of 22, never after the last.
        QVERIFY(list->trials[3 + 9].breakAfter);
        QVERIFY(list->trials[3 + 19].breakAfter);
        QVERIFY(!list->trials.back().breakAfter);
        int breaks = 0;
        for (const Trial& t : list->trials)
            breaks += t.breakAfter ? 1 : 0;
        QCOMPARE(breaks, 2);
    }

    // Repeated trials come after the main block, copies of main trials (never catch trials), each once,
    // in a new order; the list before them is the list without repeats.
    void repeatedTrialsFollowTheMainBlock()
    {
        const auto pool = makePool(kSources, kCategories, 20);
        auto d = definition(TrialType::PickReal, 2, 20);
        d.practiceTrials = 2;
        d.catchTrials = 2;
        d.catchImages = { QStringLiteral("real/cat/000.png"), QStringLiteral("real/dog/000.png"),
            QStringLiteral("genA/kite/000.png"), QStringLiteral("genB/kite/001.png") };
        const auto without = generateTrials(d, pool, QStringLiteral("real"), 3);
        d.repeatTrials = 6;
        const auto with = generateTrials(d, pool, QStringLiteral("real"), 3);
        QVERIFY2(with.ok(), qPrintable(with.error()));
        QCOMPARE(with->trials.size(), without->trials.size() + 6);
        for (std::size_t i = 0; i < without->trials.size(); ++i) {
            QCOMPARE(with->trials[i].imageIds, without->trials[i].imageIds);
            QCOMPARE(with->trials[i].repeatOf, -1);
        }
        QSet<int> repeated;
        std::vector<int> order;
        for (std::size_t i = without->trials.size(); i < with->trials.size(); ++i) {
            const Trial& copy = with->trials[i];
            QCOMPARE(copy.index, int(i));
            QVERIFY(copy.repeatOf >= 2 && copy.repeatOf < int(without->trials.size()));
            const Trial& original = with->trials[std::size_t(copy.repeatOf)];
            QVERIFY(!original.isCatch && !original.practice);
            QCOMPARE(copy.imageIds, original.imageIds);
            QCOMPARE(copy.correctPosition, original.correctPosition);
            QVERIFY(!repeated.contains(copy.repeatOf));
            repeated.insert(copy.repeatOf);
            order.push_back(copy.repeatOf);
        }
        QVERIFY(!std::is_sorted(order.begin(), order.end())); // shown in a new order
        d.repeatTrials = 21;
        QVERIFY(!validateStudyDefinition(d).ok());
    }

    void impossibleDesignsFailWithAReason_data()
    {
        QTest::addColumn<QString>("change");
        QTest::addColumn<QString>("expected");
        QTest::newRow("unknown source") << "source"
                                        << "source \"midjourney\" is not in the pool";
        QTest::newRow("unknown category") << "category"
                                          << "category \"whale\" is not in the pool";
        QTest::newRow("no real source") << "real"
                                        << "real source \"photo\"";
        QTest::newRow("missing catch image") << "catch"
                                             << "catch image \"nope.png\"";
        QTest::newRow("too many ways for pairs") << "pairs"
                                                 << "no pick-real row of 5 images";
        QTest::newRow("real-or-fake without generated images") << "rf-real-only"
                                                               << "need both real";
        QTest::newRow("real-or-fake catch images all generated") << "rf-catch-generated"
                                                                 << "catch images must include both";
    }

    void impossibleDesignsFailWithAReason()
    {
        QFETCH(QString, change);
        QFETCH(QString, expected);
        const auto pool = makePool(kSources, kCategories, 4);
        auto d = definition(TrialType::PickReal, 2, 5);
        QString real = QStringLiteral("real");
        if (change == QLatin1String("source"))
            d.sources = QStringList { QStringLiteral("real"), QStringLiteral("midjourney") };
        else if (change == QLatin1String("category"))
            d.categories = QStringList { QStringLiteral("whale") };
        else if (change == QLatin1String("real"))
            real = QStringLiteral("photo");
        else if (change == QLatin1String("catch")) {
            d.catchTrials = 1;
            d.catchImages = QStringList { QStringLiteral("nope.png") };
        } else if (change == QLatin1String("rf-real-only")) {
            d.trialType = TrialType::RealOrFake;
            d.ways = 1;
            d.sources = QStringList { QStringLiteral("real") };
        } else if (change == QLatin1String("rf-catch-generated")) {
            d.trialType = TrialType::RealOrFake;
            d.ways = 1;
            d.catchTrials = 2;
            d.catchImages = QStringList { QStringLiteral("genA/cat/000.png"), QStringLiteral("genB/dog/001.png") };
        } else if (change == QLatin1String("pairs")) {
            d.ways = 5;
            d.matching = RowMatching::PairKey;
        }
        const auto list = generateTrials(d, pool, real, 0);
        QVERIFY(!list.ok());
        QVERIFY2(list.error().contains(expected), qPrintable(list.error()));
    }

    void whichSourceOffersTheStudysSourcesAndBalancesTheAnswer()
    {
        const auto pool = makePool(kSources, kCategories, 10);
        auto d = definition(TrialType::WhichSource, 1, 30);
        d.practiceTrials = 2;
        const auto list = generateTrials(d, pool, QStringLiteral("real"), 3);
        QVERIFY2(list.ok(), qPrintable(list.error()));
        const auto byId = index(pool);
        // Real first, then the generators in name order; the same names, in the same order, every trial.
        const QStringList expected
            = { QStringLiteral("real"), QStringLiteral("genA"), QStringLiteral("genB"), QStringLiteral("genC") };
        std::map<int, int> answers;
        std::set<qint64> seen;
        for (const Trial& t : list->trials) {
            QCOMPARE(t.ways(), 1);
            QCOMPARE(t.choices, expected);
            QCOMPARE(answerOptionCount(t), 4);
            QCOMPARE(byId.at(t.imageIds.front())->source, t.choices[t.correctPosition]);
            QVERIFY2(seen.insert(t.imageIds.front()).second, "an image was shown twice");
            if (!t.practice)
                ++answers[t.correctPosition];
        }
        // 30 main trials over 4 sources: 7 or 8 each.
        QCOMPARE(int(answers.size()), 4);
        for (const auto& [answer, n] : answers)
            QVERIFY2(
                n == 7 || n == 8, qPrintable(QStringLiteral("source %1 is the answer %2 times").arg(answer).arg(n)));

        // Generated sources only, in the order the researcher listed them.
        d.sources = QStringList { QStringLiteral("genC"), QStringLiteral("genA") };
        const auto generatedOnly = generateTrials(d, pool, QStringLiteral("real"), 0);
        QVERIFY2(generatedOnly.ok(), qPrintable(generatedOnly.error()));
        for (const Trial& t : generatedOnly->trials) {
            QCOMPARE(t.choices, d.sources);
            QCOMPARE(byId.at(t.imageIds.front())->source, t.choices[t.correctPosition]);
        }
    }

    void whichCategoryDrawsDistractorsEvenly()
    {
        const QStringList categories = { QStringLiteral("bird"), QStringLiteral("cat"), QStringLiteral("dog"),
            QStringLiteral("kite"), QStringLiteral("ship") };
        const auto pool = makePool(kSources, categories, 10);
        auto d = definition(TrialType::WhichCategory, 1, 40);
        d.choices = 3;
        const auto list = generateTrials(d, pool, QStringLiteral("real"), 1);
        QVERIFY2(list.ok(), qPrintable(list.error()));
        const auto byId = index(pool);
        std::map<QString, int> truths;
        std::map<QString, int> distractors;
        std::map<int, int> positions;
        for (const Trial& t : list->trials) {
            QCOMPARE(t.choices.size(), 3);
            QCOMPARE(QSet<QString>(t.choices.begin(), t.choices.end()).size(), 3);
            const QString truth = byId.at(t.imageIds.front())->category;
            QCOMPARE(t.choices[t.correctPosition], truth);
            ++truths[truth];
            ++positions[t.correctPosition];
            for (const QString& c : t.choices) {
                if (c != truth)
                    ++distractors[c];
            }
        }
        // Each category is the answer 8 times (a shuffled cycle) and a distractor 16 times (least used first).
        for (const QString& c : categories) {
            QCOMPARE(truths[c], 8);
            QVERIFY2(std::abs(distractors[c] - 16) <= 1,
                qPrintable(QStringLiteral("%1 offered as a distractor %2 times").arg(c).arg(distractors[c])));
        }
        // The right name's place among the buttons is shuffled, not fixed.
        QCOMPARE(int(positions.size()), 3);

        // Free choice: every category, always in the same order.
        d.choices = 0;
        const auto free = generateTrials(d, pool, QStringLiteral("real"), 1);
        QVERIFY2(free.ok(), qPrintable(free.error()));
        for (const Trial& t : free->trials)
            QCOMPARE(t.choices, categories);
    }

    void pickSourceShowsEachPairOfGeneratorsEvenly()
    {
        const auto pool = makePool(kSources, kCategories, 12);
        const auto d = definition(TrialType::PickSource, 2, 36);
        const auto list = generateTrials(d, pool, QStringLiteral("real"), 2);
        QVERIFY2(list.ok(), qPrintable(list.error()));
        QVERIFY(list->warnings.isEmpty());
        const auto byId = index(pool);
        std::map<QString, int> pairs;
        std::map<QString, int> named;
        std::map<int, int> positions;
        for (const Trial& t : list->trials) {
            QCOMPARE(t.ways(), 2);
            const PoolImage* a = byId.at(t.imageIds[0]);
            const PoolImage* b = byId.at(t.imageIds[1]);
            QVERIFY(a->source != QLatin1String("real") && b->source != QLatin1String("real"));
            QVERIFY(a->source != b->source);
            QCOMPARE(a->category, b->category);
            QCOMPARE(byId.at(t.imageIds[std::size_t(t.correctPosition)])->source, t.targetSource);
            QStringList pair = { a->source, b->source };
            pair.sort();
            ++pairs[pair.join(QLatin1Char('+'))];
            ++named[t.targetSource];
            ++positions[t.correctPosition];
        }
        // 3 generators make 3 pairs, each 12 times; each generator named 12 times; positions 18 / 18.
        QCOMPARE(int(pairs.size()), 3);
        for (const auto& [pair, n] : pairs)
            QCOMPARE(n, 12);
        for (const auto& [source, n] : named)
            QCOMPARE(n, 12);
        QCOMPARE(positions[0], 18);
        QCOMPARE(positions[1], 18);
    }

    void newTrialTypesRefuseImpossibleDesigns()
    {
        const auto pool = makePool({ QStringLiteral("real"), QStringLiteral("genA") }, kCategories, 4);
        auto pick = definition(TrialType::PickSource, 2, 10);
        auto r = generateTrials(pick, pool, QStringLiteral("real"), 0);
        QVERIFY(!r.ok());
        QVERIFY2(r.error().contains(QLatin1String("at least two generated sources")), qPrintable(r.error()));

        auto which = definition(TrialType::WhichSource, 1, 10);
        which.sources = QStringList { QStringLiteral("genA") };
        r = generateTrials(which, pool, QStringLiteral("real"), 0);
        QVERIFY(!r.ok());
        QVERIFY2(r.error().contains(QLatin1String("at least two sources")), qPrintable(r.error()));

        auto category = definition(TrialType::WhichCategory, 1, 10);
        category.choices = 4;
        r = generateTrials(category, pool, QStringLiteral("real"), 0);
        QVERIFY(!r.ok());
        QVERIFY2(r.error().contains(QLatin1String("only 3 categories (cat, dog, kite)")), qPrintable(r.error()));

        // Two generators that never share a category cannot make a matched pick-source row.
        std::vector<PoolImage> apart = makePool({ QStringLiteral("genA") }, { QStringLiteral("cat") }, 3);
        for (PoolImage image : makePool({ QStringLiteral("genB") }, { QStringLiteral("dog") }, 3)) {
            image.id += 50000;
            apart.push_back(image);
        }
        r = generateTrials(pick, apart, QStringLiteral("real"), 0);
        QVERIFY(!r.ok());
        QVERIFY2(r.error().contains(QLatin1String("no two generated sources share a category")), qPrintable(r.error()));
        pick.matching = RowMatching::None;
        QVERIFY(generateTrials(pick, apart, QStringLiteral("real"), 0).ok());
    }
};

QTEST_GUILESS_MAIN(Test_trialgenerator)
#include "tst_trialgenerator.moc"
