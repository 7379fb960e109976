#include "analysis/summarytables.h"

#include "csvwriter.h"

#include <cmath>
#include <numeric>

namespace ntt {
Table accuracyTable(const std::vector<AccuracyCell>& cells, const QString& groupColumn)
{
    Table t;
    t.header = { QStringLiteral("agent"), QStringLiteral("agent_kind"), groupColumn, QStringLiteral("n"),
        QStringLiteral("correct"), QStringLiteral("accuracy"), QStringLiteral("wilson_low"),
        QStringLiteral("wilson_high"), QStringLiteral("bootstrap_low"), QStringLiteral("bootstrap_high"),
        QStringLiteral("chance"), QStringLiteral("p_binomial") };
    for (const AccuracyCell& c : cells) {
        const QString kind = c.isModel ? QStringLiteral("model")
                                       : (c.isParticipant ? QStringLiteral("participant") : QStringLiteral("people"));
        t.rows.push_back(
            { c.agent, kind, c.group, QString::number(c.accuracy.trials), QString::number(c.accuracy.successes),
                csvNumber(c.accuracy.estimate), csvNumber(c.accuracy.low), csvNumber(c.accuracy.high),
                csvNumber(c.bootstrap.low), csvNumber(c.bootstrap.high), csvNumber(c.chance), csvNumber(c.pBinomial) });
    }
    return t;
}

Table confusionTable(const Analysis& analysis)
{
    Table t;
    t.header = { QStringLiteral("agent"), QStringLiteral("agent_kind"), QStringLiteral("question"),
        QStringLiteral("right"), QStringLiteral("chosen"), QStringLiteral("count"), QStringLiteral("share_of_right") };
    for (const AnswerConfusion& m : analysis.confusion) {
        for (qsizetype r = 0; r < m.labels.size(); ++r) {
            const auto& row = m.counts[std::size_t(r)];
            const int rowTotal = std::accumulate(row.begin(), row.end(), 0);
            for (qsizetype c = 0; c < m.labels.size(); ++c) {
                const int n = row[std::size_t(c)];
                t.rows.push_back({ m.agent, m.isModel ? QStringLiteral("model") : QStringLiteral("people"),
                    trialTypeName(m.question), m.labels[r], m.labels[c], QString::number(n),
                    rowTotal > 0 ? csvNumber(double(n) / rowTotal) : QString() });
            }
        }
    }
    return t;
}

Table pairCorrelationTable(const Analysis& analysis)
{
    Table t;
    t.header = { QStringLiteral("model"), QStringLiteral("pairs"), QStringLiteral("spearman_rho"),
        QStringLiteral("bootstrap_low"), QStringLiteral("bootstrap_high"), QStringLiteral("bootstrap_replicates") };
    for (const PairAgreement& p : analysis.pairAgreement)
        t.rows.push_back({ p.model, QString::number(p.spearman.points), csvNumber(p.spearman.rho),
            csvNumber(p.spearman.low), csvNumber(p.spearman.high), QString::number(p.spearman.replicates) });
    return t;
}

namespace {

QString agentKind(bool isModel)
{
    return isModel ? QStringLiteral("model") : QStringLiteral("people");
}

} // namespace

Table rocTable(const RocAnalysis& roc)
{
    Table t;
    t.header = { QStringLiteral("agent"), QStringLiteral("agent_kind"), QStringLiteral("threshold"),
        QStringLiteral("false_positive_rate"), QStringLiteral("true_positive_rate") };
    for (const RocCurve& c : roc.curves) {
        for (const RocPoint& p : c.points)
            t.rows.push_back({ c.agent, agentKind(c.isModel), csvNumber(p.threshold), csvNumber(p.falsePositiveRate),
                csvNumber(p.truePositiveRate) });
    }
    return t;
}

Table aucTable(const RocAnalysis& roc)
{
    Table t;
    t.header = { QStringLiteral("agent"), QStringLiteral("agent_kind"), QStringLiteral("real"),
        QStringLiteral("generated"), QStringLiteral("auc"), QStringLiteral("interval_low"),
        QStringLiteral("interval_high"), QStringLiteral("interval"), QStringLiteral("replicates") };
    for (const RocCurve& c : roc.curves)
        t.rows.push_back({ c.agent, agentKind(c.isModel), QString::number(c.auc.positives),
            QString::number(c.auc.negatives), csvNumber(c.auc.auc), csvNumber(c.auc.low), csvNumber(c.auc.high),
            c.interval, QString::number(c.auc.replicates) });
    return t;
}

Table calibrationTable(const RocAnalysis& roc)
{
    Table t;
    t.header = { QStringLiteral("agent"), QStringLiteral("agent_kind"), QStringLiteral("bin"), QStringLiteral("n"),
        QStringLiteral("mean_predicted"), QStringLiteral("observed"), QStringLiteral("wilson_low"),
        QStringLiteral("wilson_high"), QStringLiteral("ece") };
    for (const ConfidenceAccuracy& c : roc.peopleConfidence)
        t.rows.push_back(
            { peopleAgent(), agentKind(false), QString::number(c.level), QString::number(c.accuracy.trials), QString(),
                csvNumber(c.accuracy.estimate), csvNumber(c.accuracy.low), csvNumber(c.accuracy.high), QString() });
    for (const ModelCalibration& m : roc.models) {
        for (const ReliabilityBin& b : m.reliability.bins) {
            const Proportion w = wilsonInterval(int(std::lround(b.observed * b.count)), b.count);
            t.rows.push_back(
                { m.model, agentKind(true), QStringLiteral("%1-%2").arg(csvNumber(b.low), csvNumber(b.high)),
                    QString::number(b.count), csvNumber(b.meanPredicted), csvNumber(b.observed), csvNumber(w.low),
                    csvNumber(w.high), csvNumber(m.reliability.expectedCalibrationError) });
        }
    }
    return t;
}

Table marksTable(const std::vector<MarkedTrial>& trials)
{
    Table t;
    t.header = { QStringLiteral("study"), QStringLiteral("session_id"), QStringLiteral("participant"),
        QStringLiteral("simulated"), QStringLiteral("trial_index"), QStringLiteral("trial_type"),
        QStringLiteral("answer"), QStringLiteral("correct"), QStringLiteral("position"), QStringLiteral("image_id"),
        QStringLiteral("image"), QStringLiteral("source"), QStringLiteral("category"), QStringLiteral("image_width"),
        QStringLiteral("image_height"), QStringLiteral("x"), QStringLiteral("y"), QStringLiteral("u"),
        QStringLiteral("v"), QStringLiteral("reason"), QStringLiteral("marked_utc") };
    for (const MarkedTrial& m : trials) {
        const ResponseRow& r = m.row;
        for (const Mark& p : m.marks.points) {
            const PoolImage image = p.position >= 0 && std::size_t(p.position) < r.shown.size()
                ? r.shown[std::size_t(p.position)]
                : PoolImage {};
            t.rows.push_back({ r.study, QString::number(r.sessionId), r.participant,
                r.simulated ? QStringLiteral("1") : QStringLiteral("0"), QString::number(r.trial.index),
                trialTypeName(r.trial.type), QString::number(r.response.answer),
                r.response.correct ? QStringLiteral("1") : QStringLiteral("0"), QString::number(p.position + 1),
                QString::number(p.imageId), image.relativePath, image.source, image.category,
                QString::number(image.width), QString::number(image.height), csvNumber(p.x), csvNumber(p.y),
                csvNumber(p.u), csvNumber(p.v), m.marks.reason, m.markedUtc.toString(Qt::ISODateWithMs) });
        }
    }
    return t;
}

Table selfConsistencyTable(const std::vector<SelfConsistency>& consistency, const Analysis& analysis)
{
    Table t;
    t.header = { QStringLiteral("agent"), QStringLiteral("agent_kind"), QStringLiteral("pairs"),
        QStringLiteral("same_answer"), QStringLiteral("same_low"), QStringLiteral("same_high"), QStringLiteral("kappa"),
        QStringLiteral("ceiling_kappa"), QStringLiteral("share_of_ceiling") };
    double ceiling = std::nan("");
    for (const SelfConsistency& c : consistency) {
        const bool pooled = c.participant == peopleAgent();
        if (pooled)
            ceiling = c.errors.kappa;
        t.rows.push_back({ c.participant, pooled ? QStringLiteral("people") : QStringLiteral("participant"),
            QString::number(c.pairs), csvNumber(c.sameAnswer.estimate), csvNumber(c.sameAnswer.low),
            csvNumber(c.sameAnswer.high), csvNumber(c.errors.kappa), QString(), QString() });
    }
    // Each model's kappa with the pooled people over all trials, against what people reach with themselves.
    for (const ConsistencyRow& r : analysis.errorConsistency) {
        if (r.ceiling || r.group != QLatin1String("all") || r.first != peopleAgent())
            continue;
        t.rows.push_back({ r.second, QStringLiteral("model"), QString::number(r.consistency.trials), QString(),
            QString(), QString(), csvNumber(r.consistency.kappa), csvNumber(ceiling),
            csvNumber(std::isfinite(ceiling) && ceiling > 0.0 ? r.consistency.kappa / ceiling : std::nan("")) });
    }
    return t;
}

Table signalDetectionTable(const Analysis& analysis)
{
    Table t;
    t.header
        = { QStringLiteral("agent"), QStringLiteral("agent_kind"), QStringLiteral("grouping"), QStringLiteral("group"),
              QStringLiteral("real_trials"), QStringLiteral("hits"), QStringLiteral("generated_trials"),
              QStringLiteral("false_alarms"), QStringLiteral("hit_rate"), QStringLiteral("false_alarm_rate"),
              QStringLiteral("d_prime"), QStringLiteral("criterion"), QStringLiteral("log_linear_correction") };
    for (const SignalDetectionRow& r : analysis.signalDetection) {
        const QString kind = r.isModel ? QStringLiteral("model")
                                       : (r.isParticipant ? QStringLiteral("participant") : QStringLiteral("people"));
        t.rows.push_back({ r.agent, kind, r.grouping, r.group, QString::number(r.realTrials), QString::number(r.hits),
            QString::number(r.generatedTrials), QString::number(r.falseAlarms), csvNumber(r.sdt.hitRate),
            csvNumber(r.sdt.falseAlarmRate), csvNumber(r.sdt.dPrime), csvNumber(r.sdt.criterion),
            r.sdt.corrected ? QStringLiteral("1") : QStringLiteral("0") });
    }
    return t;
}

Table exposureTable(const ExposureAnalysis& exposure)
{
    Table t;
    t.header = { QStringLiteral("agent"), QStringLiteral("agent_kind"), QStringLiteral("exposure_frames"),
        QStringLiteral("mean_exposure_ms"), QStringLiteral("min_exposure_ms"), QStringLiteral("max_exposure_ms"),
        QStringLiteral("frame_rate_hz"), QStringLiteral("trials"), QStringLiteral("correct"),
        QStringLiteral("accuracy"), QStringLiteral("wilson_low"), QStringLiteral("wilson_high") };
    for (const ExposureLevel& l : exposure.levels) {
        t.rows.push_back(
            { l.participant, l.participant == peopleAgent() ? QStringLiteral("people") : QStringLiteral("participant"),
                QString::number(l.frames), csvNumber(l.meanExposureMs), csvNumber(l.minExposureMs),
                csvNumber(l.maxExposureMs), csvNumber(l.meanFrameRateHz), QString::number(l.accuracy.trials),
                QString::number(l.accuracy.successes), csvNumber(l.accuracy.estimate), csvNumber(l.accuracy.low),
                csvNumber(l.accuracy.high) });
    }
    return t;
}

Table staircaseTable(const ExposureAnalysis& exposure)
{
    Table t;
    t.header = { QStringLiteral("participant"), QStringLiteral("session_id"), QStringLiteral("trials"),
        QStringLiteral("reversals"), QStringLiteral("reversal_frames"), QStringLiteral("threshold_frames"),
        QStringLiteral("threshold_ms"), QStringLiteral("target_accuracy") };
    for (const StaircaseResult& s : exposure.staircases) {
        QStringList reversals;
        for (int f : s.reversalFrames)
            reversals << QString::number(f);
        t.rows.push_back({ s.participant, QString::number(s.sessionId), QString::number(s.trials),
            QString::number(s.reversalFrames.size()), reversals.join(QLatin1Char('|')), csvNumber(s.thresholdFrames),
            csvNumber(s.thresholdMs), csvNumber(s.target) });
    }
    return t;
}

Table participantTable(const Analysis& analysis)
{
    Table t;
    t.header = { QStringLiteral("participant"), QStringLiteral("session_id"), QStringLiteral("simulated"),
        QStringLiteral("trials"), QStringLiteral("correct"), QStringLiteral("accuracy"), QStringLiteral("wilson_low"),
        QStringLiteral("wilson_high"), QStringLiteral("catch_trials"), QStringLiteral("catch_correct"),
        QStringLiteral("excluded"), QStringLiteral("exclusion_reason") };
    for (const ParticipantSummary& p : analysis.participants) {
        const Proportion a = wilsonInterval(p.correct, p.trials);
        t.rows.push_back(
            { p.code, QString::number(p.sessionId), p.simulated ? QStringLiteral("1") : QStringLiteral("0"),
                QString::number(p.trials), QString::number(p.correct), csvNumber(a.estimate), csvNumber(a.low),
                csvNumber(a.high), QString::number(p.catchTrials), QString::number(p.catchCorrect),
                p.excluded ? QStringLiteral("1") : QStringLiteral("0"), p.exclusionReason });
    }
    return t;
}

Table imageTable(const std::vector<PoolImage>& images, const QHash<qint64, ImageHumanResult>& people,
    const QMap<QString, QHash<qint64, float>>& pRealByModel, const QHash<qint64, QStringList>& tags,
    const QHash<qint64, QString>& notes)
{
    Table t;
    t.header
        = { QStringLiteral("image_id"), QStringLiteral("path"), QStringLiteral("source"), QStringLiteral("category"),
              QStringLiteral("people_trials"), QStringLiteral("people_correct"), QStringLiteral("people_share_correct"),
              QStringLiteral("pick_trials"), QStringLiteral("times_chosen"), QStringLiteral("median_rt_ms") };
    for (auto it = pRealByModel.cbegin(); it != pRealByModel.cend(); ++it)
        t.header << QStringLiteral("p_real[%1]").arg(it.key());
    t.header << QStringLiteral("tags") << QStringLiteral("note");
    for (const PoolImage& image : images) {
        const ImageHumanResult r = people.value(image.id);
        QStringList row { QString::number(image.id), image.path, image.source, image.category,
            QString::number(r.trials), QString::number(r.correct),
            r.trials > 0 ? csvNumber(r.shareCorrect()) : QString(), QString::number(r.pickTrials),
            QString::number(r.chosen), csvNumber(r.medianRtMs()) };
        for (auto it = pRealByModel.cbegin(); it != pRealByModel.cend(); ++it) {
            const auto p = it->constFind(image.id);
            row << (p == it->cend() ? QString() : csvNumber(*p));
        }
        row << tags.value(image.id).join(QStringLiteral("; ")) << notes.value(image.id);
        t.rows.push_back(row);
    }
    return t;
}

Status writeTableCsv(QIODevice& device, const Table& table, const QString& destination)
{
    CsvWriter csv(&device);
    csv.writeRow(table.header);
    for (const QStringList& row : table.rows)
        csv.writeRow(row);
    if (!csv.ok())
        return Error { QStringLiteral("%1: cannot write: %2").arg(destination, device.errorString()) };
    return {};
}

} // namespace ntt
