#include "models/layerevidence.h"

#include <QCoreApplication>

#include <iterator>

namespace ntt {
namespace {

class Text
{
    Q_DECLARE_TR_FUNCTIONS(ntt::GradCam)
};

} // namespace

QString camTargetName(const CamTarget& target)
{
    switch (target.kind) {
    case CamTarget::Kind::Predicted:
        return QStringLiteral("predicted");
    case CamTarget::Kind::Real:
        return QStringLiteral("real");
    case CamTarget::Kind::Generated:
        return QStringLiteral("generated");
    case CamTarget::Kind::Class:
        return QStringLiteral("class:%1").arg(target.classIndex);
    }
    return {};
}

Result<CamTarget> camTargetFromName(const QString& name, const ModelSpec& spec)
{
    const QString n = name.trimmed();
    CamTarget target;
    if (n.isEmpty() || n.compare(QLatin1String("predicted"), Qt::CaseInsensitive) == 0)
        return target;
    if (n.compare(QLatin1String("real"), Qt::CaseInsensitive) == 0 && spec.output != OutputKind::CategoryClasses) {
        target.kind = CamTarget::Kind::Real;
        return target;
    }
    if (n.compare(QLatin1String("generated"), Qt::CaseInsensitive) == 0 && spec.output != OutputKind::CategoryClasses) {
        target.kind = CamTarget::Kind::Generated;
        return target;
    }
    const int count = spec.outputCount();
    target.kind = CamTarget::Kind::Class;
    if (n.startsWith(QLatin1String("class:"), Qt::CaseInsensitive)) {
        bool ok = false;
        target.classIndex = n.mid(6).toInt(&ok);
        if (!ok || target.classIndex < 0 || target.classIndex >= count)
            return Error { Text::tr("target class \"%1\": the model has classes 0 to %2").arg(n).arg(count - 1) };
        return target;
    }
    const qsizetype index = spec.classes.indexOf(n);
    if (index < 0)
        return Error {
            Text::tr("target \"%1\" is not predicted, real, generated, class:N or one of the model's "
                     "classes (%2)")
                .arg(n, spec.classes.isEmpty() ? Text::tr("it has none") : spec.classes.join(QStringLiteral(", ")))
        };
    target.classIndex = static_cast<int>(index);
    return target;
}

QString defaultCamLayer(const std::vector<CamLayer>& layers)
{
    // Layers come in execution order; names that share an output come outermost first.
    for (auto it = layers.crbegin(); it != layers.crend(); ++it) {
        const auto& s = it->shape;
        if (s.size() == 4 && (s[2] > 1 || s[3] > 1)) {
            QString best = it->name;
            for (auto same = std::next(it); same != layers.crend() && same->shape == s; ++same) {
                if (best.startsWith(same->name + QLatin1Char('.')))
                    best = same->name;
            }
            return best;
        }
    }
    return {};
}

} // namespace ntt
