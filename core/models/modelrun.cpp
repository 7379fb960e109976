#include "models/modelrun.h"

#include "models/preprocess.h"
#include "pool/imagedecode.h"

#include <QElapsedTimer>
#include <QThread>

#include <cmath>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

namespace ntt {

namespace {

// A prepared batch handed from the decoding thread to the inference loop.
struct PreparedBatch
{
    std::vector<std::size_t> indices; ///< into the run's items
    std::vector<PreparedImage> images; ///< for the indices that decoded
    std::vector<std::size_t> decoded; ///< which indices the images belong to
    std::vector<std::pair<std::size_t, QString>> failures;
};

// Bounded hand-over of batches: the decoder runs at most `capacity` batches ahead.
class BatchQueue
{
public:
    explicit BatchQueue(std::size_t capacity)
        : m_capacity(capacity)
    { }

    bool push(PreparedBatch batch)
    {
        std::unique_lock lock(m_mutex);
        m_notFull.wait(lock, [this] { return m_items.size() < m_capacity || m_closed; });
        if (m_closed)
            return false;
        m_items.push_back(std::move(batch));
        m_notEmpty.notify_one();
        return true;
    }

    std::optional<PreparedBatch> pop()
    {
        std::unique_lock lock(m_mutex);
        m_notEmpty.wait(lock, [this] { return !m_items.empty() || m_finished || m_closed; });
        if (m_items.empty())
            return std::nullopt;
        PreparedBatch batch = std::move(m_items.front());
        m_items.pop_front();
        m_notFull.notify_one();
        return batch;
    }

    void finish()
    {
        std::lock_guard lock(m_mutex);
        m_finished = true;
        m_notEmpty.notify_all();
    }

    void close()
    {
        std::lock_guard lock(m_mutex);
        m_closed = true;
        m_notFull.notify_all();
        m_notEmpty.notify_all();
    }

private:
    std::size_t m_capacity;
    std::deque<PreparedBatch> m_items;
    std::mutex m_mutex;
    std::condition_variable m_notFull;
    std::condition_variable m_notEmpty;
    bool m_finished = false;
    bool m_closed = false;
};

} // namespace

Status runClassifier(Classifier& classifier, const std::vector<ModelRunItem>& items, int batchSize,
    const CancelToken& cancel, const ProgressFn& progress,
    const std::function<Status(const std::vector<ImagePrediction>&)>& onBatch, const std::atomic_bool* paused)
{
    if (batchSize < 1)
        return Error { QStringLiteral("batch size %1 must be at least 1").arg(batchSize) };
    // A model that cannot take a batch, or whose outputs depend on it, gets what it takes.
    if (classifier.spec().maxBatch > 0)
        batchSize = std::min(batchSize, classifier.spec().maxBatch);
    const InputSpec input = classifier.spec().input;
    BatchQueue queue(2);
    std::thread decoder([&] {
        for (std::size_t start = 0; start < items.size(); start += static_cast<std::size_t>(batchSize)) {
            if (cancel.isCancelled())
                break;
            PreparedBatch batch;
            const std::size_t end = std::min(items.size(), start + static_cast<std::size_t>(batchSize));
            for (std::size_t i = start; i < end; ++i) {
                batch.indices.push_back(i);
                // Predictions are keyed by the image's hash, so the bytes hashed are the bytes decoded:
                // a file changed since the study was made would otherwise be predicted under the hash
                // of other bytes, and the wrong prediction kept after it is restored.
                const ModelRunItem& item = items[i];
                const auto file = readFileBytes(item.path);
                if (!file) {
                    batch.failures.emplace_back(i, file.error());
                    continue;
                }
                if (!item.imageHash.isEmpty() && file->sha256 != item.imageHash) {
                    batch.failures.emplace_back(i,
                        QStringLiteral("%1: the file changed since the study was made (SHA-256 %2, the study's is "
                                       "%3); restore it, or make a new study from the pool")
                            .arg(item.path, file->sha256.left(12), item.imageHash.left(12)));
                    continue;
                }
                auto prepared = prepareImageData(file->bytes, input);
                if (!prepared)
                    prepared = Error { QStringLiteral("%1: %2").arg(item.path, prepared.error()) };
                if (prepared) {
                    batch.images.push_back(std::move(prepared).value());
                    batch.decoded.push_back(i);
                } else {
                    batch.failures.emplace_back(i, prepared.error());
                }
            }
            if (!queue.push(std::move(batch)))
                return;
        }
        queue.finish();
    });

    Status status;
    qint64 done = 0;
    const qint64 total = static_cast<qint64>(items.size());
    QElapsedTimer clock;
    clock.start();
    while (auto batch = queue.pop()) {
        while (paused && paused->load() && !cancel.isCancelled())
            QThread::msleep(50);
        if (cancel.isCancelled()) {
            status = Error { QStringLiteral("model run cancelled") };
            break;
        }
        std::vector<ImagePrediction> results;
        for (const auto& [index, message] : batch->failures)
            results.push_back({ items[index].imageId, items[index].imageHash, Prediction {}, message });
        if (!batch->images.empty()) {
            auto predictions = classifier.predict(batch->images);
            if (!predictions) {
                status = Error { predictions.error() };
                break;
            }
            for (std::size_t k = 0; k < batch->decoded.size(); ++k) {
                const ModelRunItem& item = items[batch->decoded[k]];
                ImagePrediction p { item.imageId, item.imageHash, predictions->at(k), QString() };
                if (std::isnan(p.prediction.pReal))
                    p.error = QStringLiteral("%1: the model gave NaN for %2").arg(classifier.path(), item.path);
                results.push_back(std::move(p));
            }
        }
        if (onBatch) {
            if (const Status stored = onBatch(results); !stored) {
                status = stored;
                break;
            }
        }
        done += static_cast<qint64>(batch->indices.size());
        if (progress) {
            const double perImage = static_cast<double>(clock.elapsed()) / static_cast<double>(done);
            const qint64 etaSeconds = static_cast<qint64>(perImage * static_cast<double>(total - done) / 1000.0);
            progress(done, total,
                QStringLiteral("%1: %2/%3 images, about %4 s left")
                    .arg(classifier.spec().name)
                    .arg(done)
                    .arg(total)
                    .arg(etaSeconds));
        }
    }
    queue.close();
    decoder.join();
    return status;
}

namespace {

// Argmax with ties to the first.
int firstMax(const std::vector<double>& values)
{
    return static_cast<int>(std::max_element(values.begin(), values.end()) - values.begin());
}

} // namespace

std::optional<Response> modelAnswer(
    const Trial& trial, const QHash<qint64, ImageScores>& scores, const ModelSpec& spec, double threshold)
{
    std::vector<const ImageScores*> shown;
    for (qint64 id : trial.imageIds) {
        const auto it = scores.constFind(id);
        if (it == scores.constEnd())
            return std::nullopt;
        shown.push_back(&*it);
    }
    if (shown.empty())
        return std::nullopt;
    Response r;
    r.trialId = trial.id;
    r.trialIndex = trial.index;
    switch (trial.type) {
    case TrialType::PickReal:
    case TrialType::PickFake:
    case TrialType::RealOrFake: {
        std::vector<double> p;
        for (const ImageScores* s : shown) {
            if (std::isnan(s->pReal) || s->pReal < 0.0f)
                return std::nullopt;
            p.push_back(static_cast<double>(s->pReal));
        }
        if (trial.type == TrialType::PickReal)
            r.answer = firstMax(p);
        else if (trial.type == TrialType::PickFake)
            r.answer = static_cast<int>(std::min_element(p.begin(), p.end()) - p.begin());
        else
            r.answer = p.front() >= threshold ? 0 : 1;
        break;
    }
    case TrialType::WhichSource:
    case TrialType::WhichCategory: {
        const OutputKind needed
            = trial.type == TrialType::WhichSource ? OutputKind::SourceClasses : OutputKind::CategoryClasses;
        if (spec.output != needed || trial.correctPosition < 0 || trial.correctPosition >= trial.choices.size())
            return std::nullopt;
        const QMap<QString, double> mass = spec.labelProbabilities(shown.front()->classProbabilities);
        if (mass.isEmpty() || !mass.contains(trial.choices[trial.correctPosition]))
            return std::nullopt;
        std::vector<double> offered;
        for (const QString& name : trial.choices)
            offered.push_back(mass.value(name, 0.0));
        r.answer = firstMax(offered);
        break;
    }
    case TrialType::PickSource: {
        if (spec.output != OutputKind::SourceClasses)
            return std::nullopt;
        std::vector<double> p;
        for (const ImageScores* s : shown) {
            const QMap<QString, double> mass = spec.labelProbabilities(s->classProbabilities);
            if (mass.isEmpty() || !mass.contains(trial.targetSource))
                return std::nullopt;
            p.push_back(mass.value(trial.targetSource));
        }
        r.answer = firstMax(p);
        break;
    }
    }
    r.correct = isCorrectAnswer(trial, r.answer);
    r.rtClock = QStringLiteral("model");
    return r;
}

} // namespace ntt
