/* Checks of the runtime's matrix products, convolution (all three paths) and vectorized math against
 * plain references, over awkward shapes (edges of the register tiles and depth blocks, strided
 * rows, accumulation, padding, strides, dilation, groups) and over the float range.
 * RuntimeKernelTests builds this once per instruction set the machine has (portable C, AVX2+FMA,
 * AVX-512), with the runtime's sections in "runtime.h", at -O1 under the sanitizers and at -O3
 * (where the math loops are vectorized). Prints each failure; exits 1 if any. */

/* Every split among threads a kernel can make, made however little the work: the convolution
 * checks run each case once on one thread and once through `three_threads` with a part function
 * (as generated code passes them), which runs a call's parts on this thread, last first, so rows no
 * part computes, or a part that needs another's results first, give a wrong output. (Parts racing on shared memory are the thread-sanitized
 * model tests' to catch: GeneratedCPropertiesTests.) */
#define DLC_PARALLEL_MACS 1L
#define DLC_PARALLEL_STREAM_MACS 1L
#include "runtime.h"

#include <float.h>
#include <stdio.h>
#include <stdlib.h>

static unsigned long long random_state = 88172645463325252ull;

static float uniform(void) {
  random_state ^= random_state << 13;
  random_state ^= random_state >> 7;
  random_state ^= random_state << 17;
  return (float)(random_state >> 40) / 16777216.0f - 0.5f;
}

/* The panel layout dlc's lowering writes (LoweringContext.panels). */
static void pack(int k, int n, const float *b, int ldb, float *packed) {
  int j0, p, j;
  for (j0 = 0; j0 < n; j0 += DLC_PANEL)
    for (p = 0; p < k; p++)
      for (j = 0; j < DLC_PANEL; j++) *packed++ = j0 + j < n ? b[(long)p * ldb + j0 + j] : 0.0f;
}

static int failures = 0;

static void parts_last_first(void *pool, int count, void (*task)(void *args, int index), void *args) {
  int i;
  (void)pool;
  for (i = count - 1; i >= 0; i--) task(args, i);
}
static const dlc_parallel three_threads = {parts_last_first, NULL, 3, NULL, NULL};

/* A convolution's call, as generated code's part functions have it (their frame). */
typedef struct {
  const float *x, *kernel, *bias;
  const dlc_window *w;
  int batch, groups, filters, packed, activation;
  long tile;
  float *y, *scratch;
} convolution_call;

static void convolution_part(void *frame, int index) {
  const convolution_call *c = (const convolution_call *)frame;
  dlc_conv2d_part(c->x, c->batch, c->w, c->groups, c->filters, c->kernel, c->packed, c->bias, c->activation, c->tile,
                  c->y, c->scratch, &three_threads, index);
}

static void winograd_part(void *frame, int index) {
  const convolution_call *c = (const convolution_call *)frame;
  dlc_conv2d_winograd_part(c->x, c->batch, c->w, c->filters, c->kernel, c->packed, c->bias, c->activation, c->tile,
                           c->y, c->scratch, &three_threads, index);
}

/* `count` floats, or the program ends: a check that cannot allocate has nothing to check. */
static float *floats(size_t count) {
  float *p = malloc(sizeof(float) * count);
  if (!p) {
    printf("out of memory\n");
    exit(1);
  }
  return p;
}

static void fail(const char *what, int m, int n, int k, int accumulate, int i, int j, double got, double want) {
  if (failures++ < 20)
    printf("%s m=%d n=%d k=%d accumulate=%d: c[%d][%d] = %.9g, want %.9g\n", what, m, n, k, accumulate, i, j, got,
           want);
}

/* C (ldc = n + 3, the padding holding a sentinel that must survive) against a double-precision
 * reference of A·B, within float rounding of the sum of |a·b|. */
static void compare(const char *what, int m, int n, int k, int accumulate, const float *a, const float *b,
                    const float *start, const float *c) {
  const int lda = k + 1, ldb = n + 2, ldc = n + 3;
  int i, j, p;
  for (i = 0; i < m; i++) {
    for (j = 0; j < n; j++) {
      double sum = accumulate ? start[i * ldc + j] : 0.0, magnitude = fabs(sum);
      for (p = 0; p < k; p++) {
        sum += (double)a[i * lda + p] * b[p * ldb + j];
        magnitude += fabs((double)a[i * lda + p] * b[p * ldb + j]);
      }
      if (!(fabs(c[i * ldc + j] - sum) <= 1e-6 * magnitude + 1e-7))
        fail(what, m, n, k, accumulate, i, j, c[i * ldc + j], sum);
    }
    for (j = n; j < ldc; j++)
      if (c[i * ldc + j] != 777.0f) fail("past the columns", m, n, k, accumulate, i, j, c[i * ldc + j], 777.0);
  }
}

/* dlc_gemm_packed with a bias and a relu, which it adds to the sums of the last depth block in the
 * registers, against the product without them followed by dlc_epilogue (what Dense did before):
 * the same to the bit, with and without a bias, linear and relu, at every shape check_products
 * takes. `c` holds the product without them on entry; ldc is wider than n. */
static void check_fused_epilogue(int m, int n, int k, const float *a, int lda, const float *packed,
                                 const float *start, const float *product, int accumulate) {
  const int ldc = n + 3;
  float *bias = floats((size_t)n + 1), *want = floats((size_t)m * ldc), *got = floats((size_t)m * ldc);
  int with_bias, relu, i, j;
  for (j = 0; j < n; j++) bias[j] = uniform();
  for (with_bias = 0; with_bias < 2; with_bias++)
    for (relu = 0; relu < 2; relu++) {
      memcpy(want, product, sizeof(float) * (size_t)m * ldc);
      for (i = 0; i < m; i++) dlc_epilogue(want + (long)i * ldc, 1, n, with_bias ? bias : NULL, relu ? DLC_RELU : DLC_LINEAR);
      memcpy(got, start, sizeof(float) * (size_t)m * ldc);
      dlc_gemm_packed(m, n, k, a, lda, packed, got, ldc, accumulate, with_bias ? bias : NULL, relu);
      for (i = 0; i < m; i++)
        for (j = 0; j < ldc; j++)
          if (memcmp(&got[(long)i * ldc + j], &want[(long)i * ldc + j], sizeof(float)) != 0) {
            fprintf(stderr, "dlc_gemm_packed with %s bias, %s: m %d n %d k %d accumulate %d: c[%d][%d] = %.9g, want %.9g\n",
                    with_bias ? "a" : "no", relu ? "relu" : "linear", m, n, k, accumulate, i, j,
                    got[(long)i * ldc + j], want[(long)i * ldc + j]);
            exit(1);
          }
      /* A Dense layer at batch 1, which makes dlc_gemm_packed's calls itself when one block deep. */
      if (m == 1 && !accumulate) {
        dlc_dense(a, 1, k, packed, 1, n, with_bias ? bias : NULL, relu ? DLC_RELU : DLC_LINEAR, got, NULL);
        for (j = 0; j < n; j++)
          if (memcmp(&got[j], &want[j], sizeof(float)) != 0) {
            fprintf(stderr, "dlc_dense with %s bias, %s: n %d k %d: y[%d] = %.9g, want %.9g\n", with_bias ? "a" : "no",
                    relu ? "relu" : "linear", n, k, j, got[j], want[j]);
            exit(1);
          }
      }
    }
  free(bias), free(want), free(got);
}

static void check_products(void) {
  static const int ms[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 13, 17, 33};
  static const int ns[] = {1, 5, 16, 17, 31, 33, 64};
  static const int ks[] = {0, 1, 3, 16, 255, 256, 257, 600};
  int mi, ni, ki, accumulate, i, j, p;
  for (mi = 0; mi < (int)(sizeof ms / sizeof *ms); mi++)
    for (ni = 0; ni < (int)(sizeof ns / sizeof *ns); ni++)
      for (ki = 0; ki < (int)(sizeof ks / sizeof *ks); ki++)
        for (accumulate = 0; accumulate < 2; accumulate++) {
          const int m = ms[mi], n = ns[ni], k = ks[ki], lda = k + 1, ldb = n + 2, ldc = n + 3;
          const int panels = (n + DLC_PANEL - 1) / DLC_PANEL;
          float *a = floats((size_t)m * lda + 1);
          float *b = floats((size_t)k * ldb + 1);
          float *bt = floats((size_t)n * lda + 1);
          float *packed = floats((size_t)panels * DLC_PANEL * k + 1);
          float *start = floats((size_t)m * ldc), *c = floats((size_t)m * ldc);
          for (i = 0; i < m * lda; i++) a[i] = uniform();
          for (i = 0; i < k * ldb; i++) b[i] = uniform();
          for (j = 0; j < n; j++)
            for (p = 0; p < k; p++) bt[j * lda + p] = b[p * ldb + j];
          for (i = 0; i < m * ldc; i++) start[i] = (i % ldc) < n ? uniform() : 777.0f;
          pack(k, n, b, ldb, packed);

          memcpy(c, start, sizeof(float) * (size_t)m * ldc);
          dlc_gemm_packed(m, n, k, a, lda, packed, c, ldc, accumulate, NULL, 0);
          compare("dlc_gemm_packed", m, n, k, accumulate, a, b, start, c);
          check_fused_epilogue(m, n, k, a, lda, packed, start, c, accumulate);

          memcpy(c, start, sizeof(float) * (size_t)m * ldc);
          dlc_gemm(m, n, k, a, lda, b, ldb, c, ldc, accumulate);
          compare("dlc_gemm", m, n, k, accumulate, a, b, start, c);

          memcpy(c, start, sizeof(float) * (size_t)m * ldc);
          dlc_gemm_bt(m, n, k, a, lda, bt, lda, c, ldc, accumulate);
          compare("dlc_gemm_bt", m, n, k, accumulate, a, b, start, c);
          free(a), free(b), free(bt), free(packed), free(start), free(c);
        }
}

/* dlc_conv2d, packed (the indirect GEMM, or straight from the image for 4 channels or fewer) and
 * row-major (im2col), against the convolution's definition: windows with padding (before, or only
 * after), strides, dilation and groups, tiles that split examples, rows longer than the few-channel
 * kernel's run, filter counts that take one or two panels per tile call, and bias with no
 * activation, relu (applied in the tiles) or sigmoid (after them). */
static void check_convolutions(void) {
  static const dlc_window windows[] = {
      /* in_h, in_w, channels, out_h, out_w, kh, kw, sh, sw, dh, dw, pad_top, pad_left */
      {7, 6, 16, 7, 3, 3, 2, 1, 2, 2, 1, 2, 0},
      {5, 5, 8, 5, 5, 3, 3, 1, 1, 1, 1, 1, 1},
      {9, 4, 32, 4, 2, 2, 2, 2, 2, 1, 1, 0, 0},
      {6, 6, 3, 6, 6, 3, 3, 1, 1, 1, 1, 1, 1},
      {13, 20, 1, 13, 10, 3, 3, 1, 2, 1, 1, 1, 1},
      {12, 19, 2, 3, 18, 5, 2, 3, 1, 2, 1, 2, 0},
      {6, 40, 2, 2, 36, 3, 5, 1, 1, 2, 1, 0, 0},
      {8, 8, 3, 4, 4, 3, 3, 2, 2, 1, 1, 0, 0}, /* padding below and to the right only */
  };
  static const int group_counts[] = {1, 2, 1, 1, 1, 1, 1, 1}, filter_counts[] = {33, 20, 16, 5, 33, 16, 20, 16};
  /* Linear, relu (applied in the GEMM's tiles), and one applied after them. */
  static const int activations[] = {DLC_LINEAR, DLC_RELU, DLC_SIGMOID};
  const int batch = 3;
  int c, packed, n, oh, ow, f, i, j, ch, a, split;
  for (c = 0; c < (int)(sizeof windows / sizeof *windows); c++) {
    const dlc_window *w = &windows[c];
    const int groups = group_counts[c], filters = filter_counts[c];
    const int gc = w->channels / groups, gf = filters / groups, patch = w->kh * w->kw * gc;
    const long in_size = (long)w->in_h * w->in_w * w->channels, out_size = (long)w->out_h * w->out_w * filters;
    /* Tiles that split examples; split among threads, tiles of several of the widest GEMM tiles. */
    const long tiles[2] = {5, 21}, panels = (gf + DLC_PANEL - 1) / DLC_PANEL, tile = tiles[1];
    float *x = floats((size_t)(batch * in_size));
    float *kernel = floats((size_t)(patch * filters));
    float *packed_kernel = floats((size_t)(groups * panels * DLC_PANEL * patch));
    float *bias = floats((size_t)filters), *y = floats((size_t)(batch * out_size));
    /* dlc_conv2d's: a tile's im2col matrix, or dlc_conv2d_few's padded image (as dlc reserves). */
    const long padded_h = (long)(w->out_h - 1) * w->sh + (w->kh - 1) * w->dh + 1;
    const long padded_w = (long)(w->out_w - 1) * w->sw + w->kw;
    const long padded = padded_h * padded_w * w->channels;
    float *scratch = floats((size_t)(tile * patch > padded ? tile * patch : padded));
    for (i = 0; i < batch * in_size; i++) x[i] = uniform();
    for (i = 0; i < patch * filters; i++) kernel[i] = uniform();
    for (f = 0; f < filters; f++) bias[f] = uniform();
    for (i = 0; i < groups; i++)
      pack(patch, gf, kernel + i * gf, filters, packed_kernel + i * panels * DLC_PANEL * patch);
    for (split = 0; split < 2; split++)
    for (packed = 0; packed < 2; packed++)
      for (a = 0; a < 3; a++) {
        convolution_call call;
        dlc_parallel with_part;
        call.x = x, call.kernel = packed ? packed_kernel : kernel, call.bias = bias, call.w = w, call.batch = batch;
        call.groups = groups, call.filters = filters, call.packed = packed, call.activation = activations[a];
        call.tile = tiles[split], call.y = y, call.scratch = scratch;
        for (i = 0; i < batch * out_size; i++) y[i] = 1e30f; /* an output no part writes stays wrong */
        dlc_conv2d(x, batch, w, groups, filters, call.kernel, packed, bias, activations[a], tiles[split], y, scratch,
                   split ? dlc_with_part(&three_threads, &with_part, convolution_part, &call) : NULL);
        for (n = 0; n < batch; n++)
          for (oh = 0; oh < w->out_h; oh++)
            for (ow = 0; ow < w->out_w; ow++)
              for (f = 0; f < filters; f++) {
                const int g = f / gf;
                double sum = bias[f], magnitude = fabs(bias[f]);
                for (i = 0; i < w->kh; i++)
                  for (j = 0; j < w->kw; j++) {
                    const int ih = oh * w->sh + i * w->dh - w->pad_top, iw = ow * w->sw + j * w->dw - w->pad_left;
                    if (ih < 0 || ih >= w->in_h || iw < 0 || iw >= w->in_w) continue;
                    for (ch = 0; ch < gc; ch++) {
                      const long pixel = n * in_size + ((long)ih * w->in_w + iw) * w->channels + g * gc + ch;
                      const double term = (double)x[pixel] * kernel[((i * w->kw + j) * gc + ch) * filters + f];
                      sum += term, magnitude += fabs(term);
                    }
                  }
                {
                  const float got = y[n * out_size + ((long)oh * w->out_w + ow) * filters + f];
                  const double want = activations[a] == DLC_RELU      ? (sum < 0 ? 0 : sum)
                                      : activations[a] == DLC_SIGMOID ? 1 / (1 + exp(-sum))
                                                                      : sum;
                  if (!(fabs(got - want) <= 1e-6 * magnitude + 1e-7) && failures++ < 20)
                    printf("dlc_conv2d (window %d, %s kernel, activation %d, split %d): example %d, y[%d][%d][%d] = "
                           "%.9g, want %.9g\n",
                           c, packed ? "packed" : "row-major", activations[a], split, n, oh, ow, f, got, want);
                }
              }
      }
    free(x), free(kernel), free(packed_kernel), free(bias), free(y), free(scratch);
  }
}

/* dlc_conv2d_winograd, packed and row-major, against the convolution's definition: 3×3 and 5×5
 * kernels, odd and even output sizes, same/valid/uneven padding, channel and filter counts off the
 * 16-lane chunks, tiles that split examples, bias and relu. The kernel is transformed here as dlc's
 * lowering does it, U = G·g·Gᵀ, by plain matrix products. */
static void check_winograd(void) {
  static const dlc_window windows[] = {
      /* in_h, in_w, channels, out_h, out_w, kh, kw, sh, sw, dh, dw, pad_top, pad_left */
      {7, 6, 8, 7, 6, 3, 3, 1, 1, 1, 1, 1, 1},
      {5, 9, 17, 3, 7, 3, 3, 1, 1, 1, 1, 0, 0},
      {4, 4, 33, 6, 5, 3, 3, 1, 1, 1, 1, 2, 1},
      {8, 8, 16, 8, 8, 3, 3, 1, 1, 1, 1, 1, 1},
      {10, 10, 32, 6, 6, 5, 5, 1, 1, 1, 1, 0, 0},
      {7, 9, 17, 7, 9, 5, 5, 1, 1, 1, 1, 2, 2},
      {6, 6, 16, 3, 5, 5, 5, 1, 1, 1, 1, 1, 2},
  };
  static const int filter_counts[] = {5, 16, 40, 17, 16, 20, 33};
  static const int activations[] = {DLC_LINEAR, DLC_RELU, DLC_LINEAR, DLC_RELU, DLC_RELU, DLC_LINEAR, DLC_RELU};
  /* G for F(2×2, 3×3) (4×3) and for F(2×2, 5×5) (6×5, interpolation points 0, ±1, ±2, infinity). */
  static const double g3[4][3] = {{1, 0, 0}, {0.5, 0.5, 0.5}, {0.5, -0.5, 0.5}, {0, 0, 1}};
  static const double g5[6][5] = {{1.0 / 4, 0, 0, 0, 0},
                                  {-1.0 / 6, -1.0 / 6, -1.0 / 6, -1.0 / 6, -1.0 / 6},
                                  {-1.0 / 6, 1.0 / 6, -1.0 / 6, 1.0 / 6, -1.0 / 6},
                                  {1.0 / 24, 1.0 / 12, 1.0 / 6, 1.0 / 3, 2.0 / 3},
                                  {1.0 / 24, -1.0 / 12, 1.0 / 6, -1.0 / 3, 2.0 / 3},
                                  {0, 0, 0, 0, 1}};
  const int batch = 3;
  int c, packed, n, oh, ow, f, i, j, ch, q, p, split;
  for (c = 0; c < (int)(sizeof windows / sizeof *windows); c++) {
    const dlc_window *w = &windows[c];
    const int filters = filter_counts[c], channels = w->channels, k = w->kh, size = k + 1, elements = size * size;
    const long in_size = (long)w->in_h * w->in_w * channels, out_size = (long)w->out_h * w->out_w * filters;
    const long tiles[2] = {5, 21}, panels = (filters + DLC_PANEL - 1) / DLC_PANEL, tile = tiles[1];
    float *x = floats((size_t)(batch * in_size));
    float *kernel = floats((size_t)(k * k * channels * filters));
    float *transformed = floats((size_t)(elements * channels * filters));
    float *packed_kernel = floats((size_t)(elements * panels * DLC_PANEL * channels));
    float *bias = floats((size_t)filters), *y = floats((size_t)(batch * out_size));
    float *scratch = floats(
        (size_t)(channels + filters + 16 + elements * (tile * (channels + filters) + 32 * DLC_WINOGRAD_PARTS)));
    for (i = 0; i < batch * in_size; i++) x[i] = uniform();
    for (i = 0; i < k * k * channels * filters; i++) kernel[i] = uniform();
    for (f = 0; f < filters; f++) bias[f] = uniform();
    /* U[q] for channel ch and filter f at row ch, column q·filters + f. */
    for (ch = 0; ch < channels; ch++)
      for (f = 0; f < filters; f++)
        for (q = 0; q < elements; q++) {
          double u = 0;
          for (i = 0; i < k; i++)
            for (p = 0; p < k; p++) {
              const double gi = k == 3 ? g3[q / size][i] : g5[q / size][i];
              const double gp = k == 3 ? g3[q % size][p] : g5[q % size][p];
              u += gi * kernel[((i * k + p) * channels + ch) * filters + f] * gp;
            }
          transformed[((long)ch * elements + q) * filters + f] = (float)u;
        }
    for (q = 0; q < elements; q++)
      pack(channels, filters, transformed + q * filters, elements * filters,
           packed_kernel + q * panels * DLC_PANEL * channels);
    for (split = 0; split < 2; split++)
    for (packed = 0; packed < 2; packed++) {
      convolution_call call;
      dlc_parallel with_part;
      call.x = x, call.kernel = packed ? packed_kernel : transformed, call.bias = bias, call.w = w;
      call.batch = batch, call.groups = 1, call.filters = filters, call.packed = packed;
      call.activation = activations[c], call.tile = tiles[split], call.y = y, call.scratch = scratch;
      for (i = 0; i < batch * out_size; i++) y[i] = 1e30f; /* an output no part writes stays wrong */
      dlc_conv2d_winograd(x, batch, w, filters, call.kernel, packed, bias, activations[c], tiles[split], y, scratch,
                          split ? dlc_with_part(&three_threads, &with_part, winograd_part, &call) : NULL);
      for (n = 0; n < batch; n++)
        for (oh = 0; oh < w->out_h; oh++)
          for (ow = 0; ow < w->out_w; ow++)
            for (f = 0; f < filters; f++) {
              double sum = bias[f], magnitude = fabs(bias[f]);
              for (i = 0; i < k; i++)
                for (j = 0; j < k; j++) {
                  const int ih = oh + i - w->pad_top, iw = ow + j - w->pad_left;
                  if (ih < 0 || ih >= w->in_h || iw < 0 || iw >= w->in_w) continue;
                  for (ch = 0; ch < channels; ch++) {
                    const long pixel = n * in_size + ((long)ih * w->in_w + iw) * channels + ch;
                    const double term = (double)x[pixel] * kernel[((i * k + j) * channels + ch) * filters + f];
                    sum += term, magnitude += fabs(term);
                  }
                }
              if (activations[c] == DLC_RELU && sum < 0) sum = 0;
              {
                /* Winograd's transforms add and subtract up to 36 terms (some scaled by 4 or 5) before
                 * and after the product. */
                const float got = y[n * out_size + ((long)oh * w->out_w + ow) * filters + f];
                if (!(fabs(got - sum) <= 1e-5 * magnitude + 1e-6) && failures++ < 20)
                  printf("dlc_conv2d_winograd (window %d, %s kernel, split %d): example %d, y[%d][%d][%d] = %.9g, "
                         "want %.9g\n",
                         c, packed ? "packed" : "row-major", split, n, oh, ow, f, got, sum);
              }
            }
    }
    free(x), free(kernel), free(transformed), free(packed_kernel), free(bias), free(y), free(scratch);
  }
}

/* Separate functions over arrays, so that an optimizing build vectorizes them as the kernels' loops are. */
static void exp_all(const float *x, float *y, int count) {
  int i;
  for (i = 0; i < count; i++) y[i] = dlc_exp(x[i]);
}
static void sigmoid_all(const float *x, float *y, int count) {
  int i;
  for (i = 0; i < count; i++) y[i] = dlc_sigmoid(x[i]);
}
static void tanh_all(const float *x, float *y, int count) {
  int i;
  for (i = 0; i < count; i++) y[i] = dlc_tanh(x[i]);
}

static void gate_tanh_all(const float *x, float *y, int count) {
  int i;
  for (i = 0; i < count; i++) y[i] = dlc_gate_tanh(x[i]);
}

/* dlc_gate_tanh promises an absolute bound, and never to leave [-1, 1]. */
static void check_gate_value(float x, float got) {
  const double want = tanh((double)x);
  const int ok = x != x ? got != got : fabs(got - want) <= 5e-7 && fabs(got) <= 1.0f;
  if (!ok && failures++ < 20) printf("dlc_gate_tanh(%.9g) = %.9g, want %.9g\n", x, got, want);
}

/* got against libm's (double) answer: NaN for NaN, infinities (and answers past the floats)
 * exactly, otherwise within `relative` of the answer or, below the normal floats, within FLT_MIN. */
static void check_value(const char *what, float x, float got, double want, double relative) {
  int ok;
  if (fabs(want) > FLT_MAX) want = want > 0 ? HUGE_VAL : -HUGE_VAL;
  ok = want != want ? got != got
                 : isinf(want) ? got == want
                               : fabs(got - want) <= relative * fabs(want) + (fabs(want) < FLT_MIN ? FLT_MIN : 0.0);
  if (!ok && failures++ < 20) printf("%s(%.9g) = %.9g, want %.9g\n", what, x, got, want);
}

static void check_math(void) {
  enum { CHUNK = 4096 };
  static float x[CHUNK], y[CHUNK];
  static const float special[] = {0.0f, -0.0f, 1e-30f, -1e-30f, 0.625f, -0.625f, 88.0f, 88.7f, 88.8f, 89.0f, 100.0f,
                                  -87.3f, -87.4f, -103.0f, -104.0f, -200.0f, 1e30f, -1e30f};
  unsigned long long bits = 0;
  int count, i;
  while (bits < 0x100000000ull) {
    for (count = 0; count < CHUNK && bits < 0x100000000ull; count++, bits += 65519) {
      const unsigned int word = (unsigned int)bits;
      memcpy(&x[count], &word, sizeof word);
    }
    if (bits >= 0x100000000ull) {
      const float infinity = HUGE_VALF;
      for (i = 0; i < (int)(sizeof special / sizeof *special) && count < CHUNK; i++) x[count++] = special[i];
      x[count++] = infinity, x[count++] = -infinity, x[count++] = infinity - infinity;
    }
    exp_all(x, y, count);
    for (i = 0; i < count; i++) check_value("dlc_exp", x[i], y[i], exp((double)x[i]), 4e-7);
    sigmoid_all(x, y, count);
    for (i = 0; i < count; i++) check_value("dlc_sigmoid", x[i], y[i], 1.0 / (1.0 + exp(-(double)x[i])), 4e-7);
    tanh_all(x, y, count);
    for (i = 0; i < count; i++) check_value("dlc_tanh", x[i], y[i], tanh((double)x[i]), 4e-7);
    gate_tanh_all(x, y, count);
    for (i = 0; i < count; i++) check_gate_value(x[i], y[i]);
  }
}

/* An LSTM cell's step against the same step in double with libm's tanh and exp, over gate sums
 * from small to saturating, for a units count that leaves a vector loop's remainder. */
static void check_lstm_cell(void) {
  enum { UNITS = 67 };
  static float z[4 * UNITS], c[UNITS], h[UNITS];
  double want_c[UNITS], want_h[UNITS];
  int round, u;
  for (round = 0; round < 200; round++) {
    const float scale = round < 100 ? 4.0f : 40.0f;
    for (u = 0; u < 4 * UNITS; u++) z[u] = scale * uniform();
    for (u = 0; u < UNITS; u++) {
      const double input = 1.0 / (1.0 + exp(-(double)z[u])), forget = 1.0 / (1.0 + exp(-(double)z[UNITS + u]));
      const double output = 1.0 / (1.0 + exp(-(double)z[3 * UNITS + u]));
      c[u] = 4.0f * uniform();
      want_c[u] = forget * c[u] + input * tanh((double)z[2 * UNITS + u]);
      want_h[u] = output * tanh(want_c[u]);
    }
    dlc_lstm_cell(z, c, h, UNITS);
    for (u = 0; u < UNITS; u++)
      if (!(fabs(c[u] - want_c[u]) <= 2e-6 && fabs(h[u] - want_h[u]) <= 2e-6) && failures++ < 20)
        printf("dlc_lstm_cell: unit %d: c %.9g h %.9g, want c %.9g h %.9g\n", u, c[u], h[u], want_c[u], want_h[u]);
  }
}

/* dlc_recurrent given its input already projected (a NULL kernel: an Embedding table dlc folded the
 * kernel into) against the same layer projecting its input itself, for every cell: the same
 * product through dlc_dense, so the states and the sequence must be equal to the bit. Row-major and
 * packed kernels, forwards and backwards. */
static void check_projected_recurrent(void) {
  enum { BATCH = 3, STEPS = 5, FEATURES = 7, UNITS = 5 };
  static const int kinds[][2] = {{DLC_SIMPLE_RNN, 0}, {DLC_LSTM, 0}, {DLC_GRU, 1}, {DLC_GRU, 0}};
  static float x[BATCH * STEPS * FEATURES], kernel[FEATURES * 4 * UNITS], recurrent_kernel[UNITS * 4 * UNITS];
  static float bias[4 * UNITS], recurrent_bias[4 * UNITS], projected[BATCH * STEPS * 4 * UNITS];
  static float packed_kernel[FEATURES * 4 * 32], packed_recurrent[UNITS * 4 * 32];
  static float scratch[BATCH * STEPS * 4 * UNITS + BATCH * 4 * UNITS];
  static float sequence[2][BATCH * STEPS * UNITS], h[2][BATCH * UNITS], c[2][BATCH * UNITS];
  int kind, packed, backwards, run, i;
  for (i = 0; i < (int)(sizeof x / sizeof *x); i++) x[i] = 2.0f * uniform();
  for (i = 0; i < (int)(sizeof kernel / sizeof *kernel); i++) kernel[i] = uniform();
  for (i = 0; i < (int)(sizeof recurrent_kernel / sizeof *recurrent_kernel); i++) recurrent_kernel[i] = uniform();
  for (i = 0; i < 4 * UNITS; i++) bias[i] = uniform(), recurrent_bias[i] = uniform();
  for (kind = 0; kind < 4; kind++)
    for (packed = 0; packed < 2; packed++)
      for (backwards = 0; backwards < 2; backwards++) {
        const int cell = kinds[kind][0], reset_after = kinds[kind][1];
        const int width = (cell == DLC_LSTM ? 4 : cell == DLC_GRU ? 3 : 1) * UNITS;
        const float *w = kernel, *u = recurrent_kernel;
        if (packed) {
          pack(FEATURES, width, kernel, width, packed_kernel);
          pack(UNITS, width, recurrent_kernel, width, packed_recurrent);
          w = packed_kernel, u = packed_recurrent;
        }
        dlc_dense(x, BATCH * STEPS, FEATURES, w, packed, width, bias, DLC_LINEAR, projected, NULL);
        for (run = 0; run < 2; run++) {
          /* Scratch poisoned, so that the second run cannot find the first one's projection there. */
          for (i = 0; i < (int)(sizeof scratch / sizeof *scratch); i++) scratch[i] = 1e30f;
          dlc_recurrent(cell, run ? projected : x, BATCH, STEPS, run ? width : FEATURES, UNITS, run ? NULL : w, u,
                        packed, run ? NULL : bias, reset_after ? recurrent_bias : NULL, DLC_TANH, DLC_SIGMOID,
                        reset_after, backwards, 0, NULL, 0, 0.0f, 0, sequence[run], h[run],
                        cell == DLC_LSTM ? c[run] : NULL, scratch, NULL);
        }
        if ((memcmp(sequence[0], sequence[1], sizeof sequence[0]) != 0 || memcmp(h[0], h[1], sizeof h[0]) != 0 ||
             (cell == DLC_LSTM && memcmp(c[0], c[1], sizeof c[0]) != 0)) &&
            failures++ < 20)
          printf("dlc_recurrent cell %d reset_after %d packed %d backwards %d: a projected input differs\n", cell,
                 reset_after, packed, backwards);
      }
}

/* dlc_softmax_rows over several narrow rows at once (the exponentials in one loop over them all)
 * against the same rows one call each: equal to the bit, for every width below 16, with rows that
 * hold large values, infinities and NaN. */
static void check_narrow_softmax(void) {
  enum { ROWS = 37 };
  static float together[ROWS * 15], alone[ROWS * 15];
  int width, r, i;
  for (width = 1; width < 16; width++) {
    for (i = 0; i < ROWS * width; i++) together[i] = 30.0f * uniform();
    together[3 * width] = 1e30f, together[5 * width + width / 2] = -INFINITY, together[7 * width] = INFINITY;
    together[9 * width + width - 1] = NAN;
    memcpy(alone, together, sizeof(float) * (size_t)(ROWS * width));
    dlc_softmax_rows(together, ROWS, width, 0);
    for (r = 0; r < ROWS; r++) dlc_softmax_rows(alone + r * width, 1, width, 0);
    if (memcmp(together, alone, sizeof(float) * (size_t)(ROWS * width)) != 0 && failures++ < 20)
      printf("dlc_softmax_rows width %d: rows together differ from rows alone\n", width);
  }
}

int main(void) {
  check_products();
  check_convolutions();
  check_winograd();
  check_math();
  check_lstm_cell();
  check_projected_recurrent();
  check_narrow_softmax();
  printf("tile rows %d: %d failures\n", DLC_TILE_ROWS, failures);
  return failures == 0 ? 0 : 1;
}
