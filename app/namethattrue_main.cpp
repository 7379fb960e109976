#include "mainwindow.h"
#include "settings.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QFileInfo>
#include <QTabWidget>
#include <QTimer>

#include <cstdio>

namespace {

// Qt aborts with a terse message when it cannot reach a display; say plainly what is missing first.
bool displayAvailable()
{
    const QByteArray platform = qgetenv("QT_QPA_PLATFORM");
    if (!platform.isEmpty())
        return true;
    return !qEnvironmentVariableIsEmpty("DISPLAY") || !qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY");
}

// --version and --help print and quit: they need no display.
bool printsOnly(int argc, char* argv[])
{
    for (int i = 1; i < argc; ++i) {
        const QByteArray a(argv[i]);
        if (a == "--version" || a == "-v" || a == "--help" || a == "-h" || a == "--help-all")
            return true;
    }
    return false;
}

} // namespace

int main(int argc, char* argv[])
{
    if (!displayAvailable() && printsOnly(argc, argv))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    if (!displayAvailable()) {
        std::fprintf(stderr,
            "namethattrue: no display found (neither DISPLAY nor WAYLAND_DISPLAY is set).\n"
            "Run it on a desktop session, under Xvfb (xvfb-run namethattrue ...), or use the command line `ntt`,\n"
            "which needs no display.\n");
        return 1;
    }
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("NameThatTrue"));
    QApplication::setOrganizationName(QStringLiteral("NameThatTrue"));
    QApplication::setApplicationVersion(QStringLiteral(NTT_VERSION));

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("NameThatTrue: human-vs-classifier studies on AI-generated images."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addOption({ QStringLiteral("demo"),
        QStringLiteral("Create the synthetic demo study in <dir> if it is not there, and open it."),
        QStringLiteral("dir") });
    parser.addOption({ QStringLiteral("screenshot"),
        QStringLiteral("Save a PNG of the main window to <file> once it is shown, then quit (for docs and checks)."),
        QStringLiteral("file") });
    parser.addOption({ QStringLiteral("tab"),
        QStringLiteral("Open on the tab named <name> (pool, studies, sessions, models, attention, dashboard, errors)."),
        QStringLiteral("name") });
    parser.addPositionalArgument(QStringLiteral("study-file"), QStringLiteral("Study file (.ntt) to open."));
    parser.process(app);

    ntt::MainWindow window;
    window.show();
    if (parser.isSet(QStringLiteral("tab"))) {
        const QString wanted = parser.value(QStringLiteral("tab"));
        int index = -1;
        QStringList names;
        for (int i = 0; i < window.tabs()->count(); ++i) {
            const QString name = window.tabs()->tabText(i).remove(QLatin1Char('&'));
            names << name.toLower();
            if (name.compare(wanted, Qt::CaseInsensitive) == 0)
                index = i;
        }
        if (index < 0) {
            std::fprintf(stderr, "namethattrue: --tab \"%s\" is not one of: %s\n", qPrintable(wanted),
                qPrintable(names.join(QStringLiteral(", "))));
            return 2;
        }
        window.tabs()->setCurrentIndex(index);
    }

    const QString screenshot = parser.value(QStringLiteral("screenshot"));
    auto takeScreenshot = [&window, screenshot] {
        if (screenshot.isEmpty())
            return;
        QTimer::singleShot(500, &window, [&window, screenshot] {
            const bool saved = window.grab().save(screenshot);
            std::fprintf(stderr, saved ? "namethattrue: screenshot saved to %s\n" : "namethattrue: cannot write %s\n",
                qPrintable(screenshot));
            QApplication::exit(saved ? 0 : 1);
        });
    };

    if (parser.isSet(QStringLiteral("demo"))) {
        QObject::connect(&window, &ntt::MainWindow::demoReady, &window, takeScreenshot);
        window.openDemo(parser.value(QStringLiteral("demo")));
    } else {
        QString file = parser.positionalArguments().value(0);
        if (file.isEmpty() && QFileInfo::exists(ntt::AppSettings::lastStudyFile()))
            file = ntt::AppSettings::lastStudyFile();
        if (!file.isEmpty() && window.openStudyFile(file) && screenshot.isEmpty())
            QTimer::singleShot(0, &window, &ntt::MainWindow::offerResume);
        takeScreenshot();
    }
    return app.exec();
}
