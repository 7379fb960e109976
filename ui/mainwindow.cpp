#include "mainwindow.h"

#include "activitywatcher.h"
#include "backgroundjob.h"
#include "camview.h"
#include "dashboard.h"
#include "errorbrowser.h"
#include "importdialog.h"
#include "modelspanel.h"
#include "participantwindow.h"
#include "pool/shortcutaudit.h"
#include "settings.h"
#include "stationoutbox.h"
#include "stimulusstore.h"
#include "study/participantcode.h"
#include "studyeditor.h"
#include "studyexports.h"
#include "studyfile.h"
#include "widgethelpers.h"

#include <QAction>
#include <QApplication>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QEventLoop>
#include <QFileDialog>
#include <QFileInfo>
#include <QFontDatabase>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMenuBar>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QProgressDialog>
#include <QPushButton>
#include <QScreen>
#include <QSplitter>
#include <QStatusBar>
#include <QTabWidget>
#include <QTableWidget>
#include <QToolBar>
#include <QUuid>
#include <QVBoxLayout>

#include <map>
#include <optional>
#include <set>

namespace ntt {

namespace {

QString studySummary(const StoredStudy& s)
{
    const StudyDefinition& d = s.definition;
    QStringList lines;
    lines << QObject::tr("%1 (id %2), created %3").arg(d.name).arg(s.id).arg(s.createdUtc.toString(Qt::ISODate));
    lines << QObject::tr("Trial type: %1, %2 image(s) per trial, rows matched by %3")
                 .arg(trialTypeName(d.trialType))
                 .arg(d.ways)
                 .arg(rowMatchingName(d.matching));
    lines << QObject::tr("Per participant: %1 trials, %2 practice, %3 catch; break every %4")
                 .arg(d.trialsPerParticipant)
                 .arg(d.practiceTrials)
                 .arg(d.catchTrials)
                 .arg(d.breakEvery > 0 ? QString::number(d.breakEvery) : QObject::tr("(none)"));
    lines << QObject::tr("Sources: %1; categories: %2; real source: %3")
                 .arg(d.sources.isEmpty() ? QObject::tr("all") : d.sources.join(QStringLiteral(", ")),
                     d.categories.isEmpty() ? QObject::tr("all") : d.categories.join(QStringLiteral(", ")),
                     s.realSource);
    lines << QObject::tr("Deadline: %1; minimum RT: %2 ms; feedback: %3; confidence: %4; seed %5")
                 .arg(d.deadlineMs > 0 ? QObject::tr("%1 ms").arg(d.deadlineMs) : QObject::tr("none"))
                 .arg(d.minRtMs)
                 .arg(d.feedback ? QObject::tr("on") : QObject::tr("off"),
                     d.confidence ? QObject::tr("on") : QObject::tr("off"))
                 .arg(d.seed);
    lines << (d.normalisation.enabled ? QObject::tr("Stimuli normalised to %1 x %2 px %3 (quality %4)")
                                            .arg(d.normalisation.size)
                                            .arg(d.normalisation.size)
                                            .arg(d.normalisation.format)
                                            .arg(d.normalisation.quality)
                                      : QObject::tr("Stimuli shown as imported (not normalised)"));
    lines << QObject::tr("Transparent pixels shown on %1").arg(d.background.name());
    lines << QString() << QObject::tr("Instructions:") << d.instructions;
    return lines.join(QLatin1Char('\n'));
}

} // namespace

MainWindow::MainWindow(QWidget* parent)
    : QMainWindow(parent)
    , m_tabs(new QTabWidget(this))
    , m_banner(new QLabel(this))
    , m_poolTable(new QTableWidget(this))
    , m_auditText(new QPlainTextEdit(this))
    , m_studyList(new QListWidget(this))
    , m_studyDetails(new QPlainTextEdit(this))
    , m_sessionTable(new QTableWidget(this))
    , m_watchStations(new QTimer(this))
    , m_sessionsHint(new QLabel(this))
    , m_models(new ModelsPanel(this))
    , m_camView(new CamView(this))
    , m_dashboard(new Dashboard(this))

    , m_errors(new ErrorBrowser(this))

    , m_demoJob(new BackgroundJob(this))
    , m_exportJob(new BackgroundJob(this))
{
    setWindowTitle(tr("NameThatTrue"));
    setWindowIcon(QIcon(QStringLiteral(":/ntt/icons/namethattrue.svg")));
    resize(1100, 720);

    // The station journal's backlog, from the outbox's last pass (no query on this thread).
    m_watchStations->setInterval(1000);
    connect(m_watchStations, &QTimer::timeout, this, &MainWindow::showBacklog);
    m_watchStations->start();
    m_backlog = new QLabel(this);
    m_backlog->setVisible(false);
    statusBar()->addPermanentWidget(m_backlog);

    m_banner->setVisible(false);
    m_banner->setAlignment(Qt::AlignCenter);
    m_banner->setStyleSheet(
        QStringLiteral("QLabel { background: #fff3cd; color: #664d03; padding: 6px; font-weight: bold; }"));

    const QFont mono = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    m_auditText->setReadOnly(true);
    m_auditText->setFont(mono);
    m_auditText->setPlaceholderText(tr("Import images to see the pool and its shortcut audit."));
    m_poolTable->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_poolTable->verticalHeader()->setVisible(false);

    auto* poolPage = new QSplitter(Qt::Vertical);
    auto* poolTop = new QWidget;
    auto* poolTopLayout = new QVBoxLayout(poolTop);
    poolTopLayout->setContentsMargins(8, 8, 8, 0);
    poolTopLayout->addWidget(new QLabel(tr("Images per source and category")));
    poolTopLayout->addWidget(m_poolTable);
    auto* poolBottom = new QWidget;
    auto* poolBottomLayout = new QVBoxLayout(poolBottom);
    poolBottomLayout->setContentsMargins(8, 0, 8, 8);
    poolBottomLayout->addWidget(new QLabel(tr("Shortcut audit: file properties that could give real images away")));
    poolBottomLayout->addWidget(m_auditText);
    poolPage->addWidget(poolTop);
    poolPage->addWidget(poolBottom);

    m_studyDetails->setReadOnly(true);
    auto* studyPage = new QSplitter(Qt::Horizontal);
    studyPage->addWidget(m_studyList);
    studyPage->addWidget(m_studyDetails);
    studyPage->setStretchFactor(1, 3);

    m_sessionTable->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_sessionTable->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_sessionTable->setSelectionMode(QAbstractItemView::SingleSelection);
    m_sessionTable->verticalHeader()->setVisible(false);
    auto* sessionPage = new QWidget;
    auto* sessionLayout = new QVBoxLayout(sessionPage);
    sessionLayout->addWidget(m_sessionsHint);
    sessionLayout->addWidget(m_sessionTable);

    m_tabs->addTab(poolPage, tr("Pool"));
    m_tabs->addTab(studyPage, tr("Studies"));
    m_tabs->addTab(sessionPage, tr("Sessions"));
    m_tabs->addTab(m_models, tr("Models"));
    m_tabs->addTab(m_dashboard, tr("Dashboard"));
    m_tabs->addTab(m_camView, tr("Attention"));

    m_tabs->addTab(m_errors, tr("Errors"));

    connect(m_models, &ModelsPanel::modelsChanged, m_camView, &CamView::reload);
    connect(m_models, &ModelsPanel::modelsChanged, m_dashboard, &Dashboard::scheduleRefresh);
    // A bar or a point of the dashboard opens the images behind it in the error browser.
    connect(m_dashboard, &Dashboard::imagesSelected, this, [this](const QList<qint64>& ids, const QString& title) {
        m_errors->showSelection(ids, title);
        m_tabs->setCurrentWidget(m_errors);
    });
    connect(m_models, &ModelsPanel::modelsChanged, m_errors, &ErrorBrowser::reload);

    auto* central = new QWidget;
    auto* layout = new QVBoxLayout(central);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_banner);
    layout->addWidget(m_tabs);
    setCentralWidget(central);

    buildActions();
    connect(m_studyList, &QListWidget::currentRowChanged, this, [this] {
        refreshStudies();
        refreshSessions();
        setStudyOfPanels();
    });
    statusBar()->showMessage(tr("Open or create a study file to begin."));
    refresh();
}

MainWindow::~MainWindow() = default;

void MainWindow::buildActions()
{
    QMenu* file = menuBar()->addMenu(tr("&File"));
    QToolBar* bar = addToolBar(tr("Main"));
    bar->setMovable(false);
    bar->setToolButtonStyle(Qt::ToolButtonTextOnly);

    // needsFile: disabled without an open study file; blocking: disabled while a participant session
    // runs, since it would replace the file under it or compete for its writes.
    auto add
        = [this](QMenu* menu, const QString& text, const QKeySequence& key, auto slot, bool needsFile, bool blocking) {
              QAction* a = menu->addAction(text, this, slot);
              a->setShortcut(key);
              if (needsFile)
                  m_fileActions << a;
              if (blocking)
                  m_sessionBlockedActions << a;
              return a;
          };
    add(file, tr("&New study file…"), QKeySequence::New, &MainWindow::newStudyFile, false, true);
    add(file, tr("&Open study file…"), QKeySequence::Open, &MainWindow::openStudyFileDialog, false, true);
    add(file, tr("Open study on a &server…"), QKeySequence(), &MainWindow::openServerStudyDialog, false, true);
    add(file, tr("&Publish study to a server…"), QKeySequence(), &MainWindow::publishDialog, true, true);
    file->addSeparator();
    QAction* import
        = add(file, tr("&Import images…"), QKeySequence(tr("Ctrl+I")), &MainWindow::importImages, true, true);
    QAction* exportCsv = add(file, tr("&Export responses CSV…"), QKeySequence(tr("Ctrl+E")),
        &MainWindow::exportResponsesDialog, true, false);
    add(file, tr("Export &summary tables…"), QKeySequence(), &MainWindow::exportSummariesDialog, true, false);
    add(file, tr("Export &Psych-DS dataset…"), QKeySequence(), &MainWindow::exportPsychDsDialog, true, false);
    // Excel opened by a double-click reads a CSV as UTF-8 only after a byte-order mark; R and pandas
    // read either. The save dialogs offer the same choice and remember it here.
    QAction* forExcel = file->addAction(tr("CSV files for E&xcel (UTF-8 byte-order mark)"));
    forExcel->setCheckable(true);
    forExcel->setChecked(AppSettings::csvForExcel());
    connect(forExcel, &QAction::toggled, this, [](bool on) { AppSettings::setCsvForExcel(on); });
    connect(file, &QMenu::aboutToShow, forExcel, [forExcel] { forExcel->setChecked(AppSettings::csvForExcel()); });

    file->addSeparator();
    file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);

    QMenu* study = menuBar()->addMenu(tr("&Study"));
    QAction* newStudy
        = add(study, tr("&New study…"), QKeySequence(tr("Ctrl+Shift+N")), &MainWindow::newStudy, true, true);
    QAction* run = add(study, tr("&Run participant session…"), QKeySequence(tr("Ctrl+R")),
        &MainWindow::startSessionDialog, true, true);
    QAction* resume
        = add(study, tr("Re&sume selected session…"), QKeySequence(), &MainWindow::resumeSelectedSession, true, true);

    bar->addAction(import);
    bar->addAction(newStudy);
    bar->addAction(run);
    bar->addAction(resume);
    bar->addAction(exportCsv);
}

bool MainWindow::openStudyFile(const QString& path)
{
    auto db = StudyDatabase::open(path);
    if (!db) {
        showError(db.error());
        return false;
    }
    m_outbox.reset();
    m_watcher.reset();
    m_db = std::move(db).value();
    // Stations share a study (a file in a shared folder, or a server): one small query every 2 s,
    // on the watcher's thread, shows their answers and sessions here as they come.
    m_watcher = std::make_unique<ActivityWatcher>(m_db->path(), 2000);
    connect(m_watcher.get(), &ActivityWatcher::changed, this, &MainWindow::otherStationsWrote);
    connect(m_watcher.get(), &ActivityWatcher::unreachable, this, [this](const QString& reason) {
        statusBar()->showMessage(
            tr("The study cannot be read just now (answers at this station are kept): %1").arg(reason));
    });
    connect(m_watcher.get(), &ActivityWatcher::reachable, this,
        [this] { statusBar()->showMessage(tr("The study can be read again."), 5000); });
    // A server study: this station's answers go to its journal first and are sent from there.
    if (StudyDatabase::isServerLocation(m_db->path())) {
        auto outbox = StationOutbox::open(m_db->path());
        if (outbox)
            m_outbox = std::move(outbox).value();
        else
            showError(outbox.error());
    }
    showBacklog();
    AppSettings::setLastStudyFile(m_db->path());
    setWindowTitle(m_db->isReadOnly() ? tr("NameThatTrue — %1 (read-only)").arg(QFileInfo(m_db->path()).fileName())
                                      : tr("NameThatTrue — %1").arg(QFileInfo(m_db->path()).fileName()));
    statusBar()->showMessage(m_db->isReadOnly()
            ? tr("%1 cannot be written (read-only media or folder): opened for analysis and export only.")
                  .arg(m_db->path())
            : m_db->path());
    refresh();
    Q_EMIT studyFileOpened(m_db->path());
    return true;
}

void MainWindow::openDemo(const QString& folder)
{
    auto* progress = new QProgressDialog(tr("Creating the synthetic demo study…"), tr("Cancel"), 0, 100, this);
    progress->setWindowModality(Qt::WindowModal);
    progress->setMinimumDuration(300);
    connect(m_demoJob, &BackgroundJob::progressed, progress, &QProgressDialog::setValue);
    connect(m_demoJob, &BackgroundJob::progressed, this, &MainWindow::demoProgressed, Qt::UniqueConnection);
    connect(progress, &QProgressDialog::canceled, m_demoJob, &BackgroundJob::cancel);
    m_demoJob->start<DemoStudy>([folder](const CancelToken& cancel,
                                    const ProgressFn& report) { return ensureDemoStudy(folder, cancel, report); },
        [this, progress](Result<DemoStudy> demo) {
            progress->deleteLater();
            if (!demo) {
                showError(demo.error());
                return;
            }
            if (openStudyFile(demo->databasePath))
                Q_EMIT demoReady(demo->databasePath);
        });
}

void MainWindow::updateActions()
{
    const bool running = !m_participant.isNull();
    for (QAction* a : std::as_const(m_fileActions))
        a->setEnabled(m_db != nullptr);
    for (QAction* a : std::as_const(m_sessionBlockedActions))
        a->setEnabled(!running && (m_db != nullptr || !m_fileActions.contains(a)));
}

void MainWindow::refresh()
{
    updateActions();
    QString label;
    if (m_db) {
        const auto meta = m_db->metaValue(QStringLiteral("label"));
        label = meta ? meta.value() : QString();
    }
    m_banner->setText(label);
    m_banner->setVisible(!label.isEmpty());
    refreshPool();
    refreshStudies();
    refreshSessions();
    setStudyOfPanels();
}

void MainWindow::setStudyOfPanels()
{
    const QString path = m_db ? m_db->path() : QString();
    m_models->setStudy(path, selectedStudyId());
    m_camView->setStudy(path, selectedStudyId());
    m_dashboard->setStudy(path, selectedStudyId());

    m_errors->setStudy(m_db.get(), selectedStudyId());
}

void MainWindow::showBacklog()
{
    m_backlog->setVisible(m_outbox != nullptr);
    if (!m_outbox)
        return;
    const StationOutbox::State state = m_outbox->state();
    const StationJournal::Backlog& b = state.backlog;
    QString text;
    if (b.refused > 0)
        text = tr("Station journal: %n entries refused by the server", nullptr, b.refused);
    else if (b.pending() > 0)
        text = tr("Station journal: %n answer(s) waiting for the server", nullptr, b.pendingAnswers);
    else
        text = state.connected ? tr("Station journal: every answer is on the server")
                               : tr("Station journal: server not reached yet");
    if (!state.connected && !state.connectionError.isEmpty())
        text += tr(" (server unreachable)");
    m_backlog->setText(text);
    QStringList details { tr("Journal: %1").arg(m_outbox->journal().path()) };
    if (!state.connectionError.isEmpty())
        details << state.connectionError;
    details += b.refusals;
    m_backlog->setToolTip(details.join(QLatin1Char('\n')));
    m_backlog->setStyleSheet(b.refused > 0 || (!state.connected && b.pending() > 0)
            ? QStringLiteral("QLabel { color: #b02a37; font-weight: bold; }")
            : QString());
}

void MainWindow::otherStationsWrote()
{
    // Not while a participant sits here: this station's own answers refresh the views already,
    // and nothing may compete with stimulus timing.
    if (!m_db || m_participant)
        return;
    refreshSessions();
    m_dashboard->scheduleRefresh();
}

void MainWindow::answersChanged()
{
    if (!m_db)
        return;
    // Models that already ran on the study answer the trials of the new session from their stored
    // predictions, so the comparison stays complete without a new run.
    const qint64 studyId = selectedStudyId();
    if (studyId > 0) {
        const auto answered = answerNewTrials(*m_db, studyId);
        if (!answered)
            showError(answered.error());
    }
    m_camView->reload();
    m_errors->reload();
    m_dashboard->scheduleRefresh();
}

void MainWindow::exportStudyFiles(ExportKind kind, const QString& folder)
{
    const qint64 studyId = selectedStudyId();
    if (!m_db || studyId == 0) {
        showError(tr("Select a study first."));
        return;
    }
    const QString file = m_db->path();
    const AnalysisOptions options = m_dashboard->options();
    // Psych-DS data files stay plain UTF-8, as the standard's tools expect.
    const bool excel = AppSettings::csvForExcel();
    statusBar()->showMessage(tr("Exporting to %1…").arg(QDir::toNativeSeparators(folder)));
    // The analysis of a large study takes seconds: it runs on a worker with its own connection.
    m_exportJob->start<QStringList>(
        [file, studyId, folder, options, kind, excel](const CancelToken&, const ProgressFn&) -> Result<QStringList> {
            auto db = StudyDatabase::open(file, StudyDatabase::OpenMode::ExistingOnly);
            if (!db)
                return Error { db.error() };
            if (kind == ExportKind::PsychDs)
                return exportPsychDs(*db.value(), studyId, folder, options);
            auto files = exportSummaryTables(*db.value(), studyId, folder, options);
            if (files && excel) {
                if (const Status s = addExcelByteOrderMarks(files.value()); !s)
                    return Error { s.error() };
            }
            return files;
        },
        [this, folder](Result<QStringList> files) {
            if (!files) {
                showError(files.error());
                return;
            }
            statusBar()->showMessage(
                tr("Wrote %n file(s) to %1 (analysis options as on the dashboard)", nullptr, int(files->size()))
                    .arg(QDir::toNativeSeparators(folder)));
            Q_EMIT exported(files.value());
        });
}

void MainWindow::exportSummariesDialog()
{
    const QString folder = QFileDialog::getExistingDirectory(
        this, tr("Folder for the summary tables"), QFileInfo(m_db ? m_db->path() : QString()).absolutePath());
    if (!folder.isEmpty())
        exportStudyFiles(ExportKind::Summaries, folder);
}

void MainWindow::exportPsychDsDialog()
{
    const QString folder
        = QFileDialog::getExistingDirectory(this, tr("Folder for the Psych-DS dataset (an empty folder)"),
            QFileInfo(m_db ? m_db->path() : QString()).absolutePath());
    if (!folder.isEmpty())
        exportStudyFiles(ExportKind::PsychDs, folder);
}

void MainWindow::refreshPool()
{
    m_poolTable->clear();
    m_auditText->clear();
    if (!m_db)
        return;
    const auto pool = loadPool(*m_db);
    if (!pool) {
        showError(pool.error());
        return;
    }
    const QString& real = pool->realSource;
    std::set<QString> sources;
    std::set<QString> categories;
    std::map<std::pair<QString, QString>, int> counts;
    for (const PoolImage& image : pool->images) {
        sources.insert(image.source);
        categories.insert(image.category);
        ++counts[{ image.source, image.category }];
    }
    // The real source first, then the generators in name order.
    QStringList sourceList(sources.begin(), sources.end());
    if (sourceList.removeOne(real))
        sourceList.prepend(real);
    const QStringList categoryList(categories.begin(), categories.end());
    m_poolTable->setRowCount(static_cast<int>(sourceList.size()) + 1);
    m_poolTable->setColumnCount(static_cast<int>(categoryList.size()) + 2);
    QStringList header { tr("Source") };
    for (const QString& c : categoryList)
        header << (c.isEmpty() ? tr("(no category)") : c);
    header << tr("Total");
    m_poolTable->setHorizontalHeaderLabels(header);
    std::vector<int> columnTotals(categoryList.size(), 0);
    for (int r = 0; r < sourceList.size(); ++r) {
        const QString& s = sourceList[r];
        m_poolTable->setItem(r, 0, readOnlyItem(s == real ? tr("%1 (real)").arg(s) : s));
        int total = 0;
        for (int c = 0; c < categoryList.size(); ++c) {
            const int n = counts[{ s, categoryList[c] }];
            total += n;
            columnTotals[c] += n;
            m_poolTable->setItem(r, c + 1, readOnlyItem(QString::number(n), true));
        }
        m_poolTable->setItem(r, static_cast<int>(categoryList.size()) + 1, readOnlyItem(QString::number(total), true));
    }
    const int last = static_cast<int>(sourceList.size());
    m_poolTable->setItem(last, 0, readOnlyItem(tr("Total")));
    for (int c = 0; c < categoryList.size(); ++c)
        m_poolTable->setItem(last, c + 1, readOnlyItem(QString::number(columnTotals[c]), true));
    m_poolTable->setItem(
        last, static_cast<int>(categoryList.size()) + 1, readOnlyItem(QString::number(pool->images.size()), true));
    m_poolTable->resizeColumnsToContents();
    if (!pool->images.empty())
        m_auditText->setPlainText(formatShortcutAudit(auditShortcuts(pool->images, real)));
}

void MainWindow::refreshStudies()
{
    const qint64 selected = selectedStudyId();
    if (!m_db) {
        m_studyList->clear();
        m_studyDetails->clear();
        return;
    }
    const auto studies = m_db->studies();
    if (!studies) {
        showError(studies.error());
        return;
    }
    const QSignalBlocker blocker(m_studyList);
    m_studyList->clear();
    int row = 0;
    for (const StoredStudy& s : studies.value()) {
        auto* it = new QListWidgetItem(s.definition.name, m_studyList);
        it->setData(Qt::UserRole, s.id);
        if (s.id == selected)
            row = m_studyList->count() - 1;
    }
    m_studyList->setCurrentRow(studies->empty() ? -1 : row);
    m_studyDetails->setPlainText(studies->empty() ? tr("No study yet: use Study > New study…")
                                                  : studySummary(studies->at(static_cast<std::size_t>(row))));
}

void MainWindow::refreshSessions()
{
    m_sessionTable->clear();
    const QStringList header = { tr("Session"), tr("Participant"), tr("State"), tr("Answered"), tr("Station"),
        tr("Simulated"), tr("Started (UTC)"), tr("Running at") };
    m_sessionTable->setColumnCount(static_cast<int>(header.size()));
    m_sessionTable->setHorizontalHeaderLabels(header);
    m_sessionTable->setRowCount(0);
    const qint64 studyId = selectedStudyId();
    if (!m_db || studyId == 0) {
        m_sessionsHint->setText(tr("No study selected."));
        return;
    }
    const auto sessions = m_db->sessions(studyId);
    if (!sessions) {
        showError(sessions.error());
        return;
    }
    m_sessionTable->setRowCount(static_cast<int>(sessions->size()));
    int open = 0;
    for (int r = 0; r < static_cast<int>(sessions->size()); ++r) {
        const SessionInfo& s = sessions->at(static_cast<std::size_t>(r));
        open += s.state == SessionState::Open ? 1 : 0;
        auto* id = readOnlyItem(QString::number(s.id), true);
        id->setData(Qt::UserRole, s.id);
        m_sessionTable->setItem(r, 0, id);
        m_sessionTable->setItem(r, 1, readOnlyItem(s.participantCode));
        m_sessionTable->setItem(r, 2, readOnlyItem(sessionStateName(s.state)));
        m_sessionTable->setItem(
            r, 3, readOnlyItem(QStringLiteral("%1 / %2").arg(s.answeredCount).arg(s.trialCount), true));
        m_sessionTable->setItem(r, 4, readOnlyItem(s.station));
        m_sessionTable->setItem(r, 5, readOnlyItem(s.simulated ? tr("yes") : tr("no")));
        m_sessionTable->setItem(r, 6, readOnlyItem(s.startedUtc.toString(Qt::ISODate)));
        // The lease: which station runs an open session now, and when it was last heard from.
        const qint64 silent
            = s.leaseHeartbeatUtc.isValid() ? s.leaseHeartbeatUtc.secsTo(QDateTime::currentDateTimeUtc()) : 0;
        m_sessionTable->setItem(r, 7,
            readOnlyItem(s.leaseStation.isEmpty() ? QString()
                    : silent >= kSessionLeaseStaleSeconds
                    ? tr("%1 (silent for %2 min: take over with Resume)").arg(s.leaseStation).arg(silent / 60)
                    : s.leaseStation));
    }
    m_sessionTable->resizeColumnsToContents();
    m_sessionTable->horizontalHeader()->setStretchLastSection(true);
    m_sessionsHint->setText(tr("%n session(s)", nullptr, static_cast<int>(sessions->size()))
        + (open > 0 ? tr("; %n unfinished: select one and use Study > Resume selected session", nullptr, open)
                    : QString()));
}

qint64 MainWindow::selectedStudyId() const
{
    const QListWidgetItem* it = m_studyList->currentItem();
    return it ? it->data(Qt::UserRole).toLongLong() : 0;
}

qint64 MainWindow::selectedSessionId() const
{
    const int row = m_sessionTable->currentRow();
    const QTableWidgetItem* it = row >= 0 ? m_sessionTable->item(row, 0) : nullptr;
    return it ? it->data(Qt::UserRole).toLongLong() : 0;
}

void MainWindow::newStudyFile()
{
    const QString path
        = QFileDialog::getSaveFileName(this, tr("New study file"), QString(), tr("NameThatTrue study (*.ntt)"));
    if (!path.isEmpty())
        openStudyFile(path.endsWith(QLatin1String(".ntt")) ? path : path + QStringLiteral(".ntt"));
}

void MainWindow::openStudyFileDialog()
{
    const QString path = QFileDialog::getOpenFileName(
        this, tr("Open study file"), QString(), tr("NameThatTrue study (*.ntt);;All files (*)"));
    if (!path.isEmpty() && openStudyFile(path))
        offerResume();
}

void MainWindow::openServerStudyDialog()
{
    // The address only: libpq takes the password from PGPASSWORD or ~/.pgpass, so none is stored.
    bool ok = false;
    const QString address = QInputDialog::getText(this, tr("Open study on a server"),
        tr("PostgreSQL address (postgresql://USER@HOST[:PORT]/DATABASE).\nThe password comes from the PGPASSWORD "
           "environment variable or the ~/.pgpass file, never from here."),
        QLineEdit::Normal, AppSettings::lastServerStudy(), &ok)
                                .trimmed();
    if (!ok || address.isEmpty())
        return;
    QApplication::setOverrideCursor(Qt::WaitCursor);
    const bool opened = openStudyFile(address);
    QApplication::restoreOverrideCursor();
    if (opened) {
        AppSettings::setLastServerStudy(m_db->path());
        offerResume();
    }
}

void MainWindow::publishDialog()
{
    if (!m_db)
        return;
    if (StudyDatabase::isServerLocation(m_db->path())) {
        showError(tr("%1 is on a server already: stations open it there.").arg(m_db->path()));
        return;
    }
    bool ok = false;
    const QString address = QInputDialog::getText(this, tr("Publish study to a server"),
        tr("Copy this study file, with the image files its studies show, to a new, empty PostgreSQL database.\n"
           "Address (postgresql://USER@HOST[:PORT]/DATABASE); the password comes from PGPASSWORD or ~/.pgpass:"),
        QLineEdit::Normal, QStringLiteral("postgresql://"), &ok)
                                .trimmed();
    if (ok && !address.isEmpty())
        publishToServer(address);
}

void MainWindow::publishToServer(const QString& address)
{
    if (!m_db)
        return;
    auto* job = new BackgroundJob(this);
    auto* progress = new QProgressDialog(tr("Publishing the study to %1…").arg(address), tr("Cancel"), 0, 100, this);
    progress->setWindowModality(Qt::WindowModal);
    progress->setMinimumDuration(300);
    connect(job, &BackgroundJob::progressed, progress, &QProgressDialog::setValue);
    connect(progress, &QProgressDialog::canceled, job, &BackgroundJob::cancel);
    const QString file = m_db->path();
    job->start<StimulusTransfer>(
        [file, address](const CancelToken& cancel, const ProgressFn& report) -> Result<StimulusTransfer> {
            auto from = StudyDatabase::open(file, StudyDatabase::OpenMode::ExistingOnly);
            if (!from)
                return Error { from.error() };
            auto to = StudyDatabase::open(address);
            if (!to)
                return Error { to.error() };
            return publishStudy(*from.value(), *to.value(), cancel, report);
        },
        [this, job, progress, address](Result<StimulusTransfer> done) {
            progress->deleteLater();
            job->deleteLater();
            if (!done) {
                showError(done.error());
                return;
            }
            if (openStudyFile(address)) {
                AppSettings::setLastServerStudy(m_db->path());
                statusBar()->showMessage(
                    tr("Published with %n image file(s); stations open %1 (File › Open study on a server).", nullptr,
                        done->files)
                        .arg(m_db->path()));
            }
            Q_EMIT published(address);
        });
}

void MainWindow::importImages()
{
    if (!m_db)
        return;
    ImportDialog dialog(m_db->path(), this);
    connect(&dialog, &ImportDialog::imported, this, [this] { refresh(); });
    dialog.exec();
}

void MainWindow::newStudy()
{
    if (!m_db)
        return;
    const auto pool = loadPool(*m_db);
    if (!pool) {
        showError(pool.error());
        return;
    }
    if (pool->images.empty()) {
        showError(tr("The pool is empty: import images first (File > Import images…)."));
        return;
    }
    StudyEditor editor(m_db->path(), pool->images, pool->realSource, this);
    connect(&editor, &StudyEditor::studyCreated, this, [this] {
        refreshStudies();
        m_studyList->setCurrentRow(m_studyList->count() - 1);
        m_tabs->setCurrentIndex(1);
    });
    editor.exec();
}

void MainWindow::startSessionDialog()
{
    const qint64 studyId = selectedStudyId();
    if (!m_db || studyId == 0) {
        showError(tr("Create or select a study first."));
        return;
    }
    QDialog dialog(this);
    dialog.setWindowTitle(tr("Run a participant session"));
    auto* code = new QLineEdit(generateParticipantCode());
    auto* regenerate = new QPushButton(tr("New code"));
    connect(regenerate, &QPushButton::clicked, code, [code] { code->setText(generateParticipantCode()); });
    auto* codeRow = new QHBoxLayout;
    codeRow->addWidget(code);
    codeRow->addWidget(regenerate);
    auto* station = new QLineEdit(AppSettings::stationName());
    auto* screens = new QComboBox;
    for (QScreen* s : QGuiApplication::screens())
        screens->addItem(QStringLiteral("%1 (%2 x %3)").arg(s->name()).arg(s->size().width()).arg(s->size().height()));
    auto* form = new QFormLayout(&dialog);
    form->addRow(new QLabel(tr("The participant window opens full screen. Leave it with Ctrl+Shift+Q.\n"
                               "Participant codes carry no personal data.")));
    form->addRow(tr("Participant code:"), codeRow);
    form->addRow(tr("Station:"), station);
    form->addRow(tr("Screen:"), screens);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("Start"));
    connect(buttons, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    form->addRow(buttons);
    if (dialog.exec() != QDialog::Accepted)
        return;
    AppSettings::setStationName(station->text());
    const auto all = QGuiApplication::screens();
    startSession(studyId, code->text(), station->text(), all.value(screens->currentIndex()));
}

bool MainWindow::stimuliReady(qint64 studyId)
{
    // On a worker with its own connection: the first check of a large study hashes every file.
    // The window stays responsive (and the check cancellable) while this waits for it.
    BackgroundJob job;
    QProgressDialog progress(tr("Checking the study's image files…"), tr("Cancel"), 0, 100, this);
    progress.setWindowModality(Qt::WindowModal);
    progress.setMinimumDuration(500);
    connect(&job, &BackgroundJob::progressed, &progress, &QProgressDialog::setValue);
    connect(&progress, &QProgressDialog::canceled, &job, &BackgroundJob::cancel);
    QEventLoop wait;
    std::optional<Result<StimulusCheck>> outcome;
    const QString location = m_db->path();
    job.start<StimulusCheck>(
        [location, studyId](const CancelToken& cancel, const ProgressFn& report) -> Result<StimulusCheck> {
            auto db = StudyDatabase::open(location, StudyDatabase::OpenMode::ExistingOnly);
            if (!db)
                return Error { db.error() };
            // A server study: this station fetches the files it lacks first (`ntt station prepare`).
            if (!db.value()->stimulusCacheFolder().isEmpty()) {
                if (const auto fetched = prepareStation(*db.value(), studyId, cancel, report); !fetched)
                    return Error { fetched.error() };
            }
            return checkStudyStimuli(*db.value(), studyId, cancel, report);
        },
        [&](Result<StimulusCheck> checked) {
            outcome = std::move(checked);
            wait.quit();
        });
    if (!outcome)
        wait.exec();
    progress.reset();
    if (!*outcome) {
        showError(outcome->error());
        return false;
    }
    if (!outcome->value().rebuilt.isEmpty())
        statusBar()->showMessage(tr("%n stimulus copies were missing or changed and were made again from their "
                                    "originals.",
            nullptr, int(outcome->value().rebuilt.size())));
    return true;
}

ParticipantWindow* MainWindow::startSession(
    qint64 studyId, const QString& participantCode, const QString& station, QScreen* screen)
{
    if (!stimuliReady(studyId))
        return nullptr;
    auto plan = ntt::startSession(
        *m_db, studyId, participantCode, station, false, QUuid::createUuid().toString(QUuid::WithoutBraces));
    if (!plan) {
        showError(plan.error());
        return nullptr;
    }
    return runParticipantWindow(std::move(plan).value(), screen);
}

ParticipantWindow* MainWindow::resumeSession(qint64 sessionId, QScreen* screen)
{
    if (m_participant) {
        showError(tr("A participant session is already running at this station."));
        return nullptr;
    }
    const auto info = m_db->session(sessionId);
    if (!info) {
        showError(info.error());
        return nullptr;
    }
    if (info->state != SessionState::Open) {
        showError(tr("Session %1 is %2: only unfinished sessions can be resumed.")
                      .arg(sessionId)
                      .arg(sessionStateName(info->state)));
        return nullptr;
    }
    if (!stimuliReady(info->studyId))
        return nullptr;
    const QString station = AppSettings::stationName();
    auto plan = loadSession(*m_db, sessionId, station, false, m_outbox.get());
    if (!plan) {
        // Another station holds it. One that has not been heard from for a minute may have died:
        // the experimenter decides whether to take the session over.
        const auto holder = m_db->session(sessionId);
        const bool stale = holder && holder->leaseHeartbeatUtc.isValid()
            && holder->leaseHeartbeatUtc.secsTo(QDateTime::currentDateTimeUtc()) >= kSessionLeaseStaleSeconds;
        if (!stale) {
            showError(plan.error());
            return nullptr;
        }
        if (QMessageBox::question(this, tr("Take the session over?"),
                plan.error() + QStringLiteral("\n\n") + tr("Take session %1 over at this station?").arg(sessionId))
            != QMessageBox::Yes)
            return nullptr;
        plan = loadSession(*m_db, sessionId, station, true, m_outbox.get());
        if (!plan) {
            showError(plan.error());
            return nullptr;
        }
    }
    return runParticipantWindow(std::move(plan).value(), screen);
}

ParticipantWindow* MainWindow::runParticipantWindow(SessionPlan plan, QScreen* screen)
{
    if (!screen) {
        for (QScreen* s : QGuiApplication::screens()) {
            if (s->name() == m_lastScreenName)
                screen = s;
        }
    }
    const auto paths = m_db->stimulusPaths(plan.study.id);
    if (!paths) {
        showError(paths.error());
        return nullptr;
    }
    if (screen)
        m_lastScreenName = screen->name();
    refreshSessions();
    auto* window = new ParticipantWindow(*m_db, std::move(plan), paths.value(), m_outbox.get());
    window->setAttribute(Qt::WA_DeleteOnClose);
    m_participant = window;
    if (m_watcher)
        m_watcher->setPaused(true);
    // Model work waits while the participant window is up, so it cannot disturb stimulus timing.
    m_models->setSessionRunning(true);
    connect(window, &QObject::destroyed, m_models, [this] { m_models->setSessionRunning(false); });
    connect(window, &QObject::destroyed, this, [this] {
        if (m_watcher)
            m_watcher->setPaused(false);
    });
    connect(window, &ParticipantWindow::sessionEnded, this, [this](qint64 id, SessionState state) {
        m_participant = nullptr;
        m_models->setSessionRunning(false);
        updateActions();
        refreshSessions();
        answersChanged();
        statusBar()->showMessage(tr("Session %1 ended: %2").arg(id).arg(sessionStateName(state)));
    });
    // The dashboard follows the data collection; its refresh is debounced and runs on a worker.
    connect(
        window, &ParticipantWindow::responseRecorded, m_dashboard, &Dashboard::scheduleRefresh, Qt::QueuedConnection);
    // Queued: the table refresh must not run between an answer and the next trial's frame.
    connect(window, &ParticipantWindow::responseRecorded, this, &MainWindow::refreshSessions, Qt::QueuedConnection);
    window->start(screen);
    updateActions();
    return window;
}

void MainWindow::resumeSelectedSession()
{
    const qint64 id = selectedSessionId();
    if (id == 0) {
        m_tabs->setCurrentIndex(2);
        showError(tr("Select an unfinished session in the Sessions tab first."));
        return;
    }
    resumeSession(id, nullptr);
}

void MainWindow::offerResume()
{
    if (!m_db)
        return;
    const auto studies = m_db->studies();
    if (!studies)
        return;
    for (const StoredStudy& study : studies.value()) {
        const auto sessions = m_db->sessions(study.id);
        if (!sessions)
            continue;
        for (const SessionInfo& s : sessions.value()) {
            if (s.state != SessionState::Open || s.simulated)
                continue;
            const auto answer = QMessageBox::question(this, tr("Unfinished session"),
                tr("Participant %1 of \"%2\" stopped after %3 of %4 trials (started %5 UTC).\n\nResume the "
                   "session now, at the first unanswered trial?")
                    .arg(s.participantCode, study.definition.name)
                    .arg(s.answeredCount)
                    .arg(s.trialCount)
                    .arg(s.startedUtc.toString(Qt::ISODate)));
            if (answer == QMessageBox::Yes)
                resumeSession(s.id, nullptr);
            return;
        }
    }
}

void MainWindow::exportResponsesDialog()
{
    const qint64 studyId = selectedStudyId();
    if (!m_db || studyId == 0) {
        showError(tr("Select a study first."));
        return;
    }
    const QString suggested = QFileInfo(m_db->path()).absolutePath() + QStringLiteral("/responses.csv");
    const CsvDestination destination = askCsvDestination(this, tr("Export responses"), suggested);
    const QString& path = destination.path;
    if (path.isEmpty())
        return;
    const auto written = exportResponses(*m_db, studyId, path);
    if (!written) {
        showError(written.error());
        return;
    }
    if (const Status s = finishCsvExport(destination); !s) {
        showError(s.error());
        return;
    }
    statusBar()->showMessage(tr("Wrote %n response(s) to %1", nullptr, written.value()).arg(path));
}

void MainWindow::showError(const QString& message)
{
    statusBar()->showMessage(message);
    QMessageBox::warning(this, tr("NameThatTrue"), message);
}

} // namespace ntt
