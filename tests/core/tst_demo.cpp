#include "demo/demo.h"
#include "study/stimulus.h"
#include "study/study.h"

#include <QDirIterator>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <complex>
#include <vector>

using namespace ntt;

namespace {

constexpr int kSize = 128;
constexpr int kPerCell = 4;

struct Grey
{
    int n = 0;
    std::vector<double> values; // row-major, n x n

    double at(int x, int y) const { return values[static_cast<std::size_t>(y) * n + x]; }
};

Grey loadGrey(const QString& path)
{
    const auto rgb = loadStimulus(path, 4096, 4096);
    if (!rgb || rgb->width != rgb->height)
        return {};
    Grey grey;
    grey.n = rgb->width;
    grey.values.resize(static_cast<std::size_t>(grey.n) * grey.n);
    const auto* p = reinterpret_cast<const uchar*>(rgb->pixels.constData());
    for (std::size_t i = 0; i < grey.values.size(); ++i)
        grey.values[i] = 0.299 * p[3 * i] + 0.587 * p[3 * i + 1] + 0.114 * p[3 * i + 2];
    return grey;
}

// In-place radix-2 FFT; n must be a power of two.
void fft(std::vector<std::complex<double>>& a)
{
    const std::size_t n = a.size();
    for (std::size_t i = 1, j = 0; i < n; ++i) {
        std::size_t bit = n >> 1;
        for (; j & bit; bit >>= 1)
            j ^= bit;
        j ^= bit;
        if (i < j)
            std::swap(a[i], a[j]);
    }
    for (std::size_t len = 2; len <= n; len <<= 1) {
        const std::complex<double> step = std::polar(1.0, -2 * M_PI / double(len));
        for (std::size_t i = 0; i < n; i += len) {
            std::complex<double> w = 1;
            for (std::size_t k = 0; k < len / 2; ++k) {
                const auto u = a[i + k];
                const auto v = a[i + k + len / 2] * w;
                a[i + k] = u + v;
                a[i + k + len / 2] = u - v;
                w *= step;
            }
        }
    }
}

/// Power spectrum |F(u, v)|^2 of the mean-free image, index [v * n + u], frequencies 0..n-1.
std::vector<double> powerSpectrum(const Grey& grey, bool hannWindow)
{
    const int n = grey.n;
    double mean = 0;
    for (double v : grey.values)
        mean += v;
    mean /= grey.values.size();
    std::vector<std::complex<double>> f(grey.values.size());
    for (int y = 0; y < n; ++y) {
        for (int x = 0; x < n; ++x) {
            const double w = hannWindow
                ? (0.5 - 0.5 * std::cos(2 * M_PI * x / n)) * (0.5 - 0.5 * std::cos(2 * M_PI * y / n))
                : 1.0;
            f[static_cast<std::size_t>(y) * n + x] = (grey.at(x, y) - mean) * w;
        }
    }
    std::vector<std::complex<double>> line(n);
    for (int y = 0; y < n; ++y) {
        std::copy_n(f.begin() + static_cast<std::ptrdiff_t>(y) * n, n, line.begin());
        fft(line);
        std::copy_n(line.begin(), n, f.begin() + static_cast<std::ptrdiff_t>(y) * n);
    }
    for (int x = 0; x < n; ++x) {
        for (int y = 0; y < n; ++y)
            line[y] = f[static_cast<std::size_t>(y) * n + x];
        fft(line);
        for (int y = 0; y < n; ++y)
            f[static_cast<std::size_t>(y) * n + x] = line[y];
    }
    std::vector<double> power(f.size());
    for (std::size_t i = 0; i < f.size(); ++i)
        power[i] = std::norm(f[i]);
    return power;
}

// Signed frequency of index k in an n-point DFT.
int signedFrequency(int k, int n)
{
    return k <= n / 2 ? k : k - n;
}

/// Share of the spectral energy beyond half the Nyquist frequency (radius > n / 4).
double highFrequencyShare(const Grey& grey)
{
    const auto power = powerSpectrum(grey, true);
    double high = 0, all = 0;
    for (int v = 0; v < grey.n; ++v) {
        for (int u = 0; u < grey.n; ++u) {
            const double p = power[static_cast<std::size_t>(v) * grey.n + u];
            all += p;
            if (std::hypot(signedFrequency(u, grey.n), signedFrequency(v, grey.n)) > grey.n / 4.0)
                high += p;
        }
    }
    return high / all;
}

/// Least-squares slope of log radial power against log frequency over 2..n/4 cycles per image.
double spectralSlope(const Grey& grey)
{
    const auto power = powerSpectrum(grey, true);
    const int maxRadius = grey.n / 4;
    std::vector<double> sum(maxRadius + 1, 0.0);
    std::vector<int> count(maxRadius + 1, 0);
    for (int v = 0; v < grey.n; ++v) {
        for (int u = 0; u < grey.n; ++u) {
            const int r
                = static_cast<int>(std::lround(std::hypot(signedFrequency(u, grey.n), signedFrequency(v, grey.n))));
            if (r >= 2 && r <= maxRadius) {
                sum[r] += power[static_cast<std::size_t>(v) * grey.n + u];
                ++count[r];
            }
        }
    }
    double sx = 0, sy = 0, sxx = 0, sxy = 0;
    int m = 0;
    for (int r = 2; r <= maxRadius; ++r) {
        const double x = std::log(double(r));
        const double y = std::log(sum[r] / count[r]);
        sx += x;
        sy += y;
        sxx += x * x;
        sxy += x * y;
        ++m;
    }
    return (m * sxy - sx * sy) / (m * sxx - sx * sx);
}

/// Mean of (-1)^(x+y) * grey: the DFT coefficient at (N/2, N/2) divided by N^2.
double nyquistComponent(const Grey& grey)
{
    double sum = 0;
    for (int y = 0; y < grey.n; ++y)
        for (int x = 0; x < grey.n; ++x)
            sum += ((x + y) % 2 == 0 ? 1 : -1) * grey.at(x, y);
    return sum / grey.values.size();
}

double meanAbsoluteDifference(const Grey& a, const Grey& b)
{
    double sum = 0;
    for (std::size_t i = 0; i < a.values.size(); ++i)
        sum += std::abs(a.values[i] - b.values[i]);
    return sum / a.values.size();
}

/// Mean absolute difference of 16 x 16 block means: compares what the eye sees at a glance.
double coarseDifference(const Grey& a, const Grey& b)
{
    constexpr int block = 16;
    double sum = 0;
    int blocks = 0;
    for (int by = 0; by + block <= a.n; by += block) {
        for (int bx = 0; bx + block <= a.n; bx += block) {
            double ma = 0, mb = 0;
            for (int y = by; y < by + block; ++y) {
                for (int x = bx; x < bx + block; ++x) {
                    ma += a.at(x, y);
                    mb += b.at(x, y);
                }
            }
            sum += std::abs(ma - mb) / (block * block);
            ++blocks;
        }
    }
    return sum / blocks;
}

QStringList relativeFiles(const QString& root)
{
    QStringList files;
    QDirIterator it(root, QDir::Files, QDirIterator::Subdirectories);
    while (it.hasNext())
        files << QDir(root).relativeFilePath(it.next());
    files.sort();
    return files;
}

QByteArray readAll(const QString& path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

} // namespace

class Test_demo : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void sameSeedGivesIdenticalFiles();
    void differentSeedGivesDifferentImages();
    void layoutAndReadme();
    void progressCountsEveryImage();
    void cancelStops();
    void rejectsBadOptions_data();
    void rejectsBadOptions();
    void sourcesOfAPairShowOneScene();
    void upsamplerLacksHighFrequencies();
    void checkerboardPeaksAtNyquist();
    void realSpectrumFollowsPowerLaw();
    void studyDefinition();

private:
    Result<DemoPool> generate(const QString& dir, std::uint64_t seed) const;
    QString imagePath(const QString& source, const QString& category, int index) const;

    QTemporaryDir m_first;
    QTemporaryDir m_second;
    QTemporaryDir m_otherSeed;
    DemoPool m_pool;
};

Result<DemoPool> Test_demo::generate(const QString& dir, std::uint64_t seed) const
{
    DemoPoolOptions options;
    options.outputDir = dir;
    options.seed = seed;
    options.imagesPerSourceAndCategory = kPerCell;
    options.size = kSize;
    return generateDemoPool(options, CancelToken(), {});
}

QString Test_demo::imagePath(const QString& source, const QString& category, int index) const
{
    return QStringLiteral("%1/%2/%3/%3-%4.png").arg(m_pool.root, source, category).arg(index, 3, 10, QLatin1Char('0'));
}

void Test_demo::initTestCase()
{
    QVERIFY(m_first.isValid() && m_second.isValid() && m_otherSeed.isValid());
    const auto first = generate(m_first.path(), 11);
    QVERIFY2(first.ok(), qPrintable(first.error()));
    m_pool = first.value();
    const auto second = generate(m_second.path(), 11);
    QVERIFY2(second.ok(), qPrintable(second.error()));
    const auto otherSeed = generate(m_otherSeed.path(), 12);
    QVERIFY2(otherSeed.ok(), qPrintable(otherSeed.error()));
}

void Test_demo::sameSeedGivesIdenticalFiles()
{
    const QStringList files = relativeFiles(m_first.path());
    QCOMPARE(relativeFiles(m_second.path()), files);
    for (const QString& file : files) {
        const QByteArray bytes = readAll(m_first.filePath(file));
        QVERIFY2(!bytes.isEmpty(), qPrintable(file));
        QVERIFY2(bytes == readAll(m_second.filePath(file)), qPrintable(file));
    }
}

void Test_demo::differentSeedGivesDifferentImages()
{
    const QStringList files = relativeFiles(m_first.path());
    QCOMPARE(relativeFiles(m_otherSeed.path()), files);
    for (const QString& file : files) {
        if (file.endsWith(QLatin1String(".png")))
            QVERIFY2(readAll(m_first.filePath(file)) != readAll(m_otherSeed.filePath(file)), qPrintable(file));
    }
}

void Test_demo::layoutAndReadme()
{
    QCOMPARE(m_pool.root, QDir(m_first.path()).absolutePath());
    QCOMPARE(m_pool.sources, QStringList({ "real", "upsampler", "checkerboard" }));
    QCOMPARE(m_pool.categories, QStringList({ "disks", "squares", "stripes" }));
    QCOMPARE(m_pool.imageCount, 3 * 3 * kPerCell);

    QStringList expected;
    for (const QString& source : std::as_const(m_pool.sources))
        for (const QString& category : std::as_const(m_pool.categories))
            for (int i = 0; i < kPerCell; ++i)
                expected << QDir(m_pool.root).relativeFilePath(imagePath(source, category, i));
    expected << QStringLiteral("README.txt");
    expected.sort();
    QCOMPARE(relativeFiles(m_first.path()), expected);

    const auto image = loadStimulus(imagePath("checkerboard", "stripes", kPerCell - 1), 4096, 4096);
    QVERIFY2(image.ok(), qPrintable(image.error()));
    QCOMPARE(image->width, kSize);
    QCOMPARE(image->height, kSize);

    const QString readme = QString::fromUtf8(readAll(m_first.filePath("README.txt")));
    QVERIFY(readme.contains("SYNTHETIC demo pool generated by NameThatTrue (seed 11): not real photographs"));
    for (const QString& source : std::as_const(m_pool.sources))
        QVERIFY2(readme.contains(source), qPrintable(source));
}

void Test_demo::progressCountsEveryImage()
{
    QTemporaryDir dir;
    DemoPoolOptions options;
    options.outputDir = dir.path();
    options.imagesPerSourceAndCategory = 2;
    options.size = 64;
    QList<qint64> done;
    QStringList what;
    const auto pool = generateDemoPool(options, CancelToken(), [&](qint64 d, qint64 total, const QString& w) {
        QCOMPARE(total, 18);
        done << d;
        what << w;
    });
    QVERIFY2(pool.ok(), qPrintable(pool.error()));
    QCOMPARE(done.size(), 18);
    for (int i = 0; i < done.size(); ++i)
        QCOMPARE(done.at(i), i + 1);
    QVERIFY(what.contains("upsampler/squares/squares-001.png"));
}

void Test_demo::cancelStops()
{
    QTemporaryDir dir;
    DemoPoolOptions options;
    options.outputDir = dir.path();
    options.imagesPerSourceAndCategory = 3;
    options.size = 64;
    CancelToken cancel;
    qint64 calls = 0;
    const auto pool = generateDemoPool(options, cancel, [&](qint64 done, qint64, const QString&) {
        calls = done;
        if (done == 6)
            cancel.cancel();
    });
    QVERIFY(!pool.ok());
    QCOMPARE(pool.error(), QStringLiteral("demo generation cancelled"));
    QCOMPARE(calls, 6);
    QVERIFY(!QFile::exists(dir.filePath("README.txt")));
}

void Test_demo::rejectsBadOptions_data()
{
    QTest::addColumn<int>("size");
    QTest::addColumn<int>("count");
    QTest::addColumn<QString>("message");
    QTest::newRow("tiny") << 8 << 4 << "image size 8";
    QTest::newRow("huge") << 100000 << 4 << "image size 100000";
    QTest::newRow("no images") << 64 << 0 << "0 images per source and category";
}

void Test_demo::rejectsBadOptions()
{
    QFETCH(int, size);
    QFETCH(int, count);
    QFETCH(QString, message);
    QTemporaryDir dir;
    DemoPoolOptions options;
    options.outputDir = dir.path();
    options.size = size;
    options.imagesPerSourceAndCategory = count;
    const auto pool = generateDemoPool(options, CancelToken(), {});
    QVERIFY(!pool.ok());
    QVERIFY2(pool.error().contains(message), qPrintable(pool.error()));
}

// The generators must differ from "real" by their fingerprint only, not by what the image shows.
void Test_demo::sourcesOfAPairShowOneScene()
{
    for (const QString& category : std::as_const(m_pool.categories)) {
        for (int i = 0; i < kPerCell; ++i) {
            const Grey real = loadGrey(imagePath("real", category, i));
            const Grey upsampler = loadGrey(imagePath("upsampler", category, i));
            const Grey checkerboard = loadGrey(imagePath("checkerboard", category, i));
            QCOMPARE(real.n, kSize);
            QCOMPARE(upsampler.n, kSize);
            QCOMPARE(checkerboard.n, kSize);
            const QByteArray where = QStringLiteral("%1 %2").arg(category).arg(i).toUtf8();
            // The checkerboard tile has a mean absolute value of 3 grey levels.
            QVERIFY2(meanAbsoluteDifference(real, checkerboard) < 3.5, where);
            QVERIFY2(coarseDifference(real, upsampler) < 8.0, where);
            // Another scene of the same category looks different at a glance.
            const Grey next = loadGrey(imagePath("real", category, (i + 1) % kPerCell));
            QVERIFY2(coarseDifference(real, next) > 15.0, where);
        }
    }
}

void Test_demo::upsamplerLacksHighFrequencies()
{
    for (const QString& category : std::as_const(m_pool.categories)) {
        for (int i = 0; i < kPerCell; ++i) {
            const double real = highFrequencyShare(loadGrey(imagePath("real", category, i)));
            const double upsampler = highFrequencyShare(loadGrey(imagePath("upsampler", category, i)));
            const QByteArray where
                = QStringLiteral("%1 %2: real %3, upsampler %4").arg(category).arg(i).arg(real).arg(upsampler).toUtf8();
            QVERIFY2(real > 0.0, where);
            QVERIFY2(upsampler / real < 0.5, where);
        }
    }
}

void Test_demo::checkerboardPeaksAtNyquist()
{
    for (const QString& category : std::as_const(m_pool.categories)) {
        for (int i = 0; i < kPerCell; ++i) {
            const Grey realGrey = loadGrey(imagePath("real", category, i));
            const Grey checkerGrey = loadGrey(imagePath("checkerboard", category, i));
            const double real = std::abs(nyquistComponent(realGrey));
            const double checker = std::abs(nyquistComponent(checkerGrey));
            const QByteArray where = QStringLiteral("%1 %2: real %3, checkerboard %4")
                                         .arg(category)
                                         .arg(i)
                                         .arg(real)
                                         .arg(checker)
                                         .toUtf8();
            QVERIFY2(checker > 2.0, where);
            QVERIFY2(real < 0.2, where);

            // The same seen in the spectrum: the (N/2, N/2) bin towers over its neighbours.
            const auto power = powerSpectrum(checkerGrey, false);
            const int half = kSize / 2;
            const double peak = power[static_cast<std::size_t>(half) * kSize + half];
            double neighbours = 0;
            for (int d = 1; d <= 4; ++d)
                neighbours += power[static_cast<std::size_t>(half - d) * kSize + half]
                    + power[static_cast<std::size_t>(half) * kSize + half - d];
            QVERIFY2(peak > 100 * neighbours / 8, where);
        }
    }
}

void Test_demo::realSpectrumFollowsPowerLaw()
{
    for (const QString& category : std::as_const(m_pool.categories)) {
        for (int i = 0; i < kPerCell; ++i) {
            const double slope = spectralSlope(loadGrey(imagePath("real", category, i)));
            const QByteArray where = QStringLiteral("%1 %2: slope %3").arg(category).arg(i).arg(slope).toUtf8();
            QVERIFY2(slope > -3.5 && slope < -1.0, where);
        }
    }
}

void Test_demo::studyDefinition()
{
    const StudyDefinition d = demoStudyDefinition(m_pool);
    QVERIFY(d.name.contains("synthetic", Qt::CaseInsensitive));
    QCOMPARE(d.trialType, TrialType::PickReal);
    QCOMPARE(d.ways, 2);
    QCOMPARE(d.matching, RowMatching::PairKey);
    QCOMPARE(d.trialsPerParticipant, 24);
    QCOMPARE(d.practiceTrials, 3);
    QCOMPARE(d.catchTrials, 0);
    QVERIFY(d.catchImages.isEmpty());
    QCOMPARE(d.breakEvery, 12);
    QVERIFY(!d.feedback);
    QVERIFY(!d.confidence);
    QVERIFY(!d.normalisation.enabled);
    QVERIFY(d.instructions.contains("SYNTHETIC"));
    QVERIFY(!d.consent.isEmpty());
    const Status valid = validateStudyDefinition(d);
    QVERIFY2(valid.ok(), qPrintable(valid.error()));
    QCOMPARE(demoStudyDefinition(m_pool).seed, d.seed);
}

QTEST_GUILESS_MAIN(Test_demo)
#include "tst_demo.moc"
