// Dashboard, drawing: each plot of the people-versus-models comparison from the analysis it was given.
// Controls, loading, clicks and export are in dashboard.cpp.

#include "dashboard.h"
#include "dashboard_p.h"
#include "quantile.h"

#include <QRegularExpression>

#include <algorithm>
#include <cmath>
#include <numeric>

namespace ntt {

using namespace dashboarddetail;

namespace {

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

} // namespace

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

void Dashboard::drawConfusion()
{
    const Plot p = Plot::Confusion;
    resetPlot(p, plotTitle(p));
    QCustomPlot* plot = this->plot(p);
    const std::vector<AnswerConfusion>& matrices = m_analysis->analysis.confusion;
    if (matrices.empty()) {
        showEmpty(p, tr("No which-source or which-category answers in this study"));
        return;
    }
    // The matrices of one question side by side, people's first: cell (right r, chosen c) of block k
    // spans x in [k (L + 1) + c, + 1] and y in [L - r - 1, L - r]; its shade is the share of row r.
    const TrialType question = matrices.front().question;
    const QStringList& labels = matrices.front().labels;
    const int n = int(labels.size());
    auto xTicks = QSharedPointer<QCPAxisTickerText>::create();
    auto yTicks = QSharedPointer<QCPAxisTickerText>::create();
    for (int r = 0; r < n; ++r)
        yTicks->addTick(n - r - 0.5, labels.at(r));
    int block = 0;
    for (const AnswerConfusion& m : matrices) {
        if (m.question != question)
            continue;
        const double x0 = block * (n + 1);
        for (int c = 0; c < n; ++c)
            xTicks->addTick(x0 + c + 0.5, labels.at(c));
        for (int r = 0; r < n; ++r) {
            const auto& row = m.counts[std::size_t(r)];
            const int rowTotal = std::accumulate(row.begin(), row.end(), 0);
            for (int c = 0; c < n; ++c) {
                const int count = row[std::size_t(c)];
                const double share = rowTotal > 0 ? double(count) / rowTotal : 0.0;
                auto* cell = new QCPItemRect(plot);
                cell->topLeft->setCoords(x0 + c, n - r);
                cell->bottomRight->setCoords(x0 + c + 1, n - r - 1);
                const QColor shade = QColor::fromRgbF(1.0 - 0.8 * share, 1.0 - 0.6 * share, 1.0 - 0.25 * share);
                cell->setBrush(shade);
                cell->setPen(QPen(r == c ? QColor(QStringLiteral("#000000")) : QColor(QStringLiteral("#BBBBBB")),
                    r == c ? 1.5 : 0.8));
                auto* text = new QCPItemText(plot);
                text->position->setCoords(x0 + c + 0.5, n - r - 0.5);
                text->setText(rowTotal > 0 ? QStringLiteral("%1 %\n(%2)").arg(percentText(share)).arg(count)
                                           : QStringLiteral("–"));
                text->setColor(share > 0.6 ? Qt::white : Qt::black);
                text->setFont(font());
            }
        }
        auto* title = new QCPItemText(plot);
        title->position->setCoords(x0 + n / 2.0, n + 0.35);
        title->setText(m.isModel ? m.agent : tr("people"));
        QFont bold = font();
        bold.setBold(true);
        title->setFont(bold);
        ++block;
    }
    plot->xAxis->setTicker(xTicks);
    plot->yAxis->setTicker(yTicks);
    plot->xAxis->setTickLabelRotation(n > 4 ? 30 : 0);
    plot->xAxis->grid()->setVisible(false);
    plot->yAxis->grid()->setVisible(false);
    plot->xAxis->setRange(-0.2, block * (n + 1) - 0.8);
    plot->yAxis->setRange(-0.1, n + 0.8);
    plot->xAxis->setLabel(question == TrialType::WhichSource ? tr("Source chosen") : tr("Category chosen"));
    plot->yAxis->setLabel(
        question == TrialType::WhichSource ? tr("Source that made the image") : tr("Category the image shows"));
    plot->legend->setVisible(false);
    finishPlot(p);
}

void Dashboard::drawPairAgreement()
{
    const Plot p = Plot::PairAgreement;
    resetPlot(p, plotTitle(p));
    QCustomPlot* plot = this->plot(p);
    const std::vector<PairAgreement>& agreements = m_analysis->analysis.pairAgreement;
    if (agreements.empty()) {
        showEmpty(p,
            tr("No pairs of generators answered by people and a model (pick-source or two-way which-source "
               "trials, then a source-classes model run on the study)"));
        return;
    }
    for (const PairAgreement& a : agreements) {
        const int agentIndex = int(m_analysis->analysis.models.indexOf(a.model)) + 1;
        QVector<double> keys, values;
        for (std::size_t i = 0; i < a.people.size(); ++i) {
            keys << 100.0 * a.people[i];
            values << 100.0 * a.modelAccuracy[i];
            auto* label = new QCPItemText(plot);
            label->position->setCoords(keys.back(), values.back());
            label->setPositionAlignment(Qt::AlignLeft | Qt::AlignBottom);
            label->setPadding(QMargins(6, 0, 0, 2));
            label->setText(a.pairs.at(qsizetype(i)));
            label->setColor(agentColour(agentIndex).darker(140));
            label->setFont(font());
        }
        auto* graph = plot->addGraph();
        const RankCorrelation& rho = a.spearman;
        graph->setName(std::isfinite(rho.rho)
                ? tr("%1: ρ = %2 [%3, %4] over %n pair(s)", nullptr, rho.points)
                      .arg(a.model)
                      .arg(rho.rho, 0, 'f', 2)
                      .arg(rho.low, 0, 'f', 2)
                      .arg(rho.high, 0, 'f', 2)
                : tr("%1: %n pair(s), too few for a rank correlation", nullptr, rho.points).arg(a.model));
        graph->setLineStyle(QCPGraph::lsNone);
        QColor fill = agentColour(agentIndex);
        fill.setAlpha(150);
        graph->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, agentColour(agentIndex), fill, 9));
        graph->setSelectable(QCP::stNone);
        graph->setData(keys, values);
    }
    // Chance for two sources is 50 % for both; the diagonal is where people and model agree.
    auto* diagonal = plot->addGraph();
    diagonal->setName(tr("people = model"));
    diagonal->setPen(QPen(QColor(QStringLiteral("#999999")), 1, Qt::DotLine));
    diagonal->setData({ 0, 100 }, { 0, 100 });
    for (const bool vertical : { true, false }) {
        auto* chance = new QCPItemStraightLine(plot);
        chance->point1->setCoords(vertical ? 50 : 0, vertical ? 0 : 50);
        chance->point2->setCoords(vertical ? 50 : 100, vertical ? 100 : 50);
        chance->setPen(QPen(QColor(QStringLiteral("#444444")), 1.5, Qt::DashLine));
    }
    plot->xAxis->setRange(-2, 105);
    plot->yAxis->setRange(-2, 105);
    plot->xAxis->setLabel(tr("People's accuracy on the pair (%; dashed: chance, 50 %)"));
    plot->yAxis->setLabel(tr("Model's accuracy on the pair (%)"));
    finishPlot(p);
}

} // namespace ntt

namespace ntt {

void Dashboard::drawRoc()
{
    const Plot p = Plot::Roc;
    resetPlot(p, plotTitle(p));
    QCustomPlot* plot = this->plot(p);
    const std::vector<RocCurve>& curves = m_analysis->roc.curves;
    if (curves.empty()) {
        showEmpty(p,
            tr("No real-or-fake trials answered with a confidence rating, and no model's P(real) on them\n"
               "(a real-or-fake study that asks for confidence, then a detector run on the study)"));
        return;
    }
    for (const RocCurve& c : curves) {
        const int agentIndex = c.isModel ? int(m_analysis->analysis.models.indexOf(c.agent)) + 1 : 0;
        QVector<double> keys, values;
        for (const RocPoint& point : c.points) {
            keys << point.falsePositiveRate;
            values << point.truePositiveRate;
        }
        // A curve, not a graph: it keeps the points in order where the ROC rises vertically.
        auto* curve = new QCPCurve(plot->xAxis, plot->yAxis);
        curve->setName(tr("%1: AUC %2 [%3, %4], %5 real and %6 generated (%7)")
                           .arg(c.agent)
                           .arg(c.auc.auc, 0, 'f', 3)
                           .arg(c.auc.low, 0, 'f', 3)
                           .arg(c.auc.high, 0, 'f', 3)
                           .arg(c.auc.positives)
                           .arg(c.auc.negatives)
                           .arg(c.interval));
        curve->setPen(QPen(agentColour(agentIndex), c.isModel ? 2.0 : 2.5));
        // People's few thresholds (one per rating) are marked; a model's curve has one per image.
        if (!c.isModel)
            curve->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, agentColour(agentIndex), 7));
        curve->setSelectable(QCP::stNone);
        curve->setData(keys, values);
    }
    auto* chance = plot->addGraph();
    chance->setName(tr("chance (AUC 0.5)"));
    chance->setPen(QPen(QColor(QStringLiteral("#444444")), 1.5, Qt::DashLine));
    chance->setData({ 0, 1 }, { 0, 1 });
    chance->setSelectable(QCP::stNone);
    plot->xAxis->setRange(-0.02, 1.02);
    plot->yAxis->setRange(-0.02, 1.02);
    plot->xAxis->setLabel(tr("False positive rate: generated images called real"));
    plot->yAxis->setLabel(tr("True positive rate: real images called real"));
    plot->legend->setWrap(1);
    finishPlot(p);
}

void Dashboard::drawCalibration()
{
    const Plot p = Plot::Calibration;
    resetPlot(p, plotTitle(p));
    QCustomPlot* plot = this->plot(p);
    QCPAxisRect* people = plot->axisRect(0);
    QCPAxisRect* models = plot->axisRect(1);
    const RocAnalysis& roc = m_analysis->roc;
    for (QCPAxis* axis : { models->axis(QCPAxis::atBottom), models->axis(QCPAxis::atLeft) }) {
        axis->setVisible(true);
        axis->setLabelFont(font());
        axis->setTickLabelFont(font());
        axis->grid()->setVisible(axis->axisType() == QCPAxis::atLeft);
    }
    if (roc.peopleConfidence.empty() && roc.models.empty()) {
        models->axis(QCPAxis::atBottom)->setVisible(false);
        models->axis(QCPAxis::atLeft)->setVisible(false);
        showEmpty(p,
            tr("No answers with a confidence rating, and no model's P(real) on real-or-fake trials\n"
               "(a study that asks for confidence, or a detector run on a real-or-fake study)"));
        return;
    }

    // Left: people's share correct per stated confidence level, with Wilson intervals and chance.
    QVector<double> levels, shares, minus, plus;
    for (const ConfidenceAccuracy& c : roc.peopleConfidence) {
        levels << c.level;
        shares << 100.0 * c.accuracy.estimate;
        minus << 100.0 * (c.accuracy.estimate - c.accuracy.low);
        plus << 100.0 * (c.accuracy.high - c.accuracy.estimate);
    }
    auto* bars = new QCPBars(people->axis(QCPAxis::atBottom), people->axis(QCPAxis::atLeft));
    bars->setName(tr("people: share correct per confidence level (Wilson 95 %)"));
    bars->setBrush(barColour(0));
    bars->setPen(QPen(barColour(0).darker(130)));
    bars->setWidth(0.6);
    bars->setData(levels, shares, true);
    bars->setSelectable(QCP::stNone);
    auto* wilson = new QCPErrorBars(people->axis(QCPAxis::atBottom), people->axis(QCPAxis::atLeft));
    wilson->setDataPlottable(bars);
    wilson->setData(minus, plus);
    wilson->setPen(QPen(Qt::black, 1.2));
    wilson->removeFromLegend();
    wilson->setSelectable(QCP::stNone);
    if (const AccuracyCell* all = Analysis::find(m_analysis->analysis.overall, peopleAgent(), QStringLiteral("all"))) {
        auto* chance = new QCPItemStraightLine(plot);
        chance->setClipAxisRect(people);
        chance->point1->setAxisRect(people);
        chance->point2->setAxisRect(people);
        chance->point1->setAxes(people->axis(QCPAxis::atBottom), people->axis(QCPAxis::atLeft));
        chance->point2->setAxes(people->axis(QCPAxis::atBottom), people->axis(QCPAxis::atLeft));
        chance->point1->setCoords(0, 100.0 * all->chance);
        chance->point2->setCoords(5, 100.0 * all->chance);
        chance->setPen(QPen(QColor(QStringLiteral("#444444")), 1.5, Qt::DashLine));
    }
    auto ticker = QSharedPointer<QCPAxisTickerText>::create();
    ticker->addTick(1, tr("1 guessing"));
    ticker->addTick(2, tr("2"));
    ticker->addTick(3, tr("3"));
    ticker->addTick(4, tr("4 sure"));
    people->axis(QCPAxis::atBottom)->setTicker(ticker);
    people->axis(QCPAxis::atBottom)->setRange(0.4, 4.6);
    people->axis(QCPAxis::atBottom)->setLabel(tr("People: stated confidence (dashed: chance)"));
    people->axis(QCPAxis::atLeft)->setRange(0, 105);
    people->axis(QCPAxis::atLeft)->setLabel(tr("Answers right (%)"));

    // Right: each model's reliability diagram of P(real), with its expected calibration error.
    QCPAxis* x = models->axis(QCPAxis::atBottom);
    QCPAxis* y = models->axis(QCPAxis::atLeft);
    for (const ModelCalibration& m : roc.models) {
        const int agentIndex = int(m_analysis->analysis.models.indexOf(m.model)) + 1;
        auto* graph = plot->addGraph(x, y);
        graph->setName(tr("%1: ECE %2 over %n image(s)", nullptr, m.reliability.items)
                           .arg(m.model)
                           .arg(m.reliability.expectedCalibrationError, 0, 'f', 3));
        graph->setPen(QPen(agentColour(agentIndex), 2.0));
        graph->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, agentColour(agentIndex), 7));
        graph->setSelectable(QCP::stNone);
        for (const ReliabilityBin& b : m.reliability.bins)
            graph->addData(b.meanPredicted, b.observed);
    }
    auto* diagonal = plot->addGraph(x, y);
    diagonal->setName(tr("perfectly calibrated"));
    diagonal->setPen(QPen(QColor(QStringLiteral("#999999")), 1, Qt::DotLine));
    diagonal->setData({ 0, 1 }, { 0, 1 });
    diagonal->setSelectable(QCP::stNone);
    x->setRange(-0.02, 1.02);
    y->setRange(-0.02, 1.02);
    x->setLabel(tr("Models: mean P(real) in the bin (10 bins)"));
    y->setLabel(tr("Share of the bin's images that are real"));
    plot->legend->setWrap(1);
    finishPlot(p);
}

void Dashboard::drawExposure()
{
    const Plot p = Plot::Exposure;
    resetPlot(p, plotTitle(p));
    QCustomPlot* plot = this->plot(p);
    const ExposureAnalysis& exposure = m_analysis->exposure;
    QVector<double> ms, accuracy, minus, plus;
    for (const ExposureLevel& l : exposure.levels) {
        if (l.participant != peopleAgent())
            continue;
        ms << l.meanExposureMs;
        accuracy << 100.0 * l.accuracy.estimate;
        minus << 100.0 * (l.accuracy.estimate - l.accuracy.low);
        plus << 100.0 * (l.accuracy.high - l.accuracy.estimate);
    }
    if (ms.isEmpty()) {
        showEmpty(p,
            tr("No brief-exposure answers\n(a study with \"exposure\": fixed frames or a staircase, then "
               "participants)"));
        return;
    }
    const double longest = *std::max_element(ms.cbegin(), ms.cend());
    auto* people = plot->addGraph();
    people->setName(tr("people: share right per exposure (measured mean; Wilson 95 %)"));
    people->setPen(QPen(agentColour(0), 2.0));
    people->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, agentColour(0), 7));
    people->setData(ms, accuracy, true);
    people->setSelectable(QCP::stNone);
    auto* wilson = new QCPErrorBars(plot->xAxis, plot->yAxis);
    wilson->setDataPlottable(people);
    wilson->setData(minus, plus);
    wilson->setPen(QPen(Qt::black, 1.2));
    wilson->removeFromLegend();
    wilson->setSelectable(QCP::stNone);
    // Models see the same images with no time limit: their accuracy is a level line.
    const auto level = [&](double y, const QString& name, const QPen& pen) {
        auto* line = plot->addGraph();
        line->setName(name);
        line->setPen(pen);
        line->setData({ 0.0, longest * 1.1 }, { y, y });
        line->setSelectable(QCP::stNone);
    };
    for (const AccuracyCell& cell : m_analysis->analysis.overall) {
        if (!cell.isModel)
            continue;
        const int agentIndex = int(m_analysis->analysis.models.indexOf(cell.agent)) + 1;
        level(100.0 * cell.accuracy.estimate,
            tr("%1: %2 % with no time limit").arg(cell.agent).arg(100.0 * cell.accuracy.estimate, 0, 'f', 1),
            QPen(agentColour(agentIndex), 2.0, Qt::DashLine));
    }
    if (const AccuracyCell* all = Analysis::find(m_analysis->analysis.overall, peopleAgent(), QStringLiteral("all")))
        level(100.0 * all->chance, tr("chance"), QPen(QColor(QStringLiteral("#444444")), 1.5, Qt::DotLine));
    // Staircases: each participant's threshold on the level the rule converges on.
    QVector<double> thresholds, targets;
    for (const StaircaseResult& s : exposure.staircases) {
        if (std::isfinite(s.thresholdMs) && std::isfinite(s.target)) {
            thresholds << s.thresholdMs;
            targets << 100.0 * s.target;
        }
    }
    if (!thresholds.isEmpty()) {
        std::vector<double> sorted(thresholds.cbegin(), thresholds.cend());
        auto* points = plot->addGraph();
        points->setName(tr("staircase thresholds of %n participant(s), median %1 ms", nullptr, int(sorted.size()))
                            .arg(linearPercentile(sorted, 0.5), 0, 'f', 1));
        points->setLineStyle(QCPGraph::lsNone);
        points->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCross, QColor(QStringLiteral("#d62728")), 9));
        points->setData(thresholds, targets);
        points->setSelectable(QCP::stNone);
    }
    plot->xAxis->setRange(0.0, longest * 1.1);
    plot->yAxis->setRange(0, 105);
    plot->xAxis->setLabel(tr("Exposure (ms, measured from the stimulus frame to the mask frame)"));
    plot->yAxis->setLabel(tr("Answers right (%)"));
    plot->legend->setWrap(1);
    finishPlot(p);
}

namespace {

// Groups 1..N on the x axis under their labels, and a dashed reference level across them.
void groupAxis(QCustomPlot* plot, const QStringList& labels, double level, const QString& levelName)
{
    auto* reference = plot->addGraph();
    reference->setName(levelName);
    reference->setPen(QPen(QColor(QStringLiteral("#444444")), 1.5, Qt::DashLine));
    reference->setData({ 0.5, labels.size() + 0.5 }, { level, level });
    reference->setSelectable(QCP::stNone);
    auto ticker = QSharedPointer<QCPAxisTickerText>::create();
    for (int g = 0; g < labels.size(); ++g)
        ticker->addTick(g + 1, labels.at(g));
    plot->xAxis->setTicker(ticker);
    plot->xAxis->setRange(0.5, labels.size() + 0.5);
}

} // namespace

void Dashboard::drawAttention()
{
    const Plot p = Plot::Attention;
    resetPlot(p, plotTitle(p));
    QCustomPlot* plot = this->plot(p);
    // All images first, then each category and each source; rows of pick trials are in the export.
    QStringList groups;
    QStringList labels;
    QStringList models;
    for (const AttentionGroup& g : m_attentionGroups) {
        if (g.grouping == QLatin1String("row"))
            continue;
        const QString key = g.grouping + QLatin1Char('\n') + g.group;
        if (!groups.contains(key)) {
            groups << key;
            labels << (g.grouping == QLatin1String("all") ? tr("all images")
                                                          : QStringLiteral("%1\n(%2)").arg(g.group, g.grouping));
        }
        if (!models.contains(g.model))
            models << g.model;
    }
    m_groups[std::size_t(indexOf(p))] = groups;
    if (groups.isEmpty()) {
        const bool asks = m_analysis->study.definition.marks.points > 0;
        showEmpty(p,
            !m_attentionError.isEmpty() ? tr("The comparison failed: %1").arg(m_attentionError)
                : !asks                 ? tr("This study asks for no marks (add \"marks\" to its definition)")
                        : tr("Press \"Compare marks with the models' maps\": it makes each model's Grad-CAM map of "
                             "every marked image\n(kept in the study file) and compares it with people's marks."));
        return;
    }
    // Bars side by side by hand, so that each model's pointing-game diamond sits on its own bar.
    const double width = 0.8 / std::max<qsizetype>(1, models.size());
    for (int m = 0; m < models.size(); ++m) {
        const QString& model = models.at(m);
        const double offset = (m - (models.size() - 1) / 2.0) * width;
        const int agentIndex = int(m_analysis->analysis.models.indexOf(model)) + 1;
        QVector<double> keys, share, minus, plus, pointing;
        int hits = 0;
        int images = 0;
        for (const AttentionGroup& g : m_attentionGroups) {
            const int at = int(groups.indexOf(g.grouping + QLatin1Char('\n') + g.group));
            if (g.model != model || at < 0 || g.marksInTop20.trials == 0)
                continue;
            keys << at + 1 + offset;
            share << 100.0 * g.marksInTop20.estimate;
            minus << 100.0 * (g.marksInTop20.estimate - g.marksInTop20.low);
            plus << 100.0 * (g.marksInTop20.high - g.marksInTop20.estimate);
            pointing << 100.0 * g.pointing.estimate;
            if (g.grouping == QLatin1String("all")) {
                hits = g.pointing.successes;
                images = g.pointing.trials;
            }
        }
        auto* bars = new QCPBars(plot->xAxis, plot->yAxis);
        bars->setName(tr("%1: marks in its top 20 % (Wilson 95 %)").arg(model));
        bars->setWidth(width * 0.92);
        bars->setPen(QPen(barColour(agentIndex).darker(130), 1));
        bars->setBrush(barColour(agentIndex));
        bars->setSelectable(QCP::stNone);
        bars->setData(keys, share, true);
        auto* wilson = new QCPErrorBars(plot->xAxis, plot->yAxis);
        wilson->setDataPlottable(bars);
        wilson->setData(minus, plus);
        wilson->setPen(QPen(Qt::black, 1.2));
        wilson->removeFromLegend();
        wilson->setSelectable(QCP::stNone);
        // The pointing game as a diamond over each bar: images whose map peaks in people's region.
        auto* game = plot->addGraph();
        game->setName(tr("%1: pointing game, %2 of %3 images").arg(model).arg(hits).arg(images));
        game->setLineStyle(QCPGraph::lsNone);
        game->setScatterStyle(
            QCPScatterStyle(QCPScatterStyle::ssDiamond, QPen(Qt::black, 1), barColour(agentIndex).lighter(120), 11));
        game->setSelectable(QCP::stNone);
        game->setData(keys, pointing, true);
    }
    groupAxis(plot, labels, 20.0, tr("marks placed at random: 20 %"));
    plot->xAxis->setLabel(tr("Images people marked: all, per category, per source (per pick-trial row: ntt export "
                             "--what attention-groups)"));
    plot->yAxis->setRange(0, 105);
    plot->yAxis->setLabel(tr("Share (%)"));
    plot->legend->setWrap(2);
    finishPlot(p);
}

void Dashboard::drawSignalDetection()
{
    const Plot p = Plot::SignalDetection;
    resetPlot(p, plotTitle(p));
    QCustomPlot* plot = this->plot(p);
    // All trials, then each category, then each generator (its false alarms against all real images).
    QStringList groups;
    QStringList labels;
    QStringList agents;
    for (const SignalDetectionRow& r : m_analysis->analysis.signalDetection) {
        if (r.isParticipant)
            continue;
        const QString key = r.grouping + QLatin1Char('\n') + r.group;
        if (!groups.contains(key)) {
            groups << key;
            labels << (r.grouping == QLatin1String("all") ? tr("all trials")
                                                          : QStringLiteral("%1\n(%2)").arg(r.group, r.grouping));
        }
        if (!agents.contains(r.agent))
            agents << r.agent;
    }
    m_groups[std::size_t(indexOf(p))] = groups;
    if (groups.isEmpty()) {
        showEmpty(p, tr("No real-or-fake answers to real and generated images yet"));
        return;
    }
    // People first, then the models in their order.
    std::stable_sort(agents.begin(), agents.end(),
        [](const QString& a, const QString& b) { return a == peopleAgent() && b != peopleAgent(); });
    const double width = 0.8 / std::max<qsizetype>(1, agents.size());
    double lowest = 0.0;
    double highest = 1.0;
    for (int a = 0; a < agents.size(); ++a) {
        const QString& agent = agents.at(a);
        const bool people = agent == peopleAgent();
        const int agentIndex = people ? 0 : int(m_analysis->analysis.models.indexOf(agent)) + 1;
        const double offset = (a - (agents.size() - 1) / 2.0) * width;
        QVector<double> keys, values;
        int corrected = 0;
        for (const SignalDetectionRow& r : m_analysis->analysis.signalDetection) {
            const int at = int(groups.indexOf(r.grouping + QLatin1Char('\n') + r.group));
            if (r.isParticipant || r.agent != agent || at < 0)
                continue;
            keys << at + 1 + offset;
            values << r.sdt.dPrime;
            corrected += r.sdt.corrected ? 1 : 0;
            lowest = std::min(lowest, r.sdt.dPrime);
            highest = std::max(highest, r.sdt.dPrime);
        }
        auto* bars = new QCPBars(plot->xAxis, plot->yAxis);
        bars->setName(
            corrected > 0 ? tr("%1 (%n bar(s) with the log-linear correction)", nullptr, corrected).arg(agent) : agent);
        bars->setWidth(width * 0.92);
        bars->setPen(QPen(barColour(agentIndex).darker(130), 1));
        bars->setBrush(barColour(agentIndex));
        bars->setSelectable(QCP::stNone);
        bars->setData(keys, values, true);
    }
    groupAxis(plot, labels, 0.0, tr("d′ = 0: no better than chance"));
    plot->xAxis->setLabel(tr("Per generator: its false alarms against the hits on all real images "
                             "(per participant: ntt export --what signal-detection)"));
    plot->yAxis->setRange(std::min(0.0, lowest) - 0.2, highest * 1.1 + 0.2);
    plot->yAxis->setLabel(tr("d′ = z(hit rate) − z(false-alarm rate)"));
    finishPlot(p);
}

} // namespace ntt
