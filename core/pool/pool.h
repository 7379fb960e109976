#pragma once

#include <QMap>
#include <QString>
#include <QStringList>

#include <vector>

namespace ntt {

/// Which classifier split an image belongs to, if any.
enum class Split { None, Train, Val, Test };

QString splitName(Split split);
/// Parses "train", "val"/"validation", "test" or "" (any case); nullopt-like Split::None plus ok=false on other text.
Split splitFromName(const QString& name, bool* ok = nullptr);

/// One image of the pool, as imported and as stored.
struct PoolImage
{
    qint64 id = 0; ///< database id; 0 until stored
    QString path; ///< absolute path of the file
    QString relativePath; ///< path relative to the import root or manifest, '/' separated
    QString source; ///< "real" (or the pool's real-source name) or a generator name
    QString category;
    QString pairKey; ///< images made from the same prompt or original share it; may be empty
    Split split = Split::None;
    QString sha256; ///< lower-case hex
    qint64 fileSize = 0;
    int width = 0;
    int height = 0;
    QString format; ///< "png", "jpeg", "webp", "bmp", "tiff", "gif"
    int jpegQuality = -1; ///< estimated from the quantisation tables; -1 when not JPEG or unknown
    bool hasExif = false;
    int orientation = 1; ///< EXIF orientation (1 upright .. 8); width and height are as displayed
    /// Transparency as decoded: "none", "opaque" (alpha channel, all opaque), "transparent"; empty when
    /// not recorded (imported before NameThatTrue recorded it).
    QString alpha;
    QMap<QString, QString> attributes; ///< other manifest columns
};

/// The names the real source gets by default, compared case-insensitively.
inline QStringList defaultRealSourceNames()
{
    return { QStringLiteral("real"), QStringLiteral("human"), QStringLiteral("nature") };
}

/// The real source among `sources`: `preferred` if given and present, else one named real, human or nature.
/// Returns an empty string when none fits.
QString detectRealSource(const QStringList& sources, const QString& preferred = {});

} // namespace ntt
