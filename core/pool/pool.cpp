#include "pool/pool.h"

namespace ntt {

QString splitName(Split split)
{
    switch (split) {
    case Split::Train:
        return QStringLiteral("train");
    case Split::Val:
        return QStringLiteral("val");
    case Split::Test:
        return QStringLiteral("test");
    case Split::None:
        break;
    }
    return {};
}

Split splitFromName(const QString& name, bool* ok)
{
    const QString n = name.trimmed().toLower();
    if (ok)
        *ok = true;
    if (n == QLatin1String("train"))
        return Split::Train;
    if (n == QLatin1String("val") || n == QLatin1String("validation"))
        return Split::Val;
    if (n == QLatin1String("test"))
        return Split::Test;
    if (!n.isEmpty() && ok)
        *ok = false;
    return Split::None;
}

QString detectRealSource(const QStringList& sources, const QString& preferred)
{
    if (!preferred.isEmpty())
        return sources.contains(preferred) ? preferred : QString();
    for (const QString& candidate : defaultRealSourceNames()) {
        for (const QString& s : sources) {
            if (s.compare(candidate, Qt::CaseInsensitive) == 0)
                return s;
        }
    }
    return {};
}

} // namespace ntt
