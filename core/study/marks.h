#pragma once

#include "result.h"
#include "study/responseexport.h"
#include "study/study.h"
#include "study/trial.h"

#include <QPointF>
#include <QString>

#include <vector>

namespace ntt {

/// One place a participant clicked on an image as giving it away.
struct Mark
{
    int position = 0; ///< 0-based position of the image in the trial's row
    qint64 imageId = 0; ///< the pool image
    double u = 0.0; ///< where on the image as shown, 0..1 from its left edge
    double v = 0.0; ///< 0..1 from its top edge
    double x = 0.0; ///< the same place in the pool image's own pixels (0..width, as displayed); NaN until known
    double y = 0.0; ///< 0..height
};

/// A participant's marks on one trial, with the reason picked (empty when none was asked or picked).
struct TrialMarks
{
    std::vector<Mark> points;
    QString reason;
};

/// A trial's marks with the answer they followed.
struct MarkedTrial
{
    ResponseRow row; ///< the participant, trial, images shown and answer
    TrialMarks marks;
    QDateTime markedUtc; ///< when the marks were stored at the station
};

/// The session event kind under which a trial's marks are stored.
inline QString marksEventKind()
{
    return QStringLiteral("marks");
}

/// Whether a participant is asked to mark a trial after `answer`: after "generated" (answer 1) in
/// real-or-fake, after every pick trial; never in which-source, which-category, nor when the study
/// asks for no marks or the trial timed out (answer -1).
bool asksForMarks(const StudyDefinition& definition, const Trial& trial, int answer);

/**
 * Where a place on an image as shown lies in the pool image's own pixels. `u`, `v` run 0..1 over
 * the shown file; the pool image is `width` x `height` pixels (as displayed, EXIF orientation
 * applied). Without normalisation the shown file is the image itself; with it, the shown file is the
 * `size` x `size` centre crop of the image scaled to cover (coverSquare in stimulus.cpp), and the
 * place is mapped back through that scale and crop. Pixel i spans [i, i + 1).
 */
QPointF shownToImagePixels(double u, double v, int width, int height, const StimulusNormalisation& normalisation);

/// The inverse of shownToImagePixels(): where a place of the pool image lies on the image as shown
/// (0..1 when it is on it; outside when normalisation's crop cut it off).
QPointF imagePixelsToShown(double x, double y, int width, int height, const StimulusNormalisation& normalisation);

/// Where people marked image `imageId`, in the pixels of the file shown (width x height), over the
/// trials given (simulated participants' only when `includeSimulated`).
std::vector<QPointF> shownMarksOf(
    const std::vector<MarkedTrial>& trials, qint64 imageId, int width, int height, bool includeSimulated);

/// The heat maps' kernel SD (`sigmaImagePx`, in the pool image's pixels) in the pixels of the file
/// shown: scaled as normalisation scaled the image, unchanged without normalisation.
double shownKernelSigma(
    double sigmaImagePx, int imageWidth, int imageHeight, const StimulusNormalisation& normalisation);

/// The stored form of a trial's marks (a JSON object, keys points[{position, image, u, v, x, y}] and
/// reason; x and y only when known: the participant window stores where on the shown image, and
/// studyMarks() works out the image's pixels).
QString marksToJson(const TrialMarks& marks);
/// Reads marksToJson(); errors say what is wrong with the stored text.
Result<TrialMarks> marksFromJson(const QString& json);

} // namespace ntt
