#pragma once

// Private to the two parts of Dashboard (dashboard.cpp: controls, loading, clicks and export;
// dashboardplots.cpp: drawing the plots): the colours, labels and series bookkeeping they share.

#include "dashboard.h"
#include "qcustomplot_wrapper.h"

#include <QColor>
#include <QString>

#include <vector>

namespace ntt {

namespace dashboarddetail {

inline int indexOf(Dashboard::Plot p)
{
    return static_cast<int>(p);
}

/// Okabe-Ito: black for the pooled people, the seven colours for models in turn.
inline QColor agentColour(int agentIndex)
{
    static const char* const models[] = { "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7" };
    if (agentIndex <= 0)
        return QColor(QStringLiteral("#000000"));
    return QColor(QLatin1String(models[(agentIndex - 1) % 7]));
}

/// People's bars are dark grey rather than black so that their black interval whiskers stay visible.
inline QColor barColour(int agentIndex)
{
    return agentIndex == 0 ? QColor(QStringLiteral("#6E6E6E")) : agentColour(agentIndex);
}

inline QString percentText(double share)
{
    return QStringLiteral("%1").arg(100.0 * share, 0, 'f', 0);
}

} // namespace dashboarddetail

struct Dashboard::Series
{
    QCPAbstractPlottable* plottable = nullptr;
    QString agent;
    int agentIndex = 0;
    std::vector<qint64> imageIds; ///< Images: the image of each data point, in data order
};

} // namespace ntt
