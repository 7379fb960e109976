#include "errorbrowser.h"

#include "analysis/objectrecognition.h"
#include "backgroundjob.h"
#include "browsermodels.h"
#include "camview.h"
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
#include <QHeaderView>
#include <QInputDialog>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QShortcut>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTableView>
#include <QTableWidget>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace ntt {
namespace {

/// Quartiles of response times as text, e.g. "median 1,234 ms (quartiles 900–1,600 ms, ...)".
QString rtSummary(const std::vector<double>& rt)
{
    if (rt.empty())
        return QObject::tr("no response times");
    const QLocale l;
    auto ms = [&](double q) { return l.toString(quantile(rt, q), 'f', 0); };
    return QObject::tr("median %1 ms (quartiles %2–%3 ms, range %4–%5 ms, n = %6)")
        .arg(ms(0.5), ms(0.25), ms(0.75), ms(0.0), ms(1.0))
        .arg(rt.size());
}

/// The position of `imageId` in the trial, or -1.
int positionIn(const Trial& trial, qint64 imageId)
{
    const auto it = std::find(trial.imageIds.begin(), trial.imageIds.end(), imageId);
    return it == trial.imageIds.end() ? -1 : int(it - trial.imageIds.begin());
}

} // namespace

// --- ImageDetailDialog -------------------------------------------------------------------------

ImageDetailDialog::ImageDetailDialog(
    StudyDatabase& db, qint64 studyId, std::shared_ptr<const BrowserData> data, qint64 imageId, QWidget* parent)
    : QDialog(parent)
    , m_db(db)
    , m_data(std::move(data))
    , m_imageId(imageId)
    , m_cam(new CamView)
    , m_summary(new QLabel)
    , m_trials(new QTableWidget)
    , m_tags(new QListWidget)
    , m_newTag(new QLineEdit)
    , m_note(new QPlainTextEdit)
    , m_annotationStatus(new QLabel)
{
    for (const BrowserImage& b : *m_data->images) {
        if (b.image.id == imageId)
            m_image = &b;
    }
    setWindowTitle(tr("Image #%1").arg(imageId));
    resize(1200, 860);
    m_cam->setListVisible(false);
    m_summary->setWordWrap(true);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_trials->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_trials->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_trials->setSelectionMode(QAbstractItemView::SingleSelection);
    m_trials->verticalHeader()->setVisible(false);
    m_newTag->setPlaceholderText(tr("New tag, e.g. artefact in hands"));
    m_note->setPlaceholderText(tr("A note on this image"));
    m_note->setMaximumHeight(80);

    QStringList lines;
    if (m_image) {
        const BrowserImage& b = *m_image;
        lines << tr("<b>#%1</b> · %2 · %3 (%4) · %5")
                     .arg(b.image.id)
                     .arg(b.image.category.toHtmlEscaped(), b.image.source.toHtmlEscaped(),
                         b.real ? tr("real") : tr("generated"), b.image.path.toHtmlEscaped());
        for (const StoredModel& m : m_data->models) {
            QString line = tr("%1: ").arg(m.name.toHtmlEscaped());
            const auto p = b.pReal.constFind(m.name);
            line += p == b.pReal.cend() ? tr("no prediction") : tr("P(real) %1").arg(double(*p), 0, 'f', 3);
            const auto classes = b.classProbabilities.constFind(m.name);
            if (classes != b.classProbabilities.cend()) {
                QStringList top;
                for (const RankedClass& c :
                    rankClasses(std::vector<double>(classes->begin(), classes->end()), m.spec, 5)) {
                    // The class, and the source or category it stands for when the sidecar maps it.
                    top << (c.category == c.name ? tr("%1 %2").arg(c.name.toHtmlEscaped()).arg(c.probability, 0, 'f', 2)
                                                 : tr("%1 %2 (%3)")
                                                       .arg(c.name.toHtmlEscaped())
                                                       .arg(c.probability, 0, 'f', 2)
                                                       .arg(c.category.toHtmlEscaped()));
                }
                if (!top.isEmpty())
                    line += tr("; top classes: %1").arg(top.join(QStringLiteral(", ")));
            }
            lines << line;
        }
        const ImageAnswers answers = imageAnswers(m_data->responses, imageId, m_data->filter);
        const ImageHumanResult& people = b.people;
        lines << (people.trials > 0
                ? tr("People: %1 of %2 answers right (%3 %)%4.")
                      .arg(people.correct)
                      .arg(people.trials)
                      .arg(std::lround(100.0 * people.shareCorrect()))
                      .arg(people.pickTrials > 0
                              ? tr("; chosen in %1 of %2 pick trials").arg(people.chosen).arg(people.pickTrials)
                              : QString())
                : tr("People: no answers on this image under the analysis' filter."));
        if (!answers.chosenInstead.isEmpty()) {
            QStringList chosen;
            for (auto it = answers.chosenInstead.cbegin(); it != answers.chosenInstead.cend(); ++it)
                chosen << tr("#%1 (%2×)").arg(it.key()).arg(it.value());
            chosen.sort();
            lines << tr("Chosen instead of it: %1").arg(chosen.join(QStringLiteral(", ")));
        }
        if (!answers.namesChosen.isEmpty()) {
            QStringList chosen;
            for (auto it = answers.namesChosen.cbegin(); it != answers.namesChosen.cend(); ++it)
                chosen << tr("%1 (%2×)").arg(it.key().toHtmlEscaped()).arg(it.value());
            lines << tr("People answered: %1").arg(chosen.join(QStringLiteral(", ")));
        }
        lines << tr("Response times on trials showing it: %1%2")
                     .arg(rtSummary(answers.rtMs),
                         answers.timedOut > 0 ? tr("; %1 timed out").arg(answers.timedOut) : QString());
    } else {
        lines << tr("Image #%1 is not in this study.").arg(imageId);
    }
    m_summary->setText(lines.join(QStringLiteral("<br>")));

    auto* tagsBox = new QWidget;
    auto* tagsLayout = new QGridLayout(tagsBox);
    tagsLayout->setContentsMargins(0, 0, 0, 0);
    auto* addTagButton = new QPushButton(tr("Add tag"));
    auto* removeTag = new QPushButton(tr("Remove tag"));
    auto* saveNoteButton = new QPushButton(tr("Save note"));
    tagsLayout->addWidget(new QLabel(tr("Tags")), 0, 0);
    tagsLayout->addWidget(m_newTag, 0, 1);
    tagsLayout->addWidget(addTagButton, 0, 2);
    tagsLayout->addWidget(m_tags, 1, 1);
    tagsLayout->addWidget(removeTag, 1, 2, Qt::AlignTop);
    tagsLayout->addWidget(new QLabel(tr("Note")), 2, 0);
    tagsLayout->addWidget(m_note, 2, 1);
    tagsLayout->addWidget(saveNoteButton, 2, 2, Qt::AlignTop);
    tagsLayout->addWidget(m_annotationStatus, 3, 1, 1, 2);
    m_tags->setMaximumHeight(70);

    auto* bottom = new QSplitter(Qt::Horizontal);
    auto* trialsBox = new QWidget;
    auto* trialsLayout = new QVBoxLayout(trialsBox);
    trialsLayout->setContentsMargins(0, 0, 0, 0);
    trialsLayout->addWidget(new QLabel(tr("Trials it appeared in (Enter on a row shows the row as it was seen)")));
    trialsLayout->addWidget(m_trials);
    bottom->addWidget(trialsBox);
    bottom->addWidget(tagsBox);

    auto* split = new QSplitter(Qt::Vertical);
    split->addWidget(m_cam);
    split->addWidget(bottom);
    split->setStretchFactor(0, 3);
    split->setSizes({ 680, 160 });
    auto* close = new QPushButton(tr("Close"));
    auto* backToImage = new QPushButton(tr("Back to the image"));
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(backToImage);
    buttons->addStretch();
    buttons->addWidget(close);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_summary);
    layout->addWidget(split, 1);
    layout->addLayout(buttons);

    // Return belongs to the trial table (show the row) and the tag field (add the tag), never to
    // a default button: Esc closes.
    for (QPushButton* b : findChildren<QPushButton*>())
        b->setAutoDefault(false);
    connect(close, &QPushButton::clicked, this, &QDialog::accept);
    connect(backToImage, &QPushButton::clicked, this, [this] { m_cam->showImage(m_imageId); });
    connect(addTagButton, &QPushButton::clicked, this, [this] {
        if (addTag(m_newTag->text()))
            m_newTag->clear();
    });
    connect(m_newTag, &QLineEdit::returnPressed, addTagButton, &QPushButton::click);
    connect(removeTag, &QPushButton::clicked, this, [this] {
        QListWidgetItem* item = m_tags->currentItem();
        if (!item)
            return;
        const Status s = m_db.removeImageTag(m_imageId, item->text());
        m_annotationStatus->setText(s ? tr("Tag removed.") : s.error());
        markFailed(m_annotationStatus, QPalette::WindowText, !s);
        if (!s)
            return;
        delete m_tags->takeItem(m_tags->row(item));
        Q_EMIT annotationsChanged(m_imageId);
    });
    connect(saveNoteButton, &QPushButton::clicked, this, [this] { saveNote(m_note->toPlainText()); });
    connect(m_trials, &QTableWidget::cellActivated, this, [this](int row, int) { showTrialRow(row); });
    connect(m_trials, &QTableWidget::cellDoubleClicked, this, [this](int row, int) { showTrialRow(row); });
    connect(
        m_cam, &CamView::loaded, this, [this] { m_cam->showImage(m_imageId); }, Qt::SingleShotConnection);

    fillTrials();
    // Tags and note as loaded with the browser's data (its reload follows every edit made here).
    if (m_image) {
        m_tags->addItems(m_image->tags);
        m_note->setPlainText(m_image->note);
    }

    m_cam->setStudy(m_db.path(), studyId);
}

QString ImageDetailDialog::summaryText() const
{
    return m_summary->text();
}

void ImageDetailDialog::fillTrials()
{
    m_rows = imageAnswers(m_data->responses, m_imageId, m_data->filter).rows;
    const QStringList headers = { tr("Trial"), tr("Participant"), tr("Type"), tr("Its position"), tr("Answer"),
        tr("Right"), tr("RT (ms)"), tr("Images in the row") };
    m_trials->setColumnCount(int(headers.size()));
    m_trials->setHorizontalHeaderLabels(headers);
    m_trials->setRowCount(int(m_rows.size()));
    for (int i = 0; i < int(m_rows.size()); ++i) {
        const ResponseRow& r = *m_rows[std::size_t(i)];
        QStringList row;
        for (qint64 id : r.trial.imageIds)
            row << QStringLiteral("#%1").arg(id);
        const QString answer = r.response.timedOut  ? tr("timed out")
            : r.trial.type == TrialType::RealOrFake ? (r.response.answer == 0 ? tr("real") : tr("fake"))
                                                    : tr("position %1").arg(r.response.answer + 1);
        const QStringList cells = { QString::number(r.trial.id),
            r.participant + (r.simulated ? tr(" (simulated)") : QString()), trialTypeName(r.trial.type),
            QString::number(positionIn(r.trial, m_imageId) + 1), answer,
            r.response.timedOut ? QString() : (r.response.correct ? tr("yes") : tr("no")),
            r.response.timedOut ? QString() : QString::number(r.response.rtMs, 'f', 0), row.join(QStringLiteral(" ")) };
        for (int c = 0; c < int(cells.size()); ++c)
            m_trials->setItem(i, c, readOnlyItem(cells[c], c == 0 || c == 3 || c == 6));
    }
    m_trials->resizeColumnsToContents();
}

void ImageDetailDialog::showTrialRow(int row)
{
    if (row < 0 || row >= int(m_rows.size()))
        return;
    const ResponseRow& r = *m_rows[std::size_t(row)];
    if (r.trial.imageIds.size() > 1)
        m_cam->showRow(r.trial.imageIds);
    else
        m_cam->showImage(m_imageId);
}

bool ImageDetailDialog::addTag(const QString& tag)
{
    const Status s = m_db.addImageTag(m_imageId, tag);
    m_annotationStatus->setText(s ? tr("Tag added.") : s.error());
    markFailed(m_annotationStatus, QPalette::WindowText, !s);
    if (!s)
        return false;
    if (m_tags->findItems(tag.trimmed(), Qt::MatchExactly).isEmpty()) {
        m_tags->addItem(tag.trimmed());
        m_tags->sortItems();
    }
    Q_EMIT annotationsChanged(m_imageId);
    return true;
}

bool ImageDetailDialog::saveNote(const QString& note)
{
    const Status s = m_db.setImageNote(m_imageId, note);
    m_annotationStatus->setText(s ? tr("Note saved.") : s.error());
    markFailed(m_annotationStatus, QPalette::WindowText, !s);
    if (s)
        Q_EMIT annotationsChanged(m_imageId);
    return s.ok();
}

// --- ErrorBrowser ------------------------------------------------------------------------------

ErrorBrowser::ErrorBrowser(QWidget* parent)
    : QWidget(parent)
    , m_job(new BackgroundJob(this))
    , m_grouping(new QComboBox)
    , m_groupModel(new GroupTableModel(this))
    , m_groupProxy(new QSortFilterProxyModel(this))
    , m_groupTable(new QTableView)
    , m_model(new QComboBox)
    , m_outcome(new QComboBox)
    , m_source(new QComboBox)
    , m_tag(new QComboBox)
    , m_peopleMin(new QDoubleSpinBox)
    , m_peopleMax(new QDoubleSpinBox)
    , m_pRealMin(new QDoubleSpinBox)
    , m_pRealMax(new QDoubleSpinBox)
    , m_sort(new QComboBox)
    , m_descending(new QCheckBox(tr("Descending")))
    , m_simulated(new QCheckBox(tr("Include simulated participants")))
    , m_grid(new QListView)
    , m_confusion(new QTableWidget)
    , m_confusionTitle(new QLabel)
    , m_status(new QLabel)
    , m_clearSelection(new QPushButton(tr("Show the whole group")))
{
    buildUi();
}

ErrorBrowser::~ErrorBrowser()
{
    m_job->cancelAndWait();
    // The grid model asks the loader for pixmaps: it goes first.
    m_grid->setModel(nullptr);
    delete m_gridModel;
}

void ErrorBrowser::buildUi()
{
    m_grouping->addItem(tr("Categories"));
    m_grouping->addItem(tr("Sources (generators)"));
    m_groupProxy->setSourceModel(m_groupModel);
    m_groupProxy->setSortRole(kSortRole);
    m_groupTable->setModel(m_groupProxy);
    m_groupTable->setSortingEnabled(true);
    m_groupTable->sortByColumn(0, Qt::AscendingOrder);
    m_groupTable->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_groupTable->setSelectionMode(QAbstractItemView::SingleSelection);
    m_groupTable->verticalHeader()->setVisible(false);
    m_groupTable->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_groupTable->setAccessibleName(tr("Categories with people's and each model's accuracy"));

    for (Outcome o : { Outcome::Any, Outcome::BothRight, Outcome::PeopleWrongModelRight, Outcome::PeopleRightModelWrong,
             Outcome::BothWrong })
        m_outcome->addItem(outcomeLabel(o), int(o));
    m_sort->addItem(tr("Image id"), int(BrowserSort::Id));
    m_sort->addItem(tr("People's accuracy"), int(BrowserSort::PeopleAccuracy));
    m_sort->addItem(tr("Model's P(real)"), int(BrowserSort::PReal));
    m_sort->addItem(tr("Hardness (entropy)"), int(BrowserSort::Hardness));
    for (QDoubleSpinBox* box : { m_peopleMin, m_peopleMax, m_pRealMin, m_pRealMax }) {
        box->setRange(0.0, 1.0);
        box->setSingleStep(0.1);
        box->setDecimals(2);
    }
    m_peopleMax->setValue(1.0);
    m_pRealMax->setValue(1.0);

    m_grid->setViewMode(QListView::IconMode);
    m_grid->setResizeMode(QListView::Adjust);
    m_grid->setMovement(QListView::Static);
    m_grid->setUniformItemSizes(true);
    m_grid->setLayoutMode(QListView::Batched);
    m_grid->setBatchSize(500);
    m_grid->setIconSize(QSize(128, 128));
    m_grid->setGridSize(QSize(150, 178));
    m_grid->setWordWrap(true);
    m_grid->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_grid->setAccessibleName(tr("Images of the selection"));

    m_confusion->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_confusion->setSelectionMode(QAbstractItemView::SingleSelection);
    m_confusion->setMaximumHeight(180);
    m_confusionTitle->setWordWrap(true);
    m_clearSelection->setVisible(false);
    m_status->setWordWrap(true);

    auto* left = new QWidget;
    auto* leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(8, 8, 0, 8);
    leftLayout->addWidget(m_grouping);
    leftLayout->addWidget(m_groupTable, 2);
    leftLayout->addWidget(m_confusionTitle);
    leftLayout->addWidget(m_confusion, 1);
    leftLayout->addWidget(m_simulated);

    auto* filters = new QGridLayout;
    filters->addWidget(new QLabel(tr("Model")), 0, 0);
    filters->addWidget(m_model, 0, 1);
    filters->addWidget(new QLabel(tr("Outcome")), 0, 2);
    filters->addWidget(m_outcome, 0, 3);
    filters->addWidget(new QLabel(tr("Source")), 1, 0);
    filters->addWidget(m_source, 1, 1);
    filters->addWidget(new QLabel(tr("Tag")), 1, 2);
    filters->addWidget(m_tag, 1, 3);
    auto range = [](QDoubleSpinBox* low, QDoubleSpinBox* high) {
        auto* row = new QHBoxLayout;
        row->addWidget(low);
        row->addWidget(new QLabel(QStringLiteral("–")));
        row->addWidget(high);
        return row;
    };
    filters->addWidget(new QLabel(tr("People right")), 2, 0);
    filters->addLayout(range(m_peopleMin, m_peopleMax), 2, 1);
    filters->addWidget(new QLabel(tr("P(real)")), 2, 2);
    filters->addLayout(range(m_pRealMin, m_pRealMax), 2, 3);
    filters->addWidget(new QLabel(tr("Sort by")), 0, 4);
    filters->addWidget(m_sort, 0, 5);
    filters->addWidget(m_descending, 1, 5);
    filters->setColumnStretch(1, 1);
    filters->setColumnStretch(3, 1);
    filters->setColumnStretch(5, 1);

    auto* exportCsvButton = new QPushButton(tr("Export selection CSV…"));
    auto* sheetButton = new QPushButton(tr("Contact sheet…"));
    auto* tagButton = new QPushButton(tr("Tag selected…"));
    tagButton->setToolTip(tr("Add a tag to the images selected in the grid (all shown when none is selected)"));
    auto* statusRow = new QHBoxLayout;
    statusRow->addWidget(m_status, 1);
    statusRow->addWidget(m_clearSelection);
    statusRow->addWidget(tagButton);
    statusRow->addWidget(exportCsvButton);
    statusRow->addWidget(sheetButton);

    auto* right = new QWidget;
    auto* rightLayout = new QVBoxLayout(right);
    rightLayout->setContentsMargins(0, 8, 8, 8);
    rightLayout->addLayout(filters);
    rightLayout->addLayout(statusRow);
    rightLayout->addWidget(m_grid, 1);
    rightLayout->addWidget(new QLabel(tr("Arrows move, Enter opens an image, Esc closes it.")));

    auto* split = new QSplitter;
    split->addWidget(left);
    split->addWidget(right);
    split->setStretchFactor(1, 3);
    split->setSizes({ 560, 840 });
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(split);

    connect(m_grouping, &QComboBox::currentIndexChanged, this, [this] {
        m_group.clear();
        if (m_data)
            applyData(m_data);
    });
    connect(m_groupTable->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
        [this](const QModelIndex& current) {
            if (!current.isValid())
                return;
            m_group = m_groupModel->group(m_groupProxy->mapToSource(current).row());
            m_explicit.reset();
            applyFilter();
        });
    for (QComboBox* box : { m_model, m_outcome, m_source, m_tag, m_sort })
        connect(box, &QComboBox::currentIndexChanged, this, &ErrorBrowser::applyFilter);
    for (QDoubleSpinBox* box : { m_peopleMin, m_peopleMax, m_pRealMin, m_pRealMax })
        connect(box, &QDoubleSpinBox::valueChanged, this, &ErrorBrowser::applyFilter);
    connect(m_descending, &QCheckBox::toggled, this, &ErrorBrowser::applyFilter);
    connect(m_simulated, &QCheckBox::toggled, this, [this] {
        m_simulatedChosen = true;
        reload();
    });
    connect(m_clearSelection, &QPushButton::clicked, this, &ErrorBrowser::clearSelection);
    connect(m_grid, &QListView::activated, this, [this](const QModelIndex& index) { openDetail(index.row()); });
    connect(m_confusion, &QTableWidget::cellActivated, this, [this](int row, int column) {
        const QVariant ids
            = m_confusion->item(row, column) ? m_confusion->item(row, column)->data(kImageIdRole) : QVariant();
        QList<qint64> list;
        for (const QVariant& v : ids.toList())
            list << v.toLongLong();
        showSelection(list,
            tr("%1: truth %2, answered %3")
                .arg(m_model->currentText(), m_confusion->verticalHeaderItem(row)->text(),
                    m_confusion->horizontalHeaderItem(column)->text()));
    });
    connect(m_confusion, &QTableWidget::cellClicked, m_confusion, &QTableWidget::cellActivated);
    connect(exportCsvButton, &QPushButton::clicked, this, &ErrorBrowser::exportCsv);
    connect(tagButton, &QPushButton::clicked, this, [this] {
        bool ok = false;
        const QString tag = QInputDialog::getText(this, tr("Tag the selected images"),
            tr("Tag (e.g. artefact in hands):"), QLineEdit::Normal, QString(), &ok);
        if (!ok)
            return;
        const auto tagged = tagSelected(tag);
        m_status->setText(
            tagged ? tr("Tagged %n image(s) \"%1\"", nullptr, tagged.value()).arg(tag.trimmed()) : tagged.error());
        markFailed(m_status, QPalette::WindowText, !tagged);
    });
    connect(sheetButton, &QPushButton::clicked, this, &ErrorBrowser::exportSheet);
    m_status->setText(tr("Open a study file and select a study to browse its errors."));
}

void ErrorBrowser::setStudy(StudyDatabase* db, qint64 studyId)
{
    const bool same = db && db == m_db && studyId == m_studyId;
    m_db = db;
    m_studyId = studyId;
    if (same)
        return;
    m_simulatedChosen = false;
    m_grid->setModel(nullptr);
    delete m_gridModel;
    m_gridModel = nullptr;
    m_loader.reset();
    m_data.reset();
    m_group.clear();
    m_explicit.reset();
    if (m_db) {
        m_loader = std::make_unique<ThumbnailLoader>(ThumbnailCache(thumbnailFolderOf(m_db->path()), 128));
        m_gridModel = new ThumbnailGridModel(m_loader.get(), this);
        m_grid->setModel(m_gridModel);
    }
    reload();
}

void ErrorBrowser::reload()
{
    if (!m_db || m_studyId <= 0) {
        m_job->cancelAndWait();
        m_groupModel->setData({}, {}, GroupTableModel::Grouping::Category);
        m_status->setText(tr("Open a study file and select a study to browse its errors."));
        return;
    }
    const QString path = m_db->path();
    const qint64 studyId = m_studyId;
    const bool simulated = m_simulated->isChecked();
    const bool chosen = m_simulatedChosen;
    m_status->setText(tr("Loading the study…"));
    m_job->start<std::shared_ptr<const BrowserData>>(
        [path, studyId, simulated, chosen](
            const CancelToken&, const ProgressFn&) -> Result<std::shared_ptr<const BrowserData>> {
            auto db = StudyDatabase::open(path, StudyDatabase::OpenMode::ExistingOnly);
            if (!db)
                return Error { db.error() };
            AnalysisOptions options;
            options.filter.includeSimulated = simulated;
            options.bootstrapReplicates = 200; // the browser shows no bootstrap interval
            auto analysis = analyseStudy(*db.value(), studyId, options);
            if (!analysis)
                return Error { analysis.error() };
            if (!chosen && analysis->analysis.participants.empty()) {
                // Only simulated sessions (a pilot, the demo): show them rather than nothing.
                options.filter.includeSimulated = true;
                analysis = analyseStudy(*db.value(), studyId, options);
                if (!analysis)
                    return Error { analysis.error() };
            }
            auto data = std::make_shared<BrowserData>();
            data->analysis = std::move(analysis).value();
            data->filter = options.filter;
            auto images = browserImages(*db.value(), data->analysis);
            auto models = db.value()->models();
            auto responses = db.value()->responseRows(studyId);
            if (!images || !models || !responses)
                return Error { !images ? images.error() : (!models ? models.error() : responses.error()) };
            data->images = std::make_shared<const std::vector<BrowserImage>>(std::move(images).value());
            for (const StoredModel& m : models.value()) {
                if (data->analysis.analysis.models.contains(m.name) || data->analysis.pRealByModel.contains(m.name))
                    data->models.push_back(m);
            }
            data->responses = std::move(responses).value();
            return std::shared_ptr<const BrowserData>(std::move(data));
        },
        [this](Result<std::shared_ptr<const BrowserData>> result) {
            if (!result) {
                m_status->setText(result.error());
                markFailed(m_status, QPalette::WindowText, true);
                return;
            }
            markFailed(m_status, QPalette::WindowText, false);
            applyData(std::move(result).value());
            Q_EMIT loaded();
        });
}

bool ErrorBrowser::isLoading() const
{
    return m_job->isRunning();
}

void ErrorBrowser::applyData(std::shared_ptr<const BrowserData> data)
{
    m_data = std::move(data);
    if (!m_simulatedChosen) {
        const QSignalBlocker block(m_simulated);
        // The worker already fell back to simulated sessions when there is no one else.
        const auto& participants = m_data->analysis.analysis.participants;
        m_simulated->setChecked(!participants.empty()
            && std::all_of(
                participants.begin(), participants.end(), [](const ParticipantSummary& p) { return p.simulated; }));
    }
    const auto grouping
        = m_grouping->currentIndex() == 0 ? GroupTableModel::Grouping::Category : GroupTableModel::Grouping::Source;
    m_groupModel->setData(m_data->analysis.analysis, *m_data->images, grouping);
    m_groupTable->resizeColumnsToContents();

    auto refill = [](QComboBox* box, const QStringList& items, const QString& all) {
        const QString current = box->currentData().toString();
        const QSignalBlocker block(box);
        box->clear();
        if (!all.isEmpty())
            box->addItem(all, QString());
        for (const QString& i : items)
            box->addItem(i, i);
        box->setCurrentIndex(std::max(0, box->findData(current)));
    };
    QStringList models;
    for (const StoredModel& m : m_data->models)
        models << m.name;
    refill(m_model, models, models.isEmpty() ? tr("(no model yet)") : QString());
    QStringList sources;
    QStringList tags;
    for (const BrowserImage& b : *m_data->images) {
        if (!sources.contains(b.image.source))
            sources << b.image.source;
        for (const QString& t : b.tags) {
            if (!tags.contains(t))
                tags << t;
        }
    }
    sources.sort();
    tags.sort();
    refill(m_source, sources, tr("Any source"));
    refill(m_tag, tags, tr("Any tag"));
    if (!m_group.isEmpty())
        chooseGroup(m_group);
    else
        applyFilter();
}

bool ErrorBrowser::chooseGroup(const QString& group)
{
    for (int r = 0; r < m_groupProxy->rowCount(); ++r) {
        const QModelIndex i = m_groupProxy->index(r, 0);
        if (i.data().toString() == group) {
            m_groupTable->setCurrentIndex(i);
            m_group = group;
            m_explicit.reset();
            applyFilter();
            return true;
        }
    }
    return false;
}

BrowserFilter ErrorBrowser::filter() const
{
    BrowserFilter f;
    if (m_grouping->currentIndex() == 0)
        f.category = m_group;
    else
        f.source = m_group;
    if (const QString source = m_source->currentData().toString(); !source.isEmpty())
        f.source = source;
    f.model = m_model->currentData().toString();
    f.outcome = Outcome(m_outcome->currentData().toInt());
    f.peopleMin = m_peopleMin->value();
    f.peopleMax = m_peopleMax->value();
    f.pRealMin = m_pRealMin->value();
    f.pRealMax = m_pRealMax->value();
    f.tag = m_tag->currentData().toString();
    return f;
}

QString ErrorBrowser::selectionTitle() const
{
    if (m_explicit)
        return m_explicitTitle;
    if (m_group.isEmpty())
        return tr("All images");
    return (m_grouping->currentIndex() == 0 ? tr("Category %1") : tr("Source %1")).arg(m_group);
}

void ErrorBrowser::applyFilter()
{
    if (!m_data || !m_gridModel)
        return;
    const BrowserFilter f = filter();
    std::vector<int> rows
        = filterImages(*m_data->images, f, BrowserSort(m_sort->currentData().toInt()), m_descending->isChecked());
    if (m_explicit) {
        rows.erase(std::remove_if(rows.begin(), rows.end(),
                       [this](int i) { return !m_explicit->contains((*m_data->images)[std::size_t(i)].image.id); }),
            rows.end());
    }
    const int shown = int(rows.size());
    m_gridModel->setImages(m_data->images, std::move(rows), f.model);
    if (m_gridModel->rowCount() > 0)
        m_grid->setCurrentIndex(m_gridModel->index(0));

    // The confusion matrix covers the chosen group as a whole, whatever the other filters.
    BrowserFilter group;
    group.category = f.category;
    group.source = m_grouping->currentIndex() == 0 ? QString() : m_group;
    m_groupIndices = filterImages(*m_data->images, group, BrowserSort::Id);
    fillConfusion(m_groupIndices);

    const int participants = int(m_data->analysis.analysis.participants.size());
    m_status->setText(tr("%1: %n image(s) shown", nullptr, shown).arg(selectionTitle())
        + tr(" · %n participant(s)", nullptr, participants)
        + (m_simulated->isChecked() ? tr(" (simulated included)") : QString()));
    m_clearSelection->setVisible(m_explicit.has_value());
    Q_EMIT selectionChanged();
}

void ErrorBrowser::fillConfusion(const std::vector<int>& group)
{
    m_confusion->clear();
    const QString model = m_model->currentData().toString();
    const StoredModel* stored = nullptr;
    for (const StoredModel& m : m_data->models) {
        if (m.name == model)
            stored = &m;
    }
    if (!stored) {
        m_confusionTitle->setText(tr("Confusion matrix: no model yet."));
        m_confusion->setRowCount(0);
        m_confusion->setColumnCount(0);
        return;
    }
    const ConfusionMatrix m = confusionMatrix(*m_data->images, group, model, stored->spec);
    m_confusionTitle->setText(tr("Confusion matrix of %1 on %2 (rows: truth; click a cell for its images)")
                                  .arg(model, selectionTitle().toLower()));
    m_confusion->setRowCount(int(m.truths.size()));
    m_confusion->setColumnCount(int(m.answers.size()));
    m_confusion->setVerticalHeaderLabels(m.truths);
    m_confusion->setHorizontalHeaderLabels(m.answers);
    for (int r = 0; r < m.truths.size(); ++r) {
        for (int c = 0; c < m.answers.size(); ++c) {
            auto* item = readOnlyItem(QString::number(m.count(r, c)), true);
            QVariantList ids;
            for (int i : m.cells[std::size_t(r)][std::size_t(c)])
                ids << (*m_data->images)[std::size_t(i)].image.id;
            item->setData(kImageIdRole, ids);
            if (m.truths[r] != m.answers[c] && m.count(r, c) > 0)
                item->setForeground(kErrorColour);
            m_confusion->setItem(r, c, item);
        }
    }
    m_confusion->resizeColumnsToContents();
}

void ErrorBrowser::showSelection(const QList<qint64>& imageIds, const QString& title)
{
    m_explicit = QSet<qint64>(imageIds.begin(), imageIds.end());
    m_explicitTitle = title;
    // A selection from elsewhere is shown whole: no filter of the browser hides part of it.
    {
        const QSignalBlocker a(m_outcome), b(m_source), c(m_tag), d(m_peopleMin), e(m_peopleMax), f(m_pRealMin),
            g(m_pRealMax);
        m_outcome->setCurrentIndex(0);
        m_source->setCurrentIndex(0);
        m_tag->setCurrentIndex(0);
        m_peopleMin->setValue(0.0);
        m_peopleMax->setValue(1.0);
        m_pRealMin->setValue(0.0);
        m_pRealMax->setValue(1.0);
    }
    m_group.clear();
    {
        const QSignalBlocker block(m_groupTable->selectionModel());
        m_groupTable->clearSelection();
        m_groupTable->setCurrentIndex({});
    }
    applyFilter();
}

void ErrorBrowser::clearSelection()
{
    m_explicit.reset();
    m_explicitTitle.clear();
    applyFilter();
}

Result<int> ErrorBrowser::tagSelected(const QString& tag)
{
    if (!m_db || !m_gridModel)
        return Error { tr("Open a study first.") };
    std::vector<qint64> ids;
    for (const QModelIndex& i : m_grid->selectionModel()->selectedIndexes())
        ids.push_back(i.data(kImageIdRole).toLongLong());
    if (ids.empty())
        ids = m_gridModel->imageIds();
    for (qint64 id : ids) {
        if (const Status s = m_db->addImageTag(id, tag); !s)
            return Error { s.error() };
    }
    reload();
    return int(ids.size());
}

ImageDetailDialog* ErrorBrowser::openDetail(int row)
{
    if (!m_gridModel || !m_db)
        return nullptr;
    const BrowserImage* image = m_gridModel->image(row);
    if (!image)
        return nullptr;
    auto* dialog = new ImageDetailDialog(*m_db, m_studyId, m_data, image->image.id, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &ImageDetailDialog::annotationsChanged, this, [this] { reload(); });
    dialog->show();
    return dialog;
}

void ErrorBrowser::exportCsv()
{
    if (!m_data || !m_gridModel)
        return;
    const CsvDestination destination = askCsvDestination(
        this, tr("Export the selection"), QFileInfo(m_db->path()).absolutePath() + QStringLiteral("/selection.csv"));
    const QString& path = destination.path;
    if (path.isEmpty())
        return;
    auto rows = exportImageSelection(m_data->analysis, m_gridModel->imageIds(), path);
    if (const Status s = rows ? finishCsvExport(destination) : Status(); !s)
        rows = Error { s.error() };
    m_status->setText(
        rows ? tr("Wrote %n image(s) to %1", nullptr, rows.value()).arg(QDir::toNativeSeparators(path)) : rows.error());
    markFailed(m_status, QPalette::WindowText, !rows);
}

void ErrorBrowser::exportSheet()
{
    if (!m_data || !m_gridModel)
        return;
    const QString path = QFileDialog::getSaveFileName(this, tr("Contact sheet of the selection"),
        QFileInfo(m_db->path()).absolutePath() + QStringLiteral("/selection.pdf"), tr("PDF (*.pdf);;PNG (*.png)"));
    if (path.isEmpty())
        return;
    const std::vector<qint64> ids = m_gridModel->imageIds();
    const auto data = m_data;
    const QString studyFile = m_db->path();
    const QString model = m_model->currentData().toString();
    const QString title = selectionTitle();
    m_status->setText(tr("Making the contact sheet of %n image(s)…", nullptr, int(ids.size())));
    auto* job = new BackgroundJob(this);
    job->start<QString>(
        [data, studyFile, ids, model, title, path](const CancelToken& cancel, const ProgressFn&) -> Result<QString> {
            const Status s = exportContactSheet(data->analysis, studyFile, ids, model, title, path, cancel);
            if (!s)
                return Error { s.error() };
            return path;
        },
        [this, job](Result<QString> result) {
            m_status->setText(result ? tr("Wrote %1").arg(QDir::toNativeSeparators(result.value())) : result.error());
            markFailed(m_status, QPalette::WindowText, !result);
            job->deleteLater();
        });
}

} // namespace ntt
