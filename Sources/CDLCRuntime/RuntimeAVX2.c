/* The interpreter's heavy kernels built for AVX2 and FMA: the same runtime, with AVX2 and FMA enabled for
 * every function here and its vector paths selected (DLC_TARGET_AVX2), wrapped as dlc_avx2_X
 * (RuntimeVariants.h). RuntimeDispatch.c calls them only on a CPU that has AVX2 and FMA. */
#if defined(__x86_64__) && defined(__clang__)
/* The system headers first, so that the target attribute below reaches only the runtime. */
#include <cblas.h>
#include <immintrin.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#pragma clang attribute push(__attribute__((target("avx2,fma"))), apply_to = function)
#define DLC_API static inline
#define DLC_USE_CBLAS 1
#define DLC_TARGET_AVX2 1
#include "dlc_runtime.h"

#define DLC_VARIANT(name) dlc_avx2_##name
#define DLC_CALLS(call) { dlc_##call; }
#include "RuntimeVariants.h"
#pragma clang attribute pop
#else
/* Nothing to build: RuntimeDispatch.c uses the portable kernels. */
typedef int dlc_no_avx2_kernels;
#endif
