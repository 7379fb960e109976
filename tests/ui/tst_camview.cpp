#include "../common/demostudyfile.h"
#include "analysis/imageresults.h"
#include "attention/camrun.h"
#include "camview.h"
#include "studyexports.h"
#include "studyfile.h"

#include <QComboBox>
#include <QListWidget>
#include <QSignalSpy>
#include <QSlider>
#include <QTemporaryDir>
#include <QtTest>

#include <opencv2/core.hpp>

using namespace ntt;

// The Attention tab on a real study file: a two-way study over the demo pool, two scripted
// participants and the tiny traced TorchScript ResNet fixture, which has answered the study.
class Test_camview : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    testing::DemoStudyFile m_file;

    /// Waits for the maps of the current item; the view must have finished computing.
    bool waitForMaps(CamView& view, QSignalSpy& shown)
    {
        return (shown.count() > 0 || shown.wait(60000)) && QTest::qWaitFor([&] { return !view.isBusy(); }, 60000);
    }

    /// Shows the view on the study; true once its list is filled.
    bool open(CamView& view)
    {
        view.resize(1400, 900);
        view.show();
        QSignalSpy loaded(&view, &CamView::loaded);
        view.setStudy(m_file.path, m_file.studyId);
        return loaded.wait(30000);
    }

private Q_SLOTS:
    void initTestCase()
    {
        auto file = testing::demoStudyFile(m_dir.filePath(QStringLiteral("study")), 2, 48,
            QStringLiteral("Attention 2-way"), QStringLiteral("tiny_traced"), QStringLiteral("tiny"));
        QVERIFY2(file.ok(), qPrintable(file.error()));
        m_file = std::move(file).value();
        const Status answered = testing::answerDemoStudy(m_file, 2, 7);
        QVERIFY2(answered.ok(), qPrintable(answered.error()));
    }

    void imageShowsOverlayPRealAndPeople()
    {
        CamView view;
        QSignalSpy shown(&view, &CamView::mapsShown);
        QVERIFY(open(view));

        const auto images = m_file.db->studyImages(m_file.studyId);
        QCOMPARE(view.rowCount(), int(images->size()));
        QVERIFY(!view.isVisible() || view.itemList()->currentRow() == 0);

        // An image people answered: the caption carries the stored P(real), the summary their result.
        const auto responses = m_file.db->responseRows(m_file.studyId);
        const auto people = humanResultsByImage(responses.value(), AnswerFilter {});
        qint64 answered = 0;
        for (const PoolImage& p : images.value()) {
            if (people.value(p.id).trials > 0 && answered == 0)
                answered = p.id;
        }
        QVERIFY(answered > 0);
        shown.clear();
        QVERIFY(view.showImage(answered));
        QVERIFY(waitForMaps(view, shown));
        QVERIFY2(
            !view.statusText().contains(QStringLiteral("error"), Qt::CaseInsensitive), qPrintable(view.statusText()));
        const QStringList captions = view.overlayCaptions();
        QCOMPARE(captions.size(), 1);
        const auto pReal = m_file.db->pRealByImage(m_file.studyId, m_file.db->models()->front().sha256);
        QVERIFY(pReal->contains(answered));
        QCOMPARE(captions.front(),
            QStringLiteral("tiny · Grad-CAM · P(real) %1").arg(double(pReal->value(answered)), 0, 'f', 2));
        const ImageHumanResult r = people.value(answered);
        QVERIFY2(
            view.peopleText().contains(QStringLiteral("People: %1 of %2 answers right").arg(r.correct).arg(r.trials)),
            qPrintable(view.peopleText()));

        // The map was stored in the study file: showing it again reads it from there.
        QVERIFY(m_file.db->camMapCount().value() >= 1);

        // Opacity 0 shows the image as participants saw it; opacity 100 none of it.
        const QString stimulus = m_file.db->stimulusPaths(m_file.studyId)->value(answered);
        const cv::Mat image = readImageBgr(stimulus).value();
        view.opacitySlider()->setValue(0);
        QCOMPARE(cv::norm(view.overlays().front(), image, cv::NORM_INF), 0.0);
        view.opacitySlider()->setValue(100);
        QVERIFY(cv::norm(view.overlays().front(), image, cv::NORM_INF) > 0.0);

        // Another method in place.
        shown.clear();
        view.methodBox()->setCurrentIndex(1);
        Q_EMIT view.methodBox()->activated(1);
        QVERIFY(waitForMaps(view, shown));
        QVERIFY2(view.overlayCaptions().value(0).startsWith(QStringLiteral("tiny · Grad-CAM++ · ")),
            qPrintable(view.overlayCaptions().value(0)));

        // The figure: image, overlay and legend side by side.
        const QString png = m_dir.filePath(QStringLiteral("image.png"));
        QVERIFY(view.exportFigure(png).ok());
        const cv::Mat figure = readImageBgr(png).value();
        QVERIFY(figure.cols > 2 * figure.rows / 2 && figure.rows >= 256);
    }

    // People's marks beside the model's map: their heat map after the image, and the model's
    // agreement with them in its caption, as core computes it from the stored marks.
    void peoplesMarksSitBesideTheModelsMap()
    {
        StudyDefinition d;
        d.name = QStringLiteral("Attention marks");
        d.trialType = TrialType::RealOrFake;
        d.ways = 1;
        d.trialsPerParticipant = 24;
        d.marks.points = 3;
        d.marks.reasons = { QStringLiteral("texture"), QStringLiteral("blur") };
        d.marks.kernelSigmaPx = 6.0;
        CancelToken cancel;
        const auto created = testing::studyWithScriptedPeople(*m_file.db, d, 3, QStringLiteral("M"), 30, 0.8);
        QVERIFY2(created.ok(), qPrintable(created.error()));
        const qint64 study = created.value();
        QVERIFY(runModelOnStudy(*m_file.db, study, m_file.modelId, ModelRunOptions {}, cancel, {}).ok());
        const auto marks = studyMarks(*m_file.db, study, AnswerFilter {});
        QVERIFY2(marks.ok() && !marks->empty(), qPrintable(marks.error()));
        const qint64 marked = marks->front().marks.points.front().imageId;
        // ntt export --what marks: one row per click, in the image's own pixels.
        const Table clicks = marksTable(marks.value());
        int points = 0;
        for (const MarkedTrial& t : marks.value())
            points += int(t.marks.points.size());
        QCOMPARE(int(clicks.rows.size()), points);
        QCOMPARE(clicks.header.mid(15, 4),
            (QStringList { QStringLiteral("x"), QStringLiteral("y"), QStringLiteral("u"), QStringLiteral("v") }));
        QCOMPARE(clicks.rows.front().at(9), QString::number(marked));

        CamView view;
        QSignalSpy shown(&view, &CamView::mapsShown);
        view.resize(1400, 900);
        view.show();
        QSignalSpy loaded(&view, &CamView::loaded);
        view.setStudy(m_file.path, study);
        QVERIFY(loaded.wait(30000));
        shown.clear();
        QVERIFY(view.showImage(marked));
        QVERIFY(waitForMaps(view, shown));
        const std::vector<QPointF> expected = [&] {
            const QString stimulus = m_file.db->stimulusPaths(study)->value(marked);
            const cv::Mat image = readImageBgr(stimulus).value();
            return shownMarksOf(marks.value(), marked, image.cols, image.rows, false);
        }();
        QVERIFY(!expected.empty());
        QVERIFY2(view.peopleMapCaption().startsWith(
                     QStringLiteral("People's marks · %1 mark(s), kernel SD 6 px").arg(expected.size())),
            qPrintable(view.peopleMapCaption()));
        const QString caption = view.overlayCaptions().value(0);
        QVERIFY2(caption.contains(QStringLiteral(" · with people: r ")), qPrintable(caption));

        // The export (ntt export --what attention-agreement) says what the caption says.
        const auto rows = attentionAgreement(*m_file.db, study, AnswerFilter {}, CamOptions {}, cancel, {});
        QVERIFY2(rows.ok(), qPrintable(rows.error()));
        const auto row = std::find_if(rows->begin(), rows->end(),
            [&](const ImageAttentionAgreement& r) { return r.image.id == marked && r.model == QLatin1String("tiny"); });
        QVERIFY(row != rows->end());
        QVERIFY(row->error.isEmpty());
        QCOMPARE(row->agreement.marks, int(expected.size()));
        QVERIFY2(caption.contains(QStringLiteral("r %1, %2 % of marks")
                                      .arg(row->agreement.correlation, 0, 'f', 2)
                                      .arg(100.0 * row->agreement.shareInModelTop20, 0, 'f', 0)),
            qPrintable(caption));
        const Table table = attentionAgreementTable(rows.value());
        QCOMPARE(table.header.at(9), QStringLiteral("correlation"));
        QCOMPARE(int(table.rows.size()), int(rows->size()));
        if (const QString out = qEnvironmentVariable("NTT_SCREENSHOT_DIR"); !out.isEmpty()) {
            QTest::qWait(200); // the tiles are laid out
            view.grab().save(QDir(out).filePath(QStringLiteral("attention-marks.png")));
        }
    }

    // Pick trials with marks: besides each image's agreement over all its marks, each row of the
    // pick trials gets its own, over the marks made on that row's trials (as the stored marks say),
    // and the groups (all, category, source, row) add those up.
    void pickTrialRowsGetTheirOwnAgreement()
    {
        StudyDefinition d;
        d.name = QStringLiteral("Attention marks on rows");
        d.trialType = TrialType::PickReal;
        d.ways = 2;
        d.matching = RowMatching::PairKey;
        d.trialsPerParticipant = 12;
        d.marks.points = 2;
        d.marks.kernelSigmaPx = 6.0;
        CancelToken cancel;
        const auto created = testing::studyWithScriptedPeople(*m_file.db, d, 3, QStringLiteral("R"), 40);
        QVERIFY2(created.ok(), qPrintable(created.error()));
        const qint64 study = created.value();
        const auto marks = studyMarks(*m_file.db, study, AnswerFilter {});
        QVERIFY(marks.ok() && !marks->empty());
        const auto rows = attentionAgreement(*m_file.db, study, AnswerFilter {}, CamOptions {}, cancel, {});
        QVERIFY2(rows.ok(), qPrintable(rows.error()));
        int rowLevel = 0;
        for (const ImageAttentionAgreement& r : rows.value()) {
            if (r.row.empty() || !r.error.isEmpty())
                continue;
            ++rowLevel;
            int expected = 0;
            for (const MarkedTrial& t : marks.value()) {
                if (t.row.trial.imageIds != r.row)
                    continue;
                for (const Mark& m : t.marks.points)
                    expected += m.imageId == r.image.id ? 1 : 0;
            }
            QCOMPARE(r.agreement.marks, expected);
            QVERIFY(std::find(r.row.begin(), r.row.end(), r.image.id) != r.row.end());
        }
        QVERIFY(rowLevel > 0);
        const std::vector<AttentionGroup> groups = summariseAttention(rows.value());
        int allMarks = 0;
        int rowMarks = 0;
        for (const AttentionGroup& g : groups) {
            if (g.model != QLatin1String("tiny"))
                continue;
            if (g.grouping == QLatin1String("all"))
                allMarks = g.marksInTop20.trials;
            else if (g.grouping == QLatin1String("row"))
                rowMarks += g.marksInTop20.trials;
        }
        int stored = 0;
        for (const MarkedTrial& t : marks.value())
            stored += int(t.marks.points.size());
        QCOMPARE(allMarks, stored); // every mark once over the images
        QCOMPARE(rowMarks, stored); // and once over the rows
        const Table table = attentionGroupsTable(groups);
        QCOMPARE(table.header.at(2), QStringLiteral("group"));
        QCOMPARE(int(table.rows.size()), int(groups.size()));
    }

    void trialRowShowsEachPositionAndTheChoices()
    {
        CamView view;
        QSignalSpy shown(&view, &CamView::mapsShown);
        QVERIFY(open(view));
        QVERIFY(waitForMaps(view, shown));
        shown.clear();
        view.setMode(CamView::Mode::Trials);
        const auto rows = trialRowResults(
            m_file.db->responseRows(m_file.studyId).value(), m_file.db->modelAnswerRows(m_file.studyId).value(), {});
        QCOMPARE(view.rowCount(), int(rows.size()));
        QVERIFY(view.rowCount() > 1);
        QVERIFY(waitForMaps(view, shown));
        // Two images in the row, one overlay under each.
        QCOMPARE(view.overlayCaptions().size(), 2);
        const TrialRowResult& first = rows.front();
        QVERIFY2(view.peopleText().contains(QStringLiteral("People: %1 answers").arg(first.answered)),
            qPrintable(view.peopleText()));
        QVERIFY2(
            view.peopleText().contains(
                QStringLiteral("tiny chose position %1").arg(first.modelChoices.value(QStringLiteral("tiny")) + 1)),
            qPrintable(view.peopleText()));

        // Down moves to the next row and its maps.
        shown.clear();
        view.itemList()->setFocus();
        QTest::keyClick(view.itemList(), Qt::Key_Down);
        QCOMPARE(view.currentRow(), 1);
        QVERIFY(waitForMaps(view, shown));
        QCOMPARE(view.overlayCaptions().size(), 2);

        // The row's figure stacks one figure per image.
        const QString png = m_dir.filePath(QStringLiteral("row.png"));
        QVERIFY(view.exportFigure(png).ok());
        QVERIFY(readImageBgr(png).value().rows >= 2 * 256);
        if (const QByteArray shots = qgetenv("NTT_SCREENSHOT_DIR"); !shots.isEmpty()) {
            QCoreApplication::processEvents(); // the tiles are shown by a queued call
            view.grab().save(QString::fromLocal8Bit(shots) + QStringLiteral("/attention-trials.png"));
        }
    }

    void exportWithoutAnImageIsRefused()
    {
        CamView view;
        const Status s = view.exportFigure(m_dir.filePath(QStringLiteral("none.png")));
        QVERIFY(!s.ok());
        QVERIFY(s.error().contains(QStringLiteral("none.png")));
    }
};

QTEST_MAIN(Test_camview)
#include "tst_camview.moc"
