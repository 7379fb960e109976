#include "studyeditor.h"

#include "backgroundjob.h"
#include "study/trialgenerator.h"
#include "studydatabase.h"
#include "studyfile.h"
#include "widgethelpers.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QRandomGenerator>
#include <QRegularExpressionValidator>
#include <QSaveFile>
#include <QScrollArea>
#include <QScrollBar>
#include <QSet>
#include <QSpinBox>
#include <QTextDocument>
#include <QVBoxLayout>

#include <algorithm>
#include <limits>

namespace ntt {

namespace {

constexpr int kCheckDelayMs = 300;
constexpr int kValueRole = Qt::UserRole; ///< the source or category name an item stands for
constexpr int kExtraRole = Qt::UserRole + 1; ///< true: named by a loaded definition, not in the pool
constexpr int kMaxListRows = 6;

const QColor kOkColour(0, 110, 40);
const QColor kWarningColour(160, 90, 0);
QSpinBox* makeSpin(
    QWidget* parent, int minimum, int maximum, int value, const QString& suffix = {}, const QString& specialValue = {})
{
    auto* spin = new QSpinBox(parent);
    spin->setRange(minimum, maximum);
    spin->setValue(value);
    spin->setSuffix(suffix);
    spin->setSpecialValueText(specialValue);
    spin->setAccelerated(true);
    return spin;
}

// A text box whose size hint is a few lines, not QAbstractScrollArea's fixed 192 px.
class TextBox final : public QPlainTextEdit
{
public:
    TextBox(QWidget* parent, int lines)
        : QPlainTextEdit(parent)
        , m_lines(lines)
    { }
    QSize sizeHint() const override
    {
        const int height = m_lines * fontMetrics().lineSpacing() + 2 * frameWidth()
            + static_cast<int>(2 * document()->documentMargin());
        return { QPlainTextEdit::sizeHint().width(), height };
    }
    QSize minimumSizeHint() const override { return sizeHint(); }

private:
    int m_lines;
};

QPlainTextEdit* makeTextEdit(QWidget* parent, int lines, const QString& placeholder, QSizePolicy::Policy vertical)
{
    auto* edit = new TextBox(parent, lines);
    edit->setTabChangesFocus(true);
    edit->setPlaceholderText(placeholder);
    edit->setSizePolicy(QSizePolicy::Expanding, vertical);
    return edit;
}

// A list as tall as its rows (up to a few), so short lists leave no empty box behind.
void fitListHeight(QListWidget* list)
{
    const int rows = std::clamp(list->count(), 2, kMaxListRows);
    const int rowHeight = list->count() > 0 ? list->sizeHintForRow(0) : list->fontMetrics().height() + 4;
    list->setFixedHeight(rows * rowHeight + 2 * list->frameWidth() + 2);
}

// All items checked (and none that the pool lacks) means "all", stored as an empty list.
QStringList checkedValues(const QListWidget* list)
{
    QStringList values;
    bool all = true;
    for (int i = 0; i < list->count(); ++i) {
        const QListWidgetItem* item = list->item(i);
        if (item->checkState() == Qt::Checked)
            values << item->data(kValueRole).toString();
        else
            all = false;
        if (item->data(kExtraRole).toBool())
            all = false;
    }
    return all ? QStringList() : values;
}

void setCheckedValues(QListWidget* list, const QStringList& values, const QString& extraLabel)
{
    for (int i = list->count() - 1; i >= 0; --i) {
        if (list->item(i)->data(kExtraRole).toBool())
            delete list->takeItem(i);
    }
    QSet<QString> present;
    for (int i = 0; i < list->count(); ++i) {
        QListWidgetItem* item = list->item(i);
        const QString value = item->data(kValueRole).toString();
        present.insert(value);
        if (item->flags() & Qt::ItemIsEnabled)
            item->setCheckState(values.isEmpty() || values.contains(value) ? Qt::Checked : Qt::Unchecked);
    }
    // Keep what the pool lacks visible (and in the definition), so the design check can name it.
    for (const QString& value : values) {
        if (present.contains(value))
            continue;
        auto* item = new QListWidgetItem(extraLabel.arg(value), list);
        item->setData(kValueRole, value);
        item->setData(kExtraRole, true);
        item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsUserCheckable);
        item->setCheckState(Qt::Checked);
        present.insert(value);
    }
    fitListHeight(list);
}

QStringList nonEmptyLines(const QString& text)
{
    QStringList lines;
    for (const QString& line : text.split(QLatin1Char('\n'))) {
        if (!line.trimmed().isEmpty())
            lines << line.trimmed();
    }
    return lines;
}

Result<CreatedStudy> runCreate(const QString& studyFilePath, const StudyDefinition& definition,
    const CancelToken& cancel, const ProgressFn& progress)
{
    // The connection belongs to this worker thread: open it here, never share the GUI thread's.
    auto db = StudyDatabase::open(studyFilePath, StudyDatabase::OpenMode::ExistingOnly);
    if (!db)
        return Error { db.error() };
    return createStudy(*db.value(), definition, cancel, progress);
}

} // namespace

StudyEditor::StudyEditor(const QString& studyFilePath, std::vector<PoolImage> pool, QString realSource, QWidget* parent)
    : QDialog(parent)
    , m_studyFilePath(studyFilePath)
    , m_pool(std::move(pool))
    , m_realSource(std::move(realSource))
    , m_scroll(new QScrollArea(this))
    , m_check(new QLabel(this))
    , m_progress(new QProgressBar(this))
    , m_load(new QPushButton(tr("Load JSON…"), this))
    , m_save(new QPushButton(tr("Save JSON…"), this))
    , m_create(new QPushButton(tr("Create study"), this))
    , m_cancel(new QPushButton(tr("Cancel"), this))
    , m_job(new BackgroundJob(this))
{
    setWindowTitle(tr("New study"));

    auto* form = new QWidget;
    m_name = new QLineEdit(form);
    m_name->setPlaceholderText(tr("e.g. DeepArt pilot, 2-way"));
    auto* nameForm = new QFormLayout;
    nameForm->addRow(tr("Study &name:"), m_name);

    auto* left = new QVBoxLayout;
    left->addWidget(buildTrialsGroup());
    left->addWidget(buildTimingGroup());
    left->addStretch(1);
    auto* right = new QVBoxLayout;
    right->addWidget(buildStimuliGroup());
    right->addWidget(buildTextsGroup(), 1); // the text boxes take the height the form has to spare
    auto* columns = new QHBoxLayout;
    columns->addLayout(left, 1);
    columns->addLayout(right, 1);
    auto* formLayout = new QVBoxLayout(form);
    formLayout->addLayout(nameForm);
    formLayout->addLayout(columns, 1);

    m_scroll->setWidget(form);
    m_scroll->setWidgetResizable(true);
    m_scroll->setFrameShape(QFrame::NoFrame);
    m_scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    // Open large enough that the whole form shows without scrolling when the screen allows.
    m_scroll->setMinimumWidth(form->sizeHint().width() + m_scroll->verticalScrollBar()->sizeHint().width());
    m_scroll->setMinimumHeight(std::min(form->sizeHint().height(), 640));

    m_check->setWordWrap(true);
    m_check->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_check->setMinimumHeight(2 * m_check->fontMetrics().lineSpacing());
    m_check->setAlignment(Qt::AlignLeft | Qt::AlignTop);
    QFont checkFont = m_check->font();
    checkFont.setBold(true);
    m_check->setFont(checkFont);
    auto* checkTitle = new QLabel(tr("Design check:"), this);
    checkTitle->setAlignment(Qt::AlignLeft | Qt::AlignTop);
    auto* checkRow = new QHBoxLayout;
    checkRow->addWidget(checkTitle);
    checkRow->addWidget(m_check, 1);

    m_progress->setRange(0, 100);
    m_progress->setVisible(false);

    m_create->setDefault(true);
    for (QPushButton* b : { m_load, m_save, m_cancel })
        b->setAutoDefault(false);
    // File actions on the left, the dialog's outcome on the right.
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(m_load);
    buttons->addWidget(m_save);
    buttons->addStretch(1);
    buttons->addWidget(m_create);
    buttons->addWidget(m_cancel);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_scroll, 1);
    layout->addLayout(checkRow);
    layout->addWidget(m_progress);
    layout->addLayout(buttons);

    m_checkTimer.setSingleShot(true);
    m_checkTimer.setInterval(kCheckDelayMs);
    connect(&m_checkTimer, &QTimer::timeout, this, &StudyEditor::runCheck);
    connect(m_trialType, &QComboBox::currentIndexChanged, this, &StudyEditor::trialTypeChanged);
    connect(m_normaliseFormat, &QComboBox::currentIndexChanged, this, [this] {
        m_normaliseQuality->setEnabled(m_normaliseFormat->currentData().toString() == QLatin1String("jpeg"));
    });
    connect(m_newSeed, &QPushButton::clicked, this, &StudyEditor::newSeed);
    connect(m_load, &QPushButton::clicked, this, &StudyEditor::loadJson);
    connect(m_save, &QPushButton::clicked, this, &StudyEditor::saveJson);
    connect(m_create, &QPushButton::clicked, this, &StudyEditor::startCreate);
    connect(m_cancel, &QPushButton::clicked, this, &StudyEditor::reject);
    connect(m_job, &BackgroundJob::progressed, this, [this](int percent, const QString& what) {
        m_progress->setValue(percent);
        m_progress->setFormat(what.isEmpty() ? QStringLiteral("%p %") : tr("%p % — %1").arg(what));
    });
    connectChanges();

    setDefinition(StudyDefinition());
    m_name->setFocus();
}

StudyEditor::~StudyEditor()
{
    // Wait for a running creation so the study file is closed when the dialog is gone.
    m_job->cancelAndWait();
}

QWidget* StudyEditor::buildTrialsGroup()
{
    auto* group = new QGroupBox(tr("Trials"));
    m_trialType = new QComboBox(group);
    m_trialType->addItem(tr("Name-That-True: pick the real image"), trialTypeName(TrialType::PickReal));
    m_trialType->addItem(tr("Pick the generated image"), trialTypeName(TrialType::PickFake));
    m_trialType->addItem(tr("Real or fake: one image at a time"), trialTypeName(TrialType::RealOrFake));
    m_ways = makeSpin(group, 2, 6, 2, tr(" images"));
    m_matching = new QComboBox(group);
    m_matching->addItem(tr("Same category"), rowMatchingName(RowMatching::Category));
    m_matching->addItem(tr("Same pair key (same prompt or original)"), rowMatchingName(RowMatching::PairKey));
    m_matching->addItem(tr("Any images"), rowMatchingName(RowMatching::None));
    m_trials = makeSpin(group, 1, 10000, 40);
    m_practice = makeSpin(group, 0, 1000, 0);
    m_catchTrials = makeSpin(group, 0, 1000, 0);
    m_catchImages
        = makeTextEdit(group, 3, tr("One pool path per line, e.g. human/gushici-001.png"), QSizePolicy::Preferred);
    m_catchImages->setToolTip(tr("Images for attention checks, as relative paths of the pool, one per line"));

    m_seed = new QLineEdit(group);
    m_seed->setValidator(new QRegularExpressionValidator(QRegularExpression(QStringLiteral("\\d{1,20}")), m_seed));
    m_seed->setToolTip(tr("The same seed gives every participant the same trial list again"));
    m_newSeed = new QPushButton(tr("New seed"), group);
    m_newSeed->setAutoDefault(false);
    auto* seedRow = new QHBoxLayout;
    seedRow->addWidget(m_seed, 1);
    seedRow->addWidget(m_newSeed);

    auto* form = new QFormLayout(group);
    form->addRow(tr("Trial &type:"), m_trialType);
    form->addRow(tr("&Images per trial:"), m_ways);
    form->addRow(tr("Row &matching:"), m_matching);
    form->addRow(tr("Main trials per &participant:"), m_trials);
    form->addRow(tr("P&ractice trials:"), m_practice);
    form->addRow(tr("&Catch trials:"), m_catchTrials);
    form->addRow(tr("Catch ima&ges:"), m_catchImages);
    auto* seedLabel = new QLabel(tr("&Seed:"), group); // a layout row gets no buddy from QFormLayout
    seedLabel->setBuddy(m_seed);
    form->addRow(seedLabel, seedRow);
    return group;
}

QWidget* StudyEditor::buildTimingGroup()
{
    auto* group = new QGroupBox(tr("Timing and feedback"));
    m_breakEvery = makeSpin(group, 0, 10000, 0, tr(" trials"), tr("no breaks"));
    m_deadline = makeSpin(group, 0, 600000, 0, tr(" ms"), tr("none"));
    m_deadline->setSingleStep(100);
    m_minRt = makeSpin(group, 0, 60000, 0, tr(" ms"), tr("none"));
    m_minRt->setSingleStep(50);
    m_minRt->setToolTip(tr("Answers faster than this are flagged as too fast"));
    m_feedback = new QCheckBox(tr("Feedback after main trials (practice always has it)"), group);
    m_confidence = new QCheckBox(tr("Ask for a confidence rating (1–4) after each answer"), group);

    auto* form = new QFormLayout(group);
    form->addRow(tr("&Break every:"), m_breakEvery);
    form->addRow(tr("Response &deadline:"), m_deadline);
    form->addRow(tr("Minimum &response time:"), m_minRt);
    form->addRow(m_feedback);
    form->addRow(m_confidence);
    return group;
}

QWidget* StudyEditor::buildTextsGroup()
{
    auto* group = new QGroupBox(tr("Texts"));
    m_instructions
        = makeTextEdit(group, 5, tr("Shown to the participant before the first trial"), QSizePolicy::Expanding);
    m_consent = makeTextEdit(group, 3, tr("Empty: no consent screen"), QSizePolicy::Expanding);
    auto* form = new QFormLayout(group);
    form->addRow(tr("Instr&uctions:"), m_instructions);
    form->addRow(tr("C&onsent:"), m_consent);
    return group;
}

QWidget* StudyEditor::buildStimuliGroup()
{
    auto* group = new QGroupBox(tr("Stimuli"));
    m_sources = new QListWidget(group);
    m_sources->setToolTip(tr("Sources the trials draw from; the real source is always used"));
    m_categories = new QListWidget(group);
    m_categories->setToolTip(tr("Categories the trials draw from"));
    fillPoolLists();

    m_normalise = new QGroupBox(tr("Normalise stimuli"), group);
    m_normalise->setCheckable(true);
    m_normalise->setChecked(false);
    m_normalise->setToolTip(tr("Re-encode every image to one size, format and quality, so that file properties "
                               "give nothing away"));
    m_normaliseSize = makeSpin(m_normalise, 16, 4096, 512, tr(" px"));
    m_normaliseFormat = new QComboBox(m_normalise);
    m_normaliseFormat->addItem(tr("JPEG"), QStringLiteral("jpeg"));
    m_normaliseFormat->addItem(tr("PNG"), QStringLiteral("png"));
    m_normaliseQuality = makeSpin(m_normalise, 1, 100, 90);
    auto* normaliseForm = new QFormLayout(m_normalise);
    normaliseForm->addRow(tr("Si&ze (square):"), m_normaliseSize);
    normaliseForm->addRow(tr("&Format:"), m_normaliseFormat);
    normaliseForm->addRow(tr("JPEG &quality:"), m_normaliseQuality);

    // Typed colours (#rrggbb) are accepted besides the named ones; the check names a bad one.
    m_background = new QComboBox(group);
    m_background->setEditable(true);
    m_background->addItem(tr("white"), QStringLiteral("white"));
    m_background->addItem(tr("black"), QStringLiteral("black"));
    m_background->addItem(tr("grey"), QStringLiteral("grey"));
    m_background->setToolTip(tr("What transparent pixels show, to people and models alike: white, black, grey or a "
                                "colour as #rrggbb"));

    auto* form = new QFormLayout(group);
    form->addRow(tr("So&urces:"), m_sources);
    form->addRow(tr("Cat&egories:"), m_categories);
    form->addRow(m_normalise);
    form->addRow(tr("Transparency &background:"), m_background);
    return group;
}

void StudyEditor::fillPoolLists()
{
    QStringList sources;
    QStringList categories;
    for (const PoolImage& image : m_pool) {
        if (!sources.contains(image.source))
            sources << image.source;
        if (!categories.contains(image.category))
            categories << image.category;
    }
    sources.sort();
    categories.sort();
    for (const QString& source : std::as_const(sources)) {
        const bool real = source == m_realSource;
        auto* item = new QListWidgetItem(real ? tr("%1 (real)").arg(source) : source, m_sources);
        item->setData(kValueRole, source);
        item->setCheckState(Qt::Checked);
        // The real source is in every study: shown checked, not changeable.
        item->setFlags(real ? Qt::ItemIsUserCheckable : Qt::ItemIsEnabled | Qt::ItemIsUserCheckable);
    }
    for (const QString& category : std::as_const(categories)) {
        auto* item = new QListWidgetItem(category.isEmpty() ? tr("(none)") : category, m_categories);
        item->setData(kValueRole, category);
        item->setCheckState(Qt::Checked);
        item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsUserCheckable);
    }
    fitListHeight(m_sources);
    fitListHeight(m_categories);
}

void StudyEditor::connectChanges()
{
    const auto schedule = [this] { scheduleCheck(); };
    connect(m_name, &QLineEdit::textChanged, this, schedule);
    connect(m_seed, &QLineEdit::textChanged, this, schedule);
    for (QComboBox* combo : { m_trialType, m_matching, m_normaliseFormat })
        connect(combo, &QComboBox::currentIndexChanged, this, schedule);
    for (QSpinBox* spin : { m_ways, m_trials, m_practice, m_catchTrials, m_breakEvery, m_deadline, m_minRt,
             m_normaliseSize, m_normaliseQuality })
        connect(spin, &QSpinBox::valueChanged, this, schedule);
    for (QPlainTextEdit* edit : { m_catchImages, m_instructions, m_consent })
        connect(edit, &QPlainTextEdit::textChanged, this, schedule);
    for (QCheckBox* box : { m_feedback, m_confidence })
        connect(box, &QCheckBox::toggled, this, schedule);
    connect(m_normalise, &QGroupBox::toggled, this, schedule);
    connect(m_background, &QComboBox::currentTextChanged, this, schedule);
    for (QListWidget* list : { m_sources, m_categories })
        connect(list, &QListWidget::itemChanged, this, schedule);
}

StudyDefinition StudyEditor::definition() const
{
    StudyDefinition d;
    d.name = m_name->text().trimmed();
    d.trialType = trialTypeFromName(m_trialType->currentData().toString()).value_or(TrialType::PickReal);
    d.ways = d.trialType == TrialType::RealOrFake ? 1 : m_ways->value();
    d.sources = checkedValues(m_sources);
    d.categories = checkedValues(m_categories);
    d.matching = rowMatchingFromName(m_matching->currentData().toString()).value_or(RowMatching::Category);
    d.trialsPerParticipant = m_trials->value();
    d.practiceTrials = m_practice->value();
    d.catchTrials = m_catchTrials->value();
    d.catchImages = nonEmptyLines(m_catchImages->toPlainText());
    d.breakEvery = m_breakEvery->value();
    d.deadlineMs = m_deadline->value();
    d.minRtMs = m_minRt->value();
    d.feedback = m_feedback->isChecked();
    d.confidence = m_confidence->isChecked();
    d.instructions = m_instructions->toPlainText();
    d.consent = m_consent->toPlainText();
    bool seedOk = false;
    const std::uint64_t seed = m_seed->text().toULongLong(&seedOk);
    if (seedOk)
        d.seed = seed;
    d.normalisation.enabled = m_normalise->isChecked();
    d.normalisation.size = m_normaliseSize->value();
    d.normalisation.format = m_normaliseFormat->currentData().toString();
    d.normalisation.quality = m_normaliseQuality->value();
    if (const auto background = parseBackground(backgroundText()))
        d.background = background.value();
    return d;
}

void StudyEditor::setDefinition(const StudyDefinition& d)
{
    m_name->setText(d.name);
    m_trialType->setCurrentIndex(std::max(0, m_trialType->findData(trialTypeName(d.trialType))));
    trialTypeChanged();
    if (d.trialType != TrialType::RealOrFake)
        m_ways->setValue(d.ways);
    setCheckedValues(m_sources, d.sources, tr("%1 (not in the pool)"));
    setCheckedValues(m_categories, d.categories, tr("%1 (not in the pool)"));
    m_matching->setCurrentIndex(std::max(0, m_matching->findData(rowMatchingName(d.matching))));
    m_trials->setValue(d.trialsPerParticipant);
    m_practice->setValue(d.practiceTrials);
    m_catchTrials->setValue(d.catchTrials);
    m_catchImages->setPlainText(d.catchImages.join(QLatin1Char('\n')));
    m_breakEvery->setValue(d.breakEvery);
    m_deadline->setValue(d.deadlineMs);
    m_minRt->setValue(d.minRtMs);
    m_feedback->setChecked(d.feedback);
    m_confidence->setChecked(d.confidence);
    m_instructions->setPlainText(d.instructions);
    m_consent->setPlainText(d.consent);
    m_seed->setText(QString::number(d.seed));
    m_normalise->setChecked(d.normalisation.enabled);
    m_normaliseSize->setValue(d.normalisation.size);
    const int format = m_normaliseFormat->findData(d.normalisation.format);
    if (format >= 0)
        m_normaliseFormat->setCurrentIndex(format);
    m_normaliseQuality->setValue(d.normalisation.quality);
    const QString background = d.background.name();
    const int named = m_background->findData(background == QLatin1String("#ffffff") ? QStringLiteral("white")
            : background == QLatin1String("#000000")                                ? QStringLiteral("black")
            : background == QLatin1String("#808080")                                ? QStringLiteral("grey")
                                                                                    : background);
    if (named >= 0)
        m_background->setCurrentIndex(named);
    else
        m_background->setEditText(background);
    runCheck();
}

Status StudyEditor::loadDefinitionFile(const QString& path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return Error { tr("%1: cannot read: %2").arg(QDir::toNativeSeparators(path), file.errorString()) };
    const auto parsed = parseStudyDefinition(file.readAll(), QDir::toNativeSeparators(path));
    if (!parsed)
        return Error { parsed.error() };
    setDefinition(parsed.value());
    return {};
}

Status StudyEditor::saveDefinitionFile(const QString& path) const
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return Error { tr("%1: cannot write: %2").arg(QDir::toNativeSeparators(path), file.errorString()) };
    file.write(studyDefinitionToJson(definition()));
    if (!file.commit())
        return Error { tr("%1: cannot write: %2").arg(QDir::toNativeSeparators(path), file.errorString()) };
    return {};
}

QString StudyEditor::checkText() const
{
    return m_check->text();
}

void StudyEditor::scheduleCheck()
{
    m_checkTimer.start();
}

void StudyEditor::runCheck()
{
    m_checkTimer.stop();
    bool seedOk = false;
    m_seed->text().toULongLong(&seedOk);
    if (!seedOk) {
        showCheck(DesignState::Error,
            tr("the seed must be a whole number from 0 to %1").arg(std::numeric_limits<std::uint64_t>::max()));
        return;
    }
    if (const auto background = parseBackground(backgroundText()); !background) {
        showCheck(DesignState::Error, background.error());
        return;
    }
    const StudyDefinition d = definition();
    if (const Status valid = validateStudyDefinition(d); !valid) {
        showCheck(DesignState::Error, valid.error());
        return;
    }
    // Generates participant 0's list: milliseconds even for large pools, so the GUI thread is fine.
    const auto warnings = checkStudyDesign(d, m_pool, m_realSource);
    if (!warnings) {
        showCheck(DesignState::Error, warnings.error());
        return;
    }
    const int total = d.trialsPerParticipant + d.practiceTrials + d.catchTrials;
    QString text = tr("OK: each participant gets %1 trials").arg(total);
    if (d.practiceTrials > 0 || d.catchTrials > 0)
        text += tr(" (%1 main, %2 practice, %3 catch)")
                    .arg(d.trialsPerParticipant)
                    .arg(d.practiceTrials)
                    .arg(d.catchTrials);
    for (const QString& warning : warnings.value())
        text += QLatin1Char('\n') + tr("Warning: %1").arg(warning);
    showCheck(warnings->isEmpty() ? DesignState::Ok : DesignState::Warning, text);
}

void StudyEditor::showCheck(DesignState state, const QString& text)
{
    m_designState = state;
    const QColor colour = state == DesignState::Ok ? kOkColour
        : state == DesignState::Warning            ? kWarningColour
                                                   : kErrorColour;
    showMessage(colour, state == DesignState::Error ? tr("Error: %1").arg(text) : text);
    m_create->setEnabled(state != DesignState::Error && !m_job->isRunning());
}

void StudyEditor::showMessage(const QColor& colour, const QString& text)
{
    QPalette palette = m_check->palette();
    palette.setColor(QPalette::WindowText, colour);
    m_check->setPalette(palette);
    m_check->setText(text);
}

void StudyEditor::trialTypeChanged()
{
    const bool single = m_trialType->currentData().toString() == trialTypeName(TrialType::RealOrFake);
    const bool showingSingle = m_ways->minimum() == 1;
    if (single && !showingSingle) {
        m_pickWays = m_ways->value();
        m_ways->setRange(1, 1);
        m_ways->setEnabled(false);
    } else if (!single && showingSingle) {
        m_ways->setRange(2, 6);
        m_ways->setValue(m_pickWays);
        m_ways->setEnabled(true);
    }
}

QString StudyEditor::backgroundText() const
{
    // A named entry shows its translated name; its data is the name parseBackground reads.
    const int index = m_background->findText(m_background->currentText());
    return index >= 0 ? m_background->itemData(index).toString() : m_background->currentText();
}

void StudyEditor::newSeed()
{
    m_seed->setText(QString::number(QRandomGenerator::system()->generate64()));
}

void StudyEditor::loadJson()
{
    const QString path = QFileDialog::getOpenFileName(
        this, tr("Load study definition"), QString(), tr("Study definitions (*.json);;All files (*)"));
    if (path.isEmpty())
        return;
    if (const Status loaded = loadDefinitionFile(path); !loaded)
        showMessage(kErrorColour, tr("Load failed: %1").arg(loaded.error()));
}

void StudyEditor::saveJson()
{
    const QString suggested = m_name->text().trimmed().isEmpty() ? QStringLiteral("study.json")
                                                                 : m_name->text().trimmed() + QStringLiteral(".json");
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Save study definition"), suggested, tr("Study definitions (*.json);;All files (*)"));
    if (path.isEmpty())
        return;
    if (const Status saved = saveDefinitionFile(path); !saved)
        showMessage(kErrorColour, tr("Save failed: %1").arg(saved.error()));
}

void StudyEditor::startCreate()
{
    if (m_job->isRunning())
        return;
    runCheck(); // a change made within the debounce delay is checked before anything is stored
    if (m_designState == DesignState::Error)
        return;
    setBusy(true);
    m_cancelRequested = false;
    const QString path = m_studyFilePath;
    const StudyDefinition d = definition();
    m_job->start<CreatedStudy>([path, d](const CancelToken& cancel,
                                   const ProgressFn& progress) { return runCreate(path, d, cancel, progress); },
        [this](Result<CreatedStudy> result) {
            const bool cancelled = m_cancelRequested;
            setBusy(false);
            if (!result) {
                showCheck(DesignState::Error,
                    cancelled ? tr("study creation cancelled: %1").arg(result.error()) : result.error());
                // The design may be fine; let the user retry once the cause (disk, file) is fixed.
                m_create->setEnabled(true);
                return;
            }
            Q_EMIT studyCreated(result->study.id);
            accept();
        });
}

void StudyEditor::setBusy(bool busy)
{
    m_scroll->setEnabled(!busy);
    m_load->setEnabled(!busy);
    m_save->setEnabled(!busy);
    m_create->setEnabled(!busy && m_designState != DesignState::Error);
    m_cancel->setEnabled(true);
    m_progress->setValue(0);
    m_progress->setVisible(busy && m_normalise->isChecked());
    if (busy)
        showMessage(palette().color(QPalette::WindowText), tr("Creating the study…"));
}

void StudyEditor::reject()
{
    if (m_job->isRunning()) {
        m_cancelRequested = true;
        m_job->cancel();
        m_cancel->setEnabled(false);
        return;
    }
    QDialog::reject();
}

} // namespace ntt
