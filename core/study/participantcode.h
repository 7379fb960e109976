#pragma once

#include "result.h"

#include <QString>

namespace ntt {

/// A random participant code such as "P-7KQ2-M9XD": from the system's secure random source, so codes
/// are not guessable, and carrying no personal data. Ambiguous characters (0/O, 1/I/L) are left out.
QString generateParticipantCode();

/// Accepts a code typed by the experimenter: 1 to 32 letters, digits, '-' or '_'. Returns it trimmed.
Result<QString> validateParticipantCode(const QString& code);

} // namespace ntt
