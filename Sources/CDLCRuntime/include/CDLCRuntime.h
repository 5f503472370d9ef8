/* The C runtime dlc's interpreter calls: codegen/runtime/dlc_runtime.h, the same file generated
 * code copies, with every function static inline so the Swift module that calls one compiles it. */
#ifndef CDLCRUNTIME_H
#define CDLCRUNTIME_H

/* RuntimeAVX512.c and RuntimeAVX2.c include the runtime themselves, built for their instruction set. */
#ifndef DLC_RUNTIME_BUILT_HERE
#define DLC_API static inline
/* Products of two computed tensors through OpenBLAS, as generated code built with --blas openblas. */
#define DLC_USE_CBLAS 1
#include "dlc_runtime.h"
#endif

/* dlc itself is built for any x86-64, so the kernels above are the portable ones. dlc_run_calls
 * also has its loop over the runtime built for AVX-512 and for AVX2+FMA (RuntimeAVX512.c,
 * RuntimeAVX2.c) and runs the best of them this CPU has. dlc_vector_level says which: 2 for
 * AVX-512, 1 for AVX2+FMA, 0 for neither (the portable kernels, and packed weights are not worth
 * it: the interpreter keeps them row-major for OpenBLAS). */
int dlc_vector_level(void);

/* One argument of a call dlc_run_calls makes: an address (a tensor, an array, or NULL), an integer
 * (C converts it to the parameter's int or long) or a float. */
typedef union {
  void *address;
  long integer;
  float real;
} dlc_argument;

/* A call dlc_run_calls makes: the runtime function (dlc_called_function's number for its name), and
 * where its arguments start in the array of them. */
typedef struct {
  int function;
  long first;
} dlc_call;

/* The number dlc_run_calls knows the runtime function `name` by (as generated C names it, such as
 * "dlc_dense"), or -1 when it makes no such call. */
int dlc_called_function(const char *name);

/* Makes `count` calls in order, each with its arguments (built for this CPU's best instruction set), and
 * returns `count`; or stops at a call that fails (dlc_embedding, on a token id outside its table)
 * and returns its index. */
long dlc_run_calls(const dlc_call *calls, long count, const dlc_argument *arguments);

#endif
