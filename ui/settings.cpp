#include "settings.h"

#include <QSettings>
#include <QSysInfo>

namespace ntt {

namespace {
const QString kLastStudyFile = QStringLiteral("files/lastStudyFile");
const QString kStationName = QStringLiteral("session/stationName");
} // namespace

QString AppSettings::lastStudyFile()
{
    return QSettings().value(kLastStudyFile).toString();
}
void AppSettings::setLastStudyFile(const QString& path)
{
    QSettings().setValue(kLastStudyFile, path);
}
QString AppSettings::stationName()
{
    return QSettings().value(kStationName, QSysInfo::machineHostName()).toString();
}
void AppSettings::setStationName(const QString& name)
{
    QSettings().setValue(kStationName, name);
}

} // namespace ntt
