// What ImageNet-style classifiers take pool images for: the shipped ImageNet-1k class list,
// sidecars naming it, and top-1 / top-5 per pool category through a many-to-one class map.

#include "analysis/objectrecognition.h"
#include "models/modelspec.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QtTest>

using namespace ntt;

namespace {

PredictionRow row(const QString& category, const std::vector<double>& probabilities)
{
    PredictionRow r;
    r.image.category = category;
    QJsonArray values;
    for (const double p : probabilities)
        values.append(p);
    r.classProbabilities = QString::fromUtf8(QJsonDocument(values).toJson(QJsonDocument::Compact));
    return r;
}

} // namespace

class Test_objectrecognition : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // The list is torchvision's (resources/imagenet/make_imagenet_classes.py wrote it from
    // torchvision.models._meta._IMAGENET_CATEGORIES): these entries were read there.
    void imagenetClassesAreTorchvisions()
    {
        const auto classes = namedClassList(QStringLiteral("imagenet-1k"));
        QVERIFY2(classes.ok(), qPrintable(classes.error()));
        QCOMPARE(classes->size(), 1000);
        QCOMPARE(classes->at(0), QStringLiteral("tench"));
        QCOMPARE(classes->at(207), QStringLiteral("golden retriever"));
        QCOMPARE(classes->at(281), QStringLiteral("tabby"));
        QCOMPARE(classes->at(999), QStringLiteral("toilet tissue"));
        QVERIFY(!namedClassList(QStringLiteral("imagenet-21k")).ok());
    }

    void aSidecarNamesTheListAndMapsManyClassesToOneCategory()
    {
        const auto spec = parseModelSpec(R"({"output": "category-classes", "classes": "imagenet-1k",
            "class_map": {"golden retriever": "dog", "Labrador retriever": "dog", "tabby": "cat"}})",
            QStringLiteral("resnet.json"));
        QVERIFY2(spec.ok(), qPrintable(spec.error()));
        QCOMPARE(spec->classes.size(), 1000);
        QCOMPARE(spec->outputCount(), 1000);
        QCOMPARE(spec->classMap.value(QStringLiteral("Labrador retriever")), QStringLiteral("dog"));
        const auto typo = parseModelSpec(R"({"output": "category-classes", "classes": "imagenet-1k",
            "class_map": {"golden retreiver": "dog"}})",
            QStringLiteral("resnet.json"));
        QVERIFY(!typo.ok());
        QVERIFY2(typo.error().contains(QStringLiteral("golden retreiver")), qPrintable(typo.error()));
        const auto unknown
            = parseModelSpec(R"({"output": "category-classes", "classes": "coco"})", QStringLiteral("m.json"));
        QVERIFY(!unknown.ok());
        QVERIFY2(unknown.error().contains(QStringLiteral("imagenet-1k")), qPrintable(unknown.error()));
    }

    // Six classes, two of them dogs: top-1 counts the most probable class's category, top-5 any of
    // the five most probable; a category no class maps to is named as such.
    void topOneAndTopFivePerCategory()
    {
        ModelSpec spec;
        spec.output = OutputKind::CategoryClasses;
        spec.classes = { QStringLiteral("beagle"), QStringLiteral("pug"), QStringLiteral("tabby"),
            QStringLiteral("car"), QStringLiteral("bus"), QStringLiteral("tree") };
        spec.classMap = { { QStringLiteral("beagle"), QStringLiteral("dog") },
            { QStringLiteral("pug"), QStringLiteral("dog") }, { QStringLiteral("tabby"), QStringLiteral("cat") } };
        std::vector<PredictionRow> rows = {
            row(QStringLiteral("dog"), { 0.05, 0.60, 0.10, 0.10, 0.10, 0.05 }), // top-1 pug: dog
            row(QStringLiteral("dog"),
                { 0.02, 0.03, 0.30, 0.25, 0.20, 0.20 }), // dogs are 5th and 6th: top-5 only via pug
            row(QStringLiteral("dog"),
                { 0.01, 0.01, 0.30, 0.28, 0.20, 0.20 }), // tie at the bottom: beagle (lower index) is 5th
            row(QStringLiteral("cat"), { 0.10, 0.10, 0.10, 0.50, 0.10, 0.10 }), // tabby ties 2nd..: in the top five
            row(QStringLiteral("boat"), { 0.2, 0.2, 0.2, 0.2, 0.1, 0.1 }),
        };
        PredictionRow failed = row(QStringLiteral("dog"), { 1, 0, 0, 0, 0, 0 });
        failed.error = QStringLiteral("x.png: cannot decode");
        rows.push_back(failed);

        const auto top = topClasses(rows[0], spec, 3);
        QCOMPARE(int(top.size()), 3);
        QCOMPARE(top[0].name, QStringLiteral("pug"));
        QCOMPARE(top[0].category, QStringLiteral("dog"));
        QCOMPARE(top[0].probability, 0.60);
        QCOMPARE(top[1].index, 2); // 0.10 ties: lower index first
        QVERIFY(topClasses(failed, spec, 5).empty());
        // The error browser ranks a model's softmax the same way, with the category each class stands for.
        const auto ranked = rankClasses({ 0.05, 0.60, 0.10, 0.10, 0.10, 0.05 }, spec, 6);
        QCOMPARE(int(ranked.size()), 6);
        QCOMPARE(ranked[1].category, QStringLiteral("cat"));
        QCOMPARE(ranked[5].name, QStringLiteral("tree"));
        QVERIFY(rankClasses({ 0.5, 0.5 }, spec, 5).empty()); // another model's output: nothing, not a wrong table

        const auto table = recognitionByCategory(rows, spec);
        QCOMPARE(int(table.size()), 3);
        QCOMPARE(table[0].category, QStringLiteral("boat"));
        QVERIFY(!table[0].mapped);
        QCOMPARE(table[1].category, QStringLiteral("cat"));
        QCOMPARE(table[1].top1.successes, 0);
        QCOMPARE(table[1].top5.successes, 1);
        QCOMPARE(table[2].category, QStringLiteral("dog"));
        QCOMPARE(table[2].images, 3);
        QCOMPARE(table[2].top1.successes, 1);
        QCOMPARE(table[2].top5.successes, 3);
        QVERIFY(table[2].mapped);
    }
};

QTEST_GUILESS_MAIN(Test_objectrecognition)
#include "tst_objectrecognition.moc"
