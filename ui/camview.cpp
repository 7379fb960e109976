#include "camview.h"

#include "attention/camrun.h"
#include "attention/peoplemap.h"
#include "backgroundjob.h"
#include "pool/imagedecode.h"
#include "studydatabase.h"
#include "studyexports.h"
#include "studyfile.h"
#include "widgethelpers.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QImage>
#include <QLabel>
#include <QListWidget>
#include <QLocale>
#include <QPixmap>
#include <QPushButton>
#include <QScrollArea>
#include <QSlider>
#include <QSplitter>
#include <QTimer>
#include <QVBoxLayout>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include <cmath>

namespace ntt {
namespace {

constexpr int kTileHeight = 220;

QPixmap toPixmap(const cv::Mat& bgr, int height)
{
    cv::Mat rgb;
    cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
    const QImage image(rgb.data, rgb.cols, rgb.rows, int(rgb.step), QImage::Format_RGB888);
    return QPixmap::fromImage(image.scaledToHeight(height, Qt::SmoothTransformation));
}

QString percent(int part, int whole)
{
    return whole > 0 ? QStringLiteral("%1 %").arg(std::lround(100.0 * part / whole)) : QStringLiteral("–");
}

/// "pick-real 3-way" and the like, for the list of rows.
QString rowKind(const TrialRowResult& row)
{
    return row.type == TrialType::RealOrFake
        ? CamView::tr("real or fake")
        : CamView::tr("%1, %2 images").arg(trialTypeName(row.type)).arg(row.imageIds.size());
}

} // namespace

CamView::CamView(QWidget* parent)
    : QWidget(parent)
    , m_mapTimer(new QTimer(this))
    , m_loadJob(new BackgroundJob(this))
    , m_mapJob(new BackgroundJob(this))
    , m_modeBox(new QComboBox)
    , m_list(new QListWidget)
    , m_model(new QComboBox)
    , m_method(new QComboBox)
    , m_layer(new QComboBox)
    , m_target(new QComboBox)
    , m_colormap(new QComboBox)
    , m_opacity(new QSlider(Qt::Horizontal))
    , m_contour(new QCheckBox(tr("Contour at")))
    , m_contourLevel(new QDoubleSpinBox)
    , m_simulated(new QCheckBox(tr("Include simulated participants")))
    , m_people(new QLabel)
    , m_status(new QLabel)
    , m_tilesHost(new QWidget)
    , m_grid(new QGridLayout(m_tilesHost))
{
    buildUi();
}

CamView::~CamView() = default;

void CamView::buildUi()
{
    m_modeBox->addItem(tr("Images"));
    m_modeBox->addItem(tr("Trials"));
    m_modeBox->setToolTip(tr("Browse single images, or rows of images as participants saw them in trials."));
    for (CamMethod m : { CamMethod::GradCam, CamMethod::GradCamPlusPlus, CamMethod::SmoothGradCamPlusPlus })
        m_method->addItem(camMethodLabel(m), camMethodName(m));
    for (CamColormap c : { CamColormap::Jet, CamColormap::Turbo, CamColormap::Viridis })
        m_colormap->addItem(camColormapName(c).toUpper(), int(c));
    m_opacity->setRange(0, 100);
    m_opacity->setValue(50);
    m_opacity->setToolTip(tr("Opacity of the map over the image"));
    m_contourLevel->setRange(0.05, 0.95);
    m_contourLevel->setSingleStep(0.05);
    m_contourLevel->setValue(0.5);
    m_contourLevel->setEnabled(false);
    m_people->setWordWrap(true);
    m_people->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_status->setWordWrap(true);
    m_list->setAccessibleName(tr("Images or trial rows"));

    auto* left = new QWidget;
    m_listPanel = left;
    auto* leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(8, 8, 0, 8);
    auto* modeRow = new QHBoxLayout;
    modeRow->addWidget(new QLabel(tr("Show")));
    modeRow->addWidget(m_modeBox, 1);
    leftLayout->addLayout(modeRow);
    leftLayout->addWidget(m_simulated);
    leftLayout->addWidget(m_list, 1);
    leftLayout->addWidget(new QLabel(tr("Up and Down move through the list.")));

    auto* controls = new QGridLayout;
    controls->addWidget(new QLabel(tr("Model")), 0, 0);
    controls->addWidget(m_model, 0, 1);
    controls->addWidget(new QLabel(tr("Method")), 0, 2);
    controls->addWidget(m_method, 0, 3);
    controls->addWidget(new QLabel(tr("Layer")), 0, 4);
    controls->addWidget(m_layer, 0, 5);
    controls->addWidget(new QLabel(tr("Explains")), 1, 0);
    controls->addWidget(m_target, 1, 1);
    controls->addWidget(new QLabel(tr("Colours")), 1, 2);
    controls->addWidget(m_colormap, 1, 3);
    controls->addWidget(new QLabel(tr("Opacity")), 1, 4);
    controls->addWidget(m_opacity, 1, 5);
    auto* contourRow = new QHBoxLayout;
    contourRow->addWidget(m_contour);
    contourRow->addWidget(m_contourLevel);
    contourRow->addStretch();
    controls->addLayout(contourRow, 1, 6);
    auto* exportButton = new QPushButton(tr("Export figure…"));
    controls->addWidget(exportButton, 0, 6);
    controls->setColumnStretch(1, 1);
    controls->setColumnStretch(5, 1);

    m_grid->setAlignment(Qt::AlignLeft | Qt::AlignTop);
    auto* scroll = new QScrollArea;
    scroll->setWidget(m_tilesHost);
    scroll->setWidgetResizable(true);

    auto* right = new QWidget;
    auto* rightLayout = new QVBoxLayout(right);
    rightLayout->setContentsMargins(0, 8, 8, 8);
    rightLayout->addLayout(controls);
    rightLayout->addWidget(m_people);
    rightLayout->addWidget(m_status);
    rightLayout->addWidget(scroll, 1);

    auto* split = new QSplitter;
    split->addWidget(left);
    split->addWidget(right);
    split->setStretchFactor(1, 3);
    split->setSizes({ 280, 900 });
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(split);

    connect(m_modeBox, &QComboBox::currentIndexChanged, this, [this](int i) { setMode(Mode(i)); });
    m_mapTimer->setSingleShot(true);
    m_mapTimer->setInterval(120);
    connect(m_mapTimer, &QTimer::timeout, this, &CamView::requestMaps);
    connect(m_list, &QListWidget::currentRowChanged, this, [this] {
        updateSummary();
        m_mapTimer->start();
    });
    connect(m_simulated, &QCheckBox::toggled, this, [this] {
        m_simulatedChosen = true;
        const int row = currentRow();
        recomputePeople();
        fillList();
        setCurrentRow(row);
    });
    connect(m_model, &QComboBox::currentIndexChanged, this, [this] {
        fillLayerAndTarget();
        requestMaps();
    });
    for (QComboBox* box : { m_method, m_layer, m_target })
        connect(box, &QComboBox::activated, this, &CamView::requestMaps);
    connect(m_colormap, &QComboBox::currentIndexChanged, this, &CamView::showTiles);
    connect(m_opacity, &QSlider::valueChanged, this, &CamView::showTiles);
    connect(m_contour, &QCheckBox::toggled, this, [this](bool on) {
        m_contourLevel->setEnabled(on);
        showTiles();
    });
    connect(m_contourLevel, &QDoubleSpinBox::valueChanged, this, &CamView::showTiles);
    connect(exportButton, &QPushButton::clicked, this, [this] {
        if (m_tiles.empty())
            return;
        const QString suggested = QFileInfo(m_path).absolutePath() + QStringLiteral("/attention.png");
        const QString path = QFileDialog::getSaveFileName(this, tr("Export figure"), suggested, tr("PNG (*.png)"));
        if (path.isEmpty())
            return;
        const Status s = exportFigure(path);
        setStatus(s ? tr("Wrote %1").arg(QDir::toNativeSeparators(path)) : s.error(), !s);
    });
    connect(m_mapJob, &BackgroundJob::progressed, this,
        [this](int percent, const QString&) { setStatus(tr("Computing maps… %1 %").arg(percent), false); });
    setStatus(tr("Open a study file to see what the models looked at."), false);
}

void CamView::setStudy(const QString& studyFilePath, qint64 studyId)
{
    if (studyFilePath == m_path && studyId == m_studyId && m_data)
        return;
    m_path = studyFilePath;
    m_studyId = studyId;
    m_simulatedChosen = false;
    reload();
}

void CamView::reload()
{
    m_mapJob->cancelAndWait();
    if (m_path.isEmpty() || m_studyId <= 0) {
        m_data.reset();
        m_tiles.clear();
        m_list->clear();
        showTiles();
        setStatus(tr("Open a study file and select a study to see what the models looked at."), false);
        return;
    }
    setStatus(tr("Loading the study…"), false);
    const QString path = m_path;
    const qint64 studyId = m_studyId;
    m_loadJob->start<std::shared_ptr<const Data>>(
        [path, studyId](const CancelToken&, const ProgressFn&) -> Result<std::shared_ptr<const Data>> {
            // The connection belongs to this worker thread.
            auto db = StudyDatabase::open(path, StudyDatabase::OpenMode::ExistingOnly);
            if (!db)
                return Error { db.error() };
            auto data = std::make_shared<Data>();
            auto study = db.value()->study(studyId);
            auto images = db.value()->studyImages(studyId);
            auto paths = db.value()->stimulusPaths(studyId);
            auto responses = db.value()->responseRows(studyId);
            auto answers = db.value()->modelAnswerRows(studyId);
            auto models = db.value()->models();
            for (const QString& error :
                { study.error(), images.error(), paths.error(), responses.error(), answers.error(), models.error() }) {
                if (!error.isEmpty())
                    return Error { error };
            }
            data->realSource = study->realSource;
            data->definition = study->definition;
            AnswerFilter everyone;
            everyone.includeSimulated = true;
            auto marks = studyMarks(*db.value(), studyId, everyone);
            if (!marks)
                return Error { marks.error() };
            data->marks = std::move(marks).value();
            data->images = std::move(images).value();
            data->stimulusPaths = std::move(paths).value();
            data->responses = std::move(responses).value();
            data->modelAnswers = std::move(answers).value();
            for (const StoredModel& m : models.value()) {
                const auto layers = modelCamLayers(*db.value(), m.id);
                if (!layers) {
                    data->warning += tr("%1: no maps: %2\n").arg(m.name, layers.error());
                    continue;
                }
                data->models.push_back({ m.id, m.name, layers->spec, layers->layers, layers->defaultLayer });
            }
            return std::shared_ptr<const Data>(std::move(data));
        },
        [this](Result<std::shared_ptr<const Data>> result) {
            if (!result) {
                setStatus(result.error(), true);
                return;
            }
            applyData(std::move(result).value());
        });
}

void CamView::applyData(std::shared_ptr<const Data> data)
{
    const int row = currentRow();
    m_data = std::move(data);
    if (!m_simulatedChosen) {
        // A study with only simulated sessions (a pilot, the demo) shows them rather than nothing.
        bool real = false;
        for (const ResponseRow& r : m_data->responses)
            real = real || !r.simulated;
        const QSignalBlocker block(m_simulated);
        m_simulated->setChecked(!real && !m_data->responses.empty());
    }
    const QString model = m_model->currentText();
    {
        const QSignalBlocker block(m_model);
        m_model->clear();
        m_model->addItem(tr("All models"), qint64(0));
        for (const ModelInfo& m : m_data->models)
            m_model->addItem(m.name, m.id);
        m_model->setCurrentIndex(std::max(0, m_model->findText(model)));
        m_model->setEnabled(!m_data->models.empty());
    }
    fillLayerAndTarget();
    recomputePeople();
    fillList();
    Q_EMIT loaded();
    setCurrentRow(std::max(0, std::min(row, rowCount() - 1)));
    if (rowCount() == 0) {
        m_tiles.clear();
        showTiles();
    }
}

void CamView::recomputePeople()
{
    if (!m_data)
        return;
    AnswerFilter filter;
    filter.includeSimulated = m_simulated->isChecked();
    m_peopleByImage = humanResultsByImage(m_data->responses, filter);
    m_rows = trialRowResults(m_data->responses, m_data->modelAnswers, filter);
}

void CamView::fillList()
{
    const QSignalBlocker block(m_list);
    m_list->clear();
    if (!m_data)
        return;
    if (m_mode == Mode::Images) {
        for (const PoolImage& image : m_data->images) {
            const ImageHumanResult r = m_peopleByImage.value(image.id);
            const QString people = r.trials > 0 ? tr("%1/%2 right").arg(r.correct).arg(r.trials) : tr("no answers");
            auto* item
                = new QListWidgetItem(tr("#%1 %2 · %3 · %4").arg(image.id).arg(image.category, image.source, people));
            item->setData(Qt::UserRole, image.id);
            item->setToolTip(image.path);
            m_list->addItem(item);
        }
    } else {
        for (std::size_t i = 0; i < m_rows.size(); ++i) {
            const TrialRowResult& row = m_rows[i];
            const int right = row.correctPosition >= 0 && row.correctPosition < int(row.chosenCounts.size())
                ? row.chosenCounts[std::size_t(row.correctPosition)]
                : 0;
            auto* item = new QListWidgetItem(
                tr("Row %1 · %2 answers · %3 right").arg(i + 1).arg(row.answered).arg(percent(right, row.answered)));
            item->setToolTip(rowKind(row));
            m_list->addItem(item);
        }
    }
}

void CamView::fillLayerAndTarget()
{
    const QSignalBlocker blockLayer(m_layer);
    const QSignalBlocker blockTarget(m_target);
    m_layer->clear();
    m_target->clear();
    const int model = m_model->currentIndex() - 1;
    const ModelInfo* info
        = m_data && model >= 0 && model < int(m_data->models.size()) ? &m_data->models[std::size_t(model)] : nullptr;
    m_layer->addItem(info ? tr("%1 (default)").arg(info->defaultLayer) : tr("Each model's default layer"), QString());
    if (info) {
        for (const CamLayer& l : info->layers) {
            QStringList shape;
            for (std::int64_t d : l.shape)
                shape << QString::number(d);
            m_layer->addItem(QStringLiteral("%1  [%2]").arg(l.name, shape.join(QStringLiteral("×"))), l.name);
        }
    }
    m_layer->setToolTip(info ? QString() : tr("Choose one model to pick another layer."));
    m_target->addItem(tr("The model's choice"), QStringLiteral("predicted"));
    m_target->addItem(tr("Real"), QStringLiteral("real"));
    m_target->addItem(tr("Generated"), QStringLiteral("generated"));
    if (info && info->spec.classes.size() > 2) {
        for (int i = 0; i < info->spec.classes.size(); ++i)
            m_target->addItem(tr("Class %1").arg(info->spec.classes[i]), QStringLiteral("class:%1").arg(i));
    }
}

void CamView::setMode(Mode mode)
{
    if (m_modeBox->currentIndex() != int(mode)) {
        m_modeBox->setCurrentIndex(int(mode)); // comes back here through the signal
        return;
    }
    m_mode = mode;
    fillList();
    setCurrentRow(0);
    if (rowCount() == 0) {
        m_tiles.clear();
        showTiles();
        updateSummary();
    }
}

bool CamView::showImage(qint64 imageId)
{
    setMode(Mode::Images);
    for (int i = 0; i < m_list->count(); ++i) {
        if (m_list->item(i)->data(Qt::UserRole).toLongLong() == imageId) {
            setCurrentRow(i);
            return true;
        }
    }
    return false;
}

bool CamView::showRow(const std::vector<qint64>& imageIds)
{
    setMode(Mode::Trials);
    // A row is the same images in any order (trialRowResults()); it shows the first trial's order.
    std::vector<qint64> wanted = imageIds;
    std::sort(wanted.begin(), wanted.end());
    for (std::size_t i = 0; i < m_rows.size(); ++i) {
        std::vector<qint64> ids = m_rows[i].imageIds;
        std::sort(ids.begin(), ids.end());
        if (ids == wanted) {
            setCurrentRow(int(i));
            return true;
        }
    }
    return false;
}

void CamView::setListVisible(bool visible)
{
    m_listPanel->setVisible(visible);
}

void CamView::setCurrentRow(int row)
{
    if (row < 0 || row >= m_list->count())
        return;
    if (m_list->currentRow() == row) {
        updateSummary();
        requestMaps();
    } else {
        m_list->setCurrentRow(row);
    }
}

int CamView::currentRow() const
{
    return m_list->currentRow();
}

int CamView::rowCount() const
{
    return m_list->count();
}

bool CamView::isBusy() const
{
    return m_loadJob->isRunning() || m_mapJob->isRunning() || m_mapTimer->isActive();
}

std::vector<qint64> CamView::currentImageIds() const
{
    const int row = currentRow();
    if (!m_data || row < 0)
        return {};
    if (m_mode == Mode::Images)
        return { m_list->item(row)->data(Qt::UserRole).toLongLong() };
    if (row < int(m_rows.size()))
        return m_rows[std::size_t(row)].imageIds;
    return {};
}

std::vector<int> CamView::shownModels() const
{
    std::vector<int> models;
    if (!m_data)
        return models;
    const int chosen = m_model->currentIndex() - 1;
    for (int i = 0; i < int(m_data->models.size()); ++i) {
        if (chosen < 0 || chosen == i)
            models.push_back(i);
    }
    return models;
}

CamOptions CamView::camOptions(int model) const
{
    CamOptions o;
    o.method = camMethodFromName(m_method->currentData().toString()).value_or(CamMethod::GradCam);
    o.layer = m_layer->currentData().toString();
    const auto target = camTargetFromName(m_target->currentData().toString(), m_data->models[std::size_t(model)].spec);
    if (target)
        o.target = target.value();
    return o;
}

void CamView::requestMaps()
{
    const std::vector<qint64> ids = currentImageIds();
    if (ids.empty() || !m_data)
        return;
    struct Job
    {
        int model;
        qint64 modelId;
        CamOptions options;
    };
    std::vector<Job> jobs;
    for (int m : shownModels())
        jobs.push_back({ m, m_data->models[std::size_t(m)].id, camOptions(m) });
    std::vector<QString> files;
    for (qint64 id : ids)
        files.push_back(m_data->stimulusPaths.value(id));
    const QString path = m_path;
    const qint64 studyId = m_studyId;
    setStatus(jobs.empty() ? tr("Loading the images…") : tr("Computing maps…"), false);
    m_mapJob->start<std::vector<Tile>>(
        [path, studyId, ids, files, jobs](
            const CancelToken& cancel, const ProgressFn& progress) -> Result<std::vector<Tile>> {
            std::vector<Tile> tiles(ids.size());
            for (std::size_t i = 0; i < ids.size(); ++i) {
                tiles[i].imageId = ids[i];
                auto image = files[i].isEmpty() ? Result<cv::Mat>(Error { tr("image %1: no file").arg(ids[i]) })
                                                : readImageBgr(files[i]);
                if (image)
                    tiles[i].image = std::move(image).value();
                else
                    tiles[i].error = image.error();
            }
            if (jobs.empty())
                return tiles;
            auto db = StudyDatabase::open(path, StudyDatabase::OpenMode::ExistingOnly);
            if (!db)
                return Error { db.error() };
            for (std::size_t j = 0; j < jobs.size(); ++j) {
                if (cancel.isCancelled())
                    return Error { tr("cancelled") };
                StudyCamRequest request;
                request.modelId = jobs[j].modelId;
                request.studyId = studyId;
                request.imageIds = ids;
                request.options = jobs[j].options;
                const auto cams = computeStudyCams(*db.value(), request, cancel, {});
                for (std::size_t i = 0; i < ids.size(); ++i) {
                    Tile::Map map;
                    map.model = jobs[j].model;
                    if (!cams)
                        map.error = cams.error();
                    else if (i < cams->size()) {
                        map.map = cams->at(i).result.map;
                        map.prediction = cams->at(i).result.prediction;
                        map.error = cams->at(i).result.error;
                    }
                    tiles[i].maps.push_back(std::move(map));
                }
                progress(qint64(j + 1), qint64(jobs.size()), QString());
            }
            return tiles;
        },
        [this](Result<std::vector<Tile>> result) {
            if (!result) {
                setStatus(result.error(), true);
                Q_EMIT mapsShown();
                return;
            }
            m_tiles = std::move(result).value();
            QStringList errors;
            for (const Tile& t : m_tiles) {
                if (!t.error.isEmpty())
                    errors << t.error;
                for (const Tile::Map& m : t.maps) {
                    if (!m.error.isEmpty())
                        errors << QStringLiteral("%1: %2").arg(m_data->models[std::size_t(m.model)].name, m.error);
                }
            }
            errors.removeDuplicates();
            QString status = m_data->warning.trimmed();
            if (m_data->models.empty())
                status = tr("No model in this study file yet: add or train one in the Models tab to see its maps.");
            if (!errors.isEmpty())
                status = (status.isEmpty() ? QString() : status + QLatin1Char('\n')) + errors.join(QLatin1Char('\n'));
            setStatus(status, !errors.isEmpty());
            showTiles();
            Q_EMIT mapsShown();
        });
}

OverlayOptions CamView::overlayOptions() const
{
    OverlayOptions o;
    o.colormap = CamColormap(m_colormap->currentData().toInt());
    o.opacity = m_opacity->value() / 100.0;
    if (m_contour->isChecked())
        o.contourThreshold = m_contourLevel->value();
    return o;
}

std::vector<QPointF> CamView::tileMarks(const Tile& tile) const
{
    if (!m_data || tile.image.empty() || m_data->definition.marks.points <= 0)
        return {};
    return shownMarksOf(m_data->marks, tile.imageId, tile.image.cols, tile.image.rows, m_simulated->isChecked());
}

double CamView::tileSigma(const Tile& tile) const
{
    for (const PoolImage& p : m_data->images) {
        if (p.id == tile.imageId)
            return shownKernelSigma(
                m_data->definition.marks.kernelSigmaPx, p.width, p.height, m_data->definition.normalisation);
    }
    return m_data->definition.marks.kernelSigmaPx;
}

Result<cv::Mat> CamView::peopleOverlay(const Tile& tile) const
{
    if (tile.image.empty())
        return Error { tile.error };
    const std::vector<QPointF> marks = tileMarks(tile);
    // The tile is at most a few hundred pixels tall: a photo's map is made at 512 pixels on the long
    // side and scaled up, so that stepping through images stays quick on the GUI thread.
    const double scale = std::min(1.0, 512.0 / std::max(tile.image.cols, tile.image.rows));
    std::vector<QPointF> scaled;
    for (const QPointF& m : marks)
        scaled.emplace_back(m.x() * scale, m.y() * scale);
    cv::Mat map = peopleHeatMap(scaled, std::max(1, int(std::lround(tile.image.cols * scale))),
        std::max(1, int(std::lround(tile.image.rows * scale))), tileSigma(tile) * scale);
    if (scale < 1.0)
        cv::resize(map, map, tile.image.size(), 0, 0, cv::INTER_LINEAR);
    auto overlay = overlayMap(tile.image, map, overlayOptions());
    if (!overlay)
        return overlay;
    // Each mark as a small ring, so that the map's source stays visible.
    // Sized to the image, so that a thumbnail and a photo show them alike once scaled to the tile.
    const int side = std::min(tile.image.cols, tile.image.rows);
    const int radius = std::max(1, side / 40);
    const int thickness = std::max(1, side / 200);
    for (const QPointF& m : marks) {
        const cv::Point at(int(m.x()), int(m.y()));
        cv::circle(overlay.value(), at, radius + thickness, cv::Scalar(0, 0, 0), thickness, cv::LINE_AA);
        cv::circle(overlay.value(), at, radius, cv::Scalar(255, 255, 255), thickness, cv::LINE_AA);
    }
    return overlay;
}

QString CamView::overlayCaption(const Tile& tile, const Tile::Map& map) const
{
    QString caption = overlayCaption(map);
    const std::vector<QPointF> marks = tileMarks(tile);
    if (marks.empty() || !map.error.isEmpty() || tile.image.empty())
        return caption;
    const auto full
        = camMapToImage(map.map, m_data->models[std::size_t(map.model)].spec.input, tile.image.cols, tile.image.rows);
    if (!full)
        return caption;
    const MapAgreement a = shownImageAgreement(marks, full.value(), tileSigma(tile));
    return caption
        + tr(" · with people: r %1, %2 % of marks in its top 20 %, its peak %3 people's marks")
              .arg(a.correlation, 0, 'f', 2)
              .arg(100.0 * a.shareInModelTop20, 0, 'f', 0)
              .arg(a.pointingHit == 1 ? tr("on") : tr("off"));
}

QString CamView::overlayCaption(const Tile::Map& map) const
{
    const ModelInfo& model = m_data->models[std::size_t(map.model)];
    QString caption = QStringLiteral("%1 · %2").arg(model.name, m_method->currentText());
    if (map.prediction.pReal >= 0)
        caption += tr(" · P(real) %1").arg(map.prediction.pReal, 0, 'f', 2);
    const auto& p = map.prediction.classProbabilities;
    if (p.size() > 2 && map.map.targetClass >= 0 && map.map.targetClass < model.spec.classes.size())
        caption += tr(" · %1 %2")
                       .arg(model.spec.classes[map.map.targetClass])
                       .arg(p[std::size_t(map.map.targetClass)], 0, 'f', 2);
    return caption;
}

Result<cv::Mat> CamView::tileOverlay(const Tile& tile, const Tile::Map& map) const
{
    if (!map.error.isEmpty())
        return Error { map.error };
    if (tile.image.empty())
        return Error { tile.error };
    const auto full
        = camMapToImage(map.map, m_data->models[std::size_t(map.model)].spec.input, tile.image.cols, tile.image.rows);
    if (!full)
        return Error { full.error() };
    return overlayMap(tile.image, full.value(), overlayOptions());
}

void CamView::showTiles()
{
    while (QLayoutItem* item = m_grid->takeAt(0)) {
        delete item->widget();
        delete item;
    }
    for (int r = 0; r < m_grid->rowCount(); ++r)
        m_grid->setRowStretch(r, 0);
    for (int c = 0; c < m_grid->columnCount(); ++c)
        m_grid->setColumnStretch(c, 0);
    if (!m_data || m_tiles.empty())
        return;
    auto imageLabel = [](const cv::Mat& bgr, const QString& caption, const QString& error) {
        auto* box = new QWidget;
        auto* layout = new QVBoxLayout(box);
        layout->setContentsMargins(0, 0, 0, 0);
        auto* picture = new QLabel;
        int width = kTileHeight;
        if (!bgr.empty()) {
            const QPixmap pixmap = toPixmap(bgr, kTileHeight);
            width = pixmap.width();
            picture->setPixmap(pixmap);
        } else {
            picture->setText(error);
            picture->setWordWrap(true);
        }
        picture->setFixedSize(width, kTileHeight);
        auto* text = new QLabel(caption);
        text->setWordWrap(true);
        // Word-wrapped labels report no reliable minimum height to a grid: fix it, so that a small
        // window scrolls instead of drawing the captions over the images.
        text->setFixedWidth(width);
        text->setMinimumHeight(text->heightForWidth(width));
        layout->addWidget(picture);
        layout->addWidget(text);
        layout->addStretch();
        box->setObjectName(QStringLiteral("tile"));
        return box;
    };
    const bool trials = m_mode == Mode::Trials;
    const bool peopleShown = m_data->definition.marks.points > 0;
    m_peopleMapCaption.clear();
    const int row = currentRow();
    const TrialRowResult* trialRow
        = trials && row >= 0 && row < int(m_rows.size()) ? &m_rows[std::size_t(row)] : nullptr;
    for (std::size_t i = 0; i < m_tiles.size(); ++i) {
        const Tile& tile = m_tiles[i];
        const PoolImage* image = nullptr;
        for (const PoolImage& p : m_data->images) {
            if (p.id == tile.imageId)
                image = &p;
        }
        QString caption = image ? tr("#%1 · %2 · %3").arg(tile.imageId).arg(image->category, image->source)
                                : tr("#%1").arg(tile.imageId);
        if (trialRow && !answersWithLabels(trialRow->type)) {
            const int chosen = i < trialRow->chosenCounts.size() ? trialRow->chosenCounts[i] : 0;
            QStringList pickedBy;
            for (auto it = trialRow->modelChoices.cbegin(); it != trialRow->modelChoices.cend(); ++it) {
                if (it.value() == int(i))
                    pickedBy << it.key();
            }
            caption = tr("<b>Position %1</b>%2<br>%3<br>chosen by %4 of %5 people (%6)%7")
                          .arg(i + 1)
                          .arg(int(i) == trialRow->correctPosition ? tr(" — <b>the answer</b>") : QString(),
                              caption.toHtmlEscaped())
                          .arg(chosen)
                          .arg(trialRow->answered)
                          .arg(percent(chosen, trialRow->answered))
                          .arg(pickedBy.isEmpty() ? QString()
                                                  : tr("<br>picked by %1").arg(pickedBy.join(QStringLiteral(", "))));
        }
        const int column = trials ? int(i) : 0;
        m_grid->addWidget(imageLabel(tile.image, caption, tile.error), 0, column);
        // People's evidence first, then each model's, on the same footing.
        const int first = peopleShown ? 1 : 0;
        if (peopleShown) {
            const std::vector<QPointF> marks = tileMarks(tile);
            QMap<QString, int> reasons;
            for (const MarkedTrial& t : m_data->marks) {
                if ((!t.row.simulated || m_simulated->isChecked()) && !t.marks.reason.isEmpty()
                    && std::any_of(t.marks.points.begin(), t.marks.points.end(),
                        [&](const Mark& m) { return m.imageId == tile.imageId; }))
                    ++reasons[t.marks.reason];
            }
            QStringList reasonText;
            for (auto it = reasons.cbegin(); it != reasons.cend(); ++it)
                reasonText << QStringLiteral("%1 %2").arg(it.key()).arg(it.value());
            const QString peopleCaption = tr("People's marks · %n mark(s), kernel SD %1 px", nullptr, int(marks.size()))
                                              .arg(m_data->definition.marks.kernelSigmaPx)
                + (reasonText.isEmpty() ? QString() : tr(" · why: %1").arg(reasonText.join(QStringLiteral(", "))));
            if (i == 0)
                m_peopleMapCaption = peopleCaption;
            const auto overlay = peopleOverlay(tile);
            auto* label = imageLabel(overlay ? overlay.value() : cv::Mat(), peopleCaption.toHtmlEscaped(),
                overlay ? QString() : overlay.error());
            if (trials)
                m_grid->addWidget(label, 1, column);
            else
                m_grid->addWidget(label, 0, 1);
        }
        for (std::size_t m = 0; m < tile.maps.size(); ++m) {
            const auto overlay = tileOverlay(tile, tile.maps[m]);
            auto* label = imageLabel(overlay ? overlay.value() : cv::Mat(),
                overlayCaption(tile, tile.maps[m]).toHtmlEscaped(), overlay ? QString() : overlay.error());
            if (trials)
                m_grid->addWidget(label, int(m) + 1 + first, column);
            else
                m_grid->addWidget(label, 0, int(m) + 1 + first);
        }
    }
    const cv::Mat legend = colourLegend(overlayOptions().colormap, kTileHeight, 64);
    const int maps = int(m_tiles.front().maps.size()) + (peopleShown ? 1 : 0);
    if (!legend.empty() && maps > 0) {
        auto* label = new QLabel;
        label->setPixmap(toPixmap(legend, kTileHeight));
        if (trials)
            m_grid->addWidget(label, 1, int(m_tiles.size()), maps, 1, Qt::AlignTop);
        else
            m_grid->addWidget(label, 0, maps + 1, Qt::AlignTop);
    }
    // The tiles keep their size at the top left; the spare room goes below and to the right.
    m_grid->setRowStretch(m_grid->rowCount(), 1);
    m_grid->setColumnStretch(m_grid->columnCount(), 1);
}

void CamView::updateSummary()
{
    const int row = currentRow();
    if (!m_data || row < 0) {
        m_people->clear();
        return;
    }
    const QLocale locale;
    if (m_mode == Mode::Images) {
        const qint64 id = m_list->item(row)->data(Qt::UserRole).toLongLong();
        const ImageHumanResult r = m_peopleByImage.value(id);
        QString truth;
        for (const PoolImage& p : m_data->images) {
            if (p.id == id)
                truth = p.source == m_data->realSource ? tr("real") : tr("generated by %1").arg(p.source);
        }
        if (r.trials == 0) {
            m_people->setText(tr("Image #%1 (%2). People: no answers on it yet.").arg(id).arg(truth));
            return;
        }
        const double median = r.medianRtMs();
        m_people->setText(
            tr("Image #%1 (%2). People: %3 of %4 answers right (%5)%6; median response time %7.")
                .arg(id)
                .arg(truth)
                .arg(r.correct)
                .arg(r.trials)
                .arg(percent(r.correct, r.trials))
                .arg(r.pickTrials > 0 ? tr("; chosen in %1 of %2 pick trials").arg(r.chosen).arg(r.pickTrials)
                                      : QString())
                .arg(std::isnan(median) ? tr("–") : tr("%1 ms").arg(locale.toString(median, 'f', 0))));
        return;
    }
    if (row >= int(m_rows.size()))
        return;
    const TrialRowResult& t = m_rows[std::size_t(row)];
    // An answer in words: real or fake, the name offered, or the position picked.
    auto answerName = [&t](int answer) {
        if (t.type == TrialType::RealOrFake)
            return answer == 0 ? tr("real") : tr("fake");
        if (answersWithLabels(t.type))
            return answer >= 0 && answer < t.choices.size() ? t.choices[answer] : QString();
        return tr("position %1").arg(answer + 1);
    };
    QStringList choices;
    for (std::size_t i = 0; i < t.chosenCounts.size(); ++i)
        choices << tr("%1: %2").arg(answerName(int(i))).arg(t.chosenCounts[i]);
    QStringList models;
    for (auto it = t.modelChoices.cbegin(); it != t.modelChoices.cend(); ++it) {
        const bool right = it.value() == t.correctPosition;
        const QString what = answerName(it.value());
        models << tr("%1 chose %2 (%3)").arg(it.key(), what, right ? tr("right") : tr("wrong"));
    }
    m_people->setText(tr("Row %1, %2. People: %3 answers (%4)%5. %6")
                          .arg(row + 1)
                          .arg(rowKind(t))
                          .arg(t.answered)
                          .arg(choices.join(QStringLiteral(", ")))
                          .arg(t.unanswered > 0 ? tr(", %1 timed out").arg(t.unanswered) : QString())
                          .arg(models.isEmpty() ? tr("No model has answered this row.")
                                                : models.join(QStringLiteral("; ")) + QLatin1Char('.')));
}

void CamView::setStatus(const QString& text, bool failed)
{
    m_status->setText(text);
    m_status->setVisible(!text.isEmpty());
    markFailed(m_status, QPalette::WindowText, failed);
}

QString CamView::statusText() const
{
    return m_status->text();
}

QString CamView::peopleText() const
{
    return m_people->text();
}

QStringList CamView::overlayCaptions() const
{
    QStringList captions;
    for (const Tile& t : m_tiles) {
        for (const Tile::Map& m : t.maps)
            captions << overlayCaption(t, m);
    }
    return captions;
}

std::vector<cv::Mat> CamView::overlays() const
{
    std::vector<cv::Mat> out;
    for (const Tile& t : m_tiles) {
        for (const Tile::Map& m : t.maps) {
            const auto overlay = tileOverlay(t, m);
            out.push_back(overlay ? overlay.value() : cv::Mat());
        }
    }
    return out;
}

Status CamView::exportFigure(const QString& pngPath) const
{
    if (m_tiles.empty())
        return Error { tr("%1: nothing to export: no image is shown").arg(pngPath) };
    std::vector<cv::Mat> figures;
    int width = 0;
    for (const Tile& t : m_tiles) {
        if (t.image.empty())
            return Error { t.error };
        std::vector<CamFigureMap> maps;
        for (const Tile::Map& m : t.maps) {
            if (!m.error.isEmpty())
                return Error { m.error };
            maps.push_back(
                { m.map, m_data->models[std::size_t(m.model)].spec.input, asciiCaption(overlayCaption(t, m)) });
        }
        CamFigureLayout layout;
        layout.imageCaption = QStringLiteral("#%1").arg(t.imageId);
        const auto figure = camFigure(t.image, maps, overlayOptions(), layout);
        if (!figure)
            return Error { figure.error() };
        width = std::max(width, figure->cols);
        figures.push_back(figure.value());
    }
    // A trial row: one figure per image, stacked, on white.
    for (cv::Mat& f : figures) {
        if (f.cols < width)
            cv::copyMakeBorder(f, f, 0, 0, 0, width - f.cols, cv::BORDER_CONSTANT, cv::Scalar(255, 255, 255));
    }
    cv::Mat stacked;
    cv::vconcat(figures, stacked);
    return writePng(stacked, pngPath);
}

} // namespace ntt
