#pragma once

#include <QString>

namespace ntt {

/// Every persistent GUI setting, typed, in one place. Core code never reads settings: it gets plain structs.
class AppSettings final
{
public:
    static QString lastStudyFile();
    static void setLastStudyFile(const QString& path);
    /// The last server study's address (postgresql://USER@HOST[:PORT]/DATABASE, never with a password).
    static QString lastServerStudy();
    static void setLastServerStudy(const QString& address);
    /// Name recorded with each session; defaults to the machine's host name.
    static QString stationName();
    static void setStationName(const QString& name);
    /// CSV exports start with the UTF-8 byte-order mark Excel needs (off by default).
    static bool csvForExcel();
    static void setCsvForExcel(bool excel);
};

} // namespace ntt
