/* The interpreter's loop of calls over the runtime built for AVX2 and FMA: every function here with
 * AVX2 and FMA enabled and the runtime's vector paths selected (DLC_TARGET_AVX2), as dlc_avx2_run_calls
 * (RuntimeCallLoop.h). dlc_run_calls calls it only on a CPU that has AVX2 and FMA. */
#if defined(__x86_64__) && defined(__clang__)
/* The system headers first, so that the target attribute below reaches only the runtime. */
#include <cblas.h>
#include <immintrin.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
/* dlc_run_calls' types, without the portable runtime: this file builds its own below. */
#define DLC_RUNTIME_BUILT_HERE 1
#include "CDLCRuntime.h"

#pragma clang attribute push(__attribute__((target("avx2,fma"))), apply_to = function)
#define DLC_API static inline
#define DLC_USE_CBLAS 1
#define DLC_TARGET_AVX2 1
#include "dlc_runtime.h"

#define DLC_RUN_CALLS dlc_avx2_run_calls
long DLC_RUN_CALLS(const dlc_call *calls, long count, const dlc_argument *arguments);
#include "RuntimeCallLoop.h"
#pragma clang attribute pop
#else
/* Nothing to build: dlc_run_calls runs the portable kernels. */
typedef int dlc_no_avx2_kernels;
#endif
