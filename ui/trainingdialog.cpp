#include "trainingdialog.h"

#include "backgroundjob.h"
#include "qcustomplot_wrapper.h"
#include "studydatabase.h"
#include "widgethelpers.h"

#include <QCheckBox>
#include <QCloseEvent>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QPointer>
#include <QPushButton>
#include <QRegularExpressionValidator>
#include <QSpinBox>
#include <QThread>
#include <QTimer>
#include <QVBoxLayout>

namespace ntt {

namespace {

const QColor kLossColour(31, 119, 180);
const QColor kAccuracyColour(214, 39, 40);
constexpr int kReplotIntervalMs = 100; // at most ~10 replots a second, however fast batches come

QDoubleSpinBox* doubleSpin(QWidget* parent, double minimum, double maximum, int decimals, double step)
{
    auto* spin = new QDoubleSpinBox(parent);
    spin->setRange(minimum, maximum);
    spin->setDecimals(decimals);
    spin->setSingleStep(step);
    return spin;
}

QSpinBox* intSpin(QWidget* parent, int minimum, int maximum)
{
    auto* spin = new QSpinBox(parent);
    spin->setRange(minimum, maximum);
    return spin;
}

QString ratiosText(const SplitRatios& r)
{
    return QStringLiteral("%1:%2:%3").arg(QString::number(r.train), QString::number(r.val), QString::number(r.test));
}

} // namespace

TrainingDialog::TrainingDialog(const QString& studyFilePath, QWidget* parent)
    : QDialog(parent)
    , m_studyFilePath(studyFilePath)
    , m_name(new QLineEdit(this))
    , m_target(new QComboBox(this))
    , m_onStudy(new QCheckBox(this))
    , m_architecture(new QComboBox(this))
    , m_optimizer(new QComboBox(this))
    , m_learningRate(doubleSpin(this, 0.000001, 10.0, 6, 0.001))
    , m_momentum(doubleSpin(this, 0.0, 0.999, 3, 0.01))
    , m_weightDecay(doubleSpin(this, 0.0, 1.0, 6, 0.0001))
    , m_epochs(intSpin(this, 1, 1000))
    , m_batchSize(intSpin(this, 1, 1024))
    , m_inputSize(intSpin(this, 16, 1024))
    , m_cropFrom(intSpin(this, 0, 4096))
    , m_flips(new QCheckBox(tr("Random horizontal &flips"), this))
    , m_randomResizedCrop(new QCheckBox(tr("Random resi&zed crops (80–100 %)"), this))
    , m_patience(intSpin(this, 0, 1000))
    , m_seed(new QLineEdit(this))
    , m_threads(intSpin(this, 0, 256))
    , m_cpuOnly(new QCheckBox(tr("CPU &only, even when CUDA is available"), this))
    , m_ratios(new QLineEdit(this))
    , m_ratiosError(new QLabel(this))
    , m_splitSeed(new QLineEdit(this))
    , m_form(new QWidget(this))
    , m_plot(new QCustomPlot(this))
    , m_heldLabel(new QLabel(tr("Paused: a participant session is running at this station"), this))
    , m_status(new QLabel(this))
    , m_train(new QPushButton(tr("&Train"), this))
    , m_cancel(new QPushButton(tr("Cancel"), this))
    , m_job(new BackgroundJob(this))
    , m_replotTimer(new QTimer(this))
    , m_paused(std::make_shared<std::atomic_bool>(false))
{
    setWindowTitle(tr("Train a built-in detector"));

    m_name->setPlaceholderText(tr("Name of the model in the study file"));
    m_target->addItem(tr("Real or generated (P(real))"), int(TrainingTarget::RealOrGenerated));
    m_target->addItem(tr("Which source made it (one class per source)"), int(TrainingTarget::Source));
    m_target->addItem(tr("What it shows (one class per category)"), int(TrainingTarget::Category));
    m_target->addItem(tr("Cross-generator matrix (one detector per generator)"), int(TrainingTarget::CrossGenerator));
    m_target->setToolTip(tr("The cross-generator matrix (GenImage) trains one real-or-generated detector per "
                            "generator, on its images and the real ones, named \"<name> on <generator>\", and "
                            "judges every source's test images with each; existing detectors of those names are "
                            "reused. The matrix is drawn on the Models tab."));
    m_onStudy->setToolTip(tr("Train on the copies people see (one size, format and quality), so that the file "
                             "cues the shortcut audit flags are gone for the model too; only the study's images "
                             "take part."));
    m_onStudy->setVisible(false);
    for (DetectorArchitecture a : { DetectorArchitecture::BaselineCnn, DetectorArchitecture::ResNet18 }) {
        const QString name = architectureName(a);
        m_architecture->addItem(a == DetectorArchitecture::BaselineCnn ? tr("%1 (two convolutions)").arg(name)
                                                                       : tr("%1 (ResNet-18)").arg(name),
            name);
    }
    m_optimizer->addItem(tr("SGD with momentum"), QStringLiteral("sgd"));
    m_optimizer->addItem(tr("AdamW"), QStringLiteral("adamw"));
    m_epochs->setToolTip(tr("The learning rate decays along a cosine over these epochs."));
    m_inputSize->setSuffix(tr(" px"));
    m_cropFrom->setSuffix(tr(" px"));
    m_cropFrom->setSpecialValueText(tr("off (scale the whole image)"));
    m_cropFrom->setToolTip(tr("Scale the short side to this size and use the centre square of the input size. "
                              "Scaling a whole image down erases fine traces such as upsampling artefacts; a crop "
                              "at (nearly) full resolution keeps them."));
    m_patience->setSpecialValueText(tr("off"));
    m_patience->setSuffix(tr(" epoch(s)"));
    m_patience->setToolTip(tr("Stop after this many epochs without a better validation accuracy."));
    m_threads->setSpecialValueText(tr("automatic"));
    m_threads->setToolTip(tr("Intra-op threads of LibTorch; automatic uses every core."));
    const auto* digits = new QRegularExpressionValidator(QRegularExpression(QStringLiteral("\\d{1,19}")), this);
    m_seed->setValidator(digits);
    m_splitSeed->setValidator(digits);
    m_splitSeed->setToolTip(tr("Seed of the split maker; used when the pool has no splits yet."));
    m_ratios->setObjectName(QStringLiteral("splitRatios"));
    m_ratiosError->setObjectName(QStringLiteral("splitRatiosError"));
    m_ratios->setToolTip(tr("train:validation:test, e.g. 8:1:1 or 1:1:8 as in DeepArt. Splits are stratified by "
                            "source and category and keep pairs together; they are made only when the pool has "
                            "none yet."));
    QPalette errorPalette = m_ratiosError->palette();
    errorPalette.setColor(QPalette::WindowText, kErrorColour);
    m_ratiosError->setPalette(errorPalette);
    m_ratiosError->setWordWrap(true);
    m_ratiosError->setVisible(false);

    auto* modelBox = new QGroupBox(tr("Model"), m_form);
    auto* modelForm = new QFormLayout(modelBox);
    modelForm->addRow(tr("&Name:"), m_name);
    modelForm->addRow(tr("Lear&ns:"), m_target);
    modelForm->addRow(tr("&Architecture:"), m_architecture);
    modelForm->addRow(tr("&Input size:"), m_inputSize);
    modelForm->addRow(tr("&Crop from:"), m_cropFrom);

    auto* optimiserBox = new QGroupBox(tr("Optimisation"), m_form);
    auto* optimiserForm = new QFormLayout(optimiserBox);
    optimiserForm->addRow(tr("O&ptimizer:"), m_optimizer);
    optimiserForm->addRow(tr("&Learning rate:"), m_learningRate);
    optimiserForm->addRow(tr("&Momentum:"), m_momentum);
    optimiserForm->addRow(tr("&Weight decay:"), m_weightDecay);
    optimiserForm->addRow(tr("&Epochs:"), m_epochs);
    optimiserForm->addRow(tr("&Batch size:"), m_batchSize);
    optimiserForm->addRow(tr("Early &stopping:"), m_patience);

    auto* dataBox = new QGroupBox(tr("Data"), m_form);
    auto* dataForm = new QFormLayout(dataBox);
    auto* ratiosColumn = new QVBoxLayout;
    ratiosColumn->setContentsMargins(0, 0, 0, 0);
    ratiosColumn->addWidget(m_ratios);
    ratiosColumn->addWidget(m_ratiosError);
    // A row holding a layout gets no buddy from QFormLayout: set it, or the '&' shows.
    auto* ratiosLabel = new QLabel(tr("Split &ratios:"), m_form);
    ratiosLabel->setBuddy(m_ratios);
    dataForm->addRow(ratiosLabel, ratiosColumn);
    dataForm->addRow(tr("Split s&eed:"), m_splitSeed);
    dataForm->addRow(m_onStudy);
    dataForm->addRow(m_flips);
    dataForm->addRow(m_randomResizedCrop);

    auto* runBox = new QGroupBox(tr("Run"), m_form);
    auto* runForm = new QFormLayout(runBox);
    runForm->addRow(tr("Training see&d:"), m_seed);
    runForm->addRow(tr("T&hreads:"), m_threads);
    runForm->addRow(m_cpuOnly);

    auto* formColumn = new QVBoxLayout(m_form);
    formColumn->setContentsMargins(0, 0, 0, 0);
    formColumn->addWidget(modelBox);
    formColumn->addWidget(optimiserBox);
    formColumn->addWidget(dataBox);
    formColumn->addWidget(runBox);
    formColumn->addStretch(1);

    // Loss per batch on the left axis, validation accuracy per epoch on the right (0..1).
    m_plot->setMinimumSize(520, 360);
    m_plot->addGraph(m_plot->xAxis, m_plot->yAxis);
    m_plot->graph(0)->setName(tr("Training loss"));
    m_plot->graph(0)->setPen(QPen(kLossColour, 1.5));
    m_plot->addGraph(m_plot->xAxis, m_plot->yAxis2);
    m_plot->graph(1)->setName(tr("Validation accuracy"));
    m_plot->graph(1)->setPen(QPen(kAccuracyColour, 2.0));
    m_plot->graph(1)->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, 7));
    m_plot->xAxis->setLabel(tr("Epoch"));
    m_plot->yAxis->setLabel(tr("Training loss"));
    m_plot->yAxis->setRange(0.0, 1.0);
    m_plot->yAxis2->setVisible(true);
    m_plot->yAxis2->setLabel(tr("Validation accuracy"));
    m_plot->yAxis2->setRange(0.0, 1.0);
    m_plot->yAxis2->setTickLabelColor(kAccuracyColour);
    m_plot->yAxis2->setLabelColor(kAccuracyColour);
    m_plot->yAxis->setTickLabelColor(kLossColour);
    m_plot->yAxis->setLabelColor(kLossColour);
    // The legend goes below the axes, where no curve can run under it.
    m_plot->legend->setVisible(true);
    m_plot->plotLayout()->addElement(1, 0, m_plot->legend);
    m_plot->plotLayout()->setRowStretchFactor(1, 0.001);
    m_plot->legend->setFillOrder(QCPLegend::foColumnsFirst);
    m_plot->legend->setBorderPen(Qt::NoPen);

    m_replotTimer->setSingleShot(true);
    m_replotTimer->setInterval(kReplotIntervalMs);
    connect(m_replotTimer, &QTimer::timeout, this, &TrainingDialog::replot);

    m_heldLabel->setVisible(false);
    m_heldLabel->setStyleSheet(
        QStringLiteral("QLabel { background: #fff3cd; color: #664d03; padding: 6px; font-weight: bold; }"));
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_status->setText(tr("Set the parameters and press Train. The curves appear here as training runs."));

    m_train->setDefault(true);
    m_cancel->setAutoDefault(false);
    auto* buttons = new QDialogButtonBox(this);
    buttons->addButton(m_train, QDialogButtonBox::ActionRole);
    buttons->addButton(m_cancel, QDialogButtonBox::RejectRole);

    auto* top = new QHBoxLayout;
    top->addWidget(m_form);
    top->addWidget(m_plot, 1);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(top, 1);
    layout->addWidget(m_heldLabel);
    layout->addWidget(m_status);
    layout->addWidget(buttons);

    setOptions(DetectorTraining {});

    connect(m_train, &QPushButton::clicked, this, &TrainingDialog::startTraining);
    connect(m_cancel, &QPushButton::clicked, this, &TrainingDialog::reject);
    connect(m_ratios, &QLineEdit::textChanged, this, &TrainingDialog::validateRatios);
    connect(m_name, &QLineEdit::textChanged, this, &TrainingDialog::updateTrainButton);
    // Before training, the empty plot shows the epochs it will cover.
    connect(m_epochs, &QSpinBox::valueChanged, this, [this](int epochs) {
        if (m_job->isRunning() || m_plot->graph(0)->dataCount() > 0)
            return;
        m_plot->xAxis->setRange(0.0, epochs);
        m_plot->replot();
    });
    connect(m_optimizer, &QComboBox::currentIndexChanged, this,
        [this] { m_momentum->setEnabled(m_optimizer->currentData().toString() == QLatin1String("sgd")); });
}

TrainingDialog::~TrainingDialog()
{
    // The worker posts progress to this dialog: stop it before the dialog goes.
    m_job->cancelAndWait();
}

void TrainingDialog::setOptions(const DetectorTraining& training)
{
    const TrainingOptions& o = training.options;
    m_name->setText(training.name);
    setTarget(training.bySource   ? TrainingTarget::Source
            : training.byCategory ? TrainingTarget::Category
                                  : TrainingTarget::RealOrGenerated);
    m_onStudy->setChecked(m_studyId != 0 && training.studyId == m_studyId);
    m_architecture->setCurrentIndex(qMax(0, m_architecture->findData(architectureName(o.architecture))));
    m_optimizer->setCurrentIndex(qMax(0, m_optimizer->findData(o.optimizer)));
    m_momentum->setEnabled(m_optimizer->currentData().toString() == QLatin1String("sgd"));
    m_learningRate->setValue(o.learningRate);
    m_momentum->setValue(o.momentum);
    m_weightDecay->setValue(o.weightDecay);
    m_epochs->setValue(o.epochs);
    if (!m_job->isRunning() && m_plot->graph(0)->dataCount() == 0) {
        m_plot->xAxis->setRange(0.0, o.epochs);
        m_plot->replot();
    }
    m_batchSize->setValue(o.batchSize);
    m_inputSize->setValue(o.inputSize);
    m_cropFrom->setValue(o.cropFrom);
    m_flips->setChecked(o.flips);
    m_randomResizedCrop->setChecked(o.randomResizedCrop);
    m_patience->setValue(o.earlyStoppingPatience);
    m_seed->setText(QString::number(o.seed));
    m_threads->setValue(o.threads);
    m_cpuOnly->setChecked(o.device == DevicePreference::Cpu);
    m_ratios->setText(ratiosText(training.ratios));
    m_splitSeed->setText(QString::number(training.splitSeed));
    validateRatios();
    updateTrainButton();
}

DetectorTraining TrainingDialog::options() const
{
    DetectorTraining training;
    TrainingOptions& o = training.options;
    training.name = m_name->text().trimmed();
    training.bySource = target() == TrainingTarget::Source;
    training.byCategory = target() == TrainingTarget::Category;
    training.studyId = m_studyId != 0 && m_onStudy->isChecked() ? m_studyId : 0;
    o.architecture = architectureFromName(m_architecture->currentData().toString()).value_or(o.architecture);
    o.optimizer = m_optimizer->currentData().toString();
    o.learningRate = m_learningRate->value();
    o.momentum = m_momentum->value();
    o.weightDecay = m_weightDecay->value();
    o.epochs = m_epochs->value();
    o.batchSize = m_batchSize->value();
    o.inputSize = m_inputSize->value();
    o.cropFrom = m_cropFrom->value();
    o.flips = m_flips->isChecked();
    o.randomResizedCrop = m_randomResizedCrop->isChecked();
    o.earlyStoppingPatience = m_patience->value();
    o.seed = m_seed->text().toULongLong();
    o.threads = m_threads->value();
    o.device = m_cpuOnly->isChecked() ? DevicePreference::Cpu : DevicePreference::Auto;
    if (const auto ratios = parseSplitRatios(m_ratios->text().trimmed()))
        training.ratios = ratios.value();
    training.splitSeed = m_splitSeed->text().toULongLong();
    return training;
}

void TrainingDialog::setTarget(TrainingTarget target)
{
    m_target->setCurrentIndex(qMax(0, m_target->findData(int(target))));
}

TrainingTarget TrainingDialog::target() const
{
    return TrainingTarget(m_target->currentData().toInt());
}

void TrainingDialog::setStudy(qint64 studyId, const QString& studyName)
{
    m_studyId = studyId;
    m_onStudy->setText(tr("Train on the st&imuli of study \"%1\" (normalised)").arg(studyName));
    m_onStudy->setVisible(studyId != 0);
    if (studyId == 0)
        m_onStudy->setChecked(false);
}

bool TrainingDialog::isTraining() const
{
    return m_job->isRunning();
}

QString TrainingDialog::statusText() const
{
    return m_status->text();
}

void TrainingDialog::setSessionRunning(bool running)
{
    m_sessionRunning = running;
    m_paused->store(running);
    m_heldLabel->setVisible(running);
    updateTrainButton();
}

void TrainingDialog::startTraining()
{
    if (m_job->isRunning())
        return;
    if (m_sessionRunning) {
        setStatus(tr("Training waits until the participant session at this station has ended."), true);
        return;
    }
    const auto ratios = parseSplitRatios(m_ratios->text().trimmed());
    if (!ratios) {
        validateRatios();
        m_ratios->setFocus();
        return;
    }
    const DetectorTraining training = options();
    if (training.name.isEmpty()) {
        setStatus(tr("Give the model a name first."), true);
        m_name->setFocus();
        return;
    }

    resetPlot(training.options.epochs);
    m_stage.clear();
    m_cancelRequested = false;
    setBusy(true);
    setStatus(tr("Preparing the splits and decoding the images…"), false);
    if (target() == TrainingTarget::CrossGenerator) {
        startCrossGenerator(training);
        return;
    }

    const QString path = m_studyFilePath;
    const auto paused = m_paused;
    QPointer<TrainingDialog> self(this);
    m_job->start<AddedModel>(
        [path, training, paused, self](const CancelToken& cancel, const ProgressFn&) -> Result<AddedModel> {
            // The connection belongs to this worker thread: open it here, never share the GUI thread's.
            auto db = StudyDatabase::open(path, StudyDatabase::OpenMode::ExistingOnly);
            if (!db)
                return Error { db.error() };
            const TrainingProgressFn forward = [self, paused, &cancel](const TrainingProgress& progress) {
                QMetaObject::invokeMethod(
                    self.data(),
                    [self, progress] {
                        if (self)
                            self->showProgress(progress);
                    },
                    Qt::QueuedConnection);
                // Hold between batches while a participant session runs at this station.
                while (paused->load() && !cancel.isCancelled())
                    QThread::msleep(50);
            };
            return trainDetectorOnPool(*db.value(), training, cancel, forward);
        },
        [this](Result<AddedModel> result) {
            const bool cancelled = m_cancelRequested;
            setBusy(false);
            m_replotTimer->stop();
            replot();
            if (!result) {
                setStatus(cancelled ? tr("Training cancelled; no model was saved.")
                                    : tr("Training failed: %1").arg(result.error()),
                    true);
                return;
            }
            const QJsonObject record = QJsonDocument::fromJson(result->model.training.toUtf8()).object();
            setStatus(tr("Trained: best validation accuracy %1 % at epoch %2")
                          .arg(100.0 * record.value(QStringLiteral("best_val_accuracy")).toDouble(), 0, 'f', 1)
                          .arg(record.value(QStringLiteral("best_epoch")).toInt()),
                false);
            m_cancel->setText(tr("Close"));
            Q_EMIT trained(result->model.id);
        });
}

void TrainingDialog::startCrossGenerator(const DetectorTraining& training)
{
    const QString path = m_studyFilePath;
    const auto paused = m_paused;
    const double threshold = m_threshold;
    QPointer<TrainingDialog> self(this);
    m_job->start<CrossGeneratorMatrix>(
        [path, training, threshold, paused, self](
            const CancelToken& cancel, const ProgressFn&) -> Result<CrossGeneratorMatrix> {
            auto db = StudyDatabase::open(path, StudyDatabase::OpenMode::ExistingOnly);
            if (!db)
                return Error { db.error() };
            const auto post = [self](auto&& call) {
                QMetaObject::invokeMethod(
                    self.data(),
                    [self, call] {
                        if (self)
                            call(*self);
                    },
                    Qt::QueuedConnection);
            };
            // Which detector trains, or which source runs, goes to the status line between batches.
            const ProgressFn stage = [post](qint64 done, qint64 total, const QString& what) {
                post([done, total, what](TrainingDialog& d) {
                    if (!d.m_job->isRunning() || d.m_cancelRequested)
                        return;
                    d.m_stage = what;
                    d.setStatus(tr("%1 (%2 of %3)").arg(what).arg(done).arg(total), false);
                });
            };
            const TrainingProgressFn batches = [post, paused, &cancel](const TrainingProgress& progress) {
                post([progress](TrainingDialog& d) {
                    if (progress.epoch == 1 && progress.batch == 1)
                        d.resetPlot(progress.epochs);
                    d.showProgress(progress);
                });
                while (paused->load() && !cancel.isCancelled())
                    QThread::msleep(50);
            };
            return crossGeneratorMatrix(*db.value(), training, threshold, cancel, stage, batches);
        },
        [this](Result<CrossGeneratorMatrix> result) {
            const bool cancelled = m_cancelRequested;
            setBusy(false);
            m_replotTimer->stop();
            replot();
            if (!result) {
                setStatus(cancelled ? tr("Cancelled; the detectors trained so far are kept and will be reused.")
                                    : tr("The cross-generator matrix failed: %1").arg(result.error()),
                    true);
                return;
            }
            m_matrix = result.value();
            setStatus(tr("Cross-generator matrix of %n detector(s) done: it is drawn on the Models tab.", nullptr,
                          int(m_matrix.models.size())),
                false);
            m_cancel->setText(tr("Close"));
            Q_EMIT crossGeneratorReady();
        });
}

void TrainingDialog::resetPlot(int epochs)
{
    m_plot->graph(0)->data()->clear();
    m_plot->graph(1)->data()->clear();
    m_plot->xAxis->setRange(0.0, epochs);
    m_plot->yAxis->setRange(0.0, 1.0);
    replot();
}

void TrainingDialog::reject()
{
    if (m_job->isRunning()) {
        m_cancelRequested = true;
        m_job->cancel();
        m_cancel->setEnabled(false);
        setStatus(tr("Cancelling after the current batch…"), false);
        return;
    }
    QDialog::reject();
}

void TrainingDialog::closeEvent(QCloseEvent* event)
{
    if (m_job->isRunning()) {
        reject();
        event->ignore();
        return;
    }
    QDialog::closeEvent(event);
}

void TrainingDialog::showProgress(const TrainingProgress& p)
{
    if (!m_job->isRunning() || m_cancelRequested)
        return;
    if (p.batch > 0) {
        const double x = (p.epoch - 1) + static_cast<double>(p.batch) / qMax(1, p.batches);
        m_plot->graph(0)->addData(x, p.loss);
        setStatus(staged(tr("Epoch %1/%2, batch %3/%4: loss %5")
                             .arg(p.epoch)
                             .arg(p.epochs)
                             .arg(p.batch)
                             .arg(p.batches)
                             .arg(p.loss, 0, 'f', 4)),
            false);
    } else {
        if (p.validationAccuracy >= 0.0)
            m_plot->graph(1)->addData(p.epoch, p.validationAccuracy);
        setStatus(staged(tr("Epoch %1/%2 done: loss %3, validation accuracy %4 %")
                             .arg(p.epoch)
                             .arg(p.epochs)
                             .arg(p.loss, 0, 'f', 4)
                             .arg(100.0 * p.validationAccuracy, 0, 'f', 1)),
            false);
    }
    m_plot->xAxis->setRange(0.0, qMax(p.epochs, 1));
    requestReplot();
}

QString TrainingDialog::staged(const QString& text) const
{
    return m_stage.isEmpty() ? text : tr("%1: %2").arg(m_stage, text);
}

void TrainingDialog::requestReplot()
{
    if (!m_sinceReplot.isValid() || m_sinceReplot.elapsed() >= kReplotIntervalMs)
        replot();
    else if (!m_replotTimer->isActive())
        m_replotTimer->start(kReplotIntervalMs - static_cast<int>(m_sinceReplot.elapsed()));
}

void TrainingDialog::replot()
{
    bool found = false;
    const QCPRange losses = m_plot->graph(0)->data()->valueRange(found);
    if (found)
        m_plot->yAxis->setRange(0.0, qMax(losses.upper * 1.1, 0.1));
    m_plot->replot();
    m_sinceReplot.start();
}

void TrainingDialog::setBusy(bool busy)
{
    m_form->setEnabled(!busy);
    m_cancel->setEnabled(true);
    m_cancel->setText(tr("Cancel"));
    updateTrainButton();
    if (busy)
        m_train->setEnabled(false);
}

void TrainingDialog::updateTrainButton()
{
    m_train->setEnabled(!m_job->isRunning() && !m_sessionRunning && !m_name->text().trimmed().isEmpty()
        && parseSplitRatios(m_ratios->text().trimmed()).ok());
}

void TrainingDialog::validateRatios()
{
    const auto ratios = parseSplitRatios(m_ratios->text().trimmed());
    m_ratiosError->setText(ratios ? QString() : ratios.error());
    m_ratiosError->setVisible(!ratios);
    updateTrainButton();
}

void TrainingDialog::setStatus(const QString& text, bool failed)
{
    markFailed(m_status, QPalette::WindowText, failed);
    m_status->setText(text);
}

} // namespace ntt
