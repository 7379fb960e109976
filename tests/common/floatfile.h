#pragma once

#include <QByteArray>
#include <QFile>
#include <QString>
#include <QtEndian>

#include <cstring>
#include <vector>

namespace ntt::testing {

/// A fixture's .bin file written by the Python scripts of tests/data: float32, little-endian, C
/// order. Empty when the file cannot be read.
inline std::vector<float> readFloats(const QString& path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    const QByteArray bytes = file.readAll();
    std::vector<float> values(static_cast<std::size_t>(bytes.size()) / 4);
    for (std::size_t i = 0; i < values.size(); ++i) {
        const quint32 bits = qFromLittleEndian<quint32>(bytes.constData() + 4 * i);
        std::memcpy(&values[i], &bits, 4);
    }
    return values;
}

} // namespace ntt::testing
