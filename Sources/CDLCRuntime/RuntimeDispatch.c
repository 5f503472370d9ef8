/* dlc_fast_X: kernel X built for the best instruction set this CPU has (see CDLCRuntime.h). */
#include "CDLCRuntime.h"

#if defined(__x86_64__) && defined(__clang__)

void dlc_avx512_dense(const float *x, int rows, int k, const float *w, int w_packed, int n, const float *bias,
                      int activation, float *y);
void dlc_avx512_conv2d(const float *x, int batch, const dlc_window *w, int groups, int filters, const float *kernel,
                       int kernel_packed, const float *bias, int activation, long tile, float *y, float *scratch);
void dlc_avx512_recurrent(int kind, const float *x, int batch, int steps, int features, int units,
                          const float *kernel, const float *recurrent_kernel, int kernels_packed, const float *bias,
                          const float *recurrent_bias, int activation, int recurrent_activation, int reset_after,
                          int go_backwards, int mask_kind, const void *mask, int mask_features, float mask_value,
                          int zero_output_for_mask, float *sequence, float *h, float *c, float *scratch);
void dlc_avx512_attention(const float *q, const float *k, const float *v, long groups, int tq, int tk, int heads,
                          int dk, int dv, int mask_kind, const void *mask, int mask_features, float mask_value,
                          int query_masked, int key_masked, int causal, float *scores, float *context);
void dlc_avx512_batched_gemm(int batch, int m, int n, int k, const float *a, const float *b, float *c);
void dlc_avx512_activate(int kind, float *x, long count, int width);
void dlc_avx512_elementwise(const dlc_step *steps, int step_count, const float *const *operands, long count,
                            float *y);
void dlc_avx2_dense(const float *x, int rows, int k, const float *w, int w_packed, int n, const float *bias,
                    int activation, float *y);
void dlc_avx2_conv2d(const float *x, int batch, const dlc_window *w, int groups, int filters, const float *kernel,
                     int kernel_packed, const float *bias, int activation, long tile, float *y, float *scratch);
void dlc_avx2_recurrent(int kind, const float *x, int batch, int steps, int features, int units, const float *kernel,
                        const float *recurrent_kernel, int kernels_packed, const float *bias,
                        const float *recurrent_bias, int activation, int recurrent_activation, int reset_after,
                        int go_backwards, int mask_kind, const void *mask, int mask_features, float mask_value,
                        int zero_output_for_mask, float *sequence, float *h, float *c, float *scratch);
void dlc_avx2_attention(const float *q, const float *k, const float *v, long groups, int tq, int tk, int heads,
                        int dk, int dv, int mask_kind, const void *mask, int mask_features, float mask_value,
                        int query_masked, int key_masked, int causal, float *scores, float *context);
void dlc_avx2_batched_gemm(int batch, int m, int n, int k, const float *a, const float *b, float *c);
void dlc_avx2_activate(int kind, float *x, long count, int width);
void dlc_avx2_elementwise(const dlc_step *steps, int step_count, const float *const *operands, long count, float *y);

int dlc_vector_level(void) {
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f")) return 2;
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return 1;
  return 0;
}
#else
int dlc_vector_level(void) { return 0; }
#endif

void dlc_fast_dense(const float *x, int rows, int k, const float *w, int w_packed, int n, const float *bias,
                    int activation, float *y) {
#if defined(__x86_64__) && defined(__clang__)
  switch (dlc_vector_level()) {
  case 2:
    dlc_avx512_dense(x, rows, k, w, w_packed, n, bias, activation, y);
    return;
  case 1:
    dlc_avx2_dense(x, rows, k, w, w_packed, n, bias, activation, y);
    return;
  default: break;
  }
#endif
  dlc_dense(x, rows, k, w, w_packed, n, bias, activation, y);
}

void dlc_fast_conv2d(const float *x, int batch, const dlc_window *w, int groups, int filters, const float *kernel,
                     int kernel_packed, const float *bias, int activation, long tile, float *y, float *scratch) {
#if defined(__x86_64__) && defined(__clang__)
  switch (dlc_vector_level()) {
  case 2:
    dlc_avx512_conv2d(x, batch, w, groups, filters, kernel, kernel_packed, bias, activation, tile, y, scratch);
    return;
  case 1:
    dlc_avx2_conv2d(x, batch, w, groups, filters, kernel, kernel_packed, bias, activation, tile, y, scratch);
    return;
  default: break;
  }
#endif
  dlc_conv2d(x, batch, w, groups, filters, kernel, kernel_packed, bias, activation, tile, y, scratch);
}

void dlc_fast_recurrent(int kind, const float *x, int batch, int steps, int features, int units, const float *kernel,
                        const float *recurrent_kernel, int kernels_packed, const float *bias,
                        const float *recurrent_bias, int activation, int recurrent_activation, int reset_after,
                        int go_backwards, int mask_kind, const void *mask, int mask_features, float mask_value,
                        int zero_output_for_mask, float *sequence, float *h, float *c, float *scratch) {
#if defined(__x86_64__) && defined(__clang__)
  switch (dlc_vector_level()) {
  case 2:
    dlc_avx512_recurrent(kind, x, batch, steps, features, units, kernel, recurrent_kernel, kernels_packed, bias,
                         recurrent_bias, activation, recurrent_activation, reset_after, go_backwards, mask_kind, mask,
                         mask_features, mask_value, zero_output_for_mask, sequence, h, c, scratch);
    return;
  case 1:
    dlc_avx2_recurrent(kind, x, batch, steps, features, units, kernel, recurrent_kernel, kernels_packed, bias,
                       recurrent_bias, activation, recurrent_activation, reset_after, go_backwards, mask_kind, mask,
                       mask_features, mask_value, zero_output_for_mask, sequence, h, c, scratch);
    return;
  default: break;
  }
#endif
  dlc_recurrent(kind, x, batch, steps, features, units, kernel, recurrent_kernel, kernels_packed, bias,
                recurrent_bias, activation, recurrent_activation, reset_after, go_backwards, mask_kind, mask,
                mask_features, mask_value, zero_output_for_mask, sequence, h, c, scratch);
}

void dlc_fast_attention(const float *q, const float *k, const float *v, long groups, int tq, int tk, int heads,
                        int dk, int dv, int mask_kind, const void *mask, int mask_features, float mask_value,
                        int query_masked, int key_masked, int causal, float *scores, float *context) {
#if defined(__x86_64__) && defined(__clang__)
  switch (dlc_vector_level()) {
  case 2:
    dlc_avx512_attention(q, k, v, groups, tq, tk, heads, dk, dv, mask_kind, mask, mask_features, mask_value,
                         query_masked, key_masked, causal, scores, context);
    return;
  case 1:
    dlc_avx2_attention(q, k, v, groups, tq, tk, heads, dk, dv, mask_kind, mask, mask_features, mask_value,
                       query_masked, key_masked, causal, scores, context);
    return;
  default: break;
  }
#endif
  dlc_attention(q, k, v, groups, tq, tk, heads, dk, dv, mask_kind, mask, mask_features, mask_value, query_masked,
                key_masked, causal, scores, context);
}

void dlc_fast_batched_gemm(int batch, int m, int n, int k, const float *a, const float *b, float *c) {
#if defined(__x86_64__) && defined(__clang__)
  switch (dlc_vector_level()) {
  case 2:
    dlc_avx512_batched_gemm(batch, m, n, k, a, b, c);
    return;
  case 1:
    dlc_avx2_batched_gemm(batch, m, n, k, a, b, c);
    return;
  default: break;
  }
#endif
  dlc_batched_gemm(batch, m, n, k, a, b, c);
}

void dlc_fast_activate(int kind, float *x, long count, int width) {
#if defined(__x86_64__) && defined(__clang__)
  switch (dlc_vector_level()) {
  case 2:
    dlc_avx512_activate(kind, x, count, width);
    return;
  case 1:
    dlc_avx2_activate(kind, x, count, width);
    return;
  default: break;
  }
#endif
  dlc_activate(kind, x, count, width);
}

void dlc_fast_elementwise(const dlc_step *steps, int step_count, const float *const *operands, long count, float *y)
                          {
#if defined(__x86_64__) && defined(__clang__)
  switch (dlc_vector_level()) {
  case 2:
    dlc_avx512_elementwise(steps, step_count, operands, count, y);
    return;
  case 1:
    dlc_avx2_elementwise(steps, step_count, operands, count, y);
    return;
  default: break;
  }
#endif
  dlc_elementwise(steps, step_count, operands, count, y);
}
