#include "pool/poolimport.h"

#include "logging.h"
#include "pool/imagefileinfo.h"

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QMap>
#include <QSet>
#include <QStringDecoder>

#include <opencv2/core/version.hpp>

#include <algorithm>
#include <utility>

namespace ntt {
namespace {

class Text
{
    Q_DECLARE_TR_FUNCTIONS(ntt::PoolImport)
};

constexpr qint64 kHashBlock = 1 << 20;

// A file the layout accepted: where it is and what the layout says about it.
struct Candidate
{
    QString path; // absolute
    QString relativePath;
    QString origin; // prefix for rejection reasons, e.g. "manifest line 7: "
    bool fromFolder = false; // found by walking the folder (through links it chose to follow)
    PoolImage image; // source, category, pair key, split and attributes from the layout
};

struct Collected
{
    std::vector<Candidate> candidates;
    std::vector<RejectedFile> rejected;
    QStringList litter;
};

Error cancelled()
{
    return Error { Text::tr("import cancelled") };
}

QString native(const QString& path)
{
    return QDir::toNativeSeparators(path);
}

bool isInside(const QString& path, const QString& root)
{
    const QString prefix = root.endsWith(QLatin1Char('/')) ? root : root + QLatin1Char('/');
    return path.startsWith(prefix);
}

} // namespace

bool isSilentlySkipped(const QString& fileName)
{
    if (fileName.startsWith(QLatin1Char('.')) || fileName.startsWith(QLatin1String("README"), Qt::CaseInsensitive))
        return true;
    for (const char* suffix : { ".txt", ".md", ".json", ".csv" }) {
        if (fileName.endsWith(QLatin1String(suffix), Qt::CaseInsensitive))
            return true;
    }
    return false;
}

bool isLitter(const QString& name)
{
    static const QStringList names { QStringLiteral("__MACOSX"), QStringLiteral("Thumbs.db"),
        QStringLiteral("ehthumbs.db"), QStringLiteral("desktop.ini"), QStringLiteral("$RECYCLE.BIN"),
        QStringLiteral("System Volume Information"), QStringLiteral("@eaDir"), QStringLiteral("__pycache__") };
    return name.startsWith(QLatin1Char('.')) || names.contains(name, Qt::CaseInsensitive);
}

namespace {

QStringList subfolders(const QString& dir)
{
    QStringList folders = QDir(dir).entryList(QDir::Dirs | QDir::NoDotAndDotDot | QDir::Hidden, QDir::Name);
    folders.removeIf(isLitter);
    return folders;
}

QString findFolder(const QStringList& folders, const QString& name)
{
    for (const QString& folder : folders) {
        if (folder.compare(name, Qt::CaseInsensitive) == 0)
            return folder;
    }
    return {};
}

// <root>/train|test/REAL|FAKE: every split folder present holds both class folders.
bool looksLikeCifake(const QString& root)
{
    bool any = false;
    for (const QString& split : subfolders(root)) {
        if (split.compare(QLatin1String("train"), Qt::CaseInsensitive) != 0
            && split.compare(QLatin1String("test"), Qt::CaseInsensitive) != 0)
            continue;
        const QStringList classes = subfolders(root + QLatin1Char('/') + split);
        if (findFolder(classes, QStringLiteral("real")).isEmpty()
            || findFolder(classes, QStringLiteral("fake")).isEmpty())
            return false;
        any = true;
    }
    return any;
}

// <root>/<generator>/train|val/ai|nature: every generator folder has a split folder with a class folder.
bool looksLikeGenImage(const QString& root)
{
    const QStringList generators = subfolders(root);
    if (generators.isEmpty())
        return false;
    for (const QString& generator : generators) {
        const QString generatorDir = root + QLatin1Char('/') + generator;
        bool any = false;
        for (const QString& split : subfolders(generatorDir)) {
            if (split.compare(QLatin1String("train"), Qt::CaseInsensitive) != 0
                && split.compare(QLatin1String("val"), Qt::CaseInsensitive) != 0)
                continue;
            const QStringList classes = subfolders(generatorDir + QLatin1Char('/') + split);
            if (findFolder(classes, QStringLiteral("ai")).isEmpty()
                && findFolder(classes, QStringLiteral("nature")).isEmpty())
                return false;
            any = true;
        }
        if (!any)
            return false;
    }
    return true;
}

// Every regular file below `dir` as a root-relative path. Operating-system and notebook litter is
// not listed but named in `litter`. Symbolic links are followed (a dataset on another disk linked
// into the pool), except one that leads back into a folder the walk is already in (a loop).
void listFiles(const QString& root, const QString& relativeDir, QStringList& ancestors, QStringList& files,
    std::vector<RejectedFile>& rejected, QStringList& litter)
{
    const QString dir = relativeDir.isEmpty() ? root : root + QLatin1Char('/') + relativeDir;
    const QFileInfoList entries = QDir(dir).entryInfoList(
        QDir::Dirs | QDir::Files | QDir::System | QDir::Hidden | QDir::NoDotAndDotDot, QDir::Name);
    for (const QFileInfo& entry : entries) {
        const QString relative
            = relativeDir.isEmpty() ? entry.fileName() : relativeDir + QLatin1Char('/') + entry.fileName();
        if (isLitter(entry.fileName())) {
            litter.append(entry.isDir() ? relative + QLatin1Char('/') : relative);
        } else if (entry.isSymLink() && !entry.exists()) {
            rejected.push_back({ relative, Text::tr("broken symbolic link") });
        } else if (entry.isDir()) {
            const QString canonical = entry.canonicalFilePath();
            if (ancestors.contains(canonical)) {
                rejected.push_back({ relative + QLatin1Char('/'),
                    Text::tr("symbolic link loop (it leads back to %1), not followed").arg(native(canonical)) });
                continue;
            }
            ancestors.append(canonical);
            listFiles(root, relative, ancestors, files, rejected, litter);
            ancestors.removeLast();
        } else if (entry.isFile()) {
            files.append(relative);
        } else if (!isSilentlySkipped(entry.fileName())) {
            rejected.push_back({ relative, Text::tr("not a regular file") });
        }
    }
}

Candidate candidate(const QString& root, const QString& relativePath)
{
    Candidate c;
    c.path = QFileInfo(root + QLatin1Char('/') + relativePath).absoluteFilePath();
    c.relativePath = relativePath;
    return c;
}

Result<Collected> collectFolder(const QString& root, PoolLayout layout)
{
    Collected collected;
    QStringList files;
    QStringList ancestors { QFileInfo(root).canonicalFilePath() };
    listFiles(root, {}, ancestors, files, collected.rejected, collected.litter);
    for (const QString& relative : std::as_const(files)) {
        const QStringList parts = relative.split(QLatin1Char('/'));
        if (isSilentlySkipped(parts.last()))
            continue;
        Candidate c = candidate(root, relative);
        c.fromFolder = true;
        switch (layout) {
        case PoolLayout::Tree:
            if (parts.size() < 2) {
                collected.rejected.push_back({ relative, Text::tr("not inside a source folder") });
                continue;
            }
            c.image.source = parts[0];
            c.image.category = parts.size() >= 3 ? parts[1] : QString();
            break;
        case PoolLayout::Cifake: {
            bool splitOk = false;
            const Split split = splitFromName(parts[0], &splitOk);
            const QString label = parts.size() >= 3 ? parts[1].toLower() : QString();
            if (!splitOk || (split != Split::Train && split != Split::Test)
                || (label != QLatin1String("real") && label != QLatin1String("fake"))) {
                collected.rejected.push_back(
                    { relative, Text::tr("not inside a train/REAL, train/FAKE, test/REAL or test/FAKE folder") });
                continue;
            }
            c.image.source = label;
            c.image.split = split;
            break;
        }
        case PoolLayout::GenImage: {
            bool splitOk = false;
            const Split split = parts.size() >= 4 ? splitFromName(parts[1], &splitOk) : Split::None;
            const QString label = parts.size() >= 4 ? parts[2].toLower() : QString();
            if (!splitOk || (split != Split::Train && split != Split::Val)
                || (label != QLatin1String("ai") && label != QLatin1String("nature"))) {
                collected.rejected.push_back(
                    { relative, Text::tr("not inside a <generator>/train|val/ai|nature folder") });
                continue;
            }
            // Every generator folder carries its own copy of real ("nature") images: one source for all.
            c.image.source = label == QLatin1String("ai") ? parts[0] : QStringLiteral("real");
            c.image.split = split;
            break;
        }
        case PoolLayout::Auto:
        case PoolLayout::Manifest:
            Q_UNREACHABLE();
        }
        collected.candidates.push_back(std::move(c));
    }
    return collected;
}

// One CSV record and the line it starts on (records may span lines inside quotes).
struct CsvRecord
{
    int line = 0;
    QStringList fields;
    bool unterminatedQuote = false;
};

// RFC 4180 with the delimiter spreadsheets choose (comma, or semicolon where the decimal mark is a
// comma, or tab for "Unicode text"): fields optionally in double quotes with "" for a quote; CRLF,
// LF or (old Macs) CR line ends.
std::vector<CsvRecord> parseCsv(const QString& text, QChar delimiter = QLatin1Char(','))
{
    std::vector<CsvRecord> records;
    CsvRecord record;
    QString field;
    bool inQuotes = false;
    bool recordHasContent = false; // distinguishes a blank line from a line holding one empty quoted field
    int line = 1;
    record.line = 1;

    const auto endRecord = [&]() {
        if (recordHasContent || !field.isEmpty() || !record.fields.isEmpty()) {
            record.fields.append(field);
            records.push_back(std::move(record));
        }
        record = CsvRecord();
        record.line = line;
        field.clear();
        recordHasContent = false;
    };

    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar c = text.at(i);
        if (inQuotes) {
            if (c == QLatin1Char('"')) {
                if (i + 1 < text.size() && text.at(i + 1) == QLatin1Char('"')) {
                    field.append(c);
                    ++i;
                } else {
                    inQuotes = false;
                }
            } else {
                if (c == QLatin1Char('\n'))
                    ++line;
                field.append(c);
            }
        } else if (c == QLatin1Char('"')) {
            inQuotes = true;
            recordHasContent = true;
        } else if (c == delimiter) {
            record.fields.append(field);
            field.clear();
            recordHasContent = true;
        } else if (c == QLatin1Char('\r') || c == QLatin1Char('\n')) {
            if (c == QLatin1Char('\r') && i + 1 < text.size() && text.at(i + 1) == QLatin1Char('\n'))
                ++i;
            ++line;
            endRecord();
        } else {
            field.append(c);
        }
    }
    if (inQuotes)
        record.unterminatedQuote = true;
    if (inQuotes || recordHasContent || !field.isEmpty() || !record.fields.isEmpty()) {
        record.fields.append(field);
        records.push_back(std::move(record));
    }
    return records;
}

// The manifest's text, from whatever encoding a spreadsheet saved it in that can be told for sure:
// UTF-8 (with or without the byte-order mark Excel writes), or UTF-16 (Excel's "Unicode text",
// with its byte-order mark, or without one when every other byte is zero). Anything else (a Windows
// or Mac code page) is refused with the line and byte that are not UTF-8 and how to save it.
Result<QString> manifestText(const QByteArray& bytes, const QString& path)
{
    const auto decodeUtf16 = [&](QStringDecoder::Encoding encoding, qsizetype skip) -> Result<QString> {
        QStringDecoder decoder(encoding, QStringDecoder::Flag::Stateless);
        QString text = decoder(bytes.mid(skip));
        // A lone surrogate comes through without an error flag, and an odd last byte is dropped.
        bool lone = false;
        for (qsizetype i = 0; i < text.size() && !lone; ++i) {
            if (text.at(i).isHighSurrogate() && i + 1 < text.size() && text.at(i + 1).isLowSurrogate())
                ++i;
            else
                lone = text.at(i).isSurrogate();
        }
        if (decoder.hasError() || lone || (bytes.size() - skip) % 2 != 0)
            return Error { Text::tr("%1: the manifest starts as UTF-16 but is not valid UTF-16; save it again as "
                                    "\"CSV UTF-8\" (or \"Unicode text\")")
                               .arg(native(path)) };
        return text;
    };
    if (bytes.startsWith("\xFF\xFE"))
        return decodeUtf16(QStringDecoder::Utf16LE, 2);
    if (bytes.startsWith("\xFE\xFF"))
        return decodeUtf16(QStringDecoder::Utf16BE, 2);
    // UTF-16 without a byte-order mark: ASCII text has a zero byte in every other place.
    if (bytes.size() >= 4 && bytes.size() % 2 == 0) {
        const qsizetype pairs = std::min<qsizetype>(bytes.size() / 2, 256);
        int zeroHigh = 0;
        int zeroLow = 0;
        for (qsizetype i = 0; i < pairs; ++i) {
            zeroHigh += bytes[2 * i + 1] == '\0' ? 1 : 0;
            zeroLow += bytes[2 * i] == '\0' ? 1 : 0;
        }
        if (zeroHigh > pairs * 3 / 4)
            return decodeUtf16(QStringDecoder::Utf16LE, 0);
        if (zeroLow > pairs * 3 / 4)
            return decodeUtf16(QStringDecoder::Utf16BE, 0);
    }
    const qsizetype skip = bytes.startsWith("\xEF\xBB\xBF") ? 3 : 0;
    QStringDecoder utf8(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
    QString text = utf8(bytes.mid(skip));
    if (!utf8.hasError())
        return text;
    // The first byte that is not UTF-8, for the message: a lead byte without its continuation bytes.
    qsizetype at = skip;
    while (at < bytes.size()) {
        const auto b = static_cast<unsigned char>(bytes[at]);
        const int length = b < 0x80 ? 1 : (b >> 5) == 0x6 ? 2 : (b >> 4) == 0xE ? 3 : (b >> 3) == 0x1E ? 4 : 0;
        bool valid = length > 0 && at + length <= bytes.size();
        for (int k = 1; valid && k < length; ++k)
            valid = (static_cast<unsigned char>(bytes[at + k]) & 0xC0) == 0x80;
        if (!valid)
            break;
        at += length;
    }
    const int line = int(bytes.left(at).count('\n')) + 1;
    return Error {
        Text::tr("%1: line %2: byte 0x%3 is not UTF-8; the manifest seems to be in a Windows or Mac code "
                 "page, as Excel's \"CSV (Comma delimited)\" saves it. Save it as \"CSV UTF-8 (Comma "
                 "delimited)\" or \"Unicode text\", or convert it (iconv -f WINDOWS-1252 -t UTF-8)")
            .arg(native(path))
            .arg(line)
            .arg(QString::number(static_cast<unsigned char>(bytes[std::min(at, bytes.size() - 1)]), 16).toUpper())
    };
}

// The delimiter of the header row: the one of comma, semicolon and tab whose fields include both
// path and source (Excel's "sep=;" first line names it outright and is skipped).
QChar manifestDelimiter(QString& text)
{
    if (text.startsWith(QLatin1String("sep="), Qt::CaseInsensitive) && text.size() > 4) {
        const QChar named = text.at(4);
        const qsizetype end = text.indexOf(QLatin1Char('\n'));
        text.remove(0, end < 0 ? text.size() : end + 1);
        return named;
    }
    for (const QChar candidate : { QLatin1Char(','), QLatin1Char(';'), QLatin1Char('\t') }) {
        const std::vector<CsvRecord> first = parseCsv(text.left(text.indexOf(QLatin1Char('\n'))), candidate);
        if (first.empty())
            continue;
        QStringList names;
        for (const QString& f : first.front().fields)
            names << f.trimmed().toLower();
        if (names.contains(QLatin1String("path")) && names.contains(QLatin1String("source")))
            return candidate;
    }
    return QLatin1Char(',');
}

Result<Collected> collectManifest(const QString& manifestPath, const QString& root)
{
    QFile file(manifestPath);
    if (!file.open(QIODevice::ReadOnly))
        return Error { Text::tr("%1: cannot be read: %2").arg(native(manifestPath), file.errorString()) };
    auto decoded = manifestText(file.readAll(), manifestPath);
    if (!decoded)
        return Error { decoded.error() };
    QString text = std::move(decoded).value();
    if (text.startsWith(QChar(0xFEFF)))
        text.remove(0, 1);
    const QChar delimiter = manifestDelimiter(text);
    const std::vector<CsvRecord> records = parseCsv(text, delimiter);
    if (records.empty())
        return Error { Text::tr("%1: the manifest is empty; it needs a header row with the columns path and source")
                           .arg(native(manifestPath)) };

    QStringList header = records.front().fields;
    QHash<QString, int> column;
    for (int i = 0; i < header.size(); ++i) {
        header[i] = header[i].trimmed();
        column.insert(header[i].toLower(), i);
    }
    for (const char* required : { "path", "source" }) {
        if (!column.contains(QLatin1String(required)))
            return Error { Text::tr("%1: the manifest header has no \"%2\" column (columns found: %3)")
                               .arg(native(manifestPath), QLatin1String(required), header.join(QLatin1String(", "))) };
    }
    const int pathColumn = column.value(QStringLiteral("path"));
    const int sourceColumn = column.value(QStringLiteral("source"));
    const int categoryColumn = column.value(QStringLiteral("category"), -1);
    const int pairKeyColumn = column.value(QStringLiteral("pair_key"), -1);
    const int splitColumn = column.value(QStringLiteral("split"), -1);
    const QList<int> known = { pathColumn, sourceColumn, categoryColumn, pairKeyColumn, splitColumn };

    Collected collected;
    QHash<QString, int> lineOfPath;
    for (std::size_t r = 1; r < records.size(); ++r) {
        const CsvRecord& record = records[r];
        const QString origin = Text::tr("manifest line %1: ").arg(record.line);
        const QString written = record.fields.value(pathColumn).trimmed();
        const auto reject = [&](const QString& reason) {
            collected.rejected.push_back(
                { written.isEmpty() ? QString(native(manifestPath)) : written, origin + reason });
        };
        if (record.unterminatedQuote) {
            reject(Text::tr("quoted field not closed before the end of the file"));
            continue;
        }
        if (record.fields.size() != header.size()) {
            reject(Text::tr("%1 fields, the header has %2").arg(record.fields.size()).arg(header.size()));
            continue;
        }
        if (written.isEmpty()) {
            reject(Text::tr("no path"));
            continue;
        }
        const QString path
            = QDir::cleanPath(QDir::isAbsolutePath(written) ? written : root + QLatin1Char('/') + written);
        if (!isInside(path, root)) {
            reject(Text::tr("path escapes the pool root"));
            continue;
        }
        Candidate c;
        c.path = path;
        c.relativePath = QDir(root).relativeFilePath(path);
        c.origin = origin;
        c.image.source = record.fields.at(sourceColumn).trimmed();
        if (c.image.source.isEmpty()) {
            reject(Text::tr("no source"));
            continue;
        }
        if (categoryColumn >= 0)
            c.image.category = record.fields.at(categoryColumn).trimmed();
        if (pairKeyColumn >= 0)
            c.image.pairKey = record.fields.at(pairKeyColumn).trimmed();
        if (splitColumn >= 0) {
            bool ok = false;
            const QString split = record.fields.at(splitColumn).trimmed();
            c.image.split = splitFromName(split, &ok);
            if (!ok) {
                reject(Text::tr("unknown split \"%1\" (use train, val, test or leave it empty)").arg(split));
                continue;
            }
        }
        for (int i = 0; i < header.size(); ++i) {
            if (!known.contains(i))
                c.image.attributes.insert(header.at(i), record.fields.at(i));
        }
        if (const auto seen = lineOfPath.constFind(c.relativePath); seen != lineOfPath.cend()) {
            reject(Text::tr("listed already on line %1").arg(*seen));
            continue;
        }
        lineOfPath.insert(c.relativePath, record.line);
        const QFileInfo info(path);
        if (!info.exists()) {
            reject(info.isSymLink() ? Text::tr("broken symbolic link") : Text::tr("file not found"));
            continue;
        }
        if (!info.isFile()) {
            reject(Text::tr("not a regular file"));
            continue;
        }
        collected.candidates.push_back(std::move(c));
    }
    return collected;
}

QString megapixels(qint64 pixels)
{
    return QString::number(double(pixels) / 1e6, 'g', 4);
}

enum class Outcome { Imported, Rejected, Cancelled };

// Hashes, inspects and decodes one file, reading it once. Fills `image` or sets `reason`.
Outcome examine(const Candidate& c, const QString& canonicalRoot, const ImportOptions& options,
    const CancelToken& cancel, PoolImage& image, QString& reason, QString& note)
{
    const QFileInfo info(c.path);
    if (info.canonicalFilePath().isEmpty()) {
        reason = Text::tr("file not found");
        return Outcome::Rejected;
    }
    if (!c.fromFolder && !isInside(info.canonicalFilePath(), canonicalRoot)) {
        reason = Text::tr("path escapes the pool root (it resolves to %1)").arg(native(info.canonicalFilePath()));
        return Outcome::Rejected;
    }
    QFile file(c.path);
    if (!file.open(QIODevice::ReadOnly)) {
        reason = Text::tr("cannot be read: %1").arg(file.errorString());
        return Outcome::Rejected;
    }
    const qint64 size = file.size();
    if (size == 0) {
        reason = Text::tr("file is empty (0 bytes)");
        return Outcome::Rejected;
    }
    QByteArray copy;
    QByteArrayView bytes;
    if (const uchar* mapped = file.map(0, size)) {
        bytes = QByteArrayView(reinterpret_cast<const char*>(mapped), size);
    } else {
        copy = file.readAll();
        if (copy.size() != size) {
            reason = Text::tr("cannot be read: %1").arg(file.errorString());
            return Outcome::Rejected;
        }
        bytes = copy;
    }

    QCryptographicHash hash(QCryptographicHash::Sha256);
    for (qint64 offset = 0; offset < size; offset += kHashBlock) {
        if (cancel.isCancelled())
            return Outcome::Cancelled;
        hash.addData(bytes.sliced(offset, qMin(kHashBlock, size - offset)));
    }

    const Result<ImageFileInfo> inspected = inspectImageData(bytes);
    if (!inspected) {
        reason = inspected.error();
        return Outcome::Rejected;
    }
    // Checked before decoding: a crafted header can make a decoder allocate gigabytes.
    const qint64 pixels = qint64(inspected->width) * inspected->height;
    if (pixels > options.maxPixels) {
        reason = Text::tr("%1x%2 = %3 megapixels, more than the %4 megapixel limit")
                     .arg(inspected->width)
                     .arg(inspected->height)
                     .arg(megapixels(pixels), megapixels(options.maxPixels));
        return Outcome::Rejected;
    }
    if (!inspected->complete) {
        reason = Text::tr("truncated (%1)").arg(inspected->truncation);
        return Outcome::Rejected;
    }
    if (cancel.isCancelled())
        return Outcome::Cancelled;
    if (inspected->animated) {
        reason = Text::tr("animated %1: only still images can be shown to people and models; export the frame "
                          "you want as PNG")
                     .arg(inspected->format.toUpper());
        return Outcome::Rejected;
    }
    const auto decoded = verifyImageDataDecodes(bytes);
    if (!decoded) {
        // OpenCV 4.6 has no GIF decoder; other formats fail for reasons of their own.
        reason = inspected->format == QLatin1String("gif")
            ? Text::tr("GIF, which this program's image decoder (OpenCV %1) cannot read; convert it to PNG (e.g. "
                       "convert 'in.gif[0]' out.png with ImageMagick)")
                  .arg(QStringLiteral(CV_VERSION))
            : Text::tr("%1 header, but %2").arg(inspected->format.toUpper(), decoded.error());
        return Outcome::Rejected;
    }
    if (inspected->trailingBytes > 0)
        note = Text::tr("%1 bytes after the JPEG's end marker (a phone's motion photo keeps its video there); kept: "
                        "people and models see the JPEG image")
                   .arg(inspected->trailingBytes);

    image = c.image;
    image.path = c.path;
    image.relativePath = c.relativePath;
    image.sha256 = QString::fromLatin1(hash.result().toHex());
    image.fileSize = size;
    image.width = inspected->width;
    image.height = inspected->height;
    image.format = inspected->format;
    image.jpegQuality = inspected->jpegQuality;
    image.hasExif = inspected->hasExif;
    image.orientation = inspected->orientation;
    image.alpha = decoded.value();
    return Outcome::Imported;
}

// Tree layout: a file name found under several sources in one category marks images made from one original.
void assignTreePairKeys(std::vector<PoolImage>& images)
{
    QHash<QString, QSet<QString>> sourcesByKey;
    const auto keyOf = [](const PoolImage& image) {
        const QString base = QFileInfo(image.relativePath).completeBaseName();
        // Prefixing the category keeps "cats/001" and "dogs/001" apart.
        return image.category.isEmpty() ? base : image.category + QLatin1Char('/') + base;
    };
    for (const PoolImage& image : images)
        sourcesByKey[keyOf(image)].insert(image.source);
    for (PoolImage& image : images) {
        const QString key = keyOf(image);
        if (sourcesByKey.value(key).size() > 1)
            image.pairKey = key;
    }
}

QString findSource(const QStringList& sources, const QString& name)
{
    for (const QString& source : sources) {
        if (source.compare(name, Qt::CaseInsensitive) == 0)
            return source;
    }
    return {};
}

QString listOrNone(const QStringList& items)
{
    return items.isEmpty() ? Text::tr("(none)") : items.join(QLatin1String(", "));
}

} // namespace

QString poolLayoutName(PoolLayout layout)
{
    switch (layout) {
    case PoolLayout::Auto:
        return QStringLiteral("auto");
    case PoolLayout::Tree:
        return QStringLiteral("tree");
    case PoolLayout::Manifest:
        return QStringLiteral("manifest");
    case PoolLayout::Cifake:
        return QStringLiteral("cifake");
    case PoolLayout::GenImage:
        return QStringLiteral("genimage");
    }
    return {};
}

std::optional<PoolLayout> poolLayoutFromName(const QString& name)
{
    for (const PoolLayout layout :
        { PoolLayout::Auto, PoolLayout::Tree, PoolLayout::Manifest, PoolLayout::Cifake, PoolLayout::GenImage }) {
        if (name.trimmed().compare(poolLayoutName(layout), Qt::CaseInsensitive) == 0)
            return layout;
    }
    return std::nullopt;
}

Result<ImportReport> scanPool(const ImportOptions& options, const CancelToken& cancel, const ProgressFn& progress)
{
    const QFileInfo location(options.location);
    if (options.location.isEmpty() || !location.exists())
        return Error { Text::tr("%1: no such file or folder").arg(native(options.location)) };

    ImportReport report;
    report.layout = options.layout;
    const bool isFile = !location.isDir();
    if (report.layout == PoolLayout::Auto) {
        const QString folder = location.absoluteFilePath();
        if (isFile && location.suffix().compare(QLatin1String("csv"), Qt::CaseInsensitive) == 0)
            report.layout = PoolLayout::Manifest;
        else if (isFile)
            return Error { Text::tr("%1: not a folder or a .csv manifest").arg(native(options.location)) };
        else if (looksLikeCifake(folder))
            report.layout = PoolLayout::Cifake;
        else if (looksLikeGenImage(folder))
            report.layout = PoolLayout::GenImage;
        else
            report.layout = PoolLayout::Tree;
    }
    if (report.layout == PoolLayout::Manifest && !isFile)
        return Error {
            Text::tr("%1: the manifest layout needs a .csv file, not a folder").arg(native(options.location))
        };
    if (report.layout != PoolLayout::Manifest && isFile)
        return Error {
            Text::tr("%1: the %2 layout needs a folder").arg(native(options.location), poolLayoutName(report.layout))
        };

    report.root = QDir::cleanPath(isFile ? location.absolutePath() : location.absoluteFilePath());
    const QString canonicalRoot = QFileInfo(report.root).canonicalFilePath();
    qCDebug(lcPool) << "scanning" << report.root << "as" << poolLayoutName(report.layout);

    Result<Collected> collected = report.layout == PoolLayout::Manifest
        ? collectManifest(location.absoluteFilePath(), report.root)
        : collectFolder(report.root, report.layout);
    if (!collected)
        return Error { collected.error() };
    std::vector<Candidate>& candidates = collected->candidates;
    report.rejected = std::move(collected->rejected);
    report.skipped = std::move(collected->litter);
    std::sort(candidates.begin(), candidates.end(),
        [](const Candidate& a, const Candidate& b) { return a.relativePath < b.relativePath; });

    // Decide the real source before the slow part, so a wrong name fails at once.
    QStringList sources;
    for (const Candidate& c : candidates) {
        if (!sources.contains(c.image.source))
            sources.append(c.image.source);
    }
    sources.sort();
    if (candidates.empty()) {
        QString message = Text::tr("%1: no image files found (%2 layout)")
                              .arg(native(options.location), poolLayoutName(report.layout));
        if (!report.rejected.empty())
            message += Text::tr("; %1 rejected, the first: %2: %3")
                           .arg(report.rejected.size())
                           .arg(report.rejected.front().path, report.rejected.front().reason);
        return Error { message };
    }
    if (!options.realSource.isEmpty()) {
        report.realSource = findSource(sources, options.realSource);
        if (report.realSource.isEmpty())
            return Error {
                Text::tr("real source \"%1\" not found; sources found: %2").arg(options.realSource, listOrNone(sources))
            };
    } else {
        report.realSource = detectRealSource(sources);
        if (report.realSource.isEmpty())
            return Error {
                Text::tr("no real source: name one with --real-source; sources found: %1").arg(listOrNone(sources))
            };
    }

    struct Group
    {
        DuplicateGroup group;
        QSet<QString> sources;
        QSet<Split> splits;
    };
    QHash<QString, std::size_t> importedBySha;
    std::vector<Group> groups;
    QHash<QString, std::size_t> groupBySha;
    const qint64 total = static_cast<qint64>(candidates.size());
    for (qint64 i = 0; i < total; ++i) {
        const Candidate& c = candidates[static_cast<std::size_t>(i)];
        if (cancel.isCancelled())
            return cancelled();
        if (progress)
            progress(i, total, c.relativePath);
        PoolImage image;
        QString reason;
        QString note;
        switch (examine(c, canonicalRoot, options, cancel, image, reason, note)) {
        case Outcome::Cancelled:
            return cancelled();
        case Outcome::Rejected:
            report.rejected.push_back({ c.relativePath, c.origin + reason });
            continue;
        case Outcome::Imported:
            break;
        }
        if (!note.isEmpty())
            report.warnings << QStringLiteral("%1: %2").arg(c.relativePath, note);
        const auto kept = importedBySha.constFind(image.sha256);
        if (kept == importedBySha.cend()) {
            importedBySha.insert(image.sha256, report.images.size());
            report.images.push_back(std::move(image));
            continue;
        }
        const PoolImage& first = report.images[*kept];
        auto groupIndex = groupBySha.constFind(image.sha256);
        if (groupIndex == groupBySha.cend()) {
            groupIndex = groupBySha.insert(image.sha256, groups.size());
            groups.push_back({ { image.sha256, { first.relativePath } }, { first.source }, { first.split } });
        }
        Group& group = groups[*groupIndex];
        group.group.paths.append(image.relativePath);
        group.sources.insert(image.source);
        group.splits.insert(image.split);
    }
    if (progress)
        progress(total, total, QString());

    if (report.layout == PoolLayout::Tree)
        assignTreePairKeys(report.images);

    for (Group& group : groups) {
        // The same file under two labels, or in two splits, corrupts a study or leaks test data.
        if (group.sources.size() > 1)
            report.warnings.append(Text::tr("the same image is filed under different sources: %1")
                                       .arg(group.group.paths.join(QLatin1String(", "))));
        else if (group.splits.size() > 1)
            report.warnings.append(
                Text::tr("the same image is in different splits: %1").arg(group.group.paths.join(QLatin1String(", "))));
        report.duplicates.push_back(std::move(group.group));
    }
    const bool realImported = std::any_of(report.images.begin(), report.images.end(),
        [&](const PoolImage& image) { return image.source == report.realSource; });
    if (report.images.empty())
        report.warnings.append(Text::tr("no image was imported: every file was rejected"));
    else if (!realImported)
        report.warnings.append(Text::tr("no image of the real source \"%1\" was imported").arg(report.realSource));
    else if (sources.size() < 2)
        report.warnings.append(Text::tr("only one source (%1): there are no generated images").arg(report.realSource));

    std::stable_sort(report.rejected.begin(), report.rejected.end(),
        [](const RejectedFile& a, const RejectedFile& b) { return a.path < b.path; });
    qCDebug(lcPool) << report.images.size() << "images," << report.rejected.size() << "rejected,"
                    << report.duplicates.size() << "duplicate groups";
    return report;
}

QString formatImportReport(const ImportReport& report)
{
    QStringList lines;
    lines << Text::tr("Layout: %1").arg(poolLayoutName(report.layout));
    lines << Text::tr("Root: %1").arg(native(report.root));
    lines << Text::tr("Real source: %1").arg(report.realSource);
    int duplicateFiles = 0;
    for (const DuplicateGroup& group : report.duplicates)
        duplicateFiles += static_cast<int>(group.paths.size()) - 1;
    lines << Text::tr("Images: %1 imported, %2 rejected, %3 duplicates not imported")
                 .arg(report.images.size())
                 .arg(report.rejected.size())
                 .arg(duplicateFiles);

    // Categories as rows and sources as columns: pools have few sources but may have many categories.
    QStringList sources;
    QStringList categories;
    QMap<QPair<QString, QString>, int> counts;
    QMap<Split, int> splits;
    QSet<QString> pairKeys;
    for (const PoolImage& image : report.images) {
        if (!sources.contains(image.source))
            sources.append(image.source);
        if (!categories.contains(image.category))
            categories.append(image.category);
        ++counts[qMakePair(image.category, image.source)];
        ++splits[image.split];
        if (!image.pairKey.isEmpty())
            pairKeys.insert(image.pairKey);
    }
    sources.sort();
    categories.sort();
    if (!report.images.empty()) {
        const QString noCategory = Text::tr("(no category)");
        const QString totalLabel = Text::tr("total");
        QStringList headers;
        for (const QString& source : std::as_const(sources))
            headers << (source == report.realSource ? Text::tr("%1 (real)").arg(source) : source);
        headers << totalLabel;
        int labelWidth = static_cast<int>(totalLabel.size());
        for (const QString& category : std::as_const(categories))
            labelWidth = qMax(labelWidth, static_cast<int>((category.isEmpty() ? noCategory : category).size()));
        QVector<int> widths;
        for (const QString& header : std::as_const(headers))
            widths << qMax(static_cast<int>(header.size()), 5);

        const auto row = [&](const QString& label, const QStringList& cells) {
            QString text = QStringLiteral("  ") + label.leftJustified(labelWidth);
            for (int i = 0; i < cells.size(); ++i)
                text += QStringLiteral("  ") + cells[i].rightJustified(widths[i]);
            return text;
        };
        lines << QString() << Text::tr("Images per category and source:") << row(QString(), headers);
        QVector<int> columnTotals(sources.size() + 1, 0);
        for (const QString& category : std::as_const(categories)) {
            QStringList cells;
            int rowTotal = 0;
            for (int s = 0; s < sources.size(); ++s) {
                const int n = counts.value(qMakePair(category, sources[s]));
                cells << QString::number(n);
                rowTotal += n;
                columnTotals[s] += n;
            }
            cells << QString::number(rowTotal);
            columnTotals[sources.size()] += rowTotal;
            lines << row(category.isEmpty() ? noCategory : category, cells);
        }
        QStringList totalCells;
        for (const int n : std::as_const(columnTotals))
            totalCells << QString::number(n);
        if (categories.size() > 1)
            lines << row(totalLabel, totalCells);
        lines << QString() << Text::tr("Pair keys: %1").arg(pairKeys.size());
        if (!(splits.size() == 1 && splits.contains(Split::None))) {
            QStringList parts;
            for (auto it = splits.cbegin(); it != splits.cend(); ++it)
                parts << QStringLiteral("%1 %2")
                             .arg(it.key() == Split::None ? Text::tr("none") : splitName(it.key()))
                             .arg(it.value());
            lines << Text::tr("Splits: %1").arg(parts.join(QLatin1String(", ")));
        }
    }
    if (!report.rejected.empty()) {
        lines << QString() << Text::tr("Rejected files:");
        for (const RejectedFile& file : report.rejected)
            lines << QStringLiteral("  %1: %2").arg(file.path, file.reason);
    }
    if (!report.skipped.isEmpty()) {
        lines << QString()
              << Text::tr("Skipped (operating-system and notebook files, never sources or images): %1")
                     .arg(report.skipped.join(QLatin1String(", ")));
    }
    if (!report.duplicates.empty()) {
        lines << QString() << Text::tr("Duplicates (same SHA-256; only the first of each group is imported):");
        for (const DuplicateGroup& group : report.duplicates)
            lines << QStringLiteral("  %1: %2").arg(group.sha256.left(12), group.paths.join(QLatin1String(", ")));
    }
    if (!report.warnings.isEmpty()) {
        lines << QString() << Text::tr("Warnings:");
        for (const QString& warning : report.warnings)
            lines << QStringLiteral("  ") + warning;
    }
    return lines.join(QLatin1Char('\n')) + QLatin1Char('\n');
}

} // namespace ntt
