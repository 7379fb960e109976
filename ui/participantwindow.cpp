#include "participantwindow.h"

#include "stimulusprefetcher.h"
#include "study/rng.h"

#include <QCloseEvent>
#include <QGuiApplication>
#include <QKeyEvent>
#include <QMessageBox>
#include <QPainter>
#include <QPushButton>
#include <QScreen>
#include <QWindow>

#include <algorithm>
#include <chrono>
#include <cmath>

namespace ntt {

namespace {

constexpr int kPrefetchTrials = 3;
constexpr int kFeedbackMs = 800;
const QColor kBackground(128, 128, 128); // mid grey: no brightness cue between screens
const QColor kForeground(255, 255, 255);

// Monotonic time in ms: the clock behind QElapsedTimer and (on X11) the input events' timestamps.
double steadyMs()
{
    using namespace std::chrono;
    return duration<double, std::milli>(steady_clock::now().time_since_epoch()).count();
}

// The input event's own time on the steady clock, when its timestamp is on that clock (X11 server
// time is CLOCK_MONOTONIC in ms, modulo 2^32). Otherwise the handler's time.
std::pair<double, QString> eventTime(const QInputEvent* event)
{
    const double now = steadyMs();
    const auto nowWrapped = static_cast<quint64>(now) & 0xffffffffULL;
    const auto stamp = static_cast<quint64>(event->timestamp()) & 0xffffffffULL;
    const qint64 lag = static_cast<qint64>(nowWrapped) - static_cast<qint64>(stamp);
    if (stamp != 0 && lag >= 0 && lag < 1000)
        return { now - static_cast<double>(lag), QStringLiteral("event") };
    return { now, QStringLiteral("handler") };
}

constexpr int kButtonHeight = 48;
constexpr int kButtonGap = 10;
constexpr int kMaxButtonColumns = 5;

// Labelled answer buttons per row.
int buttonColumns(int options)
{
    return std::max(1, std::min(options, kMaxButtonColumns));
}

int digitOf(const QKeyEvent* event)
{
    const int key = event->key();
    return key >= Qt::Key_1 && key <= Qt::Key_9 ? key - Qt::Key_1 + 1 : 0;
}

} // namespace

ParticipantWindow::ParticipantWindow(
    StudyDatabase& db, SessionPlan plan, QHash<qint64, QString> stimulusPaths, StationOutbox* outbox, QWidget* parent)
    : QWidget(parent)
    , m_plan(std::move(plan))
    , m_writer(db, m_plan.session.id, m_plan.leaseToken, outbox, SessionWriter::Mode::Background)
    , m_flow(m_plan.study.definition, m_plan.trials, m_plan.answered)
    , m_prefetcher(new StimulusPrefetcher(std::move(stimulusPaths), this))
{
    setWindowTitle(tr("NameThatTrue"));
    setAttribute(Qt::WA_OpaquePaintEvent);
    setFocusPolicy(Qt::StrongFocus);
    setCursor(Qt::ArrowCursor);
    m_deadline.setSingleShot(true);
    m_feedbackTimer.setSingleShot(true);
    connect(&m_deadline, &QTimer::timeout, this, &ParticipantWindow::onDeadline);
    connect(&m_feedbackTimer, &QTimer::timeout, this, &ParticipantWindow::finishTrial);
    m_exposureTimer.setSingleShot(true);
    m_exposureTimer.setTimerType(Qt::PreciseTimer);
    connect(&m_exposureTimer, &QTimer::timeout, this, &ParticipantWindow::onExposureTimer);
    // A resumed session's staircase goes on from the answers given before.
    m_staircase = sessionStaircase(m_plan.study.definition, m_plan.trials, m_plan.answers);
    connect(m_prefetcher, &StimulusPrefetcher::imageReady, this, [this](qint64 imageId) {
        if (const Trial* t = currentTrial();
            t && !m_onsetRecorded && std::find(t->imageIds.begin(), t->imageIds.end(), imageId) != t->imageIds.end())
            update();
    });
    m_confirmExit = [this](bool complete) {
        if (complete)
            return ExitChoice::Pause;
        QMessageBox box(QMessageBox::Question, tr("End the session?"),
            tr("Answers so far are saved. Pause the session to resume it later, or abort it for good."),
            QMessageBox::NoButton, this);
        QPushButton* pause = box.addButton(tr("Pause (resume later)"), QMessageBox::AcceptRole);
        QPushButton* abort = box.addButton(tr("Abort session"), QMessageBox::DestructiveRole);
        box.addButton(tr("Continue"), QMessageBox::RejectRole);
        box.exec();
        if (box.clickedButton() == pause)
            return ExitChoice::Pause;
        if (box.clickedButton() == abort)
            return ExitChoice::Abort;
        return ExitChoice::Stay;
    };
    // Answers are committed on the writer's thread, so the disk's flush is not between an answer and
    // the next frame; what it reports comes back to this thread in order.
    m_writer.setAnswerWritten([this](int trialIndex, const Status& status) {
        if (status)
            QMetaObject::invokeMethod(
                this, [this, trialIndex] { Q_EMIT responseRecorded(trialIndex); }, Qt::QueuedConnection);
    });
    m_writer.setWriteFailed([this](const QString& error) {
        QMetaObject::invokeMethod(
            this, [this, error] { stored(Error { error }); }, Qt::QueuedConnection);
    });
    if (m_flow.resumed())
        stored(m_writer.event(m_flow.firstUnanswered(), QStringLiteral("resumed")));
}

ParticipantWindow::~ParticipantWindow()
{
    // Everything queued reaches the disk before the window goes; nothing is reported to it after.
    m_writer.flush();
    m_writer.setAnswerWritten({});
    m_writer.setWriteFailed({});
}

void ParticipantWindow::start(QScreen* screen)
{
    if (!screen)
        screen = QGuiApplication::primaryScreen();
    if (screen) {
        setScreen(screen);
        setGeometry(screen->geometry());
    }
    showFullScreen();
    activateWindow();
    setFocus();
    // The lease's heartbeat: another station asking for this session is told it runs here.
    m_leaseHeartbeat.setInterval(kSessionLeaseHeartbeatSeconds * 1000);
    connect(&m_leaseHeartbeat, &QTimer::timeout, this, [this] {
        if (!m_ended)
            stored(m_writer.heartbeat());
    });
    m_leaseHeartbeat.start();
    stored(m_writer.heartbeat());
    enterScreen();
}

const Trial* ParticipantWindow::currentTrial() const
{
    const Screen& s = m_flow.current();
    if (s.kind != ScreenKind::Trial || s.trialIndex < 0 || s.trialIndex >= static_cast<int>(m_plan.trials.size()))
        return nullptr;
    return &m_plan.trials[s.trialIndex];
}

QSize ParticipantWindow::cellSize() const
{
    int maxWays = 1;
    for (const Trial& t : m_plan.trials)
        maxWays = std::max(maxWays, t.ways());
    const QList<QRect> rects = imageRects(maxWays);
    return rects.isEmpty() ? QSize() : rects.first().size();
}

int ParticipantWindow::answerButtonRows() const
{
    int rows = 0;
    for (const Trial& t : m_plan.trials) {
        if (answersWithLabels(t.type)) {
            const int options = answerOptionCount(t);
            rows = std::max(rows, (options + buttonColumns(options) - 1) / buttonColumns(options));
        }
    }
    return rows;
}

QList<QRect> ParticipantWindow::imageRects(int ways) const
{
    // Square cells in a row, centred, leaving room for the position labels (or answer buttons) below.
    const int margin = std::max(16, width() / 40);
    const int available = width() - margin * (ways + 1);
    const int extraButtonRows = std::max(0, answerButtonRows() - 1);
    const int side = std::max(32,
        std::min(available / std::max(1, ways), height() * 6 / 10 - extraButtonRows * (kButtonHeight + kButtonGap)));
    const int total = side * ways + margin * (ways - 1);
    const int left = (width() - total) / 2;
    const int top = (height() - side) / 2 - height() / 20;
    QList<QRect> rects;
    for (int i = 0; i < ways; ++i)
        rects << QRect(left + i * (side + margin), top, side, side);
    return rects;
}

QRect ParticipantWindow::optionRect(int option) const
{
    const Trial* t = currentTrial();
    if (!t)
        return {};
    if (answersWithLabels(t->type)) {
        // Buttons in rows under the image, as wide as the image (wider when there are many names).
        const int options = answerOptionCount(*t);
        if (option < 0 || option >= options)
            return {};
        const QRect image = imageRects(1).first();
        const int columns = buttonColumns(options);
        const int span
            = columns <= 2 ? image.width() : std::max(image.width(), std::min(width() * 9 / 10, columns * 220));
        const int w = (span - (columns - 1) * kButtonGap * 2) / columns;
        const int left = image.center().x() - span / 2;
        const int row = option / columns;
        const int column = option % columns;
        const int top = image.bottom() + 20 + row * (kButtonHeight + kButtonGap);
        return QRect(left + column * (w + kButtonGap * 2), top, w, kButtonHeight);
    }
    const QList<QRect> rects = imageRects(t->ways());
    return option >= 0 && option < rects.size() ? rects[option] : QRect();
}

void ParticipantWindow::resizeEvent(QResizeEvent* event)
{
    QWidget::resizeEvent(event);
    m_prefetcher->setCellSize(cellSize(), devicePixelRatioF());
    // The mask is made here, so the first mask frame costs no more to paint than the others.
    if (m_plan.study.definition.exposure.enabled())
        maskImage();
    prefetchAhead();
}

void ParticipantWindow::prefetchAhead()
{
    // The current trial and the next few, so a new trial can appear in the first frame after an answer.
    QList<qint64> keep;
    int from = -1;
    for (const Screen& s : m_flow.screens()) {
        if (s.kind == ScreenKind::Trial && &s >= &m_flow.current()) {
            if (from < 0)
                from = s.trialIndex;
            if (s.trialIndex >= from + kPrefetchTrials)
                break;
            for (qint64 id : m_plan.trials[s.trialIndex].imageIds) {
                m_prefetcher->prefetch(id);
                keep << id;
            }
        }
    }
    m_prefetcher->retainOnly(keep);
}

void ParticipantWindow::enterScreen()
{
    m_phase = Phase::Showing;
    m_onsetRecorded = false;
    m_focusLosses = 0;
    m_deadline.stop();
    m_exposureTimer.stop();
    m_exposure = ExposureStage::Unlimited;
    m_exposureFrames = 0;
    m_maskOnsetMs = m_goneMs = -1.0;
    if (const Trial* t = currentTrial(); t && t->exposureFrames != 0) {
        m_exposureFrames = exposureFramesOf(m_plan.study.definition, *t, m_staircase.get());
        m_exposure = ExposureStage::Stimulus;
        const QScreen* display = screen();
        m_frameRateHz = display && display->refreshRate() >= 1.0 ? display->refreshRate() : 60.0;
    }
    const Screen& s = m_flow.current();
    if (s.kind == ScreenKind::End && !m_ended && !m_consentDeclined) {
        stored(m_writer.end(SessionState::Finished));
        stored(m_writer.event(-1, QStringLiteral("finished")));
    }
    if (const Trial* t = currentTrial()) {
        // Only this trial's images now (normally decoded already); the trials after it are
        // prefetched once its stimulus frame is painted, so their decoding does not compete with
        // that frame for the two cores.
        for (qint64 id : t->imageIds)
            m_prefetcher->prefetch(id);
    } else {
        prefetchAhead();
    }
    update();
}

void ParticipantWindow::advance()
{
    m_flow.advance();
    enterScreen();
}

QString ParticipantWindow::screenText() const
{
    const StudyDefinition& d = m_plan.study.definition;
    const QString space = tr("Press SPACE to continue.");
    switch (m_flow.current().kind) {
    case ScreenKind::Instructions: {
        QString keys;
        int names = 0;
        for (const Trial& t : m_plan.trials)
            names = std::max(names, answerOptionCount(t));
        if (d.trialType == TrialType::RealOrFake)
            keys = tr("Answer with F (real) or J (generated), or click a button.");
        else if (answersWithLabels(d.trialType))
            keys = names > 9 ? tr("Click the name of your answer (the first nine also have the keys 1 to 9).")
                             : tr("Answer with the keys 1 to %1, or click a name.").arg(names);
        else
            keys = d.ways == 2 ? tr("Answer with the key 1 or 2, or click an image.")
                               : tr("Answer with the keys 1 to %1, or click an image.").arg(d.ways);
        return (d.instructions.isEmpty() ? tr("Welcome.") : d.instructions) + QStringLiteral("\n\n") + keys
            + QStringLiteral("\n\n") + space;
    }
    case ScreenKind::Consent:
        return d.consent + QStringLiteral("\n\n") + tr("Press Y if you agree to take part, N if you do not.");
    case ScreenKind::Resume:
        return tr("Welcome back. The session goes on where it stopped.") + QStringLiteral("\n\n") + space;
    case ScreenKind::MainStart:
        return (d.feedback ? tr("The practice is over. The main part begins now.")
                           : tr("The practice is over. The main part begins now; from here on there is no feedback."))
            + QStringLiteral("\n\n") + space;
    case ScreenKind::Break:
        return tr("Time for a short break.") + QStringLiteral("\n\n") + tr("Press SPACE when you are ready to go on.");
    case ScreenKind::End:
        return m_consentDeclined ? tr("Thank you. The session has ended.\n\nPlease tell the experimenter.")
                                 : tr("Thank you for taking part!\n\nPlease tell the experimenter that you are done.");
    case ScreenKind::Trial:
        break;
    }
    return {};
}

QString ParticipantWindow::questionText(const Trial& trial) const
{
    switch (trial.type) {
    case TrialType::WhichSource:
        return tr("Which source made this image?");
    case TrialType::WhichCategory:
        return tr("What does this image show?");
    case TrialType::PickSource:
        return tr("Which image was made by %1?").arg(trial.targetSource);
    case TrialType::PickReal:
    case TrialType::PickFake:
    case TrialType::RealOrFake:
        break;
    }
    return {};
}

void ParticipantWindow::paintText(QPainter& painter, const QString& text)
{
    QFont font = painter.font();
    font.setPixelSize(std::max(16, height() / 32));
    painter.setFont(font);
    painter.setPen(kForeground);
    const QRect box = rect().adjusted(width() / 6, height() / 6, -width() / 6, -height() / 6);
    painter.drawText(box, Qt::AlignCenter | Qt::TextWordWrap, text);
}

void ParticipantWindow::paintTrial(QPainter& painter)
{
    const Trial& t = *currentTrial();
    const QList<QRect> rects = imageRects(t.ways());
    bool allReady = true;
    QString error;
    for (qint64 id : t.imageIds) {
        allReady = allReady && m_prefetcher->isReady(id);
        if (error.isEmpty())
            error = m_prefetcher->error(id);
    }
    if (!error.isEmpty()) {
        paintText(painter, tr("This trial cannot be shown: %1\n\nPlease tell the experimenter.").arg(error));
        return;
    }
    if (!allReady)
        return; // grey frame; the stimulus appears as one frame once every image is decoded

    QFont font = painter.font();
    font.setPixelSize(std::max(14, height() / 36));
    painter.setFont(font);
    // After a brief exposure the mask, then empty frames, stand where the images were (the images
    // come back for marking and feedback, after the answer is stored).
    const bool imagesShown = m_exposure == ExposureStage::Unlimited || m_exposure == ExposureStage::Stimulus
        || m_phase == Phase::Marking || m_phase == Phase::Feedback;
    for (int p = 0; p < t.ways(); ++p) {
        const QRect shown = shownImageRect(p);
        if (imagesShown) {
            painter.drawImage(shown.topLeft(), m_prefetcher->ready(t.imageIds[p]));
        } else if (m_exposure == ExposureStage::Mask) {
            painter.drawImage(shown, maskImage());
        } else {
            painter.setBrush(Qt::NoBrush);
            painter.setPen(QPen(QColor(160, 160, 160), 2));
            painter.drawRect(shown);
        }
        if (!answersWithLabels(t.type)) {
            painter.setPen(kForeground);
            painter.drawText(QRect(rects[p].left(), rects[p].bottom() + 8, rects[p].width(), font.pixelSize() * 2),
                Qt::AlignHCenter | Qt::AlignTop, QString::number(p + 1));
        }
    }
    if (const QString question = questionText(t); !question.isEmpty()) {
        painter.setPen(kForeground);
        const int top = rects.first().top();
        painter.drawText(QRect(0, std::max(0, top - font.pixelSize() * 3), width(), font.pixelSize() * 2),
            Qt::AlignHCenter | Qt::AlignBottom, question);
    }
    if (answersWithLabels(t.type)) {
        QStringList labels;
        if (t.type == TrialType::RealOrFake) {
            labels = QStringList { tr("Real (F)"), tr("Generated (J)") };
        } else {
            for (int o = 0; o < t.choices.size(); ++o)
                labels << (o < 9 ? QStringLiteral("%1   %2").arg(o + 1).arg(t.choices[o]) : t.choices[o]);
        }
        for (int o = 0; o < labels.size(); ++o) {
            const QRect r = optionRect(o);
            painter.setPen(kForeground);
            painter.setBrush(QColor(90, 90, 90));
            painter.drawRoundedRect(r, 8, 8);
            painter.drawText(r.adjusted(6, 0, -6, 0), Qt::AlignCenter | Qt::TextWordWrap, labels[o]);
        }
    }

    const bool chosen = m_phase == Phase::Confidence || m_phase == Phase::Feedback || m_phase == Phase::Marking;
    if (chosen && m_pending.answer >= 0) {
        painter.setBrush(Qt::NoBrush);
        painter.setPen(QPen(QColor(255, 255, 255), 4));
        painter.drawRect(optionRect(m_pending.answer).adjusted(-6, -6, 6, 6));
    }
    const QRect below(width() / 20, height() * 5 / 6, width() - width() / 10, height() / 7);
    if (m_phase == Phase::Confidence) {
        painter.setPen(kForeground);
        painter.drawText(below, Qt::AlignCenter | Qt::TextWordWrap,
            tr("How sure are you?   1 = guessing   2 = unsure   3 = fairly sure   4 = certain"));
    } else if (m_phase == Phase::Marking) {
        // Each mark a ring with a dot, where it was clicked on the image as shown.
        for (const Mark& m : m_marks.points) {
            const QRect r = shownImageRect(m.position);
            const QPointF at(r.left() + m.u * r.width(), r.top() + m.v * r.height());
            painter.setBrush(Qt::NoBrush);
            painter.setPen(QPen(QColor(0, 0, 0), 5));
            painter.drawEllipse(at, 14, 14);
            painter.setPen(QPen(QColor(255, 210, 0), 3));
            painter.drawEllipse(at, 14, 14);
            painter.setBrush(QColor(255, 210, 0));
            painter.drawEllipse(at, 3, 3);
        }
        const MarkingOptions& o = m_plan.study.definition.marks;
        const int left = o.points - int(m_marks.points.size());
        QString text
            = tr("Click the places that gave it away (%n more allowed); Backspace takes the last back.", nullptr, left);
        if (!o.reasons.isEmpty()) {
            QStringList reasons;
            for (int i = 0; i < o.reasons.size(); ++i) {
                const QString name = QStringLiteral("%1 %2").arg(i + 1).arg(o.reasons[i]);
                reasons << (o.reasons[i] == m_marks.reason ? QStringLiteral("[%1]").arg(name) : name);
            }
            text += QLatin1Char('\n') + tr("Why? %1").arg(reasons.join(QStringLiteral("   ")));
        }
        text += QLatin1Char('\n') + tr("Press Enter when done.");
        painter.setPen(kForeground);
        painter.drawText(below, Qt::AlignCenter | Qt::TextWordWrap, text);
    } else if (m_phase == Phase::Feedback) {
        const QColor right(60, 200, 90);
        const QColor wrong(230, 70, 60);
        painter.setBrush(Qt::NoBrush);
        painter.setPen(QPen(right, 6));
        painter.drawRect(optionRect(t.correctPosition).adjusted(-10, -10, 10, 10));
        painter.setPen(m_pending.correct ? right : wrong);
        QString text = m_pending.timedOut ? tr("Too slow.") : (m_pending.correct ? tr("Correct!") : tr("Wrong."));
        painter.drawText(below, Qt::AlignCenter, text);
    }
}

QRect ParticipantWindow::shownImageRect(int position) const
{
    const Trial* t = currentTrial();
    if (!t || position < 0 || position >= t->ways())
        return {};
    const QImage image = m_prefetcher->ready(t->imageIds[std::size_t(position)]);
    if (image.isNull())
        return {};
    QRect target(QPoint(), image.deviceIndependentSize().toSize());
    target.moveCenter(imageRects(t->ways())[position].center());
    return target;
}

double ParticipantWindow::framePeriodMs() const
{
    return 1000.0 / (m_frameRateHz >= 1.0 ? m_frameRateHz : 60.0);
}

const QImage& ParticipantWindow::maskImage()
{
    // A pattern mask: blocks of random colour, the same for every trial of the session.
    const QSize size = cellSize();
    if (m_mask.size() != size && !size.isEmpty()) {
        m_mask = QImage(size, QImage::Format_RGB32);
        QPainter p(&m_mask);
        Rng rng(0x6d61736bULL);
        const int block = std::max(4, size.width() / 24);
        for (int y = 0; y < size.height(); y += block) {
            for (int x = 0; x < size.width(); x += block)
                p.fillRect(x, y, block, block, QColor(int(rng.below(256)), int(rng.below(256)), int(rng.below(256))));
        }
    }
    return m_mask;
}

void ParticipantWindow::onExposureTimer()
{
    // repaint(), not update(): the next frame is composed now, not when the event loop gets to it.
    if (m_exposure == ExposureStage::Stimulus) {
        m_exposure = m_plan.study.definition.exposure.maskFrames > 0 ? ExposureStage::Mask : ExposureStage::Gone;
        repaint();
    } else if (m_exposure == ExposureStage::Mask) {
        m_exposure = ExposureStage::Gone;
        repaint();
    }
}

void ParticipantWindow::paintEvent(QPaintEvent*)
{
    QPainter painter(this);
    painter.fillRect(rect(), kBackground);
    if (m_phase == Phase::StorageError) {
        paintText(
            painter, tr("The answer could not be saved:\n%1\n\nPlease tell the experimenter.").arg(m_storageError));
        return;
    }
    if (!currentTrial()) {
        paintText(painter, screenText());
        return;
    }
    paintTrial(painter);
    const Trial& t = *currentTrial();
    // Brief exposure: the times the mask and the empty answer screen were composed.
    if (m_onsetRecorded && m_exposure == ExposureStage::Mask && m_maskOnsetMs < 0) {
        m_maskOnsetMs = steadyMs();
        m_exposureTimer.start(int(std::lround(m_plan.study.definition.exposure.maskFrames * framePeriodMs())));
    } else if (m_onsetRecorded && m_exposure == ExposureStage::Gone && m_goneMs < 0) {
        m_goneMs = steadyMs();
        if (m_maskOnsetMs < 0)
            m_maskOnsetMs = m_goneMs; // no mask
    }
    if (m_onsetRecorded || m_phase != Phase::Showing)
        return;
    for (qint64 id : t.imageIds) {
        if (!m_prefetcher->isReady(id) || !m_prefetcher->error(id).isEmpty())
            return;
    }
    // The stimulus frame is composed: response time runs from here.
    m_onsetMs = steadyMs();
    m_onsetUtc = QDateTime::currentDateTimeUtc();
    m_onsetRecorded = true;
    if (m_exposure == ExposureStage::Stimulus)
        m_exposureTimer.start(int(std::lround(m_exposureFrames * framePeriodMs())));
    if (m_plan.study.definition.deadlineMs > 0)
        m_deadline.start(m_plan.study.definition.deadlineMs);
    QMetaObject::invokeMethod(
        this,
        [this, index = t.index] {
            prefetchAhead();
            Q_EMIT trialPresented(index);
        },
        Qt::QueuedConnection);
}

void ParticipantWindow::keyPressEvent(QKeyEvent* event)
{
    if (event->key() == Qt::Key_Q && (event->modifiers() & Qt::ControlModifier)
        && (event->modifiers() & Qt::ShiftModifier)) {
        handleExperimenterChord();
        return;
    }
    if (event->isAutoRepeat() || m_phase == Phase::StorageError)
        return;
    const ScreenKind kind = m_flow.current().kind;
    if (kind == ScreenKind::Consent) {
        if (event->key() == Qt::Key_Y) {
            stored(m_writer.event(-1, QStringLiteral("consent-given")));
            advance();
        } else if (event->key() == Qt::Key_N) {
            m_consentDeclined = true;
            stored(m_writer.event(-1, QStringLiteral("consent-declined")));
            stored(m_writer.end(SessionState::Aborted));
            while (!m_flow.atEnd())
                m_flow.advance();
            enterScreen();
        }
        return;
    }
    if (kind != ScreenKind::Trial) {
        if (event->key() == Qt::Key_Space && kind != ScreenKind::End)
            advance();
        return;
    }
    const Trial& t = *currentTrial();
    if (m_phase == Phase::Marking) {
        const int digit = digitOf(event);
        const QStringList& reasons = m_plan.study.definition.marks.reasons;
        if (event->key() == Qt::Key_Return || event->key() == Qt::Key_Enter) {
            commitMarks();
        } else if (event->key() == Qt::Key_Backspace && !m_marks.points.empty()) {
            m_marks.points.pop_back();
            update();
        } else if (digit >= 1 && digit <= reasons.size()) {
            m_marks.reason = reasons[digit - 1];
            update();
        }
        return;
    }
    if (m_phase == Phase::Confidence) {
        const int digit = digitOf(event);
        if (digit >= 1 && digit <= 4) {
            m_pending.confidence = digit;
            commitResponse();
        }
        return;
    }
    if (m_phase != Phase::Showing || !m_onsetRecorded || m_exposure == ExposureStage::Stimulus)
        return; // nothing to answer before the stimulus is on screen, or while a brief one is
    int option = -1;
    if (t.type == TrialType::RealOrFake) {
        if (event->key() == Qt::Key_F)
            option = 0;
        else if (event->key() == Qt::Key_J)
            option = 1;
    } else {
        const int digit = digitOf(event);
        if (digit >= 1 && digit <= answerOptionCount(t))
            option = digit - 1;
    }
    if (option >= 0) {
        const auto [ms, clock] = eventTime(event);
        answer(option, ms, clock);
    }
}

void ParticipantWindow::mousePressEvent(QMouseEvent* event)
{
    const Trial* t = currentTrial();
    if (t && m_phase == Phase::Marking && event->button() == Qt::LeftButton) {
        if (int(m_marks.points.size()) >= m_plan.study.definition.marks.points)
            return;
        for (int p = 0; p < t->ways(); ++p) {
            const QRect r = shownImageRect(p);
            if (!r.contains(event->position().toPoint()))
                continue;
            Mark m;
            m.position = p;
            m.imageId = t->imageIds[std::size_t(p)];
            m.u = (event->position().x() - r.left()) / r.width();
            m.v = (event->position().y() - r.top()) / r.height();
            m.x = m.y = std::nan(""); // the image's pixels are worked out from u, v when read
            m_marks.points.push_back(m);
            update();
            return;
        }
        return;
    }
    if (!t || m_phase != Phase::Showing || !m_onsetRecorded || m_exposure == ExposureStage::Stimulus
        || event->button() != Qt::LeftButton)
        return;
    const int options = answerOptionCount(*t);
    for (int o = 0; o < options; ++o) {
        if (optionRect(o).contains(event->position().toPoint())) {
            const auto [ms, clock] = eventTime(event);
            answer(o, ms, clock);
            return;
        }
    }
}

void ParticipantWindow::answer(int option, double eventMs, const QString& clock)
{
    m_deadline.stop();
    m_pending = Response();
    m_pending.answer = option;
    m_pending.rtMs = std::max(0.0, eventMs - m_onsetMs);
    m_pending.onsetUtc = m_onsetUtc;
    m_pending.responseUtc = m_onsetUtc.addMSecs(static_cast<qint64>(std::llround(m_pending.rtMs)));
    m_pending.rtClock = clock;
    recordExposure(eventMs);
    if (m_plan.study.definition.confidence) {
        m_phase = Phase::Confidence;
        update();
        return;
    }
    commitResponse();
}

void ParticipantWindow::recordExposure(double atMs)
{
    if (m_exposure == ExposureStage::Unlimited)
        return;
    // An answer (or the deadline) ends the mask; times not reached yet are taken as now.
    m_exposureTimer.stop();
    if (m_maskOnsetMs < 0)
        m_maskOnsetMs = atMs;
    if (m_goneMs < 0)
        m_goneMs = std::max(m_maskOnsetMs, atMs);
    m_exposure = ExposureStage::Gone;
    m_pending.exposureFrames = m_exposureFrames;
    m_pending.frameRateHz = m_frameRateHz;
    m_pending.exposureMs = std::max(0.0, m_maskOnsetMs - m_onsetMs);
    m_pending.maskMs = std::max(0.0, m_goneMs - m_maskOnsetMs);
}

void ParticipantWindow::onDeadline()
{
    if (m_phase != Phase::Showing || !m_onsetRecorded)
        return;
    m_pending = Response();
    m_pending.answer = -1;
    m_pending.onsetUtc = m_onsetUtc;
    m_pending.responseUtc = QDateTime::currentDateTimeUtc();
    m_pending.rtClock = QStringLiteral("deadline");
    recordExposure(steadyMs());
    commitResponse();
}

void ParticipantWindow::commitResponse()
{
    const Trial& t = *currentTrial();
    // No answer is taken before the one before it is on disk (that commit has had the whole trial
    // to finish); a failed one stops the session here, with its reason.
    if (!stored(m_writer.flush()))
        return;
    m_pending.focusLosses = m_focusLosses;
    scoreResponse(m_plan.study.definition, t, m_pending);
    // Queued for the writer's thread, which commits it while the next trial is shown;
    // responseRecorded follows once it is on disk.
    if (!stored(m_writer.answer(m_pending)))
        return;
    m_plan.answered.insert(t.index);
    if (m_staircase && t.exposureFrames == kStaircaseExposure && m_pending.exposureFrames > 0)
        m_staircase->addResponse(m_pending.correct, m_pending.exposureFrames);
    if (asksForMarks(m_plan.study.definition, t, m_pending.answer)) {
        m_marks = TrialMarks();
        m_phase = Phase::Marking;
        update();
        return;
    }
    afterAnswer();
}

void ParticipantWindow::commitMarks()
{
    const Trial& t = *currentTrial();
    // Stored like an answer (queued behind it); no marks at all is an answer too.
    if (!stored(m_writer.flush()) || !stored(m_writer.event(t.index, marksEventKind(), marksToJson(m_marks))))
        return;
    afterAnswer();
}

void ParticipantWindow::afterAnswer()
{
    const Trial& t = *currentTrial();
    if (showsFeedback(m_plan.study.definition, t)) {
        m_phase = Phase::Feedback;
        update();
        m_feedbackTimer.start(kFeedbackMs);
        return;
    }
    finishTrial();
}

void ParticipantWindow::finishTrial()
{
    advance();
}

bool ParticipantWindow::stored(const Status& status)
{
    if (status)
        return true;
    // Nothing may go on silently once the study file refuses a write: the experimenter must know.
    m_storageError = status.error();
    m_phase = Phase::StorageError;
    m_deadline.stop();
    m_exposureTimer.stop();
    m_feedbackTimer.stop();
    update();
    return false;
}

void ParticipantWindow::changeEvent(QEvent* event)
{
    QWidget::changeEvent(event);
    if (event->type() != QEvent::ActivationChange || isActiveWindow() || !currentTrial() || m_ended)
        return;
    ++m_focusLosses;
    stored(m_writer.event(currentTrial()->index, QStringLiteral("focus-lost")));
}

void ParticipantWindow::handleExperimenterChord()
{
    const bool complete = m_flow.atEnd();
    switch (m_confirmExit(complete)) {
    case ExitChoice::Stay:
        activateWindow();
        setFocus();
        return;
    case ExitChoice::Pause:
        endSession(complete || m_consentDeclined ? (m_consentDeclined ? SessionState::Aborted : SessionState::Finished)
                                                 : SessionState::Open);
        return;
    case ExitChoice::Abort:
        endSession(SessionState::Aborted);
        return;
    }
}

void ParticipantWindow::endSession(SessionState state)
{
    m_deadline.stop();
    m_exposureTimer.stop();
    m_feedbackTimer.stop();
    m_leaseHeartbeat.stop();
    m_ended = true;
    // Marks placed before the chord are kept: the answer they follow is stored already, and the
    // trial is not asked again on resuming.
    if (m_phase == Phase::Marking && currentTrial() && !m_marks.points.empty())
        stored(m_writer.event(currentTrial()->index, marksEventKind(), marksToJson(m_marks)));
    if (state == SessionState::Aborted) {
        stored(m_writer.end(SessionState::Aborted));
        stored(m_writer.event(-1, QStringLiteral("aborted")));
    } else if (state == SessionState::Open) {
        stored(m_writer.event(currentTrial() ? currentTrial()->index : -1, QStringLiteral("paused")));
        // Paused: any station may resume it.
        stored(m_writer.release());
    }
    // The session's last writes are on disk before anyone is told it ended.
    stored(m_writer.flush());
    Q_EMIT sessionEnded(m_plan.session.id, state);
    close();
}

void ParticipantWindow::closeEvent(QCloseEvent* event)
{
    // A participant cannot close the window (Alt+F4, window manager): only the experimenter chord ends it.
    if (!m_ended) {
        event->ignore();
        return;
    }
    QWidget::closeEvent(event);
}

} // namespace ntt
