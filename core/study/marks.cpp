#include "study/marks.h"

#include "study/stimulus.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <cmath>

namespace ntt {

bool asksForMarks(const StudyDefinition& definition, const Trial& trial, int answer)
{
    if (definition.marks.points <= 0 || answer < 0)
        return false;
    switch (trial.type) {
    case TrialType::RealOrFake:
        return answer == 1;
    case TrialType::PickReal:
    case TrialType::PickFake:
    case TrialType::PickSource:
        return true;
    case TrialType::WhichSource:
    case TrialType::WhichCategory:
        return false;
    }
    return false;
}

QPointF shownToImagePixels(double u, double v, int width, int height, const StimulusNormalisation& normalisation)
{
    if (!normalisation.enabled || width <= 0 || height <= 0)
        return { u * width, v * height };
    const CoverGeometry g = coverGeometry(width, height, normalisation.size);
    // Shown pixel coordinates in the scaled image, then back through the scale (pixel edges map to
    // pixel edges: a continuous coordinate, not a pixel centre).
    const double scaledX = u * normalisation.size + g.cropX;
    const double scaledY = v * normalisation.size + g.cropY;
    return { scaledX * double(width) / g.scaledWidth, scaledY * double(height) / g.scaledHeight };
}

QPointF imagePixelsToShown(double x, double y, int width, int height, const StimulusNormalisation& normalisation)
{
    if (width <= 0 || height <= 0)
        return {};
    if (!normalisation.enabled)
        return { x / width, y / height };
    const CoverGeometry g = coverGeometry(width, height, normalisation.size);
    const double scaledX = x * g.scaledWidth / double(width);
    const double scaledY = y * g.scaledHeight / double(height);
    return { (scaledX - g.cropX) / normalisation.size, (scaledY - g.cropY) / normalisation.size };
}

std::vector<QPointF> shownMarksOf(
    const std::vector<MarkedTrial>& trials, qint64 imageId, int width, int height, bool includeSimulated)
{
    std::vector<QPointF> out;
    for (const MarkedTrial& t : trials) {
        if (t.row.simulated && !includeSimulated)
            continue;
        for (const Mark& m : t.marks.points) {
            if (m.imageId == imageId)
                out.emplace_back(m.u * width, m.v * height);
        }
    }
    return out;
}

double shownKernelSigma(
    double sigmaImagePx, int imageWidth, int imageHeight, const StimulusNormalisation& normalisation)
{
    if (!normalisation.enabled || imageWidth <= 0 || imageHeight <= 0)
        return sigmaImagePx;
    return sigmaImagePx * coverGeometry(imageWidth, imageHeight, normalisation.size).scaledWidth / double(imageWidth);
}

QString marksToJson(const TrialMarks& marks)
{
    QJsonArray points;
    for (const Mark& m : marks.points) {
        QJsonObject o { { QStringLiteral("position"), m.position },
            { QStringLiteral("image"), QString::number(m.imageId) }, { QStringLiteral("u"), m.u },
            { QStringLiteral("v"), m.v } };
        if (std::isfinite(m.x) && std::isfinite(m.y)) {
            o.insert(QStringLiteral("x"), m.x);
            o.insert(QStringLiteral("y"), m.y);
        }
        points.append(o);
    }
    QJsonObject o { { QStringLiteral("points"), points } };
    if (!marks.reason.isEmpty())
        o.insert(QStringLiteral("reason"), marks.reason);
    return QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact));
}

Result<TrialMarks> marksFromJson(const QString& json)
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(json.toUtf8(), &error);
    if (error.error != QJsonParseError::NoError || !doc.isObject())
        return Error {
            QStringLiteral("stored marks are not a JSON object (%1): %2").arg(error.errorString(), json.left(80))
        };
    TrialMarks marks;
    marks.reason = doc.object().value(QStringLiteral("reason")).toString();
    for (const QJsonValue& p : doc.object().value(QStringLiteral("points")).toArray()) {
        const QJsonObject o = p.toObject();
        bool ok = false;
        Mark m;
        m.position = o.value(QStringLiteral("position")).toInt(-1);
        m.imageId = o.value(QStringLiteral("image")).toString().toLongLong(&ok);
        m.u = o.value(QStringLiteral("u")).toDouble(std::nan(""));
        m.v = o.value(QStringLiteral("v")).toDouble(std::nan(""));
        m.x = o.value(QStringLiteral("x")).toDouble(std::nan(""));
        m.y = o.value(QStringLiteral("y")).toDouble(std::nan(""));
        if (!ok || m.position < 0 || !std::isfinite(m.u) || !std::isfinite(m.v))
            return Error { QStringLiteral("a stored mark lacks its image, position or coordinates: %1")
                               .arg(QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact))) };
        marks.points.push_back(m);
    }
    return marks;
}

} // namespace ntt
