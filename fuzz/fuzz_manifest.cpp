// libFuzzer target: a pool manifest, as spreadsheet programs save them (encodings, byte-order marks,
// delimiters, quoting, line ends). The bytes are written to a file and scanned as `ntt import` does;
// the listed image files do not exist, so every row is either refused with a reason or the whole
// manifest is, with a message naming the file.
#include "pool/poolimport.h"

#include <QByteArray>
#include <QDir>
#include <QFile>
#include <QTemporaryDir>

#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    static QTemporaryDir dir(QDir::tempPath() + QStringLiteral("/ntt-fuzz-XXXXXX"));
    const QString path = dir.filePath(QStringLiteral("manifest.csv"));
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
        std::abort();
    file.write(reinterpret_cast<const char*>(data), static_cast<qint64>(size));
    file.close();
    ntt::ImportOptions options;
    options.location = path;
    options.layout = ntt::PoolLayout::Manifest;
    ntt::CancelToken cancel;
    const auto report = ntt::scanPool(options, cancel, {});
    if (!report) {
        if (report.error().isEmpty())
            std::abort();
        return 0;
    }
    for (const ntt::RejectedFile& r : report->rejected)
        if (r.reason.isEmpty())
            std::abort(); // every refused row says why
    return 0;
}
