#include "commandline.h"

#include "commands/commandoptions.h"
#include "commands/commands.h"

#include <functional>
#include <map>

namespace ntt {

using namespace cli;

namespace {

void printUsage(QTextStream& stream)
{
    stream << "NameThatTrue command line " NTT_VERSION "\n\n"
              "usage: ntt <command> [options]   (ntt <command> --help for details)\n\n"
              "commands:\n"
              "  demo --out DIR                       create the synthetic demo study\n"
              "  import --db FILE LOCATION            import images into the pool (folder or manifest)\n"
              "  audit --db FILE                      shortcut audit of the pool\n"
              "  study create --db FILE DEF.json      create a study from a JSON definition\n"
              "  study list|show --db FILE            list studies / print a definition\n"
              "  study check --db FILE                check the study's files (rebuild lost normalised copies)\n"
              "  study publish --db FILE --server URL copy a study file to a PostgreSQL server for stations\n"
              "  session list --db FILE               list sessions\n"
              "  simulate --db FILE --participants K  simulated participants (accuracy per source or category,\n"
              "                                       lapses, log-normal RTs); same as session simulate\n"
              "  model add --db FILE MODEL.pt         register a TorchScript model (with MODEL.json sidecar)\n"
              "  model train --db FILE --name N       train a built-in detector on the pool\n"
              "  model run --db FILE --model N        run a model on the study's images and trials\n"
              "  model run --db FILE --model N --pool on pool images without a study (--source, --category,\n"
              "                                       --split), with how it sorts each source\n"
              "  model list --db FILE                 list models with their accuracy\n"
              "  cam --model M --image ID|PATH ...    Grad-CAM / Grad-CAM++ / Smooth Grad-CAM++ figures and maps\n"
              "  export --db FILE --what W --out PATH responses, model-answers, predictions, categories, sources,\n"
              "                                       participants, images CSV, or a psych-ds dataset folder\n"
              "  browse --db FILE [filters]           the errors: images by category, outcome, P(real), tag...;\n"
              "                                       CSV, contact sheet (--sheet) or confusion matrix\n"
              "  tag --db FILE --image ID --add T     tags and notes on images (--remove T, --note TEXT)\n"
              "  backup --db FILE --out COPY          a consistent copy while sessions run\n"
              "  station prepare --db URL             fetch and verify the image files a server study shows\n"
              "  station status|sync --db URL         a station's journal of a server study: backlog, send now\n"
           << Qt::flush;
}

} // namespace

int runCommandLine(const QStringList& arguments)
{
    static const std::map<QString, std::function<int(const QStringList&)>> commands = {
        { QStringLiteral("demo"), cmdDemo },
        { QStringLiteral("import"), cmdImport },
        { QStringLiteral("audit"), cmdAudit },
        { QStringLiteral("backup"), cmdBackup },
        { QStringLiteral("station"), cmdStation },
        { QStringLiteral("study"), cmdStudy },
        { QStringLiteral("session"), cmdSession },
        { QStringLiteral("export"), cmdExport },
        { QStringLiteral("model"), cmdModel },
        { QStringLiteral("cam"), cmdCam },
        { QStringLiteral("browse"), cmdBrowse },
        { QStringLiteral("tag"), cmdTag },
        { QStringLiteral("simulate"),
            [](const QStringList& args) {
                // `ntt simulate ...` is `ntt session simulate ...`.
                QStringList session = args;
                session[0] = QStringLiteral("ntt session");
                session.insert(1, QStringLiteral("simulate"));
                return cmdSession(session);
            } },
    };
    if (arguments.isEmpty() || arguments.first() == QLatin1String("--help")
        || arguments.first() == QLatin1String("-h")) {
        printUsage(arguments.isEmpty() ? err() : out());
        return arguments.isEmpty() ? 2 : 0;
    }
    if (arguments.first() == QLatin1String("--version")) {
        out() << "ntt " NTT_VERSION << Qt::endl;
        return 0;
    }
    const auto it = commands.find(arguments.first());
    if (it == commands.end()) {
        err() << "ntt: unknown command \"" << arguments.first() << "\"\n\n";
        printUsage(err());
        return 2;
    }
    // QCommandLineParser expects the program name first.
    QStringList args = arguments;
    args[0] = QStringLiteral("ntt ") + arguments.first();
    return it->second(args);
}

} // namespace ntt
