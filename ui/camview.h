#pragma once

#include "analysis/imageresults.h"
#include "attention/camoverlay.h"
#include "attention/gradcam.h"
#include "models/classifier.h"
#include "models/modelspec.h"
#include "result.h"
#include "study/marks.h"
#include "study/responseexport.h"
#include "study/study.h"

#include <QHash>
#include <QString>
#include <QWidget>

#include <opencv2/core/mat.hpp>

#include <memory>
#include <vector>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QGridLayout;
class QLabel;
class QListWidget;
class QSlider;
class QTimer;

namespace ntt {

class BackgroundJob;

/**
 * What the model looked at, beside how people answered ("Attention" tab). Two modes: Images (one
 * image as participants saw it, each model's Grad-CAM overlay with its P(real), and people's result
 * on it) and Trials (a row of N images as shown, an overlay under each, people's choices and each
 * model's choice). Maps come from computeStudyCams() on a worker thread with its own connection,
 * so they are cached in the study file; method, layer, target, colormap, opacity and contour change
 * in place, and the arrow keys move through the list.
 */
class CamView final : public QWidget
{
    Q_OBJECT

public:
    enum class Mode { Images, Trials };

    explicit CamView(QWidget* parent = nullptr);
    ~CamView() override;

    /// The study file and study to show; an empty path clears the view. Loads on a worker thread.
    void setStudy(const QString& studyFilePath, qint64 studyId);
    /// Re-reads answers and models (after a session or a model run).
    void reload();

    void setMode(Mode mode);
    /// Shows the image with this pool id (Images mode); false when the study does not show it.
    bool showImage(qint64 imageId);
    /// Shows the trial row with these images (in any order: Trials mode); false when no answered row has them.
    bool showRow(const std::vector<qint64>& imageIds);
    /// Hides the mode box and the list, for a view embedded in an image's detail.
    void setListVisible(bool visible);
    /// Selects item `row` of the list (an image or a trial row, by mode).
    void setCurrentRow(int row);
    int currentRow() const;
    int rowCount() const;

    /// Writes the current item's figure (image, overlays, legend; a trial row stacks its images).
    Status exportFigure(const QString& pngPath) const;

    /// True while data or maps are being computed.
    bool isBusy() const;

    // For tests and scripted screenshots: the controls and what the view shows.
    QComboBox* methodBox() const { return m_method; }
    QComboBox* modelBox() const { return m_model; }
    QComboBox* layerBox() const { return m_layer; }
    QComboBox* targetBox() const { return m_target; }
    QSlider* opacitySlider() const { return m_opacity; }
    QListWidget* itemList() const { return m_list; }
    QString peopleText() const; ///< the human summary of the current item
    /// The captions of the overlays shown (model, method, P(real)), left to right, top to bottom.
    QStringList overlayCaptions() const;
    /// The caption of people's map of the current image (empty when the study asks for no marks).
    QString peopleMapCaption() const { return m_peopleMapCaption; }
    /// The overlays shown, as drawn (8-bit BGR), in the order of overlayCaptions().
    std::vector<cv::Mat> overlays() const;

Q_SIGNALS:
    /// The study's data are loaded (the list is filled).
    void loaded();
    /// The maps of the current item are shown (or failed: see statusText()).
    void mapsShown();

public:
    QString statusText() const;

    struct ModelInfo
    {
        qint64 id = 0;
        QString name;
        ModelSpec spec;
        std::vector<CamLayer> layers;
        QString defaultLayer;
    };
    struct Data
    {
        std::vector<PoolImage> images;
        QHash<qint64, QString> stimulusPaths;
        QString realSource;
        std::vector<ResponseRow> responses;
        std::vector<ResponseRow> modelAnswers;
        std::vector<ModelInfo> models;
        QString warning; ///< a model whose layers could not be read
        std::vector<MarkedTrial> marks; ///< people's marks (simulated participants' too)
        StudyDefinition definition;
    };
    /// One image of the current item with its maps, one per shown model.
    struct Tile
    {
        qint64 imageId = 0;
        cv::Mat image; ///< 8-bit BGR, as shown to participants
        QString error;
        struct Map
        {
            int model = -1; ///< index into Data::models
            CamMap map;
            Prediction prediction;
            QString error;
        };
        std::vector<Map> maps;
    };

private:
    void buildUi();
    void applyData(std::shared_ptr<const Data> data);
    void fillList();
    void fillLayerAndTarget();
    void recomputePeople();
    void requestMaps();
    void showTiles();
    void updateSummary();
    void setStatus(const QString& text, bool failed);
    OverlayOptions overlayOptions() const;
    CamOptions camOptions(int model) const;
    std::vector<int> shownModels() const;
    std::vector<qint64> currentImageIds() const;
    QString overlayCaption(const Tile::Map& map) const;
    /// overlayCaption() with the model's agreement with people's marks on the tile, when there are any.
    QString overlayCaption(const Tile& tile, const Tile::Map& map) const;
    /// People's marks on the tile's image, in the shown file's pixels (the simulated box applies).
    std::vector<QPointF> tileMarks(const Tile& tile) const;
    double tileSigma(const Tile& tile) const;
    /// People's heat map over the image, with their marks as dots; empty when the study asks for none.
    Result<cv::Mat> peopleOverlay(const Tile& tile) const;
    Result<cv::Mat> tileOverlay(const Tile& tile, const Tile::Map& map) const;

    QString m_path;
    qint64 m_studyId = 0;
    Mode m_mode = Mode::Images;
    std::shared_ptr<const Data> m_data;
    QHash<qint64, ImageHumanResult> m_peopleByImage;
    std::vector<TrialRowResult> m_rows;
    std::vector<Tile> m_tiles;
    bool m_simulatedChosen = false; ///< the researcher set the simulated box; keep it across reloads

    QTimer* m_mapTimer; ///< holding an arrow key starts one computation, not one per row
    BackgroundJob* m_loadJob;
    BackgroundJob* m_mapJob;
    QComboBox* m_modeBox;
    QListWidget* m_list;
    QComboBox* m_model;
    QComboBox* m_method;
    QComboBox* m_layer;
    QComboBox* m_target;
    QComboBox* m_colormap;
    QSlider* m_opacity;
    QCheckBox* m_contour;
    QDoubleSpinBox* m_contourLevel;
    QCheckBox* m_simulated;
    QLabel* m_people;
    QLabel* m_status;
    QWidget* m_tilesHost;
    QWidget* m_listPanel = nullptr;
    QGridLayout* m_grid;
    QString m_peopleMapCaption;
};

} // namespace ntt
