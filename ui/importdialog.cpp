#include "importdialog.h"

#include "backgroundjob.h"
#include "pool/poolimport.h"
#include "pool/shortcutaudit.h"
#include "studydatabase.h"
#include "studyfile.h"
#include "widgethelpers.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFontDatabase>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QVBoxLayout>

namespace ntt {

namespace {

// What the worker hands back: counts and the finished texts, so the GUI thread formats nothing.
struct ImportSummary
{
    int added = 0;
    int alreadyPresent = 0;
    QString text;
};

Result<ImportSummary> runImport(
    const QString& studyFilePath, const ImportOptions& options, const CancelToken& cancel, const ProgressFn& progress)
{
    // The connection belongs to this worker thread: open it here, never share the GUI thread's.
    auto db = StudyDatabase::open(studyFilePath, StudyDatabase::OpenMode::ExistingOnly);
    if (!db)
        return Error { db.error() };
    auto outcome = importPool(*db.value(), options, cancel, progress);
    if (!outcome)
        return Error { outcome.error() };

    ImportSummary summary;
    summary.added = outcome->stored.added;
    summary.alreadyPresent = outcome->stored.alreadyPresent;
    QStringList parts;
    parts << formatImportReport(outcome->report).trimmed();
    parts << ImportDialog::tr("%1 new image(s), %2 already in the pool").arg(summary.added).arg(summary.alreadyPresent);
    parts << formatShortcutAudit(outcome->audit).trimmed();
    summary.text = parts.join(QStringLiteral("\n\n")) + QLatin1Char('\n');
    return summary;
}

} // namespace

ImportDialog::ImportDialog(const QString& studyFilePath, QWidget* parent)
    : QDialog(parent)
    , m_studyFilePath(studyFilePath)
    , m_location(new QLineEdit(this))
    , m_layout(new QComboBox(this))
    , m_realSource(new QLineEdit(this))
    , m_progress(new QProgressBar(this))
    , m_status(new QLabel(this))
    , m_report(new QPlainTextEdit(this))
    , m_folderButton(new QPushButton(tr("Folder…"), this))
    , m_manifestButton(new QPushButton(tr("Manifest…"), this))
    , m_import(new QPushButton(tr("Import"), this))
    , m_cancel(new QPushButton(tr("Cancel"), this))
    , m_job(new BackgroundJob(this))
{
    setWindowTitle(tr("Import images into the pool"));

    m_location->setPlaceholderText(tr("Folder of images, or a CSV manifest"));
    m_location->setClearButtonEnabled(true);
    m_folderButton->setAutoDefault(false);
    m_manifestButton->setAutoDefault(false);
    auto* locationRow = new QHBoxLayout;
    locationRow->addWidget(m_location, 1);
    locationRow->addWidget(m_folderButton);
    locationRow->addWidget(m_manifestButton);

    m_layout->addItem(tr("Auto-detect"), static_cast<int>(PoolLayout::Auto));
    m_layout->addItem(tr("Folder tree: <source>/[<category>/]<file>"), static_cast<int>(PoolLayout::Tree));
    m_layout->addItem(tr("CSV manifest"), static_cast<int>(PoolLayout::Manifest));
    m_layout->addItem(tr("CIFAKE: train|test/REAL|FAKE"), static_cast<int>(PoolLayout::Cifake));
    m_layout->addItem(tr("GenImage: <generator>/train|val/ai|nature"), static_cast<int>(PoolLayout::GenImage));

    m_realSource->setPlaceholderText(tr("real, human or nature by default"));

    auto* form = new QFormLayout;
    // A row holding a layout gets no buddy from QFormLayout: set it, or the '&' shows.
    auto* locationLabel = new QLabel(tr("&Location:"), this);
    locationLabel->setBuddy(m_location);
    form->addRow(locationLabel, locationRow);
    form->addRow(tr("La&yout:"), m_layout);
    form->addRow(tr("&Real source:"), m_realSource);

    m_progress->setRange(0, 100);
    m_progress->setValue(0);
    m_progress->setVisible(false);
    // Long file names in the status must not widen the dialog.
    m_status->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);

    m_report->setReadOnly(true);
    m_report->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_report->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_report->setPlaceholderText(tr("The import report and the shortcut audit of the pool appear here."));
    m_report->setMinimumSize(640, 320);

    m_import->setDefault(true);
    m_cancel->setAutoDefault(false);
    auto* buttons = new QDialogButtonBox(this);
    buttons->addButton(m_import, QDialogButtonBox::ActionRole);
    buttons->addButton(m_cancel, QDialogButtonBox::RejectRole);

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_progress);
    layout->addWidget(m_status);
    layout->addWidget(m_report, 1);
    layout->addWidget(buttons);

    connect(m_folderButton, &QPushButton::clicked, this, &ImportDialog::browseFolder);
    connect(m_manifestButton, &QPushButton::clicked, this, &ImportDialog::browseManifest);
    connect(m_import, &QPushButton::clicked, this, &ImportDialog::startImport);
    connect(m_cancel, &QPushButton::clicked, this, &ImportDialog::reject);
    connect(m_job, &BackgroundJob::progressed, this, [this](int percent, const QString& what) {
        m_progress->setValue(percent);
        m_status->setText(what.isEmpty() ? tr("Importing…") : tr("Importing %1…").arg(QDir::toNativeSeparators(what)));
    });
}

ImportDialog::~ImportDialog()
{
    // The worker holds no pointer to the dialog, but wait for it so the study file is closed on return.
    m_job->cancelAndWait();
}

QString ImportDialog::reportText() const
{
    return m_report->toPlainText();
}

bool ImportDialog::isImporting() const
{
    return m_job->isRunning();
}

void ImportDialog::reject()
{
    if (m_job->isRunning()) {
        m_cancelRequested = true;
        m_job->cancel();
        m_cancel->setEnabled(false);
        m_status->setText(tr("Cancelling…"));
        return;
    }
    QDialog::reject();
}

void ImportDialog::browseFolder()
{
    const QString folder
        = QFileDialog::getExistingDirectory(this, tr("Folder of images to import"), m_location->text().trimmed());
    if (!folder.isEmpty())
        m_location->setText(QDir::toNativeSeparators(folder));
}

void ImportDialog::browseManifest()
{
    const QString file = QFileDialog::getOpenFileName(this, tr("Manifest of images to import"),
        m_location->text().trimmed(), tr("CSV manifests (*.csv);;All files (*)"));
    if (file.isEmpty())
        return;
    m_location->setText(QDir::toNativeSeparators(file));
    m_layout->setCurrentIndex(m_layout->findData(static_cast<int>(PoolLayout::Manifest)));
}

void ImportDialog::startImport()
{
    if (m_job->isRunning())
        return;
    ImportOptions options;
    options.location = QDir::fromNativeSeparators(m_location->text().trimmed());
    if (options.location.isEmpty()) {
        m_status->setText(tr("Choose a folder or a CSV manifest to import first."));
        m_location->setFocus();
        return;
    }
    options.layout = static_cast<PoolLayout>(m_layout->currentData().toInt());
    options.realSource = m_realSource->text().trimmed();

    setBusy(true);
    m_cancelRequested = false;
    m_progress->setValue(0);
    m_status->setText(tr("Importing…"));
    showReport(QString(), false);
    const QString path = m_studyFilePath;
    m_job->start<ImportSummary>([path, options](const CancelToken& cancel,
                                    const ProgressFn& progress) { return runImport(path, options, cancel, progress); },
        [this](Result<ImportSummary> result) {
            const bool cancelled = m_cancelRequested;
            setBusy(false);
            if (!result) {
                if (cancelled) {
                    m_status->setText(tr("Import cancelled; nothing was stored."));
                    showReport(tr("Import cancelled: %1").arg(result.error()), true);
                } else {
                    m_status->setText(tr("Import failed."));
                    showReport(tr("Import failed: %1").arg(result.error()), true);
                }
                return;
            }
            m_status->setText(tr("Imported: %1 new image(s), %2 already in the pool.")
                                  .arg(result->added)
                                  .arg(result->alreadyPresent));
            showReport(result->text, false);
            m_cancel->setText(tr("Close"));
            Q_EMIT imported(result->added);
        });
}

void ImportDialog::setBusy(bool busy)
{
    m_import->setEnabled(!busy);
    m_location->setEnabled(!busy);
    m_layout->setEnabled(!busy);
    m_realSource->setEnabled(!busy);
    m_folderButton->setEnabled(!busy);
    m_manifestButton->setEnabled(!busy);
    m_cancel->setEnabled(true);
    m_cancel->setText(tr("Cancel"));
    m_progress->setVisible(busy);
}

void ImportDialog::showReport(const QString& text, bool failed)
{
    markFailed(m_report, QPalette::Text, failed);
    m_report->setPlainText(text);
}

} // namespace ntt
