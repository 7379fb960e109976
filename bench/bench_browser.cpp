// The error browser at scale: a simulated study of 100,000 images (10 categories of 10,000, 5
// models with a P(real) per image, 200 participants x 400 trials): time to filter and sort, time
// to the first paint of the thumbnail grid for a category and for the whole pool, and the cost of
// making thumbnails from the real images in ../shared/data (cold, then from the cache).
//
// Run: build/dev/bin/bench_browser [path/to/shared/data]

#include "analysis/imagebrowser.h"
#include "analysis/imageresults.h"
#include "browsermodels.h"
#include "pool/thumbnails.h"
#include "syntheticstudy.h"

#include <QApplication>
#include <QDirIterator>
#include <QElapsedTimer>
#include <QListView>
#include <QTemporaryDir>

#include <algorithm>
#include <cstdio>

using namespace ntt;

namespace {

double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

/// Milliseconds from handing the rows to the model until the view has painted once.
double firstPaintMs(QListView& view, ThumbnailGridModel& model, std::shared_ptr<const std::vector<BrowserImage>> images,
    std::vector<int> rows)
{
    struct PaintSpy : QObject
    {
        bool painted = false;
        bool eventFilter(QObject*, QEvent* e) override
        {
            if (e->type() == QEvent::Paint)
                painted = true;
            return false;
        }
    } spy;
    view.viewport()->installEventFilter(&spy);
    QElapsedTimer clock;
    clock.start();
    model.setImages(std::move(images), std::move(rows), QStringLiteral("model 1"));
    view.viewport()->update();
    while (!spy.painted)
        QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
    const double ms = double(clock.nsecsElapsed()) / 1e6;
    view.viewport()->removeEventFilter(&spy);
    return ms;
}

} // namespace

int main(int argc, char* argv[])
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    const QString shared = argc > 1 ? QString::fromLocal8Bit(argv[1]) : QStringLiteral(NTT_SHARED_DATA_DIR);
    QStringList files;
    QDirIterator it(shared, { QStringLiteral("*.png"), QStringLiteral("*.jpg"), QStringLiteral("*.jpeg") }, QDir::Files,
        QDirIterator::Subdirectories);
    while (it.hasNext())
        files << it.next();
    files.sort();

    QElapsedTimer clock;
    clock.start();
    const bench::SyntheticStudy s = bench::syntheticStudy(200, 400, 100000, 5);
    const auto people = humanResultsByImage(s.people, AnswerFilter {});
    auto images = std::make_shared<std::vector<BrowserImage>>();
    images->reserve(s.images.size());
    for (const PoolImage& p : s.images) {
        BrowserImage b;
        b.image = p;
        if (!files.isEmpty()) // the real images, over and over, each copy its own thumbnail
            b.image.path = files[int(p.id % files.size())];

        b.real = p.source == QLatin1String("real");
        b.people = people.value(p.id);
        for (auto it = s.pReal.cbegin(); it != s.pReal.cend(); ++it)
            b.pReal.insert(it.key(), it->value(p.id));
        images->push_back(std::move(b));
    }
    std::printf("simulated study: %zu images, %zu answers, 5 models (built in %lld ms)\n", images->size(),
        s.people.size(), clock.elapsed());

    struct Case
    {
        const char* name;
        BrowserFilter filter;
        BrowserSort sort;
    };
    BrowserFilter category;
    category.category = QStringLiteral("hands");
    category.model = QStringLiteral("model 1");
    BrowserFilter bothWrong = category;
    bothWrong.outcome = Outcome::BothWrong;
    BrowserFilter ranges = category;
    ranges.peopleMax = 0.5;
    ranges.pRealMin = 0.2;
    ranges.pRealMax = 0.8;
    BrowserFilter all;
    all.model = QStringLiteral("model 1");
    const std::vector<Case> cases = {
        { "category (10,000 images), by id", category, BrowserSort::Id },
        { "category, both wrong, by hardness", bothWrong, BrowserSort::Hardness },
        { "category, people <= 50 %, P(real) 0.2-0.8, by P(real)", ranges, BrowserSort::PReal },
        { "whole pool (100,000), by people's accuracy", all, BrowserSort::PeopleAccuracy },
    };
    for (const Case& c : cases) {
        std::vector<double> ms;
        std::size_t kept = 0;
        for (int run = 0; run < 5; ++run) {
            clock.restart();
            kept = filterImages(*images, c.filter, c.sort).size();
            ms.push_back(double(clock.nsecsElapsed()) / 1e6);
        }
        std::printf("filter %-55s %6zu images  median %7.1f ms  max %7.1f ms\n", c.name, kept, median(ms),
            *std::max_element(ms.begin(), ms.end()));
    }

    QTemporaryDir thumbs;
    ThumbnailLoader loader(ThumbnailCache(thumbs.filePath(QStringLiteral("t")), 128));
    ThumbnailGridModel model(&loader);
    QListView view;
    view.setViewMode(QListView::IconMode);
    view.setResizeMode(QListView::Adjust);
    view.setUniformItemSizes(true);
    view.setLayoutMode(QListView::Batched);
    view.setBatchSize(500);
    view.setIconSize(QSize(128, 128));
    view.setGridSize(QSize(150, 178));
    view.setModel(&model);
    view.resize(1280, 900);
    view.show();
    QCoreApplication::processEvents();
    const std::shared_ptr<const std::vector<BrowserImage>> shared_images = images;
    for (const Case& c : { cases[0], cases[3] }) {
        // Cold: the first screen's thumbnails are made from the real files on the loader's threads.
        model.setImages(shared_images, {}, QString());
        QCoreApplication::processEvents();
        clock.restart();
        const double cold = firstPaintMs(view, model, shared_images, filterImages(*images, c.filter, c.sort));
        loader.waitForDone();
        QCoreApplication::processEvents();
        view.viewport()->repaint();
        const double thumbnailsMs = double(clock.nsecsElapsed()) / 1e6;
        std::vector<double> ms;
        for (int run = 0; run < 5; ++run) {
            model.setImages(shared_images, {}, QString());
            QCoreApplication::processEvents();
            ms.push_back(firstPaintMs(view, model, shared_images, filterImages(*images, c.filter, c.sort)));
        }
        std::printf("grid %-50s first paint %6.1f ms cold, median %6.1f ms warm (after filtering); "
                    "first screen of thumbnails made and shown %7.1f ms\n",
            c.name, cold, median(ms), thumbnailsMs);
        clock.restart();
        view.scrollToBottom();
        QCoreApplication::processEvents();
        view.viewport()->repaint();
        std::printf("grid scroll to the last row and repaint %.1f ms\n", double(clock.nsecsElapsed()) / 1e6);
    }
    loader.waitForDone();

    if (files.isEmpty()) {
        std::printf("no images under %s: thumbnail figures skipped\n", qPrintable(shared));
        return 0;
    }
    const ThumbnailCache cache(thumbs.filePath(QStringLiteral("real")), 128);
    for (const char* pass : { "cold (decode, resize, write JPEG)", "warm (read the cached JPEG)" }) {
        clock.restart();
        int made = 0;
        for (int i = 0; i < files.size(); ++i)
            made += cache.thumbnail(files[i], QStringLiteral("%1").arg(i, 64, 10, QLatin1Char('0'))).ok() ? 1 : 0;
        const double ms = double(clock.nsecsElapsed()) / 1e6;
        std::printf("thumbnails of %d real images from %s, %s: %.2f ms per image on one thread\n", made,
            qPrintable(shared), pass, ms / std::max(1, made));
    }
    return 0;
}
