#include "pool/poolimport.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QStringEncoder>
#include <QTemporaryDir>
#include <QtEndian>
#include <QtTest>

#include <algorithm>

using namespace ntt;

namespace {

// The test targets do not see OpenCV's headers, so the fixtures are encoded here: small decodable
// PNG and baseline JPEG files whose pixels depend on a seed, so that every fixture hashes differently.

void appendBe16(QByteArray& out, quint32 v)
{
    out.append(char(v >> 8)).append(char(v));
}
void appendBe32(QByteArray& out, quint32 v)
{
    appendBe16(out, v >> 16);
    appendBe16(out, v & 0xFFFF);
}

quint32 crc32(const QByteArray& data)
{
    quint32 crc = 0xFFFFFFFFu;
    for (const char byte : data) {
        crc ^= quint8(byte);
        for (int k = 0; k < 8; ++k)
            crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
    }
    return ~crc;
}

QByteArray pngChunk(const char* type, const QByteArray& data)
{
    const QByteArray body = QByteArray(type, 4) + data;
    QByteArray chunk;
    appendBe32(chunk, data.size());
    chunk += body;
    appendBe32(chunk, crc32(body));
    return chunk;
}

QByteArray pngHeader(quint32 width, quint32 height)
{
    QByteArray header;
    appendBe32(header, width);
    appendBe32(header, height);
    header.append(char(8)).append(char(2)).append(3, '\0'); // 8-bit RGB, deflate, no interlace
    return QByteArray("\x89PNG\r\n\x1a\n", 8) + pngChunk("IHDR", header);
}

QByteArray makePng(int seed, int size = 16)
{
    QByteArray raw;
    for (int y = 0; y < size; ++y) {
        raw.append('\0'); // row filter: none
        for (int x = 0; x < size; ++x)
            raw.append(char(x * 16 + seed)).append(char(y * 16)).append(char(seed * 37));
    }
    QByteArray idat = qCompress(raw);
    idat.remove(0, 4); // qCompress puts the length before the zlib stream
    return pngHeader(size, size) + pngChunk("IDAT", idat) + pngChunk("IEND", {});
}

// Claims 20000x20000 pixels but carries one tiny IDAT: any decoder would fail on it, so a rejection
// for its size shows that the limit was applied before decoding.
QByteArray makeHugePngHeader()
{
    return pngHeader(20000, 20000) + pngChunk("IDAT", QByteArray("\x78\x9c\x03\x00\x00\x00\x00\x01", 8))
        + pngChunk("IEND", {});
}

QByteArray jpegSegment(quint8 marker, const QByteArray& payload)
{
    QByteArray segment;
    segment.append(char(0xFF)).append(char(marker));
    appendBe16(segment, payload.size() + 2);
    return segment + payload;
}

// A 16x16 baseline greyscale JPEG of four flat blocks (DC only, tiny Huffman tables: DC categories as
// 4-bit codes, AC only end-of-block "0"); the quantisation table is flat, quality is not under test here.
QByteArray makeJpeg(int seed)
{
    QByteArray jpeg("\xFF\xD8", 2);
    jpeg += jpegSegment(0xDB, QByteArray(1, '\0') + QByteArray(64, char(4)));
    QByteArray sof(1, char(8));
    appendBe16(sof, 16);
    appendBe16(sof, 16);
    sof.append(char(1)).append(char(1)).append(char(0x11)).append(char(0));
    jpeg += jpegSegment(0xC0, sof);
    QByteArray dc(1, char(0x00));
    for (int length = 1; length <= 16; ++length)
        dc.append(char(length == 4 ? 12 : 0));
    for (int symbol = 0; symbol < 12; ++symbol)
        dc.append(char(symbol));
    jpeg += jpegSegment(0xC4, dc);
    QByteArray ac(1, char(0x10));
    for (int length = 1; length <= 16; ++length)
        ac.append(char(length == 1 ? 1 : 0));
    ac.append('\0');
    jpeg += jpegSegment(0xC4, ac);
    jpeg += jpegSegment(0xDA, QByteArray("\x01\x01\x00\x00\x3F\x00", 6));
    // Four blocks, each coded as DC difference (category 4 bits + value bits) then end-of-block.
    quint32 bits = 0;
    int count = 0;
    const auto put = [&](quint32 value, int n) {
        for (int i = n - 1; i >= 0; --i) {
            bits = (bits << 1) | ((value >> i) & 1);
            if (++count == 8) {
                jpeg.append(char(bits));
                if (bits == 0xFF)
                    jpeg.append('\0');
                bits = 0;
                count = 0;
            }
        }
    };
    int previous = 0;
    for (int block = 0; block < 4; ++block) {
        const int value = (seed * 5 + block * 3) % 60 - 30;
        const int diff = value - previous;
        previous = value;
        int category = 0;
        for (int magnitude = qAbs(diff); magnitude; magnitude >>= 1)
            ++category;
        put(category, 4);
        if (category)
            put(diff >= 0 ? diff : diff + (1 << category) - 1, category);
        put(0, 1);
    }
    while (count != 0)
        put(1, 1);
    return jpeg + QByteArray("\xFF\xD9", 2);
}

void writeFile(const QString& root, const QString& relativePath, const QByteArray& bytes)
{
    const QString path = root + QLatin1Char('/') + relativePath;
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size())
        qFatal("cannot write fixture %s", qPrintable(path));
}

Result<ImportReport> scan(const QString& location, const QString& realSource = {}, PoolLayout layout = PoolLayout::Auto)
{
    ImportOptions options;
    options.location = location;
    options.realSource = realSource;
    options.layout = layout;
    return scanPool(options, CancelToken(), {});
}

QStringList relativePaths(const ImportReport& report)
{
    QStringList paths;
    for (const PoolImage& image : report.images)
        paths << image.relativePath;
    return paths;
}

const PoolImage* findImage(const ImportReport& report, const QString& relativePath)
{
    const auto it = std::find_if(report.images.begin(), report.images.end(),
        [&](const PoolImage& image) { return image.relativePath == relativePath; });
    return it == report.images.end() ? nullptr : &*it;
}

// "path: reason" for every rejected file, for comparing the whole list at once.
QStringList rejectedList(const ImportReport& report)
{
    QStringList list;
    for (const RejectedFile& file : report.rejected)
        list << file.path + QStringLiteral(": ") + file.reason;
    return list;
}

QString describe(const PoolImage& image)
{
    return QStringLiteral("%1|%2|%3|%4").arg(image.source, image.category, image.pairKey, splitName(image.split));
}

} // namespace

class Test_poolimport : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void layoutNames_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<int>("layout");
        QTest::newRow("auto") << "auto" << int(PoolLayout::Auto);
        QTest::newRow("tree") << "tree" << int(PoolLayout::Tree);
        QTest::newRow("manifest") << "manifest" << int(PoolLayout::Manifest);
        QTest::newRow("cifake") << "cifake" << int(PoolLayout::Cifake);
        QTest::newRow("genimage") << "genimage" << int(PoolLayout::GenImage);
    }
    void layoutNames()
    {
        QFETCH(QString, name);
        QFETCH(int, layout);
        QCOMPARE(poolLayoutName(PoolLayout(layout)), name);
        QCOMPARE(poolLayoutFromName(name), std::optional<PoolLayout>(PoolLayout(layout)));
        QCOMPARE(poolLayoutFromName(name.toUpper()), std::optional<PoolLayout>(PoolLayout(layout)));
        QCOMPARE(poolLayoutFromName(QStringLiteral("folders")), std::nullopt);
    }

    void treeLayout()
    {
        QTemporaryDir dir;
        const QString root = dir.path();
        writeFile(root, QStringLiteral("human/cats/001.png"), makePng(1));
        writeFile(root, QStringLiteral("gpt4/cats/001.jpg"), makeJpeg(2));
        writeFile(root, QStringLiteral("human/cats/002.png"), makePng(3));
        writeFile(root, QStringLiteral("sd/cats/002.png"), makePng(4));
        writeFile(root, QStringLiteral("human/dogs/001.png"), makePng(5));
        writeFile(root, QStringLiteral("gpt4/dogs/001.jpg"), makeJpeg(6));
        writeFile(root, QStringLiteral("human/loose.png"), makePng(7));
        writeFile(root, QStringLiteral("gpt4/cats/deep/003.png"), makePng(8));
        writeFile(root, QStringLiteral("stray.png"), makePng(9));
        // Silently skipped: hidden files and the usual companions of a dataset.
        writeFile(root, QStringLiteral("README.md"), "about");
        writeFile(root, QStringLiteral("human/.hidden.png"), makePng(10));
        writeFile(root, QStringLiteral("human/notes.txt"), "notes");
        writeFile(root, QStringLiteral("human/cats/meta.json"), "{}");
        writeFile(root, QStringLiteral("gpt4/prompts.csv"), "a,b");
        writeFile(root, QStringLiteral(".cache/x.png"), makePng(11));

        const Result<ImportReport> report = scan(root);
        QVERIFY2(report.ok(), qPrintable(report.error()));
        QCOMPARE(report->layout, PoolLayout::Tree);
        QCOMPARE(report->root, QDir(root).absolutePath());
        QCOMPARE(report->realSource, QStringLiteral("human"));
        QCOMPARE(rejectedList(report.value()), QStringList { QStringLiteral("stray.png: not inside a source folder") });
        QVERIFY(report->duplicates.empty());

        // Sorted by relative path; pair keys carry the category so "cats/001" and "dogs/001" stay apart.
        const QMap<QString, QString> expected = {
            { "gpt4/cats/001.jpg", "gpt4|cats|cats/001|" },
            { "gpt4/cats/deep/003.png", "gpt4|cats||" },
            { "gpt4/dogs/001.jpg", "gpt4|dogs|dogs/001|" },
            { "human/cats/001.png", "human|cats|cats/001|" },
            { "human/cats/002.png", "human|cats|cats/002|" },
            { "human/dogs/001.png", "human|dogs|dogs/001|" },
            { "human/loose.png", "human|||" },
            { "sd/cats/002.png", "sd|cats|cats/002|" },
        };
        QCOMPARE(relativePaths(report.value()), QStringList(expected.keys()));
        for (const PoolImage& image : report->images) {
            QCOMPARE(describe(image), expected.value(image.relativePath));
            QCOMPARE(image.path, QDir(root).absoluteFilePath(image.relativePath));
            QFile file(image.path);
            QVERIFY(file.open(QIODevice::ReadOnly));
            const QByteArray bytes = file.readAll();
            QCOMPARE(
                image.sha256, QString::fromLatin1(QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex()));
            QCOMPARE(image.fileSize, bytes.size());
            QCOMPARE(image.width, 16);
            QCOMPARE(image.height, 16);
            QCOMPARE(image.format, image.path.endsWith(QLatin1String(".jpg")) ? "jpeg" : "png");
        }
    }

    void explicitLayoutOverridesDetection()
    {
        QTemporaryDir dir;
        writeFile(dir.path(), QStringLiteral("train/REAL/1.png"), makePng(1));
        writeFile(dir.path(), QStringLiteral("train/FAKE/1.png"), makePng(2));
        const Result<ImportReport> report = scan(dir.path(), QStringLiteral("train"), PoolLayout::Tree);
        QVERIFY2(report.ok(), qPrintable(report.error()));
        QCOMPARE(report->layout, PoolLayout::Tree);
        QCOMPARE(findImage(report.value(), QStringLiteral("train/REAL/1.png"))->category, QStringLiteral("REAL"));
    }

    void manifestLayout()
    {
        QTemporaryDir dir;
        const QString root = dir.filePath(QStringLiteral("pool"));
        writeFile(root, QStringLiteral("img/a.png"), makePng(1));
        writeFile(root, QStringLiteral("img/b.jpg"), makeJpeg(2));
        writeFile(root, QStringLiteral("img/c.png"), makePng(3));
        writeFile(root, QStringLiteral("img/d.png"), makePng(4));
        writeFile(root, QStringLiteral("img/e.png"), makePng(5));
        writeFile(root, QStringLiteral("img/f.png"), makePng(6));
        writeFile(root, QStringLiteral("img/g.png"), makePng(7));
        writeFile(root, QStringLiteral("img/unlisted.png"), makePng(8));
        writeFile(dir.path(), QStringLiteral("outside.png"), makePng(9));
        QVERIFY(QFile::link(dir.filePath(QStringLiteral("outside.png")), root + QStringLiteral("/link.png")));

        const QByteArray manifest = QByteArray("\xEF\xBB\xBF") // UTF-8 byte order mark
            + "path,source,category,pair_key,split,prompt,seed\r\n" // line 1
            + "img/a.png,real,cat,p1,train,\"a cat, sitting\",1\r\n" // 2
            + "img/b.jpg,sd,cat,p1,test,\"a \"\"fluffy\"\" cat\",2\r\n" // 3
            + "../outside.png,real,cat,,train,x,3\r\n" // 4: escapes the root
            + "img/c.png,sd,cat,,holdout,y,4\r\n" // 5: unknown split
            + "img/d.png,sd,cat\r\n" // 6: too few fields
            + "img/e.png,,cat,,,z,6\r\n" // 7: no source
            + "\"img/f.png\",real,dog,,val,\"two\r\nlines\",7\r\n" // 8-9: a quoted line break
            + root.toUtf8() + "/img/g.png,sd,dog,,,w,8\r\n" // 10: absolute, inside the root
            + "link.png,sd,dog,,,v,9\r\n" // 11: symbolic link to a file outside
            + "img/missing.png,sd,dog,,,u,10\r\n" // 12
            + "img/a.png,sd,dog,,,t,11\r\n" // 13: listed twice
            + "\r\n";
        writeFile(root, QStringLiteral("manifest.csv"), manifest);

        const Result<ImportReport> report = scan(root + QStringLiteral("/manifest.csv"));
        QVERIFY2(report.ok(), qPrintable(report.error()));
        QCOMPARE(report->layout, PoolLayout::Manifest);
        QCOMPARE(report->root, QDir(root).absolutePath());
        QCOMPARE(report->realSource, QStringLiteral("real"));
        QCOMPARE(relativePaths(report.value()), QStringList({ "img/a.png", "img/b.jpg", "img/f.png", "img/g.png" }));

        const PoolImage* a = findImage(report.value(), QStringLiteral("img/a.png"));
        QCOMPARE(describe(*a), QStringLiteral("real|cat|p1|train"));
        QCOMPARE(a->attributes, (QMap<QString, QString> { { "prompt", "a cat, sitting" }, { "seed", "1" } }));
        const PoolImage* b = findImage(report.value(), QStringLiteral("img/b.jpg"));
        QCOMPARE(describe(*b), QStringLiteral("sd|cat|p1|test"));
        QCOMPARE(b->attributes.value(QStringLiteral("prompt")), QStringLiteral("a \"fluffy\" cat"));
        QCOMPARE(b->format, QStringLiteral("jpeg"));
        const PoolImage* f = findImage(report.value(), QStringLiteral("img/f.png"));
        QCOMPARE(describe(*f), QStringLiteral("real|dog||val"));
        QCOMPARE(f->attributes.value(QStringLiteral("prompt")), QStringLiteral("two\r\nlines"));
        QCOMPARE(describe(*findImage(report.value(), QStringLiteral("img/g.png"))), QStringLiteral("sd|dog||"));

        QCOMPARE(rejectedList(report.value()),
            QStringList({
                "../outside.png: manifest line 4: path escapes the pool root",
                "img/a.png: manifest line 13: listed already on line 2",
                "img/c.png: manifest line 5: unknown split \"holdout\" (use train, val, test or leave it empty)",
                "img/d.png: manifest line 6: 3 fields, the header has 7",
                "img/e.png: manifest line 7: no source",
                "img/missing.png: manifest line 12: file not found",
            })
                + QStringList {
                    QStringLiteral("link.png: manifest line 11: path escapes the pool root (it resolves to %1)")
                        .arg(QFileInfo(dir.filePath(QStringLiteral("outside.png"))).canonicalFilePath()) });
    }

    // Manifests as spreadsheet programs save them: the delimiter (comma, semicolon, tab, Excel's
    // "sep=" line), the encoding (UTF-8 with or without its mark, UTF-16 either way round, with or
    // without a mark) and line ends (CRLF, LF, CR) are all read, non-ASCII text intact.
    void manifestFromSpreadsheets_data()
    {
        QTest::addColumn<QByteArray>("manifest");
        const QString rows = QStringLiteral("path%1source%1category\r\na.png%1real%1café\r\nb.png%1sd%1café\r\n");
        const auto utf16 = [](const QString& text, bool bigEndian, bool mark) {
            QStringEncoder encoder(bigEndian ? QStringEncoder::Utf16BE : QStringEncoder::Utf16LE);
            QByteArray bytes = encoder(text);
            if (mark)
                bytes.prepend(bigEndian ? QByteArray("\xFE\xFF") : QByteArray("\xFF\xFE"));
            return bytes;
        };
        QTest::newRow("semicolon, UTF-8 mark") << (QByteArray("\xEF\xBB\xBF") + rows.arg(QLatin1Char(';')).toUtf8());
        QTest::newRow("tab, UTF-16LE mark (Excel Unicode text)") << utf16(rows.arg(QLatin1Char('\t')), false, true);
        QTest::newRow("comma, UTF-16BE mark") << utf16(rows.arg(QLatin1Char(',')), true, true);
        QTest::newRow("tab, UTF-16LE without a mark") << utf16(rows.arg(QLatin1Char('\t')), false, false);
        QTest::newRow("CR line ends (old Mac)")
            << rows.arg(QLatin1Char(',')).replace(QStringLiteral("\r\n"), QStringLiteral("\r")).toUtf8();
        QTest::newRow("Excel's sep= line") << (QByteArray("sep=;\r\n") + rows.arg(QLatin1Char(';')).toUtf8());
    }
    void manifestFromSpreadsheets()
    {
        QFETCH(QByteArray, manifest);
        QTemporaryDir dir;
        writeFile(dir.path(), QStringLiteral("a.png"), makePng(1));
        writeFile(dir.path(), QStringLiteral("b.png"), makePng(2));
        writeFile(dir.path(), QStringLiteral("list.csv"), manifest);
        const Result<ImportReport> report = scan(dir.filePath(QStringLiteral("list.csv")));
        QVERIFY2(report.ok(), qPrintable(report.error()));
        QCOMPARE(relativePaths(report.value()), QStringList({ "a.png", "b.png" }));
        QCOMPARE(describe(*findImage(report.value(), QStringLiteral("a.png"))), QStringLiteral("real|café||"));
        QCOMPARE(findImage(report.value(), QStringLiteral("b.png"))->source, QStringLiteral("sd"));
        QVERIFY(rejectedList(report.value()).isEmpty());
    }

    // Rows a manifest cannot use: an empty path is listed, a quote never closed is listed with its
    // line; a file that starts as UTF-16 but is not is refused whole.
    void manifestRowsThatCannotBeRead()
    {
        QTemporaryDir dir;
        writeFile(dir.path(), QStringLiteral("a.png"), makePng(1));
        writeFile(
            dir.path(), QStringLiteral("list.csv"), QByteArray("path,source\r\na.png,real\r\n,sd\r\n\"b.png,sd\r\n"));
        const Result<ImportReport> report = scan(dir.filePath(QStringLiteral("list.csv")));
        QVERIFY2(report.ok(), qPrintable(report.error()));
        const QStringList rejected = rejectedList(report.value());
        QVERIFY2(rejected.join(QLatin1Char('|')).contains(QStringLiteral("manifest line 3: no path")),
            qPrintable(rejected.join(QLatin1Char('|'))));
        QVERIFY2(rejected.join(QLatin1Char('|'))
                     .contains(QStringLiteral("manifest line 4: quoted field not closed before the end of the file")),
            qPrintable(rejected.join(QLatin1Char('|'))));

        writeFile(dir.path(), QStringLiteral("broken16.csv"), QByteArray::fromHex("FFFE7000610000D8"));
        const Result<ImportReport> broken = scan(dir.filePath(QStringLiteral("broken16.csv")));
        QVERIFY(!broken.ok());
        QVERIFY2(broken.error().contains(QStringLiteral("starts as UTF-16 but is not valid UTF-16")),
            qPrintable(broken.error()));
    }

    // A Windows code page (Excel's plain "CSV (Comma delimited)") cannot be told from another for
    // sure: refused, naming the line and the byte, and saying how to save it.
    void manifestInACodePageIsRefused()
    {
        QTemporaryDir dir;
        writeFile(dir.path(), QStringLiteral("a.png"), makePng(1));
        writeFile(dir.path(), QStringLiteral("list.csv"), QByteArray("path,source,category\r\na.png,real,caf\xE9\r\n"));
        const Result<ImportReport> report = scan(dir.filePath(QStringLiteral("list.csv")));
        QVERIFY(!report.ok());
        QVERIFY2(report.error().contains(QStringLiteral("line 2: byte 0xE9 is not UTF-8")), qPrintable(report.error()));
        QVERIFY2(report.error().contains(QStringLiteral("CSV UTF-8")), qPrintable(report.error()));
    }

    void manifestHeaderErrors_data()
    {
        QTest::addColumn<QByteArray>("manifest");
        QTest::addColumn<QString>("message");
        QTest::newRow("no path column") << QByteArray("file,source\na.png,real\n")
                                        << "the manifest header has no \"path\" column (columns found: file, source)";
        QTest::newRow("no source column") << QByteArray(
            "path,label\na.png,real\n") << "the manifest header has no \"source\" column (columns found: path, label)";
        QTest::newRow("empty") << QByteArray("\xEF\xBB\xBF\r\n")
                               << "the manifest is empty; it needs a header row with the columns path and source";
    }
    void manifestHeaderErrors()
    {
        QFETCH(QByteArray, manifest);
        QFETCH(QString, message);
        QTemporaryDir dir;
        writeFile(dir.path(), QStringLiteral("a.png"), makePng(1));
        writeFile(dir.path(), QStringLiteral("list.csv"), manifest);
        const QString path = dir.filePath(QStringLiteral("list.csv"));
        const Result<ImportReport> report = scan(path);
        QVERIFY(!report.ok());
        QCOMPARE(report.error(),
            QDir::toNativeSeparators(QFileInfo(path).absoluteFilePath()) + QStringLiteral(": ") + message);
    }

    void cifakeLayout()
    {
        QTemporaryDir dir;
        writeFile(dir.path(), QStringLiteral("train/REAL/1.png"), makePng(1));
        writeFile(dir.path(), QStringLiteral("train/FAKE/1.png"), makePng(2));
        writeFile(dir.path(), QStringLiteral("test/REAL/2.png"), makePng(3));
        writeFile(dir.path(), QStringLiteral("test/FAKE/2.jpg"), makeJpeg(4));
        writeFile(dir.path(), QStringLiteral("train/other.png"), makePng(5));
        const Result<ImportReport> report = scan(dir.path());
        QVERIFY2(report.ok(), qPrintable(report.error()));
        QCOMPARE(report->layout, PoolLayout::Cifake);
        QCOMPARE(report->realSource, QStringLiteral("real"));
        QStringList described;
        for (const PoolImage& image : report->images)
            described << image.relativePath + QLatin1Char('=') + describe(image);
        QCOMPARE(described,
            QStringList({ "test/FAKE/2.jpg=fake|||test", "test/REAL/2.png=real|||test", "train/FAKE/1.png=fake|||train",
                "train/REAL/1.png=real|||train" }));
        QCOMPARE(rejectedList(report.value()),
            QStringList { "train/other.png: not inside a train/REAL, train/FAKE, test/REAL or test/FAKE folder" });
    }

    void genImageLayout()
    {
        QTemporaryDir dir;
        writeFile(dir.path(), QStringLiteral("sdv14/train/ai/a.png"), makePng(1));
        writeFile(dir.path(), QStringLiteral("sdv14/train/nature/b.png"), makePng(2));
        writeFile(dir.path(), QStringLiteral("sdv14/val/ai/c.png"), makePng(3));
        writeFile(dir.path(), QStringLiteral("midjourney/val/ai/d.png"), makePng(4));
        writeFile(dir.path(), QStringLiteral("midjourney/val/nature/e.jpg"), makeJpeg(5));
        writeFile(dir.path(), QStringLiteral("midjourney/val/f.png"), makePng(6));
        const Result<ImportReport> report = scan(dir.path());
        QVERIFY2(report.ok(), qPrintable(report.error()));
        QCOMPARE(report->layout, PoolLayout::GenImage);
        QCOMPARE(report->realSource, QStringLiteral("real"));
        QStringList described;
        for (const PoolImage& image : report->images)
            described << image.relativePath + QLatin1Char('=') + describe(image);
        QCOMPARE(described,
            QStringList({ "midjourney/val/ai/d.png=midjourney|||val", "midjourney/val/nature/e.jpg=real|||val",
                "sdv14/train/ai/a.png=sdv14|||train", "sdv14/train/nature/b.png=real|||train",
                "sdv14/val/ai/c.png=sdv14|||val" }));
        QCOMPARE(rejectedList(report.value()),
            QStringList { "midjourney/val/f.png: not inside a <generator>/train|val/ai|nature folder" });
    }

    void badFiles_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("reason");
        const QByteArray png = makePng(50);
        QTest::newRow("empty") << "empty.png" << QByteArray() << "file is empty (0 bytes)";
        QTest::newRow("truncated jpeg") << "cut.jpg" << makeJpeg(51).chopped(3)
                                        << "truncated (JPEG end marker missing)";
        QTest::newRow("png without end") << "noend.png" << png.chopped(12) << "truncated (PNG IEND chunk missing)";
        QTest::newRow("text named .png") << "text.png" << QByteArray("just some text\n")
                                         << "not an image (unknown format)";
        QTest::newRow("over 100 megapixels")
            << "huge.png" << makeHugePngHeader() << "20000x20000 = 400 megapixels, more than the 100 megapixel limit";
        // Intact chunk structure with valid CRCs, but IDAT holds no zlib stream.
        const QByteArray garbled
            = pngHeader(16, 16) + pngChunk("IDAT", QByteArray(40, char(0xA5))) + pngChunk("IEND", {});
        QTest::newRow("does not decode") << "garbled.png" << garbled
                                         << "PNG header, but does not decode (OpenCV cannot read it)";
    }
    void badFiles()
    {
        QFETCH(QString, name);
        QFETCH(QByteArray, bytes);
        QFETCH(QString, reason);
        QTemporaryDir dir;
        writeFile(dir.path(), QStringLiteral("human/ok.png"), makePng(1));
        writeFile(dir.path(), QStringLiteral("gpt4/ok.png"), makePng(2));
        writeFile(dir.path(), QStringLiteral("gpt4/") + name, bytes);
        const Result<ImportReport> report = scan(dir.path());
        QVERIFY2(report.ok(), qPrintable(report.error()));
        QCOMPARE(relativePaths(report.value()), QStringList({ "gpt4/ok.png", "human/ok.png" }));
        QCOMPARE(rejectedList(report.value()),
            QStringList { QStringLiteral("gpt4/") + name + QStringLiteral(": ") + reason });
    }

    void unreadableFile()
    {
        QTemporaryDir dir;
        writeFile(dir.path(), QStringLiteral("human/ok.png"), makePng(1));
        writeFile(dir.path(), QStringLiteral("gpt4/locked.png"), makePng(2));
        const QString locked = dir.filePath(QStringLiteral("gpt4/locked.png"));
        QVERIFY(QFile::setPermissions(locked, QFileDevice::WriteOwner));
        if (QFile file(locked); file.open(QIODevice::ReadOnly))
            QSKIP("this user can read files without read permission (root)");
        const Result<ImportReport> report = scan(dir.path());
        QVERIFY2(report.ok(), qPrintable(report.error()));
        QCOMPARE(report->rejected.size(), std::size_t(1));
        QCOMPARE(report->rejected[0].path, QStringLiteral("gpt4/locked.png"));
        QVERIFY2(report->rejected[0].reason.startsWith(QLatin1String("cannot be read: ")),
            qPrintable(report->rejected[0].reason));
    }

    // Links are followed (a dataset on another disk linked into the pool); a loop is not.
    void symbolicLinks()
    {
        QTemporaryDir dir;
        const QString root = dir.filePath(QStringLiteral("pool"));
        writeFile(root, QStringLiteral("human/ok.png"), makePng(1));
        writeFile(root, QStringLiteral("gpt4/ok.png"), makePng(2));
        writeFile(dir.path(), QStringLiteral("elsewhere/outside.png"), makePng(3));
        writeFile(dir.path(), QStringLiteral("other-disk/sdxl/far.png"), makePng(4));
        QVERIFY(QFile::link(
            dir.filePath(QStringLiteral("elsewhere/outside.png")), root + QStringLiteral("/gpt4/file-link.png")));
        QVERIFY(QFile::link(dir.filePath(QStringLiteral("elsewhere")), root + QStringLiteral("/gpt4/folder-link")));
        QVERIFY(QFile::link(dir.filePath(QStringLiteral("other-disk/sdxl")), root + QStringLiteral("/sdxl")));
        QVERIFY(QFile::link(root + QStringLiteral("/gpt4"), root + QStringLiteral("/gpt4/loop")));
        QVERIFY(QFile::link(root + QStringLiteral("/nowhere.png"), root + QStringLiteral("/gpt4/broken.png")));
        const Result<ImportReport> report = scan(root);
        QVERIFY2(report.ok(), qPrintable(report.error()));
        QCOMPARE(relativePaths(report.value()),
            QStringList({ "gpt4/file-link.png", "gpt4/ok.png", "human/ok.png", "sdxl/far.png" }));
        QCOMPARE(rejectedList(report.value()),
            QStringList({ "gpt4/broken.png: broken symbolic link",
                QStringLiteral("gpt4/loop/: symbolic link loop (it leads back to %1), not followed")
                    .arg(QFileInfo(root + QStringLiteral("/gpt4")).canonicalFilePath()) }));
        // gpt4/folder-link/outside.png is the same file as gpt4/file-link.png: a duplicate, not a second image.
        QCOMPARE(report->duplicates.size(), std::size_t(1));
    }

    // What macOS, Windows and Jupyter leave behind is skipped and listed, never a source: a zip
    // made on a Mac holds a __MACOSX/ folder beside the layout, which must not break its detection.
    void operatingSystemLitterIsSkipped()
    {
        QTemporaryDir dir;
        const QString root = dir.filePath(QStringLiteral("genimage"));
        writeFile(root, QStringLiteral("sdv4/train/ai/a.png"), makePng(1));
        writeFile(root, QStringLiteral("sdv4/train/nature/b.png"), makePng(2));
        writeFile(root, QStringLiteral("__MACOSX/sdv4/train/ai/._a.png"), QByteArray("AppleDouble"));
        writeFile(root, QStringLiteral("sdv4/train/ai/.DS_Store"), QByteArray("bud1"));
        writeFile(root, QStringLiteral("sdv4/train/nature/Thumbs.db"), QByteArray("thumbs"));
        writeFile(root, QStringLiteral("sdv4/.ipynb_checkpoints/notes-checkpoint.png"), makePng(3));
        const Result<ImportReport> report = scan(root);
        QVERIFY2(report.ok(), qPrintable(report.error()));
        QCOMPARE(report->layout, PoolLayout::GenImage);
        QCOMPARE(relativePaths(report.value()), QStringList({ "sdv4/train/ai/a.png", "sdv4/train/nature/b.png" }));
        QVERIFY2(report->rejected.empty(), qPrintable(rejectedList(report.value()).join(u'\n')));
        QCOMPARE(report->skipped,
            QStringList(
                { "__MACOSX/", "sdv4/.ipynb_checkpoints/", "sdv4/train/ai/.DS_Store", "sdv4/train/nature/Thumbs.db" }));
        QVERIFY(formatImportReport(report.value()).contains(QStringLiteral("__MACOSX/")));
    }

    // Files as phones and generators make them: a motion photo (a JPEG with its video after the end
    // marker) is kept and reported; a GIF and an animated WebP are refused with the reason and what to do.
    void filesFromPhonesAndGenerators()
    {
        QTemporaryDir dir;
        QByteArray motion = makeJpeg(5);
        motion
            .append(QByteArray("\0\0\0\x18"
                               "ftypmp42",
                12))
            .append(QByteArray(4000, char(0x5A)));
        writeFile(dir.path(), QStringLiteral("human/motion.jpg"), motion);
        writeFile(dir.path(), QStringLiteral("human/ok.png"), makePng(1));
        writeFile(dir.path(), QStringLiteral("gpt4/ok.png"), makePng(2));
        writeFile(dir.path(), QStringLiteral("gpt4/pixel.gif"),
            QByteArray("GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x01\x00\x00\x00\x00,"
                       "\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02"
                       "D\x01\x00;",
                43));
        QByteArray vp8x(1, char(0x02));
        vp8x.append(QByteArray(9, '\0'));
        QByteArray chunk = QByteArray("VP8X") + QByteArray("\x0a\0\0\0", 4) + vp8x;
        QByteArray webp = QByteArray("RIFF") + QByteArray(4, '\0') + QByteArray("WEBP") + chunk;
        qToLittleEndian<quint32>(quint32(webp.size() - 8), webp.data() + 4);
        writeFile(dir.path(), QStringLiteral("gpt4/moving.webp"), webp);

        const Result<ImportReport> report = scan(dir.path());
        QVERIFY2(report.ok(), qPrintable(report.error()));
        QCOMPARE(relativePaths(report.value()), QStringList({ "gpt4/ok.png", "human/motion.jpg", "human/ok.png" }));
        const QStringList rejected = rejectedList(report.value());
        QCOMPARE(rejected.size(), 2);
        QVERIFY2(rejected[0].startsWith(QLatin1String("gpt4/moving.webp: animated WEBP"))
                && rejected[0].contains(QLatin1String("PNG")),
            qPrintable(rejected[0]));
        QVERIFY2(rejected[1].startsWith(QLatin1String("gpt4/pixel.gif: GIF, which"))
                && rejected[1].contains(QLatin1String("convert it to PNG")),
            qPrintable(rejected[1]));
        QCOMPARE(report->warnings.size(), 1);
        QVERIFY2(
            report->warnings[0].startsWith(QLatin1String("human/motion.jpg: 4012 bytes after the JPEG's end marker")),
            qPrintable(report->warnings[0]));
    }

    // Generators write RGBA: each image's transparency is recorded for the audit, from the pixels.
    void transparencyIsRecorded()
    {
        QTemporaryDir dir;
        QFile fixture(QStringLiteral(NTT_TEST_DATA_DIR "/alpha/rgba.png"));
        QVERIFY(fixture.open(QIODevice::ReadOnly));
        writeFile(dir.path(), QStringLiteral("real/plain.png"), makePng(1));
        writeFile(dir.path(), QStringLiteral("sd/cut-out.png"), fixture.readAll());
        const Result<ImportReport> report = scan(dir.path());
        QVERIFY2(report.ok(), qPrintable(report.error()));
        QMap<QString, QString> alpha;
        for (const PoolImage& image : report->images)
            alpha.insert(image.relativePath, image.alpha);
        QCOMPARE(alpha.value(QStringLiteral("real/plain.png")), QStringLiteral("none"));
        QCOMPARE(alpha.value(QStringLiteral("sd/cut-out.png")), QStringLiteral("transparent"));
    }

    void duplicates()
    {
        QTemporaryDir dir;
        const QByteArray same = makePng(1);
        writeFile(dir.path(), QStringLiteral("human/a.png"), same);
        writeFile(dir.path(), QStringLiteral("human/copy.png"), same);
        writeFile(dir.path(), QStringLiteral("gpt4/a.png"), same);
        writeFile(dir.path(), QStringLiteral("gpt4/b.png"), makePng(2));
        writeFile(dir.path(), QStringLiteral("human/c.png"), makePng(3));
        const Result<ImportReport> report = scan(dir.path());
        QVERIFY2(report.ok(), qPrintable(report.error()));
        QCOMPARE(relativePaths(report.value()), QStringList({ "gpt4/a.png", "gpt4/b.png", "human/c.png" }));
        QCOMPARE(report->duplicates.size(), std::size_t(1));
        QCOMPARE(report->duplicates[0].sha256,
            QString::fromLatin1(QCryptographicHash::hash(same, QCryptographicHash::Sha256).toHex()));
        QCOMPARE(report->duplicates[0].paths, QStringList({ "gpt4/a.png", "human/a.png", "human/copy.png" }));
        QCOMPARE(report->warnings,
            QStringList { "the same image is filed under different sources: gpt4/a.png, human/a.png, human/copy.png" });
    }

    void realSource_data()
    {
        QTest::addColumn<QStringList>("sources");
        QTest::addColumn<QString>("requested");
        QTest::addColumn<QString>("realSource"); // empty when the scan must fail
        QTest::addColumn<QString>("error");
        QTest::newRow("real") << QStringList { "real", "sd" } << ""
                              << "real"
                              << "";
        QTest::newRow("Human, any case") << QStringList { "Human", "gpt4" } << ""
                                         << "Human"
                                         << "";
        QTest::newRow("nature") << QStringList { "nature", "biggan" } << ""
                                << "nature"
                                << "";
        QTest::newRow("real before human") << QStringList { "human", "real", "sd" } << ""
                                           << "real"
                                           << "";
        QTest::newRow("none recognised") << QStringList { "photos", "gan" } << ""
                                         << ""
                                         << "no real source: name one with --real-source; sources found: gan, photos";
        QTest::newRow("explicit") << QStringList { "photos", "gan" } << "photos"
                                  << "photos"
                                  << "";
        QTest::newRow("explicit, other case") << QStringList { "photos", "gan" } << "PHOTOS"
                                              << "photos"
                                              << "";
        QTest::newRow("explicit over default") << QStringList { "real", "camera" } << "camera"
                                               << "camera"
                                               << "";
        QTest::newRow("explicit, missing") << QStringList { "photos", "gan" } << "camera"
                                           << ""
                                           << "real source \"camera\" not found; sources found: gan, photos";
    }
    void realSource()
    {
        QFETCH(QStringList, sources);
        QFETCH(QString, requested);
        QFETCH(QString, realSource);
        QFETCH(QString, error);
        QTemporaryDir dir;
        int seed = 0;
        for (const QString& source : sources)
            writeFile(dir.path(), source + QStringLiteral("/x.png"), makePng(++seed));
        const Result<ImportReport> report = scan(dir.path(), requested);
        if (realSource.isEmpty()) {
            QVERIFY(!report.ok());
            QCOMPARE(report.error(), error);
        } else {
            QVERIFY2(report.ok(), qPrintable(report.error()));
            QCOMPARE(report->realSource, realSource);
        }
    }

    void progressAndCancel()
    {
        QTemporaryDir dir;
        for (int i = 0; i < 5; ++i) {
            writeFile(dir.path(), QStringLiteral("human/%1.png").arg(i), makePng(i));
            writeFile(dir.path(), QStringLiteral("sd/%1.png").arg(i), makePng(100 + i));
        }
        ImportOptions options;
        options.location = dir.path();

        QList<qint64> done;
        QStringList what;
        const Result<ImportReport> full
            = scanPool(options, CancelToken(), [&](qint64 d, qint64 total, const QString& w) {
                  QCOMPARE(total, 10);
                  done << d;
                  what << w;
              });
        QVERIFY2(full.ok(), qPrintable(full.error()));
        QCOMPARE(done, (QList<qint64> { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 }));
        QCOMPARE(what.first(), QStringLiteral("human/0.png"));

        CancelToken early;
        early.cancel();
        const Result<ImportReport> none = scanPool(options, early, {});
        QVERIFY(!none.ok());
        QCOMPARE(none.error(), QStringLiteral("import cancelled"));

        CancelToken midway;
        int calls = 0;
        const Result<ImportReport> part = scanPool(options, midway, [&](qint64 d, qint64, const QString&) {
            ++calls;
            if (d == 3)
                midway.cancel();
        });
        QVERIFY(!part.ok());
        QCOMPARE(part.error(), QStringLiteral("import cancelled"));
        QCOMPARE(calls, 4);
    }

    void unusableLocation_data()
    {
        QTest::addColumn<QString>("location"); // relative to a temporary folder holding a.png and pool/
        QTest::addColumn<int>("layout");
        QTest::addColumn<QString>("message"); // after "<location>: "
        QTest::newRow("missing") << "nothing" << int(PoolLayout::Auto) << "no such file or folder";
        QTest::newRow("image file") << "a.png" << int(PoolLayout::Auto) << "not a folder or a .csv manifest";
        QTest::newRow("manifest layout on a folder")
            << "pool" << int(PoolLayout::Manifest) << "the manifest layout needs a .csv file, not a folder";
        QTest::newRow("nothing in the layout")
            << "pool" << int(PoolLayout::Cifake)
            << "no image files found (cifake layout); 1 rejected, the first: "
               "stray.png: not inside a train/REAL, train/FAKE, test/REAL or test/FAKE folder";
        QTest::newRow("tree layout on a file") << "a.png" << int(PoolLayout::Tree) << "the tree layout needs a folder";
        QTest::newRow("no images") << "pool" << int(PoolLayout::Auto) << "no image files found (tree layout)";
    }
    void unusableLocation()
    {
        QFETCH(QString, location);
        QFETCH(int, layout);
        QFETCH(QString, message);
        QTemporaryDir dir;
        writeFile(dir.path(), QStringLiteral("a.png"), makePng(1));
        writeFile(dir.path(), QStringLiteral("pool/README.txt"), "nothing here yet");
        if (PoolLayout(layout) == PoolLayout::Cifake)
            writeFile(dir.path(), QStringLiteral("pool/stray.png"), makePng(2));
        const QString path = dir.filePath(location);
        const Result<ImportReport> report = scan(path, {}, PoolLayout(layout));
        QVERIFY(!report.ok());
        QCOMPARE(report.error(), QDir::toNativeSeparators(path) + QStringLiteral(": ") + message);
    }

    void formattedReport()
    {
        QTemporaryDir dir;
        writeFile(dir.path(), QStringLiteral("human/cats/1.png"), makePng(1));
        writeFile(dir.path(), QStringLiteral("human/cats/2.png"), makePng(2));
        writeFile(dir.path(), QStringLiteral("human/dogs/1.png"), makePng(3));
        writeFile(dir.path(), QStringLiteral("sd/cats/1.png"), makePng(4));
        writeFile(dir.path(), QStringLiteral("sd/cats/copy.png"), makePng(4));
        writeFile(dir.path(), QStringLiteral("sd/cats/bad.png"), "not an image");
        const Result<ImportReport> report = scan(dir.path());
        QVERIFY2(report.ok(), qPrintable(report.error()));
        QCOMPARE(report->duplicates.size(), std::size_t(1));
        const QString sha = report->duplicates.front().sha256.left(12);
        const QString expected = QStringLiteral("Layout: tree\n"
                                                "Root: %1\n"
                                                "Real source: human\n"
                                                "Images: 4 imported, 1 rejected, 1 duplicates not imported\n"
                                                "\n"
                                                "Images per category and source:\n"
                                                "         human (real)     sd  total\n"
                                                "  cats              2      1      3\n"
                                                "  dogs              1      0      1\n"
                                                "  total             3      1      4\n"
                                                "\n"
                                                "Pair keys: 1\n"
                                                "\n"
                                                "Rejected files:\n"
                                                "  sd/cats/bad.png: not an image (unknown format)\n"
                                                "\n"
                                                "Duplicates (same SHA-256; only the first of each group is imported):\n"
                                                "  %2: sd/cats/1.png, sd/cats/copy.png\n")
                                     .arg(QDir::toNativeSeparators(QDir(dir.path()).absolutePath()), sha);
        QCOMPARE(formatImportReport(report.value()), expected);
    }

    // The shared DeepArt sample: 40 paintings and their GPT-4 re-creations, named alike.
    void deepArtSample()
    {
        const QString location = QStringLiteral(NTT_SHARED_DATA_DIR "/deepart-sample");
        if (!QFileInfo::exists(location))
            QSKIP("shared DeepArt sample not present");
        const Result<ImportReport> report = scan(location);
        QVERIFY2(report.ok(), qPrintable(report.error()));
        QCOMPARE(report->layout, PoolLayout::Tree);
        QCOMPARE(report->realSource, QStringLiteral("human"));
        QCOMPARE(report->images.size(), std::size_t(80));
        QCOMPARE(rejectedList(report.value()), QStringList());
        QVERIFY(report->duplicates.empty());
        QVERIFY(report->warnings.isEmpty());
        QMap<QString, QStringList> sourcesByPairKey;
        for (const PoolImage& image : report->images) {
            QCOMPARE(image.category, QString());
            QCOMPARE(image.pairKey, QFileInfo(image.relativePath).completeBaseName());
            sourcesByPairKey[image.pairKey] << image.source;
        }
        QCOMPARE(sourcesByPairKey.size(), 40);
        for (const QStringList& sources : std::as_const(sourcesByPairKey))
            QCOMPARE(sources, QStringList({ "gpt4", "human" }));
        QCOMPARE(
            findImage(report.value(), QStringLiteral("human/gushici-000.png"))->pairKey, QStringLiteral("gushici-000"));
        QCOMPARE(
            findImage(report.value(), QStringLiteral("gpt4/gushici-000.jpg"))->pairKey, QStringLiteral("gushici-000"));
    }
};

QTEST_GUILESS_MAIN(Test_poolimport)
#include "tst_poolimport.moc"
