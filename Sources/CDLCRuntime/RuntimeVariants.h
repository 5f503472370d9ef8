/* The kernels the interpreter runs through dlc_fast_X, each once: DLC_VARIANT(X) names a
 * function taking X's arguments, DLC_CALLS(X(arguments)) its body, both defined by the file that
 * includes this one (several times over if it likes: there is no include guard). RuntimeAVX512.c
 * and RuntimeAVX2.c define dlc_avx512_X and dlc_avx2_X around the runtime's X built for their
 * instruction set; RuntimeDispatch.c declares those and defines dlc_fast_X, which picks one. */

void DLC_VARIANT(dense)(const float *x, int rows, int k, const float *w, int w_packed, int n, const float *bias,
                        int activation, float *y, const dlc_parallel *parallel)
DLC_CALLS(dense(x, rows, k, w, w_packed, n, bias, activation, y, parallel))

void DLC_VARIANT(conv2d)(const float *x, int batch, const dlc_window *w, int groups, int filters,
                         const float *kernel, int kernel_packed, const float *bias, int activation, long tile,
                         float *y, float *scratch, const dlc_parallel *parallel)
DLC_CALLS(conv2d(x, batch, w, groups, filters, kernel, kernel_packed, bias, activation, tile, y, scratch, parallel))

void DLC_VARIANT(conv2d_winograd)(const float *x, int batch, const dlc_window *w, int filters, const float *kernel,
                                  int kernel_packed, const float *bias, int activation, long tile, float *y,
                                  float *scratch, const dlc_parallel *parallel)
DLC_CALLS(conv2d_winograd(x, batch, w, filters, kernel, kernel_packed, bias, activation, tile, y, scratch,
                          parallel))

void DLC_VARIANT(recurrent)(int kind, const float *x, int batch, int steps, int features, int units,
                            const float *kernel, const float *recurrent_kernel, int kernels_packed,
                            const float *bias, const float *recurrent_bias, int activation,
                            int recurrent_activation, int reset_after, int go_backwards, int mask_kind,
                            const void *mask, int mask_features, float mask_value, int zero_output_for_mask,
                            float *sequence, float *h, float *c, float *scratch, const dlc_parallel *parallel)
DLC_CALLS(recurrent(kind, x, batch, steps, features, units, kernel, recurrent_kernel, kernels_packed, bias,
                    recurrent_bias, activation, recurrent_activation, reset_after, go_backwards, mask_kind, mask,
                    mask_features, mask_value, zero_output_for_mask, sequence, h, c, scratch, parallel))

void DLC_VARIANT(attention)(const float *q, const float *k, const float *v, long groups, int tq, int tk, int heads,
                            int dk, int dv, int mask_kind, const void *mask, int mask_features, float mask_value,
                            int query_masked, int key_masked, int causal, float *scores, float *context)
DLC_CALLS(attention(q, k, v, groups, tq, tk, heads, dk, dv, mask_kind, mask, mask_features, mask_value,
                    query_masked, key_masked, causal, scores, context))

void DLC_VARIANT(batched_gemm)(int batch, int m, int n, int k, const float *a, const float *b, float *c)
DLC_CALLS(batched_gemm(batch, m, n, k, a, b, c))

void DLC_VARIANT(activate)(int kind, float *x, long count, int width)
DLC_CALLS(activate(kind, x, count, width))

void DLC_VARIANT(elementwise)(const dlc_step *steps, int step_count, const float *const *operands, long count,
                              float *y)
DLC_CALLS(elementwise(steps, step_count, operands, count, y))
