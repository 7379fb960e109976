#pragma once

#include "activitywatcher.h"
#include "stationoutbox.h"
#include "studydatabase.h"
#include "studyfile.h"

#include <QMainWindow>
#include <QPointer>

#include <memory>

class QLabel;
class QListWidget;
class QPlainTextEdit;
class QTableWidget;
class QTimer;
class QTabWidget;
class QAction;

namespace ntt {

class BackgroundJob;
class CamView;
class Dashboard;

class ErrorBrowser;

class ModelsPanel;
class ParticipantWindow;

/**
 * The researcher's console for one study file: the pool with its shortcut audit, the studies, the
 * sessions, the models; import, study design, running and resuming participant sessions, model
 * training and runs, and export.
 * Participants never see it.
 */
class MainWindow final : public QMainWindow
{
    Q_OBJECT

public:
    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    /// Opens a study file (created when missing); false with a message box on failure.
    bool openStudyFile(const QString& path);
    /// Creates the synthetic demo in `folder` on a worker thread if needed, then opens it.
    void openDemo(const QString& folder);
    /// Offers to resume the first unfinished, non-simulated session of the study file.
    void offerResume();

    StudyDatabase* database() const { return m_db.get(); }
    /// Starts a session of `studyId` for `participantCode` on `screen`; returns the window or null.
    ParticipantWindow* startSession(
        qint64 studyId, const QString& participantCode, const QString& station, QScreen* screen);
    ParticipantWindow* resumeSession(qint64 sessionId, QScreen* screen);
    QTabWidget* tabs() const { return m_tabs; }
    ModelsPanel* modelsPanel() const { return m_models; }
    CamView* camView() const { return m_camView; }
    ErrorBrowser* errorBrowser() const { return m_errors; }
    Dashboard* dashboard() const { return m_dashboard; }
    enum class ExportKind { Summaries, PsychDs };
    /// Writes the four summary tables (categories.csv, sources.csv, participants.csv, images.csv)
    /// or a Psych-DS dataset into `folder`, under the dashboard's analysis options, on a worker
    /// thread; exported() tells the files, an error box the failure.
    void exportStudyFiles(ExportKind kind, const QString& folder);
    /// Copies the open study file, with the image files its studies show, to the empty server
    /// database at `address` (publishStudy) on a worker thread; published() tells when it is done
    /// (the server study is then opened), an error box the failure.
    void publishToServer(const QString& address);

Q_SIGNALS:
    void published(const QString& address);
    void studyFileOpened(const QString& path);
    void demoReady(const QString& path);
    /// The demo's creation moved on (percent of its current step, and what the step is).
    void demoProgressed(int percent, const QString& what);
    void exported(const QStringList& files);

private:
    void buildActions();
    void refresh();
    void updateActions();
    void refreshPool();
    void refreshStudies();
    void refreshSessions();
    /// Points the per-study panels (models, attention, dashboard) at the selected study.
    void setStudyOfPanels();
    /// After answers arrived: models answer the new trials, the panels re-read.
    void answersChanged();
    /// Follows what other stations write to the same study: the sessions table and the dashboard.
    /// Another station answered or started, paused or ended a session (ActivityWatcher).
    void otherStationsWrote();
    /// The station journal's backlog in the status bar (server studies).
    void showBacklog();

    void newStudyFile();
    void openStudyFileDialog();
    void openServerStudyDialog();
    void publishDialog();
    void importImages();
    void newStudy();
    void startSessionDialog();
    /// checkStudyStimuli() before a participant sits down; false (error shown) when a file is not right.
    bool stimuliReady(qint64 studyId);
    void resumeSelectedSession();
    void exportResponsesDialog();
    void exportSummariesDialog();
    void exportPsychDsDialog();

    qint64 selectedStudyId() const;
    qint64 selectedSessionId() const;
    ParticipantWindow* runParticipantWindow(SessionPlan plan, QScreen* screen);
    void showError(const QString& message);

    std::unique_ptr<StudyDatabase> m_db;
    /// A server study's station journal and sender; null for a study file.
    std::unique_ptr<StationOutbox> m_outbox;
    QLabel* m_backlog = nullptr; ///< the journal's backlog, in the status bar
    std::unique_ptr<ActivityWatcher> m_watcher; ///< what stations write, watched on its own thread
    QTabWidget* m_tabs;
    QLabel* m_banner;
    QTableWidget* m_poolTable;
    QPlainTextEdit* m_auditText;
    QListWidget* m_studyList;
    QPlainTextEdit* m_studyDetails;
    QTableWidget* m_sessionTable;
    /// Shows the station journal's backlog every second.
    QTimer* m_watchStations;
    QLabel* m_sessionsHint;
    ModelsPanel* m_models;
    CamView* m_camView;
    Dashboard* m_dashboard;

    ErrorBrowser* m_errors;

    BackgroundJob* m_demoJob;
    BackgroundJob* m_exportJob;
    QList<QAction*> m_fileActions; ///< need an open study file
    QList<QAction*> m_sessionBlockedActions; ///< would change the file under a running participant session
    QPointer<ParticipantWindow> m_participant;
    QString m_lastScreenName; ///< the screen the last session ran on; resumed sessions go there too
};

} // namespace ntt
