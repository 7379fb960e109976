// The files a study shows are checked before sessions and model runs: unchanged files cost a stat,
// changed ones are named, and lost or damaged normalised copies are made again from their originals.

#include "../common/demostudyfile.h"
#include "../common/runntt.h"
#include "stimuluscheck.h"
#include "studyfile.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

using namespace ntt;

namespace {

QByteArray readAll(const QString& path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

bool writeAll(const QString& path, const QByteArray& bytes)
{
    QFile f(path);
    return f.open(QIODevice::WriteOnly | QIODevice::Truncate) && f.write(bytes) == bytes.size();
}

} // namespace

class Test_stimuluscheck : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    std::unique_ptr<StudyDatabase> m_db;
    qint64 m_normalised = 0;
    qint64 m_originals = 0;

private Q_SLOTS:
    void initTestCase()
    {
        CancelToken cancel;
        auto made = testing::demoStudyFile(m_dir.path(), 3, 40);
        QVERIFY2(made.ok(), qPrintable(made.error()));
        m_db = std::move(made->db);
        StudyDefinition d;
        d.name = QStringLiteral("normalised");
        d.normalisation.enabled = true;
        d.normalisation.size = 32;
        d.normalisation.format = QStringLiteral("png");
        const auto normalised = createStudy(*m_db, d, cancel, {});
        QVERIFY2(normalised.ok(), qPrintable(normalised.error()));
        m_normalised = normalised->study.id;
        d.name = QStringLiteral("originals");
        d.normalisation.enabled = false;
        const auto originals = createStudy(*m_db, d, cancel, {});
        QVERIFY2(originals.ok(), qPrintable(originals.error()));
        m_originals = originals->study.id;
    }

    void unchangedFilesAreHashedOnce()
    {
        const auto first = checkStudyStimuli(*m_db, m_originals, CancelToken(), {});
        QVERIFY2(first.ok(), qPrintable(first.error()));
        QCOMPARE(first->files, int(m_db->studyImages(m_originals)->size()));
        QCOMPARE(first->hashed, first->files);
        const auto second = checkStudyStimuli(*m_db, m_originals, CancelToken(), {});
        QVERIFY(second.ok());
        QCOMPARE(second->hashed, 0);
        QVERIFY(second->rebuilt.isEmpty());
    }

    // The same bytes with a new time stamp are hashed again and pass; other bytes are named.
    void changedOriginalsAreNamed()
    {
        const auto images = m_db->studyImages(m_originals).value();
        const QString victim = images[2].path;
        const QByteArray original = readAll(victim);
        QVERIFY(writeAll(victim, original)); // touched, same bytes
        const auto touched = checkStudyStimuli(*m_db, m_originals, CancelToken(), {});
        QVERIFY2(touched.ok(), qPrintable(touched.error()));
        QVERIFY(touched->hashed >= 1);

        QByteArray other = original;
        other[other.size() / 2] = char(other[other.size() / 2] ^ 0x01);
        QVERIFY(writeAll(victim, other));
        const auto changed = checkStudyStimuli(*m_db, m_originals, CancelToken(), {});
        QVERIFY(!changed.ok());
        QVERIFY2(changed.error().contains(victim) && changed.error().contains(QStringLiteral("changed since the study"))
                && changed.error().contains(QStringLiteral("1 of its")),
            qPrintable(changed.error()));
        // The command line says the same, and exits 1.
        const testing::NttRun cli = testing::runNtt({ QStringLiteral("study"), QStringLiteral("check"),
            QStringLiteral("--db"), m_db->path(), QStringLiteral("--study"), QStringLiteral("originals") });
        QCOMPARE(cli.code, 1);
        QVERIFY2(cli.err.contains(victim), qPrintable(cli.err));

        QVERIFY(QFile::remove(victim));
        const auto missing = checkStudyStimuli(*m_db, m_originals, CancelToken(), {});
        QVERIFY(!missing.ok());
        QVERIFY2(missing.error().contains(victim + QStringLiteral(": missing")), qPrintable(missing.error()));
        QVERIFY(writeAll(victim, original));
        QVERIFY(checkStudyStimuli(*m_db, m_originals, CancelToken(), {}).ok());
    }

    // A deleted folder of normalised copies, or a damaged copy, is made again from the originals.
    void normalisedCopiesAreRebuilt()
    {
        const auto before = m_db->stimulusFiles(m_normalised).value();
        QVERIFY(checkStudyStimuli(*m_db, m_normalised, CancelToken(), {}).ok());
        const QString folder = QFileInfo(before.cbegin()->path).absolutePath();
        QVERIFY(QDir(folder).removeRecursively());
        const auto rebuilt = checkStudyStimuli(*m_db, m_normalised, CancelToken(), {});
        QVERIFY2(rebuilt.ok(), qPrintable(rebuilt.error()));
        QCOMPARE(int(rebuilt->rebuilt.size()), rebuilt->files);
        const auto after = m_db->stimulusFiles(m_normalised).value();
        for (auto it = before.cbegin(); it != before.cend(); ++it) {
            QCOMPARE(after.value(it.key()).path, it->path);
            QCOMPARE(after.value(it.key()).sha256, it->sha256); // PNG: the same bytes again
            QVERIFY(QFileInfo::exists(it->path));
        }

        const QString damaged = before.cbegin()->path;
        QVERIFY(writeAll(damaged, QByteArrayLiteral("not a png any more")));
        const auto repaired = checkStudyStimuli(*m_db, m_normalised, CancelToken(), {});
        QVERIFY2(repaired.ok(), qPrintable(repaired.error()));
        QCOMPARE(repaired->rebuilt, QStringList { damaged });
        QCOMPARE(QCryptographicHash::hash(readAll(damaged), QCryptographicHash::Sha256).toHex(),
            before.cbegin()->sha256.toLatin1());

        // Without a verified original, a lost copy cannot be made again: both files are named.
        const auto images = m_db->studyImages(m_normalised).value();
        const PoolImage& image = images.front();
        const QString copy = before.value(image.id).path;
        const QByteArray original = readAll(image.path);
        QVERIFY(QFile::remove(copy));
        QVERIFY(QFile::rename(image.path, image.path + QStringLiteral(".moved")));
        const auto lost = checkStudyStimuli(*m_db, m_normalised, CancelToken(), {});
        QVERIFY(!lost.ok());
        QVERIFY2(lost.error().contains(copy) && lost.error().contains(image.path), qPrintable(lost.error()));
        QVERIFY(QFile::rename(image.path + QStringLiteral(".moved"), image.path));
        QVERIFY(checkStudyStimuli(*m_db, m_normalised, CancelToken(), {}).ok());
        QCOMPARE(readAll(image.path), original);
    }
};

QTEST_GUILESS_MAIN(Test_stimuluscheck)
#include "tst_stimuluscheck.moc"
