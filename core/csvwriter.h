#pragma once

#include <QIODevice>
#include <QString>
#include <QStringList>

namespace ntt {

/// Writes RFC 4180 CSV in UTF-8: fields with commas, quotes or line breaks are quoted, quotes doubled,
/// rows end in CRLF. pandas.read_csv and R's read.csv read it with no options.
/// A number for a CSV: the shortest decimal text that reads back as exactly `v` (QLocale's
/// FloatingPointShortest, C locale: 0.1 stays "0.1", 1/3 gets its 16 or 17 digits, an exact 0 or 1
/// prints as "0" or "1"); empty for NaN and infinities.
QString csvNumber(double v);

class CsvWriter
{
public:
    explicit CsvWriter(QIODevice* device);

    void writeRow(const QStringList& fields);
    /// False once a write failed (disk full, closed device).
    bool ok() const { return m_ok; }

    static QString escape(const QString& field);

private:
    QIODevice* m_device;
    bool m_ok = true;
};

} // namespace ntt
