#include "study/responseexport.h"

#include "csvwriter.h"

#include <algorithm>

namespace ntt {

namespace {

QString flag(bool value)
{
    return value ? QStringLiteral("1") : QStringLiteral("0");
}

QString isoUtc(const QDateTime& t)
{
    return t.isValid() ? t.toUTC().toString(Qt::ISODateWithMs) : QString();
}

// The answer in words: the real/fake label of a real-or-fake trial, the offered name of a
// which-source or which-category trial, or the source at a pick position.
QString answerLabel(const ResponseRow& row, int answer)
{
    if (answer < 0)
        return {};
    if (row.trial.type == TrialType::RealOrFake)
        return realOrFakeLabel(answer);
    if (answersWithLabels(row.trial.type))
        return answer < row.trial.choices.size() ? row.trial.choices[answer] : QString();
    return answer < static_cast<int>(row.shown.size()) ? row.shown[answer].source : QString();
}

} // namespace

QStringList responseCsvHeader(int maxWays)
{
    QStringList h = { QStringLiteral("study"), QStringLiteral("session"), QStringLiteral("participant"),
        QStringLiteral("agent"), QStringLiteral("station"), QStringLiteral("simulated"),
        QStringLiteral("session_state"), QStringLiteral("trial_index"), QStringLiteral("trial_type"),
        QStringLiteral("ways"), QStringLiteral("practice"), QStringLiteral("catch") };
    for (int p = 1; p <= maxWays; ++p) {
        h << QStringLiteral("pos%1_image_id").arg(p) << QStringLiteral("pos%1_path").arg(p)
          << QStringLiteral("pos%1_source").arg(p) << QStringLiteral("pos%1_category").arg(p);
    }
    h << QStringLiteral("correct_position") << QStringLiteral("chosen_position") << QStringLiteral("correct_answer")
      << QStringLiteral("chosen_answer") << QStringLiteral("correct") << QStringLiteral("confidence")
      << QStringLiteral("rt_ms") << QStringLiteral("onset_utc") << QStringLiteral("response_utc")
      << QStringLiteral("rt_clock") << QStringLiteral("timed_out") << QStringLiteral("too_fast")
      << QStringLiteral("focus_losses") << QStringLiteral("choices") << QStringLiteral("target_source")
      << QStringLiteral("repeat_of") << QStringLiteral("exposure_frames") << QStringLiteral("frame_rate_hz")
      << QStringLiteral("exposure_ms") << QStringLiteral("mask_ms");
    return h;
}

Status writeResponsesCsv(
    QIODevice& device, const std::vector<ResponseRow>& rows, const QString& destination, int minWays)
{
    int maxWays = std::max(1, minWays);
    for (const ResponseRow& row : rows)
        maxWays = std::max(maxWays, static_cast<int>(row.shown.size()));

    CsvWriter csv(&device);
    csv.writeRow(responseCsvHeader(maxWays));
    for (const ResponseRow& row : rows) {
        const Trial& t = row.trial;
        const Response& r = row.response;
        const bool pick = !answersWithLabels(t.type);
        QStringList f = { row.study, QString::number(row.sessionId), row.participant, row.agent, row.station,
            flag(row.simulated), row.sessionState, QString::number(t.index), trialTypeName(t.type),
            QString::number(row.shown.size()), flag(t.practice), flag(t.isCatch) };
        for (int p = 0; p < maxWays; ++p) {
            if (p < static_cast<int>(row.shown.size())) {
                const PoolImage& image = row.shown[p];
                f << QString::number(image.id) << image.relativePath << image.source << image.category;
            } else {
                f << QString() << QString() << QString() << QString();
            }
        }
        f << (pick ? QString::number(t.correctPosition + 1) : QString())
          << (pick && r.answer >= 0 ? QString::number(r.answer + 1) : QString()) << answerLabel(row, t.correctPosition)
          << answerLabel(row, r.answer) << flag(r.correct)
          << (r.confidence ? QString::number(*r.confidence) : QString())
          << (r.timedOut || r.rtClock == QLatin1String("model") ? QString() : QString::number(r.rtMs, 'f', 1))
          << isoUtc(r.onsetUtc) << isoUtc(r.responseUtc) << r.rtClock << flag(r.timedOut) << flag(r.tooFast)
          << QString::number(r.focusLosses) << t.choices.join(QLatin1Char('|')) << t.targetSource
          << (t.repeatOf >= 0 ? QString::number(t.repeatOf) : QString());
        // Brief exposure: what was asked for and what was measured; empty without it.
        const bool brief = r.exposureFrames > 0;
        f << (brief ? QString::number(r.exposureFrames) : QString())
          << (brief ? QString::number(r.frameRateHz, 'f', 2) : QString())
          << (brief ? QString::number(r.exposureMs, 'f', 2) : QString())
          << (brief ? QString::number(r.maskMs, 'f', 2) : QString());
        csv.writeRow(f);
    }
    if (!csv.ok())
        return Error { QStringLiteral("%1: could not write the CSV: %2").arg(destination, device.errorString()) };
    return {};
}

QStringList predictionCsvHeader()
{
    return { QStringLiteral("model"), QStringLiteral("model_sha256"), QStringLiteral("image_id"),
        QStringLiteral("path"), QStringLiteral("source"), QStringLiteral("category"), QStringLiteral("split"),
        QStringLiteral("image_sha256"), QStringLiteral("p_real"), QStringLiteral("predicted"),
        QStringLiteral("correct"), QStringLiteral("class_probabilities"), QStringLiteral("ms"),
        QStringLiteral("error") };
}

Status writePredictionsCsv(
    QIODevice& device, const std::vector<PredictionRow>& rows, const QString& destination, const QString& realSource)
{
    CsvWriter csv(&device);
    csv.writeRow(predictionCsvHeader());
    for (const PredictionRow& row : rows) {
        const bool has = row.error.isEmpty() && row.pReal >= 0.0f;
        const bool saysReal = has && row.pReal >= 0.5f;
        csv.writeRow({ row.model, row.modelSha256, QString::number(row.image.id), row.image.relativePath,
            row.image.source, row.image.category, splitName(row.image.split), row.image.sha256,
            has ? QString::number(static_cast<double>(row.pReal), 'g', 7) : QString(),
            has ? (saysReal ? QStringLiteral("real") : QStringLiteral("generated")) : QString(),
            has ? flag(saysReal == (row.image.source == realSource)) : QString(), row.classProbabilities,
            QString::number(row.milliseconds, 'f', 3), row.error });
    }
    if (!csv.ok())
        return Error { QStringLiteral("%1: could not write the CSV: %2").arg(destination, device.errorString()) };
    return {};
}

} // namespace ntt
