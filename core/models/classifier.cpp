#include "models/classifier.h"

#include "logging.h"
#include "models/classifierbackends_p.h"
#include "pool/imagefileinfo.h"

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QFile>
#include <QFileInfo>

#include <algorithm>
#include <thread>

namespace ntt {
namespace {

class Text
{
    Q_DECLARE_TR_FUNCTIONS(ntt::Classifier)
};

} // namespace

int defaultTorchThreads()
{
    return std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
}

Result<std::unique_ptr<Classifier>> loadClassifier(const QString& path, DevicePreference device, int threads)
{
    const QFileInfo info(path);
    if (!info.exists())
        return Error { Text::tr("%1: model file not found").arg(path) };
    if (!info.isFile())
        return Error { Text::tr("%1: not a model file").arg(path) };
    if (!info.isReadable())
        return Error { Text::tr("%1: model file is not readable").arg(path) };

    // Streamed: a model file can be hundreds of megabytes.
    const QString modelHash = fileSha256(path);
    if (modelHash.isEmpty())
        return Error { Text::tr("%1: cannot read the model file").arg(path) };

    QStringList warnings;
    auto spec = loadSidecar(path, &warnings);
    if (!spec)
        return Error { spec.error() };

    const RuntimeInfo runtime = detail::chooseRuntime(device, threads);
    qCInfo(lcModels).noquote() << QStringLiteral("loading %1 on %2 with %3 threads (LibTorch %4)")
                                      .arg(path, runtime.device)
                                      .arg(runtime.threads)
                                      .arg(runtime.torchVersion);
    if (!spec->builtin.isEmpty())
        return detail::loadBuiltinClassifier(path, spec.value(), modelHash, runtime);
    return detail::loadTorchScriptClassifier(path, spec.value(), modelHash, warnings, runtime);
}

} // namespace ntt
