#pragma once

#include <QProcess>
#include <QString>
#include <QStringList>

namespace ntt::testing {

/// What a run of the real `ntt` command line printed and returned.
struct NttRun
{
    int code = -1; ///< -1 when it did not finish in time
    QString out;
    QString err;
};

/// Runs the `ntt` built with the tests with `args`, waiting up to two minutes.
inline NttRun runNtt(const QStringList& args)
{
    QProcess p;
    p.start(QStringLiteral(NTT_NTT_EXECUTABLE), args);
    NttRun r;
    if (!p.waitForFinished(120000))
        return r;
    r.code = p.exitCode();
    r.out = QString::fromUtf8(p.readAllStandardOutput());
    r.err = QString::fromUtf8(p.readAllStandardError());
    return r;
}

} // namespace ntt::testing
