// Several stations on one study file: real `ntt` processes started together race for participant
// indices and write answers side by side. No participant may be lost, no index given twice, no
// answer stored twice, and no message may be raw SQL.

#include "../common/demostudyfile.h"
#include "../common/pgtestdatabase.h"
#include "../common/runntt.h"
#include "demo/demo.h"
#include "pool/imagefileinfo.h"
#include "stimulusstore.h"
#include "studybackup.h"
#include "studyfile.h"

#include <QProcess>
#include <QRegularExpression>
#include <QScopeGuard>
#include <QSet>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QUrl>
#include <QtTest>

#include <memory>
#include <unistd.h>
#include <vector>

using namespace ntt;

class Test_stations : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_file;
    qint64 m_studyId = 0;
    QString m_server; ///< the server study's address; empty when no server could be started
    QString m_serverMissing; ///< why not
    QString m_serverBase; ///< postgresql://USER@HOST:PORT of the test server
    qint64 m_serverStudyId = 0;

    // The pool imported and a small study created at `location` (a file or a server address).
    static qint64 makeStudy(const QString& location, const QString& poolRoot)
    {
        CancelToken cancel;
        auto db = StudyDatabase::open(location);
        if (!db) {
            qWarning() << db.error();
            return 0;
        }
        ImportOptions import;
        import.location = poolRoot;
        if (!importPool(*db.value(), import, cancel, {}))
            return 0;
        StudyDefinition d;
        d.name = QStringLiteral("stations");
        d.trialsPerParticipant = 6;
        const auto study = createStudy(*db.value(), d, cancel, {});
        return study ? study->study.id : 0;
    }

    // A fresh database on the throwaway server (tests/pgserver.sh) for this run.
    void createServerStudy(const QString& poolRoot)
    {
        const QString dir = QStringLiteral(NTT_TEST_PG_DIR);
        QFile unavailable(dir + QStringLiteral("/unavailable"));
        if (unavailable.open(QIODevice::ReadOnly)) {
            m_serverMissing = QString::fromUtf8(unavailable.readAll()).trimmed();
            return;
        }
        QFile urlFile(dir + QStringLiteral("/url"));
        if (!urlFile.open(QIODevice::ReadOnly)) {
            m_serverMissing = QStringLiteral("the test server was not started (run the whole suite with ctest)");
            return;
        }
        m_serverBase = QString::fromUtf8(urlFile.readAll()).trimmed();
        m_server = testing::newServerDatabase(
            m_serverBase, QStringLiteral("ntt_stations_%1").arg(QCoreApplication::applicationPid()));
        QVERIFY(!m_server.isEmpty());
        m_serverStudyId = makeStudy(m_server, poolRoot);
        QVERIFY2(m_serverStudyId > 0, qPrintable(m_server));
    }

    // The location a data row names, with its study; skips the server rows when there is no server.
    std::pair<QString, qint64> location(const QString& kind) const
    {
        return kind == QLatin1String("server") ? std::make_pair(m_server, m_serverStudyId)
                                               : std::make_pair(m_file, m_studyId);
    }

private Q_SLOTS:
    void initTestCase()
    {
        const auto pool = testing::demoPoolFolder(m_dir.path(), 4, 32);
        QVERIFY2(pool.ok(), qPrintable(pool.error()));
        m_file = m_dir.filePath(QStringLiteral("shared.ntt"));
        m_studyId = makeStudy(m_file, pool.value());
        QVERIFY(m_studyId > 0);
        createServerStudy(pool.value());
    }

    // A password never travels in the address (it would end up in settings and logs), and an
    // unreachable server is named.
    void serverAddressesAreChecked()
    {
        const auto withPassword = StudyDatabase::open(QStringLiteral("postgresql://ntt:s3cret@127.0.0.1:5432/x"));
        QVERIFY(!withPassword.ok());
        QVERIFY2(withPassword.error().contains(QStringLiteral("PGPASSWORD"))
                && !withPassword.error().contains(QStringLiteral("s3cret")),
            qPrintable(withPassword.error()));
        const auto unreachable = StudyDatabase::open(QStringLiteral("postgresql://ntt@127.0.0.1:1/x"));
        QVERIFY(!unreachable.ok());
        QVERIFY2(unreachable.error().startsWith(QStringLiteral("postgresql://ntt@127.0.0.1:1/x: cannot connect to the "
                                                               "study server")),
            qPrintable(unreachable.error()));
        QVERIFY(!StudyDatabase::open(QStringLiteral("postgresql:///nohost")).ok());
    }

    void sixStationsStartedTogetherLoseNoParticipant_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::newRow("study file") << QStringLiteral("file");
        QTest::newRow("PostgreSQL server") << QStringLiteral("server");
    }

    void sixStationsStartedTogetherLoseNoParticipant()
    {
        QFETCH(QString, kind);
        const auto [where, studyId] = location(kind);
        if (where.isEmpty())
            QSKIP(qPrintable(QStringLiteral("no PostgreSQL server: %1").arg(m_serverMissing)));
        constexpr int kStations = 6;
        constexpr int kParticipants = 50;
        std::vector<std::unique_ptr<QProcess>> stations;
        for (int i = 0; i < kStations; ++i) {
            auto p = std::make_unique<QProcess>();
            p->start(QStringLiteral(NTT_NTT_EXECUTABLE),
                { QStringLiteral("session"), QStringLiteral("simulate"), QStringLiteral("--db"), where,
                    QStringLiteral("--participants"), QString::number(kParticipants), QStringLiteral("--station"),
                    QStringLiteral("station-%1").arg(i + 1) });
            stations.push_back(std::move(p));
        }
        for (auto& p : stations) {
            QVERIFY(p->waitForFinished(300000));
            const QString err = QString::fromUtf8(p->readAllStandardError());
            QVERIFY2(p->exitCode() == 0, qPrintable(err));
            QVERIFY2(!err.contains(QLatin1String("constraint"), Qt::CaseInsensitive)
                    && !err.contains(QLatin1String("UNIQUE")),
                qPrintable(err));
        }

        auto db = StudyDatabase::open(where);
        QVERIFY(db.ok());
        const auto sessions = db.value()->sessions(studyId);
        QVERIFY(sessions.ok());
        QCOMPARE(int(sessions->size()), kStations * kParticipants);
        QSet<int> indices;
        QMap<QString, int> perStation;
        for (const SessionInfo& s : sessions.value()) {
            indices.insert(s.participantIndex);
            ++perStation[s.station];
            QCOMPARE(s.state, SessionState::Finished);
            QCOMPARE(s.answeredCount, s.trialCount); // every trial answered once (responses are unique per trial)
        }
        QCOMPARE(int(indices.size()), kStations * kParticipants);
        QCOMPARE(*std::max_element(indices.cbegin(), indices.cend()), kStations * kParticipants - 1);
        for (int i = 1; i <= kStations; ++i)
            QCOMPARE(perStation.value(QStringLiteral("station-%1").arg(i)), kParticipants);
    }

    // A session resumed at a second station while the first runs it is refused there, naming the
    // first; a station that died is taken over deliberately, and the first can then store nothing.
    void aSessionRunsAtOneStationAtATime_data() { sixStationsStartedTogetherLoseNoParticipant_data(); }

    void aSessionRunsAtOneStationAtATime()
    {
        QFETCH(QString, kind);
        const auto [where, studyId] = location(kind);
        if (where.isEmpty())
            QSKIP(qPrintable(QStringLiteral("no PostgreSQL server: %1").arg(m_serverMissing)));
        auto db = StudyDatabase::open(where);
        QVERIFY(db.ok());
        auto first = startSession(*db.value(), studyId, QString(), QStringLiteral("station-A"), true);
        QVERIFY2(first.ok(), qPrintable(first.error()));
        const qint64 id = first->session.id;

        const auto second = loadSession(*db.value(), id, QStringLiteral("station-B"));
        QVERIFY(!second.ok());
        QVERIFY2(second.error().contains(QStringLiteral("station \"station-A\" has run it since"))
                && second.error().contains(QStringLiteral("Finish or pause it there first")),
            qPrintable(second.error()));
        // Not yet silent for a minute: not even a deliberate take-over.
        QVERIFY(!loadSession(*db.value(), id, QStringLiteral("station-B"), true).ok());
        const testing::NttRun cli = testing::runNtt({ QStringLiteral("session"), QStringLiteral("simulate"),
            QStringLiteral("--db"), where, QStringLiteral("--resume"), QString::number(id), QStringLiteral("--station"),
            QStringLiteral("station-B") });
        QCOMPARE(cli.code, 1);
        QVERIFY2(cli.err.contains(QStringLiteral("station-A")) && !cli.err.contains(QStringLiteral("SQL")),
            qPrintable(cli.err));

        SessionPlan planA = first.value();
        Response answer;
        answer.trialId = planA.trials[0].id;
        answer.trialIndex = 0;
        answer.rtClock = QStringLiteral("scripted");
        QVERIFY(db.value()->recordResponse(id, planA.leaseToken, answer).ok());
        const Status twice = db.value()->recordResponse(id, planA.leaseToken, answer);
        QVERIFY2(!twice.ok() && twice.error().contains(QStringLiteral("answered already"))
                && !twice.error().contains(QStringLiteral("UNIQUE")),
            qPrintable(twice.error()));

        // Station A goes silent; B takes the session over.
        QTest::qWait(20);
        const auto taken = db.value()->acquireSessionLease(id, QStringLiteral("station-B"), true, 0);
        QVERIFY2(taken.ok(), qPrintable(taken.error()));
        answer.trialId = planA.trials[1].id;
        answer.trialIndex = 1;
        const Status late = db.value()->recordResponse(id, planA.leaseToken, answer);
        QVERIFY2(!late.ok() && late.error().contains(QStringLiteral("taken over"))
                && late.error().contains(QStringLiteral("station-B")),
            qPrintable(late.error()));
        QVERIFY(!db.value()->renewSessionLease(id, planA.leaseToken).ok());

        auto planB = loadSession(*db.value(), id, QStringLiteral("station-B"));
        QVERIFY2(planB.ok(), qPrintable(planB.error()));
        QCOMPARE(planB->answered, QSet<int>({ 0 }));
        const auto run = runScriptedParticipant(*db.value(), planB.value(), ScriptedParticipant {});
        QVERIFY2(run.ok(), qPrintable(run.error()));
        const auto done = db.value()->session(id);
        QCOMPARE(done->state, SessionState::Finished);
        QCOMPARE(done->answeredCount, done->trialCount);
        QVERIFY(done->leaseStation.isEmpty());
    }

    // A station that does not share the researcher's disk fetches the files a published study shows
    // from the server, verified by SHA-256; a damaged copy is found and fetched again.
    void aStationFetchesTheFilesItLacks()
    {
        if (m_server.isEmpty())
            QSKIP(qPrintable(QStringLiteral("no PostgreSQL server: %1").arg(m_serverMissing)));
        const QString target = testing::newServerDatabase(
            m_serverBase, QStringLiteral("ntt_files_%1").arg(QCoreApplication::applicationPid()));
        QVERIFY(!target.isEmpty());
        CancelToken cancel;
        {
            auto file = StudyDatabase::open(m_file);
            auto server = StudyDatabase::open(target);
            QVERIFY(file.ok() && server.ok());
            const auto published = publishStudy(*file.value(), *server.value(), cancel, {});
            QVERIFY2(published.ok(), qPrintable(published.error()));
            QCOMPARE(published->files, int(file.value()->studyImages(m_studyId)->size()));
            QCOMPARE(published->transferred, published->files);
        }
        // Another computer: its own application data folder, and the pool folder out of reach.
        QTemporaryDir station;
        const QByteArray home = qgetenv("XDG_DATA_HOME");
        qputenv("XDG_DATA_HOME", station.path().toUtf8());
        const QString pool = m_dir.filePath(QStringLiteral("pool"));
        QVERIFY(QDir().rename(pool, pool + QStringLiteral(".away")));
        auto restore = qScopeGuard([&] {
            QDir().rename(pool + QStringLiteral(".away"), pool);
            qputenv("XDG_DATA_HOME", home);
        });
        auto db = StudyDatabase::open(target);
        QVERIFY(db.ok());
        const auto missing = checkStudyStimuli(*db.value(), m_studyId, cancel, {});
        QVERIFY(!missing.ok());
        QVERIFY2(missing.error().contains(QStringLiteral("ntt station prepare")), qPrintable(missing.error()));

        const auto fetched = prepareStation(*db.value(), m_studyId, cancel, {});
        QVERIFY2(fetched.ok(), qPrintable(fetched.error()));
        QCOMPARE(fetched->transferred, fetched->files);
        const auto files = db.value()->stimulusFiles(m_studyId);
        QVERIFY(files.ok());
        for (const auto& f : files.value()) {
            QVERIFY2(f.path.startsWith(station.path()), qPrintable(f.path));
            QCOMPARE(fileSha256(f.path), f.sha256);
        }
        QVERIFY(checkStudyStimuli(*db.value(), m_studyId, cancel, {}).ok());

        // One fetched file damaged on the station's disk: the check says so, prepare fetches it again.
        const QString damaged = files->cbegin()->path;
        QFile f(damaged);
        QVERIFY(f.open(QIODevice::Append));
        f.write("x");
        f.close();
        QVERIFY(!checkStudyStimuli(*db.value(), m_studyId, cancel, {}).ok());
        const auto again = prepareStation(*db.value(), m_studyId, cancel, {});
        QVERIFY2(again.ok(), qPrintable(again.error()));
        QCOMPARE(again->transferred, 1);
        QCOMPARE(again->present, again->files - 1);
        QCOMPARE(fileSha256(damaged), files->cbegin()->sha256);
        QVERIFY(checkStudyStimuli(*db.value(), m_studyId, cancel, {}).ok());
    }

    // A study file published to a server reads the same there (every export), and stations go on
    // there from the next participant index.
    void aPublishedFileReadsTheSameOnTheServer()
    {
        if (m_server.isEmpty())
            QSKIP(qPrintable(QStringLiteral("no PostgreSQL server: %1").arg(m_serverMissing)));
        const QString target = testing::newServerDatabase(
            m_serverBase, QStringLiteral("ntt_publish_%1").arg(QCoreApplication::applicationPid()));
        QVERIFY(!target.isEmpty());
        const testing::NttRun published = testing::runNtt({ QStringLiteral("study"), QStringLiteral("publish"),
            QStringLiteral("--db"), m_file, QStringLiteral("--server"), target });
        QVERIFY2(published.code == 0, qPrintable(published.err));
        for (const char* what : { "responses", "images" }) {
            QStringList csv;
            for (const QString& where : { m_file, target }) {
                const QString out
                    = m_dir.filePath(QStringLiteral("%1-%2.csv").arg(QLatin1String(what)).arg(csv.size()));
                const testing::NttRun exported = testing::runNtt({ QStringLiteral("export"), QStringLiteral("--db"),
                    where, QStringLiteral("--what"), QLatin1String(what), QStringLiteral("--out"), out });
                QVERIFY2(exported.code == 0, qPrintable(exported.err));
                QFile f(out);
                QVERIFY(f.open(QIODevice::ReadOnly));
                csv << QString::fromUtf8(f.readAll());
            }
            const QStringList file = csv[0].split(QLatin1Char('\n'));
            const QStringList server = csv[1].split(QLatin1Char('\n'));
            QCOMPARE(server.size(), file.size());
            QVERIFY(file.size() > 2);
            for (qsizetype i = 0; i < file.size(); ++i)
                QCOMPARE(server[i], file[i]);
        }
        auto db = StudyDatabase::open(target);
        QVERIFY(db.ok());
        const auto before = db.value()->sessions(m_studyId);
        auto plan = startSession(*db.value(), m_studyId, QString(), QStringLiteral("after"), true);
        QVERIFY2(plan.ok(), qPrintable(plan.error()));
        QCOMPARE(plan->session.participantIndex, int(before->size()));
        QVERIFY(plan->session.id > before->back().id);
        const testing::NttRun again = testing::runNtt({ QStringLiteral("study"), QStringLiteral("publish"),
            QStringLiteral("--db"), m_file, QStringLiteral("--server"), target });
        QCOMPARE(again.code, 1);
        QVERIFY2(again.err.contains(QStringLiteral("already holds a pool")), qPrintable(again.err));
    }

    // A copy taken while a session writes holds every committed answer, also those still in the
    // -wal file (a plain copy of the .ntt file has none of them).
    void aBackupDuringASessionHoldsEveryAnswer()
    {
        auto db = StudyDatabase::open(m_file);
        QVERIFY(db.ok());
        auto plan = startSession(*db.value(), m_studyId, QString(), QStringLiteral("station-C"), true);
        QVERIFY2(plan.ok(), qPrintable(plan.error()));
        ScriptedParticipant script;
        script.stopAfter = 4;
        QVERIFY(runScriptedParticipant(*db.value(), plan.value(), script).ok());

        const QString copy = m_dir.filePath(QStringLiteral("copy.ntt"));
        const testing::NttRun backup = testing::runNtt(
            { QStringLiteral("backup"), QStringLiteral("--db"), m_file, QStringLiteral("--out"), copy });
        QVERIFY2(backup.code == 0, qPrintable(backup.err));
        auto copied = StudyDatabase::open(copy, StudyDatabase::OpenMode::ExistingOnly);
        QVERIFY2(copied.ok(), qPrintable(copied.error()));
        QCOMPARE(copied.value()->answeredTrialIndices(plan->session.id).value().size(), 4);
        QCOMPARE(copied.value()->sessions(m_studyId)->size(), db.value()->sessions(m_studyId)->size());

        const testing::NttRun again = testing::runNtt(
            { QStringLiteral("backup"), QStringLiteral("--db"), m_file, QStringLiteral("--out"), copy });
        QCOMPARE(again.code, 1);
        QVERIFY2(again.err.contains(QStringLiteral("already exists")), qPrintable(again.err));
    }

    // A study file on read-only media (here: a folder and file this user cannot write; as root, the
    // commands run as "nobody") opens for analysis and export and says so; a write is a sentence.
    void aStudyFileOnReadOnlyMediaOpensForAnalysis()
    {
        QTemporaryDir media;
        QTemporaryDir outDir;
        const QString copy = media.filePath(QStringLiteral("study.ntt"));
        QVERIFY(backupStudyFile(m_file, copy).ok());
        const int rows = [&] {
            auto db = StudyDatabase::open(copy, StudyDatabase::OpenMode::ReadOnly);
            return db ? int(db.value()->responseRows(m_studyId)->size()) : -1;
        }();
        QVERIFY(rows > 0);
        {
            auto db = StudyDatabase::open(copy, StudyDatabase::OpenMode::ReadOnly);
            QVERIFY2(db.ok(), qPrintable(db.error()));
            QVERIFY(db.value()->isReadOnly());
            const auto refused = startSession(*db.value(), m_studyId, QString(), QStringLiteral("ro"), true);
            QVERIFY(!refused.ok());
            QVERIFY2(refused.error().contains(QStringLiteral("open read-only")), qPrintable(refused.error()));
        }
        QFile::setPermissions(copy, QFileDevice::ReadOwner | QFileDevice::ReadGroup | QFileDevice::ReadOther);
        QFile::setPermissions(media.path(),
            QFileDevice::ReadOwner | QFileDevice::ExeOwner | QFileDevice::ReadGroup | QFileDevice::ExeGroup
                | QFileDevice::ReadOther | QFileDevice::ExeOther);
        QFile::setPermissions(outDir.path(), QFileDevice::Permissions(0x7777));
        // Root writes anything: as root, run as an unprivileged user, as on a lab machine, with a copy
        // of ntt that user can reach (the build folder may be private).
        const QString ntt = outDir.filePath(QStringLiteral("ntt"));
        QVERIFY(QFile::copy(QStringLiteral(NTT_NTT_EXECUTABLE), ntt));
        // Under ThreadSanitizer (the tsan preset) the suppressions file goes along with the copy.
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        QString tsan = env.value(QStringLiteral("TSAN_OPTIONS"));
        static const QRegularExpression suppressions(QStringLiteral("suppressions=(\\S+)"));
        if (const auto m = suppressions.match(tsan); m.hasMatch()) {
            const QString reachable = outDir.filePath(QStringLiteral("tsan.supp"));
            QVERIFY(QFile::copy(m.captured(1), reachable));
            env.insert(QStringLiteral("TSAN_OPTIONS"), tsan.replace(m.captured(1), reachable));
        }
        const auto asUser = [&ntt, &env](const QStringList& args) {
            QProcess p;
            p.setProcessEnvironment(env);
            if (::geteuid() == 0)
                p.start(QStringLiteral("runuser"),
                    QStringList { QStringLiteral("-u"), QStringLiteral("nobody"), QStringLiteral("--"), ntt } + args);
            else
                p.start(QStringLiteral(NTT_NTT_EXECUTABLE), args);
            p.waitForFinished(120000);
            return std::make_pair(p.exitCode(), QString::fromUtf8(p.readAllStandardError()));
        };
        const QString csv = outDir.filePath(QStringLiteral("responses.csv"));
        const auto exported = asUser({ QStringLiteral("export"), QStringLiteral("--db"), copy, QStringLiteral("--what"),
            QStringLiteral("responses"), QStringLiteral("--out"), csv });
        QVERIFY2(exported.first == 0, qPrintable(exported.second));
        QVERIFY2(exported.second.contains(QStringLiteral("opened read-only")), qPrintable(exported.second));
        QFile file(csv);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QCOMPARE(file.readAll().count('\n'), rows + 1);
        const auto simulated = asUser({ QStringLiteral("session"), QStringLiteral("simulate"), QStringLiteral("--db"),
            copy, QStringLiteral("--participants"), QStringLiteral("1") });
        QCOMPARE(simulated.first, 1);
        QVERIFY2(simulated.second.contains(QStringLiteral("starting a session is not possible: the study file is open "
                                                          "read-only"))
                && !simulated.second.contains(QStringLiteral("readonly database")),
            qPrintable(simulated.second));
        QFile::setPermissions(media.path(), QFileDevice::Permissions(0x7700));
    }
};

QTEST_GUILESS_MAIN(Test_stations)
#include "tst_stations.moc"
