#include "pool/poolimport.h"
#include "pool/shortcutaudit.h"

#include <QtTest>

#include <algorithm>

using namespace ntt;

Q_DECLARE_METATYPE(ntt::PoolImage)
Q_DECLARE_METATYPE(std::vector<ntt::PoolImage>)

namespace {

PoolImage image(const QString& source, const QString& format, int quality = -1, bool exif = false, int size = 512)
{
    PoolImage image;
    image.source = source;
    image.format = format;
    image.jpegQuality = format == QLatin1String("jpeg") ? quality : -1;
    image.hasExif = exif;
    image.width = size;
    image.height = size;
    return image;
}

// `count` images of one source and format, appended to `images`.
void add(std::vector<PoolImage>& images, int count, const QString& source, const QString& format)
{
    for (int i = 0; i < count; ++i)
        images.push_back(image(source, format, format == QLatin1String("jpeg") ? 90 : -1));
}

const PropertyDistribution& distribution(const ShortcutAudit& audit, const QString& name)
{
    const auto it = std::find_if(audit.properties.begin(), audit.properties.end(),
        [&](const PropertyDistribution& p) { return p.property == name; });
    if (it == audit.properties.end())
        qFatal("no property %s", qPrintable(name));
    return *it;
}

QStringList warnedProperties(const ShortcutAudit& audit)
{
    QStringList names;
    for (const ShortcutWarning& warning : audit.warnings)
        names << warning.property;
    return names;
}

} // namespace

class Test_shortcutaudit : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // Expected values by hand, leave-one-out: each image is predicted from the others. With r real and g generated
    // others of its value, out of R real and G generated others in all, it is predicted real if r/R > g/G,
    // generated if r/R < g/G, and a tie counts 0.5. Separability = 0.5 * (recall on real + recall on generated).
    void formatSeparability_data()
    {
        QTest::addColumn<std::vector<PoolImage>>("images");
        QTest::addColumn<double>("separability");
        std::vector<PoolImage> images;

        add(images, 4, "real", "png");
        add(images, 4, "sd", "png");
        // real png: 3/3 vs 4/4, tie; sd png: 4/4 vs 3/3, tie. 0.5 * (4 * 0.5 / 4 + 4 * 0.5 / 4)
        QTest::newRow("same format") << images << 0.5;
        images.clear();

        add(images, 4, "real", "png");
        add(images, 4, "sd", "jpeg");
        // real png: 3/3 vs 0/4, real; sd jpeg: 0/4 vs 3/3, generated. 0.5 * (4/4 + 4/4)
        QTest::newRow("disjoint formats") << images << 1.0;
        images.clear();

        add(images, 3, "real", "png");
        add(images, 1, "real", "jpeg");
        add(images, 4, "sd", "jpeg");
        // real png: 2/3 vs 0/4, real (3 right); real jpeg: 0/3 vs 4/4, generated (wrong);
        // sd jpeg: 1/4 vs 3/3, generated (4 right). 0.5 * (3/4 + 4/4)
        QTest::newRow("mostly apart") << images << 0.875;
        images.clear();

        // Classes weigh equally whatever their size; generators are pooled into "generated".
        add(images, 2, "real", "png");
        add(images, 3, "sd", "png");
        add(images, 3, "dalle", "jpeg");
        // real png: 1/1 vs 3/6, real (2 right); sd png: 2/2 vs 2/5, real (3 wrong);
        // dalle jpeg: 0/2 vs 2/5, generated (3 right). 0.5 * (2/2 + 3/6)
        QTest::newRow("unequal classes") << images << 0.75;
        images.clear();

        add(images, 2, "real", "png");
        add(images, 1, "real", "jpeg");
        add(images, 1, "real", "webp");
        add(images, 1, "sd", "png");
        add(images, 3, "sd", "jpeg");
        // real png: 1/3 vs 1/4, real (2 right); real jpeg: 0/3 vs 3/4, generated (wrong); real webp: no other
        // webp, 0/3 vs 0/4, tie (0.5); sd png: 2/4 vs 0/3, real (wrong); sd jpeg: 1/4 vs 2/3, generated (3 right).
        // 0.5 * ((2 + 0.5) / 4 + 3/4) = 0.5 * (0.625 + 0.75)
        QTest::newRow("three formats") << images << 0.6875;
        images.clear();

        add(images, 39, "human", "png");
        add(images, 1, "human", "jpeg");
        add(images, 40, "gpt4", "jpeg");
        // human png: 38/39 vs 0/40, real (39 right); human jpeg: 0/39 vs 40/40, generated (wrong);
        // gpt4 jpeg: 1/40 vs 39/39, generated (40 right). 0.5 * (39/40 + 40/40)
        QTest::newRow("DeepArt-like") << images << 0.9875;
    }
    void formatSeparability()
    {
        QFETCH(std::vector<PoolImage>, images);
        QFETCH(double, separability);
        const QString real = images.front().source;
        const ShortcutAudit audit = auditShortcuts(images, real);
        QCOMPARE(audit.realSource, real);
        QCOMPARE(distribution(audit, QStringLiteral("format")).separability, separability);
        QCOMPARE(warnedProperties(audit).contains(QStringLiteral("format")), separability >= 0.9);
    }

    // A property with a value per image carries no information: fitted and scored on the same images it used to
    // reach 1.0 and warn falsely. Same hand computation as formatSeparability.
    void pixelSizeSeparability_data()
    {
        QTest::addColumn<std::vector<PoolImage>>("images");
        QTest::addColumn<double>("separability");
        std::vector<PoolImage> images;

        for (int i = 0; i < 10; ++i) {
            images.push_back(image("real", "png", -1, false, 100 + i));
            images.push_back(image("sd", "png", -1, false, 200 + i));
        }
        // Every size is seen once: each image is a tie (0.5). 0.5 * (10 * 0.5 / 10 + 10 * 0.5 / 10)
        QTest::newRow("every image its own size") << images << 0.5;
        images.clear();

        for (int i = 0; i < 10; ++i) {
            images.push_back(image("real", "png", -1, false, 100 + i));
            images.push_back(image("sd", "png", -1, false, 512));
        }
        // real: ties (0.5 each); sd 512: 0/10 vs 9/9, generated (10 right). 0.5 * (5/10 + 10/10)
        QTest::newRow("real sizes unique, generated one size") << images << 0.75;
        images.clear();

        for (int i = 0; i < 5; ++i) {
            images.push_back(image("real", "png", -1, false, 512));
            images.push_back(image("real", "png", -1, false, 640));
            images.push_back(image("sd", "png", -1, false, 768));
            images.push_back(image("sd", "png", -1, false, 1024));
        }
        // real 512 and 640: 4/9 vs 0/10, real (10 right); sd 768 and 1024: 0/10 vs 4/9, generated (10 right).
        // 0.5 * (10/10 + 10/10)
        QTest::newRow("real split over two sizes each") << images << 1.0;
        images.clear();

        for (int i = 0; i < 10; ++i) {
            images.push_back(image("real", "png", -1, false, 512));
            images.push_back(image("sd", "png", -1, false, i < 8 ? 1024 : 512));
        }
        // real 512: 9/9 vs 2/10, real (10 right); sd 1024: 0/10 vs 7/9, generated (8 right);
        // sd 512: 10/10 vs 1/9, real (2 wrong). 0.5 * (10/10 + 8/10)
        QTest::newRow("mostly apart") << images << 0.9;
    }
    void pixelSizeSeparability()
    {
        QFETCH(std::vector<PoolImage>, images);
        QFETCH(double, separability);
        const ShortcutAudit audit = auditShortcuts(images, QStringLiteral("real"));
        QCOMPARE(distribution(audit, QStringLiteral("pixel size")).separability, separability);
        QCOMPARE(warnedProperties(audit).contains(QStringLiteral("pixel size")), separability >= 0.9);
        // All images are PNG without EXIF: nothing else may warn.
        QVERIFY(!warnedProperties(audit).contains(QStringLiteral("format")));
        QVERIFY(!warnedProperties(audit).contains(QStringLiteral("exif")));
    }

    void countsBySource()
    {
        std::vector<PoolImage> images;
        add(images, 2, "real", "png");
        add(images, 1, "real", "jpeg");
        add(images, 3, "sd", "jpeg");
        const ShortcutAudit audit = auditShortcuts(images, QStringLiteral("real"));
        const QMap<QString, QMap<QString, int>> expected
            = { { "real", { { "png", 2 }, { "jpeg", 1 } } }, { "sd", { { "jpeg", 3 } } } };
        QCOMPARE(distribution(audit, QStringLiteral("format")).countsBySource, expected);
        QStringList names;
        for (const PropertyDistribution& p : audit.properties)
            names << p.property;
        QCOMPARE(names, QStringList({ "format", "pixel size", "jpeg quality", "exif", "orientation", "transparency" }));
    }

    void propertyValues_data()
    {
        QTest::addColumn<QString>("property");
        QTest::addColumn<PoolImage>("image");
        QTest::addColumn<QString>("value");
        QTest::newRow("format") << "format" << image("sd", "webp") << "webp";
        PoolImage wide = image("sd", "png");
        wide.width = 640;
        wide.height = 480;
        QTest::newRow("pixel size") << "pixel size" << wide << "640x480";
        QTest::newRow("quality 90") << "jpeg quality" << image("sd", "jpeg", 90) << "q90";
        QTest::newRow("quality 88 -> 90") << "jpeg quality" << image("sd", "jpeg", 88) << "q90";
        QTest::newRow("quality 92 -> 90") << "jpeg quality" << image("sd", "jpeg", 92) << "q90";
        QTest::newRow("quality 93 -> 95") << "jpeg quality" << image("sd", "jpeg", 93) << "q95";
        QTest::newRow("quality 87 -> 85") << "jpeg quality" << image("sd", "jpeg", 87) << "q85";
        QTest::newRow("quality 100") << "jpeg quality" << image("sd", "jpeg", 100) << "q100";
        QTest::newRow("quality 1") << "jpeg quality" << image("sd", "jpeg", 1) << "q5";
        QTest::newRow("quality unknown") << "jpeg quality" << image("sd", "jpeg", -1) << "unknown";
        QTest::newRow("quality of a png") << "jpeg quality" << image("sd", "png") << "n/a";
        QTest::newRow("exif") << "exif" << image("sd", "jpeg", 90, true) << "yes";
        QTest::newRow("no exif") << "exif" << image("sd", "jpeg", 90, false) << "no";
        QTest::newRow("upright") << "orientation" << image("sd", "jpeg") << "upright";
        PoolImage turned = image("sd", "jpeg", 90, true);
        turned.orientation = 6;
        QTest::newRow("rotated") << "orientation" << turned << "rotated 90 (exif 6)";
        QTest::newRow("transparency not recorded") << "transparency" << image("sd", "png") << "not recorded";
        for (const char* alpha : { "none", "opaque", "transparent" }) {
            PoolImage withAlpha = image("sd", "png");
            withAlpha.alpha = QString::fromLatin1(alpha);
            QTest::newRow(alpha) << "transparency" << withAlpha << alpha;
        }
    }

    // Generators that write RGBA beside real JPEGs: the audit names transparency as a cue.
    void transparencyWarns()
    {
        std::vector<PoolImage> images;
        for (int i = 0; i < 4; ++i) {
            PoolImage real = image("real", "png");
            real.alpha = QStringLiteral("none");
            PoolImage generated = image("sd", "png");
            generated.alpha = QStringLiteral("transparent");
            images.push_back(real);
            images.push_back(generated);
        }
        const ShortcutAudit audit = auditShortcuts(images, QStringLiteral("real"));
        QCOMPARE(warnedProperties(audit), QStringList({ "transparency" }));
        QCOMPARE(distribution(audit, QStringLiteral("transparency")).separability, 1.0);
    }
    void propertyValues()
    {
        QFETCH(QString, property);
        QFETCH(PoolImage, image);
        QFETCH(QString, value);
        const ShortcutAudit audit = auditShortcuts({ image }, QStringLiteral("real"));
        QCOMPARE(distribution(audit, property).countsBySource.value(QStringLiteral("sd")),
            (QMap<QString, int> { { value, 1 } }));
    }

    void otherPropertiesWarn()
    {
        std::vector<PoolImage> images;
        for (int i = 0; i < 4; ++i) {
            images.push_back(image("real", "jpeg", 95, true, 512));
            images.push_back(image("sd", "jpeg", 75, false, 1024));
        }
        const ShortcutAudit audit = auditShortcuts(images, QStringLiteral("real"));
        QCOMPARE(warnedProperties(audit), QStringList({ "pixel size", "jpeg quality", "exif" }));
        QCOMPARE(distribution(audit, QStringLiteral("format")).separability, 0.5);
        for (const ShortcutWarning& warning : audit.warnings)
            QCOMPARE(warning.separability, 1.0);
        QCOMPARE(audit.warnings[0].message,
            QStringLiteral("pixel size separates real from generated images (100.0 % balanced accuracy): real is 4 "
                           "512x512; generated is 4 1024x1024. Normalise the study's stimuli (common size, one format "
                           "and quality) so neither people nor models can use it."));
    }

    void threshold()
    {
        std::vector<PoolImage> images;
        add(images, 3, "real", "png");
        add(images, 1, "real", "jpeg");
        add(images, 4, "sd", "jpeg");
        QVERIFY(!warnedProperties(auditShortcuts(images, QStringLiteral("real"))).contains(QStringLiteral("format")));
        QVERIFY(
            warnedProperties(auditShortcuts(images, QStringLiteral("real"), 0.875)).contains(QStringLiteral("format")));
        QVERIFY(!warnedProperties(auditShortcuts(images, QStringLiteral("real"), 0.876))
                     .contains(QStringLiteral("format")));
    }

    void manyValuesAreSummarised()
    {
        // Each real size twice, so that leave-one-out still predicts it: real 1/11 vs 0/12, real; sd 0/12 vs 11/11.
        std::vector<PoolImage> images;
        for (int i = 0; i < 12; ++i) {
            images.push_back(image("real", "png", -1, false, 100 + i / 2));
            images.push_back(image("sd", "png", -1, false, 512));
        }
        const ShortcutAudit audit = auditShortcuts(images, QStringLiteral("real"));
        QCOMPARE(warnedProperties(audit), QStringList { "pixel size" });
        QCOMPARE(audit.warnings[0].separability, 1.0);
        QVERIFY2(audit.warnings[0].message.contains(
                     QLatin1String("real is 2 100x100, 2 101x101, 2 102x102, 2 103x103, 4 in 2 other values; "
                                   "generated is 12 512x512.")),
            qPrintable(audit.warnings[0].message));
    }

    void onlyOneClassIsNotCompared()
    {
        std::vector<PoolImage> images;
        add(images, 3, "real", "png");
        add(images, 2, "real", "jpeg");
        const ShortcutAudit audit = auditShortcuts(images, QStringLiteral("real"));
        QVERIFY(audit.warnings.empty());
        for (const PropertyDistribution& p : audit.properties)
            QCOMPARE(p.separability, 0.5);
        QVERIFY(formatShortcutAudit(audit).contains(
            QLatin1String("format: not compared (needs real and generated images)")));
        QVERIFY(auditShortcuts({}, QStringLiteral("real")).warnings.empty());
    }

    void formattedAudit()
    {
        std::vector<PoolImage> images;
        add(images, 3, "real", "png");
        add(images, 1, "real", "jpeg");
        add(images, 4, "sd", "jpeg");
        const QString text = formatShortcutAudit(auditShortcuts(images, QStringLiteral("real")));
        // The verdict comes first, so that no warning hides below a long table.
        QVERIFY2(text.startsWith(QLatin1String("Shortcut audit (real source: real)\n\n"
                                               "No property separates real from generated images on its own.\n\n"
                                               "format: 87.5 % balanced accuracy from this property alone\n"
                                               "  real (real)  3 png, 1 jpeg\n"
                                               "  sd           4 jpeg\n")),
            qPrintable(text));
    }

    // The DeepArt sample's real paintings are PNG (but one), its GPT-4 images JPEG: the audit must say so.
    void deepArtSample()
    {
        const QString location = QStringLiteral(NTT_SHARED_DATA_DIR "/deepart-sample");
        if (!QFileInfo::exists(location))
            QSKIP("shared DeepArt sample not present");
        ImportOptions options;
        options.location = location;
        const Result<ImportReport> report = scanPool(options, CancelToken(), {});
        QVERIFY2(report.ok(), qPrintable(report.error()));
        const ShortcutAudit audit = auditShortcuts(report->images, report->realSource);
        QCOMPARE(audit.realSource, QStringLiteral("human"));
        QVERIFY(warnedProperties(audit).contains(QStringLiteral("format")));
        QVERIFY(!warnedProperties(audit).contains(QStringLiteral("pixel size")));
        const auto format = std::find_if(audit.warnings.begin(), audit.warnings.end(),
            [](const ShortcutWarning& w) { return w.property == QLatin1String("format"); });
        // Leave-one-out: the 39 PNGs are predicted real (38/39 real vs 0/40 generated others), the one real JPEG
        // generated (0/39 vs 40/40), the 40 GPT-4 JPEGs generated (1/40 vs 39/39). 0.5 * (39/40 + 40/40)
        QCOMPARE(format->separability, 0.9875);
        QCOMPARE(format->message,
            QStringLiteral("format separates real from generated images (98.8 % balanced accuracy): real is 39 png, "
                           "1 jpeg; generated is 40 jpeg. Normalise the study's stimuli (common size, one format and "
                           "quality) so neither people nor models can use it."));
    }
};

QTEST_GUILESS_MAIN(Test_shortcutaudit)
#include "tst_shortcutaudit.moc"
