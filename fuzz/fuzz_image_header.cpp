// libFuzzer target: the image header inspector that every imported file goes through (format, pixel
// size as displayed, EXIF orientation, JPEG quality, alpha, trailing data). Any bytes give a
// description or an error, never a crash or a read outside the data.
#include "pool/imagefileinfo.h"

#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const QByteArrayView bytes(reinterpret_cast<const char*>(data), static_cast<qsizetype>(size));
    const auto info = ntt::inspectImageData(bytes);
    if (!info && info.error().isEmpty())
        std::abort();
    if (info && (info->width < 0 || info->height < 0))
        std::abort();
    return 0;
}
