// libFuzzer target: a study file opened from disk, as `namethattrue FILE` and every `ntt --db FILE`
// do (a file from a colleague, a copy cut short, a file of another program). The bytes are written
// to a file and opened; then the pool, the studies with their sessions, trials and answer rows, and
// the models are read, as the main window does on opening. Each step returns a result or an error
// that says why, never a crash or undefined behaviour.
#include "studydatabase.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QTemporaryDir>

#include <cstdint>
#include <cstdlib>

namespace {

template <typename T> void expectReasonOnError(const ntt::Result<T>& result)
{
    if (!result && result.error().isEmpty())
        std::abort(); // every failure says why
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    static int argc = 1;
    static char name[] = "fuzz_study_file";
    static char* argv[] = { name, nullptr };
    static QCoreApplication app(argc, argv); // Qt SQL finds its drivers through the application
    static QTemporaryDir dir(QDir::tempPath() + QStringLiteral("/ntt-fuzz-XXXXXX"));
    const QString path = dir.filePath(QStringLiteral("study.ntt"));
    for (const char* suffix : { "", "-wal", "-shm", "-journal" })
        QFile::remove(path + QLatin1String(suffix));
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        std::abort();
    file.write(reinterpret_cast<const char*>(data), static_cast<qint64>(size));
    file.close();

    auto opened = ntt::StudyDatabase::open(path, ntt::StudyDatabase::OpenMode::ExistingOnly);
    expectReasonOnError(opened);
    if (!opened)
        return 0;
    ntt::StudyDatabase& db = *opened.value();
    expectReasonOnError(db.poolImages());
    expectReasonOnError(db.models());
    expectReasonOnError(db.imageTags());
    const auto studies = db.studies();
    expectReasonOnError(studies);
    if (studies) {
        for (const ntt::StoredStudy& study : studies.value()) {
            expectReasonOnError(db.studyImages(study.id));
            expectReasonOnError(db.responseRows(study.id));
            expectReasonOnError(db.modelAnswerRows(study.id));
            const auto sessions = db.sessions(study.id);
            expectReasonOnError(sessions);
            if (sessions)
                for (const ntt::SessionInfo& s : sessions.value())
                    expectReasonOnError(db.sessionTrials(s.id));
        }
    }
    return 0;
}
