#include "../common/demostudyfile.h"
#include "analysis/analysis.h"
#include "studyfile.h"

#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>

using namespace ntt;

// Simulated participants follow their participant model (accuracy per generator or category,
// lapses, log-normal response times), are flagged simulated, and the models that answered the
// study answer their trials too.
class Test_simulate : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    std::unique_ptr<StudyDatabase> m_db;
    qint64 m_studyId = 0;

    std::vector<ResponseRow> simulate(const ScriptedParticipant& script, int participants)
    {
        std::vector<qint64> sessions;
        for (int i = 0; i < participants; ++i) {
            auto plan = startSession(*m_db, m_studyId, QString(), QStringLiteral("sim"), true);
            if (!plan)
                qFatal("%s", qPrintable(plan.error()));
            if (!runScriptedParticipant(*m_db, plan.value(), script))
                qFatal("simulation failed");
            sessions.push_back(plan->session.id);
        }
        std::vector<ResponseRow> rows;
        const auto all = m_db->responseRows(m_studyId);
        for (const ResponseRow& r : all.value()) {
            if (std::find(sessions.begin(), sessions.end(), r.sessionId) != sessions.end() && !r.trial.practice)
                rows.push_back(r);
        }
        return rows;
    }

private Q_SLOTS:
    void initTestCase()
    {
        auto file = testing::demoStudyFile(
            m_dir.path(), 4, 32, QStringLiteral("sim"), QStringLiteral("tiny_traced"), QStringLiteral("tiny"));
        QVERIFY2(file.ok(), qPrintable(file.error()));
        m_db = std::move(file->db);
        m_studyId = file->studyId;
        CancelToken cancel;
        QVERIFY(runModelOnStudy(*m_db, m_studyId, file->modelId, ModelRunOptions {}, cancel, {}).ok());
    }

    void accuracyPerGenerator()
    {
        ScriptedParticipant script;
        script.accuracyBySource = { { QStringLiteral("checkerboard"), 1.0 }, { QStringLiteral("upsampler"), 0.0 } };
        const auto rows = simulate(script, 3);
        QVERIFY(!rows.empty());
        int checked = 0;
        for (const ResponseRow& r : rows) {
            QVERIFY(r.simulated);
            const QStringList sources = testedSources(r.trial, r.shown);
            QCOMPARE(sources.size(), 1); // two-way rows test one generator
            QCOMPARE(r.response.correct, sources.front() == QLatin1String("checkerboard"));
            ++checked;
        }
        QVERIFY(checked >= 12);
    }

    void categoryOverridesGenerator()
    {
        ScriptedParticipant script;
        script.accuracyBySource = { { QStringLiteral("checkerboard"), 1.0 }, { QStringLiteral("upsampler"), 1.0 } };
        script.accuracyByCategory = { { QStringLiteral("disks"), 0.0 } };
        for (const ResponseRow& r : simulate(script, 2))
            QCOMPARE(r.response.correct, r.shown.front().category != QLatin1String("disks"));
    }

    void lapsesAndResponseTimes()
    {
        ScriptedParticipant script;
        script.accuracy = 1.0;
        script.lapseRate = 1.0; // every answer random: about half right in two-way rows
        script.meanRtMs = 1000;
        script.rtSigma = 0.4;
        const auto rows = simulate(script, 12);
        int correct = 0;
        std::vector<double> rts;
        for (const ResponseRow& r : rows) {
            correct += r.response.correct ? 1 : 0;
            rts.push_back(r.response.rtMs);
        }
        const Proportion p = wilsonInterval(correct, int(rows.size()), 0.999);
        QVERIFY2(p.low < 0.5 && p.high > 0.5, qPrintable(QStringLiteral("%1 of %2").arg(correct).arg(rows.size())));
        std::sort(rts.begin(), rts.end());
        const double median = rts[rts.size() / 2];
        QVERIFY2(median > 850 && median < 1170, qPrintable(QString::number(median)));
        QVERIFY(rts.front() < 700 && rts.back() > 1400); // spread, not a constant

        script.lapseRate = 1.5;
        auto plan = startSession(*m_db, m_studyId, QString(), QStringLiteral("sim"), true);
        QVERIFY(plan.ok());
        const auto bad = runScriptedParticipant(*m_db, plan.value(), script);
        QVERIFY(!bad.ok());
        QVERIFY2(bad.error().contains(QStringLiteral("lapse rate 1.5")), qPrintable(bad.error()));
    }

    void modelsAnswerTheNewTrials()
    {
        const auto before = m_db->modelAnswerRows(m_studyId);
        QVERIFY(before.ok());
        const auto answered = answerNewTrials(*m_db, m_studyId);
        QVERIFY2(answered.ok(), qPrintable(answered.error()));
        const auto after = m_db->modelAnswerRows(m_studyId);
        QVERIFY(after->size() > before->size());
        QCOMPARE(int(after->size()), int(m_db->studyTrials(m_studyId)->size()));
        QCOMPARE(answered.value(), int(after->size()));
    }
};

QTEST_GUILESS_MAIN(Test_simulate)
#include "tst_simulate.moc"
