#include "pool/shortcutaudit.h"

#include <QCoreApplication>

#include <algorithm>
#include <functional>
#include <utility>

namespace ntt {
namespace {

class Text
{
    Q_DECLARE_TR_FUNCTIONS(ntt::ShortcutAudit)
};

// Counts listed in a warning per class; the rest is summarised, so a pixel size per image stays readable.
constexpr int kValuesShown = 4;

struct Property
{
    const char* name;
    std::function<QString(const PoolImage&)> value;
};

QString qualityBucket(const PoolImage& image)
{
    if (image.format != QLatin1String("jpeg"))
        return QStringLiteral("n/a");
    if (image.jpegQuality < 0)
        return QStringLiteral("unknown");
    // Estimates of one encoder setting scatter by a point or two; buckets of 5 keep them together.
    const int bucket = qBound(5, (image.jpegQuality + 2) / 5 * 5, 100);
    return QStringLiteral("q%1").arg(bucket);
}

/// EXIF orientation as a reader sees it: what the decoder did to show the image upright.
QString orientationName(const PoolImage& image)
{
    switch (image.orientation) {
    case 2:
        return QStringLiteral("mirrored (exif 2)");
    case 3:
        return QStringLiteral("rotated 180 (exif 3)");
    case 4:
        return QStringLiteral("flipped (exif 4)");
    case 5:
    case 7:
        return QStringLiteral("transposed (exif %1)").arg(image.orientation);
    case 6:
        return QStringLiteral("rotated 90 (exif 6)");
    case 8:
        return QStringLiteral("rotated 270 (exif 8)");
    default:
        return QStringLiteral("upright");
    }
}

const std::vector<Property>& properties()
{
    static const std::vector<Property> list = {
        { "format", [](const PoolImage& image) { return image.format; } },
        { "pixel size",
            [](const PoolImage& image) { return QStringLiteral("%1x%2").arg(image.width).arg(image.height); } },
        { "jpeg quality", qualityBucket },
        { "exif", [](const PoolImage& image) { return image.hasExif ? QStringLiteral("yes") : QStringLiteral("no"); } },
        { "orientation", orientationName },
        // Generators often write RGBA; whatever the background, a property of real or generated only
        // is a cue in the file for any model that reads files.
        { "transparency",
            [](const PoolImage& image) {
                return image.alpha.isEmpty() ? QStringLiteral("not recorded") : image.alpha;
            } },
    };
    return list;
}

// Leave-one-out balanced accuracy of the rule "value -> the class in which that value is more frequent".
// Fitting and scoring the rule on the same images would give 1.0 to any property whose values are all
// distinct (a pixel size per image), whatever the classes; so each image is predicted from the OTHER images
// only. Among those, the image's value has r real and g generated images out of R real and G generated:
// it is predicted real if r / R > g / G (classes weigh equally whatever their size), generated if
// r / R < g / G, and a tie (including a value no other image has) counts as half a correct guess.
// The result is the mean of the recalls on real and on generated images.
double separability(
    const QMap<QString, int>& real, int realTotal, const QMap<QString, int>& generated, int generatedTotal)
{
    // Correct guesses, a tie counting half, for each class.
    double realCorrect = 0.0;
    double generatedCorrect = 0.0;
    // +1 when the others favour real, -1 when they favour generated, 0 on a tie; cross-multiplied, so a
    // class with no other image (a rate of 0 / 0) ties rather than divides by zero.
    const auto vote = [](qint64 r, qint64 realOthers, qint64 g, qint64 generatedOthers) {
        const qint64 realSide = r * generatedOthers;
        const qint64 generatedSide = g * realOthers;
        return realSide > generatedSide ? 1 : realSide < generatedSide ? -1 : 0;
    };
    const auto credit = [](int v, int correctSign) { return v == correctSign ? 1.0 : v == 0 ? 0.5 : 0.0; };
    QStringList values = real.keys() + generated.keys();
    values.removeDuplicates();
    for (const QString& value : std::as_const(values)) {
        const int r = real.value(value);
        const int g = generated.value(value);
        // All images of one class and value have the same others, so they share one prediction.
        if (r > 0)
            realCorrect += r * credit(vote(r - 1, realTotal - 1, g, generatedTotal), 1);
        if (g > 0)
            generatedCorrect += g * credit(vote(r, realTotal, g - 1, generatedTotal - 1), -1);
    }
    return 0.5 * (realCorrect / realTotal + generatedCorrect / generatedTotal);
}

// "39 png, 1 jpeg": the most frequent values first.
QString describeCounts(const QMap<QString, int>& counts)
{
    std::vector<std::pair<QString, int>> sorted;
    for (auto it = counts.cbegin(); it != counts.cend(); ++it)
        sorted.emplace_back(it.key(), it.value());
    std::stable_sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
    QStringList parts;
    int others = 0;
    for (std::size_t i = 0; i < sorted.size(); ++i) {
        if (static_cast<int>(i) < kValuesShown)
            parts << QStringLiteral("%1 %2").arg(sorted[i].second).arg(sorted[i].first);
        else
            others += sorted[i].second;
    }
    if (others > 0)
        parts << Text::tr("%1 in %2 other values").arg(others).arg(sorted.size() - kValuesShown);
    return parts.join(QLatin1String(", "));
}

QString percent(double fraction)
{
    return QString::number(100.0 * fraction, 'f', 1);
}

} // namespace

ShortcutAudit auditShortcuts(const std::vector<PoolImage>& images, const QString& realSource, double threshold)
{
    ShortcutAudit audit;
    audit.realSource = realSource;
    for (const Property& property : properties()) {
        PropertyDistribution distribution;
        distribution.property = QLatin1String(property.name);
        QMap<QString, int> real;
        QMap<QString, int> generated;
        int realTotal = 0;
        int generatedTotal = 0;
        for (const PoolImage& image : images) {
            const QString value = property.value(image);
            ++distribution.countsBySource[image.source][value];
            if (image.source == realSource) {
                ++real[value];
                ++realTotal;
            } else {
                ++generated[value];
                ++generatedTotal;
            }
        }
        if (realTotal > 0 && generatedTotal > 0) {
            distribution.separability = separability(real, realTotal, generated, generatedTotal);
            if (distribution.separability >= threshold) {
                audit.warnings.push_back({ distribution.property,
                    Text::tr("%1 separates real from generated images (%2 % balanced accuracy): real is %3; "
                             "generated is %4. Normalise the study's stimuli (common size, one format and quality) "
                             "so neither people nor models can use it.")
                        .arg(distribution.property, percent(distribution.separability), describeCounts(real),
                            describeCounts(generated)),
                    distribution.separability });
            }
        }
        audit.properties.push_back(std::move(distribution));
    }
    return audit;
}

QString formatShortcutAudit(const ShortcutAudit& audit)
{
    QStringList lines;
    lines << Text::tr("Shortcut audit (real source: %1)").arg(audit.realSource) << QString();
    // The verdict first: a researcher must not miss a warning below a long table.
    if (audit.warnings.empty()) {
        lines << Text::tr("No property separates real from generated images on its own.");
    } else {
        lines << Text::tr("Warnings:");
        for (const ShortcutWarning& warning : audit.warnings)
            lines << QStringLiteral("  ") + warning.message;
    }
    if (!audit.labelConflicts.isEmpty()) {
        lines << QString() << Text::tr("Label conflicts (the same bytes imported under two sources):");
        for (const QString& conflict : audit.labelConflicts)
            lines << QStringLiteral("  ") + conflict;
    }
    for (const PropertyDistribution& distribution : audit.properties) {
        QStringList labels;
        int labelWidth = 0;
        bool hasReal = false;
        bool hasGenerated = false;
        for (auto it = distribution.countsBySource.cbegin(); it != distribution.countsBySource.cend(); ++it) {
            const bool real = it.key() == audit.realSource;
            (real ? hasReal : hasGenerated) = true;
            labels << (real ? Text::tr("%1 (real)").arg(it.key()) : it.key());
            labelWidth = std::max(labelWidth, static_cast<int>(labels.last().size()));
        }
        lines << QString()
              << (hasReal && hasGenerated
                         ? Text::tr("%1: %2 % balanced accuracy from this property alone")
                               .arg(distribution.property, percent(distribution.separability))
                         : Text::tr("%1: not compared (needs real and generated images)").arg(distribution.property));
        int row = 0;
        for (auto it = distribution.countsBySource.cbegin(); it != distribution.countsBySource.cend(); ++it, ++row)
            lines << QStringLiteral("  %1  %2").arg(labels[row].leftJustified(labelWidth), describeCounts(it.value()));
    }
    return lines.join(QLatin1Char('\n')) + QLatin1Char('\n');
}

} // namespace ntt
