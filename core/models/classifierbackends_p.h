#pragma once

// Private to core: the two classifier backends behind loadClassifier(). Torch-free on purpose, so
// that only the backends' own .cpp files pay for Torch headers.

#include "models/classifier.h"

namespace ntt::detail {

/// The device and thread count to run on, applied to LibTorch (set_num_threads), and recorded.
RuntimeInfo chooseRuntime(DevicePreference device, int threads);

Result<std::unique_ptr<Classifier>> loadTorchScriptClassifier(const QString& path, const ModelSpec& spec,
    const QString& modelHash, const QStringList& warnings, const RuntimeInfo& runtime);

Result<std::unique_ptr<Classifier>> loadBuiltinClassifier(
    const QString& path, const ModelSpec& spec, const QString& modelHash, const RuntimeInfo& runtime);

} // namespace ntt::detail
