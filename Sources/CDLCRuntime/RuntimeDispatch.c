/* dlc_fast_X: kernel X built for the best instruction set this CPU has (see CDLCRuntime.h). */
#include "CDLCRuntime.h"

#if defined(__x86_64__) && defined(__clang__)
/* The variants RuntimeAVX512.c and RuntimeAVX2.c define. */
#define DLC_CALLS(call) ;
#define DLC_VARIANT(name) dlc_avx512_##name
#include "RuntimeVariants.h"
#undef DLC_VARIANT
#define DLC_VARIANT(name) dlc_avx2_##name
#include "RuntimeVariants.h"
#undef DLC_VARIANT
#undef DLC_CALLS

/* Asked once and kept: every dlc_fast_X call asks, and asking the CPU each time was a tenth of a
 * small layer's call. Threads that race to ask the first time store the same answer. */
static int dlc_known_vector_level = -1;

int dlc_vector_level(void) {
  int level = __atomic_load_n(&dlc_known_vector_level, __ATOMIC_RELAXED);
  if (level >= 0) return level;
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f")) level = 2;
  else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) level = 1;
  else level = 0;
  __atomic_store_n(&dlc_known_vector_level, level, __ATOMIC_RELAXED);
  return level;
}

#define DLC_CALLS(call)                                                                                              \
  {                                                                                                                  \
    switch (dlc_vector_level()) {                                                                                    \
    case 2: dlc_avx512_##call; return;                                                                               \
    case 1: dlc_avx2_##call; return;                                                                                 \
    default: dlc_##call; return;                                                                                     \
    }                                                                                                                \
  }
#else
int dlc_vector_level(void) { return 0; }

#define DLC_CALLS(call) { dlc_##call; }
#endif

#define DLC_VARIANT(name) dlc_fast_##name
#include "RuntimeVariants.h"
