/* The C runtime dlc's interpreter calls: codegen/runtime/dlc_runtime.h, the same file generated
 * code copies, with every function static inline so the Swift module that calls one compiles it. */
#ifndef CDLCRUNTIME_H
#define CDLCRUNTIME_H

#define DLC_API static inline
/* Products of two computed tensors through OpenBLAS, as generated code built with --blas openblas. */
#define DLC_USE_CBLAS 1
#include "dlc_runtime.h"

/* dlc itself is built for any x86-64, so the kernels above are the portable ones. The heavy kernels
 * are also built for AVX-512 and for AVX2+FMA (RuntimeAVX512.c, RuntimeAVX2.c); dlc_fast_X runs X
 * with the best of them this CPU has (RuntimeDispatch.c). dlc_vector_level says which: 2 for
 * AVX-512, 1 for AVX2+FMA, 0 for neither (the portable kernels, and packed weights are not worth
 * it: the interpreter keeps them row-major for OpenBLAS). */
int dlc_vector_level(void);
void dlc_fast_dense(const float *x, int rows, int k, const float *w, int w_packed, int n, const float *bias,
                    int activation, float *y, const dlc_parallel *parallel);
void dlc_fast_conv2d(const float *x, int batch, const dlc_window *w, int groups, int filters, const float *kernel,
                     int kernel_packed, const float *bias, int activation, long tile, float *y, float *scratch,
                     const dlc_parallel *parallel);
void dlc_fast_conv2d_winograd(const float *x, int batch, const dlc_window *w, int filters, const float *kernel,
                              int kernel_packed, const float *bias, int activation, long tile, float *y,
                              float *scratch, const dlc_parallel *parallel);
void dlc_fast_recurrent(int kind, const float *x, int batch, int steps, int features, int units, const float *kernel,
                        const float *recurrent_kernel, int kernels_packed, const float *bias,
                        const float *recurrent_bias, int activation, int recurrent_activation, int reset_after,
                        int go_backwards, int mask_kind, const void *mask, int mask_features, float mask_value,
                        int zero_output_for_mask, float *sequence, float *h, float *c, float *scratch,
                        const dlc_parallel *parallel);
void dlc_fast_attention(const float *q, const float *k, const float *v, long groups, int tq, int tk, int heads,
                        int dk, int dv, int mask_kind, const void *mask, int mask_features, float mask_value,
                        int query_masked, int key_masked, int causal, float *scores, float *context);
void dlc_fast_batched_gemm(int batch, int m, int n, int k, const float *a, const float *b, float *c);
void dlc_fast_activate(int kind, float *x, long count, int width);
void dlc_fast_elementwise(const dlc_step *steps, int step_count, const float *const *operands, long count, float *y);

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

/* Makes `count` calls in order, each with its arguments (the heavy kernels through dlc_fast_X), and
 * returns `count`; or stops at a call that fails (dlc_embedding, on a token id outside its table)
 * and returns its index. */
long dlc_run_calls(const dlc_call *calls, long count, const dlc_argument *arguments);

#endif
