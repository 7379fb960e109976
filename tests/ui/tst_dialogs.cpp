#include "importdialog.h"
#include "studydatabase.h"
#include "studyeditor.h"
#include "studyfile.h"

#include <QComboBox>
#include <QDir>
#include <QDirIterator>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

using namespace ntt;

namespace {

QString deepArtFolder()
{
    return QStringLiteral(NTT_SHARED_DATA_DIR "/deepart-sample");
}

// The number of image files the sample holds, counted from disk so the test follows the data.
int deepArtImageCount()
{
    const QStringList filters = { QStringLiteral("*.png"), QStringLiteral("*.jpg"), QStringLiteral("*.jpeg") };
    int count = 0;
    for (const char* source : { "human", "gpt4" }) {
        QDirIterator it(deepArtFolder() + QLatin1Char('/') + QLatin1String(source), filters, QDir::Files,
            QDirIterator::Subdirectories);
        for (; it.hasNext(); it.next())
            ++count;
    }
    return count;
}

// A new, empty study file: the dialogs open existing files only.
QString createStudyFile(const QTemporaryDir& dir, const QString& name)
{
    const QString path = dir.filePath(name);
    auto db = StudyDatabase::open(path);
    return db ? path : QString();
}

StudyDefinition pairDesign(const QString& name)
{
    StudyDefinition d;
    d.name = name;
    d.trialType = TrialType::PickReal;
    d.ways = 2;
    d.matching = RowMatching::PairKey;
    d.trialsPerParticipant = 20;
    d.practiceTrials = 2;
    return d;
}

} // namespace

class Test_dialogs : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_poolFile; ///< DeepArt imported once (through core) for the editor tests
    std::vector<PoolImage> m_pool;
    QString m_realSource;

    std::unique_ptr<StudyEditor> makeEditor()
    {
        auto editor = std::make_unique<StudyEditor>(m_poolFile, m_pool, m_realSource);
        editor->show();
        return editor;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QVERIFY2(QFileInfo(deepArtFolder()).isDir(), qPrintable(deepArtFolder()));
        QVERIFY(deepArtImageCount() > 0);
        m_poolFile = createStudyFile(m_dir, QStringLiteral("editor.ntt"));
        QVERIFY(!m_poolFile.isEmpty());
        auto db = StudyDatabase::open(m_poolFile, StudyDatabase::OpenMode::ExistingOnly);
        QVERIFY2(db, qPrintable(db.error()));
        ImportOptions options;
        options.location = deepArtFolder();
        const auto outcome = importPool(*db.value(), options, CancelToken(), {});
        QVERIFY2(outcome, qPrintable(outcome.error()));
        const auto pool = db.value()->poolImages();
        QVERIFY(pool);
        m_pool = pool.value();
        m_realSource = db.value()->realSource().value();
        QCOMPARE(m_realSource, QStringLiteral("human"));
    }

    // --- ImportDialog ---

    void importDialogImportsTheDeepArtSampleAndFlagsTheFormatShortcut()
    {
        const QString path = createStudyFile(m_dir, QStringLiteral("import.ntt"));
        QVERIFY(!path.isEmpty());
        const int expected = deepArtImageCount();

        ImportDialog dialog(path);
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        QTest::keyClicks(dialog.locationEdit(), deepArtFolder());
        QSignalSpy imported(&dialog, &ImportDialog::imported);
        QTest::mouseClick(dialog.importButton(), Qt::LeftButton);
        QVERIFY(dialog.isImporting());
        QVERIFY(!dialog.importButton()->isEnabled());
        QVERIFY(imported.wait(60000));
        QCOMPARE(imported.first().first().toInt(), expected);
        QVERIFY(!dialog.isImporting());
        QVERIFY(dialog.importButton()->isEnabled());

        auto db = StudyDatabase::open(path, StudyDatabase::OpenMode::ExistingOnly);
        QVERIFY2(db, qPrintable(db.error()));
        QCOMPARE(static_cast<int>(db.value()->poolImages()->size()), expected);
        QCOMPARE(db.value()->realSource().value(), QStringLiteral("human"));

        const QString report = dialog.reportText();
        QVERIFY2(report.contains(QStringLiteral("%1 new image(s), 0 already in the pool").arg(expected)),
            qPrintable(report));
        // Human scans are PNG, GPT-4 images JPEG: the audit must say the format gives real images away.
        QVERIFY2(report.contains(QStringLiteral("Warnings:")), qPrintable(report));
        QVERIFY2(report.contains(QStringLiteral("format separates real from generated images")), qPrintable(report));

        // Importing the same folder again adds nothing.
        imported.clear();
        QTest::mouseClick(dialog.importButton(), Qt::LeftButton);
        QVERIFY(imported.wait(60000));
        QCOMPARE(imported.first().first().toInt(), 0);
        QVERIFY(dialog.reportText().contains(QStringLiteral("0 new image(s), %1 already in the pool").arg(expected)));
        QCOMPARE(static_cast<int>(db.value()->poolImages()->size()), expected);
    }

    void importDialogNamesABadLocationAndStoresNothing()
    {
        const QString path = createStudyFile(m_dir, QStringLiteral("bad.ntt"));
        QVERIFY(!path.isEmpty());
        const QString missing = m_dir.filePath(QStringLiteral("no-such-folder"));

        ImportDialog dialog(path);
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        dialog.locationEdit()->setText(missing);
        QSignalSpy imported(&dialog, &ImportDialog::imported);
        QTest::mouseClick(dialog.importButton(), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(!dialog.isImporting(), 30000);
        QCOMPARE(imported.count(), 0);
        QVERIFY2(dialog.reportText().startsWith(QStringLiteral("Import failed: ")), qPrintable(dialog.reportText()));
        QVERIFY2(dialog.reportText().contains(QStringLiteral("no-such-folder")), qPrintable(dialog.reportText()));

        auto db = StudyDatabase::open(path, StudyDatabase::OpenMode::ExistingOnly);
        QVERIFY(db);
        QVERIFY(db.value()->poolImages()->empty());
    }

    void importDialogCancelStopsTheImportAndStaysOpen()
    {
        const QString path = createStudyFile(m_dir, QStringLiteral("cancelled.ntt"));
        ImportDialog dialog(path);
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        dialog.locationEdit()->setText(deepArtFolder());
        QSignalSpy imported(&dialog, &ImportDialog::imported);
        QTest::mouseClick(dialog.importButton(), Qt::LeftButton);
        QVERIFY(dialog.isImporting());
        dialog.reject(); // what Cancel and Escape do
        QVERIFY(dialog.isVisible());
        QTRY_VERIFY_WITH_TIMEOUT(!dialog.isImporting(), 30000);
        QVERIFY(dialog.isVisible());
        QCOMPARE(imported.count(), 0);
        QVERIFY2(dialog.reportText().startsWith(QStringLiteral("Import cancelled")), qPrintable(dialog.reportText()));
        auto db = StudyDatabase::open(path, StudyDatabase::OpenMode::ExistingOnly);
        QVERIFY(db);
        QVERIFY(db.value()->poolImages()->empty());
        dialog.reject(); // nothing running: closes
        QVERIFY(!dialog.isVisible());
    }

    void importDialogWithoutLocationStartsNothing()
    {
        const QString path = createStudyFile(m_dir, QStringLiteral("empty.ntt"));
        ImportDialog dialog(path);
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        QTest::mouseClick(dialog.importButton(), Qt::LeftButton);
        QVERIFY(!dialog.isImporting());
        QVERIFY(dialog.reportText().isEmpty());
        QVERIFY(dialog.isVisible());
    }

    void importDialogLayoutComboCoversEveryLayout()
    {
        ImportDialog dialog(m_dir.filePath(QStringLiteral("unused.ntt")));
        QCOMPARE(dialog.layoutCombo()->count(), 5);
        QVERIFY(dialog.realSourceEdit()->placeholderText().contains(QStringLiteral("human")));
    }

    // --- StudyEditor ---

    void editorDefinitionRoundTrips_data()
    {
        QTest::addColumn<QByteArray>("json");

        StudyDefinition full = pairDesign(QStringLiteral("Full"));
        full.ways = 3;
        full.sources = QStringList { QStringLiteral("human") };
        full.trialsPerParticipant = 33;
        full.practiceTrials = 4;
        full.catchTrials = 2;
        full.catchImages
            = QStringList { QStringLiteral("human/gushici-001.png"), QStringLiteral("gpt4/gushici-001.jpg") };
        full.breakEvery = 10;
        full.deadlineMs = 5000;
        full.minRtMs = 200;
        full.feedback = true;
        full.confidence = true;
        full.instructions = QStringLiteral("Pick the painting\nby a human.");
        full.consent = QStringLiteral("I agree.");
        full.seed = 18446744073709551615ULL;
        full.normalisation.enabled = true;
        full.normalisation.size = 256;
        full.normalisation.format = QStringLiteral("png");
        full.normalisation.quality = 75;
        full.background = Background { 0x1f, 0x61, 0xc8 };
        QTest::newRow("every field") << studyDefinitionToJson(full);
        full.background = Background { 0, 0, 0 };
        QTest::newRow("named background") << studyDefinitionToJson(full);

        StudyDefinition single;
        single.name = QStringLiteral("Single");
        single.trialType = TrialType::RealOrFake;
        single.ways = 1;
        single.matching = RowMatching::None;
        QTest::newRow("real-or-fake") << studyDefinitionToJson(single);

        StudyDefinition unknown = pairDesign(QStringLiteral("Unknown names"));
        unknown.sources = QStringList { QStringLiteral("gpt4"), QStringLiteral("human"), QStringLiteral("dalle2") };
        unknown.categories = QStringList { QStringLiteral("kite") };
        QTest::newRow("names the pool lacks") << studyDefinitionToJson(unknown);
    }

    void editorDefinitionRoundTrips()
    {
        QFETCH(QByteArray, json);
        const auto parsed = parseStudyDefinition(json, QStringLiteral("test"));
        QVERIFY2(parsed, qPrintable(parsed.error()));
        auto editor = makeEditor();
        editor->setDefinition(parsed.value());
        QCOMPARE(studyDefinitionToJson(editor->definition()), json);
    }

    void editorStoresAllSourcesAsEmptyList()
    {
        StudyDefinition d = pairDesign(QStringLiteral("All"));
        d.sources = QStringList { QStringLiteral("gpt4"), QStringLiteral("human") };
        d.categories = QStringList { QString() };
        auto editor = makeEditor();
        editor->setDefinition(d);
        QVERIFY(editor->definition().sources.isEmpty());
        QVERIFY(editor->definition().categories.isEmpty());
    }

    void editorNamesAPoolSourceTheDefinitionLacks()
    {
        StudyDefinition d = pairDesign(QStringLiteral("Missing generator"));
        d.sources = QStringList { QStringLiteral("human"), QStringLiteral("dalle2") };
        auto editor = makeEditor();
        editor->setDefinition(d);
        QVERIFY2(editor->checkText().contains(QStringLiteral("dalle2")), qPrintable(editor->checkText()));
        QVERIFY(!editor->createButton()->isEnabled());
    }

    void editorTypedNameIsInTheDefinition()
    {
        auto editor = makeEditor();
        QVERIFY(QTest::qWaitForWindowExposed(editor.get()));
        QVERIFY(!editor->createButton()->isEnabled()); // a new study has no name yet
        QTest::keyClicks(editor->nameEdit(), QStringLiteral("DeepArt pilot"));
        QCOMPARE(editor->definition().name, QStringLiteral("DeepArt pilot"));
        QTRY_VERIFY(editor->checkText().startsWith(QStringLiteral("OK")));
        QVERIFY(editor->createButton()->isEnabled());
        editor->nameEdit()->clear();
        QTRY_VERIFY(!editor->createButton()->isEnabled());
        QVERIFY2(editor->checkText().contains(QStringLiteral("name")), qPrintable(editor->checkText()));
    }

    // A colour typed into the background box is the definition's; one that is no colour is named.
    void editorTakesATypedBackground()
    {
        auto editor = makeEditor();
        editor->setDefinition(pairDesign(QStringLiteral("Background")));
        QComboBox* background = nullptr; // the one editable combo box
        for (QComboBox* combo : editor->findChildren<QComboBox*>())
            background = combo->isEditable() ? combo : background;
        QVERIFY(background);
        QCOMPARE(background->currentText(), QStringLiteral("white"));
        background->setEditText(QStringLiteral("#336699"));
        QCOMPARE(editor->definition().background.name(), QStringLiteral("#336699"));
        // NTT_SCREENSHOT_DIR=... keeps a picture of the editor, to look at as a researcher would.
        if (const QString shots = qEnvironmentVariable("NTT_SCREENSHOT_DIR"); !shots.isEmpty())
            editor->grab().save(shots + QStringLiteral("/study-editor.png"));
        background->setEditText(QStringLiteral("see-through"));
        QTRY_VERIFY(editor->checkText().contains(QStringLiteral("\"see-through\"")));
        QVERIFY(!editor->createButton()->isEnabled());
    }

    void editorRejectsAnImpossibleDesign()
    {
        // DeepArt pairs hold two images: no row of six can share a pair key.
        StudyDefinition impossible = pairDesign(QStringLiteral("Six ways"));
        impossible.ways = 6;
        auto editor = makeEditor();
        editor->setDefinition(impossible);
        QVERIFY2(editor->checkText().startsWith(QStringLiteral("Error")), qPrintable(editor->checkText()));
        QVERIFY2(editor->checkText().contains(QStringLiteral("pair-key")), qPrintable(editor->checkText()));
        QVERIFY(!editor->createButton()->isEnabled());

        editor->setDefinition(pairDesign(QStringLiteral("Two ways")));
        QVERIFY2(editor->checkText().startsWith(QStringLiteral("OK: each participant gets 22 trials")),
            qPrintable(editor->checkText()));
        QVERIFY(editor->createButton()->isEnabled());
    }

    void editorCreatesTheStudy_data()
    {
        QTest::addColumn<bool>("normalise");
        QTest::newRow("original stimuli") << false;
        QTest::newRow("normalised stimuli") << true;
    }

    void editorCreatesTheStudy()
    {
        QFETCH(bool, normalise);
        StudyDefinition d = pairDesign(normalise ? QStringLiteral("Pairs normalised") : QStringLiteral("Pairs"));
        d.normalisation.enabled = normalise;
        d.normalisation.size = 64;
        auto editor = makeEditor();
        QVERIFY(QTest::qWaitForWindowExposed(editor.get()));
        editor->setDefinition(d);
        QVERIFY(editor->createButton()->isEnabled());
        QSignalSpy created(editor.get(), &StudyEditor::studyCreated);
        QTest::mouseClick(editor->createButton(), Qt::LeftButton);
        QVERIFY(created.wait(60000));
        QCOMPARE(editor->result(), int(QDialog::Accepted));
        const qint64 id = created.first().first().toLongLong();

        auto db = StudyDatabase::open(m_poolFile, StudyDatabase::OpenMode::ExistingOnly);
        QVERIFY(db);
        const auto studies = db.value()->studies();
        QVERIFY(studies);
        const auto it = std::find_if(
            studies->begin(), studies->end(), [&](const StoredStudy& s) { return s.definition.name == d.name; });
        QVERIFY(it != studies->end());
        QCOMPARE(it->id, id);
        QCOMPARE(it->realSource, QStringLiteral("human"));
        QCOMPARE(studyDefinitionToJson(it->definition), studyDefinitionToJson(d));
        const auto paths = db.value()->stimulusPaths(id);
        QVERIFY(paths);
        QCOMPARE(paths->size(), static_cast<qsizetype>(m_pool.size()));
        for (const QString& p : paths.value())
            QCOMPARE(p.endsWith(QStringLiteral("-64.png")) || p.contains(QStringLiteral("-64-q")), normalise);
    }

    void editorSavesAndLoadsJson()
    {
        StudyDefinition d = pairDesign(QStringLiteral("Saved"));
        d.instructions = QStringLiteral("Which one did a person paint?");
        d.seed = 42;
        const QString file = m_dir.filePath(QStringLiteral("saved.json"));
        {
            auto editor = makeEditor();
            editor->setDefinition(d);
            QVERIFY(editor->saveDefinitionFile(file));
        }
        auto editor = makeEditor();
        const Status loaded = editor->loadDefinitionFile(file);
        QVERIFY2(loaded, qPrintable(loaded.error()));
        QCOMPARE(studyDefinitionToJson(editor->definition()), studyDefinitionToJson(d));

        QFile broken(m_dir.filePath(QStringLiteral("broken.json")));
        QVERIFY(broken.open(QIODevice::WriteOnly));
        broken.write(R"({"name": "x", "ways": "two"})");
        broken.close();
        const Status failed = editor->loadDefinitionFile(broken.fileName());
        QVERIFY(!failed);
        QVERIFY2(failed.error().contains(QStringLiteral("ways")), qPrintable(failed.error()));
        QCOMPARE(editor->definition().name, d.name); // the form is left as it was
    }
};

QTEST_MAIN(Test_dialogs)
#include "tst_dialogs.moc"
