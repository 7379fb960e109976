#include "dashboard.h"

#include "backgroundjob.h"
#include "qcustomplot_wrapper.h"
#include "studydatabase.h"

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

namespace {

constexpr int kPlotCount = 6;
constexpr int kRefreshDelayMs = 750;

int indexOf(Dashboard::Plot p)
{
    return static_cast<int>(p);
}

/// Okabe-Ito: black for the pooled people, the seven colours for models in turn.
QColor agentColour(int agentIndex)
{
    static const char* const models[] = { "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7" };
    if (agentIndex <= 0)
        return QColor(QStringLiteral("#000000"));
    return QColor(QLatin1String(models[(agentIndex - 1) % 7]));
}

/// People's bars are dark grey rather than black so that their black interval whiskers stay visible.
QColor barColour(int agentIndex)
{
    return agentIndex == 0 ? QColor(QStringLiteral("#6E6E6E")) : agentColour(agentIndex);
}

QString percentText(double share)
{
    return QStringLiteral("%1").arg(100.0 * share, 0, 'f', 0);
}

/// "trials 001-080" -> "1–80" for the axis.
QString positionLabel(const QString& group)
{
    static const QRegularExpression bin(QStringLiteral("^trials (\\d+)-(\\d+)$"));
    const auto m = bin.match(group);
    if (!m.hasMatch())
        return group;
    return QStringLiteral("%1–%2").arg(m.captured(1).toInt()).arg(m.captured(2).toInt());
}

/// A round bin width (1, 2 or 5 times a power of ten) giving about `bins` bins over `range`.
double niceBinWidth(double range, int bins)
{
    const double rough = std::max(range / bins, 1.0);
    const double magnitude = std::pow(10.0, std::floor(std::log10(rough)));
    for (const double step : { 1.0, 2.0, 5.0 }) {
        if (step * magnitude >= rough)
            return step * magnitude;
    }
    return 10.0 * magnitude;
}

/// The agents of accuracy cells: the pooled people first (when present), then the models in order.
QStringList agentsOf(const std::vector<AccuracyCell>& cells, const QStringList& models)
{
    QStringList agents;
    for (const AccuracyCell& c : cells) {
        if (c.agent == peopleAgent() && !c.isModel) {
            agents << peopleAgent();
            break;
        }
    }
    for (const QString& m : models) {
        if (std::any_of(cells.begin(), cells.end(), [&](const AccuracyCell& c) { return c.agent == m && c.isModel; }))
            agents << m;
    }
    return agents;
}

struct Loaded
{
    StudyAnalysis analysis;
    bool switchedToSimulated = false;
};

} // namespace

struct Dashboard::Series
{
    QCPAbstractPlottable* plottable = nullptr;
    QString agent;
    int agentIndex = 0;
    std::vector<qint64> imageIds; ///< Images: the image of each data point, in data order
};

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
    controls->addWidget(m_export);

    m_plots.resize(kPlotCount);
    m_groups.resize(kPlotCount);
    m_series.resize(kPlotCount);
    const QStringList tabNames = { tr("&Categories"), tr("S&ources"), tr("&Images"), tr("Error c&onsistency"),
        tr("&Response times"), tr("Trial &position") };
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
    updateSummary();
    Q_EMIT refreshed();
}

void Dashboard::resetPlot(Plot p, const QString& title)
{
    QCustomPlot* plot = this->plot(p);
    m_series[std::size_t(indexOf(p))].clear();
    m_groups[std::size_t(indexOf(p))].clear();
    plot->clearPlottables();
    plot->clearItems();
    // Bar groups are children of the plot, not plottables.
    qDeleteAll(plot->findChildren<QCPBarsGroup*>(QString(), Qt::FindDirectChildrenOnly));

    // Fonts from the widget's, so that the plots follow the desktop's size and scaling.
    QFont base = font();
    QFont titleFont = base;
    titleFont.setBold(true);
    titleFont.setPointSizeF(base.pointSizeF() > 0 ? base.pointSizeF() * 1.2 : 12.0);
    if (auto* t = qobject_cast<QCPTextElement*>(plot->plotLayout()->element(0, 0))) {
        t->setText(title);
        t->setFont(titleFont);
    }
    for (QCPAxis* axis : { plot->xAxis, plot->yAxis }) {
        axis->setVisible(true);
        axis->setLabelFont(base);
        axis->setTickLabelFont(base);
        axis->setTickLabelRotation(0);
        axis->setTicker(QSharedPointer<QCPAxisTicker>(new QCPAxisTicker));
        axis->grid()->setVisible(true);
    }
    plot->xAxis->grid()->setVisible(false);
    plot->legend->setFont(base);
    plot->legend->setVisible(true);
}

void Dashboard::showEmpty(Plot p, const QString& text)
{
    QCustomPlot* plot = this->plot(p);
    plot->xAxis->setVisible(false);
    plot->yAxis->setVisible(false);
    plot->xAxis->grid()->setVisible(false);
    plot->yAxis->grid()->setVisible(false);
    plot->legend->setVisible(false);
    auto* item = new QCPItemText(plot);
    item->position->setType(QCPItemPosition::ptAxisRectRatio);
    item->position->setCoords(0.5, 0.5);
    item->setPositionAlignment(Qt::AlignCenter);
    QFont f = font();
    f.setPointSizeF(f.pointSizeF() > 0 ? f.pointSizeF() * 1.5 : 14.0);
    item->setFont(f);
    item->setColor(QColor(QStringLiteral("#555555")));
    item->setText(text);
    finishPlot(p);
}

void Dashboard::finishPlot(Plot p)
{
    QCustomPlot* plot = this->plot(p);
    plot->legend->setVisible(plot->legend->visible() && plot->legend->itemCount() > 0);
    plot->replot();
}

void Dashboard::drawAccuracy(Plot p, const std::vector<AccuracyCell>& cells, const QString& what)
{
    resetPlot(p, plotTitle(p));
    QCustomPlot* plot = this->plot(p);
    QStringList groups;
    for (const AccuracyCell& c : cells) {
        if (!c.isParticipant && c.accuracy.trials > 0 && !groups.contains(c.group))
            groups << c.group;
    }
    std::sort(groups.begin(), groups.end());
    m_groups[std::size_t(indexOf(p))] = groups;
    if (groups.isEmpty()) {
        showEmpty(p, m_loadError.isEmpty() ? tr("No answers yet") : tr("Could not load the answers"));
        return;
    }
    const QStringList agents = agentsOf(cells, m_analysis->analysis.models);
    auto* barsGroup = new QCPBarsGroup(plot);
    barsGroup->setSpacingType(QCPBarsGroup::stAbsolute);
    barsGroup->setSpacing(2);
    const double width = 0.8 / std::max<qsizetype>(1, agents.size());
    bool wilsonInLegend = false;
    for (int a = 0; a < agents.size(); ++a) {
        const QString& agent = agents.at(a);
        const bool people = agent == peopleAgent();
        const int agentIndex = people ? 0 : int(m_analysis->analysis.models.indexOf(agent)) + 1;
        QVector<double> keys, values, minus, plus, bootMinus, bootPlus;
        for (int g = 0; g < groups.size(); ++g) {
            const AccuracyCell* c = Analysis::find(cells, agent, groups.at(g));
            if (!c || c->accuracy.trials == 0)
                continue;
            keys << g + 1;
            values << 100.0 * c->accuracy.estimate;
            minus << 100.0 * (c->accuracy.estimate - c->accuracy.low);
            plus << 100.0 * (c->accuracy.high - c->accuracy.estimate);
            const bool bootOk = std::isfinite(c->bootstrap.low) && std::isfinite(c->bootstrap.high);
            bootMinus << (bootOk ? 100.0 * std::max(0.0, c->accuracy.estimate - c->bootstrap.low) : 0.0);
            bootPlus << (bootOk ? 100.0 * std::max(0.0, c->bootstrap.high - c->accuracy.estimate) : 0.0);
        }
        auto* bars = new QCPBars(plot->xAxis, plot->yAxis);
        bars->setName(
            people ? tr("people (%n participant(s))", nullptr,
                int(std::count_if(m_analysis->analysis.participants.begin(), m_analysis->analysis.participants.end(),
                    [](const ParticipantSummary& s) { return !s.excluded && s.trials > 0; })))
                   : agent);
        bars->setWidth(width);
        bars->setBarsGroup(barsGroup);
        bars->setPen(QPen(barColour(agentIndex).darker(130), 1));
        bars->setBrush(barColour(agentIndex));
        bars->setSelectable(QCP::stSingleData);
        bars->setData(keys, values, true);
        auto series = std::make_unique<Series>();
        series->plottable = bars;
        series->agent = agent;
        series->agentIndex = agentIndex;
        m_series[std::size_t(indexOf(p))].push_back(std::move(series));

        if (people) {
            // The participant-level bootstrap: a wide light-grey band behind the thin Wilson whiskers.
            auto* boot = new QCPErrorBars(plot->xAxis, plot->yAxis);
            boot->setName(tr("people: participant bootstrap 95 % interval"));
            boot->setDataPlottable(bars);
            boot->setData(bootMinus, bootPlus);
            boot->setPen(QPen(QColor(QStringLiteral("#BBBBBB")), 7, Qt::SolidLine, Qt::FlatCap));
            boot->setWhiskerWidth(0);
            boot->setSymbolGap(0);
            boot->setSelectable(QCP::stNone);
        }
        auto* wilson = new QCPErrorBars(plot->xAxis, plot->yAxis);
        wilson->setName(tr("Wilson 95 % interval"));
        wilson->setDataPlottable(bars);
        wilson->setData(minus, plus);
        wilson->setPen(QPen(Qt::black, 1.2));
        wilson->setWhiskerWidth(6);
        wilson->setSymbolGap(0);
        wilson->setSelectable(QCP::stNone);
        if (wilsonInLegend)
            wilson->removeFromLegend();
        wilsonInLegend = true;
    }
    // Chance (1/N) per group, from the people's trials (a model's where people have none): one line
    // across the plot when the study has one N, else a segment per group.
    std::vector<double> chances;
    for (const QString& group : std::as_const(groups)) {
        const AccuracyCell* c = Analysis::find(cells, peopleAgent(), group);
        for (int a = 0; !c && a < agents.size(); ++a)
            c = Analysis::find(cells, agents.at(a), group);
        chances.push_back(c ? 100.0 * c->chance : std::nan(""));
    }
    QVector<double> chanceKeys, chanceValues;
    if (std::all_of(chances.begin(), chances.end(), [&](double c) { return c == chances.front(); })) {
        chanceKeys = { 0.5, groups.size() + 0.5 };
        chanceValues = { chances.front(), chances.front() };
    } else {
        for (int g = 0; g < groups.size(); ++g) {
            chanceKeys << g + 0.55 << g + 1.45 << g + 1.5;
            chanceValues << chances[std::size_t(g)] << chances[std::size_t(g)] << std::nan("");
        }
    }
    auto* chance = plot->addGraph();
    chance->setName(tr("chance (1/N)"));
    chance->setPen(QPen(QColor(QStringLiteral("#444444")), 1.5, Qt::DashLine));
    chance->setLineStyle(QCPGraph::lsLine);
    chance->setSelectable(QCP::stNone);
    chance->setData(chanceKeys, chanceValues, true);

    auto ticker = QSharedPointer<QCPAxisTickerText>::create();
    for (int g = 0; g < groups.size(); ++g)
        ticker->addTick(g + 1, groups.at(g));
    plot->xAxis->setTicker(ticker);
    plot->xAxis->setTickLabelRotation(groups.size() > 6 ? 30 : 0);
    plot->xAxis->setRange(0.5, groups.size() + 0.5);
    plot->xAxis->setLabel(what);
    plot->yAxis->setRange(0, 105);
    plot->yAxis->setLabel(tr("Accuracy (%)"));
    finishPlot(p);
}

void Dashboard::drawImages()
{
    const Plot p = Plot::Images;
    resetPlot(p, plotTitle(p));
    QCustomPlot* plot = this->plot(p);
    const StudyAnalysis& a = *m_analysis;
    bool anyPeople = false;
    for (auto it = a.people.cbegin(); it != a.people.cend() && !anyPeople; ++it)
        anyPeople = it->trials > 0;
    if (!anyPeople) {
        showEmpty(p, m_loadError.isEmpty() ? tr("No answers yet") : tr("Could not load the answers"));
        return;
    }
    if (a.pRealByModel.isEmpty()) {
        showEmpty(p, tr("No model predictions yet: run a model on the study"));
        return;
    }
    struct Point
    {
        double x;
        double y;
        qint64 id;
    };
    int modelIndex = 0;
    for (auto m = a.pRealByModel.cbegin(); m != a.pRealByModel.cend(); ++m) {
        const int agentIndex = int(a.analysis.models.indexOf(m.key())) >= 0
            ? int(a.analysis.models.indexOf(m.key())) + 1
            : int(a.analysis.models.size()) + (++modelIndex);
        std::vector<Point> points;
        points.reserve(a.images.size());
        for (const PoolImage& image : a.images) {
            const auto human = a.people.constFind(image.id);
            if (human == a.people.cend() || human->trials == 0)
                continue;
            const auto pReal = m->constFind(image.id);
            if (pReal == m->cend())
                continue;
            points.push_back({ 100.0 * human->shareCorrect(), double(*pReal), image.id });
        }
        std::stable_sort(points.begin(), points.end(), [](const Point& l, const Point& r) { return l.x < r.x; });
        QVector<double> keys, values;
        keys.reserve(int(points.size()));
        values.reserve(int(points.size()));
        auto series = std::make_unique<Series>();
        for (const Point& pt : points) {
            keys << pt.x;
            values << pt.y;
            series->imageIds.push_back(pt.id);
        }
        auto* graph = plot->addGraph();
        graph->setName(tr("%1 (%n image(s))", nullptr, int(points.size())).arg(m.key()));
        graph->setLineStyle(QCPGraph::lsNone);
        QColor fill = agentColour(agentIndex);
        fill.setAlpha(110);
        graph->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, agentColour(agentIndex), fill, 7));
        graph->setSelectable(QCP::stSingleData);
        graph->setData(keys, values, true);
        series->plottable = graph;
        series->agent = m.key();
        series->agentIndex = agentIndex;
        m_series[std::size_t(indexOf(p))].push_back(std::move(series));
    }
    plot->xAxis->setRange(-3, 103);
    plot->xAxis->setLabel(tr("People's share correct on the image (%)"));
    plot->yAxis->setRange(-0.03, 1.03);
    plot->yAxis->setLabel(tr("Model's P(real) (probability, 0–1)"));
    finishPlot(p);
}

void Dashboard::drawConsistency()
{
    const Plot p = Plot::Consistency;
    resetPlot(p, plotTitle(p));
    QCustomPlot* plot = this->plot(p);
    const Analysis& a = m_analysis->analysis;
    QStringList groups;
    bool hasAll = false;
    for (const ConsistencyRow& r : a.errorConsistency) {
        if (r.consistency.trials == 0 || !std::isfinite(r.consistency.kappa))
            continue;
        if (r.group == QLatin1String("all"))
            hasAll = true;
        else if (!groups.contains(r.group))
            groups << r.group;
    }
    std::sort(groups.begin(), groups.end());
    if (hasAll)
        groups << QStringLiteral("all");
    m_groups[std::size_t(indexOf(p))] = groups;
    if (groups.isEmpty()) {
        showEmpty(p, a.peopleTrials == 0 ? tr("No answers yet") : tr("No model answers yet: run a model on the study"));
        return;
    }
    auto find = [&](const QString& second, bool ceiling, const QString& group) -> const ConsistencyRow* {
        for (const ConsistencyRow& r : a.errorConsistency) {
            if (r.second == second && r.ceiling == ceiling && r.group == group && r.consistency.trials > 0
                && std::isfinite(r.consistency.kappa))
                return &r;
        }
        return nullptr;
    };
    auto* barsGroup = new QCPBarsGroup(plot);
    barsGroup->setSpacingType(QCPBarsGroup::stAbsolute);
    barsGroup->setSpacing(2);
    const double width = 0.8 / std::max<qsizetype>(1, a.models.size());
    double lowest = 0.0;
    for (int m = 0; m < a.models.size(); ++m) {
        QVector<double> keys, values;
        for (int g = 0; g < groups.size(); ++g) {
            if (const ConsistencyRow* r = find(a.models.at(m), false, groups.at(g))) {
                keys << g + 1;
                values << r->consistency.kappa;
                lowest = std::min(lowest, r->consistency.kappa);
            }
        }
        if (keys.isEmpty())
            continue;
        auto* bars = new QCPBars(plot->xAxis, plot->yAxis);
        bars->setName(tr("%1 with people").arg(a.models.at(m)));
        bars->setWidth(width);
        bars->setBarsGroup(barsGroup);
        bars->setPen(QPen(agentColour(m + 1).darker(130), 1));
        bars->setBrush(agentColour(m + 1));
        bars->setSelectable(QCP::stSingleData);
        bars->setData(keys, values, true);
        auto series = std::make_unique<Series>();
        series->plottable = bars;
        series->agent = a.models.at(m);
        series->agentIndex = m + 1;
        m_series[std::size_t(indexOf(p))].push_back(std::move(series));
    }
    // The ceiling: a thick black line across each group, broken (NaN) between groups.
    QVector<double> ceilingKeys, ceilingValues;
    for (int g = 0; g < groups.size(); ++g) {
        if (const ConsistencyRow* r = find(peopleAgent(), true, groups.at(g))) {
            ceilingKeys << g + 0.57 << g + 1.43 << g + 1.5;
            ceilingValues << r->consistency.kappa << r->consistency.kappa << std::nan("");
            lowest = std::min(lowest, r->consistency.kappa);
        }
    }
    if (!ceilingKeys.isEmpty()) {
        auto* ceiling = plot->addGraph();
        ceiling->setName(tr("people-to-people ceiling (pairs of participants on the same trials)"));
        ceiling->setLineStyle(QCPGraph::lsLine);
        ceiling->setPen(QPen(Qt::black, 3, Qt::SolidLine, Qt::FlatCap));
        ceiling->setSelectable(QCP::stNone);
        ceiling->setData(ceilingKeys, ceilingValues, true);
    }
    auto ticker = QSharedPointer<QCPAxisTickerText>::create();
    for (int g = 0; g < groups.size(); ++g)
        ticker->addTick(g + 1, groups.at(g) == QLatin1String("all") ? tr("all categories") : groups.at(g));
    plot->xAxis->setTicker(ticker);
    plot->xAxis->setTickLabelRotation(groups.size() > 6 ? 30 : 0);
    plot->xAxis->setRange(0.5, groups.size() + 0.5);
    plot->xAxis->setLabel(tr("Category"));
    plot->yAxis->setRange(std::min(-0.2, lowest - 0.1), 1.05);
    plot->yAxis->setLabel(tr("Error consistency (Cohen's κ, 1 = same errors, 0 = chance)"));
    plot->yAxis->grid()->setZeroLinePen(QPen(QColor(QStringLiteral("#888888")), 1));
    finishPlot(p);
}

void Dashboard::drawResponseTimes()
{
    const Plot p = Plot::ResponseTimes;
    resetPlot(p, plotTitle(p));
    QCustomPlot* plot = this->plot(p);
    const ResponseTimes* all = nullptr;
    for (const ResponseTimes& t : m_analysis->analysis.responseTimes) {
        if (t.group == QLatin1String("all"))
            all = &t;
    }
    if (!all || (all->correctMs.empty() && all->wrongMs.empty())) {
        showEmpty(p, m_loadError.isEmpty() ? tr("No answers yet") : tr("Could not load the answers"));
        return;
    }
    // The axis ends at the 99th percentile; slower answers are counted in the last bin.
    std::vector<double> pooled = all->correctMs;
    pooled.insert(pooled.end(), all->wrongMs.begin(), all->wrongMs.end());
    std::sort(pooled.begin(), pooled.end());
    const double top = std::max(1.0, pooled[std::min(pooled.size() - 1, std::size_t(0.99 * double(pooled.size())))]);
    const double binWidth = niceBinWidth(top, 30);
    const int bins = std::max(1, int(std::ceil(top / binWidth)));
    auto* barsGroup = new QCPBarsGroup(plot);
    barsGroup->setSpacingType(QCPBarsGroup::stAbsolute);
    barsGroup->setSpacing(0);
    const struct
    {
        const std::vector<double>* ms;
        QString name;
        QColor colour;
    } sets[] = { { &all->correctMs, tr("correct"), QColor(QStringLiteral("#009E73")) },
        { &all->wrongMs, tr("wrong"), QColor(QStringLiteral("#D55E00")) } };
    double highest = 0.0;
    for (const auto& set : sets) {
        if (set.ms->empty())
            continue;
        QVector<double> keys(bins), values(bins, 0.0);
        for (int b = 0; b < bins; ++b)
            keys[b] = (b + 0.5) * binWidth;
        for (const double ms : *set.ms)
            values[std::clamp(int(ms / binWidth), 0, bins - 1)] += 100.0 / double(set.ms->size());
        for (const double v : values)
            highest = std::max(highest, v);
        std::vector<double> sorted = *set.ms;
        std::nth_element(sorted.begin(), sorted.begin() + std::ptrdiff_t(sorted.size() / 2), sorted.end());
        auto* bars = new QCPBars(plot->xAxis, plot->yAxis);
        bars->setName(tr("%1 (n = %2, median %3 ms)")
                          .arg(set.name)
                          .arg(set.ms->size())
                          .arg(sorted[sorted.size() / 2], 0, 'f', 0));
        bars->setWidth(binWidth / 2.0);
        bars->setBarsGroup(barsGroup);
        bars->setPen(QPen(set.colour.darker(130), 1));
        bars->setBrush(set.colour);
        bars->setSelectable(QCP::stNone);
        bars->setData(keys, values, true);
    }
    plot->xAxis->setRange(0, bins * binWidth);
    plot->xAxis->setLabel(tr("Response time (ms), all categories; the last bin holds slower answers"));
    plot->yAxis->setRange(0, std::max(1.0, highest * 1.1));
    plot->yAxis->setLabel(tr("Share of the answers (%)"));
    finishPlot(p);
}

void Dashboard::drawPosition()
{
    const Plot p = Plot::Position;
    resetPlot(p, plotTitle(p));
    QCustomPlot* plot = this->plot(p);
    const Analysis& a = m_analysis->analysis;
    QStringList groups;
    for (const AccuracyCell& c : a.byPosition) {
        if (!c.isParticipant && c.accuracy.trials > 0 && !groups.contains(c.group))
            groups << c.group;
    }
    std::sort(groups.begin(), groups.end()); // the bins' labels are zero-padded: name order is trial order
    m_groups[std::size_t(indexOf(p))] = groups;
    if (groups.isEmpty()) {
        showEmpty(p, m_loadError.isEmpty() ? tr("No answers yet") : tr("Could not load the answers"));
        return;
    }
    const QStringList agents = agentsOf(a.byPosition, a.models);
    for (int i = 0; i < agents.size(); ++i) {
        const QString& agent = agents.at(i);
        const bool people = agent == peopleAgent();
        const int agentIndex = people ? 0 : int(a.models.indexOf(agent)) + 1;
        // Agents side by side within a bin, so that their intervals do not hide each other.
        const double offset = agents.size() > 1 ? 0.3 * (double(i) / (agents.size() - 1) - 0.5) : 0.0;
        QVector<double> keys, values, minus, plus;
        for (int g = 0; g < groups.size(); ++g) {
            const AccuracyCell* c = Analysis::find(a.byPosition, agent, groups.at(g));
            if (!c || c->accuracy.trials == 0)
                continue;
            keys << g + 1 + offset;
            values << 100.0 * c->accuracy.estimate;
            minus << 100.0 * (c->accuracy.estimate - c->accuracy.low);
            plus << 100.0 * (c->accuracy.high - c->accuracy.estimate);
        }
        auto* graph = plot->addGraph();
        graph->setName(people ? tr("people") : agent);
        graph->setPen(QPen(agentColour(agentIndex), 2));
        graph->setScatterStyle(
            QCPScatterStyle(people ? QCPScatterStyle::ssDisc : QCPScatterStyle::ssSquare, agentColour(agentIndex), 8));
        graph->setSelectable(QCP::stNone);
        graph->setData(keys, values, true);
        auto* errors = new QCPErrorBars(plot->xAxis, plot->yAxis);
        errors->setDataPlottable(graph);
        errors->setData(minus, plus);
        errors->setPen(QPen(agentColour(agentIndex), 1));
        errors->setSelectable(QCP::stNone);
        errors->removeFromLegend();
    }
    if (const AccuracyCell* all = Analysis::find(a.overall, peopleAgent(), QStringLiteral("all"))) {
        auto* chance = plot->addGraph();
        chance->setName(tr("chance (1/N)"));
        chance->setPen(QPen(QColor(QStringLiteral("#444444")), 1.5, Qt::DashLine));
        chance->setSelectable(QCP::stNone);
        chance->setData({ 0.5, groups.size() + 0.5 }, { 100.0 * all->chance, 100.0 * all->chance }, true);
    }
    auto ticker = QSharedPointer<QCPAxisTickerText>::create();
    for (int g = 0; g < groups.size(); ++g)
        ticker->addTick(g + 1, positionLabel(groups.at(g)));
    plot->xAxis->setTicker(ticker);
    plot->xAxis->setRange(0.5, groups.size() + 0.5);
    plot->xAxis->setLabel(tr("Trial position (trial numbers in the session)"));
    plot->yAxis->setRange(0, 105);
    plot->yAxis->setLabel(tr("Accuracy (%), error bars: Wilson 95 % interval"));
    finishPlot(p);
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

void Dashboard::exportDialog(Plot p)
{
    QString selectedFilter;
    QString path = QFileDialog::getSaveFileName(this, tr("Export plot"),
        QStringLiteral("%1.png").arg(
            QStringList { QStringLiteral("categories"), QStringLiteral("sources"), QStringLiteral("images"),
                QStringLiteral("consistency"), QStringLiteral("response-times"), QStringLiteral("position") }
                .at(indexOf(p))),
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
