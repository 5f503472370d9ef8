/* dlc_run_calls: the interpreter's loop over a model's lowered calls, in C. Each call is a runtime
 * function (KernelCall.cCall names it, as generated C does) and its arguments, in order, in an array
 * the interpreter fills once per run memory and batch; a run is then this loop alone, built for the
 * best instruction set the CPU has (RuntimeCallLoop.h). Made from
 * Swift, one closure per call, the calls' contexts, retains and argument conversions cost half as
 * much again as the arithmetic of a small model. */
#include <string.h>

#include "CDLCRuntime.h"

#define DLC_RUN_CALLS dlc_portable_run_calls
#include "RuntimeCallLoop.h"
#undef DLC_RUN_CALLS

#if defined(__x86_64__) && defined(__clang__)
/* Defined by RuntimeAVX512.c and RuntimeAVX2.c, for a CPU that has their instruction set. */
long dlc_avx512_run_calls(const dlc_call *calls, long count, const dlc_argument *arguments);
long dlc_avx2_run_calls(const dlc_call *calls, long count, const dlc_argument *arguments);

/* Asked once and kept: asking the CPU on every run was a tenth of a small model's run. Threads that
 * race to ask the first time store the same answer. */
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

long dlc_run_calls(const dlc_call *calls, long count, const dlc_argument *arguments) {
  switch (dlc_vector_level()) {
  case 2: return dlc_avx512_run_calls(calls, count, arguments);
  case 1: return dlc_avx2_run_calls(calls, count, arguments);
  default: return dlc_portable_run_calls(calls, count, arguments);
  }
}
#else
int dlc_vector_level(void) { return 0; }

long dlc_run_calls(const dlc_call *calls, long count, const dlc_argument *arguments) {
  return dlc_portable_run_calls(calls, count, arguments);
}
#endif

int dlc_called_function(const char *name) {
  static const char *const names[] = {
#define DLC_CALLED_NAME(name) #name,
    DLC_CALLED_FUNCTIONS(DLC_CALLED_NAME)
#undef DLC_CALLED_NAME
  };
  int index;
  for (index = 0; index < dlc_called_function_count; index++) {
    if (strcmp(names[index], name) == 0) return index;
  }
  return -1;
}

