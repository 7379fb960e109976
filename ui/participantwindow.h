#pragma once

#include "sessionwriter.h"
#include "study/marks.h"
#include "study/sessionflow.h"
#include "study/staircase.h"
#include "studydatabase.h"
#include "studyfile.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QHash>
#include <QTimer>
#include <QWidget>

#include <functional>
#include <memory>
#include <optional>

namespace ntt {

class StimulusPrefetcher;

/**
 * The only window a participant sees: instructions, consent, practice, trials, breaks and the end
 * screen, full screen. Everything is painted by this one widget so that the moment a stimulus frame
 * is painted is known exactly. Every answer is committed to the study file (or the station's
 * journal) by a writer thread while the next trial is shown, and the next answer is taken only once
 * it is on disk; a write that fails stops the session with its reason (SessionWriter's Background
 * mode). Only the experimenter chord (Ctrl+Shift+Q), confirmed, leaves the session.
 */
class ParticipantWindow final : public QWidget
{
    Q_OBJECT

public:
    /// What the experimenter chose after pressing the chord.
    enum class ExitChoice { Stay, Pause, Abort };
    using ExitConfirmation = std::function<ExitChoice(bool sessionComplete)>;

    /// Answers go to `db`, or with a station `outbox` (a server study) to the station's journal first.
    ParticipantWindow(StudyDatabase& db, SessionPlan plan, QHash<qint64, QString> stimulusPaths,
        StationOutbox* outbox = nullptr, QWidget* parent = nullptr);
    ~ParticipantWindow() override;

    /// Shows the window full screen on `screen` (the primary screen when null).
    void start(QScreen* screen = nullptr);

    /// Replaces the confirmation dialog shown for the experimenter chord (tests, kiosks).
    void setExitConfirmation(ExitConfirmation confirm) { m_confirmExit = std::move(confirm); }

    const Screen& currentScreen() const { return m_flow.current(); }
    const SessionPlan& plan() const { return m_plan; }
    /// Where answer option `option` is drawn: the image at that position, or a real/fake button.
    QRect optionRect(int option) const;
    /// Where the image at `position` of the current trial is drawn (empty before it is ready).
    QRect shownImageRect(int position) const;
    /// True while the participant marks the places that gave the current trial's image(s) away.
    bool marking() const { return m_phase == Phase::Marking; }
    /**
     * Blocks until every answer and event given so far is on disk (they are committed on the
     * writer's thread); returns the first write that failed. For reading the study while the
     * window is still open.
     */
    Status waitForStorage() { return m_writer.flush(); }
    /// Why the session stopped because a write failed (shown to the participant); empty while none did.
    QString storageError() const { return m_phase == Phase::StorageError ? m_storageError : QString(); }
    /// The marks placed so far on the current trial (before Enter stores them).
    const TrialMarks& pendingMarks() const { return m_marks; }
    /// Whether the current trial's stimulus frame has been painted (answers count from then on).
    bool stimulusShown() const { return m_onsetRecorded; }
    /// When the current trial's stimulus frame was painted, in ms of std::chrono::steady_clock.
    double stimulusOnsetMs() const { return m_onsetMs; }
    /// Brief exposure: what the current trial shows now.
    enum class ExposureStage { Unlimited, Stimulus, Mask, Gone };
    ExposureStage exposureStage() const { return m_exposure; }
    /// The exposure of the current trial in frames (0 when it stays until answered).
    int exposureFrames() const { return m_exposureFrames; }
    /// The participant's staircase (null when the study has none).
    const Staircase* staircase() const { return m_staircase.get(); }

Q_SIGNALS:
    /// The stimulus frame of a trial was painted; answers are accepted from now on.
    void trialPresented(int trialIndex);
    /// An answer is on disk (the study file, or the station's journal). It is committed on the
    /// writer's thread while the next trial shows, so this comes a few ms after the answer.
    void responseRecorded(int trialIndex);
    /// The window is done: the session finished, was paused for resuming, or aborted.
    void sessionEnded(qint64 sessionId, ntt::SessionState state);

protected:
    void paintEvent(QPaintEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void changeEvent(QEvent* event) override;
    void closeEvent(QCloseEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;

private:
    enum class Phase { Showing, Confidence, Marking, Feedback, StorageError };

    const Trial* currentTrial() const;
    void enterScreen();
    void advance();
    void prefetchAhead();
    void answer(int option, double eventMs, const QString& clock);
    void commitResponse();
    void finishTrial();
    /// After the answer is stored: feedback if the trial has it, else the next screen.
    void afterAnswer();
    /// Stores the marks of the current trial (Enter) and goes on.
    void commitMarks();
    void onDeadline();
    /// Fills the pending answer's exposure fields; `atMs` (steady clock) ends a mask still showing.
    void recordExposure(double atMs);
    void handleExperimenterChord();
    /// Shows the storage-error screen when a write to the study file failed; true when it succeeded.
    bool stored(const Status& status);
    void endSession(SessionState state);
    QString screenText() const;
    QList<QRect> imageRects(int ways) const;
    QSize cellSize() const;
    /// Rows of labelled answer buttons the study's trials need at most (0 for pick trials).
    int answerButtonRows() const;
    /// The question above a trial's images, empty for real-or-fake and pick-real/pick-fake.
    QString questionText(const Trial& trial) const;
    void paintTrial(class QPainter& painter);
    /// Brief exposure: the stimulus frame's time is up; the mask (or the empty answer screen) follows.
    void onExposureTimer();
    /// One frame of the display, in ms (from the screen's refresh rate; 60 Hz when it reports none).
    double framePeriodMs() const;
    /// The pattern mask shown at every image position after a brief exposure (made once per cell size).
    const QImage& maskImage();
    void paintText(class QPainter& painter, const QString& text);

    SessionPlan m_plan;
    SessionWriter m_writer;
    SessionFlow m_flow;
    StimulusPrefetcher* m_prefetcher;
    ExitConfirmation m_confirmExit;

    Phase m_phase = Phase::Showing;
    bool m_onsetRecorded = false;
    double m_onsetMs = 0.0; ///< steady clock, ms
    QDateTime m_onsetUtc;
    Response m_pending;
    TrialMarks m_marks;
    int m_focusLosses = 0;
    bool m_consentDeclined = false;
    bool m_ended = false;
    QString m_storageError;
    std::unique_ptr<Staircase> m_staircase;
    ExposureStage m_exposure = ExposureStage::Unlimited;
    int m_exposureFrames = 0;
    double m_frameRateHz = 0.0;
    double m_maskOnsetMs = -1.0; ///< steady clock, ms; < 0 until the mask frame is painted
    double m_goneMs = -1.0; ///< when the answer screen replaced the mask
    QImage m_mask;
    QTimer m_exposureTimer;
    QTimer m_deadline;
    QTimer m_feedbackTimer;
    QTimer m_leaseHeartbeat;
};

} // namespace ntt
