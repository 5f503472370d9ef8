/* The interpreter's heavy kernels built for AVX-512: the same runtime, with AVX-512 enabled for
 * every function here and its vector paths selected (DLC_TARGET_AVX512). Exported as dlc_avx512_X;
 * RuntimeDispatch.c calls them only on a CPU that has AVX-512. */
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

void dlc_avx512_dense(const float *x, int rows, int k, const float *w, int w_packed, int n, const float *bias,
                      int activation, float *y) {
  dlc_dense(x, rows, k, w, w_packed, n, bias, activation, y);
}

void dlc_avx512_conv2d(const float *x, int batch, const dlc_window *w, int groups, int filters, const float *kernel,
                       int kernel_packed, const float *bias, int activation, long tile, float *y, float *scratch) {
  dlc_conv2d(x, batch, w, groups, filters, kernel, kernel_packed, bias, activation, tile, y, scratch);
}

void dlc_avx512_recurrent(int kind, const float *x, int batch, int steps, int features, int units,
                          const float *kernel, const float *recurrent_kernel, int kernels_packed, const float *bias,
                          const float *recurrent_bias, int activation, int recurrent_activation, int reset_after,
                          int go_backwards, int mask_kind, const void *mask, int mask_features, float mask_value,
                          int zero_output_for_mask, float *sequence, float *h, float *c, float *scratch) {
  dlc_recurrent(kind, x, batch, steps, features, units, kernel, recurrent_kernel, kernels_packed, bias,
                recurrent_bias, activation, recurrent_activation, reset_after, go_backwards, mask_kind, mask,
                mask_features, mask_value, zero_output_for_mask, sequence, h, c, scratch);
}

void dlc_avx512_attention(const float *q, const float *k, const float *v, long groups, int tq, int tk, int heads,
                          int dk, int dv, int mask_kind, const void *mask, int mask_features, float mask_value,
                          int query_masked, int key_masked, int causal, float *scores, float *context) {
  dlc_attention(q, k, v, groups, tq, tk, heads, dk, dv, mask_kind, mask, mask_features, mask_value, query_masked,
                key_masked, causal, scores, context);
}

void dlc_avx512_batched_gemm(int batch, int m, int n, int k, const float *a, const float *b, float *c) {
  dlc_batched_gemm(batch, m, n, k, a, b, c);
}

void dlc_avx512_activate(int kind, float *x, long count, int width) {
  dlc_activate(kind, x, count, width);
}

void dlc_avx512_elementwise(const dlc_step *steps, int step_count, const float *const *operands, long count,
                            float *y) {
  dlc_elementwise(steps, step_count, operands, count, y);
}

#pragma clang attribute pop
#else
/* Nothing to build: RuntimeDispatch.c uses the portable kernels. */
typedef int dlc_no_vector_kernels;
#endif
