#pragma once

#include <QStringList>

namespace ntt {

/// Runs one `ntt` command line (arguments without the program name); returns the process exit code.
/// 0 = success, 1 = the command failed (message on stderr), 2 = usage error.
int runCommandLine(const QStringList& arguments);

} // namespace ntt
