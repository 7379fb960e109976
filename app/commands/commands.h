#pragma once

// The verbs of `ntt`, one source file each (<verb>command.cpp); commandline.cpp dispatches to them.
// Each takes the verb's own arguments with "ntt <verb>" first, as QCommandLineParser expects, and
// returns the process exit code: 0 success, 1 the command failed (message on stderr), 2 usage error.

#include <QStringList>

namespace ntt::cli {

/// `ntt demo`: creates the synthetic demo study in a folder.
int cmdDemo(const QStringList& args);
/// `ntt import`: imports images into a study file's pool (folder tree, manifest, CIFAKE, GenImage) and prints the
/// shortcut audit.
int cmdImport(const QStringList& args);
/// `ntt audit`: prints the shortcut audit of the pool.
int cmdAudit(const QStringList& args);
/// `ntt study`: creates, lists and shows studies.
int cmdStudy(const QStringList& args);
/// `ntt session`: lists sessions and runs simulated participants.
int cmdSession(const QStringList& args);
/// `ntt export`: writes responses, model answers, predictions, summary tables or a Psych-DS dataset.
int cmdExport(const QStringList& args);
/// `ntt browse`: the error browser on the command line: filters, sorts, confusion matrix, CSV and contact sheets.
int cmdBrowse(const QStringList& args);
/// `ntt tag`: adds and removes tags and notes on images.
int cmdTag(const QStringList& args);
/// `ntt model`: registers, trains, runs and lists models.
int cmdModel(const QStringList& args);
/// `ntt cam`: class-activation maps of a model on images, as figures and NumPy arrays.
int cmdCam(const QStringList& args);
/// `ntt backup --db FILE --out COPY`: a consistent copy while sessions run.
int cmdBackup(const QStringList& args);
/// `ntt station`: a station's journal for a server study: what waits to be sent, sending it now.
int cmdStation(const QStringList& args);

} // namespace ntt::cli
