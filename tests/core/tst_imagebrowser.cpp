#include "analysis/contactsheet.h"
#include "analysis/imagebrowser.h"
#include "pool/thumbnails.h"

#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <opencv2/imgcodecs.hpp>

#include <cmath>
#include <numeric>

using namespace ntt;

namespace {

/// An image whose people got `correct` of `trials` right and whose model "m" said `pReal`
/// (negative: no prediction).
BrowserImage image(
    qint64 id, bool real, const QString& category, int correct, int trials, float pReal, QStringList tags = {})
{
    BrowserImage b;
    b.image.id = id;
    b.image.category = category;
    b.image.source = real ? QStringLiteral("real") : QStringLiteral("gen");
    b.real = real;
    b.people.trials = trials;
    b.people.correct = correct;
    if (pReal >= 0.0f)
        b.pReal.insert(QStringLiteral("m"), pReal);
    b.tags = std::move(tags);
    return b;
}

/// Ten images with known outcomes for model "m".
std::vector<BrowserImage> fixture()
{
    return {
        image(1, true, QStringLiteral("dog"), 4, 4, 0.9f), // both right
        image(2, false, QStringLiteral("dog"), 1, 4, 0.2f), // people wrong, model right
        image(3, false, QStringLiteral("dog"), 3, 4, 0.7f, { QStringLiteral("hands") }), // people right, model wrong
        image(4, true, QStringLiteral("dog"), 0, 4, 0.1f, { QStringLiteral("hands") }), // both wrong
        image(5, true, QStringLiteral("cat"), 2, 4, 0.5f), // both right (ties go to right)
        image(6, false, QStringLiteral("cat"), 0, 2, 0.95f), // both wrong
        image(7, false, QStringLiteral("cat"), 0, 0, 0.3f), // no people: no outcome
        image(8, true, QStringLiteral("cat"), 3, 3, -1.0f), // no model: no outcome
        image(9, false, QStringLiteral("cat"), 1, 3, 0.05f), // people wrong, model right
        image(10, true, QStringLiteral("dog"), 2, 3, 0.6f), // both right
    };
}

std::vector<qint64> ids(const std::vector<BrowserImage>& images, const std::vector<int>& indices)
{
    std::vector<qint64> out;
    for (int i : indices)
        out.push_back(images[std::size_t(i)].image.id);
    return out;
}

} // namespace

// The error browser's filters and sorts on a set of images whose outcomes are known.
class Test_imagebrowser : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void outcomes()
    {
        const auto images = fixture();
        const QString m = QStringLiteral("m");
        QCOMPARE(outcomeOf(images[0], m), Outcome::BothRight);
        QCOMPARE(outcomeOf(images[1], m), Outcome::PeopleWrongModelRight);
        QCOMPARE(outcomeOf(images[2], m), Outcome::PeopleRightModelWrong);
        QCOMPARE(outcomeOf(images[3], m), Outcome::BothWrong);
        QCOMPARE(outcomeOf(images[4], m), Outcome::BothRight);
        QVERIFY(!outcomeOf(images[6], m));
        QVERIFY(!outcomeOf(images[7], m));
        QVERIFY(!outcomeOf(images[0], QStringLiteral("other model")));
        for (Outcome o : { Outcome::Any, Outcome::BothRight, Outcome::PeopleWrongModelRight,
                 Outcome::PeopleRightModelWrong, Outcome::BothWrong })
            QCOMPARE(outcomeFromName(outcomeName(o)), o);
        QVERIFY(!outcomeFromName(QStringLiteral("sometimes")));
    }

    void filterByOutcomeCategoryAndTag_data()
    {
        QTest::addColumn<QString>("category");
        QTest::addColumn<int>("outcome");
        QTest::addColumn<QString>("tag");
        QTest::addColumn<std::vector<qint64>>("expected");
        QTest::newRow("all") << QString() << int(Outcome::Any) << QString()
                             << std::vector<qint64> { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };
        QTest::newRow("both right") << QString() << int(Outcome::BothRight) << QString()
                                    << std::vector<qint64> { 1, 5, 10 };
        QTest::newRow("people fooled") << QString() << int(Outcome::PeopleWrongModelRight) << QString()
                                       << std::vector<qint64> { 2, 9 };
        QTest::newRow("model fooled") << QString() << int(Outcome::PeopleRightModelWrong) << QString()
                                      << std::vector<qint64> { 3 };
        QTest::newRow("both wrong") << QString() << int(Outcome::BothWrong) << QString()
                                    << std::vector<qint64> { 4, 6 };
        QTest::newRow("cats both wrong") << QStringLiteral("cat") << int(Outcome::BothWrong) << QString()
                                         << std::vector<qint64> { 6 };
        QTest::newRow("dogs") << QStringLiteral("dog") << int(Outcome::Any) << QString()
                              << std::vector<qint64> { 1, 2, 3, 4, 10 };
        QTest::newRow("tag") << QString() << int(Outcome::Any) << QStringLiteral("hands")
                             << std::vector<qint64> { 3, 4 };
        QTest::newRow("tag and outcome") << QString() << int(Outcome::BothWrong) << QStringLiteral("hands")
                                         << std::vector<qint64> { 4 };
    }

    void filterByOutcomeCategoryAndTag()
    {
        QFETCH(QString, category);
        QFETCH(int, outcome);
        QFETCH(QString, tag);
        QFETCH(std::vector<qint64>, expected);
        const auto images = fixture();
        BrowserFilter f;
        f.model = QStringLiteral("m");
        f.category = category;
        f.outcome = Outcome(outcome);
        f.tag = tag;
        QCOMPARE(ids(images, filterImages(images, f, BrowserSort::Id)), expected);
    }

    void filterByRanges()
    {
        const auto images = fixture();
        BrowserFilter f;
        f.model = QStringLiteral("m");
        f.peopleMin = 0.5;
        f.peopleMax = 0.8;
        // Shares: 5 -> 0.5, 3 -> 0.75, 10 -> 0.667; image 7 has no answers and is left out.
        QCOMPARE(ids(images, filterImages(images, f, BrowserSort::Id)), (std::vector<qint64> { 3, 5, 10 }));
        f = BrowserFilter {};
        f.model = QStringLiteral("m");
        f.pRealMin = 0.9;
        QCOMPARE(ids(images, filterImages(images, f, BrowserSort::Id)), (std::vector<qint64> { 1, 6 }));
        f.source = QStringLiteral("gen");
        QCOMPARE(ids(images, filterImages(images, f, BrowserSort::Id)), (std::vector<qint64> { 6 }));
    }

    void sorts()
    {
        const auto images = fixture();
        BrowserFilter f;
        f.model = QStringLiteral("m");
        f.category = QStringLiteral("dog");
        // People's share: 1 -> 1.0, 2 -> 0.25, 3 -> 0.75, 4 -> 0.0, 10 -> 0.667.
        QCOMPARE(ids(images, filterImages(images, f, BrowserSort::PeopleAccuracy)),
            (std::vector<qint64> { 4, 2, 10, 3, 1 }));
        QCOMPARE(ids(images, filterImages(images, f, BrowserSort::PeopleAccuracy, true)),
            (std::vector<qint64> { 1, 3, 10, 2, 4 }));
        QCOMPARE(ids(images, filterImages(images, f, BrowserSort::PReal)), (std::vector<qint64> { 4, 2, 10, 3, 1 }));
        // Hardness: entropy of (p, 1-p); 0.6 and 0.7 are the least certain. Image 8 has no model
        // output and goes last in both directions.
        f.category = QStringLiteral("cat");
        QCOMPARE(
            ids(images, filterImages(images, f, BrowserSort::Hardness, true)), (std::vector<qint64> { 5, 7, 6, 9, 8 }));
        QCOMPARE(ids(images, filterImages(images, f, BrowserSort::Hardness)), (std::vector<qint64> { 9, 6, 7, 5, 8 }));
    }

    void confusionOfABinaryModel()
    {
        const auto images = fixture();
        std::vector<int> all(images.size());
        std::iota(all.begin(), all.end(), 0);
        const ConfusionMatrix m = confusionMatrix(images, all, QStringLiteral("m"), ModelSpec {});
        QCOMPARE(m.truths, (QStringList { QStringLiteral("generated"), QStringLiteral("real") }));
        QCOMPARE(m.answers, m.truths);
        // Image 8 has no output. Generated: 2, 7, 9 called generated, 3 and 6 real; real: 4 called
        // generated, 1, 5 (0.5 counts as real) and 10 real.
        QCOMPARE(ids(images, m.cells[0][0]), (std::vector<qint64> { 2, 7, 9 }));
        QCOMPARE(ids(images, m.cells[0][1]), (std::vector<qint64> { 3, 6 }));
        QCOMPARE(ids(images, m.cells[1][0]), (std::vector<qint64> { 4 }));
        QCOMPARE(ids(images, m.cells[1][1]), (std::vector<qint64> { 1, 5, 10 }));
        // Only the subset counts.
        QCOMPARE(confusionMatrix(images, { 0, 1 }, QStringLiteral("m"), ModelSpec {}).count(1, 1), 1);
    }

    void confusionOfASourceClassifier()
    {
        ModelSpec spec;
        spec.output = OutputKind::SourceClasses;
        spec.classes = { QStringLiteral("photo"), QStringLiteral("sd"), QStringLiteral("mj") };
        spec.classMap.insert(QStringLiteral("photo"), QStringLiteral("real"));
        std::vector<BrowserImage> images(3);
        images[0].image.source = QStringLiteral("real");
        images[0].classProbabilities.insert(QStringLiteral("c"), { 0.7f, 0.2f, 0.1f });
        images[1].image.source = QStringLiteral("sd");
        images[1].classProbabilities.insert(QStringLiteral("c"), { 0.1f, 0.3f, 0.6f });
        images[2].image.source = QStringLiteral("mj");
        images[2].classProbabilities.insert(QStringLiteral("c"), { 0.1f, 0.1f, 0.8f });
        const ConfusionMatrix m = confusionMatrix(images, { 0, 1, 2 }, QStringLiteral("c"), spec);
        QCOMPARE(m.truths, (QStringList { QStringLiteral("mj"), QStringLiteral("real"), QStringLiteral("sd") }));
        QCOMPARE(m.answers, (QStringList { QStringLiteral("mj"), QStringLiteral("real") }));
        QCOMPARE(m.count(0, 0), 1); // mj as mj
        QCOMPARE(m.count(1, 1), 1); // real as real (through the class map)
        QCOMPARE(m.count(2, 0), 1); // sd mistaken for mj
        QCOMPARE(m.count(2, 1), 0);
    }

    void thumbnailsAreMadeOnceAtTheirSize()
    {
        QTemporaryDir dir;
        const QString image = dir.filePath(QStringLiteral("wide.png"));
        cv::Mat wide(300, 400, CV_8UC3, cv::Scalar(10, 200, 30));
        QVERIFY(cv::imwrite(image.toStdString(), wide));
        const ThumbnailCache cache(dir.filePath(QStringLiteral("s.ntt.thumbs")), 64);
        const QString sha = QStringLiteral("ab12");
        QVERIFY(!cache.contains(sha));
        const auto thumb = cache.thumbnail(image, sha);
        QVERIFY2(thumb.ok(), qPrintable(thumb.error()));
        QCOMPARE(thumb->cols, 64);
        QCOMPARE(thumb->rows, 48);
        QVERIFY(cache.contains(sha));
        QCOMPARE(QFileInfo(cache.pathFor(sha)).fileName(), QStringLiteral("ab12-64.jpg"));
        // Made once: the stored one is read even when the original is gone.
        QVERIFY(QFile::remove(image));
        const auto again = cache.thumbnail(image, sha);
        QVERIFY(again.ok());
        QCOMPARE(again->cols, 64);
        const auto missing = cache.thumbnail(dir.filePath(QStringLiteral("gone.png")), QStringLiteral("cd34"));
        QVERIFY(!missing.ok());
        QVERIFY(missing.error().contains(QStringLiteral("gone.png")));
    }

    void contactSheetAsPngAndPdf()
    {
        QTemporaryDir dir;
        std::vector<ContactSheetItem> items(3);
        for (ContactSheetItem& item : items) {
            item.thumbnail = cv::Mat(50, 100, CV_8UC3, cv::Scalar(0, 0, 255));
            item.caption = QStringLiteral("#1 people 20 % · P(real) 0.91");
        }
        ContactSheetLayout layout;
        layout.columns = 2;
        layout.cell = 100;
        const auto sheet = composeContactSheet(items, layout);
        QVERIFY(sheet.ok());
        // Two columns of 100 px with 8 px gaps; two rows of 100 px + two caption lines + gap.
        QCOMPARE(sheet->cols, 8 + 2 * 108);
        QCOMPARE(sheet->rows, 8 + 2 * (100 + 34 + 8));
        // No empty columns for a short selection.
        QCOMPARE(composeContactSheet({ items[0] }, layout)->cols, 8 + 108);
        QVERIFY(!composeContactSheet({}, layout).ok());

        const QString png = dir.filePath(QStringLiteral("sheet.png"));
        QVERIFY(writeContactSheet(sheet.value(), png).ok());
        QCOMPARE(cv::imread(png.toStdString()).cols, sheet->cols);
        const QString pdf = dir.filePath(QStringLiteral("sheet.pdf"));
        QVERIFY(writeContactSheet(sheet.value(), pdf).ok());
        QFile f(pdf);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray bytes = f.readAll();
        QVERIFY(bytes.startsWith("%PDF-1.4"));
        QVERIFY(bytes.contains("/Subtype /Image /Width 224 /Height 292"));
        QVERIFY(bytes.contains("/Filter /DCTDecode"));
        QVERIFY(bytes.trimmed().endsWith("%%EOF"));
        // The cross-reference table points at the objects.
        const int xref = bytes.lastIndexOf("startxref\n");
        const qsizetype table = bytes.mid(xref + 10).split('\n').front().toLongLong();
        QVERIFY(bytes.mid(table).startsWith("xref\n0 6\n"));
        const Status refused = writeContactSheet(sheet.value(), dir.filePath(QStringLiteral("sheet.gif")));
        QVERIFY(!refused.ok());
        QVERIFY(refused.error().contains(QStringLiteral("sheet.gif")));
    }

    void hardnessIsTheEntropyInBits()
    {
        BrowserImage b = image(1, true, QStringLiteral("dog"), 1, 1, 0.5f);
        QCOMPARE(hardness(b, QStringLiteral("m")), 1.0);
        b.pReal[QStringLiteral("m")] = 0.2f;
        const double p = double(0.2f);
        QVERIFY(std::abs(hardness(b, QStringLiteral("m")) - (-p * std::log2(p) - (1 - p) * std::log2(1 - p))) < 1e-9);
        // Four equally likely classes: two bits, whatever P(real) says.
        b.classProbabilities.insert(QStringLiteral("m"), { 0.25f, 0.25f, 0.25f, 0.25f });
        QCOMPARE(hardness(b, QStringLiteral("m")), 2.0);
        QVERIFY(std::isnan(hardness(b, QStringLiteral("absent"))));
    }
};

QTEST_GUILESS_MAIN(Test_imagebrowser)
#include "tst_imagebrowser.moc"
