/* The interpreter's heavy kernels built for AVX-512: the same runtime, with AVX-512 enabled for
 * every function here and its vector paths selected (DLC_TARGET_AVX512), wrapped as dlc_avx512_X
 * (RuntimeVariants.h). RuntimeDispatch.c calls them only on a CPU that has AVX-512. */
#if defined(__x86_64__) && defined(__clang__)
/* The system headers first, so that the target attribute below reaches only the runtime. */
#include <cblas.h>
#include <immintrin.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#pragma clang attribute push(__attribute__((target("avx512f,avx2,fma"))), apply_to = function)
#define DLC_API static inline
#define DLC_USE_CBLAS 1
#define DLC_TARGET_AVX512 1
#include "dlc_runtime.h"

#define DLC_VARIANT(name) dlc_avx512_##name
#define DLC_CALLS(call) { dlc_##call; }
#include "RuntimeVariants.h"
#pragma clang attribute pop
#else
/* Nothing to build: RuntimeDispatch.c uses the portable kernels. */
typedef int dlc_no_avx512_kernels;
#endif
