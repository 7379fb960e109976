// `ntt cam`: see commands.h and `ntt cam --help`.

#include "attention/camrun.h"
#include "attention/peoplemap.h"
#include "commands/commandoptions.h"
#include "commands/commands.h"
#include "csvwriter.h"
#include "imagefiles.h"
#include "npy.h"
#include "pool/imagedecode.h"
#include "studyexports.h"
#include "studyfile.h"

#include <QDir>
#include <QFileInfo>
#include <QSaveFile>

#include <optional>

namespace ntt::cli {

namespace {

/// One image to map: a pool image id (with --db) or a file.
struct CamSubject
{
    qint64 imageId = 0;
    QString path;
    QString source;
    QString category;
};

} // namespace

namespace {

// ntt cam --people: people's heat map of one image's marks, as the Attention tab draws it.
int peopleMapCommand(const QCommandLineParser& p)
{
    if (!p.isSet(QStringLiteral("db")) || !p.isSet(QStringLiteral("study"))
        || p.values(QStringLiteral("image")).size() != 1)
        return usage(p, QStringLiteral("--people needs --db, --study and one --image (a pool image id)"));
    if (!p.isSet(QStringLiteral("out")) && !p.isSet(QStringLiteral("map-out")))
        return usage(p, QStringLiteral("say where to write: --out FILE.png and/or --map-out FILE.npy"));
    auto db = openDb(p, StudyDatabase::OpenMode::ExistingOnly);
    if (!db)
        return fail(db.error());
    const auto study = findStudy(*db.value(), p.value(QStringLiteral("study")));
    if (!study)
        return fail(study.error());
    bool ok = false;
    const qint64 imageId = p.value(QStringLiteral("image")).toLongLong(&ok);
    const auto images = db.value()->studyImages(study->id);
    const auto paths = db.value()->stimulusPaths(study->id);
    if (!images || !paths)
        return fail(!images ? images.error() : paths.error());
    const auto image
        = std::find_if(images->begin(), images->end(), [&](const PoolImage& i) { return ok && i.id == imageId; });
    if (image == images->end())
        return fail(QStringLiteral("%1: image %2 is not in study \"%3\"")
                        .arg(db.value()->path(), p.value(QStringLiteral("image")), study->definition.name));
    if (study->definition.marks.points <= 0)
        return fail(
            QStringLiteral("study \"%1\" asks for no marks, so there is no people's map").arg(study->definition.name));
    AnswerFilter filter;
    filter.includeSimulated = p.isSet(QStringLiteral("include-simulated"));
    const auto marks = studyMarks(*db.value(), study->id, filter);
    if (!marks)
        return fail(marks.error());
    const QString shownPath = paths->value(imageId);
    const auto shown = readImageBgr(shownPath);
    if (!shown)
        return fail(shown.error());
    const std::vector<QPointF> points = shownMarksOf(marks.value(), imageId, shown->cols, shown->rows, true);
    const double sigma = shownKernelSigma(
        study->definition.marks.kernelSigmaPx, image->width, image->height, study->definition.normalisation);
    const cv::Mat map = peopleHeatMap(points, shown->cols, shown->rows, sigma);
    if (p.isSet(QStringLiteral("map-out"))) {
        if (const Status s = writeNpyFloat32(p.value(QStringLiteral("map-out")), map); !s)
            return fail(s.error());
    }
    if (p.isSet(QStringLiteral("out"))) {
        const auto colormap = camColormapFromName(p.value(QStringLiteral("colormap")));
        if (!colormap)
            return usage(p,
                QStringLiteral("--colormap \"%1\": use jet, turbo or viridis")
                    .arg(p.value(QStringLiteral("colormap"))));
        CamPanel panel;
        panel.map01 = map;
        panel.options.colormap = *colormap;
        panel.caption = asciiCaption(QStringLiteral("People's marks: %1 mark(s), kernel SD %2 px")
                                         .arg(points.size())
                                         .arg(study->definition.marks.kernelSigmaPx));
        CamFigureLayout layout;
        layout.imageCaption = QStringLiteral("#%1").arg(imageId);
        const auto figure = composeCamFigure(shown.value(), { panel }, *colormap, layout);
        if (!figure)
            return fail(figure.error());
        if (const Status s = writePng(figure.value(), p.value(QStringLiteral("out"))); !s)
            return fail(s.error());
    }
    out() << QStringLiteral("people's map of image %1: %2 mark(s), kernel SD %3 px on the file shown\n")
                 .arg(imageId)
                 .arg(points.size())
                 .arg(sigma)
          << Qt::flush;
    return 0;
}

} // namespace

int cmdCam(const QStringList& args)
{
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral(
        "Class-activation maps (Grad-CAM, Grad-CAM++, Smooth Grad-CAM++) of images through a model, as PNG figures "
        "(image, overlay, colour legend) and NumPy maps. With --db the model is a registered model (name or id), "
        "images are pool image ids or files, and maps are cached in the study file; without --db the model is a "
        "model file (.pt with its .json sidecar) and images are files."));
    p.addOption({ QStringLiteral("db"), QStringLiteral("The study file (SQLite); optional."), QStringLiteral("file") });
    p.addOption({ QStringLiteral("study"),
        QStringLiteral("Map the images as this study showed them (its normalised copies); default: the originals."),
        QStringLiteral("name or id") });
    p.addOption({ QStringLiteral("model"),
        QStringLiteral("Registered model (name or id) or, without --db, a model file."), QStringLiteral("model") });
    p.addOption({ QStringLiteral("image"), QStringLiteral("Pool image id or image file; repeatable."),
        QStringLiteral("id|path") });
    p.addOption({ QStringLiteral("category"), QStringLiteral("Every pool image of this category (with --db)."),
        QStringLiteral("name") });
    p.addOption(
        { QStringLiteral("all"), QStringLiteral("Every pool image (with --db; with --study, every image it shows).") });
    p.addOption({ QStringLiteral("method"), QStringLiteral("gradcam (default), gradcampp or smoothgradcampp."),
        QStringLiteral("method"), QStringLiteral("gradcam") });
    p.addOption({ QStringLiteral("layer"), QStringLiteral("Target layer (default: the last 4-D layer before pooling)."),
        QStringLiteral("name") });
    p.addOption(
        { QStringLiteral("target"), QStringLiteral("predicted (default), real, generated, class:N or a class name."),
            QStringLiteral("target"), QStringLiteral("predicted") });
    p.addOption({ QStringLiteral("samples"), QStringLiteral("Smooth Grad-CAM++: noisy copies (default 4)."),
        QStringLiteral("n"), QStringLiteral("4") });
    p.addOption({ QStringLiteral("sigma"), QStringLiteral("Smooth Grad-CAM++: noise in normalised input units (0.3)."),
        QStringLiteral("s"), QStringLiteral("0.3") });
    p.addOption({ QStringLiteral("seed"), QStringLiteral("Smooth Grad-CAM++: noise seed (1234)."), QStringLiteral("n"),
        QStringLiteral("1234") });
    p.addOption({ QStringLiteral("colormap"), QStringLiteral("jet (default), turbo or viridis."),
        QStringLiteral("name"), QStringLiteral("jet") });
    p.addOption({ QStringLiteral("opacity"), QStringLiteral("Overlay opacity 0..1 (default 0.5)."), QStringLiteral("a"),
        QStringLiteral("0.5") });
    p.addOption({ QStringLiteral("contour"), QStringLiteral("Draw the map's iso-line at this level (0..1)."),
        QStringLiteral("t") });
    p.addOption({ QStringLiteral("height"), QStringLiteral("Figure panel height in pixels (default 256)."),
        QStringLiteral("px"), QStringLiteral("256") });
    p.addOption({ QStringLiteral("out"), QStringLiteral("PNG figure of the one image."), QStringLiteral("file.png") });
    p.addOption({ QStringLiteral("map-out"),
        QStringLiteral("The normalised map at the image's resolution as a float32 NumPy array (one image)."),
        QStringLiteral("file.npy") });
    p.addOption({ QStringLiteral("out-dir"),
        QStringLiteral("Several images: <id or name>.png and .npy per image, and maps.csv listing them."),
        QStringLiteral("dir") });
    p.addOption({ QStringLiteral("list-layers"), QStringLiteral("Print the model's layers and their shapes.") });
    p.addOption({ QStringLiteral("people"),
        QStringLiteral("People's map instead of a model's (no --model): the heat map of the marks people made on "
                       "--image in --study (a Gaussian of the study's kernel SD at each mark), in the pixels of the "
                       "file shown, to --map-out (.npy, [H, W] float32, 0..1) and --out (figure).") });
    p.addOption(
        { QStringLiteral("include-simulated"), QStringLiteral("--people: count simulated participants' marks.") });
    p.addOption({ QStringLiteral("batch-size"), QStringLiteral("Images per batch (default 8)."), QStringLiteral("n"),
        QStringLiteral("8") });
    p.addOption({ QStringLiteral("threads"), QStringLiteral("CPU threads (default: all cores)."), QStringLiteral("n"),
        QStringLiteral("0") });
    p.addOption({ QStringLiteral("cpu"), QStringLiteral("Run on the CPU even when CUDA is available.") });
    int code = 0;
    if (!parse(p, args, code))
        return code;

    if (p.isSet(QStringLiteral("people")))
        return peopleMapCommand(p);

    const DevicePreference device = p.isSet(QStringLiteral("cpu")) ? DevicePreference::Cpu : DevicePreference::Auto;
    bool ok = false;
    const int threads = p.value(QStringLiteral("threads")).toInt(&ok);
    if (!ok || threads < 0)
        return usage(p, QStringLiteral("--threads must be a whole number >= 0"));
    const int batchSize = p.value(QStringLiteral("batch-size")).toInt(&ok);
    if (!ok || batchSize < 1)
        return usage(p, QStringLiteral("--batch-size must be a whole number >= 1"));

    // The model: registered (with --db) or a file.
    std::unique_ptr<StudyDatabase> db;
    std::optional<StoredModel> stored;
    std::unique_ptr<Classifier> classifier;
    if (p.isSet(QStringLiteral("db"))) {
        auto opened = openDb(p, StudyDatabase::OpenMode::ExistingOnly);
        if (!opened)
            return fail(opened.error());
        db = std::move(opened).value();
        auto model = findModel(*db, p.value(QStringLiteral("model")));
        if (!model)
            return fail(model.error());
        stored = model.value();
        auto loaded = loadRegisteredModel(*db, stored->id, device, threads);
        if (!loaded)
            return fail(loaded.error());
        classifier = std::move(loaded).value();
    } else {
        if (!p.isSet(QStringLiteral("model")))
            return usage(p, QStringLiteral("--model is required"));
        auto loaded = loadClassifier(p.value(QStringLiteral("model")), device, threads);
        if (!loaded)
            return fail(loaded.error());
        classifier = std::move(loaded).value();
        for (const QString& w : classifier->warnings())
            err() << "warning: " << w << Qt::endl;
    }
    const ModelSpec& spec = classifier->spec();
    const QString modelName
        = stored ? stored->name : (spec.name.isEmpty() ? QFileInfo(classifier->path()).completeBaseName() : spec.name);

    if (p.isSet(QStringLiteral("list-layers"))) {
        const auto layers = classifier->camLayers();
        if (!layers)
            return fail(layers.error());
        const QString fallback = defaultCamLayer(layers.value());
        for (const CamLayer& l : layers.value()) {
            QStringList dims;
            for (auto d : l.shape)
                dims << QString::number(d);
            out() << l.name << '\t' << '[' << dims.join(QStringLiteral(", ")) << ']'
                  << (l.name == fallback ? QStringLiteral("\tdefault") : QString()) << '\n';
        }
        out() << Qt::flush;
        return 0;
    }

    // What to compute.
    CamOptions options;
    const auto method = camMethodFromName(p.value(QStringLiteral("method")));
    if (!method)
        return usage(p,
            QStringLiteral("--method \"%1\": use gradcam, gradcampp or smoothgradcampp")
                .arg(p.value(QStringLiteral("method"))));
    options.method = *method;
    options.layer = p.value(QStringLiteral("layer"));
    const auto target = camTargetFromName(p.value(QStringLiteral("target")), spec);
    if (!target)
        return usage(p, QStringLiteral("--target: %1").arg(target.error()));
    options.target = target.value();
    const auto samples = numberOption(p, "samples", 1, 256);
    const auto sigma = numberOption(p, "sigma", 0, 10);
    const auto opacity = numberOption(p, "opacity", 0, 1);
    const auto height = numberOption(p, "height", 32, 4096);
    for (const auto* r : { &samples, &sigma, &opacity, &height }) {
        if (!*r)
            return usage(p, r->error());
    }
    options.noiseSamples = int(samples.value());
    options.noiseSigma = sigma.value();
    options.noiseSeed = p.value(QStringLiteral("seed")).toULongLong(&ok);
    if (!ok)
        return usage(p, QStringLiteral("--seed must be a whole number"));
    auto resolved = resolveCamLayer(*classifier, options);
    if (!resolved)
        return fail(resolved.error());
    options = resolved.value();
    OverlayOptions overlay;
    const auto colormap = camColormapFromName(p.value(QStringLiteral("colormap")));
    if (!colormap)
        return usage(
            p, QStringLiteral("--colormap \"%1\": use jet, turbo or viridis").arg(p.value(QStringLiteral("colormap"))));
    overlay.colormap = *colormap;
    overlay.opacity = opacity.value();
    if (p.isSet(QStringLiteral("contour"))) {
        const auto contour = numberOption(p, "contour", 0, 1);
        if (!contour)
            return usage(p, contour.error());
        overlay.contourThreshold = contour.value();
    }
    CamFigureLayout layout;
    layout.panelHeight = int(height.value());

    // Which images.
    std::vector<CamSubject> subjects;
    qint64 studyId = 0;
    if (db) {
        if (p.isSet(QStringLiteral("study"))) {
            const auto study = findStudy(*db, p.value(QStringLiteral("study")));
            if (!study)
                return fail(study.error());
            studyId = study->id;
        }
        const auto pool = studyId > 0 ? db->studyImages(studyId) : db->poolImages();
        if (!pool)
            return fail(pool.error());
        QHash<qint64, const PoolImage*> byId;
        for (const PoolImage& image : pool.value())
            byId.insert(image.id, &image);
        const QString category = p.value(QStringLiteral("category"));
        if (p.isSet(QStringLiteral("all")) || p.isSet(QStringLiteral("category"))) {
            for (const PoolImage& image : pool.value()) {
                if (p.isSet(QStringLiteral("all")) || image.category == category)
                    subjects.push_back({ image.id, image.path, image.source, image.category });
            }
            if (subjects.empty()) {
                QStringList categories;
                for (const PoolImage& image : pool.value()) {
                    if (!categories.contains(image.category))
                        categories << image.category;
                }
                return fail(QStringLiteral("%1: no image of category \"%2\"; the categories are: %3")
                                .arg(db->path(), category, categories.join(QStringLiteral(", "))));
            }
        }
        for (const QString& value : p.values(QStringLiteral("image"))) {
            const qint64 id = value.toLongLong(&ok);
            if (ok && !QFileInfo::exists(value)) {
                const auto found = byId.value(id);
                if (!found)
                    return fail(
                        QStringLiteral("%1: image %2 is not in the %3")
                            .arg(db->path(), value, studyId > 0 ? QStringLiteral("study") : QStringLiteral("pool")));
                subjects.push_back({ id, found->path, found->source, found->category });
            } else {
                subjects.push_back({ 0, value, QString(), QString() });
            }
        }
    } else {
        if (p.isSet(QStringLiteral("category")) || p.isSet(QStringLiteral("all")) || p.isSet(QStringLiteral("study")))
            return usage(p, QStringLiteral("--category, --all and --study need --db"));
        for (const QString& value : p.values(QStringLiteral("image")))
            subjects.push_back({ 0, value, QString(), QString() });
    }
    if (subjects.empty())
        return usage(p, QStringLiteral("name images with --image, --category or --all"));
    const bool single = subjects.size() == 1 && !p.isSet(QStringLiteral("out-dir"));
    if (single && !p.isSet(QStringLiteral("out")) && !p.isSet(QStringLiteral("map-out")))
        return usage(p, QStringLiteral("say where to write: --out FILE.png and/or --map-out FILE.npy"));
    if (!single && !p.isSet(QStringLiteral("out-dir")))
        return usage(p, QStringLiteral("%1 images: write them with --out-dir DIR").arg(subjects.size()));
    if (!single && (p.isSet(QStringLiteral("out")) || p.isSet(QStringLiteral("map-out"))))
        return usage(p, QStringLiteral("--out and --map-out take one image; use --out-dir for several"));

    // Compute: pool images through the study file's cache, files directly.
    CancelToken cancel;
    std::vector<CamImageResult> results(subjects.size());
    std::vector<qint64> ids;
    QStringList files;
    for (const CamSubject& s : subjects) {
        if (s.imageId > 0)
            ids.push_back(s.imageId);
        else
            files << s.path;
    }
    int fromCache = 0;
    if (!ids.empty()) {
        StudyCamRequest request;
        request.modelId = stored->id;
        request.studyId = studyId;
        request.imageIds = ids;
        request.options = options;
        request.batchSize = batchSize;
        request.device = device;
        request.threads = threads;
        const auto cams = computeStudyCams(*db, request, cancel, progressPrinter());
        if (!cams)
            return fail(cams.error());
        std::size_t k = 0;
        for (std::size_t i = 0; i < subjects.size(); ++i) {
            if (subjects[i].imageId <= 0)
                continue;
            const StudyCam& c = cams->at(k++);
            if (!c.warning.isEmpty())
                err() << "warning: " << c.warning << Qt::endl;
            fromCache += c.cached ? 1 : 0;
            results[i] = c.result;
        }
    }
    if (!files.isEmpty()) {
        const auto computed = computeCamsForFiles(*classifier, files, options, batchSize, cancel);
        if (!computed)
            return fail(computed.error());
        std::size_t k = 0;
        for (std::size_t i = 0; i < subjects.size(); ++i) {
            if (subjects[i].imageId <= 0)
                results[i] = computed->at(k++);
        }
    }

    // Write.
    const QString dir = p.value(QStringLiteral("out-dir"));
    if (!single && !QDir().mkpath(dir))
        return fail(QStringLiteral("%1: cannot create the folder").arg(dir));
    QSaveFile listFile(QDir(dir).filePath(QStringLiteral("maps.csv")));
    std::optional<CsvWriter> list;
    if (!single) {
        if (!listFile.open(QIODevice::WriteOnly))
            return fail(QStringLiteral("%1: cannot write (%2)").arg(listFile.fileName(), listFile.errorString()));
        list.emplace(&listFile);
        list->writeRow({ QStringLiteral("image_id"), QStringLiteral("path"), QStringLiteral("source"),
            QStringLiteral("category"), QStringLiteral("model"), QStringLiteral("method"), QStringLiteral("layer"),
            QStringLiteral("target"), QStringLiteral("target_class"), QStringLiteral("p_real"), QStringLiteral("png"),
            QStringLiteral("npy"), QStringLiteral("error") });
    }
    int failed = 0;
    for (std::size_t i = 0; i < subjects.size(); ++i) {
        const CamSubject& s = subjects[i];
        const CamImageResult& r = results[i];
        QString png = single ? p.value(QStringLiteral("out")) : QString();
        QString npy = single ? p.value(QStringLiteral("map-out")) : QString();
        if (!single) {
            const QString stem = s.imageId > 0 ? QString::number(s.imageId) : QFileInfo(s.path).completeBaseName();
            png = QDir(dir).filePath(stem + QStringLiteral(".png"));
            npy = QDir(dir).filePath(stem + QStringLiteral(".npy"));
        }
        QString error = r.error;
        if (error.isEmpty()) {
            const QString pReal = r.prediction.pReal >= 0
                ? QStringLiteral(" - P(real) %1").arg(r.prediction.pReal, 0, 'f', 2)
                : QString();
            const QString caption = QStringLiteral("%1 - %2 - %3 - %4%5")
                                        .arg(modelName, camMethodLabel(options.method), options.layer,
                                            camTargetName(options.target), pReal);
            if (!png.isEmpty()) {
                const auto figure = camFigure(r.path, { { r.map, spec.input, caption } }, overlay, layout);
                const Status written = figure ? writePng(figure.value(), png) : Status(Error { figure.error() });
                if (!written)
                    error = written.error();
            }
            if (!npy.isEmpty() && error.isEmpty()) {
                const auto full = camMapToImage(r.map, spec.input, r.imageWidth, r.imageHeight);
                const Status written = full ? writeNpyFloat32(npy, full.value()) : Status(Error { full.error() });
                if (!written)
                    error = written.error();
            }
        }
        if (!error.isEmpty()) {
            ++failed;
            err() << "error: " << error << Qt::endl;
        }
        if (list)
            list->writeRow({ s.imageId > 0 ? QString::number(s.imageId) : QString(), r.path, s.source, s.category,
                modelName, camMethodName(options.method), options.layer, camTargetName(options.target),
                error.isEmpty() ? QString::number(r.map.targetClass) : QString(),
                error.isEmpty() && r.prediction.pReal >= 0 ? QString::number(r.prediction.pReal, 'g', 6) : QString(),
                error.isEmpty() ? QFileInfo(png).fileName() : QString(),
                error.isEmpty() ? QFileInfo(npy).fileName() : QString(), error });
    }
    if (list && (!list->ok() || !listFile.commit()))
        return fail(QStringLiteral("%1: cannot write (%2)").arg(listFile.fileName(), listFile.errorString()));
    out() << QStringLiteral("%1 map(s) of \"%2\" (%3, layer %4, target %5): %6 written, %7 from the cache, %8 failed\n")
                 .arg(subjects.size())
                 .arg(modelName, camMethodLabel(options.method), options.layer, camTargetName(options.target))
                 .arg(int(subjects.size()) - failed)
                 .arg(fromCache)
                 .arg(failed)
          << Qt::flush;
    return failed == 0 ? 0 : 1;
}

} // namespace ntt::cli
