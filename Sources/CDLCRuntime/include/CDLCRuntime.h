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

#endif
