// libFuzzer target: a study definition as `ntt study create` and the study editor read it. Any bytes
// must give a definition or an error naming the origin, never a crash, a hang or undefined behaviour;
// a definition that parses and validates must survive writing and reading back.
#include "study/study.h"

#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const QByteArray json(reinterpret_cast<const char*>(data), static_cast<qsizetype>(size));
    const auto parsed = ntt::parseStudyDefinition(json, QStringLiteral("fuzz.json"));
    if (!parsed) {
        if (parsed.error().isEmpty())
            std::abort(); // every refusal says why
        return 0;
    }
    if (!ntt::validateStudyDefinition(parsed.value()))
        return 0;
    const auto again = ntt::parseStudyDefinition(ntt::studyDefinitionToJson(parsed.value()), QStringLiteral("again"));
    if (!again || ntt::studyDefinitionToJson(again.value()) != ntt::studyDefinitionToJson(parsed.value()))
        std::abort(); // what was written reads back the same
    return 0;
}
