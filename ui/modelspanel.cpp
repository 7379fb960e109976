#include "modelspanel.h"

#include "analysis/objectrecognition.h"
#include "backgroundjob.h"
#include "qcustomplot_wrapper.h"
#include "studydatabase.h"
#include "studyfile.h"
#include "trainingdialog.h"
#include "widgethelpers.h"

#include <QCheckBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFontDatabase>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QLabel>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QTableWidget>
#include <QVBoxLayout>

namespace ntt {

namespace {

enum Column { NameColumn, KindColumn, TestColumn, TrialsColumn, FileColumn, ColumnCount };

QString accuracyText(double accuracy, int count)
{
    if (accuracy < 0.0)
        return QStringLiteral("–");
    return ModelsPanel::tr("%1 % of %2").arg(100.0 * accuracy, 0, 'f', 1).arg(count);
}

QString runText(const QString& model, const ModelRunOutcome& run)
{
    return ModelsPanel::tr("%1: %2 predicted, %3 already done, %4 failed; answered %5 trial(s) on %6, %7 thread(s), "
                           "LibTorch %8")
        .arg(model)
        .arg(run.predicted)
        .arg(run.skipped)
        .arg(run.failed)
        .arg(run.answers)
        .arg(run.runtime.device)
        .arg(run.runtime.threads)
        .arg(run.runtime.torchVersion);
}

} // namespace

ModelsPanel::ModelsPanel(QWidget* parent)
    : QWidget(parent)
    , m_table(new QTableWidget(this))
    , m_add(new QPushButton(tr("&Add TorchScript model…"), this))
    , m_train(new QPushButton(tr("&Train detector…"), this))
    , m_exportPredictions(new QPushButton(tr("Export &predictions…"), this))
    , m_exportAnswers(new QPushButton(tr("Export model a&nswers…"), this))
    , m_batchSize(new QSpinBox(this))
    , m_threshold(new QDoubleSpinBox(this))
    , m_cpuOnly(new QCheckBox(tr("CPU &only"), this))
    , m_run(new QPushButton(tr("&Run selected model"), this))
    , m_cancel(new QPushButton(tr("Cancel"), this))
    , m_frequency(new QPushButton(tr("&Frequency analysis"), this))
    , m_recognition(new QPushButton(tr("Per &category"), this))
    , m_contamination(new QPushButton(tr("Contami&nation…"), this))
    , m_frequencyPlot(new QCustomPlot(this))
    , m_pausedLabel(new QLabel(tr("Paused: a participant session is running at this station"), this))
    , m_progress(new QProgressBar(this))
    , m_status(new QLabel(this))
    , m_result(new QLabel(this))
    , m_details(new QPlainTextEdit(this))
    , m_paused(std::make_shared<std::atomic_bool>(false))
{
    m_table->setColumnCount(ColumnCount);
    m_table->setHorizontalHeaderLabels(
        { tr("Model"), tr("Kind"), tr("Accuracy on test images"), tr("Accuracy on trials"), tr("File") });
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->verticalHeader()->setVisible(false);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->horizontalHeaderItem(TestColumn)
        ->setToolTip(tr("Images of the pool's test split the model predicted: P(real) >= 0.5 counts as \"real\"."));
    m_table->horizontalHeaderItem(TrialsColumn)
        ->setToolTip(tr("The model's answers to the trials people answered in this study (practice excluded)."));

    m_batchSize->setRange(1, 256);
    m_batchSize->setValue(16);
    m_threshold->setRange(0.0, 1.0);
    m_threshold->setDecimals(2);
    m_threshold->setSingleStep(0.05);
    m_threshold->setValue(0.5);
    m_threshold->setToolTip(tr("Real-or-fake trials: the model answers \"real\" when P(real) >= this threshold."));
    m_cpuOnly->setToolTip(tr("Run on the CPU even when CUDA is available."));
    m_cancel->setToolTip(tr("Stops the run after the current batch; what was predicted so far is kept."));

    auto* modelButtons = new QHBoxLayout;
    modelButtons->addWidget(m_add);
    modelButtons->addWidget(m_train);
    modelButtons->addStretch(1);
    modelButtons->addWidget(m_exportPredictions);
    modelButtons->addWidget(m_exportAnswers);

    auto* runBox = new QGroupBox(tr("Run on the study"), this);
    auto* runRow = new QHBoxLayout;
    auto* batchLabel = new QLabel(tr("&Batch size:"), runBox);
    batchLabel->setBuddy(m_batchSize);
    auto* thresholdLabel = new QLabel(tr("T&hreshold:"), runBox);
    thresholdLabel->setBuddy(m_threshold);
    runRow->addWidget(batchLabel);
    runRow->addWidget(m_batchSize);
    runRow->addSpacing(12);
    runRow->addWidget(thresholdLabel);
    runRow->addWidget(m_threshold);
    runRow->addSpacing(12);
    runRow->addWidget(m_cpuOnly);
    runRow->addStretch(1);
    runRow->addWidget(m_run);
    runRow->addWidget(m_frequency);
    runRow->addWidget(m_recognition);
    runRow->addWidget(m_contamination);
    m_contamination->setToolTip(tr("How many images of a folder of supposedly real images are generated: the "
                                   "detector's count, corrected for its error rates on the pool's test split."));
    m_recognition->setToolTip(tr("A category classifier (an ImageNet model, say): top-1 and top-5 accuracy per pool "
                                 "category on the images it has predicted."));
    runRow->addWidget(m_cancel);
    m_frequency->setToolTip(tr("Judge the pool's test images as they are and low-, high- and band-pass filtered at 10, "
                               "30, 50 and 100 cycles per image (You et al.), and plot the accuracy."));
    m_frequencyPlot->setMinimumHeight(260);
    m_frequencyPlot->setVisible(false);
    // The legend below the axes, in rows, so that it never hides a line.
    m_frequencyPlot->axisRect()->insetLayout()->take(m_frequencyPlot->legend);
    m_frequencyPlot->plotLayout()->addElement(1, 0, m_frequencyPlot->legend);
    m_frequencyPlot->plotLayout()->setRowStretchFactor(1, 0.001);
    m_frequencyPlot->legend->setFillOrder(QCPLayoutGrid::foColumnsFirst);
    m_frequencyPlot->legend->setWrap(2);
    m_frequencyPlot->legend->setBorderPen(Qt::NoPen);

    m_pausedLabel->setVisible(false);
    m_pausedLabel->setAlignment(Qt::AlignCenter);
    m_pausedLabel->setStyleSheet(
        QStringLiteral("QLabel { background: #fff3cd; color: #664d03; padding: 6px; font-weight: bold; }"));
    m_progress->setRange(0, 100);
    m_progress->setValue(0);
    m_progress->setVisible(false);
    // Long file names in the status must not widen the panel.
    m_status->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_result->setWordWrap(true);
    m_result->setTextInteractionFlags(Qt::TextSelectableByMouse);

    m_details->setReadOnly(true);
    m_details->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_details->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_details->setMaximumHeight(140);
    m_details->setVisible(false);

    auto* runLayout = new QVBoxLayout(runBox);
    runLayout->addLayout(runRow);
    runLayout->addWidget(m_pausedLabel);
    runLayout->addWidget(m_progress);
    runLayout->addWidget(m_status);
    runLayout->addWidget(m_result);
    runLayout->addWidget(m_details);
    runLayout->addWidget(m_frequencyPlot, 1);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_table, 1);
    layout->addLayout(modelButtons);
    layout->addWidget(runBox);

    replaceJob();
    connect(m_add, &QPushButton::clicked, this, &ModelsPanel::addModelDialog);
    connect(m_train, &QPushButton::clicked, this, &ModelsPanel::openTrainingDialog);
    connect(m_run, &QPushButton::clicked, this, &ModelsPanel::runSelectedModel);
    connect(m_cancel, &QPushButton::clicked, this, &ModelsPanel::cancelWork);
    connect(m_contamination, &QPushButton::clicked, this, [this] {
        const qint64 id = selectedModelId();
        if (id <= 0)
            return;
        const QString folder = QFileDialog::getExistingDirectory(
            this, tr("Folder of supposedly real images"), QFileInfo(m_studyFilePath).absolutePath());
        if (!folder.isEmpty())
            estimateContaminationOf(id, folder);
    });
    connect(m_recognition, &QPushButton::clicked, this, [this] {
        if (const qint64 id = selectedModelId(); id > 0)
            showRecognition(id);
    });
    connect(m_frequency, &QPushButton::clicked, this, [this] {
        if (const qint64 id = selectedModelId(); id > 0)
            runFrequencyAnalysis(id);
    });
    connect(m_exportPredictions, &QPushButton::clicked, this, [this] { exportDialog(ExportKind::Predictions); });
    connect(m_exportAnswers, &QPushButton::clicked, this, [this] { exportDialog(ExportKind::ModelAnswers); });
    connect(m_table, &QTableWidget::itemSelectionChanged, this, &ModelsPanel::updateButtons);
    connect(m_table, &QTableWidget::cellDoubleClicked, this, [this] {
        if (m_run->isEnabled())
            runSelectedModel();
    });
    updateButtons();
}

ModelsPanel::~ModelsPanel()
{
    // The worker holds no pointer to the panel, but let it finish before the study file closes.
    m_job->cancelAndWait();
}

void ModelsPanel::setStudy(const QString& studyFilePath, qint64 studyId)
{
    if (studyFilePath == m_studyFilePath && studyId == m_studyId) {
        refresh();
        return;
    }
    if (m_job->isRunning()) {
        // Work on the previous study stops; its result is dropped with the old job.
        replaceJob();
        setWork(Work::None);
    }
    m_studyFilePath = studyFilePath;
    m_studyId = studyId;
    m_db.reset();
    showResult(QString(), {}, false);
    m_status->clear();
    if (!studyFilePath.isEmpty()) {
        auto db = StudyDatabase::open(studyFilePath, StudyDatabase::OpenMode::ExistingOnly);
        if (db)
            m_db = std::move(db).value();
        else
            showResult(db.error(), {}, true);
    }
    if (m_trainingDialog)
        m_trainingDialog->close();
    refresh();
}

void ModelsPanel::setSessionRunning(bool running)
{
    m_sessionRunning = running;
    m_paused->store(running);
    m_pausedLabel->setVisible(running);
    if (m_trainingDialog)
        m_trainingDialog->setSessionRunning(running);
    if (m_work == Work::Run)
        m_status->setText(
            running ? tr("Paused until the participant session ends; the run then goes on.") : m_lastProgress);
    updateButtons();
}

bool ModelsPanel::isBusy() const
{
    return m_job->isRunning();
}

QString ModelsPanel::resultText() const
{
    return m_result->text();
}

void ModelsPanel::refresh()
{
    const qint64 selected = selectedModelId();
    m_table->setRowCount(0);
    if (!m_db) {
        updateButtons();
        return;
    }
    const auto models = m_db->models();
    if (!models) {
        showResult(models.error(), {}, true);
        updateButtons();
        return;
    }
    std::vector<ModelSummary> summaries;
    if (m_studyId > 0) {
        auto s = summariseModels(*m_db, m_studyId);
        if (s)
            summaries = std::move(s).value();
        else
            showResult(s.error(), {}, true);
    }
    m_table->setRowCount(static_cast<int>(models->size()));
    int row = 0;
    for (const StoredModel& m : models.value()) {
        ModelSummary summary;
        for (const ModelSummary& s : summaries) {
            if (s.model == m.name)
                summary = s;
        }
        auto* name = readOnlyItem(m.name);
        name->setData(Qt::UserRole, m.id);
        name->setToolTip(tr("SHA-256 %1, added %2").arg(m.sha256, m.addedUtc.toString(Qt::ISODate)));
        m_table->setItem(row, NameColumn, name);
        m_table->setItem(row, KindColumn, readOnlyItem(m.spec.builtin.isEmpty() ? tr("torchscript") : m.spec.builtin));
        m_table->setItem(row, TestColumn, readOnlyItem(accuracyText(summary.testAccuracy, summary.testImages), true));
        m_table->setItem(row, TrialsColumn, readOnlyItem(accuracyText(summary.trialAccuracy, summary.trials), true));
        auto* file = readOnlyItem(QDir::toNativeSeparators(m.path));
        file->setToolTip(file->text());
        m_table->setItem(row, FileColumn, file);
        if (m.id == selected)
            m_table->selectRow(row);
        ++row;
    }
    m_table->resizeColumnsToContents();
    if (m_table->currentRow() < 0 && m_table->rowCount() > 0)
        m_table->selectRow(0);
    updateButtons();
}

void ModelsPanel::addModelFile(const QString& path, const QString& name)
{
    startAdd(path, name, false);
}

void ModelsPanel::addModelDialog()
{
    const QString start = m_studyFilePath.isEmpty() ? QString() : QFileInfo(m_studyFilePath).absolutePath();
    const QString path = QFileDialog::getOpenFileName(
        this, tr("Add a TorchScript model"), start, tr("TorchScript models (*.pt *.pth);;All files (*)"));
    if (path.isEmpty())
        return;
    bool ok = false;
    const QString name = QInputDialog::getText(this, tr("Add a TorchScript model"),
        tr("Name of the model in the study file (empty: the name its sidecar gives):"), QLineEdit::Normal, QString(),
        &ok);
    if (!ok)
        return;
    startAdd(path, name.trimmed(), true);
}

void ModelsPanel::startAdd(const QString& path, const QString& name, bool interactive)
{
    if (m_studyFilePath.isEmpty() || m_job->isRunning())
        return;
    if (m_sessionRunning) {
        showResult(tr("Model work waits until the participant session at this station has ended."), {}, true);
        return;
    }
    setWork(Work::Add);
    m_progress->setRange(0, 0);
    m_status->setText(tr("Loading %1…").arg(QDir::toNativeSeparators(path)));
    showResult(QString(), {}, false);
    const QString file = m_studyFilePath;
    m_job->start<AddedModel>(
        [file, path, name](const CancelToken&, const ProgressFn&) -> Result<AddedModel> {
            // The connection belongs to this worker thread: open it here, never share the GUI thread's.
            auto db = StudyDatabase::open(file, StudyDatabase::OpenMode::ExistingOnly);
            if (!db)
                return Error { db.error() };
            return addModel(*db.value(), path, name);
        },
        [this, interactive](Result<AddedModel> result) {
            setWork(Work::None);
            m_status->clear();
            if (!result) {
                showResult(tr("The model was not added: %1").arg(result.error()), {}, true);
                if (interactive)
                    QMessageBox::warning(this, tr("Add a TorchScript model"), result.error());
                return;
            }
            showResult(
                tr("Added \"%1\" (id %2).").arg(result->model.name).arg(result->model.id), result->warnings, false);
            refresh();
            for (int row = 0; row < m_table->rowCount(); ++row) {
                if (m_table->item(row, NameColumn)->data(Qt::UserRole).toLongLong() == result->model.id)
                    m_table->selectRow(row);
            }
            if (interactive && !result->warnings.isEmpty())
                QMessageBox::information(this, tr("Add a TorchScript model"),
                    tr("\"%1\" was added with these warnings:\n\n%2")
                        .arg(result->model.name, result->warnings.join(QLatin1Char('\n'))));
            Q_EMIT modelsChanged();
        });
}

TrainingDialog* ModelsPanel::trainingDialog() const
{
    return m_trainingDialog.data();
}

void ModelsPanel::openTrainingDialog()
{
    if (m_studyFilePath.isEmpty() || m_sessionRunning)
        return;
    if (m_trainingDialog) {
        m_trainingDialog->raise();
        m_trainingDialog->activateWindow();
        return;
    }
    auto* dialog = new TrainingDialog(m_studyFilePath, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setSessionRunning(m_sessionRunning);
    dialog->setThreshold(m_threshold->value());
    if (m_db && m_studyId > 0) {
        if (const auto study = m_db->study(m_studyId))
            dialog->setStudy(m_studyId, study->definition.name);
    }
    connect(dialog, &TrainingDialog::trained, this, [this] {
        refresh();
        Q_EMIT modelsChanged();
    });
    connect(dialog, &TrainingDialog::crossGeneratorReady, this, [this, dialog] {
        refresh();
        Q_EMIT modelsChanged();
        showCrossGenerator(dialog->lastMatrix());
    });
    m_trainingDialog = dialog;
    dialog->show();
}

void ModelsPanel::runSelectedModel()
{
    const qint64 id = selectedModelId();
    if (id > 0)
        runModel(id);
}

ModelRunOptions ModelsPanel::runOptions() const
{
    ModelRunOptions options;
    options.batchSize = m_batchSize->value();
    options.threshold = m_threshold->value();
    options.device = m_cpuOnly->isChecked() ? DevicePreference::Cpu : DevicePreference::Auto;
    return options;
}

void ModelsPanel::runModel(qint64 modelId)
{
    if (m_studyFilePath.isEmpty() || m_studyId <= 0 || m_job->isRunning())
        return;
    const ModelRunOptions options = runOptions();
    const QString model = modelName(modelId);
    const QString file = m_studyFilePath;
    const qint64 studyId = m_studyId;
    const auto paused = m_paused;

    setWork(Work::Run);
    m_progress->setRange(0, 100);
    m_progress->setValue(0);
    m_lastProgress = tr("Loading %1…").arg(model);
    m_status->setText(
        m_sessionRunning ? tr("Paused until the participant session ends; the run then goes on.") : m_lastProgress);
    showResult(QString(), {}, false);
    m_job->start<ModelRunOutcome>(
        [file, studyId, modelId, options, paused](
            const CancelToken& cancel, const ProgressFn& progress) -> Result<ModelRunOutcome> {
            // The connection belongs to this worker thread: open it here, never share the GUI thread's.
            auto db = StudyDatabase::open(file, StudyDatabase::OpenMode::ExistingOnly);
            if (!db)
                return Error { db.error() };
            return runModelOnStudy(*db.value(), studyId, modelId, options, cancel, progress, paused.get());
        },
        [this, model](Result<ModelRunOutcome> result) {
            const bool cancelled = m_cancelRequested;
            setWork(Work::None);
            m_status->clear();
            if (result)
                showResult(runText(model, result.value()), result->errors, false);
            else if (cancelled)
                showResult(tr("%1: run cancelled; the predictions stored so far are kept and a new run goes on "
                              "from there.")
                               .arg(model),
                    {}, false);
            else
                showResult(tr("%1: the run failed: %2").arg(model, result.error()), {}, true);
            refresh();
            Q_EMIT modelsChanged();
        });
}

void ModelsPanel::runFrequencyAnalysis(qint64 modelId)
{
    if (m_studyFilePath.isEmpty() || m_job->isRunning() || m_sessionRunning)
        return;
    const ModelRunOptions options = runOptions();
    const QString model = modelName(modelId);
    const QString file = m_studyFilePath;
    setWork(Work::Frequency);
    m_progress->setValue(0);
    m_status->setText(tr("Frequency analysis of %1…").arg(model));
    showResult(QString(), {}, false);
    using Outcome = std::pair<std::vector<FrequencyAccuracy>, QString>;
    m_job->start<Outcome>(
        [file, modelId, options](const CancelToken& cancel, const ProgressFn& progress) -> Result<Outcome> {
            auto db = StudyDatabase::open(file, StudyDatabase::OpenMode::ExistingOnly);
            if (!db)
                return Error { db.error() };
            const auto pool = db.value()->poolImages();
            if (!pool)
                return Error { pool.error() };
            PoolSelection selection;
            if (std::any_of(pool->begin(), pool->end(), [](const PoolImage& i) { return i.split == Split::Test; }))
                selection.splits = { splitName(Split::Test) };
            auto results = evaluateOnFrequencies(
                *db.value(), modelId, selection, { 10, 30, 50, 100 }, options, cancel, progress);
            if (!results)
                return Error { results.error() };
            return Outcome { std::move(results).value(), selection.describe() };
        },
        [this, model](Result<Outcome> result) {
            const bool cancelled = m_cancelRequested;
            setWork(Work::None);
            m_status->clear();
            if (result) {
                drawFrequency(result->first, tr("%1 on %2").arg(model, result->second));
                showResult(tr("%1: frequency analysis of %n image(s) of %2.", nullptr,
                               result->first.empty() ? 0 : result->first.front().accuracy.trials)
                               .arg(model, result->second),
                    {}, false);
            } else {
                showResult(cancelled ? tr("%1: frequency analysis cancelled.").arg(model)
                                     : tr("%1: the frequency analysis failed: %2").arg(model, result.error()),
                    {}, !cancelled);
            }
            Q_EMIT frequencyAnalysed();
        });
}

void ModelsPanel::estimateContaminationOf(qint64 modelId, const QString& folder)
{
    if (m_studyFilePath.isEmpty() || m_job->isRunning() || m_sessionRunning)
        return;
    const ModelRunOptions options = runOptions();
    const QString model = modelName(modelId);
    const QString file = m_studyFilePath;
    setWork(Work::Contamination);
    m_progress->setValue(0);
    m_status->setText(tr("%1 judges %2…").arg(model, QDir::toNativeSeparators(folder)));
    showResult(QString(), {}, false);
    m_job->start<ContaminationReport>(
        [file, modelId, folder, options](
            const CancelToken& cancel, const ProgressFn& progress) -> Result<ContaminationReport> {
            auto db = StudyDatabase::open(file, StudyDatabase::OpenMode::ExistingOnly);
            if (!db)
                return Error { db.error() };
            PoolSelection test;
            test.splits = { splitName(Split::Test) };
            return estimateFolderContamination(*db.value(), modelId, folder, test, options, cancel, progress);
        },
        [this, model](Result<ContaminationReport> result) {
            const bool cancelled = m_cancelRequested;
            setWork(Work::None);
            m_status->clear();
            if (!result) {
                showResult(cancelled ? tr("%1: cancelled.").arg(model)
                                     : tr("%1: no contamination estimate: %2").arg(model, result.error()),
                    {}, !cancelled);
                Q_EMIT contaminationEstimated();
                return;
            }
            const ContaminationEstimate& e = result->estimate;
            QString text = tr("%1 on %2: %3 of %4 image(s) called generated (apparent share %5 %).")
                               .arg(model, QDir::toNativeSeparators(result->folder))
                               .arg(e.flagged)
                               .arg(e.images)
                               .arg(100.0 * e.apparent.estimate, 0, 'f', 1);
            text += QLatin1Char(' ')
                + (e.warning.isEmpty() ? tr("Corrected for its error rates on the test split (sensitivity %1, "
                                            "specificity %2): %3 % generated, 95 % interval %4-%5 % "
                                            "(Rogan-Gladen).")
                                             .arg(e.sensitivity, 0, 'f', 3)
                                             .arg(e.specificity, 0, 'f', 3)
                                             .arg(100.0 * e.estimate, 0, 'f', 1)
                                             .arg(100.0 * e.low, 0, 'f', 1)
                                             .arg(100.0 * e.high, 0, 'f', 1)
                                       : tr("No corrected estimate: %1.").arg(e.warning));
            QStringList details = { tr("Most likely generated, for review:") };
            int listed = 0;
            for (const FolderImageVerdict& v : result->images) {
                if (!v.error.isEmpty())
                    details << tr("could not be judged: %1").arg(v.error);
                else if (listed++ < 20)
                    details << tr("P(real) %1  %2").arg(v.pReal, 0, 'f', 3).arg(QDir::toNativeSeparators(v.path));
            }
            showResult(text, details, false);
            drawContamination(result.value());
            Q_EMIT contaminationEstimated();
        });
}

void ModelsPanel::drawContamination(const ContaminationReport& report)
{
    // The P(real) histogram of the folder's images in 20 bins, with the threshold.
    QCustomPlot* plot = m_frequencyPlot;
    clearResultPlot();
    constexpr int kBins = 20;
    QVector<double> keys(kBins), counts(kBins, 0.0);
    for (int b = 0; b < kBins; ++b)
        keys[b] = (b + 0.5) / kBins;
    for (const FolderImageVerdict& v : report.images) {
        if (v.error.isEmpty())
            counts[std::clamp(int(v.pReal * kBins), 0, kBins - 1)] += 1.0;
    }
    auto* bars = new QCPBars(plot->xAxis, plot->yAxis);
    bars->setName(tr("images of the folder"));
    bars->setWidth(1.0 / kBins);
    bars->setBrush(QColor(QStringLiteral("#56B4E9")));
    bars->setPen(QPen(QColor(QStringLiteral("#0072B2"))));
    bars->setData(keys, counts, true);
    auto* threshold = new QCPItemStraightLine(plot);
    threshold->point1->setCoords(report.threshold, 0);
    threshold->point2->setCoords(report.threshold, 1);
    threshold->setPen(QPen(QColor(QStringLiteral("#D55E00")), 2, Qt::DashLine));
    plot->xAxis->setScaleType(QCPAxis::stLinear);
    plot->xAxis->setTicker(QSharedPointer<QCPAxisTicker>::create());
    plot->xAxis->setTickLabelRotation(0);
    plot->xAxis->setRange(0, 1);
    plot->xAxis->setLabel(tr("P(real) (dashed: the threshold %1; left of it, called generated)").arg(report.threshold));
    plot->yAxis->setRange(0, std::max(1.0, *std::max_element(counts.begin(), counts.end())) * 1.1);
    plot->yAxis->setLabel(tr("Images"));
    plot->legend->setVisible(true);
    plot->setVisible(true);
    plot->replot();
}

void ModelsPanel::clearResultPlot()
{
    // Every result drawn here shares one plot: each starts from plain linear axes.
    QCustomPlot* plot = m_frequencyPlot;
    plot->clearPlottables();
    plot->clearItems();
    qDeleteAll(plot->findChildren<QCPBarsGroup*>(QString(), Qt::FindDirectChildrenOnly));
    plot->yAxis->setTicker(QSharedPointer<QCPAxisTicker>::create());
    plot->yAxis->setRangeReversed(false);
    plot->yAxis->setScaleType(QCPAxis::stLinear);
}

void ModelsPanel::showCrossGenerator(const CrossGeneratorMatrix& matrix)
{
    drawCrossGenerator(matrix);
    QStringList details;
    for (const QString& generator : matrix.generators) {
        QStringList cells;
        for (const QString& source : matrix.sources) {
            if (const CrossGeneratorCell* c = matrix.find(generator, source))
                cells << tr("%1 %2 % (%3 of %4, %5–%6 %)")
                             .arg(source)
                             .arg(100.0 * c->accuracy.estimate, 0, 'f', 1)
                             .arg(c->accuracy.successes)
                             .arg(c->accuracy.trials)
                             .arg(100.0 * c->accuracy.low, 0, 'f', 1)
                             .arg(100.0 * c->accuracy.high, 0, 'f', 1);
        }
        details << tr("Trained on %1: %2").arg(generator, cells.join(QStringLiteral("; ")));
    }
    showResult(tr("Cross-generator matrix: test images called right by each detector (rows: trained on the real "
                  "images and one generator's; columns: the source of the test images)."),
        details, false);
}

void ModelsPanel::drawCrossGenerator(const CrossGeneratorMatrix& matrix)
{
    // One cell per (trained on, tested on): shaded by accuracy, white at 0 to dark blue at 1, and
    // labelled with the percentage and the count.
    QCustomPlot* plot = m_frequencyPlot;
    clearResultPlot();
    const int columns = int(matrix.sources.size());
    const int rows = int(matrix.generators.size());
    auto* map = new QCPColorMap(plot->xAxis, plot->yAxis);
    map->setName(tr("share of the test images called right: white 0 %, dark blue 100 %"));
    map->data()->setSize(columns, rows);
    map->data()->setRange(QCPRange(0, columns - 1), QCPRange(0, rows - 1));
    QCPColorGradient gradient;
    gradient.setColorStopAt(0.0, QColor(QStringLiteral("#ffffff")));
    gradient.setColorStopAt(1.0, QColor(QStringLiteral("#08306b")));
    map->setGradient(gradient);
    map->setDataRange(QCPRange(0.0, 1.0));
    map->setInterpolate(false);
    for (int y = 0; y < rows; ++y) {
        for (int x = 0; x < columns; ++x) {
            const CrossGeneratorCell* c = matrix.find(matrix.generators[y], matrix.sources[x]);
            map->data()->setCell(x, y, c ? c->accuracy.estimate : std::nan(""));
            auto* label = new QCPItemText(plot);
            label->position->setCoords(x, y);
            label->setText(c ? tr("%1 %\n%2 of %3")
                                   .arg(100.0 * c->accuracy.estimate, 0, 'f', 0)
                                   .arg(c->accuracy.successes)
                                   .arg(c->accuracy.trials)
                             : tr("–"));
            label->setColor(c && c->accuracy.estimate > 0.55 ? Qt::white : Qt::black);
            label->setTextAlignment(Qt::AlignCenter);
        }
    }
    auto columnTicks = QSharedPointer<QCPAxisTickerText>::create();
    for (int x = 0; x < columns; ++x)
        columnTicks->addTick(x,
            x == 0 && matrix.sources[x].compare(QLatin1String("real"), Qt::CaseInsensitive) != 0
                ? tr("%1 (real)").arg(matrix.sources[x])
                : matrix.sources[x]);
    auto rowTicks = QSharedPointer<QCPAxisTickerText>::create();
    for (int y = 0; y < rows; ++y)
        rowTicks->addTick(y, matrix.generators[y]);
    plot->xAxis->setScaleType(QCPAxis::stLinear);
    plot->xAxis->setTicker(columnTicks);
    plot->xAxis->setTickLabelRotation(columns > 5 ? 30 : 0);
    plot->xAxis->setRange(-0.5, columns - 0.5);
    plot->xAxis->setLabel(tr("Tested on (share of its test images called right)"));
    plot->yAxis->setTicker(rowTicks);
    plot->yAxis->setRange(-0.5, rows - 0.5);
    plot->yAxis->setRangeReversed(true); // the first generator on top, as in a table
    plot->yAxis->setLabel(tr("Trained on real and"));
    // The legend stays, with the colour scale: an empty legend in the plot's layout would also cap
    // the width of the axes above it.
    plot->legend->setVisible(true);
    plot->setVisible(true);
    plot->replot();
}

void ModelsPanel::showRecognition(qint64 modelId)
{
    // Like every other job here, nothing starts while a participant session runs at this station.
    if (m_studyFilePath.isEmpty() || m_job->isRunning() || m_sessionRunning)
        return;
    const QString model = modelName(modelId);
    const QString file = m_studyFilePath;
    setWork(Work::Recognition);
    showResult(QString(), {}, false);
    m_job->start<std::vector<CategoryRecognition>>(
        [file, modelId](const CancelToken&, const ProgressFn&) -> Result<std::vector<CategoryRecognition>> {
            auto db = StudyDatabase::open(file, StudyDatabase::OpenMode::ExistingOnly);
            if (!db)
                return Error { db.error() };
            const auto stored = db.value()->model(modelId);
            if (!stored)
                return Error { stored.error() };
            if (stored->spec.output != OutputKind::CategoryClasses)
                return Error { QStringLiteral("it is not a category classifier (its output is %1)")
                                   .arg(outputKindName(stored->spec.output)) };
            const auto rows = db.value()->predictionRows(0, modelId);
            if (!rows)
                return Error { rows.error() };
            auto categories = recognitionByCategory(rows.value(), stored->spec);
            if (categories.empty())
                return Error { QStringLiteral("it has no predictions on pool images yet: run it on the pool "
                                              "(ntt model run --pool) or on a study") };
            return categories;
        },
        [this, model](Result<std::vector<CategoryRecognition>> result) {
            setWork(Work::None);
            if (result) {
                drawRecognition(result.value(), model);
                QStringList unmapped;
                for (const CategoryRecognition& c : result.value()) {
                    if (!c.mapped)
                        unmapped << c.category;
                }
                showResult(tr("%1: top-1 and top-5 accuracy per category.").arg(model),
                    unmapped.isEmpty() ? QStringList {}
                                       : QStringList { tr("No class of the model maps to: %1 (its images cannot be "
                                                          "recognised; map classes to them in the sidecar's class_map)")
                                                           .arg(unmapped.join(QStringLiteral(", "))) },
                    false);
            } else {
                showResult(tr("%1: %2").arg(model, result.error()), {}, true);
            }
            Q_EMIT recognitionShown();
        });
}

void ModelsPanel::drawRecognition(const std::vector<CategoryRecognition>& categories, const QString& model)
{
    QCustomPlot* plot = m_frequencyPlot;
    clearResultPlot();
    auto* group = new QCPBarsGroup(plot);
    auto ticker = QSharedPointer<QCPAxisTickerText>::create();
    for (std::size_t i = 0; i < categories.size(); ++i)
        ticker->addTick(double(i + 1),
            categories[i].mapped ? categories[i].category : tr("%1 (no class)").arg(categories[i].category));
    for (const bool top5 : { false, true }) {
        QVector<double> keys, values, minus, plus;
        for (std::size_t i = 0; i < categories.size(); ++i) {
            const Proportion& p = top5 ? categories[i].top5 : categories[i].top1;
            keys << double(i + 1);
            values << 100.0 * p.estimate;
            minus << 100.0 * (p.estimate - p.low);
            plus << 100.0 * (p.high - p.estimate);
        }
        auto* bars = new QCPBars(plot->xAxis, plot->yAxis);
        bars->setName(top5 ? tr("top-5") : tr("top-1"));
        const QColor colour(top5 ? QStringLiteral("#56B4E9") : QStringLiteral("#0072B2"));
        bars->setBrush(colour);
        bars->setPen(QPen(colour.darker(130)));
        bars->setWidth(0.35);
        bars->setBarsGroup(group);
        bars->setData(keys, values, true);
        auto* wilson = new QCPErrorBars(plot->xAxis, plot->yAxis);
        wilson->setDataPlottable(bars);
        wilson->setData(minus, plus);
        wilson->setPen(QPen(Qt::black, 1.2));
        wilson->removeFromLegend();
    }
    plot->xAxis->setScaleType(QCPAxis::stLinear);
    plot->xAxis->setTicker(ticker);
    plot->xAxis->setTickLabelRotation(categories.size() > 6 ? 30 : 0);
    plot->xAxis->setRange(0.4, double(categories.size()) + 0.6);
    plot->xAxis->setLabel(tr("Pool category — %1 (Wilson 95 % intervals)").arg(model));
    plot->yAxis->setRange(0, 105);
    plot->yAxis->setLabel(tr("Accuracy (%)"));
    plot->legend->setVisible(true);
    plot->setVisible(true);
    plot->replot();
}

void ModelsPanel::drawFrequency(const std::vector<FrequencyAccuracy>& results, const QString& what)
{
    QCustomPlot* plot = m_frequencyPlot;
    clearResultPlot();
    plot->legend->setVisible(true);
    plot->legend->setFont(font());
    QVector<double> lowKeys, lowValues, highKeys, highValues, bandKeys, bandValues;
    double unfiltered = std::nan("");
    double largest = 1.0;
    for (const FrequencyAccuracy& r : results) {
        const double accuracy = 100.0 * r.accuracy.estimate;
        switch (r.filter.kind) {
        case FrequencyFilter::Kind::None:
            unfiltered = accuracy;
            break;
        case FrequencyFilter::Kind::LowPass:
            lowKeys << r.filter.cutoff;
            lowValues << accuracy;
            break;
        case FrequencyFilter::Kind::HighPass:
            highKeys << r.filter.cutoff;
            highValues << accuracy;
            break;
        case FrequencyFilter::Kind::BandPass:
            // A band is drawn at the geometric middle of its cut-offs (the axis is logarithmic).
            bandKeys << std::sqrt(r.filter.cutoff * r.filter.upper);
            bandValues << accuracy;
            break;
        }
        largest = std::max({ largest, r.filter.cutoff, r.filter.upper });
    }
    auto addLine = [&](const QString& name, const QVector<double>& keys, const QVector<double>& values,
                       const QColor& colour, QCPScatterStyle::ScatterShape shape) {
        auto* graph = plot->addGraph();
        graph->setName(name);
        graph->setPen(QPen(colour, 2));
        graph->setScatterStyle(QCPScatterStyle(shape, colour, colour, 8));
        graph->setData(keys, values);
    };
    addLine(tr("low-pass (frequencies up to the cut-off)"), lowKeys, lowValues, QColor(QStringLiteral("#0072B2")),
        QCPScatterStyle::ssCircle);
    addLine(tr("high-pass (above the cut-off)"), highKeys, highValues, QColor(QStringLiteral("#D55E00")),
        QCPScatterStyle::ssSquare);
    addLine(tr("band-pass (between two cut-offs)"), bandKeys, bandValues, QColor(QStringLiteral("#009E73")),
        QCPScatterStyle::ssDiamond);
    if (std::isfinite(unfiltered)) {
        auto* graph = plot->addGraph();
        graph->setName(tr("as they are: %1 %").arg(unfiltered, 0, 'f', 1));
        graph->setPen(QPen(Qt::black, 1.5, Qt::DashLine));
        graph->setData({ 0.1, largest * 10.0 }, { unfiltered, unfiltered });
    }
    // A logarithmic axis labelled at the cut-offs themselves.
    auto ticker = QSharedPointer<QCPAxisTickerText>::create();
    for (double key : lowKeys)
        ticker->addTick(key, QString::number(key));
    plot->xAxis->setScaleType(QCPAxis::stLogarithmic);
    plot->xAxis->setTicker(ticker);
    const double smallest = lowKeys.isEmpty() ? 1.0 : lowKeys.front();
    plot->xAxis->setRange(smallest / 1.5, largest * 1.5);
    plot->xAxis->setLabel(tr("Cut-off (cycles per image) — %1").arg(what));
    plot->yAxis->setRange(0, 105);
    plot->yAxis->setLabel(tr("Accuracy (%)"));
    plot->setVisible(true);
    plot->replot();
}

void ModelsPanel::cancelWork()
{
    if (!m_job->isRunning())
        return;
    m_cancelRequested = true;
    m_job->cancel();
    m_cancel->setEnabled(false);
    m_status->setText(tr("Cancelling after the current batch…"));
}

void ModelsPanel::exportDialog(ExportKind kind)
{
    if (!m_db || m_studyId <= 0)
        return;
    const bool predictions = kind == ExportKind::Predictions;
    const QString suggested = QFileInfo(m_db->path()).absolutePath()
        + (predictions ? QStringLiteral("/predictions.csv") : QStringLiteral("/model-answers.csv"));
    const CsvDestination destination
        = askCsvDestination(this, predictions ? tr("Export predictions") : tr("Export model answers"), suggested);
    const QString& path = destination.path;
    if (path.isEmpty())
        return;
    const auto written
        = predictions ? exportPredictions(*m_db, m_studyId, path) : exportModelAnswers(*m_db, m_studyId, path);
    if (!written) {
        showResult(written.error(), {}, true);
        return;
    }
    if (const Status s = finishCsvExport(destination); !s) {
        showResult(s.error(), {}, true);
        return;
    }
    const QString what = predictions ? tr("Wrote %n prediction(s) to %1", nullptr, written.value())
                                     : tr("Wrote %n model answer(s) to %1", nullptr, written.value());
    showResult(what.arg(QDir::toNativeSeparators(path)), {}, false);
}

void ModelsPanel::replaceJob()
{
    // Deleting a job cancels it and waits; its result, now stale, is never delivered.
    delete m_job;
    m_job = new BackgroundJob(this);
    connect(m_job, &BackgroundJob::progressed, this, [this](int percent, const QString& what) {
        if (m_work != Work::Run && m_work != Work::Frequency && m_work != Work::Contamination)
            return;
        m_progress->setValue(percent);
        m_lastProgress = what;
        if (!m_sessionRunning && !m_cancelRequested)
            m_status->setText(what);
    });
}

void ModelsPanel::setWork(Work work)
{
    m_work = work;
    m_cancelRequested = false;
    m_progress->setVisible(work != Work::None);
    updateButtons();
}

void ModelsPanel::updateButtons()
{
    const bool open = m_db != nullptr;
    const bool busy = m_work != Work::None;
    const bool free = open && !busy && !m_sessionRunning;
    m_add->setEnabled(free);
    m_train->setEnabled(free);
    m_run->setEnabled(free && m_studyId > 0 && selectedModelId() > 0);
    m_frequency->setEnabled(free && selectedModelId() > 0);
    m_recognition->setEnabled(free && selectedModelId() > 0);
    m_contamination->setEnabled(free && selectedModelId() > 0);
    m_cancel->setEnabled((m_work == Work::Run || m_work == Work::Frequency) && !m_cancelRequested);
    m_exportPredictions->setEnabled(open && m_studyId > 0);
    m_exportAnswers->setEnabled(open && m_studyId > 0);
}

void ModelsPanel::showResult(const QString& text, const QStringList& details, bool failed)
{
    markFailed(m_result, QPalette::WindowText, failed);
    m_result->setText(text);
    m_result->setVisible(!text.isEmpty());
    m_details->setPlainText(details.join(QLatin1Char('\n')));
    m_details->setVisible(!details.isEmpty());
}

qint64 ModelsPanel::selectedModelId() const
{
    const int row = m_table->currentRow();
    if (row < 0 || m_table->selectionModel()->selectedRows().isEmpty())
        return 0;
    const QTableWidgetItem* name = m_table->item(row, NameColumn);
    return name ? name->data(Qt::UserRole).toLongLong() : 0;
}

QString ModelsPanel::modelName(qint64 modelId) const
{
    for (int row = 0; row < m_table->rowCount(); ++row) {
        const QTableWidgetItem* name = m_table->item(row, NameColumn);
        if (name && name->data(Qt::UserRole).toLongLong() == modelId)
            return name->text();
    }
    return tr("model %1").arg(modelId);
}

} // namespace ntt
