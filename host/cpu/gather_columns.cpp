// A band of a spectrogram's bins and its adjoint (the band view), twin of
// kernels/gather_columns.cu. Copies only: both backends give the same bits.
#include "host/cpu/cpu_ops.h"

namespace audiostyle::cpu {

// y [rows, n_index] from x [rows, cols]
void gather_columns(const float* x, int64_t rows, int cols, const int* index, int n_index,
                    float* y) {
  for (int64_t r = 0; r < rows; ++r)
    for (int j = 0; j < n_index; ++j) y[r * n_index + j] = x[r * cols + index[j]];
}

void scatter_columns(const float* y, int64_t rows, int cols, const int* index, int n_index,
                     float* x) {
  for (int64_t r = 0; r < rows; ++r)
    for (int j = 0; j < n_index; ++j) x[r * cols + index[j]] = y[r * n_index + j];
}

}  // namespace audiostyle::cpu
