#pragma once

#include "studyfile.h"

#include <QDialog>
#include <QElapsedTimer>
#include <QString>

#include <atomic>
#include <memory>

class QCheckBox;
class QComboBox;
class QCustomPlot;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;
class QTimer;

namespace ntt {

class BackgroundJob;

/// What the dialog trains.
enum class TrainingTarget {
    RealOrGenerated, ///< a binary detector giving P(real)
    Source, ///< a K-way classifier over the pool's sources (which made it?)
    Category, ///< a K-way classifier over the pool's categories (what does it show?)
    CrossGenerator, ///< one binary detector per generator, then the cross-generator matrix
};

/**
 * Trains a built-in detector on the pool of a study file (trainDetectorOnPool does the work on a
 * worker thread with its own connection) and draws the training loss per batch and the validation
 * accuracy per epoch as they arrive. For the cross-generator matrix it trains one detector per
 * generator in turn (crossGeneratorMatrix), the curves restarting with each, and emits
 * crossGeneratorReady() with the matrix.
 */
class TrainingDialog final : public QDialog
{
    Q_OBJECT

public:
    explicit TrainingDialog(const QString& studyFilePath, QWidget* parent = nullptr);
    ~TrainingDialog() override;

    /// Sets the form; bySource and byCategory choose the target (Source, Category), else
    /// RealOrGenerated; a studyId other than 0 ticks "on the study's stimuli" when a study is set.
    void setOptions(const DetectorTraining& training);
    /// The form as a training request; split ratios the form cannot parse give the defaults. For the
    /// cross-generator matrix the name is the detectors' prefix ("<name> on <generator>").
    DetectorTraining options() const;
    void setTarget(TrainingTarget target);
    TrainingTarget target() const;
    /// The open study (0 = none): training can use its normalised stimuli instead of the originals.
    void setStudy(qint64 studyId, const QString& studyName);
    /// P(real) at or above which the cross-generator matrix counts an image as called real (0.5).
    void setThreshold(double threshold) { m_threshold = threshold; }
    /// The matrix of the last cross-generator run (empty before one finished).
    const CrossGeneratorMatrix& lastMatrix() const { return m_matrix; }
    /// Starts training with the form's options, unless the form has an error or training is held.
    void startTraining();
    bool isTraining() const;
    /// While a participant session runs at this station, training waits between batches and a new
    /// one does not start.
    void setSessionRunning(bool running);

    QCustomPlot* plot() const { return m_plot; }
    QString statusText() const;
    QPushButton* trainButton() const { return m_train; }

Q_SIGNALS:
    /// A detector was trained, saved and registered in the study file.
    void trained(qint64 modelId);
    /// The cross-generator matrix was computed (lastMatrix()); its detectors are registered.
    void crossGeneratorReady();

public Q_SLOTS:
    /// Cancels a running training (the dialog stays open until it has stopped), else closes.
    void reject() override;

protected:
    void closeEvent(QCloseEvent* event) override;

private:
    void showProgress(const TrainingProgress& progress);
    void replot();
    void requestReplot();
    void setBusy(bool busy);
    void updateTrainButton();
    void validateRatios();
    void setStatus(const QString& text, bool failed);
    void startCrossGenerator(const DetectorTraining& training);
    /// Clears the curves for a training of `epochs` epochs.
    void resetPlot(int epochs);
    /// `text` prefixed with the stage of a cross-generator run ("training <detector>"), if any.
    QString staged(const QString& text) const;

    QString m_studyFilePath;
    QLineEdit* m_name;
    QComboBox* m_target;
    QCheckBox* m_onStudy;
    qint64 m_studyId = 0;
    double m_threshold = 0.5;
    CrossGeneratorMatrix m_matrix;
    QString m_stage;
    QComboBox* m_architecture;
    QComboBox* m_optimizer;
    QDoubleSpinBox* m_learningRate;
    QDoubleSpinBox* m_momentum;
    QDoubleSpinBox* m_weightDecay;
    QSpinBox* m_epochs;
    QSpinBox* m_batchSize;
    QSpinBox* m_inputSize;
    QSpinBox* m_cropFrom;
    QCheckBox* m_flips;
    QCheckBox* m_randomResizedCrop;
    QSpinBox* m_patience;
    QLineEdit* m_seed;
    QSpinBox* m_threads;
    QCheckBox* m_cpuOnly;
    QLineEdit* m_ratios;
    QLabel* m_ratiosError;
    QLineEdit* m_splitSeed;
    QWidget* m_form;
    QCustomPlot* m_plot;
    QLabel* m_heldLabel;
    QLabel* m_status;
    QPushButton* m_train;
    QPushButton* m_cancel;
    BackgroundJob* m_job;
    QTimer* m_replotTimer;
    QElapsedTimer m_sinceReplot;
    std::shared_ptr<std::atomic_bool> m_paused;
    bool m_sessionRunning = false;
    bool m_cancelRequested = false;
};

} // namespace ntt
