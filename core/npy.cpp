#include "npy.h"

#include <QCoreApplication>
#include <QFile>
#include <QSaveFile>
#include <QtEndian>

#include <opencv2/core/mat.hpp>

#include <algorithm>
#include <limits>

namespace ntt {
namespace {

class Text
{
    Q_DECLARE_TR_FUNCTIONS(ntt::Npy)
};

const QByteArray kMagic = QByteArrayLiteral("\x93NUMPY");
constexpr int kAlign = 64; // numpy's ARRAY_ALIGN: the data starts at a multiple of this
constexpr int kGrowthAxisMaxDigits = 21; // numpy's GROWTH_AXIS_MAX_DIGITS, spare room in the header

// Python's repr of a shape tuple: "()", "(5,)", "(3, 5)".
QByteArray shapeRepr(const std::vector<qint64>& shape)
{
    QByteArray out = "(";
    for (std::size_t i = 0; i < shape.size(); ++i) {
        if (i > 0)
            out += ", ";
        out += QByteArray::number(shape[i]);
    }
    if (shape.size() == 1)
        out += ',';
    return out + ')';
}

QString shapeText(const std::vector<qint64>& shape)
{
    return QString::fromLatin1(shapeRepr(shape));
}

// The header numpy's format._write_array_header writes: the dict with sorted keys, spare spaces for
// the first axis to grow in place, padding so magic + version + length + header is a multiple of
// 64, and a final newline.
QByteArray npyPreamble(const std::vector<qint64>& shape)
{
    QByteArray dict = "{'descr': '<f4', 'fortran_order': False, 'shape': " + shapeRepr(shape) + ", }";
    if (!shape.empty())
        dict += QByteArray(kGrowthAxisMaxDigits - QByteArray::number(shape.front()).size(), ' ');
    const auto padded = [&dict](int lengthSize) -> QByteArray {
        const int padding = kAlign - int((kMagic.size() + 2 + lengthSize + dict.size() + 1) % kAlign);
        return dict + QByteArray(padding, ' ') + '\n';
    };
    // Like numpy: version 1.0 unless the header does not fit its 16-bit length.
    QByteArray header = padded(2);
    const bool version1 = header.size() <= 0xffff;
    if (!version1)
        header = padded(4);

    QByteArray out = kMagic;
    out += char(version1 ? 1 : 2);
    out += char(0);
    if (version1) {
        const quint16 length = qToLittleEndian(quint16(header.size()));
        out.append(reinterpret_cast<const char*>(&length), sizeof length);
    } else {
        const quint32 length = qToLittleEndian(quint32(header.size()));
        out.append(reinterpret_cast<const char*>(&length), sizeof length);
    }
    return out + header;
}

// A reader for the Python literal numpy writes as the header: a dict of strings, booleans and
// tuples of integers. Anything else (a structured dtype's list, say) is reported, not guessed at.
class HeaderParser
{
public:
    explicit HeaderParser(const QByteArray& text)
        : m_text(text)
    { }

    struct Value
    {
        enum class Kind { String, Bool, Tuple } kind = Kind::String;
        QByteArray string;
        bool boolean = false;
        std::vector<qint64> tuple;
    };

    // Fills `entries` with the dict's items; false with `m_error` set when the text is not such a dict.
    bool parseDict(std::vector<std::pair<QByteArray, Value>>& entries)
    {
        if (!expect('{'))
            return false;
        while (true) {
            skipSpace();
            if (peek() == '}') {
                ++m_pos;
                break;
            }
            QByteArray key;
            Value value;
            if (!parseString(key) || !expect(':') || !parseValue(value))
                return false;
            entries.emplace_back(key, value);
            skipSpace();
            if (peek() == ',')
                ++m_pos;
            else if (peek() != '}')
                return fail("expected ',' or '}'");
        }
        skipSpace();
        if (m_pos != m_text.size())
            return fail("unexpected text after the dict");
        return true;
    }

    QString error() const { return m_error; }

private:
    char peek() const { return m_pos < m_text.size() ? m_text.at(m_pos) : '\0'; }

    void skipSpace()
    {
        while (m_pos < m_text.size() && (m_text.at(m_pos) == ' ' || m_text.at(m_pos) == '\n'))
            ++m_pos;
    }

    bool fail(const char* what)
    {
        m_error = Text::tr("malformed header (%1 at character %2)").arg(QLatin1String(what)).arg(m_pos);
        return false;
    }

    bool expect(char c)
    {
        skipSpace();
        if (peek() != c)
            return fail(c == '{' ? "expected '{'" : c == ':' ? "expected ':'" : "expected ')'");
        ++m_pos;
        return true;
    }

    bool parseString(QByteArray& out)
    {
        skipSpace();
        const char quote = peek();
        if (quote != '\'' && quote != '"')
            return fail("expected a quoted string");
        const qsizetype end = m_text.indexOf(quote, m_pos + 1);
        if (end < 0)
            return fail("unterminated string");
        out = m_text.mid(m_pos + 1, end - m_pos - 1);
        m_pos = end + 1;
        return true;
    }

    bool parseInteger(qint64& out)
    {
        skipSpace();
        const qsizetype start = m_pos;
        while (m_pos < m_text.size() && m_text.at(m_pos) >= '0' && m_text.at(m_pos) <= '9')
            ++m_pos;
        bool ok = false;
        out = m_text.mid(start, m_pos - start).toLongLong(&ok);
        if (!ok)
            return fail("expected a non-negative integer");
        if (peek() == 'L') // Python 2 wrote long integers with a suffix
            ++m_pos;
        return true;
    }

    bool parseValue(Value& out)
    {
        skipSpace();
        const char c = peek();
        if (c == '\'' || c == '"') {
            out.kind = Value::Kind::String;
            return parseString(out.string);
        }
        if (m_text.mid(m_pos, 4) == "True" || m_text.mid(m_pos, 5) == "False") {
            out.kind = Value::Kind::Bool;
            out.boolean = c == 'T';
            m_pos += out.boolean ? 4 : 5;
            return true;
        }
        if (c != '(')
            return fail("expected a string, True, False or a tuple");
        ++m_pos;
        out.kind = Value::Kind::Tuple;
        while (true) {
            skipSpace();
            if (peek() == ')') {
                ++m_pos;
                return true;
            }
            qint64 n = 0;
            if (!parseInteger(n))
                return false;
            out.tuple.push_back(n);
            skipSpace();
            if (peek() == ',')
                ++m_pos;
            else if (peek() != ')')
                return expect(')');
        }
    }

    const QByteArray m_text;
    qsizetype m_pos = 0;
    QString m_error;
};

// The shape of a '<f4', C-order header; an error message (without the file name) otherwise.
Result<std::vector<qint64>> shapeFromHeader(const QByteArray& header)
{
    HeaderParser parser(header);
    std::vector<std::pair<QByteArray, HeaderParser::Value>> entries;
    if (!parser.parseDict(entries))
        return Error { parser.error() };
    const HeaderParser::Value* descr = nullptr;
    const HeaderParser::Value* fortranOrder = nullptr;
    const HeaderParser::Value* shape = nullptr;
    for (const auto& [key, value] : entries) {
        if (key == "descr")
            descr = &value;
        else if (key == "fortran_order")
            fortranOrder = &value;
        else if (key == "shape")
            shape = &value;
        else
            return Error { Text::tr("unexpected header key '%1'").arg(QString::fromLatin1(key)) };
    }
    if (!descr || !fortranOrder || !shape)
        return Error { Text::tr("the header lacks '%1'")
                           .arg(QLatin1String(!descr ? "descr"
                                   : !fortranOrder   ? "fortran_order"
                                                     : "shape")) };
    if (descr->kind != HeaderParser::Value::Kind::String)
        return Error { Text::tr("dtype is structured; only '<f4' (little-endian float32) is read") };
    if (descr->string != "<f4")
        return Error {
            Text::tr("dtype '%1' is not '<f4' (little-endian float32)").arg(QString::fromLatin1(descr->string))
        };
    if (fortranOrder->kind != HeaderParser::Value::Kind::Bool)
        return Error { Text::tr("fortran_order is not True or False") };
    if (fortranOrder->boolean)
        return Error { Text::tr("the array is in Fortran order; only C order is read") };
    if (shape->kind != HeaderParser::Value::Kind::Tuple)
        return Error { Text::tr("shape is not a tuple") };
    return shape->tuple;
}

} // namespace

Status writeNpyFloat32(const QString& path, const float* data, const std::vector<qint64>& shape)
{
    qint64 count = 1;
    for (qint64 n : shape) {
        if (n < 0)
            return Error { Text::tr("%1: shape %2 has a negative size").arg(path, shapeText(shape)) };
        if (n > 0 && count > std::numeric_limits<qint64>::max() / qint64(sizeof(float)) / n)
            return Error { Text::tr("%1: shape %2 is too large").arg(path, shapeText(shape)) };
        count *= n;
    }
    if (count > 0 && !data)
        return Error { Text::tr("%1: no data for shape %2").arg(path, shapeText(shape)) };

    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return Error { Text::tr("%1: cannot write (%2)").arg(path, file.errorString()) };
    const QByteArray preamble = npyPreamble(shape);
    bool ok = file.write(preamble) == preamble.size();
    // In slices, so a byte-swapped copy on a big-endian host stays small.
    constexpr qint64 kSlice = 1 << 16;
    std::vector<float> little(std::size_t(std::min(count, kSlice)));
    for (qint64 done = 0; ok && done < count; done += kSlice) {
        const qint64 n = std::min(kSlice, count - done);
        qToLittleEndian<float>(data + done, n, little.data());
        const qint64 bytes = n * qint64(sizeof(float));
        ok = file.write(reinterpret_cast<const char*>(little.data()), bytes) == bytes;
    }
    if (!ok || !file.commit())
        return Error { Text::tr("%1: cannot write (%2)").arg(path, file.errorString()) };
    return {};
}

Status writeNpyFloat32(const QString& path, const cv::Mat& matrix)
{
    if (matrix.empty())
        return Error { Text::tr("%1: the matrix to write is empty").arg(path) };
    if (matrix.type() != CV_32FC1)
        return Error {
            Text::tr("%1: the matrix is not single-channel float32 (OpenCV type %2)").arg(path).arg(matrix.type())
        };
    std::vector<qint64> shape;
    for (int i = 0; i < matrix.dims; ++i)
        shape.push_back(matrix.size[i]);
    const cv::Mat continuous = matrix.isContinuous() ? matrix : matrix.clone();
    return writeNpyFloat32(path, continuous.ptr<float>(), shape);
}

Result<NpyArray> readNpyFloat32(const QString& path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return Error { Text::tr("%1: cannot read (%2)").arg(path, file.errorString()) };
    const QByteArray bytes = file.readAll();
    if (bytes.size() < kMagic.size() + 2 || !bytes.startsWith(kMagic))
        return Error { Text::tr("%1: not a NumPy .npy file (no \\x93NUMPY magic)").arg(path) };
    const int major = quint8(bytes.at(kMagic.size()));
    const int minor = quint8(bytes.at(kMagic.size() + 1));
    if ((major != 1 && major != 2) || minor != 0)
        return Error {
            Text::tr("%1: .npy format version %2.%3 is not supported (1.0 and 2.0 are)").arg(path).arg(major).arg(minor)
        };
    const int lengthSize = major == 1 ? 2 : 4;
    const qsizetype lengthAt = kMagic.size() + 2;
    if (bytes.size() < lengthAt + lengthSize)
        return Error { Text::tr("%1: truncated .npy header").arg(path) };
    const qint64 headerLength = major == 1 ? qFromLittleEndian<quint16>(bytes.constData() + lengthAt)
                                           : qFromLittleEndian<quint32>(bytes.constData() + lengthAt);
    const qint64 dataAt = lengthAt + lengthSize + headerLength;
    if (bytes.size() < dataAt)
        return Error { Text::tr("%1: truncated .npy header (%2 bytes announced, %3 present)")
                           .arg(path)
                           .arg(headerLength)
                           .arg(bytes.size() - lengthAt - lengthSize) };

    Result<std::vector<qint64>> shape = shapeFromHeader(bytes.mid(lengthAt + lengthSize, headerLength));
    if (!shape)
        return Error { Text::tr("%1: %2").arg(path, shape.error()) };
    const qint64 available = bytes.size() - dataAt;
    qint64 count = 1;
    for (qint64 n : shape.value()) {
        if (n > 0 && count > available / qint64(sizeof(float)) / n) {
            count = -1; // more than the file holds; reported below
            break;
        }
        count *= n;
    }
    if (count < 0 || count * qint64(sizeof(float)) != available)
        return Error { Text::tr("%1: %2 data bytes, but shape %3 of float32 needs %4")
                           .arg(path)
                           .arg(available)
                           .arg(shapeText(shape.value()))
                           .arg(count < 0 ? Text::tr("more") : QString::number(count * qint64(sizeof(float)))) };

    NpyArray array;
    array.shape = std::move(shape).value();
    array.data.resize(std::size_t(count));
    if (count > 0)
        qFromLittleEndian<float>(bytes.constData() + dataAt, count, array.data.data());
    return array;
}

} // namespace ntt
