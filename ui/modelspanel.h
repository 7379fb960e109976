#pragma once

#include <QPointer>
#include <QString>
#include <QWidget>

#include <atomic>
#include <memory>
#include <vector>

class QCheckBox;
class QDoubleSpinBox;
class QLabel;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QCustomPlot;
class QSpinBox;
class QTableWidget;

namespace ntt {

class BackgroundJob;
struct FrequencyAccuracy;
struct CategoryRecognition;
struct CrossGeneratorMatrix;
struct ContaminationReport;
struct ModelRunOptions;
class StudyDatabase;
class TrainingDialog;

/**
 * The models of a study file and what they did on the open study: add a TorchScript model, train a
 * built-in detector, run a model over the study's images (on a worker thread with its own
 * connection; runModelOnStudy does the work) and export predictions and model answers. While a
 * participant session runs at this station, a model run pauses and no new model work starts.
 */
class ModelsPanel final : public QWidget
{
    Q_OBJECT

public:
    explicit ModelsPanel(QWidget* parent = nullptr);
    ~ModelsPanel() override;

    /// The study file and the study the panel works on; an empty path means nothing is open.
    void setStudy(const QString& studyFilePath, qint64 studyId);
    /// True while a participant session is open at this station: a running model run waits between
    /// batches, and Run and Train are disabled until it is false again.
    void setSessionRunning(bool running);

    /// Registers a model file under `name` (empty = the sidecar's name) on a worker thread.
    void addModelFile(const QString& path, const QString& name);
    /// Runs a registered model over the study with the batch size, threshold and device of the panel.
    void runModel(qint64 modelId);
    /// Re-reads the models and their accuracies from the study file.
    void refresh();

    QTableWidget* modelTable() const { return m_table; }
    QPushButton* runButton() const { return m_run; }
    QPushButton* frequencyButton() const { return m_frequency; }
    /// Accuracy against cut-off of the last frequency analysis (hidden until one has run).
    QCustomPlot* frequencyPlot() const { return m_frequencyPlot; }
    /// You et al.'s frequency analysis of a model on the pool's test split (the whole pool when it has
    /// no splits), on a worker: accuracy as the images are and low-, high- and band-pass filtered at
    /// 10, 30, 50 and 100 cycles per image, drawn in frequencyPlot(). Emits frequencyAnalysed().
    void runFrequencyAnalysis(qint64 modelId);
    QPushButton* recognitionButton() const { return m_recognition; }
    /// Object recognition for a category-classes model (Borji): top-1 and top-5 accuracy per pool
    /// category from the predictions it stored on pool images (`ntt model run --pool`, or a study's
    /// run), with Wilson intervals, drawn in frequencyPlot()'s place. Emits recognitionShown().
    void showRecognition(qint64 modelId);
    QPushButton* contaminationButton() const { return m_contamination; }
    /// Dataset contamination (Hataya et al.): the detector judges every image under `folder`, and the
    /// share it calls generated is corrected for its error rates on the pool's test split
    /// (estimateFolderContamination); the estimate and the most likely generated files go to the
    /// result, the P(real) histogram with the threshold to the plot. Emits contaminationEstimated().
    void estimateContaminationOf(qint64 modelId, const QString& folder);
    /// Draws the cross-generator matrix (from the training dialog's "one detector per generator")
    /// as a heat map in frequencyPlot()'s place: rows trained on, columns tested on; the cells'
    /// counts and Wilson intervals go to the result's details.
    void showCrossGenerator(const CrossGeneratorMatrix& matrix);
    /// The training dialog, while it is open (else null).
    TrainingDialog* trainingDialog() const;
    QPushButton* trainButton() const { return m_train; }
    QPushButton* cancelButton() const { return m_cancel; }
    bool isBusy() const;
    QString resultText() const;

Q_SIGNALS:
    /// The stored models or their results may have changed (a model was added, trained or run).
    void modelsChanged();
    /// A frequency analysis finished (or failed; resultText() says).
    void frequencyAnalysed();
    /// The object-recognition plot was drawn (or resultText() says why not).
    void recognitionShown();
    /// A contamination estimate finished (or failed; resultText() says).
    void contaminationEstimated();

private:
    enum class Work { None, Add, Run, Frequency, Recognition, Contamination };

    void addModelDialog();
    void openTrainingDialog();
    void runSelectedModel();
    void cancelWork();
    enum class ExportKind { Predictions, ModelAnswers };
    void exportDialog(ExportKind kind);
    void startAdd(const QString& path, const QString& name, bool interactive);
    void replaceJob();
    void setWork(Work work);
    void updateButtons();
    void showResult(const QString& text, const QStringList& details, bool failed);
    void drawFrequency(const std::vector<FrequencyAccuracy>& results, const QString& what);
    void drawRecognition(const std::vector<CategoryRecognition>& categories, const QString& model);
    void drawContamination(const ContaminationReport& report);
    void drawCrossGenerator(const CrossGeneratorMatrix& matrix);
    void clearResultPlot();
    qint64 selectedModelId() const;
    /// The batch size, threshold and device the controls set.
    ModelRunOptions runOptions() const;
    QString modelName(qint64 modelId) const;

    QString m_studyFilePath;
    qint64 m_studyId = 0;
    std::unique_ptr<StudyDatabase> m_db; ///< the GUI thread's connection, for the table and exports
    QTableWidget* m_table;
    QPushButton* m_add;
    QPushButton* m_train;
    QPushButton* m_exportPredictions;
    QPushButton* m_exportAnswers;
    QSpinBox* m_batchSize;
    QDoubleSpinBox* m_threshold;
    QCheckBox* m_cpuOnly;
    QPushButton* m_run;
    QPushButton* m_cancel;
    QPushButton* m_frequency;
    QPushButton* m_recognition;
    QPushButton* m_contamination;
    QCustomPlot* m_frequencyPlot;
    QLabel* m_pausedLabel;
    QProgressBar* m_progress;
    QLabel* m_status;
    QLabel* m_result;
    QPlainTextEdit* m_details;
    BackgroundJob* m_job = nullptr;
    QPointer<TrainingDialog> m_trainingDialog;
    std::shared_ptr<std::atomic_bool> m_paused;
    Work m_work = Work::None;
    bool m_sessionRunning = false;
    bool m_cancelRequested = false;
    QString m_lastProgress;
};

} // namespace ntt
