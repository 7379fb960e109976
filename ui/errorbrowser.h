#pragma once

#include "analysis/analysis.h"
#include "analysis/imagebrowser.h"
#include "analysis/imageresults.h"
#include "study/responseexport.h"
#include "studydatabase.h"
#include "studyexports.h"

#include <QDialog>
#include <QList>
#include <QSet>
#include <QWidget>

#include <memory>
#include <optional>
#include <vector>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QListView;
class QListWidget;
class QPlainTextEdit;
class QPushButton;
class QSortFilterProxyModel;
class QTableView;
class QTableWidget;

namespace ntt {

class BackgroundJob;
class CamView;
class GroupTableModel;
class ThumbnailGridModel;
class ThumbnailLoader;

/// What the browser and an image's detail know of a study, loaded on a worker thread.
struct BrowserData
{
    StudyAnalysis analysis;
    std::shared_ptr<const std::vector<BrowserImage>> images;
    std::vector<StoredModel> models; ///< with answers or predictions in the study
    std::vector<ResponseRow> responses; ///< every response, for the trials an image appeared in
    AnswerFilter filter; ///< which of them the analysis counted
};

/**
 * An image in full: what participants saw with each model's Grad-CAM overlay and P(real) (top-5
 * classes for models with several), people's answers on it (share correct, what they chose
 * instead in pick trials, response times), the trials it appeared in (Enter on a pick trial shows
 * the whole row as the participant saw it), and its tags and note, stored at once. Esc closes.
 */
class ImageDetailDialog final : public QDialog
{
    Q_OBJECT

public:
    ImageDetailDialog(StudyDatabase& db, qint64 studyId, std::shared_ptr<const BrowserData> data, qint64 imageId,
        QWidget* parent = nullptr);

    CamView* camView() const { return m_cam; }
    QTableWidget* trialTable() const { return m_trials; }
    QString summaryText() const;
    QListWidget* tagList() const { return m_tags; }
    /// Adds a tag / stores the note, as the buttons do; false with the error shown when refused.
    bool addTag(const QString& tag);
    bool saveNote(const QString& note);

Q_SIGNALS:
    /// Tags or the note changed in the study file.
    void annotationsChanged(qint64 imageId);

private:
    void fillTrials();
    void showTrialRow(int row);

    StudyDatabase& m_db;
    std::shared_ptr<const BrowserData> m_data;
    qint64 m_imageId;
    const BrowserImage* m_image = nullptr;
    std::vector<const ResponseRow*> m_rows; ///< the trials of the table, in its order
    CamView* m_cam;
    QLabel* m_summary;
    QTableWidget* m_trials;
    QListWidget* m_tags;
    QLineEdit* m_newTag;
    QPlainTextEdit* m_note;
    QLabel* m_annotationStatus;
};

/**
 * Browse the errors, category by category ("Errors" tab): categories or generators with people's
 * and each model's accuracy, the gap and the error consistency; the chosen group's images as a
 * thumbnail grid filtered by outcome (who was fooled, for the chosen model), source, people's
 * accuracy, P(real) and tag, and sorted by those or by hardness; the model's confusion matrix over
 * the group, whose cells select their images; the image's detail on Enter or a double click; the
 * selection exported as CSV or contact sheet. Thumbnails are made once on worker threads.
 */
class ErrorBrowser final : public QWidget
{
    Q_OBJECT

public:
    explicit ErrorBrowser(QWidget* parent = nullptr);
    ~ErrorBrowser() override;

    /// The study file (used on this thread for tags and notes; the loading opens its own
    /// connection) and the study. A null database clears the browser.
    void setStudy(StudyDatabase* db, qint64 studyId);
    void reload();
    /// Shows exactly these images (a dashboard bar, a confusion cell), titled.
    void showSelection(const QList<qint64>& imageIds, const QString& title);
    void clearSelection();
    /// Chooses a category (or source, by the grouping) as a click in the table does.
    bool chooseGroup(const QString& group);

    bool isLoading() const;
    std::shared_ptr<const BrowserData> data() const { return m_data; }
    BrowserFilter filter() const;
    QString selectionTitle() const;
    /// Tags the images selected in the grid (all it shows when none is selected) and reloads;
    /// returns how many were tagged, or the error naming the tag.
    Result<int> tagSelected(const QString& tag);
    /// Opens the detail of the grid's item `row` (as Enter does); null when there is none.
    ImageDetailDialog* openDetail(int row);

    // For tests: the parts a researcher uses.
    GroupTableModel* groupModel() const { return m_groupModel; }
    QSortFilterProxyModel* groupProxy() const { return m_groupProxy; }
    QTableView* groupTable() const { return m_groupTable; }
    ThumbnailGridModel* gridModel() const { return m_gridModel; }
    QListView* grid() const { return m_grid; }
    QTableWidget* confusionTable() const { return m_confusion; }
    QComboBox* modelBox() const { return m_model; }
    QComboBox* outcomeBox() const { return m_outcome; }
    QComboBox* groupingBox() const { return m_grouping; }
    QComboBox* sortBox() const { return m_sort; }
    QCheckBox* simulatedBox() const { return m_simulated; }
    ThumbnailLoader* thumbnails() const { return m_loader.get(); }

Q_SIGNALS:
    void loaded();
    /// The grid shows a new selection.
    void selectionChanged();

private:
    void buildUi();
    void applyData(std::shared_ptr<const BrowserData> data);
    void applyFilter();
    void fillConfusion(const std::vector<int>& group);
    void exportCsv();
    void exportSheet();

    StudyDatabase* m_db = nullptr;
    qint64 m_studyId = 0;
    bool m_simulatedChosen = false;
    std::shared_ptr<const BrowserData> m_data;
    QString m_group; ///< chosen category or source; empty = all
    std::optional<QSet<qint64>> m_explicit; ///< a selection from elsewhere (possibly empty); none = the filters
    QString m_explicitTitle;
    std::vector<int> m_groupIndices; ///< the images of the chosen group, for the confusion matrix
    std::unique_ptr<ThumbnailLoader> m_loader;

    BackgroundJob* m_job;
    QComboBox* m_grouping;
    GroupTableModel* m_groupModel;
    QSortFilterProxyModel* m_groupProxy;
    QTableView* m_groupTable;
    QComboBox* m_model;
    QComboBox* m_outcome;
    QComboBox* m_source;
    QComboBox* m_tag;
    QDoubleSpinBox* m_peopleMin;
    QDoubleSpinBox* m_peopleMax;
    QDoubleSpinBox* m_pRealMin;
    QDoubleSpinBox* m_pRealMax;
    QComboBox* m_sort;
    QCheckBox* m_descending;
    QCheckBox* m_simulated;
    QListView* m_grid;
    ThumbnailGridModel* m_gridModel = nullptr;
    QTableWidget* m_confusion;
    QLabel* m_confusionTitle;
    QLabel* m_status;
    QPushButton* m_clearSelection;
};

} // namespace ntt
