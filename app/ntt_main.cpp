#include "commandline.h"

#include <QCoreApplication>

int main(int argc, char* argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("ntt"));
    QCoreApplication::setOrganizationName(QStringLiteral("NameThatTrue"));
    QCoreApplication::setApplicationVersion(QStringLiteral(NTT_VERSION));
    QStringList arguments = QCoreApplication::arguments();
    arguments.removeFirst();
    return ntt::runCommandLine(arguments);
}
