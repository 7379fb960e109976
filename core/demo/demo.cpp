#include "demo/demo.h"

#include "logging.h"
#include "study/rng.h"

#include <QCoreApplication>
#include <QDir>
#include <QSaveFile>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <vector>

namespace ntt {
namespace {

class Text
{
    Q_DECLARE_TR_FUNCTIONS(ntt::DemoPool)
};

enum class ShapeFamily { Disk, Rectangle, Bar };

struct DemoCategory
{
    const char* name;
    ShapeFamily family;
};

constexpr std::array<DemoCategory, 3> kCategories = { {
    { "disks", ShapeFamily::Disk },
    { "squares", ShapeFamily::Rectangle },
    { "stripes", ShapeFamily::Bar },
} };

constexpr const char* kReal = "real";
constexpr const char* kUpsampler = "upsampler";
constexpr const char* kCheckerboard = "checkerboard";

// Dead-leaves parameters, in pixels of the full-resolution image.
constexpr double kMinRadiusPx = 2.0;
constexpr double kMaxRadiusFraction = 1.0 / 3.0;
constexpr double kOpticsBlurSigma = 0.6;
constexpr double kSensorNoiseSigma = 1.2;
constexpr int kUpsamplingFactor = 4;
constexpr double kUpsamplerNoiseSigma = 0.5;
// Transposed-convolution artefact: one 2 x 2 tile repeated, mostly the (N/2, N/2) frequency with a
// weaker horizontal component, as a stride-2 deconvolution with uneven kernel overlap leaves it.
constexpr float kCheckerTile[2][2] = { { 4.0f, -4.0f }, { -2.0f, 2.0f } }; // [y % 2][x % 2]

// Natural-ish surface colours (B, G, R): foliage, dark foliage, bark, soil, sand, sky, stone, ochre,
// brick, chalk.
constexpr std::array<std::array<float, 3>, 10> kPalette = { {
    { 45, 100, 70 },
    { 30, 60, 40 },
    { 50, 75, 100 },
    { 70, 100, 130 },
    { 130, 170, 190 },
    { 190, 150, 120 },
    { 120, 128, 128 },
    { 60, 130, 170 },
    { 50, 70, 150 },
    { 195, 205, 210 },
} };

/// One occluding shape of a dead-leaves scene. Geometry is in scene units: [0, 1) spans the image.
struct Leaf
{
    double cx = 0, cy = 0;
    double halfU = 0, halfV = 0; // half extents along the shape's own axes; a disk's radius is halfU
    double cosA = 1, sinA = 0;
    bool round = false;
    std::array<float, 3> bgr {};
    double shade = 0; // grey levels added across the shape along its u axis (mild illumination gradient)
    double gratingAmplitude = 0; // grey levels
    double gratingFu = 0, gratingFv = 0; // cycles per scene unit along u and v
    double gratingPhase = 0;
    double grain = 0; // standard deviation of the per-shape noise texture, grey levels

    double extentX() const { return round ? halfU : std::abs(cosA) * halfU + std::abs(sinA) * halfV; }
    double extentY() const { return round ? halfU : std::abs(sinA) * halfU + std::abs(cosA) * halfV; }

    bool contains(double x, double y, double& u, double& v) const
    {
        const double dx = x - cx;
        const double dy = y - cy;
        u = dx * cosA + dy * sinA;
        v = -dx * sinA + dy * cosA;
        if (round)
            return u * u + v * v <= halfU * halfU;
        return std::abs(u) <= halfU && std::abs(v) <= halfV;
    }
};

struct Scene
{
    std::vector<Leaf> leaves; // front to back
    std::array<float, 3> background {};
    std::uint64_t grainSeed = 0;
    std::uint64_t sensorSeed = 0;
    std::uint64_t upsamplerSeed = 0;
};

double uniformIn(Rng& rng, double low, double high)
{
    return low + (high - low) * rng.uniform();
}

// Inverse CDF of p(r) ~ r^-3 on [rmin, rmax]: the scale-invariant size law of dead-leaves models,
// which gives the roughly 1/f^2 power spectrum of natural images.
double powerLawRadius(Rng& rng, double rmin, double rmax)
{
    const double a = 1.0 / (rmin * rmin);
    const double b = 1.0 / (rmax * rmax);
    return 1.0 / std::sqrt(a - rng.uniform() * (a - b));
}

Leaf sampleLeaf(Rng& rng, ShapeFamily family, int size, double dominantAngle)
{
    Leaf leaf;
    const double r = powerLawRadius(rng, kMinRadiusPx, std::max(kMinRadiusPx * 2, size * kMaxRadiusFraction)) / size;
    constexpr double margin = 0.05;
    leaf.cx = uniformIn(rng, -margin, 1 + margin);
    leaf.cy = uniformIn(rng, -margin, 1 + margin);
    double angle = 0;
    switch (family) {
    case ShapeFamily::Disk:
        leaf.round = true;
        leaf.halfU = leaf.halfV = r;
        angle = uniformIn(rng, 0, 2 * M_PI);
        break;
    case ShapeFamily::Rectangle: {
        const double stretch = std::sqrt(uniformIn(rng, 1.0, 1.6));
        leaf.halfU = r * stretch;
        leaf.halfV = r / stretch;
        angle = rng.uniform() < 0.5 ? 0.0 : uniformIn(rng, 0, M_PI);
        break;
    }
    case ShapeFamily::Bar:
        leaf.halfU = 2.2 * r;
        leaf.halfV = 0.35 * r;
        // Bars lean around one direction per scene, like grass or reeds.
        angle = dominantAngle + 0.4 * rng.normal();
        break;
    }
    leaf.cosA = std::cos(angle);
    leaf.sinA = std::sin(angle);

    const auto& base = kPalette[rng.below(kPalette.size())];
    const double brightness = uniformIn(rng, 0.6, 1.25);
    for (int c = 0; c < 3; ++c) {
        const double value = base[c] * brightness + 10.0 * rng.normal();
        leaf.bgr[c] = static_cast<float>(std::clamp(value, 16.0, 236.0));
    }
    leaf.shade = 8.0 * rng.normal();
    if (rng.uniform() < 0.5) {
        const double periodPx = uniformIn(rng, 3.0, 24.0);
        const double direction = uniformIn(rng, 0, M_PI);
        leaf.gratingAmplitude = uniformIn(rng, 2.0, 8.0);
        leaf.gratingFu = size / periodPx * std::cos(direction);
        leaf.gratingFv = size / periodPx * std::sin(direction);
        leaf.gratingPhase = uniformIn(rng, 0, 2 * M_PI);
    } else {
        leaf.grain = uniformIn(rng, 0.5, 5.0);
    }
    return leaf;
}

/// Which leaf is visible at each pixel of a resolution x resolution raster (-1: none).
class OwnerMap
{
public:
    explicit OwnerMap(int resolution)
        : m_resolution(resolution)
        , m_owner(static_cast<std::size_t>(resolution) * resolution, -1)
        , m_uncovered(static_cast<qint64>(resolution) * resolution)
    { }

    int resolution() const { return m_resolution; }
    bool covered() const { return m_uncovered == 0; }
    int owner(int x, int y) const { return m_owner[static_cast<std::size_t>(y) * m_resolution + x]; }

    // Leaves arrive front to back, so a leaf only claims the pixels no earlier leaf holds.
    void add(const Leaf& leaf, int index)
    {
        const double n = m_resolution;
        const int x0 = std::max(0, static_cast<int>(std::floor((leaf.cx - leaf.extentX()) * n - 0.5)));
        const int x1 = std::min(m_resolution - 1, static_cast<int>(std::ceil((leaf.cx + leaf.extentX()) * n - 0.5)));
        const int y0 = std::max(0, static_cast<int>(std::floor((leaf.cy - leaf.extentY()) * n - 0.5)));
        const int y1 = std::min(m_resolution - 1, static_cast<int>(std::ceil((leaf.cy + leaf.extentY()) * n - 0.5)));
        double u, v;
        for (int y = y0; y <= y1; ++y) {
            int* row = m_owner.data() + static_cast<std::size_t>(y) * m_resolution;
            const double sy = (y + 0.5) / n;
            for (int x = x0; x <= x1; ++x) {
                if (row[x] < 0 && leaf.contains((x + 0.5) / n, sy, u, v)) {
                    row[x] = index;
                    --m_uncovered;
                }
            }
        }
    }

private:
    int m_resolution;
    std::vector<int> m_owner;
    qint64 m_uncovered;
};

// Samples leaves until the full-resolution raster is covered. The scene depends on the Rng stream
// only, so every source rendered from it shows the same picture.
Scene sampleScene(Rng& rng, ShapeFamily family, int size, OwnerMap& fullResolution)
{
    Scene scene;
    scene.grainSeed = rng.next();
    scene.sensorSeed = rng.next();
    scene.upsamplerSeed = rng.next();
    for (int c = 0; c < 3; ++c)
        scene.background[c] = static_cast<float>(uniformIn(rng, 90, 140));
    const double dominantAngle = uniformIn(rng, 0, M_PI);
    // One leaf per pixel bounds the loop far above what covering needs (0.13 per pixel on average at 256 px).
    const auto maxLeaves = static_cast<std::size_t>(size) * size;
    while (!fullResolution.covered() && scene.leaves.size() < maxLeaves) {
        scene.leaves.push_back(sampleLeaf(rng, family, size, dominantAngle));
        fullResolution.add(scene.leaves.back(), static_cast<int>(scene.leaves.size()) - 1);
    }
    return scene;
}

// Irwin-Hall sum of four 16-bit uniforms from one draw, scaled to unit variance: close enough to a
// Gaussian for sensor noise and grain, and free of libm calls, which cost most of the time otherwise.
float approximateNormal(Rng& rng)
{
    const std::uint64_t r = rng.next();
    const double sum = double(r & 0xffff) + double((r >> 16) & 0xffff) + double((r >> 32) & 0xffff) + double(r >> 48);
    return static_cast<float>((sum - 2 * 65535.0) * (std::sqrt(3.0) / 65536.0));
}

cv::Mat gaussianNoise(int resolution, int channels, std::uint64_t seed, double sigma)
{
    Rng rng(seed);
    cv::Mat noise(resolution, resolution, CV_32FC(channels));
    float* p = noise.ptr<float>();
    const std::size_t count = noise.total() * channels;
    const auto scale = static_cast<float>(sigma);
    for (std::size_t i = 0; i < count; ++i)
        p[i] = scale * approximateNormal(rng);
    return noise;
}

// Shades every pixel with the colour and texture of the leaf that owns it.
cv::Mat renderScene(const Scene& scene, const OwnerMap& owners)
{
    const int n = owners.resolution();
    const cv::Mat grain = gaussianNoise(n, 1, scene.grainSeed, 1.0);
    cv::Mat image(n, n, CV_32FC3);
    for (int y = 0; y < n; ++y) {
        auto* out = image.ptr<cv::Vec3f>(y);
        const float* g = grain.ptr<float>(y);
        const double sy = (y + 0.5) / n;
        for (int x = 0; x < n; ++x) {
            const int index = owners.owner(x, y);
            if (index < 0) {
                out[x] = { scene.background[0], scene.background[1], scene.background[2] };
                continue;
            }
            const Leaf& leaf = scene.leaves[index];
            double u, v;
            leaf.contains((x + 0.5) / n, sy, u, v);
            double texture = leaf.shade * u / leaf.halfU + leaf.grain * g[x];
            if (leaf.gratingAmplitude > 0)
                texture += leaf.gratingAmplitude
                    * std::sin(2 * M_PI * (leaf.gratingFu * u + leaf.gratingFv * v) + leaf.gratingPhase);
            const float t = static_cast<float>(texture);
            out[x] = { leaf.bgr[0] + t, leaf.bgr[1] + t, leaf.bgr[2] + t };
        }
    }
    return image;
}

cv::Mat blurred(const cv::Mat& image)
{
    cv::Mat out;
    cv::GaussianBlur(image, out, cv::Size(5, 5), kOpticsBlurSigma, kOpticsBlurSigma, cv::BORDER_REFLECT101);
    return out;
}

struct SourceImages
{
    cv::Mat real, upsampler, checkerboard; // 8-bit BGR
};

SourceImages renderSources(const Scene& scene, const OwnerMap& fullResolution, int size)
{
    SourceImages out;
    const cv::Mat rendered = renderScene(scene, fullResolution);
    const cv::Mat optics = blurred(rendered);
    const cv::Mat sensed = optics + gaussianNoise(size, 3, scene.sensorSeed, kSensorNoiseSigma);
    sensed.convertTo(out.real, CV_8UC3);

    cv::Mat pattern(size, size, CV_32FC3);
    for (int y = 0; y < size; ++y) {
        auto* p = pattern.ptr<cv::Vec3f>(y);
        for (int x = 0; x < size; ++x) {
            const float a = kCheckerTile[y % 2][x % 2];
            p[x] = { a, a, a };
        }
    }
    cv::Mat(sensed + pattern).convertTo(out.checkerboard, CV_8UC3);

    // Area-averaging the full-resolution render is the scene rendered at low resolution with 4 x 4
    // supersampling: anti-aliased, as a generator's low-resolution output would be.
    const int low = std::max(8, size / kUpsamplingFactor);
    cv::Mat lowResolution, upscaled;
    cv::resize(rendered, lowResolution, cv::Size(low, low), 0, 0, cv::INTER_AREA);
    cv::resize(lowResolution, upscaled, cv::Size(size, size), 0, 0, cv::INTER_CUBIC);
    cv::Mat(upscaled + gaussianNoise(size, 3, scene.upsamplerSeed, kUpsamplerNoiseSigma))
        .convertTo(out.upsampler, CV_8UC3);
    return out;
}

Status writePng(const cv::Mat& image, const QString& path)
{
    std::vector<uchar> bytes;
    try {
        if (!cv::imencode(".png", image, bytes))
            return Error { Text::tr("%1: PNG encoding failed").arg(path) };
    } catch (const cv::Exception& e) {
        return Error { Text::tr("%1: PNG encoding failed (%2)").arg(path, QString::fromStdString(e.what())) };
    }
    // A plain write, not QSaveFile: its fsync per file tripled the run time, and a file cut short by
    // a crash is simply rewritten when the demo is generated again.
    QFile file(path);
    const auto size = static_cast<qint64>(bytes.size());
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate)
        || file.write(reinterpret_cast<const char*>(bytes.data()), size) != size)
        return Error { Text::tr("%1: cannot write (%2)").arg(path, file.errorString()) };
    return {};
}

QByteArray readme(const DemoPoolOptions& options, int imageCount)
{
    QString text = QStringLiteral(
        "SYNTHETIC demo pool generated by NameThatTrue (seed %1): not real photographs.\n"
        "\n"
        "%2 images of %3 x %3 pixels, laid out as <source>/<category>/<category>-<NNN>.png.\n"
        "Files with the same name in one category show the same scene (they share a pair key).\n"
        "\n"
        "Categories (the shape family of the dead-leaves scene): disks, squares, stripes.\n"
        "\n"
        "Sources and their fingerprints:\n"
        "  real          dead-leaves model at full resolution: textured occluding shapes with power-law\n"
        "                sizes (p(r) ~ r^-3), gentle optical blur and sensor noise, so the power spectrum\n"
        "                falls roughly like that of natural images.\n"
        "  upsampler     the same scene rendered at 1/%4 of the size and upscaled bicubically: the high\n"
        "                frequencies are missing.\n"
        "  checkerboard  the same scene at full resolution plus a faint 2-pixel periodic pattern of about\n"
        "                4 grey levels, like transposed-convolution artefacts: a peak at the Nyquist\n"
        "                frequency of the spectrum, hard to see by eye.\n")
                       .arg(options.seed)
                       .arg(imageCount)
                       .arg(options.size)
                       .arg(kUpsamplingFactor);
    return text.toUtf8();
}

} // namespace

Result<DemoPool> generateDemoPool(const DemoPoolOptions& options, const CancelToken& cancel, const ProgressFn& progress)
{
    if (options.outputDir.isEmpty())
        return Error { Text::tr("demo pool: no output folder given") };
    if (options.size < 32 || options.size > 1024)
        return Error { Text::tr("demo pool: image size %1 is outside 32..1024").arg(options.size) };
    if (options.imagesPerSourceAndCategory < 1 || options.imagesPerSourceAndCategory > 1000)
        return Error { Text::tr("demo pool: %1 images per source and category is outside 1..1000")
                           .arg(options.imagesPerSourceAndCategory) };

    DemoPool pool;
    pool.root = QDir(options.outputDir).absolutePath();
    pool.sources = { QLatin1String(kReal), QLatin1String(kUpsampler), QLatin1String(kCheckerboard) };
    for (const DemoCategory& category : kCategories)
        pool.categories << QLatin1String(category.name);

    const QDir root(pool.root);
    for (const QString& source : std::as_const(pool.sources)) {
        for (const QString& category : std::as_const(pool.categories)) {
            const QString folder = root.filePath(source + QLatin1Char('/') + category);
            if (!QDir().mkpath(folder))
                return Error { Text::tr("%1: cannot create folder").arg(folder) };
        }
    }

    const int perCell = options.imagesPerSourceAndCategory;
    const qint64 total = static_cast<qint64>(kCategories.size()) * perCell * pool.sources.size();
    qint64 done = 0;
    for (std::size_t c = 0; c < kCategories.size(); ++c) {
        for (int i = 0; i < perCell; ++i) {
            if (cancel.isCancelled())
                return Error { Text::tr("demo generation cancelled") };
            // One stream per (category, image) ties the three sources of a pair to one scene.
            Rng rng
                = Rng::forStream(options.seed, (static_cast<std::uint64_t>(c) << 32) | static_cast<std::uint32_t>(i));
            OwnerMap fullResolution(options.size);
            const Scene scene = sampleScene(rng, kCategories[c].family, options.size, fullResolution);
            SourceImages images;
            try {
                images = renderSources(scene, fullResolution, options.size);
            } catch (const cv::Exception& e) {
                return Error { Text::tr("demo pool: rendering %1 image %2 failed (%3)")
                                   .arg(QLatin1String(kCategories[c].name))
                                   .arg(i)
                                   .arg(QString::fromStdString(e.what())) };
            }
            const QString name
                = QStringLiteral("%1-%2.png").arg(QLatin1String(kCategories[c].name)).arg(i, 3, 10, QLatin1Char('0'));
            const std::array<std::pair<const char*, const cv::Mat*>, 3> outputs = { {
                { kReal, &images.real },
                { kUpsampler, &images.upsampler },
                { kCheckerboard, &images.checkerboard },
            } };
            for (const auto& [source, image] : outputs) {
                const QString relative = QLatin1String(source) + QLatin1Char('/') + QLatin1String(kCategories[c].name)
                    + QLatin1Char('/') + name;
                if (const Status written = writePng(*image, root.filePath(relative)); !written)
                    return Error { written.error() };
                ++done;
                if (progress)
                    progress(done, total, relative);
            }
        }
    }
    pool.imageCount = static_cast<int>(done);
    qCDebug(lcDemo) << "wrote" << pool.imageCount << "demo images to" << pool.root;

    QSaveFile file(root.filePath(QStringLiteral("README.txt")));
    if (!file.open(QIODevice::WriteOnly) || file.write(readme(options, pool.imageCount)) < 0 || !file.commit())
        return Error { Text::tr("%1: cannot write (%2)").arg(file.fileName(), file.errorString()) };
    return pool;
}

StudyDefinition demoStudyDefinition(const DemoPool& pool)
{
    StudyDefinition d;
    d.name = Text::tr("Demo study (synthetic)");
    d.trialType = TrialType::PickReal;
    d.ways = 2;
    d.sources = pool.sources;
    d.categories = pool.categories;
    d.matching = RowMatching::PairKey;
    d.trialsPerParticipant = 24;
    d.practiceTrials = 3;
    d.catchTrials = 0;
    d.breakEvery = 12;
    d.feedback = false;
    d.confidence = false;
    d.seed = 7;
    d.instructions
        = Text::tr("This is a SYNTHETIC demo study. Each trial shows images side by side; exactly one is 'real' "
                   "(here: a full-resolution synthetic scene). Press 1 or 2 (or click) to choose it.\n\n"
                   "The other image comes from a simulated generator: one renders the scene at low resolution and "
                   "enlarges it, the other adds a faint checkerboard pattern. The first %1 trials are practice "
                   "and show whether you were right.")
              .arg(d.practiceTrials);
    d.consent = Text::tr("This demo records your answers and response times in a local study file, under a participant "
                         "code and without your name. Continue only if you agree; you may stop at any time.");
    d.normalisation.enabled = false;
    return d;
}

std::vector<StudyDefinition> demoPartDefinitions()
{
    StudyDefinition source;
    source.name = Text::tr("Which generator made it? (synthetic)");
    source.trialType = TrialType::WhichSource;
    source.ways = 1;
    source.matching = RowMatching::Category;
    source.trialsPerParticipant = 24;
    source.practiceTrials = 3;
    source.seed = 11;
    source.instructions = Text::tr(
        "This is a SYNTHETIC demo study. Each trial shows one image: a full-resolution synthetic scene (\"real\"), "
        "the same kind of scene rendered at low resolution and enlarged (\"upsampler\"), or one with a faint "
        "checkerboard pattern (\"checkerboard\"). Choose which made it.");

    StudyDefinition category;
    category.name = Text::tr("What does it show? (synthetic)");
    category.trialType = TrialType::WhichCategory;
    category.ways = 1;
    category.choices = 0; // three shape families: free choice
    category.trialsPerParticipant = 24;
    category.practiceTrials = 3;
    category.seed = 13;
    category.instructions = Text::tr("This is a SYNTHETIC demo study. Each trial shows one image; choose the shapes "
                                     "it is made of.");
    StudyDefinition realOrFake;
    realOrFake.name = Text::tr("Real or fake? (synthetic)");
    realOrFake.trialType = TrialType::RealOrFake;
    realOrFake.ways = 1;
    realOrFake.matching = RowMatching::Category;
    realOrFake.trialsPerParticipant = 24;
    realOrFake.practiceTrials = 3;
    realOrFake.repeatTrials = 6;
    realOrFake.confidence = true;
    realOrFake.marks.points = 3;
    realOrFake.marks.reasons = { Text::tr("texture"), Text::tr("blur"), Text::tr("edges"), Text::tr("other") };
    realOrFake.marks.kernelSigmaPx = 12.0;
    realOrFake.seed = 17;
    realOrFake.instructions = Text::tr(
        "This is a SYNTHETIC demo study. Each trial shows one image: a full-resolution synthetic scene (\"real\") "
        "or one from a simulated generator. Say whether it is real, then how sure you are (1 guessing .. 4 sure). "
        "When you say it is generated, click up to three places that gave it away, pick a reason (1 to 4) and "
        "press Enter.");
    StudyDefinition brief;
    brief.name = Text::tr("Brief exposure (synthetic)");
    brief.trialType = TrialType::RealOrFake;
    brief.ways = 1;
    brief.matching = RowMatching::Category;
    brief.trialsPerParticipant = 40;
    brief.practiceTrials = 2;
    brief.exposure.maskFrames = 6;
    brief.exposure.staircase.enabled = true;
    brief.exposure.staircase.startFrames = 12;
    brief.exposure.staircase.minFrames = 1;
    brief.exposure.staircase.maxFrames = 30;
    brief.exposure.staircase.stepFrames = { 4, 2, 1 };
    brief.exposure.staircase.down = 2;
    brief.exposure.staircase.up = 1;
    brief.exposure.staircase.thresholdReversals = 6;
    brief.seed = 19;
    brief.instructions = Text::tr(
        "This is a SYNTHETIC demo study. Each image is shown only for a moment, then covered by a pattern. Say "
        "whether it was real (F) or generated (J). The time it is shown adapts to your answers.");
    return { realOrFake, source, category, brief };
}

} // namespace ntt
