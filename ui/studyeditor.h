#pragma once

#include "pool/pool.h"
#include "result.h"
#include "study/study.h"

#include <QColor>
#include <QDialog>
#include <QString>
#include <QTimer>

#include <vector>

class QCheckBox;
class QComboBox;
class QGroupBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QScrollArea;
class QSpinBox;

namespace ntt {

class BackgroundJob;

/**
 * Designs a study over a pool: a form for every field of a StudyDefinition, a live design check
 * (validateStudyDefinition and checkStudyDesign, the same calls the command line makes) and
 * "Create study", which runs createStudy on a worker thread with its own connection to the study file.
 */
class StudyEditor final : public QDialog
{
    Q_OBJECT

public:
    StudyEditor(
        const QString& studyFilePath, std::vector<PoolImage> pool, QString realSource, QWidget* parent = nullptr);
    ~StudyEditor() override;

    /// The definition the form currently shows. All sources (or categories) checked gives an empty list (= all).
    StudyDefinition definition() const;
    /// Fills the form from `definition` and checks it at once.
    void setDefinition(const StudyDefinition& definition);
    /// Reads a JSON study definition into the form; the error names the file and the key at fault.
    Status loadDefinitionFile(const QString& path);
    /// Writes the form's definition as JSON.
    Status saveDefinitionFile(const QString& path) const;

    QString checkText() const;
    QPushButton* createButton() const { return m_create; }
    QLineEdit* nameEdit() const { return m_name; }

Q_SIGNALS:
    /// The study was stored in the study file.
    void studyCreated(qint64 studyId);

public Q_SLOTS:
    /// Cancels a running creation (the dialog stays open), else closes the dialog.
    void reject() override;

private:
    enum class DesignState { Ok, Warning, Error };

    QWidget* buildTrialsGroup();
    QWidget* buildTimingGroup();
    QWidget* buildTextsGroup();
    QWidget* buildStimuliGroup();
    void fillPoolLists();
    void connectChanges();
    void scheduleCheck();
    void runCheck();
    void showCheck(DesignState state, const QString& text);
    void showMessage(const QColor& colour, const QString& text);
    void trialTypeChanged();
    void newSeed();
    /// The background as parseBackground() reads it (a named entry's name, or the typed text).
    QString backgroundText() const;
    void loadJson();
    void saveJson();
    void startCreate();
    void setBusy(bool busy);

    QString m_studyFilePath;
    std::vector<PoolImage> m_pool;
    QString m_realSource;

    QScrollArea* m_scroll;
    QLineEdit* m_name;
    QComboBox* m_trialType;
    QSpinBox* m_ways;
    QComboBox* m_matching;
    QSpinBox* m_trials;
    QSpinBox* m_practice;
    QSpinBox* m_catchTrials;
    QPlainTextEdit* m_catchImages;
    QLineEdit* m_seed;
    QPushButton* m_newSeed;
    QSpinBox* m_breakEvery;
    QSpinBox* m_deadline;
    QSpinBox* m_minRt;
    QCheckBox* m_feedback;
    QCheckBox* m_confidence;
    QPlainTextEdit* m_instructions;
    QPlainTextEdit* m_consent;
    QListWidget* m_sources;
    QListWidget* m_categories;
    QGroupBox* m_normalise;
    QSpinBox* m_normaliseSize;
    QComboBox* m_normaliseFormat;
    QSpinBox* m_normaliseQuality;
    QComboBox* m_background;

    QLabel* m_check;
    QProgressBar* m_progress;
    QPushButton* m_load;
    QPushButton* m_save;
    QPushButton* m_create;
    QPushButton* m_cancel;

    QTimer m_checkTimer;
    BackgroundJob* m_job;
    DesignState m_designState = DesignState::Error;
    int m_pickWays = 2; ///< ways to restore when switching back from real-or-fake
    bool m_cancelRequested = false;
};

} // namespace ntt
