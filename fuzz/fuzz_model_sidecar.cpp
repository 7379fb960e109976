// libFuzzer target: a model's sidecar (MODEL.json beside MODEL.pt). Any bytes give a spec or an error
// naming the origin; a spec that parses survives writing and reading back.
#include "models/modelspec.h"

#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const QByteArray json(reinterpret_cast<const char*>(data), static_cast<qsizetype>(size));
    const auto parsed = ntt::parseModelSpec(json, QStringLiteral("fuzz.json"));
    if (!parsed) {
        if (parsed.error().isEmpty())
            std::abort();
        return 0;
    }
    const auto again = ntt::parseModelSpec(ntt::modelSpecToJson(parsed.value()), QStringLiteral("again"));
    if (!again || ntt::modelSpecToJson(again.value()) != ntt::modelSpecToJson(parsed.value()))
        std::abort();
    return 0;
}
