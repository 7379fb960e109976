#include "dashboard.h"

#include "backgroundjob.h"
#include "dashboard_p.h"
#include "qcustomplot_wrapper.h"
#include "studydatabase.h"
#include "studyfile.h"

#include <QCheckBox>
#include <QDialog>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QMenu>
#include <QMessageBox>
#include <QPushButton>
#include <QRegularExpression>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QSvgGenerator>
#include <QTabWidget>
#include <QTimer>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace ntt {

using namespace dashboarddetail;

namespace {

constexpr int kPlotCount = 14;
constexpr int kRefreshDelayMs = 750;

struct Loaded
{
    StudyAnalysis analysis;
    bool switchedToSimulated = false;
};

} // namespace

Dashboard::Dashboard(QWidget* parent)
    : QWidget(parent)
    , m_analysis(std::make_unique<StudyAnalysis>())
    , m_includeSimulated(new QCheckBox(tr("Include &simulated participants"), this))
    , m_catchExclusion(new QSpinBox(this))
    , m_summary(new QLabel(this))
    , m_simulatedNote(new QLabel(this))
    , m_status(new QLabel(this))
    , m_export(new QPushButton(tr("&Export plot…"), this))
    , m_tabs(new QTabWidget(this))
    , m_job(new BackgroundJob(this))
    , m_attentionJob(new BackgroundJob(this))
    , m_compareMarks(new QPushButton(tr("Compare marks &with the models' maps"), this))
    , m_refreshTimer(new QTimer(this))
{
    m_includeSimulated->setToolTip(
        tr("Scripted sessions (pilots, the demo) are left out of analyses unless this is ticked."));
    m_catchExclusion->setRange(0, 100);
    m_catchExclusion->setSuffix(tr(" %"));
    m_catchExclusion->setSpecialValueText(tr("off"));
    m_catchExclusion->setToolTip(
        tr("Participants who answered fewer catch trials correctly than this share are left out and listed."));
    auto* catchLabel = new QLabel(tr("E&xclude participants below this catch-trial accuracy:"), this);
    catchLabel->setBuddy(m_catchExclusion);

    m_summary->setWordWrap(true);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_simulatedNote->setText(tr("The data shown are simulated: scripted sessions of a pilot or the demo, "
                                "not answers of real people."));
    m_simulatedNote->setWordWrap(true);
    m_simulatedNote->setStyleSheet(
        QStringLiteral("QLabel { background: #fff3cd; color: #664d03; padding: 4px; font-weight: bold; }"));
    m_simulatedNote->setVisible(false);

    auto* controls = new QHBoxLayout;
    controls->addWidget(m_includeSimulated);
    controls->addSpacing(16);
    controls->addWidget(catchLabel);
    controls->addWidget(m_catchExclusion);
    controls->addStretch(1);
    controls->addWidget(m_status);
    controls->addWidget(m_compareMarks);
    controls->addWidget(m_export);

    m_plots.resize(kPlotCount);
    m_groups.resize(kPlotCount);
    m_series.resize(kPlotCount);
    const QStringList tabNames = { tr("&Categories"), tr("S&ources"), tr("&Images"), tr("Error c&onsistency"),
        tr("&Response times"), tr("Trial &position"), tr("Con&fusion"), tr("Generator p&airs"), tr("Pair a&greement"),
        tr("ROC c&urves"), tr("Calibra&tion"), tr("&Brief exposure"), tr("&Marks vs models"), tr("Sig&nal detection") };
    for (int i = 0; i < kPlotCount; ++i) {
        const auto p = static_cast<Plot>(i);
        auto* plot = new QCustomPlot(m_tabs);
        plot->setInteractions(QCP::iSelectPlottables);
        plot->plotLayout()->insertRow(0);
        plot->plotLayout()->addElement(0, 0, new QCPTextElement(plot, QString()));
        // The legend goes below the axes, in rows, so that it never hides bars.
        plot->legend->setVisible(true);
        plot->axisRect()->insetLayout()->take(plot->legend);
        plot->plotLayout()->addElement(2, 0, plot->legend);
        plot->plotLayout()->setRowStretchFactor(2, 0.001);
        plot->legend->setFillOrder(QCPLayoutGrid::foColumnsFirst);
        plot->legend->setWrap(3);
        plot->legend->setBorderPen(Qt::NoPen);
        plot->setContextMenuPolicy(Qt::CustomContextMenu);
        connect(plot, &QCustomPlot::plottableClick, this,
            [this, p](QCPAbstractPlottable* plottable, int dataIndex, QMouseEvent*) {
                plottableClicked(p, plottable, dataIndex);
            });
        connect(plot, &QWidget::customContextMenuRequested, this, [this, p, plot](const QPoint& pos) {
            QMenu menu(this);
            menu.addAction(tr("Export plot…"), this, [this, p] { exportDialog(p); });
            menu.exec(plot->mapToGlobal(pos));
        });
        if (p == Plot::Calibration) {
            // Two axes side by side: people's confidence levels on the left, models' P(real) on the right.
            auto* pair = new QCPLayoutGrid;
            QCPAxisRect* people = plot->axisRect();
            plot->plotLayout()->take(people);
            plot->plotLayout()->addElement(1, 0, pair);
            pair->addElement(0, 0, people);
            pair->addElement(0, 1, new QCPAxisRect(plot));
        }
        m_plots[std::size_t(i)] = plot;
        m_tabs->addTab(plot, tabNames.at(i));
    }

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(controls);
    layout->addWidget(m_simulatedNote);
    layout->addWidget(m_summary);
    layout->addWidget(m_tabs, 1);

    m_refreshTimer->setSingleShot(true);
    m_refreshTimer->setInterval(kRefreshDelayMs);
    connect(m_refreshTimer, &QTimer::timeout, this, &Dashboard::reload);
    connect(m_includeSimulated, &QCheckBox::toggled, this, [this] {
        m_simulatedChosen = true;
        controlsChanged();
    });
    connect(m_catchExclusion, &QSpinBox::valueChanged, this, [this] { scheduleRefresh(); });
    connect(m_export, &QPushButton::clicked, this, [this] { exportDialog(static_cast<Plot>(m_tabs->currentIndex())); });
    m_compareMarks->setToolTip(tr("Makes each model's Grad-CAM map of every image people marked (kept in the study "
                                  "file for next time) and compares it with people's marks, per category and source. "
                                  "The same as ntt export --what attention-groups."));
    m_compareMarks->setEnabled(false);
    connect(m_compareMarks, &QPushButton::clicked, this, &Dashboard::compareMarks);

    setAnalysis(StudyAnalysis {});
}

Dashboard::~Dashboard()
{
    // The worker holds no pointer to the dashboard, but let it close its connection first.
    m_job->cancelAndWait();
}

void Dashboard::setStudy(const QString& studyFilePath, qint64 studyId)
{
    if (studyFilePath == m_studyFilePath && studyId == m_studyId) {
        reload();
        return;
    }
    m_studyFilePath = studyFilePath;
    m_studyId = studyId;
    ++m_generation; // a load of the previous study still under way is dropped
    m_attentionJob->cancel();
    m_attentionGroups.clear();
    m_attentionError.clear();
    m_simulatedChosen = false;
    {
        const QSignalBlocker blocker(m_includeSimulated);
        m_includeSimulated->setChecked(false);
    }
    reload();
}

void Dashboard::scheduleRefresh()
{
    m_refreshTimer->start();
}

bool Dashboard::isLoading() const
{
    return m_job->isRunning();
}

AnalysisOptions Dashboard::options() const
{
    AnalysisOptions o;
    o.filter.includeSimulated = m_includeSimulated->isChecked();
    o.catchExclusionBelow = m_catchExclusion->value() / 100.0;
    return o;
}

void Dashboard::controlsChanged()
{
    reload();
}

void Dashboard::reload()
{
    m_refreshTimer->stop();
    if (m_job->isRunning()) {
        // One load at a time: the latest request runs when this one is done.
        m_reloadPending = true;
        return;
    }
    m_loadError.clear();
    if (m_studyFilePath.isEmpty() || m_studyId <= 0) {
        setAnalysis(StudyAnalysis {});
        return;
    }
    const QString path = m_studyFilePath;
    const qint64 studyId = m_studyId;
    const AnalysisOptions opts = options();
    const bool trySimulated = !m_simulatedChosen && !opts.filter.includeSimulated;
    const quint64 generation = m_generation;
    m_status->setText(tr("Updating…"));
    m_job->start<Loaded>(
        [path, studyId, opts, trySimulated](const CancelToken&, const ProgressFn&) -> Result<Loaded> {
            // A connection belongs to the thread that opened it: this worker opens its own.
            auto db = StudyDatabase::open(path, StudyDatabase::OpenMode::ExistingOnly);
            if (!db)
                return Error { db.error() };
            auto a = analyseStudy(*db.value(), studyId, opts);
            if (!a)
                return Error { a.error() };
            Loaded loaded { std::move(a).value(), false };
            // A study with only simulated sessions (a pilot, the demo) opens with them shown.
            if (trySimulated && loaded.analysis.analysis.participants.empty()) {
                AnalysisOptions withSimulated = opts;
                withSimulated.filter.includeSimulated = true;
                auto s = analyseStudy(*db.value(), studyId, withSimulated);
                if (s && !s->analysis.participants.empty())
                    loaded = Loaded { std::move(s).value(), true };
            }
            return loaded;
        },
        [this, generation](Result<Loaded> result) {
            if (!result) {
                loadFinished(Error { result.error() }, false, generation);
                return;
            }
            const bool switched = result->switchedToSimulated;
            loadFinished(std::move(result->analysis), switched, generation);
        });
}

void Dashboard::loadFinished(Result<StudyAnalysis> result, bool switchedToSimulated, quint64 generation)
{
    m_status->clear();
    if (generation == m_generation) {
        if (!result) {
            m_loadError = result.error();
            setAnalysis(StudyAnalysis {});
        } else {
            if (switchedToSimulated && !m_simulatedChosen) {
                const QSignalBlocker blocker(m_includeSimulated);
                m_includeSimulated->setChecked(true);
            }
            setAnalysis(std::move(result).value());
        }
    }
    if (m_reloadPending) {
        m_reloadPending = false;
        reload();
    }
}

QCustomPlot* Dashboard::plot(Plot p) const
{
    return m_plots.at(std::size_t(indexOf(p)));
}

QStringList Dashboard::groups(Plot p) const
{
    return m_groups.at(std::size_t(indexOf(p)));
}

QString Dashboard::summaryText() const
{
    return m_summary->text();
}

QString Dashboard::plotTitle(Plot p) const
{
    switch (p) {
    case Plot::Categories:
        return tr("Accuracy per category: people versus models");
    case Plot::Sources:
        return tr("Accuracy per source (generator): people versus models");
    case Plot::Images:
        return tr("Per image: people's share correct against each model's P(real)");
    case Plot::Consistency:
        return tr("Error consistency with people per category (Cohen's κ)");
    case Plot::ResponseTimes:
        return tr("People's response times, correct versus wrong answers");
    case Plot::Position:
        return tr("Accuracy along the trial position (learning or fatigue)");
    case Plot::Confusion:
        return tr("Which source or category: answers given (columns) for each right answer (rows)");
    case Plot::Pairs:
        return tr("Accuracy per pair of generators: people versus models");
    case Plot::PairAgreement:
        return tr("Per pair of generators: people's accuracy against each model's (Spearman's ρ)");
    case Plot::Roc:
        return tr("Real or fake: people's ROC from their confidence ratings, each model's from P(real)");
    case Plot::Calibration:
        return tr("How sure against how right: people per confidence level, each model's P(real)");
    case Plot::Exposure:
        return tr("Brief exposure: people's accuracy by how long they saw the image, models with no time limit");
    case Plot::Attention:
        return tr("Where people looked against where each model looked: their marks in the model's top 20 %");
    case Plot::SignalDetection:
        return tr("Real or fake: sensitivity d′ of people and models, over all trials, per category and per generator");
    }
    return {};
}

void Dashboard::setAnalysis(const StudyAnalysis& analysis)
{
    *m_analysis = analysis;
    drawAccuracy(Plot::Categories, m_analysis->analysis.byCategory, tr("Category"));
    drawAccuracy(Plot::Sources, m_analysis->analysis.bySource, tr("Source (generator tested)"));
    drawImages();
    drawConsistency();
    drawResponseTimes();
    drawPosition();
    drawConfusion();
    drawAccuracy(Plot::Pairs, m_analysis->analysis.byPair, tr("Pair of generators"));
    drawPairAgreement();
    drawRoc();
    drawCalibration();
    drawExposure();
    drawAttention();
    drawSignalDetection();
    m_compareMarks->setEnabled(
        !m_studyFilePath.isEmpty() && m_analysis->study.definition.marks.points > 0 && !m_attentionJob->isRunning());
    updateSummary();
    Q_EMIT refreshed();
}

void Dashboard::updateSummary()
{
    const StudyAnalysis& s = *m_analysis;
    const Analysis& a = s.analysis;
    if (!m_loadError.isEmpty()) {
        m_summary->setText(tr("<span style=\"color:#b00020\">Could not load the analysis: %1</span>")
                               .arg(m_loadError.toHtmlEscaped()));
        m_simulatedNote->setVisible(false);
        return;
    }
    if (m_studyFilePath.isEmpty() && s.study.id == 0 && a.participants.empty()) {
        m_summary->setText(tr("No study open."));
        m_simulatedNote->setVisible(false);
        return;
    }
    int included = 0;
    int simulated = 0;
    QStringList excluded;
    for (const ParticipantSummary& p : a.participants) {
        if (p.excluded) {
            excluded << tr("%1 (%2)").arg(p.code.toHtmlEscaped(), p.exclusionReason.toHtmlEscaped());
            continue;
        }
        ++included;
        simulated += p.simulated ? 1 : 0;
    }
    QStringList parts;
    if (!s.study.definition.name.isEmpty())
        parts << tr("<b>%1</b>").arg(s.study.definition.name.toHtmlEscaped());
    parts << (simulated > 0 ? tr("%n participant(s), %1 simulated", nullptr, included).arg(simulated)
                            : tr("%n participant(s)", nullptr, included));
    parts << tr("%n trial(s) analysed", nullptr, a.peopleTrials);
    parts << (a.models.isEmpty() ? tr("no model answers yet")
                                 : tr("models: %1 (%n answer(s))", nullptr, a.modelTrials)
                                       .arg(a.models.join(QStringLiteral(", ")).toHtmlEscaped()));
    if (const AccuracyCell* all = Analysis::find(a.overall, peopleAgent(), QStringLiteral("all")))
        parts << tr("people %1 % correct (chance %2 %)")
                     .arg(100.0 * all->accuracy.estimate, 0, 'f', 1)
                     .arg(100.0 * all->chance, 0, 'f', 0);
    QString text = parts.join(QStringLiteral(" · "));
    if (!excluded.isEmpty())
        text += QStringLiteral("<br>") + tr("Excluded: %1").arg(excluded.join(QStringLiteral("; ")));
    m_summary->setText(text);
    m_simulatedNote->setVisible(m_includeSimulated->isChecked() && included > 0 && simulated == included);
}

QList<qint64> Dashboard::imagesBehind(Plot p, int index, const QString& model) const
{
    QList<qint64> ids;
    if (p == Plot::Images) {
        for (const auto& series : m_series[std::size_t(indexOf(p))]) {
            if ((model.isEmpty() || series->agent == model) && index >= 0
                && std::size_t(index) < series->imageIds.size()) {
                ids << series->imageIds[std::size_t(index)];
                break;
            }
            if (model.isEmpty())
                break;
        }
        return ids;
    }
    if (p != Plot::Categories && p != Plot::Sources && p != Plot::Consistency)
        return ids;
    const QStringList& groups = m_groups[std::size_t(indexOf(p))];
    if (index < 0 || index >= groups.size())
        return ids;
    const QString& group = groups.at(index);
    const bool all = p == Plot::Consistency && group == QLatin1String("all");
    for (const PoolImage& image : m_analysis->images) {
        if (all || (p == Plot::Sources ? image.source : image.category) == group)
            ids << image.id;
    }
    return ids;
}

void Dashboard::plottableClicked(Plot p, QCPAbstractPlottable* plottable, int dataIndex)
{
    const auto& list = m_series[std::size_t(indexOf(p))];
    const auto it
        = std::find_if(list.begin(), list.end(), [plottable](const auto& s) { return s->plottable == plottable; });
    if (it == list.end() || dataIndex < 0)
        return;
    const Series& series = **it;
    if (p == Plot::Images) {
        const QList<qint64> ids = imagesBehind(p, dataIndex, series.agent);
        if (ids.isEmpty())
            return;
        const ImageHumanResult human = m_analysis->people.value(ids.front());
        const float pReal = m_analysis->pRealByModel.value(series.agent).value(ids.front());
        Q_EMIT imagesSelected(ids,
            tr("Image #%1 — people %2 % (n = %3), %4 P(real) %5")
                .arg(ids.front())
                .arg(percentText(human.shareCorrect()))
                .arg(human.trials)
                .arg(series.agent)
                .arg(double(pReal), 0, 'f', 2));
        return;
    }
    auto* bars = qobject_cast<QCPBars*>(plottable);
    if (!bars || dataIndex >= bars->dataCount())
        return;
    const int group = qRound(bars->data()->at(dataIndex)->key) - 1;
    const QList<qint64> ids = imagesBehind(p, group, series.agent);
    const QStringList& groups = m_groups[std::size_t(indexOf(p))];
    if (group < 0 || group >= groups.size())
        return;
    const QString& name = groups.at(group);
    QString title;
    if (p == Plot::Consistency) {
        title = tr("Category %1 — error consistency of %2 with people: κ = %3")
                    .arg(name == QLatin1String("all") ? tr("all") : name, series.agent)
                    .arg(bars->data()->at(dataIndex)->value, 0, 'f', 2);
    } else {
        const auto& cells = p == Plot::Categories ? m_analysis->analysis.byCategory : m_analysis->analysis.bySource;
        const AccuracyCell* c = Analysis::find(cells, series.agent, name);
        const QString what = p == Plot::Categories ? tr("Category %1").arg(name) : tr("Source %1").arg(name);
        title = c ? tr("%1 — %2 %3 % (n = %4)")
                        .arg(what, series.agent, percentText(c->accuracy.estimate))
                        .arg(c->accuracy.trials)
                  : what;
    }
    Q_EMIT imagesSelected(ids, title);
}

Status Dashboard::exportPlot(Plot p, const QString& path, int width, int height, double scale)
{
    QCustomPlot* plot = this->plot(p);
    if (width <= 0 || height <= 0 || scale <= 0)
        return Error {
            tr("Cannot export the plot to %1: the size %2 x %3 is not valid").arg(path).arg(width).arg(height)
        };
    const QString suffix = QFileInfo(path).suffix().toLower();
    bool written = false;
    if (suffix == QLatin1String("png")) {
        written = plot->savePng(path, width, height, scale, -1, qRound(96 * scale));
    } else if (suffix == QLatin1String("pdf")) {
        written
            = plot->savePdf(path, width, height, QCP::epAllowCosmetic, QStringLiteral("NameThatTrue"), plotTitle(p));
    } else if (suffix == QLatin1String("svg")) {
        QSvgGenerator generator;
        generator.setFileName(path);
        generator.setSize(QSize(width, height));
        generator.setViewBox(QRect(0, 0, width, height));
        generator.setTitle(plotTitle(p));
        generator.setDescription(tr("Exported by NameThatTrue"));
        QCPPainter painter;
        if (painter.begin(&generator)) {
            plot->toPainter(&painter, width, height);
            written = painter.end();
        }
    } else {
        return Error { tr("Cannot export the plot to %1: unknown file type \"%2\" (use .png, .pdf or .svg)")
                           .arg(path, suffix.isEmpty() ? tr("no suffix") : QStringLiteral(".") + suffix) };
    }
    if (!written || QFileInfo(path).size() <= 0)
        return Error { tr("Cannot write the plot to %1").arg(path) };
    return {};
}

QString Dashboard::plotFileName(Plot p)
{
    static const QStringList names = { QStringLiteral("categories"), QStringLiteral("sources"),
        QStringLiteral("images"), QStringLiteral("consistency"), QStringLiteral("response-times"),
        QStringLiteral("position"), QStringLiteral("confusion"), QStringLiteral("generator-pairs"),
        QStringLiteral("pair-agreement"), QStringLiteral("roc"), QStringLiteral("calibration"),
        QStringLiteral("exposure"), QStringLiteral("marks-vs-models"), QStringLiteral("signal-detection") };
    static_assert(kPlotCount == 14, "a file name for every plot");
    return names.value(indexOf(p), QStringLiteral("plot"));
}

void Dashboard::compareMarks()
{
    if (m_studyFilePath.isEmpty() || m_studyId <= 0)
        return;
    const QString path = m_studyFilePath;
    const qint64 studyId = m_studyId;
    const AnswerFilter filter = options().filter;
    const quint64 generation = m_generation;
    m_compareMarks->setEnabled(false);
    m_attentionError.clear();
    m_status->setText(tr("Making the models' maps of the marked images…"));
    m_attentionJob->start<std::vector<AttentionGroup>>(
        [path, studyId, filter](
            const CancelToken& cancel, const ProgressFn& progress) -> Result<std::vector<AttentionGroup>> {
            auto db = StudyDatabase::open(path, StudyDatabase::OpenMode::ExistingOnly);
            if (!db)
                return Error { db.error() };
            const auto rows = attentionAgreement(*db.value(), studyId, filter, CamOptions {}, cancel, progress);
            if (!rows)
                return Error { rows.error() };
            return summariseAttention(rows.value());
        },
        [this, generation](Result<std::vector<AttentionGroup>> result) {
            m_status->clear();
            m_compareMarks->setEnabled(true);
            if (generation != m_generation)
                return; // another study since
            m_attentionError = result ? QString() : result.error();
            m_attentionGroups = result ? std::move(result).value() : std::vector<AttentionGroup>();
            drawAttention();
            m_tabs->setCurrentWidget(plot(Plot::Attention));
            Q_EMIT marksCompared(m_attentionError);
        });
}

void Dashboard::exportDialog(Plot p)
{
    QString selectedFilter;
    QString path = QFileDialog::getSaveFileName(this, tr("Export plot"), QStringLiteral("%1.png").arg(plotFileName(p)),
        tr("PNG image (*.png);;PDF document (*.pdf);;SVG drawing (*.svg)"), &selectedFilter);
    if (path.isEmpty())
        return;
    if (QFileInfo(path).suffix().isEmpty()) {
        static const QRegularExpression pattern(QStringLiteral("\\*\\.(\\w+)"));
        const auto m = pattern.match(selectedFilter);
        path += QStringLiteral(".") + (m.hasMatch() ? m.captured(1) : QStringLiteral("png"));
    }

    QDialog dialog(this);
    dialog.setWindowTitle(tr("Plot size"));
    auto* width = new QSpinBox(&dialog);
    width->setRange(200, 20000);
    width->setValue(1200);
    width->setSuffix(tr(" px"));
    auto* height = new QSpinBox(&dialog);
    height->setRange(150, 20000);
    height->setValue(750);
    height->setSuffix(tr(" px"));
    auto* scale = new QDoubleSpinBox(&dialog);
    scale->setRange(0.5, 8.0);
    scale->setSingleStep(0.5);
    scale->setValue(2.0);
    scale->setToolTip(tr("PNG only: pixels per unit of size (2 = twice the resolution, 192 dpi)."));
    auto* form = new QFormLayout(&dialog);
    form->addRow(tr("&Width:"), width);
    form->addRow(tr("&Height:"), height);
    form->addRow(tr("PNG &resolution scale:"), scale);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, &dialog);
    form->addRow(buttons);
    connect(buttons, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    if (dialog.exec() != QDialog::Accepted)
        return;
    const Status s = exportPlot(p, path, width->value(), height->value(), scale->value());
    if (!s)
        QMessageBox::warning(this, tr("Export plot"), s.error());
}

} // namespace ntt
