#include "../common/demostudyfile.h"
#include "../common/runntt.h"
#include "attention/peoplemap.h"
#include "npy.h"
#include "studyexports.h"
#include "studyfile.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <opencv2/imgcodecs.hpp>

using namespace ntt;

// `ntt cam` as a researcher drives it: a figure and a NumPy map of one file through a model file,
// a whole category of a study file into a folder (maps cached: the second run computes nothing),
// and bad input named.
class Test_camcli : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    const QString m_fixtures = QStringLiteral(NTT_TEST_DATA_DIR "/torchscript");

    using Run = testing::NttRun;
    static Run ntt(const QStringList& args) { return testing::runNtt(args); }

private Q_SLOTS:
    void oneFileThroughAModelFile()
    {
        const QString image = m_dir.filePath(QStringLiteral("photo.png"));
        cv::Mat pixels(40, 60, CV_8UC3);
        cv::randu(pixels, 0, 255);
        QVERIFY(cv::imwrite(image.toStdString(), pixels));
        const QString png = m_dir.filePath(QStringLiteral("figure.png"));
        const QString npy = m_dir.filePath(QStringLiteral("map.npy"));
        const Run run = ntt({ QStringLiteral("cam"), QStringLiteral("--model"),
            m_fixtures + QStringLiteral("/tiny_traced.pt"), QStringLiteral("--image"), image,
            QStringLiteral("--method"), QStringLiteral("gradcampp"), QStringLiteral("--out"), png,
            QStringLiteral("--map-out"), npy, QStringLiteral("--contour"), QStringLiteral("0.5") });
        QVERIFY2(run.code == 0, qPrintable(run.err));
        QVERIFY2(run.out.contains(QStringLiteral("1 written")), qPrintable(run.out));
        const cv::Mat figure = cv::imread(png.toStdString(), cv::IMREAD_COLOR);
        QVERIFY(!figure.empty());
        QVERIFY(figure.cols > 2 * 256); // image, overlay and legend side by side
        // The map at the image's resolution, float32, normalised.
        const auto map = readNpyFloat32(npy);
        QVERIFY2(map.ok(), qPrintable(map.error()));
        QCOMPARE(map->shape, (std::vector<qint64> { 40, 60 }));
        const auto [low, high] = std::minmax_element(map->data.begin(), map->data.end());
        QVERIFY(*low >= 0.0f && *high <= 1.0f && *high > 0.5f);
    }

    void badInputIsNamed()
    {
        const Run missing
            = ntt({ QStringLiteral("cam"), QStringLiteral("--model"), m_dir.filePath(QStringLiteral("none.pt")),
                QStringLiteral("--image"), QStringLiteral("x.png"), QStringLiteral("--out"), QStringLiteral("y.png") });
        QVERIFY(missing.code != 0);
        QVERIFY2(missing.err.contains(QStringLiteral("none.pt")), qPrintable(missing.err));

        const QString model = m_fixtures + QStringLiteral("/tiny_traced.pt");
        const Run method = ntt({ QStringLiteral("cam"), QStringLiteral("--model"), model, QStringLiteral("--image"),
            QStringLiteral("x.png"), QStringLiteral("--out"), QStringLiteral("y.png"), QStringLiteral("--method"),
            QStringLiteral("scorecam") });
        QVERIFY(method.code != 0);
        QVERIFY2(method.err.contains(QStringLiteral("scorecam")), qPrintable(method.err));

        const Run layer = ntt({ QStringLiteral("cam"), QStringLiteral("--model"), model, QStringLiteral("--image"),
            QStringLiteral("x.png"), QStringLiteral("--out"), QStringLiteral("y.png"), QStringLiteral("--layer"),
            QStringLiteral("layer9") });
        QVERIFY(layer.code != 0);
        QVERIFY2(layer.err.contains(QStringLiteral("layer9")) && layer.err.contains(QStringLiteral("its layers are")),
            qPrintable(layer.err));

        const Run image = ntt({ QStringLiteral("cam"), QStringLiteral("--model"), model, QStringLiteral("--image"),
            m_dir.filePath(QStringLiteral("absent.png")), QStringLiteral("--out"),
            m_dir.filePath(QStringLiteral("y.png")) });
        QVERIFY(image.code != 0);
        QVERIFY2(image.err.contains(QStringLiteral("absent.png")), qPrintable(image.err));

        const Run layers
            = ntt({ QStringLiteral("cam"), QStringLiteral("--model"), model, QStringLiteral("--list-layers") });
        QVERIFY2(layers.code == 0, qPrintable(layers.err));
        QVERIFY2(layers.out.contains(QStringLiteral("default")), qPrintable(layers.out));
    }

    // ntt cam --people: people's map of one image as .npy and as a figure, equal to peopleHeatMap of
    // the stored marks; a study without marks, or a missing image, is named.
    void peoplesMapOfAStudyImage()
    {
        auto file = testing::demoStudyFile(m_dir.filePath(QStringLiteral("people")), 2, 48);
        QVERIFY2(file.ok(), qPrintable(file.error()));
        StudyDefinition d;
        d.name = QStringLiteral("marks");
        d.trialType = TrialType::PickReal;
        d.ways = 2;
        d.trialsPerParticipant = 12;
        d.marks.points = 2;
        d.marks.kernelSigmaPx = 4.0;
        CancelToken cancel;
        const auto created = createStudy(*file->db, d, cancel, {});
        QVERIFY(created.ok());
        auto plan = startSession(*file->db, created->study.id, QStringLiteral("P1"), QStringLiteral("t"), false);
        QVERIFY(plan.ok());
        QVERIFY(runScriptedParticipant(*file->db, plan.value(), ScriptedParticipant {}).ok());
        const auto marks = studyMarks(*file->db, created->study.id, AnswerFilter {});
        QVERIFY(marks.ok() && !marks->empty());
        const qint64 image = marks->front().marks.points.front().imageId;
        const QString npy = m_dir.filePath(QStringLiteral("people.npy"));
        const QString png = m_dir.filePath(QStringLiteral("people.png"));
        const Run run = ntt({ QStringLiteral("cam"), QStringLiteral("--db"), file->path, QStringLiteral("--study"),
            QStringLiteral("marks"), QStringLiteral("--image"), QString::number(image), QStringLiteral("--people"),
            QStringLiteral("--map-out"), npy, QStringLiteral("--out"), png });
        QVERIFY2(run.code == 0, qPrintable(run.err));
        const auto map = readNpyFloat32(npy);
        QVERIFY2(map.ok(), qPrintable(map.error()));
        QCOMPARE(map->shape, (std::vector<qint64> { 48, 48 }));
        const cv::Mat expected = peopleHeatMap(shownMarksOf(marks.value(), image, 48, 48, false), 48, 48, 4.0);
        for (int i = 0; i < 48 * 48; ++i)
            QCOMPARE(map->data[std::size_t(i)], expected.at<float>(i / 48, i % 48));
        QVERIFY(!cv::imread(png.toStdString(), cv::IMREAD_COLOR).empty());

        StudyDefinition plain = d;
        plain.name = QStringLiteral("no marks");
        plain.marks.points = 0;
        QVERIFY(createStudy(*file->db, plain, cancel, {}).ok());
        const Run none = ntt({ QStringLiteral("cam"), QStringLiteral("--db"), file->path, QStringLiteral("--study"),
            QStringLiteral("no marks"), QStringLiteral("--image"), QString::number(image), QStringLiteral("--people"),
            QStringLiteral("--map-out"), npy });
        QVERIFY(none.code != 0);
        QVERIFY2(none.err.contains(QStringLiteral("asks for no marks")), qPrintable(none.err));
        const Run missing = ntt({ QStringLiteral("cam"), QStringLiteral("--db"), file->path, QStringLiteral("--study"),
            QStringLiteral("marks"), QStringLiteral("--image"), QStringLiteral("99999"), QStringLiteral("--people"),
            QStringLiteral("--map-out"), npy });
        QVERIFY(missing.code != 0);
        QVERIFY2(missing.err.contains(QStringLiteral("99999")), qPrintable(missing.err));
    }

    void aCategoryOfAStudyFileIntoAFolder()
    {
        const QString dbPath = [this] {
            auto file = testing::demoStudyFile(m_dir.filePath(QStringLiteral("study")), 2, 48, QString(),
                QStringLiteral("tiny_traced"), QStringLiteral("tiny"));
            return file ? file->path : QString();
        }();
        QVERIFY(!dbPath.isEmpty());
        const QString out = m_dir.filePath(QStringLiteral("maps"));
        const QStringList args = { QStringLiteral("cam"), QStringLiteral("--db"), dbPath, QStringLiteral("--model"),
            QStringLiteral("tiny"), QStringLiteral("--category"), QStringLiteral("disks"), QStringLiteral("--out-dir"),
            out };
        const Run first = ntt(args);
        QVERIFY2(first.code == 0, qPrintable(first.err));
        QVERIFY2(
            first.out.contains(QStringLiteral("6 map(s)")) && first.out.contains(QStringLiteral("0 from the cache")),
            qPrintable(first.out));
        QFile list(QDir(out).filePath(QStringLiteral("maps.csv")));
        QVERIFY(list.open(QIODevice::ReadOnly));
        const QStringList lines = QString::fromUtf8(list.readAll()).split(QStringLiteral("\r\n"), Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 7);
        QCOMPARE(lines.front(),
            QStringLiteral(
                "image_id,path,source,category,model,method,layer,target,target_class,p_real,png,npy,error"));
        for (const QString& line : lines.mid(1)) {
            const QStringList f = line.split(QLatin1Char(','));
            QCOMPARE(f.value(3), QStringLiteral("disks"));
            QVERIFY(QFile::exists(QDir(out).filePath(f.value(10))));
            QVERIFY(QFile::exists(QDir(out).filePath(f.value(11))));
            QVERIFY(f.value(12).isEmpty());
        }
        const Run second = ntt(args);
        QVERIFY2(second.code == 0, qPrintable(second.err));
        QVERIFY2(second.out.contains(QStringLiteral("6 from the cache")), qPrintable(second.out));

        const Run wrong = ntt(
            { QStringLiteral("cam"), QStringLiteral("--db"), dbPath, QStringLiteral("--model"), QStringLiteral("tiny"),
                QStringLiteral("--category"), QStringLiteral("leaves"), QStringLiteral("--out-dir"), out });
        QVERIFY(wrong.code != 0);
        QVERIFY2(wrong.err.contains(QStringLiteral("leaves")) && wrong.err.contains(QStringLiteral("disks")),
            qPrintable(wrong.err));
    }
};

QTEST_GUILESS_MAIN(Test_camcli)
#include "tst_camcli.moc"
