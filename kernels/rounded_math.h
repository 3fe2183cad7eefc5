// The per-element arithmetic shared by a kernel and its CPU twin (kernels/*_math.h): each
// operation correctly rounded, written so that neither compiler contracts or reorders it.
//
// Why here (kernels/, not include/audiostyle/): this is the device code's own arithmetic, which the
// CPU twins (host/cpu/*.cpp) include so that the CPU suite runs the exact expressions the kernels
// run; it is no part of the public API (philox.h is public because its stream is a contract).
// Plain C++ when not compiled by nvcc, so the CPU-only build needs no CUDA header.
//
// Device: the __f*_rn / __d*_rn intrinsics (never fused into an fma). Host: the plain operators,
// which are correctly rounded IEEE operations because the project compiles C++ with
// -ffp-contract=off (CMakeLists.txt) for x86-64 SSE (no excess precision). What is NOT shared
// bit for bit: the library functions (hypot, log1p, expm1) come from glibc on the host and from
// CUDA's math library on the device, each within 1-2 ulp of the exact value, so results computed
// in double and rounded once to float agree in all but rare ties.
#pragma once
#include <math.h>

#if defined(__CUDACC__)
#define AS_MATH __host__ __device__ __forceinline__
#else
#define AS_MATH inline
#endif

namespace audiostyle::math {

#if defined(__CUDA_ARCH__)
AS_MATH float add_rn(float a, float b) { return __fadd_rn(a, b); }
AS_MATH float sub_rn(float a, float b) { return __fsub_rn(a, b); }
AS_MATH float mul_rn(float a, float b) { return __fmul_rn(a, b); }
AS_MATH float div_rn(float a, float b) { return __fdiv_rn(a, b); }
AS_MATH float sqrt_rn(float a) { return __fsqrt_rn(a); }
AS_MATH double add_rn(double a, double b) { return __dadd_rn(a, b); }
AS_MATH double sub_rn(double a, double b) { return __dsub_rn(a, b); }
AS_MATH double mul_rn(double a, double b) { return __dmul_rn(a, b); }
AS_MATH double div_rn(double a, double b) { return __ddiv_rn(a, b); }
#else
AS_MATH float add_rn(float a, float b) { return a + b; }
AS_MATH float sub_rn(float a, float b) { return a - b; }
AS_MATH float mul_rn(float a, float b) { return a * b; }
AS_MATH float div_rn(float a, float b) { return a / b; }
AS_MATH float sqrt_rn(float a) { return sqrtf(a); }
AS_MATH double add_rn(double a, double b) { return a + b; }
AS_MATH double sub_rn(double a, double b) { return a - b; }
AS_MATH double mul_rn(double a, double b) { return a * b; }
AS_MATH double div_rn(double a, double b) { return a / b; }
#endif

}  // namespace audiostyle::math
