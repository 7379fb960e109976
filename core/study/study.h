#pragma once

#include "frequencyfilter.h"
#include "pool/imagedecode.h"
#include "result.h"
#include "study/staircase.h"

#include <QString>
#include <QStringList>

#include <cstdint>
#include <optional>

namespace ntt {

/// What a participant (or model) is asked on a trial. Adding a type is a new case here and in the
/// trial generator's row builder, not a rewrite.
enum class TrialType {
    PickReal, ///< Name-That-True: N images, one real; choose it
    PickFake, ///< N images, one generated; choose it
    RealOrFake, ///< one image, binary answer
    WhichSource, ///< one image; choose the source that made it among the study's sources (labelled buttons)
    WhichCategory, ///< one image; choose what it shows among category names (labelled buttons)
    PickSource, ///< two images from two sources (generated ones unless the study lists the real source); choose the
                ///< one from the named source
};

QString trialTypeName(TrialType type);
std::optional<TrialType> trialTypeFromName(const QString& name);
/// Whether a trial of this type shows one image with labelled answer buttons (real-or-fake,
/// which-source, which-category) rather than a row of images to choose from.
bool answersWithLabels(TrialType type);

/// Which images may share a row of a pick trial.
enum class RowMatching {
    Category, ///< all images of a row show the same category
    PairKey, ///< all images of a row share a pair key (same prompt or original)
    None, ///< any images
};

QString rowMatchingName(RowMatching matching);
std::optional<RowMatching> rowMatchingFromName(const QString& name);

/// Re-encoding of every stimulus to one size, format and quality so that neither people nor models
/// can use file properties as a cue.
struct StimulusNormalisation
{
    bool enabled = false;
    int size = 512; ///< output is size x size: scaled to cover, centre-cropped
    QString format = QStringLiteral("jpeg"); ///< "jpeg" or "png"
    int quality = 90; ///< JPEG quality 1..100
    /// Spatial frequencies kept after scaling (cycles per image of the size x size copy): people see
    /// the same low-, high- or band-pass filtered images a model's frequency analysis judges.
    FrequencyFilter filter;
};

/// Marks: after answering that an image is generated (real-or-fake) or after a pick trial, the
/// images stay on screen and the participant clicks the places that gave it away.
struct MarkingOptions
{
    int points = 0; ///< up to this many clicks per trial (1..20); 0 = no marking
    QStringList reasons; ///< one may be picked after the clicks (keys 1..9); empty = none asked
    double kernelSigmaPx = 24.0; ///< SD of the Gaussian of people's heat maps, in image pixels
};

/// Brief exposure: the stimulus is shown for a set number of frames of the participant's display,
/// then a mask, then the answer screen ("exposure"). Either fixed durations (the method of constant
/// stimuli: each main trial gets one of `frames`, balanced and shuffled per participant) or a
/// staircase per participant. Practice and catch trials are shown for the longest duration (the
/// staircase's start for practice).
struct ExposureOptions
{
    std::vector<int> frames; ///< fixed exposures in frames (1..600 each); empty with no staircase = no brief exposure
    StaircaseOptions staircase; ///< used instead of `frames` when enabled
    int maskFrames = 12; ///< frames of the pattern mask after the stimulus (0 = none)

    bool enabled() const { return staircase.enabled || !frames.empty(); }
    /// The longest exposure the study shows, in frames (0 when brief exposure is off).
    int longestFrames() const;
};

/// A study's definition: everything needed to regenerate its trials for any participant.
struct StudyDefinition
{
    QString name;
    TrialType trialType = TrialType::PickReal;
    int ways = 2; ///< images per row (1 for real-or-fake, which-source and which-category; 2 for pick-source)
    /// which-category: category names offered per trial, the true one and choices - 1 distractors
    /// drawn evenly from the study's categories; 0 = every category (free choice).
    int choices = 0;
    QStringList sources; ///< sources drawn from; empty = all
    QStringList categories; ///< categories drawn from; empty = all
    RowMatching matching = RowMatching::Category;
    int trialsPerParticipant = 40; ///< main trials, excluding practice and catch trials
    int practiceTrials = 0; ///< shown first, with feedback, flagged and not analysed
    int catchTrials = 0; ///< attention checks mixed into the main block
    /// Main trials shown a second time at the end of the main block, for people's self-consistency.
    int repeatTrials = 0;
    QStringList catchImages; ///< relative paths of the images a researcher marked for catch trials
    int breakEvery = 0; ///< a break after every K trials; 0 = none
    int deadlineMs = 0; ///< response deadline; 0 = none
    int minRtMs = 0; ///< answers faster than this are flagged too fast; 0 = none
    bool feedback = false; ///< feedback after main trials (practice always has it)
    bool confidence = false; ///< ask a 1..4 confidence rating after each answer
    MarkingOptions marks; ///< where people saw it, after the answer ("marks")
    ExposureOptions exposure; ///< brief exposure and mask ("exposure")
    QString instructions;
    QString consent; ///< empty = no consent screen
    std::uint64_t seed = 1;
    StimulusNormalisation normalisation;
    /// What transparent pixels show, for people, models, thumbnails and overlays alike ("background").
    Background background;
};

/// Parses a study definition from JSON; the error names `origin` (a file name) and the key at fault.
Result<StudyDefinition> parseStudyDefinition(const QByteArray& json, const QString& origin);
/// Serialises a definition to JSON that parseStudyDefinition reads back identically.
QByteArray studyDefinitionToJson(const StudyDefinition& definition);
/// Checks values that do not depend on the pool (ranges, combinations).
Status validateStudyDefinition(const StudyDefinition& definition);

} // namespace ntt
