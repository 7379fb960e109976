#include "settings.h"

#include <QSettings>
#include <QSysInfo>

namespace ntt {

namespace {
const QString kLastStudyFile = QStringLiteral("files/lastStudyFile");
const QString kStationName = QStringLiteral("session/stationName");
const QString kLastServerStudy = QStringLiteral("files/lastServerStudy");
const QString kCsvForExcel = QStringLiteral("files/csvForExcel");
} // namespace

QString AppSettings::lastStudyFile()
{
    return QSettings().value(kLastStudyFile).toString();
}
void AppSettings::setLastStudyFile(const QString& path)
{
    QSettings().setValue(kLastStudyFile, path);
}
QString AppSettings::lastServerStudy()
{
    return QSettings().value(kLastServerStudy).toString();
}
void AppSettings::setLastServerStudy(const QString& address)
{
    QSettings().setValue(kLastServerStudy, address);
}
QString AppSettings::stationName()
{
    return QSettings().value(kStationName, QSysInfo::machineHostName()).toString();
}
void AppSettings::setStationName(const QString& name)
{
    QSettings().setValue(kStationName, name);
}
bool AppSettings::csvForExcel()
{
    return QSettings().value(kCsvForExcel, false).toBool();
}
void AppSettings::setCsvForExcel(bool excel)
{
    QSettings().setValue(kCsvForExcel, excel);
}

} // namespace ntt
