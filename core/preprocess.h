#pragma once

#include "classifier.h"
#include "result.h"

#include <QString>

namespace ntt {

/// Decodes an image file and turns it into a network input by the spec: resize (and centre-crop),
/// BGR to the spec's channel order, 0..1, mean/std. Safe on any thread. Errors name the file.
Result<PreparedImage> prepareImageFile(const QString& path, const InputSpec& input);

} // namespace ntt
