#pragma once

#include "result.h"

#include <QString>

#include <opencv2/core/mat.hpp>

#include <vector>

namespace ntt {

/// One cell of a contact sheet: a thumbnail (8-bit BGR; empty draws a grey box) and its caption.
struct ContactSheetItem
{
    cv::Mat thumbnail;
    QString caption; ///< up to two lines, e.g. "#123 - people 20 %\nP(real) 0.91"; drawn in ASCII (asciiCaption())
};

struct ContactSheetLayout
{
    int columns = 8; ///< 1..64
    int cell = 160; ///< thumbnails fit in cell x cell pixels, 32..1024
    QString title; ///< drawn at the top; empty leaves it out
};

/**
 * The thumbnails in a grid on white (no more columns than items), each centred in its cell with its caption below
 * (elided to the cell width), for printing the images behind a finding. Fails on an empty selection.
 */
Result<cv::Mat> composeContactSheet(const std::vector<ContactSheetItem>& items, const ContactSheetLayout& layout);

/**
 * Writes an image as a one-page PDF (the image embedded as a JPEG, the page sized to it at `dpi`),
 * atomically; the error names the file.
 */
Status writeImagePdf(const cv::Mat& bgr8, const QString& path, double dpi = 150.0);

/// Writes the sheet as PNG or PDF by the file's suffix; any other suffix is refused, naming it.
Status writeContactSheet(const cv::Mat& sheet, const QString& path);

} // namespace ntt
