#include "../common/demostudyfile.h"
#include "analysis/imageresults.h"
#include "browsermodels.h"
#include "camview.h"
#include "errorbrowser.h"

#include <QAbstractItemModelTester>
#include <QComboBox>
#include <QListView>
#include <QListWidget>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QtTest>

using namespace ntt;

// The error browser on a real study file: a two-way study over the demo pool, three scripted
// participants and the tiny traced TorchScript fixture, which has answered the study.
class Test_errorbrowser : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    testing::DemoStudyFile m_file;

    bool open(ErrorBrowser& browser)
    {
        browser.resize(1400, 900);
        browser.show();
        QSignalSpy loaded(&browser, &ErrorBrowser::loaded);
        browser.setStudy(m_file.db.get(), m_file.studyId);
        return loaded.wait(60000);
    }

    std::vector<qint64> shownIds(const ErrorBrowser& browser) const { return browser.gridModel()->imageIds(); }

private Q_SLOTS:
    void initTestCase()
    {
        auto file = testing::demoStudyFile(m_dir.filePath(QStringLiteral("study")), 4, 48,
            QStringLiteral("Errors 2-way"), QStringLiteral("tiny_traced"), QStringLiteral("tiny"));
        QVERIFY2(file.ok(), qPrintable(file.error()));
        m_file = std::move(file).value();
        const Status answered = testing::answerDemoStudy(m_file, 3, 11);
        QVERIFY2(answered.ok(), qPrintable(answered.error()));
    }

    void itemModelsAreConsistent()
    {
        ErrorBrowser browser;
        QVERIFY(open(browser));
        QAbstractItemModelTester groups(browser.groupModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QAbstractItemModelTester proxy(browser.groupProxy(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QAbstractItemModelTester grid(browser.gridModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        // Categories of the demo pool, with people's accuracy from the analysis.
        QCOMPARE(browser.groupModel()->rowCount(), 3);
        const Analysis& a = browser.data()->analysis.analysis;
        for (int r = 0; r < 3; ++r) {
            const QString category = browser.groupModel()->group(r);
            const AccuracyCell* people = Analysis::find(a.byCategory, peopleAgent(), category);
            QVERIFY(people);
            QCOMPARE(browser.groupModel()->index(r, 2).data(kSortRole).toDouble(), 100.0 * people->accuracy.estimate);
        }
        // Changes go through the testers: grouping, filters, sorts.
        browser.groupingBox()->setCurrentIndex(1);
        QCOMPARE(browser.groupModel()->rowCount(), 3); // real, checkerboard, upsampler
        browser.groupingBox()->setCurrentIndex(0);
        QVERIFY(browser.chooseGroup(QStringLiteral("disks")));
        browser.outcomeBox()->setCurrentIndex(4);
        browser.sortBox()->setCurrentIndex(3);
        // Sorting the table by the people column puts the lowest first.
        browser.groupTable()->sortByColumn(2, Qt::AscendingOrder);
        QVERIFY(browser.groupProxy()->index(0, 2).data(kSortRole).toDouble()
            <= browser.groupProxy()->index(2, 2).data(kSortRole).toDouble());
    }

    void outcomeFiltersShowTheRightImages()
    {
        ErrorBrowser browser;
        QVERIFY(open(browser));
        QVERIFY(browser.chooseGroup(QStringLiteral("squares")));
        // Independently: people's share from the stored responses, the model's P(real) from its predictions.
        const auto people = humanResultsByImage(m_file.db->responseRows(m_file.studyId).value(), AnswerFilter {});
        const auto pReal = m_file.db->pRealByImage(m_file.studyId, m_file.db->models()->front().sha256).value();
        const QString real = m_file.db->study(m_file.studyId)->realSource;
        QHash<qint64, PoolImage> images;
        for (const PoolImage& p : m_file.db->studyImages(m_file.studyId).value())
            images.insert(p.id, p);
        for (int o = 1; o <= 4; ++o) {
            browser.outcomeBox()->setCurrentIndex(o);
            const Outcome outcome = Outcome(browser.outcomeBox()->currentData().toInt());
            std::vector<qint64> expected;
            for (const PoolImage& p : images) {
                const ImageHumanResult r = people.value(p.id);
                if (p.category != QLatin1String("squares") || r.trials == 0 || !pReal.contains(p.id))
                    continue;
                const bool peopleRight = 2 * r.correct >= r.trials;
                const bool modelRight = (pReal.value(p.id) >= 0.5f) == (p.source == real);
                const Outcome o2 = peopleRight ? (modelRight ? Outcome::BothRight : Outcome::PeopleRightModelWrong)
                                               : (modelRight ? Outcome::PeopleWrongModelRight : Outcome::BothWrong);
                if (o2 == outcome)
                    expected.push_back(p.id);
            }
            std::sort(expected.begin(), expected.end());
            QCOMPARE(shownIds(browser), expected);
        }
    }

    void selectionDetailAndBack()
    {
        ErrorBrowser browser;
        QVERIFY(open(browser));
        // A selection from the dashboard: exactly those images, titled.
        const auto responses = m_file.db->responseRows(m_file.studyId).value();
        const qint64 answered = responses.front().trial.imageIds.front();
        const qint64 other = responses.back().trial.imageIds.back();
        QSignalSpy changed(&browser, &ErrorBrowser::selectionChanged);
        browser.showSelection({ other, answered }, QStringLiteral("Bar: squares, people"));
        QCOMPARE(changed.count(), 1);
        std::vector<qint64> expected { answered, other };
        std::sort(expected.begin(), expected.end());
        expected.erase(std::unique(expected.begin(), expected.end()), expected.end());
        QCOMPARE(shownIds(browser), expected);
        QCOMPARE(browser.selectionTitle(), QStringLiteral("Bar: squares, people"));

        // Enter on the image opens its detail.
        int row = 0;
        while (browser.gridModel()->image(row)->image.id != answered)
            ++row;
        browser.grid()->setFocus();
        browser.grid()->setCurrentIndex(browser.gridModel()->index(row));
        QTest::keyClick(browser.grid(), Qt::Key_Return);
        auto* detail = browser.findChild<ImageDetailDialog*>();
        QVERIFY(detail);
        QVERIFY(detail->isVisible());
        QVERIFY2(
            detail->summaryText().contains(QStringLiteral("#%1").arg(answered)), qPrintable(detail->summaryText()));
        QVERIFY2(detail->summaryText().contains(QStringLiteral("tiny: P(real)")), qPrintable(detail->summaryText()));
        QVERIFY(detail->summaryText().contains(QStringLiteral("People: ")));
        // The trials it appeared in, one row per answer.
        int appearances = 0;
        for (const ResponseRow& r : responses)
            appearances += std::count(r.trial.imageIds.begin(), r.trial.imageIds.end(), answered) > 0 ? 1 : 0;
        QCOMPARE(detail->trialTable()->rowCount(), appearances);
        // Its Grad-CAM overlay with the model's P(real).
        QSignalSpy shown(detail->camView(), &CamView::mapsShown);
        QVERIFY(shown.wait(60000));
        QTRY_VERIFY_WITH_TIMEOUT(!detail->camView()->isBusy(), 60000);
        QCOMPARE(detail->camView()->overlayCaptions().size(), 1);
        QVERIFY(detail->camView()->overlayCaptions().front().startsWith(QStringLiteral("tiny · Grad-CAM · P(real)")));
        // Enter on a trial shows the whole row as the participant saw it.
        shown.clear();
        detail->trialTable()->setFocus();
        detail->trialTable()->setCurrentCell(0, 0);
        QTest::keyClick(detail->trialTable(), Qt::Key_Return);
        QVERIFY(shown.wait(60000));
        QTRY_VERIFY_WITH_TIMEOUT(!detail->camView()->isBusy(), 60000);
        QCOMPARE(detail->camView()->overlayCaptions().size(), 2);
        if (const QByteArray shots = qgetenv("NTT_SCREENSHOT_DIR"); !shots.isEmpty()) {
            QTest::qWait(100); // the tiles are shown and laid out by queued calls
            detail->grab().save(QString::fromLocal8Bit(shots) + QStringLiteral("/image-detail.png"));
        }

        // A tag from the detail is stored at once and becomes a filter.
        QVERIFY(detail->addTag(QStringLiteral("drawing, not photo")));
        QCOMPARE(m_file.db->imageTags()->value(answered), QStringList { QStringLiteral("drawing, not photo") });
        QVERIFY(!detail->addTag(QStringLiteral("  ")));
        QCOMPARE(detail->tagList()->count(), 1);
        QCOMPARE(detail->tagList()->item(0)->text(), QStringLiteral("drawing, not photo"));

        // Esc closes the detail; the browser still shows the selection.
        QSignalSpy reloaded(&browser, &ErrorBrowser::loaded);
        QTest::keyClick(detail, Qt::Key_Escape);
        QTRY_VERIFY(!browser.findChild<ImageDetailDialog*>() || !browser.findChild<ImageDetailDialog*>()->isVisible());
        QVERIFY(reloaded.wait(60000));
        QCOMPARE(shownIds(browser), expected);
        browser.clearSelection();
        QVERIFY(shownIds(browser).size() > expected.size());
        const BrowserFilter f = browser.filter();
        QVERIFY(f.tag.isEmpty());
    }

    void tagTheSelectedImages()
    {
        ErrorBrowser browser;
        QVERIFY(open(browser));
        QVERIFY(browser.chooseGroup(QStringLiteral("stripes")));
        QItemSelectionModel* selection = browser.grid()->selectionModel();
        selection->clear();
        selection->select(browser.gridModel()->index(1), QItemSelectionModel::Select);
        selection->select(browser.gridModel()->index(3), QItemSelectionModel::Select);
        const qint64 first = browser.gridModel()->image(1)->image.id;
        const qint64 second = browser.gridModel()->image(3)->image.id;
        QSignalSpy loaded(&browser, &ErrorBrowser::loaded);
        QCOMPARE(browser.tagSelected(QStringLiteral("drawing, not photo")).value(), 2);
        QVERIFY(!browser.tagSelected(QStringLiteral(" ")).ok());
        QVERIFY(loaded.count() > 0 || loaded.wait(60000));
        const auto tags = m_file.db->imageTags().value();
        int tagged = 0;
        for (auto it = tags.cbegin(); it != tags.cend(); ++it)
            tagged += it->contains(QStringLiteral("drawing, not photo")) ? 1 : 0;
        QVERIFY(tags.value(first).contains(QStringLiteral("drawing, not photo")));
        QVERIFY(tags.value(second).contains(QStringLiteral("drawing, not photo")));
        QVERIFY(tagged >= 2);
    }

    void confusionCellSelectsItsImages()
    {
        ErrorBrowser browser;
        QVERIFY(open(browser));
        QTableWidget* table = browser.confusionTable();
        QCOMPARE(table->rowCount(), 2);
        QCOMPARE(table->columnCount(), 2);
        int total = 0;
        for (int r = 0; r < 2; ++r) {
            for (int c = 0; c < 2; ++c)
                total += table->item(r, c)->text().toInt();
        }
        QCOMPARE(total, int(m_file.db->pRealByImage(m_file.studyId, m_file.db->models()->front().sha256)->size()));
        // Truth "generated" (row 0) called "generated" (column 0).
        const int cell = table->item(0, 0)->text().toInt();
        Q_EMIT table->cellActivated(0, 0);
        QCOMPARE(int(shownIds(browser).size()), cell);
        QVERIFY(browser.selectionTitle().contains(QStringLiteral("truth generated, answered generated")));
    }

    void thumbnailsAreMadeOffTheGuiThread()
    {
        ErrorBrowser browser;
        QVERIFY(open(browser));
        const QModelIndex first = browser.gridModel()->index(0);
        first.data(Qt::DecorationRole); // queues it
                                        // A 128 px placeholder until the worker delivers it; the pool's images are
                                        // smaller than a thumbnail.
        auto side = [&first] {
            const QPixmap p = first.data(Qt::DecorationRole).value<QPixmap>();
            return std::max(p.width(), p.height());
        };
        QTRY_COMPARE_WITH_TIMEOUT(side(), 48, 30000);
        QVERIFY(QDir(m_file.path + QStringLiteral(".thumbs")).entryList(QDir::Files).size() >= 1);
    }
};

QTEST_MAIN(Test_errorbrowser)
#include "tst_errorbrowser.moc"
