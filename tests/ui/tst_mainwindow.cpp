#include "../common/demostudyfile.h"
#include "browsermodels.h"
#include "camview.h"
#include "dashboard.h"
#include "errorbrowser.h"
#include "mainwindow.h"
#include "modelspanel.h"
#include "participantwindow.h"
#include "qcustomplot_wrapper.h"

#include <QLabel>
#include <QListView>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QProcess>
#include <QPushButton>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QtTest>

using namespace ntt;

// The researcher's console on the synthetic demo: created on a worker thread, labelled synthetic,
// pool and audit shown, and a session started from it lands in the sessions table.
class Test_mainwindow : public QObject
{
    Q_OBJECT

private:
    /// Shows the window at `size` on the demo made in `dir`; true once it is open.
    static bool showDemo(MainWindow& window, const QTemporaryDir& dir, QSize size)
    {
        window.resize(size);
        window.show();
        QSignalSpy ready(&window, &MainWindow::demoReady);
        QSignalSpy progress(&window, &MainWindow::demoProgressed);
        window.openDemo(dir.filePath(QStringLiteral("demo")));
        return waitWhileProgressing(ready, progress);
    }

    /// Waits for `done` as long as `progress` keeps arriving: the demo trains models, 35 s alone and
    /// minutes beside other test programs on two cores, so no clock bound fits every machine; a demo
    /// that reports nothing for two minutes is stuck.
    static bool waitWhileProgressing(QSignalSpy& done, QSignalSpy& progress)
    {
        constexpr int kStallMs = 120000;
        qsizetype seen = progress.count();
        while (done.isEmpty()) {
            if (done.wait(kStallMs))
                break;
            if (progress.count() == seen) {
                qWarning() << "no progress for" << kStallMs / 1000
                           << "s; last step:" << (seen > 0 ? progress.last().at(1).toString() : QStringLiteral("none"));
                return false;
            }
            seen = progress.count();
        }
        return true;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QCoreApplication::setOrganizationName(QStringLiteral("NameThatTrueTests"));
        QStandardPaths::setTestModeEnabled(true);
    }

    void opensTheDemoStudy()
    {
        QTemporaryDir dir;
        MainWindow window;
        QVERIFY(showDemo(window, dir, QSize(1100, 720)));
        QVERIFY(window.database());

        const auto* banner = window.findChild<QLabel*>();
        bool labelled = false;
        for (const QLabel* label : window.findChildren<QLabel*>())
            labelled = labelled || (label->isVisible() && label->text().contains(QStringLiteral("SYNTHETIC")));
        QVERIFY2(labelled, "the demo is not labelled synthetic");
        Q_UNUSED(banner);

        auto* pool = window.tabs()->widget(0)->findChild<QTableWidget*>();
        QVERIFY(pool);
        QCOMPARE(pool->rowCount(), 4); // real, two generators... and the total row
        QStringList sources;
        for (int r = 0; r < pool->rowCount(); ++r)
            sources << pool->item(r, 0)->text();
        QVERIFY2(sources.contains(QStringLiteral("real (real)")), qPrintable(sources.join(QLatin1Char(','))));
        const QString total = pool->item(pool->rowCount() - 1, pool->columnCount() - 1)->text();
        QCOMPARE(total.toInt(), int(window.database()->poolImages()->size()));
        auto* audit = window.tabs()->widget(0)->findChild<QPlainTextEdit*>();
        QVERIFY(audit && !audit->toPlainText().isEmpty());

        auto* studies = window.tabs()->widget(1)->findChild<QListWidget*>();
        // The Name-That-True study first, then the real-or-fake, which-source, which-category and
        // brief-exposure parts.
        QCOMPARE(studies->count(), 5);
        for (int i = 0; i < studies->count(); ++i)
            QVERIFY(studies->item(i)->text().contains(QStringLiteral("synthetic"), Qt::CaseInsensitive));
        QVERIFY2(
            studies->item(1)->text().contains(QStringLiteral("Real or fake")), qPrintable(studies->item(1)->text()));
        QVERIFY2(
            studies->item(2)->text().contains(QStringLiteral("Which generator")), qPrintable(studies->item(2)->text()));
        QVERIFY2(
            studies->item(4)->text().contains(QStringLiteral("Brief exposure")), qPrintable(studies->item(4)->text()));

        // The demo's trained baseline is on the Models tab with its accuracies on the study.
        ModelsPanel* models = window.modelsPanel();
        QCOMPARE(window.tabs()->indexOf(models), 3);
        QCOMPARE(window.tabs()->tabText(3), QStringLiteral("Models"));
        // The baseline detector, and the source and category CNNs of the demo's other parts.
        QCOMPARE(models->modelTable()->rowCount(), 3);
        QString modelRow;
        for (int c = 0; c < models->modelTable()->columnCount(); ++c) {
            if (const QTableWidgetItem* it = models->modelTable()->item(0, c))
                modelRow += it->text() + QLatin1Char('|');
        }
        QVERIFY2(modelRow.contains(QStringLiteral("Baseline CNN (demo)")), qPrintable(modelRow));
        models->modelTable()->selectRow(0);
        QVERIFY(models->runButton()->isEnabled());

        // A session started from the console shows up as open, then with its answers.
        ParticipantWindow* participant = window.startSession(studies->item(0)->data(Qt::UserRole).toLongLong(),
            QStringLiteral("P-CONSOLE"), QStringLiteral("test"), nullptr);
        QVERIFY(participant);
        QVERIFY(QTest::qWaitForWindowExposed(participant));
        // The demo brings twelve simulated participants; the new session comes last.
        auto* sessions = window.tabs()->widget(2)->findChild<QTableWidget*>();
        QCOMPARE(sessions->rowCount(), 13);
        const int row = 12;
        QCOMPARE(sessions->item(1, 5)->text(), QStringLiteral("yes"));
        QCOMPARE(sessions->item(row, 1)->text(), QStringLiteral("P-CONSOLE"));
        QCOMPARE(sessions->item(row, 2)->text(), QStringLiteral("open"));
        QVERIFY2(!models->runButton()->isEnabled(), "model runs must wait while a participant session runs");
        for (int i = 0; i < 5 && participant->currentScreen().kind != ScreenKind::Trial; ++i) {
            const bool consent = participant->currentScreen().kind == ScreenKind::Consent;
            QTest::keyClick(participant, consent ? Qt::Key_Y : Qt::Key_Space);
        }
        QCOMPARE(participant->currentScreen().kind, ScreenKind::Trial);
        QVERIFY(QTest::qWaitFor([&] { return participant->stimulusShown(); }, 10000));
        QTest::keyClick(participant, Qt::Key_1);
        QTRY_VERIFY(sessions->item(row, 3)->text().startsWith(QStringLiteral("1 /")));
        participant->setExitConfirmation([](bool) { return ParticipantWindow::ExitChoice::Abort; });
        QTest::keyClick(participant, Qt::Key_Q, Qt::ControlModifier | Qt::ShiftModifier);
        QTRY_COMPARE(sessions->item(row, 2)->text(), QStringLiteral("aborted"));
        QTRY_VERIFY(models->runButton()->isEnabled());

        // Opening the same demo folder again reuses it.
        QSignalSpy again(&window, &MainWindow::demoReady);
        QSignalSpy againProgress(&window, &MainWindow::demoProgressed);
        window.openDemo(dir.filePath(QStringLiteral("demo")));
        QVERIFY(waitWhileProgressing(again, againProgress));
        QCOMPARE(window.tabs()->widget(1)->findChild<QListWidget*>()->count(), 5);
    }

    // From the dashboard's bar to the images behind it, one image's detail, and back.
    void dashboardBarBrowserDetailAndBack()
    {
        QTemporaryDir dir;
        MainWindow window;
        QVERIFY(showDemo(window, dir, QSize(1400, 900)));
        Dashboard* dashboard = window.dashboard();
        window.tabs()->setCurrentWidget(dashboard);
        QTRY_VERIFY_WITH_TIMEOUT(
            !dashboard->isLoading() && dashboard->plot(Dashboard::Plot::Categories)->plottableCount() > 0, 60000);
        ErrorBrowser* browser = window.errorBrowser();
        QTRY_VERIFY_WITH_TIMEOUT(!browser->isLoading() && browser->data(), 60000);

        // The demo's simulated participants are shown, with the model beside them.
        QVERIFY(dashboard->includeSimulatedBox()->isChecked());
        QCustomPlot* plot = dashboard->plot(Dashboard::Plot::Categories);
        plot->replot();
        QCPBars* people = nullptr;
        for (int i = 0; i < plot->plottableCount() && !people; ++i)
            people = qobject_cast<QCPBars*>(plot->plottable(i));
        QVERIFY(people);
        const double value = people->data()->at(0)->value;
        const QPoint inside(qRound(people->dataPixelPosition(0).x()), qRound(plot->yAxis->coordToPixel(value / 2)));
        const QList<qint64> behind = dashboard->imagesBehind(Dashboard::Plot::Categories, 0);
        QVERIFY(!behind.isEmpty());
        QTest::mouseClick(plot, Qt::LeftButton, {}, inside);

        // The error browser opens on exactly those images.
        QCOMPARE(window.tabs()->currentWidget(), browser);
        std::vector<qint64> expected(behind.begin(), behind.end());
        std::sort(expected.begin(), expected.end());
        QCOMPARE(browser->gridModel()->imageIds(), expected);
        const QString group = dashboard->groups(Dashboard::Plot::Categories).front();
        QVERIFY2(browser->selectionTitle().startsWith(QStringLiteral("Category %1").arg(group)),
            qPrintable(browser->selectionTitle()));
        for (qint64 id : browser->gridModel()->imageIds()) {
            const BrowserImage* b = nullptr;
            for (const BrowserImage& i : *browser->data()->images)
                b = i.image.id == id ? &i : b;
            QCOMPARE(b->image.category, group);
        }

        // Enter opens the first image's detail with the model's overlay.
        browser->grid()->setFocus();
        browser->grid()->setCurrentIndex(browser->gridModel()->index(0));
        QTest::keyClick(browser->grid(), Qt::Key_Return);
        auto* detail = browser->findChild<ImageDetailDialog*>();
        QVERIFY(detail && detail->isVisible());
        QVERIFY(detail->summaryText().contains(QStringLiteral("#%1").arg(expected.front())));
        QVERIFY(detail->summaryText().contains(QStringLiteral("Baseline CNN (demo): P(real)")));
        // One overlay per model that judged the image (the demo's three share its pool), the baseline first.
        QTRY_VERIFY_WITH_TIMEOUT(
            !detail->camView()->overlayCaptions().isEmpty() && !detail->camView()->isBusy(), 60000);
        QVERIFY2(
            detail->camView()->overlayCaptions().front().startsWith(QStringLiteral("Baseline CNN (demo) · Grad-CAM")),
            qPrintable(detail->camView()->overlayCaptions().join(QLatin1Char('|'))));

        // The summary tables from the File menu's action, on a worker, with the dashboard's options.
        QSignalSpy exported(&window, &MainWindow::exported);
        window.exportStudyFiles(MainWindow::ExportKind::Summaries, dir.path());
        QVERIFY(exported.wait(60000));
        QCOMPARE(exported.front().front().toStringList().size(), int(allSummaryTables().size()));
        QVERIFY(QFileInfo::exists(dir.filePath(QStringLiteral("categories.csv"))));

        // Esc closes it: the browser is where it was; the researcher goes back to the dashboard.
        QTest::keyClick(detail, Qt::Key_Escape);
        QTRY_VERIFY(
            !browser->findChild<ImageDetailDialog*>() || !browser->findChild<ImageDetailDialog*>()->isVisible());
        QCOMPARE(browser->gridModel()->imageIds(), expected);
        window.tabs()->setCurrentWidget(dashboard);
        QVERIFY(dashboard->isVisible());
    }

    // Another station answering in the same study shows up here without anyone pressing a key.
    void followsOtherStations()
    {
        QTemporaryDir dir;
        QString file;
        {
            const auto made = testing::demoStudyFile(dir.path(), 3, 32, QStringLiteral("watched"));
            QVERIFY2(made.ok(), qPrintable(made.error()));
            file = made->path;
        }
        MainWindow window;
        window.show();
        QVERIFY(window.openStudyFile(file));
        QTableWidget* sessions = nullptr;
        for (QTableWidget* table : window.findChildren<QTableWidget*>())
            sessions = table->columnCount() == 8 ? table : sessions; // the sessions table has 8 columns
        QVERIFY(sessions);
        QCOMPARE(sessions->rowCount(), 0);
        QTest::qWait(2500); // the first poll records the starting point
        QProcess station;
        station.start(QStringLiteral(NTT_NTT_EXECUTABLE),
            { QStringLiteral("session"), QStringLiteral("simulate"), QStringLiteral("--db"), file,
                QStringLiteral("--participants"), QStringLiteral("2"), QStringLiteral("--station"),
                QStringLiteral("cubicle-2") });
        QVERIFY(station.waitForFinished(60000));
        QCOMPARE(station.exitCode(), 0);
        QTRY_COMPARE_WITH_TIMEOUT(sessions->rowCount(), 2, 10000);
        QCOMPARE(sessions->item(0, 4)->text(), QStringLiteral("cubicle-2"));
    }

    void refusesAFileThatIsNotAStudy()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("notes.ntt"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(QByteArray("these are notes, not a study file\n").repeated(30));
        f.close();
        MainWindow window;
        // The message box would block: close it as soon as it appears.
        QTimer::singleShot(200, [] {
            if (QWidget* box = QApplication::activeModalWidget())
                box->close();
        });
        QVERIFY(!window.openStudyFile(path));
        QVERIFY(!window.database());
    }
};

QTEST_MAIN(Test_mainwindow)
#include "tst_mainwindow.moc"
