#include "study/participantcode.h"

#include <QRandomGenerator>
#include <QRegularExpression>

namespace ntt {

QString generateParticipantCode()
{
    static const QString alphabet = QStringLiteral("ABCDEFGHJKMNPQRSTUVWXYZ23456789");
    QString code = QStringLiteral("P-");
    for (int i = 0; i < 8; ++i) {
        if (i == 4)
            code += QLatin1Char('-');
        code += alphabet.at(static_cast<int>(QRandomGenerator::system()->bounded(alphabet.size())));
    }
    return code;
}

Result<QString> validateParticipantCode(const QString& code)
{
    const QString trimmed = code.trimmed();
    static const QRegularExpression valid(QStringLiteral("^[A-Za-z0-9_-]{1,32}$"));
    if (!valid.match(trimmed).hasMatch()) {
        return Error { QStringLiteral("participant code \"%1\" is not valid: use 1 to 32 letters, digits, '-' or '_' "
                                      "(and no names or other personal data)")
                           .arg(trimmed) };
    }
    return trimmed;
}

} // namespace ntt
