#pragma once

#include "pool/pool.h"

#include <QMap>
#include <QString>
#include <QStringList>

#include <vector>

namespace ntt {

/// Distribution of one file property (format, pixel size, JPEG quality, EXIF) per source.
struct PropertyDistribution
{
    QString property; ///< "format", "pixel size", "jpeg quality", "exif", "orientation", "transparency"
    QMap<QString, QMap<QString, int>> countsBySource; ///< source -> value -> image count
    /// Leave-one-out balanced accuracy of the rule "value -> real or generated" on this property alone:
    /// each image is predicted from the other images with the same value (the class in which that value
    /// is more frequent, classes weighted equally; a tie or a value no other image has is a 0.5 guess),
    /// and the recalls on real and on generated images are averaged. 0.5 = no information (also when
    /// every image has its own value), 1.0 = the property alone separates real from generated.
    double separability = 0.5;
};

/// A property that gives real images away, with a message a researcher can act on.
struct ShortcutWarning
{
    QString property;
    QString message;
    double separability = 0.0;
};

struct ShortcutAudit
{
    QString realSource;
    std::vector<PropertyDistribution> properties;
    std::vector<ShortcutWarning> warnings;
    /// The same bytes imported under two sources (from the study file; the audit itself cannot see them).
    QStringList labelConflicts;
};

/// Audits the pool for file properties that separate real from generated images.
/// A warning is raised when a property's separability reaches `threshold`.
ShortcutAudit auditShortcuts(const std::vector<PoolImage>& images, const QString& realSource, double threshold = 0.9);

/// Text table of the audit for the command line and the GUI.
QString formatShortcutAudit(const ShortcutAudit& audit);

} // namespace ntt
