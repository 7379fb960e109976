#pragma once

#include "pool/poolimport.h"

#include <QString>
#include <QStringList>

namespace ntt::testing {

/// An import report of `perCell` synthetic images per source and category (no files behind them):
/// enough for store, session and export tests that never decode an image.
inline ImportReport syntheticImport(const QStringList& sources, const QStringList& categories, int perCell)
{
    ImportReport report;
    report.layout = PoolLayout::Tree;
    report.root = QStringLiteral("/pool");
    report.realSource = sources.first();
    for (const QString& s : sources) {
        for (const QString& c : categories) {
            for (int i = 0; i < perCell; ++i) {
                PoolImage image;
                image.source = s;
                image.category = c;
                image.pairKey = QStringLiteral("%1-%2").arg(c).arg(i);
                image.relativePath = QStringLiteral("%1/%2/%3.png").arg(s, c).arg(i);
                image.path = report.root + QLatin1Char('/') + image.relativePath;
                image.sha256 = QStringLiteral("%1").arg(qHash(image.relativePath), 64, 16, QLatin1Char('0'));
                image.width = image.height = 64;
                image.format = QStringLiteral("png");
                image.fileSize = 1000 + i;
                report.images.push_back(image);
            }
        }
    }
    return report;
}

} // namespace ntt::testing
