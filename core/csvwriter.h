#pragma once

#include <QIODevice>
#include <QString>
#include <QStringList>

namespace ntt {

/// Writes RFC 4180 CSV in UTF-8: fields with commas, quotes or line breaks are quoted, quotes doubled,
/// rows end in CRLF. pandas.read_csv and R's read.csv read it with no options.
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
