#pragma once

#include "result.h"

#include <QString>

#include <vector>

namespace cv {
class Mat;
}

namespace ntt {

/// A float32 array read from a .npy file, C order (the last index varies fastest).
struct NpyArray
{
    std::vector<qint64> shape; ///< empty for a 0-d array (one value)
    std::vector<float> data; ///< the product of `shape` values
};

/**
 * Writes `data` (the product of `shape` values, C order) as a NumPy .npy file that numpy.load()
 * reads: format 1.0 (2.0 only for a header too long for 1.0), dtype '<f4', header byte for byte
 * as numpy 1.24's np.save writes it (padded so the data starts at a multiple of 64). Written
 * through a temporary file renamed on success. The error names the file.
 */
Status writeNpyFloat32(const QString& path, const float* data, const std::vector<qint64>& shape);
/// The same for a single-channel CV_32F matrix: shape [rows, cols] (all its sizes for an n-d matrix).
Status writeNpyFloat32(const QString& path, const cv::Mat& matrix);

/**
 * Reads a .npy file of format 1.0 or 2.0 holding a C-order '<f4' array, and nothing else: other
 * dtypes, Fortran order, other versions, a malformed header or a data size that does not match the
 * shape are errors naming the file and what is wrong.
 */
Result<NpyArray> readNpyFloat32(const QString& path);

} // namespace ntt
