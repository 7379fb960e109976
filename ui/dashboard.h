#pragma once

#include "analysis/attentiongroups.h"
#include "result.h"
#include "studyexports.h"

#include <QList>
#include <QString>
#include <QStringList>
#include <QWidget>

#include <memory>
#include <vector>

class QCheckBox;
class QCustomPlot;
class QCPAbstractPlottable;
class QLabel;
class QMouseEvent;
class QPushButton;
class QSpinBox;
class QTabWidget;
class QTimer;

namespace ntt {

class BackgroundJob;

/**
 * People versus models, plotted from core's analyse(): accuracy per category and per source with
 * Wilson and cluster-bootstrap intervals and the chance line, people's share correct against each
 * model's P(real) per image, error consistency with the people-to-people ceiling, response times of
 * correct and wrong answers, and accuracy along trial position. The analysis is read on a worker
 * thread with its own connection; refreshes while answers arrive are debounced and never pile up.
 * Clicking a bar or a point selects the images behind it.
 */
class Dashboard final : public QWidget
{
    Q_OBJECT

public:
    enum class Plot {
        Categories,
        Sources,
        Images,
        Consistency,
        ResponseTimes,
        Position,
        Confusion,
        Pairs,
        PairAgreement,
        Roc,
        Calibration,
        Exposure,
        Attention,
        SignalDetection
    };

    explicit Dashboard(QWidget* parent = nullptr);
    ~Dashboard() override;

    /// The file name an exported plot is offered under (without suffix).
    static QString plotFileName(Plot p);

    /// The study file and study shown; an empty path shows nothing. Loads on a worker thread.
    void setStudy(const QString& studyFilePath, qint64 studyId);
    /// Reloads about 750 ms after the last call (for answers arriving during data collection).
    void scheduleRefresh();
    /// Reloads now (or as soon as the load under way is done).
    void reload();
    /// Draws every plot from `analysis` on the GUI thread, then emits refreshed().
    void setAnalysis(const StudyAnalysis& analysis);

    QCustomPlot* plot(Plot p) const;
    /// The groups along the x axis of Categories, Sources, Consistency and Position, in order.
    QStringList groups(Plot p) const;
    /**
     * The images behind bar group `index` of Categories or Sources (the study's images of that
     * category or source), or behind point `index` of `model`'s series in Images (the first model
     * when empty). Empty for other plots or an index out of range.
     */
    QList<qint64> imagesBehind(Plot p, int index, const QString& model = {}) const;
    /// Writes the plot as PNG, PDF or SVG (by the suffix) at width x height; `scale` multiplies PNG pixels.
    Status exportPlot(Plot p, const QString& path, int width, int height, double scale = 1.0);

    QCheckBox* includeSimulatedBox() const { return m_includeSimulated; }
    QSpinBox* catchExclusionBox() const { return m_catchExclusion; }
    QString summaryText() const;
    bool isLoading() const;
    /// The analysis options the controls set (simulated participants, catch-trial exclusion); the
    /// GUI's exports use them, so a table matches what the dashboard shows.
    AnalysisOptions options() const;

    const StudyAnalysis& analysis() const { return *m_analysis; }
    /// The "Compare marks with the models' maps" button of the Marks tab.
    QPushButton* compareMarksButton() const { return m_compareMarks; }
    /// The agreement of people's marks with the models' maps, once compared (summariseAttention()).
    const std::vector<AttentionGroup>& attentionGroups() const { return m_attentionGroups; }

Q_SIGNALS:
    /// The plots were redrawn.
    void refreshed();
    /// The comparison of marks with the models' maps finished (or failed: `error`).
    void marksCompared(const QString& error);
    /// The user clicked a bar or a point: the images behind it.
    void imagesSelected(const QList<qint64>& imageIds, const QString& title);

private:
    struct Series; ///< what a drawn plottable stands for

    void loadFinished(Result<StudyAnalysis> result, bool switchedToSimulated, quint64 generation);
    void controlsChanged();
    void drawAccuracy(Plot p, const std::vector<AccuracyCell>& cells, const QString& what);
    void drawImages();
    void drawConsistency();
    void drawResponseTimes();
    void drawPosition();
    void drawConfusion();
    void drawPairAgreement();
    void drawRoc();
    void drawCalibration();
    void drawExposure();
    void drawAttention();
    void drawSignalDetection();
    /// Computes each model's Grad-CAM map of every marked image (cached in the study file) on a
    /// worker thread and draws the agreement with people's marks per category and source.
    void compareMarks();
    void resetPlot(Plot p, const QString& title);
    void showEmpty(Plot p, const QString& text);
    void finishPlot(Plot p);
    void updateSummary();
    void plottableClicked(Plot p, QCPAbstractPlottable* plottable, int dataIndex);
    void exportDialog(Plot p);
    QString plotTitle(Plot p) const;

    QString m_studyFilePath;
    qint64 m_studyId = 0;
    std::unique_ptr<StudyAnalysis> m_analysis;
    QCheckBox* m_includeSimulated;
    QSpinBox* m_catchExclusion;
    QLabel* m_summary;
    QLabel* m_simulatedNote;
    QLabel* m_status;
    QPushButton* m_export;
    QTabWidget* m_tabs;
    std::vector<QCustomPlot*> m_plots;
    std::vector<QStringList> m_groups; ///< per plot, the x-axis groups
    std::vector<std::vector<std::unique_ptr<Series>>> m_series; ///< per plot
    BackgroundJob* m_job;
    BackgroundJob* m_attentionJob;
    QPushButton* m_compareMarks;
    std::vector<AttentionGroup> m_attentionGroups;
    QString m_attentionError;
    QTimer* m_refreshTimer;
    quint64 m_generation = 0; ///< bumped when the study changes: older loads are stale
    bool m_reloadPending = false;
    bool m_simulatedChosen = false; ///< the user set the simulated box: no automatic switch
    QString m_loadError;
};

} // namespace ntt
