/* dlc runtime: the kernels generated code calls.
 *
 * This file is the single source of the C side's arithmetic. dlc copies the sections a model
 * uses into the generated <model>.c (every function static), so generated code needs nothing but
 * a C99 compiler and libm. Each function (or type) is a section, "@section NAME"; a section comes
 * along when generated code, or a section already included, mentions its name.
 * dlc's interpreter runs the same file: Sources/CDLCRuntime compiles it into dlc with DLC_API
 * defined as `static inline`, and the interpreter calls its kernels with the arguments the
 * generated code would pass.
 * Conventions: tensors are dense, row-major, channels-last, batch first; no allocation; every
 * temporary lives in caller-provided scratch; the loop order is fixed, so results are
 * deterministic. */

/* @section prelude */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#if defined(DLC_USE_CBLAS)
#include <cblas.h>
#endif

/* Generated code defines nothing: every function is static to the model's translation unit. */
#ifndef DLC_API
#define DLC_API static
#endif

/* Per-element math the vector loops call: always inlined, since a call per element stops the
 * compiler from vectorizing the loop. DLC_MAYBE_UNUSED marks a helper that an instruction-set copy
 * may leave uncalled (its intrinsics do the work), which would otherwise be a warning. */
#if defined(__GNUC__)
#define DLC_ELEMENT static inline __attribute__((always_inline))
#define DLC_MAYBE_UNUSED __attribute__((unused))
#else
#define DLC_ELEMENT static inline
#define DLC_MAYBE_UNUSED
#endif

#define DLC_MIN(a, b) ((a) < (b) ? (a) : (b))
#define DLC_MAX(a, b) ((a) > (b) ? (a) : (b))
/* On values (not sizes): a NaN on either side comes out, as Keras' maximum, minimum, max pooling
 * and clipping give it; DLC_MIN/DLC_MAX would keep one side's NaN and drop the other's. */
#define DLC_FMAX(a, b) ((a) > (b) || (a) != (a) ? (a) : (b))
#define DLC_FMIN(a, b) ((a) < (b) || (a) != (a) ? (a) : (b))
#define DLC_CLAMP(v, low, high) ((v) < (low) ? (low) : (v) > (high) ? (high) : (v))

/* Activation functions, by the numbers dlc's emitter writes. */
enum {
  DLC_LINEAR = 0, DLC_RELU, DLC_RELU6, DLC_LEAKY_RELU, DLC_ELU, DLC_SELU, DLC_GELU, DLC_SIGMOID,
  DLC_HARD_SIGMOID, DLC_TANH, DLC_SOFTMAX, DLC_LOG_SOFTMAX, DLC_SOFTPLUS, DLC_SOFTSIGN, DLC_SILU, DLC_MISH,
  DLC_EXPONENTIAL, DLC_HARD_SILU
};

/* Threads the caller owns, for layers worth splitting: run(pool, count, task, args) calls
 * task(args, i) once for each i in 0..count-1, possibly several at the same time, and returns when
 * all have returned. A NULL dlc_parallel, or threads < 2, means the calling thread does all the
 * work. Here rather than in a section: every instruction-set copy of the runtime shares the type. */
typedef struct {
  void (*run)(void *pool, int count, void (*task)(void *args, int index), void *args);
  void *pool;
  int threads;
  /* The layer being called, for a convolution worth splitting: part(frame, i) makes the same call
   * to its `_part` function, with the layer's sizes written in, so that every thread runs code the
   * compiler specialized for them (a part through a task that reads them from memory ran 1.3-2x
   * slower). A convolution without one runs on the calling thread. */
  void (*part)(void *frame, int index);
  void *frame;
} dlc_parallel;

/* Element-wise merges, and recurrent cells. */
enum { DLC_ADD = 0, DLC_SUBTRACT, DLC_MULTIPLY, DLC_MAXIMUM, DLC_MINIMUM };
enum { DLC_SIMPLE_RNN = 0, DLC_LSTM, DLC_GRU };

/* The most pointers a convolution tile reads through (kernel taps, or window rows, times the tile's
 * rows): the size of the tiles' pointer arrays, and the limit a convolution checks before it
 * chooses a path that fills one. Here rather than in a section: every instruction-set copy of the
 * runtime shares it (and the prelude names no runtime function, since its names stay unrenamed in
 * the copies). */
enum { DLC_POINTERS = 1024 };

/* @section dlc_bias_relu */
/* y[j] += bias[j] (bias may be NULL: nothing added), then relu when asked, over `count` values:
 * what the matrix products do to a row's sums once they are stored. One loop per case, never
 * `bias ? bias[j] : 0`, which Clang turns into a masked load from the NULL bias: harmless on a
 * CPU, but QEMU's emulated AVX2 faults on it. */
DLC_MAYBE_UNUSED DLC_API void dlc_bias_relu(float *y, int count, const float *bias, int relu) {
  int j;
  if (bias)
    for (j = 0; j < count; j++) y[j] += bias[j];
  if (relu)
    for (j = 0; j < count; j++) y[j] = y[j] < 0.0f ? 0.0f : y[j];
}

/* @section dlc_tile_row */
/* One row of a plain C tile out of its sums: (row + ) sums + bias (0 when NULL), then relu. Two
 * loops rather than `bias ? bias[j] : 0` (see dlc_bias_relu). */
DLC_MAYBE_UNUSED DLC_ELEMENT void dlc_tile_row(float *row, const float *sums, int columns, int accumulate,
                                               const float *bias, int relu) {
  int j;
  if (bias)
    for (j = 0; j < columns; j++) {
      const float v = (accumulate ? row[j] : 0.0f) + sums[j] + bias[j];
      row[j] = relu && v < 0.0f ? 0.0f : v;
    }
  else
    for (j = 0; j < columns; j++) {
      const float v = (accumulate ? row[j] : 0.0f) + sums[j] + 0.0f;
      row[j] = relu && v < 0.0f ? 0.0f : v;
    }
}

/* @section dlc_gemm_rows */
/* The matrix products' building block. A "panel" is 16 columns of B stored row after row
 * (depth × 16 floats, contiguous): dlc packs weights into panels when it compiles a model, and
 * the products of two computed matrices copy blocks of B into one as they go. A tile is
 * C[rows×columns] = A·panel (+ C when accumulate) for rows ≤ DLC_TILE_ROWS and columns ≤ 16, with C
 * in registers throughout; a convolution's tile also adds its bias (columns floats, or NULL) and
 * applies relu (the common activation) before the store, so no second pass reads the output. A is
 * given indirectly, as `segments` runs of `depth` values per row: pointers[s·DLC_TILE_ROWS + r] +
 * offset is where row r's run s starts (rows past `rows` repeat a real row; their results are
 * dropped), and the panel's rows follow the runs in order. A plain matrix is one segment; a
 * convolution passes one segment per kernel tap, pointing into the image itself (or at zeros for
 * padding), so it needs no im2col copy.
 * The instruction set is the compiler's (-march=native, -mavx2 -mfma), or one a translation unit
 * enables for its functions and names with DLC_TARGET_AVX512 or DLC_TARGET_AVX2 (dlc's interpreter
 * builds the runtime once per instruction set and picks one when it runs): AVX-512 (8 rows, one
 * register per row), AVX2 with FMA (6 rows, two registers per row), and the portable C that any
 * compiler vectorizes for its target (4 rows), always built and tested. */
#if defined(__AVX512F__) || defined(DLC_TARGET_AVX512)
#define DLC_AVX512 1
#elif (defined(__AVX2__) && defined(__FMA__)) || defined(DLC_TARGET_AVX2)
#define DLC_AVX2 1
#endif
#if defined(DLC_AVX512) || defined(DLC_AVX2)
#include <immintrin.h>
#endif
#define DLC_PANEL 16
#if defined(DLC_AVX512)
#define DLC_TILE_ROWS 8
#elif defined(DLC_AVX2)
#define DLC_TILE_ROWS 6
#else
#define DLC_TILE_ROWS 4
#endif

#if defined(DLC_AVX512)
DLC_API void dlc_gemm_tile_indirect(int rows, int segments, int depth, const float *const *pointers, long offset,
                                    const float *panel, int columns, float *c, int ldc, int accumulate,
                                    const float *bias, int relu) {
  const __mmask16 keep = (__mmask16)((1u << columns) - 1u);
  __m512 c0 = _mm512_setzero_ps(), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0;
  __m512 sums[8];
  int s, p, r;
  for (s = 0; s < segments; s++, pointers += 8, panel += (long)depth * 16) {
    const float *a0 = pointers[0] + offset, *a1 = pointers[1] + offset, *a2 = pointers[2] + offset;
    const float *a3 = pointers[3] + offset, *a4 = pointers[4] + offset, *a5 = pointers[5] + offset;
    const float *a6 = pointers[6] + offset, *a7 = pointers[7] + offset;
    for (p = 0; p < depth; p++) {
      const __m512 b = _mm512_loadu_ps(panel + (long)p * 16);
      c0 = _mm512_fmadd_ps(_mm512_set1_ps(a0[p]), b, c0);
      c1 = _mm512_fmadd_ps(_mm512_set1_ps(a1[p]), b, c1);
      c2 = _mm512_fmadd_ps(_mm512_set1_ps(a2[p]), b, c2);
      c3 = _mm512_fmadd_ps(_mm512_set1_ps(a3[p]), b, c3);
      c4 = _mm512_fmadd_ps(_mm512_set1_ps(a4[p]), b, c4);
      c5 = _mm512_fmadd_ps(_mm512_set1_ps(a5[p]), b, c5);
      c6 = _mm512_fmadd_ps(_mm512_set1_ps(a6[p]), b, c6);
      c7 = _mm512_fmadd_ps(_mm512_set1_ps(a7[p]), b, c7);
    }
  }
  sums[0] = c0, sums[1] = c1, sums[2] = c2, sums[3] = c3, sums[4] = c4, sums[5] = c5, sums[6] = c6, sums[7] = c7;
  for (r = 0; r < rows; r++) {
    float *row = c + (long)r * ldc;
    __m512 sum = sums[r];
    if (accumulate) sum = _mm512_add_ps(sum, _mm512_maskz_loadu_ps(keep, row));
    if (bias) sum = _mm512_add_ps(sum, _mm512_maskz_loadu_ps(keep, bias));
    if (relu) sum = _mm512_max_ps(_mm512_setzero_ps(), sum); /* a NaN sum stays NaN */
    _mm512_mask_storeu_ps(row, keep, sum);
  }
}
#elif defined(DLC_AVX2)
DLC_API void dlc_gemm_tile_indirect(int rows, int segments, int depth, const float *const *pointers, long offset,
                                    const float *panel, int columns, float *c, int ldc, int accumulate,
                                    const float *bias, int relu) {
  __m256 c00 = _mm256_setzero_ps(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
  __m256 c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
  float sums[6][16];
  int s, p, r;
  for (s = 0; s < segments; s++, pointers += 6, panel += (long)depth * 16) {
    const float *a0 = pointers[0] + offset, *a1 = pointers[1] + offset, *a2 = pointers[2] + offset;
    const float *a3 = pointers[3] + offset, *a4 = pointers[4] + offset, *a5 = pointers[5] + offset;
    for (p = 0; p < depth; p++) {
      const __m256 b0 = _mm256_loadu_ps(panel + (long)p * 16), b1 = _mm256_loadu_ps(panel + (long)p * 16 + 8);
      __m256 x = _mm256_broadcast_ss(a0 + p);
      c00 = _mm256_fmadd_ps(x, b0, c00), c01 = _mm256_fmadd_ps(x, b1, c01);
      x = _mm256_broadcast_ss(a1 + p);
      c10 = _mm256_fmadd_ps(x, b0, c10), c11 = _mm256_fmadd_ps(x, b1, c11);
      x = _mm256_broadcast_ss(a2 + p);
      c20 = _mm256_fmadd_ps(x, b0, c20), c21 = _mm256_fmadd_ps(x, b1, c21);
      x = _mm256_broadcast_ss(a3 + p);
      c30 = _mm256_fmadd_ps(x, b0, c30), c31 = _mm256_fmadd_ps(x, b1, c31);
      x = _mm256_broadcast_ss(a4 + p);
      c40 = _mm256_fmadd_ps(x, b0, c40), c41 = _mm256_fmadd_ps(x, b1, c41);
      x = _mm256_broadcast_ss(a5 + p);
      c50 = _mm256_fmadd_ps(x, b0, c50), c51 = _mm256_fmadd_ps(x, b1, c51);
    }
  }
  _mm256_storeu_ps(sums[0], c00), _mm256_storeu_ps(sums[0] + 8, c01);
  _mm256_storeu_ps(sums[1], c10), _mm256_storeu_ps(sums[1] + 8, c11);
  _mm256_storeu_ps(sums[2], c20), _mm256_storeu_ps(sums[2] + 8, c21);
  _mm256_storeu_ps(sums[3], c30), _mm256_storeu_ps(sums[3] + 8, c31);
  _mm256_storeu_ps(sums[4], c40), _mm256_storeu_ps(sums[4] + 8, c41);
  _mm256_storeu_ps(sums[5], c50), _mm256_storeu_ps(sums[5] + 8, c51);
  for (r = 0; r < rows; r++) dlc_tile_row(c + (long)r * ldc, sums[r], columns, accumulate, bias, relu);
}
#else
DLC_API void dlc_gemm_tile_indirect(int rows, int segments, int depth, const float *const *pointers, long offset,
                                    const float *panel, int columns, float *c, int ldc, int accumulate,
                                    const float *bias, int relu) {
  float s0[16] = {0}, s1[16] = {0}, s2[16] = {0}, s3[16] = {0};
  float *sums[4];
  int s, p, j, r;
  for (s = 0; s < segments; s++, pointers += 4, panel += (long)depth * 16) {
    const float *a0 = pointers[0] + offset, *a1 = pointers[1] + offset, *a2 = pointers[2] + offset;
    const float *a3 = pointers[3] + offset;
    for (p = 0; p < depth; p++) {
      const float x0 = a0[p], x1 = a1[p], x2 = a2[p], x3 = a3[p];
      const float *b = panel + (long)p * 16;
      for (j = 0; j < 16; j++) {
        s0[j] += x0 * b[j];
        s1[j] += x1 * b[j];
        s2[j] += x2 * b[j];
        s3[j] += x3 * b[j];
      }
    }
  }
  sums[0] = s0, sums[1] = s1, sums[2] = s2, sums[3] = s3;
  for (r = 0; r < rows; r++) dlc_tile_row(c + (long)r * ldc, sums[r], columns, accumulate, bias, relu);
}
#endif

#if defined(DLC_AVX512)
/* dlc_gemm_tile_indirect against two panels at once (17..32 columns; the second `next` floats
 * after the first): each A value is broadcast once for both, and a shallow product (a first
 * layer's 9 or 27 deep, attention's 32) pays for the call and its pointers once. */
DLC_API void dlc_gemm_tile_indirect_pair(int rows, int segments, int depth, const float *const *pointers, long offset,
                                         const float *panel, long next, int columns, float *c, int ldc,
                                         int accumulate, const float *bias, int relu) {
  const __mmask16 keep = (__mmask16)((1u << (columns - 16)) - 1u);
  __m512 c0 = _mm512_setzero_ps(), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0;
  __m512 d0 = c0, d1 = c0, d2 = c0, d3 = c0, d4 = c0, d5 = c0, d6 = c0, d7 = c0;
  __m512 sums[8][2];
  int s, p, r, h;
  for (s = 0; s < segments; s++, pointers += 8, panel += (long)depth * 16) {
    const float *a0 = pointers[0] + offset, *a1 = pointers[1] + offset, *a2 = pointers[2] + offset;
    const float *a3 = pointers[3] + offset, *a4 = pointers[4] + offset, *a5 = pointers[5] + offset;
    const float *a6 = pointers[6] + offset, *a7 = pointers[7] + offset;
    for (p = 0; p < depth; p++) {
      const __m512 b = _mm512_loadu_ps(panel + (long)p * 16), e = _mm512_loadu_ps(panel + next + (long)p * 16);
      /* Row r's value, broadcast once, into both panels' sums. */
#define DLC_PAIR_ROW(r)                                                                                          \
  do {                                                                                                           \
    const __m512 x = _mm512_set1_ps(a##r[p]);                                                                    \
    c##r = _mm512_fmadd_ps(x, b, c##r), d##r = _mm512_fmadd_ps(x, e, d##r);                                      \
  } while (0)
      DLC_PAIR_ROW(0);
      DLC_PAIR_ROW(1);
      DLC_PAIR_ROW(2);
      DLC_PAIR_ROW(3);
      DLC_PAIR_ROW(4);
      DLC_PAIR_ROW(5);
      DLC_PAIR_ROW(6);
      DLC_PAIR_ROW(7);
#undef DLC_PAIR_ROW
    }
  }
  sums[0][0] = c0, sums[1][0] = c1, sums[2][0] = c2, sums[3][0] = c3;
  sums[4][0] = c4, sums[5][0] = c5, sums[6][0] = c6, sums[7][0] = c7;
  sums[0][1] = d0, sums[1][1] = d1, sums[2][1] = d2, sums[3][1] = d3;
  sums[4][1] = d4, sums[5][1] = d5, sums[6][1] = d6, sums[7][1] = d7;
  for (r = 0; r < rows; r++)
    for (h = 0; h < 2; h++) {
      const __mmask16 mask = h ? keep : (__mmask16)0xFFFF;
      float *row = c + (long)r * ldc + h * 16;
      __m512 sum = sums[r][h];
      if (accumulate) sum = _mm512_add_ps(sum, _mm512_maskz_loadu_ps(mask, row));
      if (bias) sum = _mm512_add_ps(sum, _mm512_maskz_loadu_ps(mask, bias + h * 16));
      if (relu) sum = _mm512_max_ps(_mm512_setzero_ps(), sum);
      _mm512_mask_storeu_ps(row, mask, sum);
    }
}
#endif

/* One row (a Dense layer at batch 1): four sums over alternating depths, so that consecutive
 * multiply-adds do not wait on each other, then the bias (may be NULL) and a relu. With AVX-512
 * the sums stay in registers and the last columns go out through a mask: the plain C's arrays live
 * on the stack, and reading back a 64-byte store just made there stalls on AMD's cores (a third of
 * a small model's run). */
#if defined(DLC_AVX512)
DLC_API void dlc_gemm_row(int depth, const float *a, const float *panel, int columns, float *c, int accumulate,
                          const float *bias, int relu) {
  const __mmask16 keep = (__mmask16)(columns >= 16 ? 0xFFFFu : (1u << columns) - 1u);
  __m512 s0 = _mm512_setzero_ps(), s1 = s0, s2 = s0, s3 = s0, sum;
  int p;
  for (p = 0; p + 4 <= depth; p += 4) {
    const float *b = panel + (long)p * 16;
    s0 = _mm512_fmadd_ps(_mm512_set1_ps(a[p]), _mm512_loadu_ps(b), s0);
    s1 = _mm512_fmadd_ps(_mm512_set1_ps(a[p + 1]), _mm512_loadu_ps(b + 16), s1);
    s2 = _mm512_fmadd_ps(_mm512_set1_ps(a[p + 2]), _mm512_loadu_ps(b + 32), s2);
    s3 = _mm512_fmadd_ps(_mm512_set1_ps(a[p + 3]), _mm512_loadu_ps(b + 48), s3);
  }
  for (; p < depth; p++) s0 = _mm512_fmadd_ps(_mm512_set1_ps(a[p]), _mm512_loadu_ps(panel + (long)p * 16), s0);
  sum = _mm512_add_ps(_mm512_add_ps(s0, s1), _mm512_add_ps(s2, s3));
  sum = _mm512_add_ps(accumulate ? _mm512_maskz_loadu_ps(keep, c) : _mm512_setzero_ps(), sum);
  if (bias) sum = _mm512_add_ps(sum, _mm512_maskz_loadu_ps(keep, bias));
  if (relu) sum = _mm512_max_ps(_mm512_setzero_ps(), sum);
  _mm512_mask_storeu_ps(c, keep, sum);
}
#else
DLC_API void dlc_gemm_row(int depth, const float *a, const float *panel, int columns, float *c, int accumulate,
                          const float *bias, int relu) {
  float s0[16] = {0}, s1[16] = {0}, s2[16] = {0}, s3[16] = {0};
  int p, j;
  for (p = 0; p + 4 <= depth; p += 4) {
    const float *b = panel + (long)p * 16;
    for (j = 0; j < 16; j++) {
      s0[j] += a[p] * b[j];
      s1[j] += a[p + 1] * b[16 + j];
      s2[j] += a[p + 2] * b[32 + j];
      s3[j] += a[p + 3] * b[48 + j];
    }
  }
  for (; p < depth; p++)
    for (j = 0; j < 16; j++) s0[j] += a[p] * panel[(long)p * 16 + j];
  /* A whole panel's sums go straight from the registers to c: a loop to a count known only when it
   * runs keeps them on the stack, where reading them back stalled on this process's stack address
   * (runs of the same model differed by half). */
  if (columns == 16)
    for (j = 0; j < 16; j++) c[j] = (accumulate ? c[j] : 0.0f) + ((s0[j] + s1[j]) + (s2[j] + s3[j]));
  else
    for (j = 0; j < columns; j++) c[j] = (accumulate ? c[j] : 0.0f) + ((s0[j] + s1[j]) + (s2[j] + s3[j]));
  dlc_bias_relu(c, columns, bias, relu);
}
#endif

/* C[m×columns] = A[m×depth]·panels (+ C), plus the bias (may be NULL) and a relu, for a row-major A
 * (rows lda apart) and one or two panels (columns ≤ 32, the second panel `next` floats after the
 * first): the tiles down its rows, both panels per tile (in one call with AVX-512), and the last
 * single row (a Dense layer at batch 1) by dlc_gemm_row. */
DLC_API void dlc_gemm_rows(int m, int depth, const float *a, int lda, const float *panel, long next, int columns,
                           float *c, int ldc, int accumulate, const float *bias, int relu) {
  const float *pointers[DLC_TILE_ROWS];
  const int first_columns = DLC_MIN(DLC_PANEL, columns);
  int i, r;
  for (i = 0; i < m; i += DLC_TILE_ROWS) {
    const int rows = DLC_MIN(DLC_TILE_ROWS, m - i);
    const float *first = a + (long)i * lda;
    float *out = c + (long)i * ldc;
    if (rows == 1) {
      dlc_gemm_row(depth, first, panel, first_columns, out, accumulate, bias, relu);
      if (columns > DLC_PANEL)
        dlc_gemm_row(depth, first, panel + next, columns - DLC_PANEL, out + DLC_PANEL, accumulate,
                     bias ? bias + DLC_PANEL : NULL, relu);
      continue;
    }
    for (r = 0; r < DLC_TILE_ROWS; r++) pointers[r] = first + (long)(r < rows ? r : 0) * lda;
#if defined(DLC_AVX512)
    if (columns > DLC_PANEL) {
      dlc_gemm_tile_indirect_pair(rows, 1, depth, pointers, 0, panel, next, columns, out, ldc, accumulate, bias,
                                  relu);
      continue;
    }
#endif
    dlc_gemm_tile_indirect(rows, 1, depth, pointers, 0, panel, first_columns, out, ldc, accumulate, bias, relu);
    if (columns > DLC_PANEL)
      dlc_gemm_tile_indirect(rows, 1, depth, pointers, 0, panel + next, columns - DLC_PANEL, out + DLC_PANEL, ldc,
                             accumulate, bias ? bias + DLC_PANEL : NULL, relu);
  }
}

/* @section dlc_gemm_tiles_indirect */
/* One tile of rows (dlc_gemm_rows' tile) against all of a packed matrix's panels (16 columns each,
 * panel after panel of segments·depth rows): a convolution's tile, which also takes bias and relu. */
DLC_API void dlc_gemm_tiles_indirect(int rows, int segments, int depth, const float *const *pointers,
                                     const float *panels, int columns, float *c, int ldc, const float *bias, int relu) {
  const long panel_size = (long)segments * depth * DLC_PANEL;
  int j0 = 0;
#if defined(DLC_AVX512)
  for (; j0 + DLC_PANEL < columns; j0 += 2 * DLC_PANEL)
    dlc_gemm_tile_indirect_pair(rows, segments, depth, pointers, 0, panels + j0 / DLC_PANEL * panel_size, panel_size,
                                DLC_MIN(2 * DLC_PANEL, columns - j0), c + j0, ldc, 0, bias ? bias + j0 : NULL, relu);
#endif
  for (; j0 < columns; j0 += DLC_PANEL)
    dlc_gemm_tile_indirect(rows, segments, depth, pointers, 0, panels + j0 / DLC_PANEL * panel_size,
                           DLC_MIN(DLC_PANEL, columns - j0), c + j0, ldc, 0, bias ? bias + j0 : NULL, relu);
}

/* @section dlc_gemm_row4 */
/* One row against four panels at once (64 columns), one independent sum per panel: a Dense
 * layer's or a recurrent step's product at batch 1, with no per-panel call or reduction (in
 * registers with AVX-512, as dlc_gemm_row), then the bias (may be NULL) and a relu. */
#if defined(DLC_AVX512)
DLC_API void dlc_gemm_row4(int depth, const float *a, const float *panel, long stride, float *c, int accumulate,
                           const float *bias, int relu) {
  __m512 s0 = _mm512_setzero_ps(), s1 = s0, s2 = s0, s3 = s0;
  const float *b0 = panel, *b1 = panel + stride, *b2 = panel + 2 * stride, *b3 = panel + 3 * stride;
  int p;
  for (p = 0; p < depth; p++) {
    const __m512 x = _mm512_set1_ps(a[p]);
    s0 = _mm512_fmadd_ps(x, _mm512_loadu_ps(b0 + p * 16), s0);
    s1 = _mm512_fmadd_ps(x, _mm512_loadu_ps(b1 + p * 16), s1);
    s2 = _mm512_fmadd_ps(x, _mm512_loadu_ps(b2 + p * 16), s2);
    s3 = _mm512_fmadd_ps(x, _mm512_loadu_ps(b3 + p * 16), s3);
  }
  if (accumulate) {
    s0 = _mm512_add_ps(_mm512_loadu_ps(c), s0), s1 = _mm512_add_ps(_mm512_loadu_ps(c + 16), s1);
    s2 = _mm512_add_ps(_mm512_loadu_ps(c + 32), s2), s3 = _mm512_add_ps(_mm512_loadu_ps(c + 48), s3);
  } else {
    const __m512 zero = _mm512_setzero_ps();
    s0 = _mm512_add_ps(zero, s0), s1 = _mm512_add_ps(zero, s1), s2 = _mm512_add_ps(zero, s2);
    s3 = _mm512_add_ps(zero, s3);
  }
  if (bias) {
    s0 = _mm512_add_ps(s0, _mm512_loadu_ps(bias)), s1 = _mm512_add_ps(s1, _mm512_loadu_ps(bias + 16));
    s2 = _mm512_add_ps(s2, _mm512_loadu_ps(bias + 32)), s3 = _mm512_add_ps(s3, _mm512_loadu_ps(bias + 48));
  }
  if (relu) {
    const __m512 zero = _mm512_setzero_ps();
    s0 = _mm512_max_ps(zero, s0), s1 = _mm512_max_ps(zero, s1), s2 = _mm512_max_ps(zero, s2);
    s3 = _mm512_max_ps(zero, s3);
  }
  _mm512_storeu_ps(c, s0), _mm512_storeu_ps(c + 16, s1), _mm512_storeu_ps(c + 32, s2);
  _mm512_storeu_ps(c + 48, s3);
}
#else
DLC_API void dlc_gemm_row4(int depth, const float *a, const float *panel, long stride, float *c, int accumulate,
                           const float *bias, int relu) {
  float s0[16] = {0}, s1[16] = {0}, s2[16] = {0}, s3[16] = {0};
  const float *b0 = panel, *b1 = panel + stride, *b2 = panel + 2 * stride, *b3 = panel + 3 * stride;
  int p, j;
  for (p = 0; p < depth; p++) {
    const float x = a[p];
    for (j = 0; j < 16; j++) {
      s0[j] += x * b0[p * 16 + j];
      s1[j] += x * b1[p * 16 + j];
      s2[j] += x * b2[p * 16 + j];
      s3[j] += x * b3[p * 16 + j];
    }
  }
  for (j = 0; j < 16; j++) {
    c[j] = (accumulate ? c[j] : 0.0f) + s0[j];
    c[16 + j] = (accumulate ? c[16 + j] : 0.0f) + s1[j];
    c[32 + j] = (accumulate ? c[32 + j] : 0.0f) + s2[j];
    c[48 + j] = (accumulate ? c[48 + j] : 0.0f) + s3[j];
  }
  dlc_bias_relu(c, 64, bias, relu);
}
#endif

/* @section dlc_gemm_packed_tiles */
/* C[m×n] = A[m×k]·B (+ C when accumulate), plus the bias (may be NULL) and a relu, with B packed
 * as ceil(n/16) panels of k×16 floats (the columns past n zero), as dlc packs Dense and convolution
 * kernels: every row in dlc_gemm_rows' tiles, so a row's result does not depend on how many rows
 * come with it (a convolution split among threads may give a product one row where one thread gave
 * it many). Each 256-deep block of a panel (16 KB) stays in L1 while every row of A passes over it;
 * the bias and the relu go with the last block, onto the whole sums, before they leave the
 * registers. */
#define DLC_DEPTH_BLOCK 256
DLC_API void dlc_gemm_packed_tiles(int m, int n, int k, const float *a, int lda, const float *packed, float *c,
                                   int ldc, int accumulate, const float *bias, int relu) {
  int i, j0, p0;
  /* Two panels at a time. */
  for (j0 = 0; j0 < n; j0 += 2 * DLC_PANEL) {
    const float *panel = packed + (long)(j0 / DLC_PANEL) * k * DLC_PANEL;
    const int columns = DLC_MIN(2 * DLC_PANEL, n - j0);
    for (p0 = 0; p0 < k; p0 += DLC_DEPTH_BLOCK) {
      const int last = p0 + DLC_DEPTH_BLOCK >= k;
      dlc_gemm_rows(m, DLC_MIN(DLC_DEPTH_BLOCK, k - p0), a + p0, lda, panel + (long)p0 * DLC_PANEL,
                    (long)k * DLC_PANEL, columns, c + j0, ldc, accumulate || p0 > 0, last && bias ? bias + j0 : NULL,
                    last && relu);
    }
  }
  if (k == 0)
    for (i = 0; i < m; i++) {
      if (!accumulate) memset(c + (long)i * ldc, 0, sizeof(float) * (size_t)n);
      dlc_bias_relu(c + (long)i * ldc, n, bias, relu);
    }
}

/* @section dlc_gemm_packed */
/* dlc_gemm_packed_tiles, but a single row (a Dense layer or a recurrent step at batch 1) goes
 * through four panels at a time (dlc_gemm_row4), and, when one depth block deep, the panels left
 * straight through dlc_gemm_row: the same calls the tiles would make, without their loops around
 * them, which took half of a small layer's time. */
DLC_API void dlc_gemm_packed(int m, int n, int k, const float *a, int lda, const float *packed, float *c, int ldc,
                             int accumulate, const float *bias, int relu) {
  const long size = (long)k * DLC_PANEL;
  int j0 = 0;
  if (m == 1) {
    for (; j0 + 4 * DLC_PANEL <= n; j0 += 4 * DLC_PANEL)
      dlc_gemm_row4(k, a, packed + j0 / DLC_PANEL * size, size, c + j0, accumulate, bias ? bias + j0 : NULL, relu);
    if (k > 0 && k <= DLC_DEPTH_BLOCK) {
      for (; j0 < n; j0 += DLC_PANEL)
        dlc_gemm_row(k, a, packed + j0 / DLC_PANEL * size, DLC_MIN(DLC_PANEL, n - j0), c + j0, accumulate,
                     bias ? bias + j0 : NULL, relu);
      return;
    }
  }
  dlc_gemm_packed_tiles(m, n - j0, k, a, lda, packed + j0 / DLC_PANEL * size, c + j0, ldc, accumulate,
                        bias ? bias + j0 : NULL, relu);
}

/* @section dlc_gemm */
/* C[m×n] = A[m×k]·B[k×n] (+ C when accumulate), row-major with leading dimensions: products of
 * two computed tensors (attention, Dot, recurrent states). Each 256×32 block of B is copied into
 * two panels on the stack and run through dlc_gemm_rows; fewer than 4 rows stream B once instead. */
DLC_API void dlc_gemm(int m, int n, int k, const float *a, int lda, const float *b, int ldb, float *c, int ldc,
                      int accumulate) {
  float panel[2 * 256 * 16];
  int i, j, p, j0, p0, h;
#if defined(DLC_USE_CBLAS)
  /* One row (a Dense layer at batch 1) is a matrix-vector product: sgemm would pack all of B. */
  if (m == 1 && n > 0 && k > 0) {
    cblas_sgemv(CblasRowMajor, CblasTrans, k, n, 1.0f, b, ldb, a, 1, accumulate ? 1.0f : 0.0f, c, 1);
    return;
  }
  if (m > 0 && n > 0 && k > 0) {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, k, 1.0f, a, lda, b, ldb, accumulate ? 1.0f : 0.0f,
                c, ldc);
    return;
  }
#endif
  if (m < 4 || k == 0) {
    if (!accumulate)
      for (i = 0; i < m; i++) memset(c + (long)i * ldc, 0, sizeof(float) * (size_t)n);
    for (i = 0; i < m; i++) {
      float *restrict crow = c + (long)i * ldc;
      const float *arow = a + (long)i * lda;
      for (p = 0; p < k; p++) {
        const float *restrict brow = b + (long)p * ldb;
        const float aip = arow[p];
        for (j = 0; j < n; j++) crow[j] += aip * brow[j];
      }
    }
    return;
  }
  for (j0 = 0; j0 < n; j0 += 32) {
    const int columns = DLC_MIN(32, n - j0);
    for (p0 = 0; p0 < k; p0 += 256) {
      const int depth = DLC_MIN(256, k - p0);
      /* Up to two panels, the second depth·16 floats after the first. */
      for (h = 0; h < 32; h += 16)
        for (p = 0; p < depth; p++)
          for (j = 0; j < 16; j++)
            panel[h * depth + p * 16 + j] = h + j < columns ? b[(long)(p0 + p) * ldb + j0 + h + j] : 0.0f;
      dlc_gemm_rows(m, depth, a + p0, lda, panel, (long)depth * 16, columns, c + j0, ldc, accumulate || p0 > 0, NULL,
                    0);
    }
  }
}

/* @section dlc_gemm_bt */
/* C[m×n] = A[m×k]·B[n×k]ᵀ (+ C): dot products of rows (attention's Q·Kᵀ). The portable version
 * copies 32 rows of B at a time, transposed, into two panels on the stack and runs dlc_gemm_rows on
 * them (a scalar dot product per element ran at a tenth of the speed). */
DLC_API void dlc_gemm_bt(int m, int n, int k, const float *a, int lda, const float *b, int ldb, float *c, int ldc,
                         int accumulate) {
  float panel[2 * 256 * 16];
  int i, j, p, j0, p0, h;
#if defined(DLC_USE_CBLAS)
  if (m > 0 && n > 0 && k > 0) {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, m, n, k, 1.0f, a, lda, b, ldb, accumulate ? 1.0f : 0.0f, c,
                ldc);
    return;
  }
#endif
  if (k == 0 && !accumulate)
    for (i = 0; i < m; i++) memset(c + (long)i * ldc, 0, sizeof(float) * (size_t)n);
  for (j0 = 0; j0 < n; j0 += 32) {
    const int columns = DLC_MIN(32, n - j0);
    for (p0 = 0; p0 < k; p0 += 256) {
      const int depth = DLC_MIN(256, k - p0);
      for (h = 0; h < 32; h += 16)
        for (j = 0; j < 16; j++)
          for (p = 0; p < depth; p++)
            panel[h * depth + p * 16 + j] = h + j < columns ? b[(long)(j0 + h + j) * ldb + p0 + p] : 0.0f;
      dlc_gemm_rows(m, depth, a + p0, lda, panel, (long)depth * 16, columns, c + j0, ldc, accumulate || p0 > 0, NULL,
                    0);
    }
  }
}

/* @section dlc_fma */
/* a·b + c in one rounding where the target has fused multiply-add (-march with FMA, and the AVX2
 * and AVX-512 copies), so that a polynomial costs one instruction a term: C99 compilers may not
 * fuse a product and a sum written in two operations themselves (GCC in -std=c99 does not), and
 * the softmax of transformer_text's attention, a third of its run, is mostly dlc_exp's polynomial.
 * Elsewhere the two roundings: fmaf without the instruction is a slow library call. */
DLC_ELEMENT float dlc_fma(float a, float b, float c) {
#if defined(__FMA__) || defined(DLC_TARGET_AVX512) || defined(DLC_TARGET_AVX2)
  return fmaf(a, b, c);
#else
  return a * b + c;
#endif
}

/* @section dlc_exp */
/* e^x without libm, in arithmetic a compiler vectorizes: x = n·ln2 + r with |r| ≤ ln2/2, e^r by a
 * degree-7 polynomial (Cephes' expf coefficients), 2^n built as two floats' exponents (so the
 * subnormal results and the largest finite ones come out). Within a few ulp of expf wherever the
 * result is a normal float (tested against libm over the float range); NaN stays NaN. */
DLC_ELEMENT float dlc_exp(float x) {
  int32_t bits, magnitude, limit;
  float limited, t, r, p, low, high;
  int n;
  /* x limited to [-104, 89] on its bits (integer min/max): comparisons of floats would have the
   * compiler specialize the code for each side and give up vectorizing; NaN becomes 89 here and
   * is added back at the end. memcpy is how C99 reads a float's bits. */
  memcpy(&bits, &x, sizeof bits);
  magnitude = bits & 0x7fffffff;
  limit = bits < 0 ? 0x42d00000 : 0x42b20000;
  magnitude = magnitude < limit ? magnitude : limit;
  magnitude |= bits & (int32_t)0x80000000;
  memcpy(&limited, &magnitude, sizeof limited);
  t = limited * 1.44269504088896341f;
  n = (int)(t + (t < 0.0f ? -0.5f : 0.5f));
  r = (limited - (float)n * 0.693359375f) - (float)n * -2.12194440e-4f;
  p = 1.9875691500e-4f;
  p = dlc_fma(p, r, 1.3981999507e-3f);
  p = dlc_fma(p, r, 8.3334519073e-3f);
  p = dlc_fma(p, r, 4.1665795894e-2f);
  p = dlc_fma(p, r, 1.6666665459e-1f);
  p = dlc_fma(p, r, 5.0000001201e-1f);
  p = dlc_fma(p * r, r, r) + 1.0f;
  bits = (n / 2 + 127) << 23;
  memcpy(&low, &bits, sizeof low);
  bits = (n - n / 2 + 127) << 23;
  memcpy(&high, &bits, sizeof high);
  return p * low * high + (x == x ? 0.0f : x);
}

/* @section dlc_sigmoid */
/* 1 / (1 + e^-x), from e^-|x| so that nothing overflows. */
DLC_ELEMENT float dlc_sigmoid(float x) {
  const float e = dlc_exp(-fabsf(x));
  return (x >= 0.0f ? 1.0f : e) / (1.0f + e);
}

/* @section dlc_tanh */
/* tanh without libm: an odd polynomial below 0.625 (Cephes' tanhf), 1 - 2/(e^2|x| + 1) beyond,
 * joined with bit masks rather than a choice between computed values, which stops vectorizers. */
DLC_ELEMENT float dlc_tanh(float x) {
  int32_t bits, near_mask, masked;
  float small, z, near_zero, far;
  memcpy(&bits, &x, sizeof bits);
  near_mask = -(int32_t)(fabsf(x) < 0.625f);
  masked = bits & near_mask;
  memcpy(&small, &masked, sizeof small);
  z = small * small;
  near_zero = ((((-5.70498872745e-3f * z + 2.06390887954e-2f) * z - 5.37397155531e-2f) * z + 1.33314422036e-1f) * z -
               3.33332819422e-1f) * z * small + small;
  far = 1.0f - 2.0f / (dlc_exp(2.0f * fabsf(x)) + 1.0f);
  memcpy(&masked, &far, sizeof masked);
  masked = (masked | (bits & (int32_t)0x80000000)) & ~near_mask;
  memcpy(&far, &masked, sizeof far);
  return near_zero + far;
}

/* @section dlc_gate_tanh */
/* tanh for an LSTM cell's gates: x·P(x²)/Q(x²) with x limited to ±7.9 (where tanh is 1 within
 * 3e-7), fitted to tanh on [0, 7.9] for the least largest absolute error. Accurate to 5e-7 in
 * absolute terms (tested over the float range), where dlc_tanh keeps 4e-7 relative: a gate is
 * added to and multiplied by values of order one, so relative accuracy near zero buys it nothing,
 * and this costs a third of dlc_tanh (no exponential, no two branches to join), which matters
 * because an LSTM spends most of its non-GEMM time here. NaN stays NaN. */
DLC_ELEMENT float dlc_gate_tanh(float x) {
  /* The limits are integer minimums on the magnitude's bits, as in dlc_exp: with comparisons of
   * floats GCC computes each limited side apart and the loop does not vectorize. NaN becomes ±7.9
   * here and is added back at the end. */
  int32_t bits, sign, magnitude;
  float limited, t, p, q, y;
  memcpy(&bits, &x, sizeof bits);
  sign = bits & (int32_t)0x80000000;
  magnitude = bits & 0x7fffffff;
  magnitude = (magnitude < 0x40fccccd ? magnitude : 0x40fccccd) | sign; /* 7.9f */
  memcpy(&limited, &magnitude, sizeof limited);
  t = limited * limited;
  p = ((((2.404608630e-11f * t - 1.488429824e-08f) * t + 9.932099601e-06f) * t + 2.991333837e-03f) * t +
       1.298420578e-01f) * t + 1.0f;
  q = ((2.379805810e-04f * t + 2.404998429e-02f) * t + 4.631752372e-01f) * t + 1.0f;
  y = limited * p / q;
  memcpy(&bits, &y, sizeof bits);
  magnitude = bits & 0x7fffffff;
  magnitude = (magnitude < 0x3f800000 ? magnitude : 0x3f800000) | sign; /* at most 1 */
  memcpy(&y, &magnitude, sizeof y);
  return y + (x == x ? 0.0f : x);
}

/* @section dlc_lstm_cell */
/* One LSTM step's cell with Keras' default activations (tanh, and sigmoid for the gates), from
 * the gate sums z (i, f, g, o; `units` each): c = σ(f)·c + σ(i)·tanh(g), h = σ(o)·tanh(c), in one
 * vectorizable pass, with σ(x) = (1 + tanh(x/2))/2 so that every gate costs one dlc_gate_tanh. */
DLC_API void dlc_lstm_cell(const float *z, float *c, float *h, int units) {
  int u;
  for (u = 0; u < units; u++) {
    const float input = 0.5f + 0.5f * dlc_gate_tanh(0.5f * z[u]);
    const float forget = 0.5f + 0.5f * dlc_gate_tanh(0.5f * z[units + u]);
    const float candidate = dlc_gate_tanh(z[2 * units + u]);
    const float output = 0.5f + 0.5f * dlc_gate_tanh(0.5f * z[3 * units + u]);
    const float cell = forget * c[u] + input * candidate;
    c[u] = cell;
    h[u] = output * dlc_gate_tanh(cell);
  }
}

/* @section dlc_softplus */
DLC_API float dlc_softplus(float x) { return DLC_MAX(x, 0.0f) + log1pf(expf(-fabsf(x))); }

/* @section dlc_softmax_rows */
/* Softmax along rows of `width`, subtracting each row's maximum so exp never overflows. The
 * maximum and the sum are taken in 16 interleaved parts, so that compilers can vectorize them
 * (they may not reorder a single running sum of floats themselves). A NaN anywhere makes the whole
 * row NaN, as in Keras, with no search for it: the maximum's selects skip a NaN (unless it comes
 * first, and then the maximum is NaN), but its exponential is NaN (dlc_exp keeps NaN), and so are
 * the sum and every quotient. */
DLC_API void dlc_softmax_rows(float *x, long rows, int width, int take_log) {
  enum { PARTS = 16 };
  long r, n;
  int i, j;
  /* Several rows narrower than the parts (a classifier's few classes, at a batch), CHUNK rows at a
   * time: each row's maximum, then the rows less their maxima into `shifted`, one loop of
   * exponentials over all of them, which vectorizes, each row's sum and reciprocal, and the
   * quotients back into x. The same operations in the same order as row by row below, so the same
   * results; but row by row, a width known only when the code runs left a chain of scalar
   * exponentials (a third of a 3-class classifier's interpreted run at batch 32). No pass reads
   * x (or `shifted`) where it has just written a row through a vector mask: the next row's first
   * load would wait for that store (AMD's cores), which had taken most of the time. */
  if (!take_log && width < PARTS && rows > 1) {
    enum { CHUNK = 16 };
    float shifted[CHUNK * PARTS], maxima[CHUNK], inverses[CHUNK];
    long first;
    for (first = 0; first < rows; first += CHUNK) {
      const int count = (int)DLC_MIN(CHUNK, rows - first);
      float *block = x + first * width;
      for (r = 0; r < count; r++) {
        const float *row = block + r * width;
        float maximum = row[0];
        for (i = 0; i < width; i++) maximum = DLC_FMAX(maximum, row[i]);
        maxima[r] = maximum;
      }
      for (r = 0; r < count; r++)
        for (i = 0; i < width; i++) shifted[r * width + i] = block[r * width + i] - maxima[r];
      for (n = 0; n < (long)count * width; n++) shifted[n] = dlc_exp(shifted[n]);
      for (r = 0; r < count; r++) {
        float sum = 0.0f;
        for (i = 0; i < width; i++) sum += shifted[r * width + i];
        inverses[r] = 1.0f / sum;
      }
      for (r = 0; r < count; r++)
        for (i = 0; i < width; i++) block[r * width + i] = shifted[r * width + i] * inverses[r];
    }
    return;
  }
  for (r = 0; r < rows; r++) {
    float *row = x + r * width;
    float maximum = row[0], sum = 0.0f, parts[PARTS];
    const int whole = width / PARTS * PARTS;
    /* A row shorter than the parts (a classifier's few classes) skips them: with a width known
     * only when it runs, setting up and folding 16 parts cost more than its exponentials. */
    if (whole) {
      for (j = 0; j < PARTS; j++) parts[j] = row[0];
      /* Plain selects (a vector maximum); NaN-keeping ones do not vectorize. */
      for (i = 0; i < whole; i += PARTS)
        for (j = 0; j < PARTS; j++) parts[j] = row[i + j] > parts[j] ? row[i + j] : parts[j];
      for (j = 0; j < PARTS; j++) maximum = DLC_FMAX(maximum, parts[j]);
    }
    for (i = whole; i < width; i++) maximum = DLC_FMAX(maximum, row[i]);
    if (take_log) {
      float log_sum;
      for (i = 0; i < width; i++) sum += expf(row[i] - maximum);
      log_sum = logf(sum);
      for (i = 0; i < width; i++) row[i] = row[i] - maximum - log_sum;
    } else {
      /* One exp per element, summed as it is stored; then one reciprocal for the row. */
      float inverse;
      if (whole) {
        for (j = 0; j < PARTS; j++) parts[j] = 0.0f;
        for (i = 0; i < whole; i += PARTS)
          for (j = 0; j < PARTS; j++) {
            const float e = dlc_exp(row[i + j] - maximum);
            row[i + j] = e, parts[j] += e;
          }
      }
      for (i = whole; i < width; i++) row[i] = dlc_exp(row[i] - maximum), sum += row[i];
      if (whole)
        for (j = 0; j < PARTS; j++) sum += parts[j];
      inverse = 1.0f / sum;
      for (i = 0; i < width; i++) row[i] *= inverse;
    }
  }
}

/* @section dlc_activation */
/* One value through an element-wise activation (not the softmaxes, which need a whole row). */
DLC_API float dlc_activation(int kind, float v) {
  switch (kind) {
  case DLC_RELU: return v < 0.0f ? 0.0f : v;
  case DLC_RELU6: return DLC_CLAMP(v, 0.0f, 6.0f);
  case DLC_LEAKY_RELU: return v >= 0.0f ? v : 0.2f * v;
  case DLC_ELU: return v > 0.0f ? v : expm1f(v);
  case DLC_SELU: return v > 0.0f ? 1.0507009873554805f * v : 1.0507009873554805f * 1.6732632423543772f * expm1f(v);
  case DLC_GELU: return 0.5f * v * (1.0f + erff(v / sqrtf(2.0f)));
  case DLC_SIGMOID: return dlc_sigmoid(v);
  case DLC_HARD_SIGMOID: return DLC_CLAMP(v + 3.0f, 0.0f, 6.0f) / 6.0f;
  case DLC_TANH: return dlc_tanh(v);
  case DLC_SOFTPLUS: return dlc_softplus(v);
  case DLC_SOFTSIGN: return v / (1.0f + fabsf(v));
  case DLC_SILU: return v * dlc_sigmoid(v);
  case DLC_MISH: return v * tanhf(dlc_softplus(v));
  case DLC_EXPONENTIAL: return expf(v);
  case DLC_HARD_SILU: return v * (DLC_CLAMP(v + 3.0f, 0.0f, 6.0f) / 6.0f);
  default: return v;
  }
}

/* @section dlc_for_activated */
/* for (i = 0; i < count; i++) target = activation(value), where `target` and `value` are
 * expressions in i. The activation is chosen once, outside the loop, so the common ones
 * vectorize; the softmaxes pass values through (their callers finish them over whole rows). */
#define dlc_for_activated(kind, i, count, target, value)                                                \
  do {                                                                                                   \
    switch (kind) {                                                                                      \
    case DLC_LINEAR:                                                                                     \
    case DLC_SOFTMAX:                                                                                    \
    case DLC_LOG_SOFTMAX:                                                                                \
      for (i = 0; i < (count); i++) target = (value);                                                    \
      break;                                                                                             \
    case DLC_RELU:                                                                                       \
      for (i = 0; i < (count); i++) {                                                                    \
        const float v_ = (value);                                                                        \
        target = v_ < 0.0f ? 0.0f : v_;                                                                  \
      }                                                                                                  \
      break;                                                                                             \
    case DLC_SIGMOID:                                                                                    \
      for (i = 0; i < (count); i++) target = dlc_sigmoid(value);                                         \
      break;                                                                                             \
    case DLC_TANH:                                                                                       \
      for (i = 0; i < (count); i++) target = dlc_tanh(value);                                            \
      break;                                                                                             \
    default:                                                                                             \
      for (i = 0; i < (count); i++) target = dlc_activation(kind, (value));                             \
      break;                                                                                             \
    }                                                                                                    \
  } while (0)

/* @section dlc_activate */
/* Applies an activation in place to `count` values; softmax works on rows of `width`. */
DLC_API void dlc_activate(int kind, float *x, long count, int width) {
  long i;
  switch (kind) {
  case DLC_LINEAR: return;
  case DLC_SOFTMAX: dlc_softmax_rows(x, count / width, width, 0); return;
  case DLC_LOG_SOFTMAX: dlc_softmax_rows(x, count / width, width, 1); return;
  default: dlc_for_activated(kind, i, count, x[i], x[i]);
  }
}

/* @section dlc_epilogue */
/* What follows a GEMM, in one pass over its rows×width result: y = activation(y + bias) (bias may
 * be NULL); the softmaxes, which need the whole row, go over each row again. */
DLC_API void dlc_epilogue(float *y, long rows, int width, const float *bias, int activation) {
  long r;
  int j;
  if (bias) {
    for (r = 0; r < rows; r++) {
      float *row = y + r * width;
      dlc_for_activated(activation, j, width, row[j], row[j] + bias[j]);
    }
    if (activation == DLC_SOFTMAX || activation == DLC_LOG_SOFTMAX) dlc_activate(activation, y, rows * width, width);
  } else {
    dlc_activate(activation, y, rows * width, width);
  }
}

/* @section dlc_parts */
/* The fewest multiply-adds worth giving a thread. A convolution's thread reads what another core
 * wrote in the layer before, and moving that between the cores' caches takes microseconds, as long
 * as a quarter of a million multiply-adds (measured: parts that small made resnet8_cifar slower on
 * two cores than on one); half a million take ten to twenty. A Dense layer's thread streams its own
 * columns of the weights from memory and reads a few inputs: an eighth of a million is worth it.
 * -DDLC_PARALLEL_MACS=N and -DDLC_PARALLEL_STREAM_MACS=N set others. */
#ifndef DLC_PARALLEL_MACS
#define DLC_PARALLEL_MACS 524288L
#endif
#ifndef DLC_PARALLEL_STREAM_MACS
#define DLC_PARALLEL_STREAM_MACS 131072L
#endif

/* How many parts to split work of `macs` multiply-adds in `units` indivisible units among the
 * threads: one per thread, but no more than there are units, nor than parts of `least` each. */
DLC_ELEMENT int dlc_parts(const dlc_parallel *parallel, long units, long macs, long least) {
  long parts = macs / least;
  if (!parallel || parallel->threads < 2) return 1;
  parts = DLC_MIN(parts, DLC_MIN(units, (long)parallel->threads));
  return parts > 1 ? (int)parts : 1;
}

/* @section dlc_with_part */
/* The caller's threads (NULL when there are none) with the layer's part function and the frame it
 * reads (dlc_parallel), in `copy`: what generated code passes a convolution it split by part. */
DLC_ELEMENT const dlc_parallel *dlc_with_part(const dlc_parallel *parallel, dlc_parallel *copy,
                                              void (*part)(void *frame, int index), void *frame) {
  if (!parallel) return NULL;
  *copy = *parallel;
  copy->part = part, copy->frame = frame;
  return copy;
}

/* @section dlc_dense */
/* One thread's share of a split Dense product: its run of whole groups of four panels (64
 * columns, as dlc_gemm_packed takes a single row), so that every column is summed by the same code
 * as on one thread. */
typedef struct {
  const float *x, *w;
  int rows, k, n, parts;
  float *y;
} dlc_dense_part;

DLC_API void dlc_dense_task(void *args, int index) {
  const dlc_dense_part *d = (const dlc_dense_part *)args;
  const int groups = (d->n + 4 * DLC_PANEL - 1) / (4 * DLC_PANEL);
  const int first = 4 * (int)((long)groups * index / d->parts);
  const int last = 4 * (int)((long)groups * (index + 1) / d->parts);
  const int columns = DLC_MIN(d->n, last * DLC_PANEL) - first * DLC_PANEL;
  if (columns > 0)
    dlc_gemm_packed(d->rows, columns, d->k, d->x, d->k, d->w + (long)first * DLC_PANEL * d->k, d->y + first * DLC_PANEL,
                    d->n, 0, NULL, 0);
}

/* y[rows×n] = activation(x[rows×k]·w[k×n] + bias) (bias may be NULL); w is row-major, or packed
 * into panels (dlc_gemm_packed) when w_packed. With `parallel`, a large packed product is split
 * by columns among its threads (each column's sum is computed as on one thread, so the result is
 * the same to the bit) when each part has DLC_PARALLEL_STREAM_MACS (dlc_parts); the bias and
 * activation follow on the calling thread (a softmax needs the whole row). */
DLC_API void dlc_dense(const float *x, int rows, int k, const float *w, int w_packed, int n, const float *bias,
                       int activation, float *y, const dlc_parallel *parallel) {
  const int groups = (n + 4 * DLC_PANEL - 1) / (4 * DLC_PANEL);
  const int parts = w_packed ? dlc_parts(parallel, groups, (long)rows * k * n, DLC_PARALLEL_STREAM_MACS) : 1;
  if (parts > 1) {
    dlc_dense_part part;
    part.x = x, part.w = w, part.rows = rows, part.k = k, part.n = n, part.y = y, part.parts = parts;
    parallel->run(parallel->pool, parts, dlc_dense_task, &part);
  } else if (w_packed) {
    /* The bias and a relu go onto the sums in the registers: a small layer's pass over its result
     * to add them cost more than its multiply-adds. */
    const int relu = activation == DLC_RELU;
    dlc_gemm_packed(rows, n, k, x, k, w, y, n, 0, bias, relu);
    if (!relu) dlc_activate(activation, y, (long)rows * n, n);
    return;
  } else {
    dlc_gemm(rows, n, k, x, k, w, n, y, n, 0);
  }
  dlc_epilogue(y, rows, n, bias, activation);
}

/* @section dlc_softmax_axis */
/* Softmax of x viewed as (outer, axis, inner) along the middle axis. */
DLC_API void dlc_softmax_axis(const float *x, long outer, int axis, long inner, int take_log, float *y) {
  long o, r;
  int i;
  for (o = 0; o < outer; o++)
    for (r = 0; r < inner; r++) {
      const float *px = x + o * axis * inner + r;
      float *py = y + o * axis * inner + r;
      float maximum = px[0], sum = 0.0f;
      for (i = 1; i < axis; i++) maximum = DLC_MAX(maximum, px[(long)i * inner]);
      for (i = 0; i < axis; i++) sum += expf(px[(long)i * inner] - maximum);
      for (i = 0; i < axis; i++)
        py[(long)i * inner] =
            take_log ? px[(long)i * inner] - maximum - logf(sum) : expf(px[(long)i * inner] - maximum) / sum;
    }
}

/* @section dlc_window */
/* A 2-D window: sizes, strides, dilation and the padding before the first row and column. */
typedef struct {
  int in_h, in_w, channels, out_h, out_w, kh, kw, sh, sw, dh, dw, pad_top, pad_left;
} dlc_window;

/* @section dlc_window_inside */
/* Whether the window whose first tap is at (ih0, iw0) lies wholly inside the image. */
DLC_ELEMENT int dlc_window_inside(const dlc_window *w, int ih0, int iw0) {
  return ih0 >= 0 && ih0 + (w->kh - 1) * w->dh < w->in_h && iw0 >= 0 && iw0 + (w->kw - 1) * w->dw < w->in_w;
}

/* @section dlc_im2col */
/* Rows of the im2col matrix for output positions first_position..+positions (row-major over the
 * output): the window's values for channels first..first+count, zero where the window hangs over
 * the padding. */
DLC_API void dlc_im2col(const float *image, const dlc_window *w, int first, int count, long first_position,
                        long positions, float *columns) {
  /* A window row inside the image, undilated, over all channels is one run of kw·channels floats. */
  const int whole_rows = w->dw == 1 && count == w->channels;
  const int run = w->kw * count;
  long p;
  int i, j, c, oh = (int)(first_position / w->out_w), ow = (int)(first_position % w->out_w);
  float *cell = columns;
  /* Positions by counting (along the output row, then to the next row), not by division. */
  for (p = 0; p < positions; p++, ow = ow + 1 == w->out_w ? (oh++, 0) : ow + 1) {
    const int iw0 = ow * w->sw - w->pad_left, ih0 = oh * w->sh - w->pad_top;
    if (whole_rows && dlc_window_inside(w, ih0, iw0)) {
      /* The whole window inside: kh runs, no checks. */
      const float *source = image + ((long)ih0 * w->in_w + iw0) * w->channels;
      for (i = 0; i < w->kh; i++, cell += run, source += (long)w->dh * w->in_w * w->channels)
        for (c = 0; c < run; c++) cell[c] = source[c];
      continue;
    }
    for (i = 0; i < w->kh; i++) {
      const int ih = oh * w->sh + i * w->dh - w->pad_top;
      const int row_inside = ih >= 0 && ih < w->in_h;
      if (whole_rows && row_inside && iw0 >= 0 && iw0 + w->kw <= w->in_w) {
        const float *source = image + ((long)ih * w->in_w + iw0) * w->channels;
        for (c = 0; c < run; c++) cell[c] = source[c];
        cell += run;
        continue;
      }
      for (j = 0; j < w->kw; j++) {
        const int iw = iw0 + j * w->dw;
        if (row_inside && iw >= 0 && iw < w->in_w) {
          const float *source = image + ((long)ih * w->in_w + iw) * w->channels + first;
          for (c = 0; c < count; c++) cell[c] = source[c];
        } else {
          for (c = 0; c < count; c++) cell[c] = 0.0f;
        }
        cell += count;
      }
    }
  }
}

/* @section dlc_lanes */
/* Sixteen floats as one value, where the compiler has vector types (GCC, Clang): code written with
 * them is whole-vector loads, arithmetic and stores for any instruction set, with no loop the
 * vectorizer must first prove free of overlaps. memcpy moves them (one unaligned load or store).
 * Elsewhere (or with DLC_NO_LANES, as the kernel checks also build) the same code is a loop. */
#if defined(__GNUC__) && !defined(DLC_NO_LANES)
#define DLC_LANES 1
typedef float dlc_lanes __attribute__((vector_size(64)));
#endif

/* @section dlc_padded_image */
/* One example's image with the padding its windows reach into, as a height×width×channels image of
 * its own (zeros around the copy), so that every window lies wholly inside it. */
DLC_API void dlc_padded_image(const float *image, const dlc_window *w, int height, int width, float *padded) {
  const int channels = w->channels;
  const int left = DLC_MIN(w->pad_left, width), copied = DLC_MAX(0, DLC_MIN(w->in_w, width - w->pad_left));
  const size_t row = sizeof(float) * (size_t)width * (size_t)channels;
  int i;
  for (i = 0; i < height; i++) {
    const int ih = i - w->pad_top;
    float *target = padded + (long)i * width * channels;
    if (ih < 0 || ih >= w->in_h) {
      memset(target, 0, row);
      continue;
    }
    memset(target, 0, sizeof(float) * (size_t)left * (size_t)channels);
    memcpy(target + (long)left * channels, image + (long)ih * w->in_w * channels,
           sizeof(float) * (size_t)copied * (size_t)channels);
    memset(target + (long)(left + copied) * channels, 0,
           sizeof(float) * (size_t)(width - left - copied) * (size_t)channels);
  }
}

/* @section dlc_part_rows */
/* The whole tiles of DLC_TILE_ROWS rows (dlc_gemm_rows' tile) in `rows` rows: a split's units. */
DLC_ELEMENT long dlc_row_tiles(long rows) { return (rows + DLC_TILE_ROWS - 1) / DLC_TILE_ROWS; }

/* Part `index` of `parts` of `rows` rows: its first row and count, cut at whole tiles of
 * DLC_TILE_ROWS rows (dlc_gemm_rows' tile) from the first row, so that every row is in the same
 * kind of tile as on one thread and the results are the same to the bit. */
DLC_ELEMENT long dlc_part_rows(long rows, int parts, int index, long *first) {
  const long tiles = dlc_row_tiles(rows);
  const long begin = tiles * index / parts * DLC_TILE_ROWS, end = tiles * (index + 1) / parts * DLC_TILE_ROWS;
  *first = begin;
  return DLC_MIN(end, rows) - begin;
}

/* @section dlc_tile_split */
/* A convolution's rows split among threads that share one tile's scratch. On one thread the
 * layer's `total` rows (output positions or Winograd blocks, across examples) run `tile` at a time,
 * each tile's rows in row tiles of DLC_TILE_ROWS from its first. A split gives each of `parts`
 * threads a run of those row tiles, which it takes at most `share` rows at a time and never across
 * a tile, so every row is in the same kind of product as on one thread (the same bits); part i
 * works in rows i·share.. of the tile's scratch. The layer is split once, not each tile: a split
 * hands work to another core, which costs microseconds, and resnet8_cifar's tiles (16 to 113 rows)
 * each took less than that to compute. */
typedef struct {
  long tile, total, share, units;
  int parts;
} dlc_tile_split;

/* The split of a layer of `macs` multiply-adds: into as many parts as dlc_parts allows, no more
 * than `most`, and no more than there are row tiles in a tile (each part needs one of the tile's
 * scratch). */
DLC_ELEMENT dlc_tile_split dlc_split_tiles(const dlc_parallel *parallel, long tile, long total, long macs, int most) {
  dlc_tile_split split;
  const long per_tile = dlc_row_tiles(tile), tiles = (total + tile - 1) / tile;
  split.tile = tile, split.total = total;
  split.units = tiles > 0 ? (tiles - 1) * per_tile + dlc_row_tiles(total - (tiles - 1) * tile) : 0;
  split.parts = dlc_parts(parallel, DLC_MIN(DLC_MIN(split.units, tile / DLC_TILE_ROWS), most), macs, DLC_PARALLEL_MACS);
  split.share = tile / split.parts / DLC_TILE_ROWS * DLC_TILE_ROWS;
  return split;
}

/* Part `index`'s first row tile. */
DLC_ELEMENT long dlc_split_first(const dlc_tile_split *split, int index) {
  return split->units * index / split->parts;
}

/* Part `index`'s next run of rows, from row tile *unit: sets *start to its first row in the layer,
 * moves *unit past it, and returns its rows (0 when the part is done). */
DLC_ELEMENT long dlc_split_next(const dlc_tile_split *split, int index, long *unit, long *start) {
  const long per_tile = dlc_row_tiles(split->tile), end = split->units * (index + 1) / split->parts;
  const long tile = *unit / per_tile, within = *unit % per_tile * DLC_TILE_ROWS;
  const long units = DLC_MIN(DLC_MIN(end, (tile + 1) * per_tile) - *unit, split->share / DLC_TILE_ROWS);
  if (*unit >= end) return 0;
  *start = tile * split->tile + within;
  *unit += units;
  return DLC_MIN(units * DLC_TILE_ROWS, DLC_MIN(split->tile, split->total - tile * split->tile) - within);
}

/* @section dlc_conv2d_few */
/* One example of dlc_conv2d_few split among threads: where its image is (padded or not), where its
 * outputs go, and the parts its output positions are split into. */
typedef struct {
  const float *image, *kernel, *bias;
  dlc_window w;
  int filters, relu, parts;
  long row_step;
  float *out;
} dlc_conv2d_few_job;

/* Output positions first..first+count of one example. Inlined with its arguments, so that on one
 * thread the compiler still specializes it for each layer's sizes. */
DLC_ELEMENT void dlc_conv2d_few_rows(const float *image, const dlc_window *w, int filters, const float *kernel,
                                     const float *bias, int relu, long row_step, float *out, long first, long count) {
  const float *pointers[DLC_POINTERS];
  const int channels = w->channels, out_w = w->out_w, kh = w->kh, run = w->kw * channels;
  const float *corner = image;
  int r, i, oh = (int)(first / out_w), ow = (int)(first % out_w);
  long chunk;
  for (chunk = first; chunk < first + count; chunk += DLC_TILE_ROWS) {
    const int rows = (int)DLC_MIN(DLC_TILE_ROWS, first + count - chunk);
    /* Each row's window corner (rows past `rows` repeat the last real one), then the window rows
     * below the corners, a whole tile's at once. */
    for (r = 0; r < DLC_TILE_ROWS; r++) {
      if (r < rows) {
        corner = image + (long)oh * w->sh * row_step + (long)ow * w->sw * channels;
        if (++ow == out_w) ow = 0, oh++;
      }
      pointers[r] = corner;
    }
    for (i = 1; i < kh; i++)
      for (r = 0; r < DLC_TILE_ROWS; r++) pointers[i * DLC_TILE_ROWS + r] = pointers[r] + (long)i * w->dh * row_step;
    dlc_gemm_tiles_indirect(rows, kh, run, pointers, kernel, filters, out + chunk * filters, filters, bias, relu);
  }
}

/* One thread's part of the job's example. */
DLC_API void dlc_conv2d_few_task(void *args, int index) {
  const dlc_conv2d_few_job *job = (const dlc_conv2d_few_job *)args;
  long first;
  const long count = dlc_part_rows((long)job->w.out_h * job->w.out_w, job->parts, index, &first);
  if (count > 0)
    dlc_conv2d_few_rows(job->image, &job->w, job->filters, job->kernel, job->bias, job->relu, job->row_step, job->out,
                        first, count);
}

/* A convolution over few channels (an image's 1 or 3), ungrouped, undilated along rows, packed
 * kernel, as an indirect GEMM whose runs are whole window rows: a window row of kw pixels is
 * kw·channels contiguous floats in the image, so each tile row follows kh pointers (one per window
 * row) instead of kh·kw (one per tap, each only `channels` deep). When the windows reach into the
 * padding, each example is first copied with its padding into scratch (dlc_padded_image), so every
 * pointer is arithmetic and no window row is copied on its own. Bias and relu are applied in the
 * tiles, any other activation after. scratch: the padded image's floats when there is one (dlc's
 * lowering reserves them: Convolution.swift). With `parallel`, an example's positions are split
 * among the threads (dlc_parts) once its image is padded. */
DLC_API void dlc_conv2d_few(const float *x, int batch, const dlc_window *window, int filters, const float *kernel,
                            const float *bias, int activation, float *y, float *scratch,
                            const dlc_parallel *parallel) {
  /* A copy of the window, which the threads' calls cannot reach: the compiler keeps its fields known
   * (and specializes for them) past those calls. */
  const dlc_window copy = *window, *w = &copy;
  const int channels = w->channels, kh = w->kh;
  /* The rows and columns the windows cover, padding included. */
  const int height = (w->out_h - 1) * w->sh + (kh - 1) * w->dh + 1, width = (w->out_w - 1) * w->sw + w->kw;
  const int padded = w->pad_top > 0 || w->pad_left > 0 || height > w->in_h || width > w->in_w;
  const long positions = (long)w->out_h * w->out_w, in_size = (long)w->in_h * w->in_w * channels;
  const long row_step = (long)(padded ? width : w->in_w) * channels;
  const int relu = activation == DLC_RELU;
  const int parts = dlc_parts(parallel, dlc_row_tiles(positions), positions * kh * w->kw * channels * filters,
                                DLC_PARALLEL_MACS);
  long example;
  for (example = 0; example < batch; example++) {
    const float *image = x + example * in_size;
    float *out = y + example * positions * filters;
    if (padded) {
      dlc_padded_image(image, w, height, width, scratch);
      image = scratch;
    }
    if (parts > 1) {
      dlc_conv2d_few_job job;
      job.image = image, job.kernel = kernel, job.bias = bias, job.w = *w, job.filters = filters, job.relu = relu;
      job.parts = parts, job.row_step = row_step, job.out = out;
      parallel->run(parallel->pool, parts, dlc_conv2d_few_task, &job);
    } else {
      dlc_conv2d_few_rows(image, w, filters, kernel, bias, relu, row_step, out, 0, positions);
    }
  }
  /* The tiles did relu; dlc_activate does nothing for linear. */
  if (!relu) dlc_activate(activation, y, batch * positions * filters, filters);
}

/* @section dlc_conv2d */
/* Output rows tile_start+first .. +count: the indirect tiles, or the im2col rows (in scratch, at
 * their places in the tile's matrix) and their product, then bias and activation. Inlined with its
 * arguments, so that on one thread the compiler still specializes it for each layer's sizes. */
DLC_ELEMENT void dlc_conv2d_rows(const float *x, const dlc_window *w, int groups, int filters, const float *kernel,
                                 int kernel_packed, const float *bias, int activation, int indirect, int pointwise,
                                 float *y, float *scratch, const long *tap_offsets, long tile_start, long first,
                                 long count) {
  const float *pointers[DLC_POINTERS];
  const int group_channels = w->channels / groups, group_filters = filters / groups, taps = w->kh * w->kw;
  const long positions = (long)w->out_h * w->out_w, in_size = (long)w->in_h * w->in_w * w->channels;
  const int patch = taps * group_channels;
  const long group_panels = (long)(group_filters + DLC_PANEL - 1) / DLC_PANEL * DLC_PANEL * patch;
  const long start = tile_start + first;
  float *out = y + start * filters;
  int g, r, i, j;
  long done, chunk;
  for (g = 0; g < groups && indirect; g++)
    for (chunk = start; chunk < start + count; chunk += DLC_TILE_ROWS) {
      const int rows = (int)DLC_MIN(DLC_TILE_ROWS, start + count - chunk);
      /* The chunk's first position by division, the others by counting. */
      long example = chunk / positions;
      int oh = (int)(chunk % positions / w->out_w), ow = (int)(chunk % positions % w->out_w);
      for (r = 0; r < DLC_TILE_ROWS; r++) {
        const float *image = x + example * in_size + g * group_channels;
        const float **row_pointers = pointers + r;
        if (r >= rows) {
          for (i = 0; i < taps; i++) row_pointers[i * DLC_TILE_ROWS] = row_pointers[i * DLC_TILE_ROWS - r];
          continue;
        }
        {
          const int ih0 = oh * w->sh - w->pad_top, iw0 = ow * w->sw - w->pad_left;
          if (dlc_window_inside(w, ih0, iw0)) {
            const float *corner = image + ((long)ih0 * w->in_w + iw0) * w->channels;
            for (i = 0; i < taps; i++) row_pointers[i * DLC_TILE_ROWS] = corner + tap_offsets[i];
          } else {
            for (i = 0; i < w->kh; i++) {
              const int ih = ih0 + i * w->dh;
              for (j = 0; j < w->kw; j++) {
                const int iw = iw0 + j * w->dw;
                row_pointers[(i * w->kw + j) * DLC_TILE_ROWS] =
                    ih >= 0 && ih < w->in_h && iw >= 0 && iw < w->in_w
                        ? image + ((long)ih * w->in_w + iw) * w->channels
                        : scratch;
              }
            }
          }
        }
        if (++ow == w->out_w) {
          ow = 0;
          if (++oh == w->out_h) oh = 0, example++;
        }
      }
      dlc_gemm_tiles_indirect(rows, taps, group_channels, pointers, kernel + g * group_panels, group_filters,
                              y + chunk * filters + g * group_filters, filters, bias ? bias + g * group_filters : NULL,
                              activation == DLC_RELU);
    }
  for (g = 0; g < groups && !indirect; g++) {
    /* A plain 1x1 convolution reads the input's pixels as they are, across examples. */
    const float *columns = x + start * w->channels;
    if (!pointwise) {
      float *matrix = scratch + first * patch;
      for (done = 0; done < count;) {
        const long example = (start + done) / positions, position = (start + done) % positions;
        const long run = DLC_MIN(count - done, positions - position);
        dlc_im2col(x + example * in_size, w, g * group_channels, group_channels, position, run, matrix + done * patch);
        done += run;
      }
      columns = matrix;
    }
    if (kernel_packed)
      dlc_gemm_packed_tiles((int)count, group_filters, patch, columns, patch, kernel + g * group_panels,
                            out + g * group_filters, filters, 0, bias ? bias + g * group_filters : NULL,
                            activation == DLC_RELU);
    else
      dlc_gemm((int)count, group_filters, patch, columns, patch, kernel + g * group_filters, filters,
               out + g * group_filters, filters, 0);
  }
  /* The packed tiles added the bias and did relu; dlc_activate does nothing for linear. */
  if (!indirect && !kernel_packed) dlc_epilogue(out, count, filters, bias, activation);
  else if (activation != DLC_RELU) dlc_activate(activation, out, count * filters, filters);
}

/* How dlc_conv2d computes a window: as a plain 1×1 product (pointwise), through the indirect tiles
 * (indirect, with where each tap reads from the window's corner, for windows wholly inside the
 * image), or by im2col. Below 8 channels a tap is too little work to follow a pointer for, and the
 * portable 4-row tile does better on the copy (whose product runs over blocks that stay in L1). */
typedef struct {
  int pointwise, indirect;
  long tap_offsets[DLC_POINTERS / DLC_TILE_ROWS];
} dlc_conv2d_way;

DLC_ELEMENT void dlc_conv2d_way_of(const dlc_window *w, int groups, int kernel_packed, dlc_conv2d_way *way) {
  const int taps = w->kh * w->kw;
  int i, j;
  way->pointwise = w->kh == 1 && w->kw == 1 && w->sh == 1 && w->sw == 1 && w->pad_top == 0 && w->pad_left == 0 &&
                   groups == 1;
  way->indirect = kernel_packed && !way->pointwise && w->channels / groups >= 8 && DLC_TILE_ROWS >= 6 &&
                  taps * DLC_TILE_ROWS <= DLC_POINTERS;
  if (way->indirect)
    for (i = 0; i < w->kh; i++)
      for (j = 0; j < w->kw; j++)
        way->tap_offsets[i * w->kw + j] = ((long)i * w->dh * w->in_w + (long)j * w->dw) * w->channels;
}

/* Convolution over tiles of `tile` output positions, taken across examples (so a late layer with
 * few positions still gives the GEMM many rows), then bias and activation while the tile is still
 * in cache. kernel: (kh·kw·channels/groups) × filters, row-major, or when kernel_packed each
 * group's columns in panels (dlc_gemm_packed_tiles), group after group. Packed kernels run as an
 * indirect GEMM: each tile row reads the image where each kernel tap falls (dlc_gemm_tile_indirect,
 * which also adds the bias and applies relu), or a row of zeros in the padding, so nothing is
 * copied; below 8 channels, ungrouped, each tile row reads whole window rows instead
 * (dlc_conv2d_few). Otherwise each tile's im2col matrix is built in scratch. scratch:
 * tile·kh·kw·channels/groups floats (the zeros need channels/groups of them), and at least
 * dlc_conv2d_few's padded image; a plain 1×1 convolution reads its input as it is and needs none.
 * With `parallel`, a packed kernel's layer is split by rows among the threads (dlc_tile_split),
 * each building its rows of the im2col matrix in its own rows of the scratch. */
DLC_API void dlc_conv2d(const float *x, int batch, const dlc_window *window, int groups, int filters,
                        const float *kernel, int kernel_packed, const float *bias, int activation, long tile, float *y,
                        float *scratch, const dlc_parallel *parallel) {
  /* A copy of the window, which the threads' calls cannot reach: the compiler keeps its fields known
   * (and specializes for them) past those calls. */
  const dlc_window copy = *window, *w = &copy;
  const int group_channels = w->channels / groups, taps = w->kh * w->kw;
  const long total = (long)batch * w->out_h * w->out_w;
  dlc_conv2d_way way;
  long start;
  dlc_conv2d_way_of(w, groups, kernel_packed, &way);
  if (kernel_packed && groups == 1 && w->channels < 8 && w->dw == 1 && !way.pointwise && DLC_TILE_ROWS >= 6 &&
      w->kh * DLC_TILE_ROWS <= DLC_POINTERS) {
    dlc_conv2d_few(x, batch, w, filters, kernel, bias, activation, y, scratch, parallel);
    return;
  }
  if (way.indirect) memset(scratch, 0, sizeof(float) * (size_t)group_channels);
  /* Split only with the layer's part function (dlc_parallel), which dlc_conv2d_part's split matches. */
  if (kernel_packed && parallel && parallel->part) {
    const dlc_tile_split split = dlc_split_tiles(parallel, tile, total, total * taps * group_channels * filters,
                                                 DLC_POINTERS);
    if (split.parts > 1) {
      parallel->run(parallel->pool, split.parts, parallel->part, parallel->frame);
      return;
    }
  }
  for (start = 0; start < total; start += tile)
    dlc_conv2d_rows(x, w, groups, filters, kernel, kernel_packed, bias, activation, way.indirect, way.pointwise, y,
                    scratch, way.tap_offsets, start, 0, DLC_MIN(tile, total - start));
}

/* @section dlc_conv2d_part */
/* Part `index` of dlc_conv2d's split among threads (dlc_tile_split), with the call's arguments:
 * its rows, in its own rows of the tile's scratch. dlc_conv2d has set the scratch's zeros. */
DLC_API void dlc_conv2d_part(const float *x, int batch, const dlc_window *window, int groups, int filters,
                             const float *kernel, int kernel_packed, const float *bias, int activation, long tile,
                             float *y, float *scratch, const dlc_parallel *parallel, int index) {
  const dlc_window copy = *window, *w = &copy;
  const long total = (long)batch * w->out_h * w->out_w;
  const dlc_tile_split split =
      dlc_split_tiles(parallel, tile, total, total * w->kh * w->kw * (w->channels / groups) * filters, DLC_POINTERS);
  const long first = index * split.share;
  long unit = dlc_split_first(&split, index), start, count;
  dlc_conv2d_way way;
  dlc_conv2d_way_of(w, groups, kernel_packed, &way);
  while ((count = dlc_split_next(&split, index, &unit, &start)) > 0)
    dlc_conv2d_rows(x, w, groups, filters, kernel, kernel_packed, bias, activation, way.indirect, way.pointwise, y,
                    scratch, way.tap_offsets, start - first, first, count);
}

/* @section dlc_winograd_input */
/* Winograd's input transform for 16 lanes (channels): the 4×4 patch's rows in[0..15] (row-major
 * over the patch) to V = Bᵀ·d·B, element q at v + q·stride. */
DLC_ELEMENT void dlc_winograd_input(const float *const *in, float *v, long stride) {
  int q;
#if defined(DLC_LANES)
  dlc_lanes d[16], r[16], o;
  for (q = 0; q < 16; q++) memcpy(&d[q], in[q], sizeof d[q]);
  /* Bᵀ·d down the columns (rows 0−2, 1+2, 2−1, 1−3), then the same along the rows. */
  for (q = 0; q < 4; q++)
    r[q] = d[q] - d[8 + q], r[4 + q] = d[4 + q] + d[8 + q], r[8 + q] = d[8 + q] - d[4 + q],
    r[12 + q] = d[4 + q] - d[12 + q];
  for (q = 0; q < 16; q += 4) {
    o = r[q] - r[q + 2], memcpy(v + q * stride, &o, sizeof o);
    o = r[q + 1] + r[q + 2], memcpy(v + (q + 1) * stride, &o, sizeof o);
    o = r[q + 2] - r[q + 1], memcpy(v + (q + 2) * stride, &o, sizeof o);
    o = r[q + 1] - r[q + 3], memcpy(v + (q + 3) * stride, &o, sizeof o);
  }
#else
  int l;
  for (l = 0; l < 16; l++) {
    float r[16];
    for (q = 0; q < 4; q++)
      r[q] = in[q][l] - in[8 + q][l], r[4 + q] = in[4 + q][l] + in[8 + q][l],
      r[8 + q] = in[8 + q][l] - in[4 + q][l], r[12 + q] = in[4 + q][l] - in[12 + q][l];
    for (q = 0; q < 16; q += 4) {
      v[q * stride + l] = r[q] - r[q + 2], v[(q + 1) * stride + l] = r[q + 1] + r[q + 2];
      v[(q + 2) * stride + l] = r[q + 2] - r[q + 1], v[(q + 3) * stride + l] = r[q + 1] - r[q + 3];
    }
  }
#endif
}

/* @section dlc_winograd_output */
/* Winograd's output transform for 16 lanes (filters): the 16 products' rows in[0..15] to the 2×2
 * outputs Aᵀ·M·A + shift, output q (row-major) at out + q·16. */
DLC_ELEMENT void dlc_winograd_output(const float *const *in, const float *shift, float *out) {
  int q;
#if defined(DLC_LANES)
  dlc_lanes m[16], s[4], e[4], b, o;
  for (q = 0; q < 16; q++) memcpy(&m[q], in[q], sizeof m[q]);
  memcpy(&b, shift, sizeof b);
  /* Aᵀ·M down the columns (rows 0+1+2, 1−2−3), then the same along the rows. */
  for (q = 0; q < 4; q++) s[q] = m[q] + m[4 + q] + m[8 + q], e[q] = m[4 + q] - m[8 + q] - m[12 + q];
  o = s[0] + s[1] + s[2] + b, memcpy(out, &o, sizeof o);
  o = s[1] - s[2] - s[3] + b, memcpy(out + 16, &o, sizeof o);
  o = e[0] + e[1] + e[2] + b, memcpy(out + 32, &o, sizeof o);
  o = e[1] - e[2] - e[3] + b, memcpy(out + 48, &o, sizeof o);
#else
  int l;
  for (l = 0; l < 16; l++) {
    float s[4], e[4];
    for (q = 0; q < 4; q++)
      s[q] = in[q][l] + in[4 + q][l] + in[8 + q][l], e[q] = in[4 + q][l] - in[8 + q][l] - in[12 + q][l];
    out[l] = s[0] + s[1] + s[2] + shift[l], out[16 + l] = s[1] - s[2] - s[3] + shift[l];
    out[32 + l] = e[0] + e[1] + e[2] + shift[l], out[48 + l] = e[1] - e[2] - e[3] + shift[l];
  }
#endif
}

/* @section dlc_winograd_b6 */
/* F(2×2, 5×5)'s input transform along one line of 6, Bᵀ·d (d0..d5 to r0..r5), for floats or for
 * dlc_lanes. The interpolation points are 0, ±1, ±2 and infinity. */
#define dlc_winograd_b6(T, d0, d1, d2, d3, d4, d5, r0, r1, r2, r3, r4, r5)                                   \
  do {                                                                                                   \
    const T d1_ = (d1), d2_ = (d2), d3_ = (d3), d4_ = (d4);                                              \
    const T t1_ = d4_ - 4.0f * d2_, t2_ = d3_ - 4.0f * d1_, t3_ = d4_ - d2_, t4_ = 2.0f * (d3_ - d1_);   \
    r0 = 4.0f * (d0) - 5.0f * d2_ + d4_, r1 = t1_ + t2_, r2 = t1_ - t2_, r3 = t3_ + t4_, r4 = t3_ - t4_;   \
    r5 = 4.0f * d1_ - 5.0f * d3_ + (d5);                                                                 \
  } while (0)

/* @section dlc_winograd_a6 */
/* F(2×2, 5×5)'s output transform along one line of 6, Aᵀ·m (m0..m5 to the line's two outputs). */
#define dlc_winograd_a6(m0, m1, m2, m3, m4, m5, y0, y1)                                                  \
  do {                                                                                                   \
    y0 = (m0) + (m1) + (m2) + (m3) + (m4);                                                               \
    y1 = (m1) - (m2) + 2.0f * ((m3) - (m4)) + (m5);                                                      \
  } while (0)

/* @section dlc_winograd_input6 */
/* F(2×2, 5×5)'s input transform for 16 lanes: the 6×6 patch's rows in[0..35] to V = Bᵀ·d·B, element
 * q at v + q·stride. */
DLC_ELEMENT void dlc_winograd_input6(const float *const *in, float *v, long stride) {
  int q;
#if defined(DLC_LANES)
  dlc_lanes d[36], r[36], o[6];
  for (q = 0; q < 36; q++) memcpy(&d[q], in[q], sizeof d[q]);
  for (q = 0; q < 6; q++)
    dlc_winograd_b6(dlc_lanes, d[q], d[6 + q], d[12 + q], d[18 + q], d[24 + q], d[30 + q], r[q], r[6 + q], r[12 + q],
                    r[18 + q], r[24 + q], r[30 + q]);
  for (q = 0; q < 36; q += 6) {
    int i;
    dlc_winograd_b6(dlc_lanes, r[q], r[q + 1], r[q + 2], r[q + 3], r[q + 4], r[q + 5], o[0], o[1], o[2], o[3], o[4],
                    o[5]);
    for (i = 0; i < 6; i++) memcpy(v + (q + i) * stride, &o[i], sizeof o[i]);
  }
#else
  int l;
  for (l = 0; l < 16; l++) {
    float r[36];
    for (q = 0; q < 6; q++)
      dlc_winograd_b6(float, in[q][l], in[6 + q][l], in[12 + q][l], in[18 + q][l], in[24 + q][l], in[30 + q][l], r[q],
                      r[6 + q], r[12 + q], r[18 + q], r[24 + q], r[30 + q]);
    for (q = 0; q < 36; q += 6)
      dlc_winograd_b6(float, r[q], r[q + 1], r[q + 2], r[q + 3], r[q + 4], r[q + 5], v[q * stride + l],
                      v[(q + 1) * stride + l], v[(q + 2) * stride + l], v[(q + 3) * stride + l],
                      v[(q + 4) * stride + l], v[(q + 5) * stride + l]);
  }
#endif
}

/* @section dlc_winograd_output6 */
/* F(2×2, 5×5)'s output transform for 16 lanes: the 36 products' rows in[0..35] to the 2×2 outputs
 * Aᵀ·M·A + shift, output q (row-major) at out + q·16. */
DLC_ELEMENT void dlc_winograd_output6(const float *const *in, const float *shift, float *out) {
  int q;
#if defined(DLC_LANES)
  dlc_lanes m[36], s[6], e[6], b, o0, o1;
  for (q = 0; q < 36; q++) memcpy(&m[q], in[q], sizeof m[q]);
  memcpy(&b, shift, sizeof b);
  for (q = 0; q < 6; q++) dlc_winograd_a6(m[q], m[6 + q], m[12 + q], m[18 + q], m[24 + q], m[30 + q], s[q], e[q]);
  dlc_winograd_a6(s[0], s[1], s[2], s[3], s[4], s[5], o0, o1);
  o0 += b, o1 += b, memcpy(out, &o0, sizeof o0), memcpy(out + 16, &o1, sizeof o1);
  dlc_winograd_a6(e[0], e[1], e[2], e[3], e[4], e[5], o0, o1);
  o0 += b, o1 += b, memcpy(out + 32, &o0, sizeof o0), memcpy(out + 48, &o1, sizeof o1);
#else
  int l;
  for (l = 0; l < 16; l++) {
    float s[6], e[6];
    for (q = 0; q < 6; q++)
      dlc_winograd_a6(in[q][l], in[6 + q][l], in[12 + q][l], in[18 + q][l], in[24 + q][l], in[30 + q][l], s[q], e[q]);
    dlc_winograd_a6(s[0], s[1], s[2], s[3], s[4], s[5], out[l], out[16 + l]);
    dlc_winograd_a6(e[0], e[1], e[2], e[3], e[4], e[5], out[32 + l], out[48 + l]);
    out[l] += shift[l], out[16 + l] += shift[l], out[32 + l] += shift[l], out[48 + l] += shift[l];
  }
#endif
}

/* @section dlc_winograd_part */
/* A chunk of fewer than 16 lanes: the `count` rows' first n values copied into part, zero after,
 * and the rows pointed there, so the transforms always work on 16 whole lanes. */
DLC_ELEMENT void dlc_winograd_part(const float **rows, int count, int n, float part[][16]) {
  int q, l;
  for (q = 0; q < count; q++) {
    for (l = 0; l < 16; l++) part[q][l] = l < n ? rows[q][l] : 0.0f;
    rows[q] = part[q];
  }
}

/* @section dlc_conv2d_winograd */
/* Blocks tile_start+first .. +count, through the three steps: their patches transformed into V's
 * rows first.., those rows' products M = U ⊙ V, and their outputs. Inlined with its arguments, so
 * that on one thread the compiler still specializes it for each layer's sizes. */
DLC_ELEMENT void dlc_winograd_rows(const float *x, const dlc_window *w, int filters, const float *kernel,
                                   int kernel_packed, const float *shifts, const float *zeros, int activation,
                                   long tile, float *y, float *scratch_v, long tile_start, long first, long count) {
  enum { LANES = 16, MOST = 36 };
  /* The window's fields in locals: stores through float pointers could change them, as far as the
   * compiler knows, so it would read them again at every block. */
  const int channels = w->channels, in_h = w->in_h, in_w = w->in_w, out_h = w->out_h, out_w = w->out_w;
  const int size = w->kh + 1, elements = size * size;
  const int pad_top = w->pad_top, pad_left = w->pad_left, block_rows = (out_h + 1) / 2, block_cols = (out_w + 1) / 2;
  const long blocks = (long)block_rows * block_cols, start = tile_start + first;
  const long in_size = (long)in_h * in_w * channels, out_size = (long)out_h * out_w * filters;
  const long panels = (long)(filters + DLC_PANEL - 1) / DLC_PANEL * DLC_PANEL * channels;
  /* Each of the matrices a line (16 floats) past a whole number of tiles: a power-of-two stride
   * between the rows the transforms read and write at once would put them all in one cache set. */
  const long v_stride = tile * channels + 16, m_stride = tile * filters + 16;
  float *v = scratch_v + first * channels, *m = scratch_v + elements * v_stride + first * filters;
  long patch_offsets[MOST], block_offsets[4];
  long t, example;
  int q, l, c0, k0, by, bx;
  /* Where a patch's pixels and a block's 4 outputs are, from their first, inside the image. */
  for (q = 0; q < elements; q++) patch_offsets[q] = ((long)(q / size) * in_w + q % size) * channels;
  for (q = 0; q < 4; q++) block_offsets[q] = ((long)(q / 2) * out_w + q % 2) * filters;
  /* The first block by division, the others by counting. */
  example = start / blocks, by = (int)(start % blocks / block_cols), bx = (int)(start % blocks % block_cols);
  for (t = 0; t < count; t++) {
    const float *d[MOST];
    const int ih0 = 2 * by - pad_top, iw0 = 2 * bx - pad_left;
    const float *image = x + example * in_size;
    if (ih0 >= 0 && ih0 + size <= in_h && iw0 >= 0 && iw0 + size <= in_w) {
      const float *corner = image + ((long)ih0 * in_w + iw0) * channels;
      for (q = 0; q < elements; q++) d[q] = corner + patch_offsets[q];
    } else {
      /* In the padding: a pointer only to pixels that exist, zeros for the rest. */
      for (q = 0; q < elements; q++) {
        const int ih = ih0 + q / size, iw = iw0 + q % size;
        d[q] = ih >= 0 && ih < in_h && iw >= 0 && iw < in_w ? image + ((long)ih * in_w + iw) * channels : zeros;
      }
    }
    for (c0 = 0; c0 < channels; c0 += LANES) {
      const int n = DLC_MIN(LANES, channels - c0);
      const float *in[MOST];
      float part[MOST][LANES], out[MOST * LANES];
      for (q = 0; q < elements; q++) in[q] = d[q] + c0;
      if (n < LANES) dlc_winograd_part(in, elements, n, part);
      /* Whole chunks straight into the tile; a partial one through `out`, its n lanes copied. */
      if (size == 4)
        dlc_winograd_input(in, n == LANES ? v + t * channels + c0 : out, n == LANES ? v_stride : LANES);
      else
        dlc_winograd_input6(in, n == LANES ? v + t * channels + c0 : out, n == LANES ? v_stride : LANES);
      if (n < LANES)
        for (q = 0; q < elements; q++)
          for (l = 0; l < n; l++) v[q * v_stride + t * channels + c0 + l] = out[q * LANES + l];
    }
    if (++bx == block_cols) {
      bx = 0;
      if (++by == block_rows) by = 0, example++;
    }
  }
  for (q = 0; q < elements; q++) {
    if (kernel_packed)
      dlc_gemm_packed_tiles((int)count, filters, channels, v + q * v_stride, channels, kernel + q * panels,
                            m + q * m_stride, filters, 0, NULL, 0);
    else
      dlc_gemm((int)count, filters, channels, v + q * v_stride, channels, kernel + q * filters, elements * filters,
               m + q * m_stride, filters, 0);
  }
  example = start / blocks, by = (int)(start % blocks / block_cols), bx = (int)(start % blocks % block_cols);
  for (t = 0; t < count; t++) {
    float *target[4], *corner = y + example * out_size + ((long)2 * by * out_w + 2 * bx) * filters;
    /* A block's outputs past the image's last row or column (odd sizes) are not stored. */
    for (q = 0; q < 4; q++)
      target[q] = 2 * by + q / 2 < out_h && 2 * bx + q % 2 < out_w ? corner + block_offsets[q] : NULL;
    for (k0 = 0; k0 < filters; k0 += LANES) {
      const int n = DLC_MIN(LANES, filters - k0);
      const float *in[MOST];
      float part[MOST][LANES], out[4 * LANES];
      for (q = 0; q < elements; q++) in[q] = m + q * m_stride + t * filters + k0;
      if (n < LANES) dlc_winograd_part(in, elements, n, part);
      if (size == 4)
        dlc_winograd_output(in, shifts + k0, out);
      else
        dlc_winograd_output6(in, shifts + k0, out);
      /* In place in `out`, which nothing else points into (so the loop is whole vectors), then out. */
      dlc_for_activated(activation, l, 4 * LANES, out[l], out[l]);
      for (q = 0; q < 4; q++)
        if (target[q]) memcpy(target[q] + k0, out + q * LANES, sizeof(float) * (size_t)n);
    }
    if (++bx == block_cols) {
      bx = 0;
      if (++by == block_rows) by = 0, example++;
    }
  }
}

/* A 3×3 or 5×5 convolution with stride 1 and no dilation by Winograd's minimal filtering
 * F(2×2, 3×3) or F(2×2, 5×5): each 2×2 block of outputs takes 16 (or 36) multiplies per channel
 * and filter instead of 36 (or 100). A size×size patch d of every channel (size 4, or 6) becomes
 * V = Bᵀ·d·B, the filters were transformed when the model was compiled (U = G·g·Gᵀ), the size²
 * elements of the products M = U ⊙ V summed over channels are size² independent GEMMs (blocks ×
 * channels by channels × filters), and each block's outputs are Aᵀ·M·A, plus bias, through the
 * activation. Blocks run `tile` at a time, across examples, so the transformed tile stays in cache
 * between the three steps. kernel: U as a channels × (size²·filters) matrix whose
 * element-by-element column groups are the GEMMs' B operands, packed as dlc_conv2d packs groups (or
 * row-major). The window gives the padding; past the image reads zeros. Element-wise activations
 * only. scratch: channels + filters + 16 + size²·(tile·(channels + filters) + 32·DLC_WINOGRAD_PARTS)
 * floats. With `parallel` and the layer's part function, a packed kernel's layer is split by blocks
 * among up to DLC_WINOGRAD_PARTS threads (dlc_tile_split), each taking its blocks through all three
 * steps in its own piece of the scratch (dlc_conv2d_winograd_part). */
#define DLC_WINOGRAD_PARTS 4
DLC_API void dlc_conv2d_winograd(const float *x, int batch, const dlc_window *window, int filters, const float *kernel,
                                 int kernel_packed, const float *bias, int activation, long tile, float *y,
                                 float *scratch, const dlc_parallel *parallel) {
  /* A copy of the window, which the threads' calls cannot reach: the compiler keeps its fields known
   * (and specializes for them) past those calls. */
  const dlc_window copy = *window, *w = &copy;
  const int channels = w->channels, elements = (w->kh + 1) * (w->kh + 1);
  const long blocks = (long)((w->out_h + 1) / 2) * ((w->out_w + 1) / 2), total = (long)batch * blocks;
  float *zeros = scratch, *shifts = zeros + channels, *v = shifts + filters + 16;
  long start;
  int l;
  memset(zeros, 0, sizeof(float) * (size_t)channels);
  /* The bias in whole chunks of 16, zero past the filters. */
  for (l = 0; l < filters + 16; l++) shifts[l] = bias && l < filters ? bias[l] : 0.0f;
  /* Split only with the layer's part function (dlc_parallel), which dlc_conv2d_winograd_part's split
   * matches. */
  if (kernel_packed && parallel && parallel->part) {
    const dlc_tile_split split =
        dlc_split_tiles(parallel, tile, total, total * elements * channels * filters, DLC_WINOGRAD_PARTS);
    if (split.parts > 1) {
      parallel->run(parallel->pool, split.parts, parallel->part, parallel->frame);
      return;
    }
  }
  for (start = 0; start < total; start += tile)
    dlc_winograd_rows(x, w, filters, kernel, kernel_packed, shifts, zeros, activation, tile, y, v, start, 0,
                      DLC_MIN(tile, total - start));
}

/* @section dlc_conv2d_winograd_part */
/* Part `index` of dlc_conv2d_winograd's split among threads (dlc_tile_split), with the call's
 * arguments: its blocks, `share` at a time, with matrices of its own laid out for `share` blocks
 * in piece `index` of the scratch. A piece per part, rather than each part's rows of one tile's
 * matrices, keeps what a thread writes away from what another does, layer after layer: rows of
 * one tile interleaved the threads' lines, which then moved between the cores' caches at every
 * layer (resnet8_cifar ran 190 µs on two threads that way, 130 with pieces). The scratch's room for
 * DLC_WINOGRAD_PARTS pieces' padding pays for the pieces. dlc_conv2d_winograd has set the zeros
 * and the bias. */
DLC_API void dlc_conv2d_winograd_part(const float *x, int batch, const dlc_window *window, int filters,
                                      const float *kernel, int kernel_packed, const float *bias, int activation,
                                      long tile, float *y, float *scratch, const dlc_parallel *parallel, int index) {
  const dlc_window copy = *window, *w = &copy;
  const int channels = w->channels, elements = (w->kh + 1) * (w->kh + 1);
  const long blocks = (long)((w->out_h + 1) / 2) * ((w->out_w + 1) / 2), total = (long)batch * blocks;
  const dlc_tile_split split =
      dlc_split_tiles(parallel, tile, total, total * elements * channels * filters, DLC_WINOGRAD_PARTS);
  const float *zeros = scratch, *shifts = zeros + channels;
  float *piece = scratch + channels + filters + 16 + index * elements * (split.share * (channels + filters) + 32);
  long unit = dlc_split_first(&split, index), start, count;
  (void)bias;
  while ((count = dlc_split_next(&split, index, &unit, &start)) > 0)
    dlc_winograd_rows(x, w, filters, kernel, kernel_packed, shifts, zeros, activation, split.share, y, piece, start, 0,
                      count);
}

/* @section dlc_conv2d_transpose */
/* The gradient of a convolution: contributions = x·kernelᵀ per pixel (kernel packed by dlc as
 * (channels, kh·kw·filters)), scattered into the output, cropped by crop_top/crop_left.
 * scratch: in_h·in_w·kh·kw·filters floats. */
DLC_API void dlc_conv2d_transpose(const float *x, int batch, int in_h, int in_w, int channels, int out_h, int out_w,
                                  int kh, int kw, int sh, int sw, int dh, int dw, int crop_top, int crop_left,
                                  int filters, const float *kernel, const float *bias, float *y, float *scratch) {
  const int taps = kh * kw * filters;
  int n, ih, iw, i, j, f;
  long o;
  for (n = 0; n < batch; n++) {
    float *out = y + (long)n * out_h * out_w * filters;
    dlc_gemm(in_h * in_w, taps, channels, x + (long)n * in_h * in_w * channels, channels, kernel, taps, scratch, taps,
             0);
    for (o = 0; o < (long)out_h * out_w; o++)
      for (f = 0; f < filters; f++) out[o * filters + f] = bias ? bias[f] : 0.0f;
    for (ih = 0; ih < in_h; ih++)
      for (iw = 0; iw < in_w; iw++) {
        const float *pixel = scratch + ((long)ih * in_w + iw) * taps;
        for (i = 0; i < kh; i++) {
          int oh = ih * sh + i * dh - crop_top;
          if (oh < 0 || oh >= out_h) continue;
          for (j = 0; j < kw; j++) {
            int ow = iw * sw + j * dw - crop_left;
            const float *source = pixel + (i * kw + j) * filters;
            float *target = out + ((long)oh * out_w + ow) * filters;
            if (ow < 0 || ow >= out_w) continue;
            for (f = 0; f < filters; f++) target[f] += source[f];
          }
        }
      }
  }
}

/* @section dlc_depthwise */
/* Each channel convolved with its own `multiplier` filters; output channel c·multiplier + m.
 * kernel: (kh, kw, channels, multiplier); bias may be NULL. */
DLC_API void dlc_depthwise(const float *x, int batch, const dlc_window *w, int multiplier, const float *kernel,
                           const float *bias, float *y) {
  const int out_channels = w->channels * multiplier;
  int n, oh, ow, i, j, c, m;
  for (n = 0; n < batch; n++) {
    const float *image = x + (long)n * w->in_h * w->in_w * w->channels;
    for (oh = 0; oh < w->out_h; oh++)
      for (ow = 0; ow < w->out_w; ow++) {
        float *target = y + (((long)n * w->out_h + oh) * w->out_w + ow) * out_channels;
        for (c = 0; c < out_channels; c++) target[c] = bias ? bias[c] : 0.0f;
        for (i = 0; i < w->kh; i++) {
          int ih = oh * w->sh + i * w->dh - w->pad_top;
          if (ih < 0 || ih >= w->in_h) continue;
          for (j = 0; j < w->kw; j++) {
            int iw = ow * w->sw + j * w->dw - w->pad_left;
            const float *pixel, *taps;
            if (iw < 0 || iw >= w->in_w) continue;
            pixel = image + ((long)ih * w->in_w + iw) * w->channels;
            taps = kernel + (long)(i * w->kw + j) * out_channels;
            if (multiplier == 1) {
              for (c = 0; c < w->channels; c++) target[c] += pixel[c] * taps[c];
            } else {
              for (c = 0; c < w->channels; c++)
                for (m = 0; m < multiplier; m++) target[c * multiplier + m] += pixel[c] * taps[c * multiplier + m];
            }
          }
        }
      }
  }
}

/* @section dlc_pool2d */
/* Max or average pooling; the average counts only real (unpadded) values, as Keras does. Channels
 * are innermost, so each window position updates a whole row of channels (vectorized); the max
 * is a select that keeps a NaN from either side, as DLC_FMAX does. */
DLC_API void dlc_pool2d(const float *x, int batch, const dlc_window *w, int is_max, float *y) {
  const int channels = w->channels;
  int n, oh, ow, c, ih, iw;
  for (n = 0; n < batch; n++)
    for (oh = 0; oh < w->out_h; oh++)
      for (ow = 0; ow < w->out_w; ow++) {
        const int h0 = DLC_MAX(0, oh * w->sh - w->pad_top), h1 = DLC_MIN(w->in_h, oh * w->sh - w->pad_top + w->kh);
        const int w0 = DLC_MAX(0, ow * w->sw - w->pad_left), w1 = DLC_MIN(w->in_w, ow * w->sw - w->pad_left + w->kw);
        float *restrict target = y + (((long)n * w->out_h + oh) * w->out_w + ow) * channels;
        const float count = (float)((h1 - h0) * (w1 - w0));
        if (is_max && h1 - h0 == 2 && w1 - w0 == 2) {
          /* The common 2×2 window in one pass, without writing the result once per tap. */
          const float *restrict p00 = x + (((long)n * w->in_h + h0) * w->in_w + w0) * channels;
          const float *restrict p01 = p00 + channels, *restrict p10 = p00 + (long)w->in_w * channels;
          const float *restrict p11 = p10 + channels;
          for (c = 0; c < channels; c++) {
            float m = p00[c];
            m = DLC_FMAX(p01[c], m);
            m = DLC_FMAX(p10[c], m);
            target[c] = DLC_FMAX(p11[c], m);
          }
          continue;
        }
        for (c = 0; c < channels; c++) target[c] = is_max ? -INFINITY : 0.0f;
        for (ih = h0; ih < h1; ih++)
          for (iw = w0; iw < w1; iw++) {
            const float *restrict row = x + (((long)n * w->in_h + ih) * w->in_w + iw) * channels;
            if (is_max) {
              for (c = 0; c < channels; c++) target[c] = DLC_FMAX(target[c], row[c]);
            } else {
              for (c = 0; c < channels; c++) target[c] += row[c];
            }
          }
        if (!is_max)
          for (c = 0; c < channels; c++) target[c] /= DLC_MAX(count, 1.0f);
      }
}

/* @section dlc_step_kept */
/* Whether step `index` (example-major) survives a Keras mask: kind 0 has no mask; kind 1 reads
 * token ids (kept when not 0); kind 2 reads rows of `features` floats (kept when any differs from
 * `value`, as Masking decides). */
DLC_API int dlc_step_kept(int kind, const void *source, long index, int features, float value) {
  int f;
  if (kind == 1) return ((const int32_t *)source)[index] != 0;
  if (kind == 2) {
    const float *row = (const float *)source + index * features;
    for (f = 0; f < features; f++)
      if (row[f] != value) return 1;
    return 0;
  }
  return 1;
}

/* @section dlc_masking */
/* Keras' Masking: rows (steps) whose features all equal `value` become 0. */
DLC_API void dlc_masking(const float *x, long rows, int features, float value, float *y) {
  long r;
  for (r = 0; r < rows; r++) {
    const int kept = dlc_step_kept(2, x, r, features, value);
    int f;
    for (f = 0; f < features; f++) y[r * features + f] = kept ? x[r * features + f] : 0.0f;
  }
}

/* @section dlc_global_pool */
DLC_API void dlc_global_pool(const float *x, int batch, long positions, int channels, int is_max, int mask_kind,
                             const void *mask, int mask_features, float mask_value, float *y) {
  int n, c;
  long p;
  for (n = 0; n < batch; n++) {
    float *target = y + (long)n * channels;
    long kept = 0;
    for (c = 0; c < channels; c++) target[c] = is_max ? -INFINITY : 0.0f;
    for (p = 0; p < positions; p++) {
      const float *source = x + ((long)n * positions + p) * channels;
      /* Masked steps are left out of the average, as in Keras; all masked divides 0 by 0, as Keras does. */
      if (!dlc_step_kept(mask_kind, mask, (long)n * positions + p, mask_features, mask_value)) continue;
      kept++;
      if (is_max) {
        for (c = 0; c < channels; c++) target[c] = DLC_FMAX(target[c], source[c]);
      } else {
        for (c = 0; c < channels; c++) target[c] += source[c];
      }
    }
    if (!is_max)
      for (c = 0; c < channels; c++) target[c] /= (float)kept;
  }
}

/* @section dlc_upsample_taps */
/* The two source indices and the blend for output index `index` along an axis scaled by `factor`:
 * nearest takes one index; bilinear samples at half-pixel centers, clamped to the edges. */
DLC_API void dlc_upsample_taps(int index, int factor, int size, int bilinear, int *low, int *high, float *blend) {
  float center;
  int floor_index;
  if (!bilinear) {
    *low = *high = index / factor;
    *blend = 0.0f;
    return;
  }
  center = ((float)index + 0.5f) / (float)factor - 0.5f;
  floor_index = (int)floorf(center);
  *blend = center - (float)floor_index;
  *low = DLC_MIN(DLC_MAX(floor_index, 0), size - 1);
  *high = DLC_MIN(DLC_MAX(floor_index + 1, 0), size - 1);
}

/* @section dlc_upsample */
/* Nearest repeats pixels; bilinear blends the four nearest at half-pixel centers. */
DLC_API void dlc_upsample(const float *x, int batch, int in_h, int in_w, int channels, int fh, int fw, int bilinear,
                          float *y) {
  const int out_h = in_h * fh, out_w = in_w * fw;
  int n, oh, ow, c;
  for (n = 0; n < batch; n++)
    for (oh = 0; oh < out_h; oh++) {
      int h0, h1;
      float th;
      dlc_upsample_taps(oh, fh, in_h, bilinear, &h0, &h1, &th);
      for (ow = 0; ow < out_w; ow++) {
        int w0, w1;
        float tw;
        const float *base = x + (long)n * in_h * in_w * channels;
        float *target = y + (((long)n * out_h + oh) * out_w + ow) * channels;
        dlc_upsample_taps(ow, fw, in_w, bilinear, &w0, &w1, &tw);
        if (!bilinear) {
          /* A copy, not a blend with weight 0, so an infinity stays one. */
          memcpy(target, base + ((long)h0 * in_w + w0) * channels, sizeof(float) * (size_t)channels);
          continue;
        }
        for (c = 0; c < channels; c++) {
          float top = base[((long)h0 * in_w + w0) * channels + c] * (1.0f - tw) + base[((long)h0 * in_w + w1) * channels + c] * tw;
          float bottom = base[((long)h1 * in_w + w0) * channels + c] * (1.0f - tw) + base[((long)h1 * in_w + w1) * channels + c] * tw;
          target[c] = top * (1.0f - th) + bottom * th;
        }
      }
    }
}

/* @section dlc_place */
/* Copies x into a zeroed output with its top-left corner at (top, left); negative offsets crop. */
DLC_API void dlc_place(const float *x, int batch, int in_h, int in_w, int channels, int out_h, int out_w, int top,
                       int left, float *y) {
  int n, ih, iw;
  memset(y, 0, sizeof(float) * (size_t)batch * (size_t)out_h * (size_t)out_w * (size_t)channels);
  for (n = 0; n < batch; n++)
    for (ih = 0; ih < in_h; ih++) {
      int oh = ih + top;
      if (oh < 0 || oh >= out_h) continue;
      for (iw = 0; iw < in_w; iw++) {
        int ow = iw + left;
        if (ow < 0 || ow >= out_w) continue;
        memcpy(y + (((long)n * out_h + oh) * out_w + ow) * channels, x + (((long)n * in_h + ih) * in_w + iw) * channels,
               sizeof(float) * (size_t)channels);
      }
    }
}

/* @section dlc_scale_shift */
/* y = activation(x·scale + shift) per channel, x viewed as (outer, channels, inner): batch
 * normalization with its statistics folded into scale and shift by dlc (an element-wise activation
 * only). y may be x. */
DLC_API void dlc_scale_shift(const float *x, long outer, int channels, long inner, const float *scale,
                             const float *shift, int activation, float *y) {
  long o, r;
  int c;
  for (o = 0; o < outer; o++) {
    const float *px = x + o * channels * inner;
    float *py = y + o * channels * inner;
    if (inner == 1) /* channels last: the loop runs along the channels */
      dlc_for_activated(activation, c, channels, py[c], px[c] * scale[c] + shift[c]);
    else
      for (c = 0; c < channels; c++)
        dlc_for_activated(activation, r, inner, py[c * inner + r], px[c * inner + r] * scale[c] + shift[c]);
  }
}

/* @section dlc_layer_norm */
/* Layer normalization of x viewed as (outer, width, inner) across the middle axis; gamma and beta
 * (either may be NULL) are indexed by position in the width. rms: Keras' rms_scaling (x divided by
 * the standard deviation, not centered). */
DLC_API void dlc_layer_norm(const float *x, long outer, int width, long inner, float epsilon, const float *gamma,
                            const float *beta, int rms, float *y) {
  long o, r;
  int i;
  for (o = 0; o < outer; o++)
    for (r = 0; r < inner; r++) {
      const float *px = x + o * width * inner + r;
      float *py = y + o * width * inner + r;
      float mean = 0.0f, variance = 0.0f, inverse;
      for (i = 0; i < width; i++) mean += px[(long)i * inner];
      mean /= (float)width;
      for (i = 0; i < width; i++) variance += (px[(long)i * inner] - mean) * (px[(long)i * inner] - mean);
      variance /= (float)width;
      inverse = 1.0f / sqrtf(variance + epsilon);
      for (i = 0; i < width; i++) {
        float v = rms ? px[(long)i * inner] * inverse : (px[(long)i * inner] - mean) * inverse;
        if (gamma) v *= gamma[i];
        if (beta) v += beta[i];
        py[(long)i * inner] = v;
      }
    }
}

/* @section dlc_group_norm */
/* Group normalization of x viewed as (examples, outer, channels, inner): the channels fall into
 * `groups` equal runs, each normalized per example over its channels and every outer and inner
 * position (statistics in double), then scaled and shifted per channel (gamma, beta may be NULL). */
DLC_API void dlc_group_norm(const float *x, long examples, long outer, int channels, long inner, int groups,
                            float epsilon, const float *gamma, const float *beta, float *y) {
  const int per_group = channels / groups;
  const long size = outer * channels * inner;
  const double count = (double)outer * per_group * inner;
  long n, o, r;
  int g, c;
  for (n = 0; n < examples; n++)
    for (g = 0; g < groups; g++) {
      const float *px = x + n * size;
      float *py = y + n * size;
      double sum = 0.0, squares = 0.0, mean;
      float inverse;
      for (o = 0; o < outer; o++)
        for (c = g * per_group; c < (g + 1) * per_group; c++)
          for (r = 0; r < inner; r++) sum += px[(o * channels + c) * inner + r];
      mean = sum / count;
      for (o = 0; o < outer; o++)
        for (c = g * per_group; c < (g + 1) * per_group; c++)
          for (r = 0; r < inner; r++) {
            const double d = px[(o * channels + c) * inner + r] - mean;
            squares += d * d;
          }
      inverse = 1.0f / sqrtf((float)(squares / count) + epsilon);
      for (c = g * per_group; c < (g + 1) * per_group; c++) {
        const float scale = gamma ? inverse * gamma[c] : inverse;
        const float shift = (beta ? beta[c] : 0.0f) - (float)mean * scale;
        for (o = 0; o < outer; o++)
          for (r = 0; r < inner; r++) py[(o * channels + c) * inner + r] = px[(o * channels + c) * inner + r] * scale + shift;
      }
    }
}

/* @section dlc_embedding */
/* Rows of the table for each id; an id outside 0..rows-1 stops with 2 before anything is read. */
DLC_API int dlc_embedding(const int32_t *ids, long count, const float *table, int rows, int width, float *y) {
  long i;
  for (i = 0; i < count; i++)
    if (ids[i] < 0 || ids[i] >= rows) return 2;
  for (i = 0; i < count; i++) memcpy(y + i * width, table + (long)ids[i] * width, sizeof(float) * (size_t)width);
  return 0;
}


/* @section dlc_combine */
DLC_API float dlc_combine(int op, float a, float b) {
  switch (op) {
  case DLC_ADD: return a + b;
  case DLC_SUBTRACT: return a - b;
  case DLC_MULTIPLY: return a * b;
  case DLC_MAXIMUM: return DLC_FMAX(a, b);
  default: return DLC_FMIN(a, b);
  }
}

/* @section dlc_broadcast */
/* y = a op b with broadcasting: shapes of `rank` axes (batch first), a_strides/b_strides zero
 * where that input has size 1. y may be a. */
DLC_API void dlc_broadcast(int op, const float *a, const long *a_strides, const float *b, const long *b_strides,
                           const int *shape, int rank, float *y) {
  long index[8] = {0}, ai = 0, bi = 0, count = 1, position;
  int axis;
  for (axis = 0; axis < rank; axis++) count *= shape[axis];
  for (position = 0; position < count; position++) {
    y[position] = dlc_combine(op, a[ai], b[bi]);
    for (axis = rank - 1; axis >= 0; axis--) {
      index[axis]++;
      ai += a_strides[axis];
      bi += b_strides[axis];
      if (index[axis] < shape[axis]) break;
      ai -= a_strides[axis] * shape[axis];
      bi -= b_strides[axis] * shape[axis];
      index[axis] = 0;
    }
  }
}

/* @section dlc_combine_same */
/* y = activation(a op b) for equal shapes (an element-wise activation only). y may be a or b. */
DLC_API void dlc_combine_same(int op, const float *a, const float *b, long count, int activation, float *y) {
  long i;
  switch (op) {
  case DLC_ADD: dlc_for_activated(activation, i, count, y[i], a[i] + b[i]); break;
  case DLC_SUBTRACT: dlc_for_activated(activation, i, count, y[i], a[i] - b[i]); break;
  case DLC_MULTIPLY: dlc_for_activated(activation, i, count, y[i], a[i] * b[i]); break;
  case DLC_MAXIMUM: dlc_for_activated(activation, i, count, y[i], DLC_FMAX(a[i], b[i])); break;
  default: dlc_for_activated(activation, i, count, y[i], DLC_FMIN(a[i], b[i])); break;
  }
}

/* @section dlc_affine */
/* y = x·scale + offset (Rescaling, and Average's final division). y may be x. */
DLC_API void dlc_affine(const float *x, long count, float scale, float offset, float *y) {
  long i;
  for (i = 0; i < count; i++) y[i] = x[i] * scale + offset;
}

/* @section dlc_relu_value */
/* Keras' ReLU layer on one value, composed as Keras composes it so NaN and ±inf come out as there:
 * a leaky ReLU when only the slope is set; otherwise v above the threshold (else 0), clipped to
 * [0, max_value], minus slope·relu(threshold − v). */
DLC_API float dlc_relu_value(float v, float max_value, float slope, float threshold) {
  float y, below;
  if (slope != 0.0f && max_value == INFINITY && threshold == 0.0f) return v >= 0.0f ? v : slope * v;
  y = threshold != 0.0f ? (v > threshold ? v : 0.0f) : (v < 0.0f ? 0.0f : v);
  if (max_value != INFINITY) y = DLC_CLAMP(y, 0.0f, max_value);
  if (slope != 0.0f) {
    below = threshold - v;
    y -= slope * (below < 0.0f ? 0.0f : below);
  }
  return y;
}

/* @section dlc_relu_layer */
DLC_API void dlc_relu_layer(const float *x, long count, float max_value, float slope, float threshold, float *y) {
  long i;
  for (i = 0; i < count; i++) y[i] = dlc_relu_value(x[i], max_value, slope, threshold);
}

/* @section dlc_elu_value */
/* Keras' ELU layer on one value: v, or alpha·(eᵛ − 1) below zero. */
DLC_API float dlc_elu_value(float v, float alpha) { return v > 0.0f ? v : alpha * expm1f(v); }

/* @section dlc_elu_layer */
DLC_API void dlc_elu_layer(const float *x, long count, float alpha, float *y) {
  long i;
  for (i = 0; i < count; i++) y[i] = dlc_elu_value(x[i], alpha);
}

/* @section dlc_prelu */
/* alpha holds one value per element of an example (dlc expands shared axes when packing). */
DLC_API void dlc_prelu(const float *x, long examples, long size, const float *alpha, float *y) {
  long n, i;
  for (n = 0; n < examples; n++)
    for (i = 0; i < size; i++) {
      float v = x[n * size + i];
      y[n * size + i] = v >= 0.0f ? v : alpha[i] * v;
    }
}

/* @section dlc_transpose */
/* y = transpose(x) for a shape of `rank` axes (at most 8) and an axis order. */
DLC_API void dlc_transpose(const float *x, const int *shape, const int *order, int rank, float *y) {
  long strides[8], moved[8], index[8] = {0}, count = 1, running = 1, source = 0, position;
  int axis, out_shape[8];
  for (axis = rank - 1; axis >= 0; axis--) {
    strides[axis] = running;
    running *= shape[axis];
  }
  for (axis = 0; axis < rank; axis++) {
    out_shape[axis] = shape[order[axis]];
    moved[axis] = strides[order[axis]];
    count *= out_shape[axis];
  }
  for (position = 0; position < count; position++) {
    y[position] = x[source];
    for (axis = rank - 1; axis >= 0; axis--) {
      index[axis]++;
      source += moved[axis];
      if (index[axis] < out_shape[axis]) break;
      source -= moved[axis] * out_shape[axis];
      index[axis] = 0;
    }
  }
}

/* @section dlc_copy_blocks */
/* Copies `outer` blocks of `width` floats into rows of `stride` floats starting at y (Concatenate
 * writes each input into its slice of every row). */
DLC_API void dlc_copy_blocks(const float *x, long outer, long width, float *y, long stride) {
  long o;
  for (o = 0; o < outer; o++) memcpy(y + o * stride, x + o * width, sizeof(float) * (size_t)width);
}

/* @section dlc_copy */
/* y = x, `count` floats (an activation layer's output that the plan could not put over its input). */
DLC_API void dlc_copy(const float *x, long count, float *y) {
  if (count > 0 && x != y) memcpy(y, x, sizeof(float) * (size_t)count);
}

/* @section dlc_repeat */
/* RepeatVector: each example's features `times` times. */
DLC_API void dlc_repeat(const float *x, int batch, int times, int features, float *y) {
  int n, t;
  for (n = 0; n < batch; n++)
    for (t = 0; t < times; t++)
      memcpy(y + ((long)n * times + t) * features, x + (long)n * features, sizeof(float) * (size_t)features);
}

/* @section dlc_l2_normalize */
/* x / max(‖x‖₂, 1e-12) along the middle axis of (outer, axis, inner), computed as Keras does:
 * x · min(1/√Σx², 1e12), so a NaN anywhere in a row makes the whole row NaN. */
DLC_API void dlc_l2_normalize(const float *x, long outer, int axis, long inner, float *y) {
  long o, r;
  int i;
  for (o = 0; o < outer; o++)
    for (r = 0; r < inner; r++) {
      const float *px = x + o * axis * inner + r;
      float *py = y + o * axis * inner + r;
      float sum = 0.0f, scale;
      for (i = 0; i < axis; i++) sum += px[(long)i * inner] * px[(long)i * inner];
      scale = DLC_FMIN(1.0f / sqrtf(sum), 1e12f);
      for (i = 0; i < axis; i++) py[(long)i * inner] = px[(long)i * inner] * scale;
    }
}


/* @section dlc_recurrent */
/* One recurrent layer over (batch, steps, features). Gates: LSTM i, f, c, o; GRU z, r, h. bias is
 * the input bias (may be NULL); recurrent_bias GRU's second bias row with reset_after (else NULL).
 * sequence (batch, steps, units) receives outputs in processing order when not NULL; h and c
 * (c for LSTM only) receive the final states. scratch: batch·steps·gates·units + batch·gates·units
 * floats. A step a mask drops (dlc_step_kept) keeps the states; its sequence output is the last
 * one, or 0 with zero_output_for_mask, as in Keras. kernel and recurrent_kernel are row-major, or
 * packed into panels (dlc_gemm_packed) when kernels_packed. A NULL kernel means x is already every
 * step's input projection, bias included (features = gates·units: an Embedding table dlc projected
 * through the kernel when it compiled the model); scratch then needs only batch·gates·units floats.
 * With `parallel`, the input projection of every step at once (a Dense product) is split among the
 * threads; each step's product is too small to split. */
DLC_API void dlc_recurrent(int kind, const float *x, int batch, int steps, int features, int units, const float *kernel,
                           const float *recurrent_kernel, int kernels_packed, const float *bias,
                           const float *recurrent_bias, int activation, int recurrent_activation, int reset_after,
                           int go_backwards,
                           int mask_kind, const void *mask, int mask_features, float mask_value,
                           int zero_output_for_mask, float *sequence, float *h, float *c, float *scratch,
                           const dlc_parallel *parallel) {
  const int gates = kind == DLC_LSTM ? 4 : kind == DLC_GRU ? 3 : 1, width = gates * units;
  const float *projected = kernel ? scratch : x;
  float *recurrent = kernel ? scratch + (long)batch * steps * width : scratch;
  int position, n, u, k;
  if (kernel)
    dlc_dense(x, batch * steps, features, kernel, kernels_packed, width, bias, DLC_LINEAR, scratch, parallel);
  memset(h, 0, sizeof(float) * (size_t)batch * (size_t)units);
  if (c) memset(c, 0, sizeof(float) * (size_t)batch * (size_t)units);
  for (position = 0; position < steps; position++) {
    const int step = go_backwards ? steps - 1 - position : position;
    if (kernels_packed)
      dlc_gemm_packed(batch, width, units, h, units, recurrent_kernel, recurrent, width, 0, NULL, 0);
    else dlc_gemm(batch, width, units, h, units, recurrent_kernel, width, recurrent, width, 0);
    if (recurrent_bias)
      for (n = 0; n < batch; n++)
        for (u = 0; u < width; u++) recurrent[(long)n * width + u] += recurrent_bias[u];
    for (n = 0; n < batch; n++) {
      const float *px = projected + ((long)n * steps + step) * width;
      float *pr = recurrent + (long)n * width;
      float *ph = h + (long)n * units;
      if (!dlc_step_kept(mask_kind, mask, (long)n * steps + step, mask_features, mask_value)) {
        if (sequence) {
          float *target = sequence + ((long)n * steps + position) * units;
          if (zero_output_for_mask) memset(target, 0, sizeof(float) * (size_t)units);
          else memcpy(target, ph, sizeof(float) * (size_t)units);
        }
        continue;
      }
      if (kind == DLC_LSTM) {
        float *pc = c + (long)n * units;
        for (u = 0; u < width; u++) pr[u] += px[u];
        if (activation == DLC_TANH && recurrent_activation == DLC_SIGMOID) {
          dlc_lstm_cell(pr, pc, ph, units);
        } else {
          dlc_activate(recurrent_activation, pr, units, units);
          dlc_activate(recurrent_activation, pr + units, units, units);
          dlc_activate(activation, pr + 2 * units, units, units);
          dlc_activate(recurrent_activation, pr + 3 * units, units, units);
          for (u = 0; u < units; u++) {
            pc[u] = pr[units + u] * pc[u] + pr[u] * pr[2 * units + u];
            ph[u] = pc[u];
          }
          dlc_activate(activation, ph, units, units);
          for (u = 0; u < units; u++) ph[u] *= pr[3 * units + u];
        }
      } else if (kind == DLC_GRU) {
        /* z and r from the sums; the candidate from x_h + r ⊙ (h·U_h + b_h) or (r ⊙ h)·U_h. */
        for (u = 0; u < 2 * units; u++) pr[u] += px[u];
        dlc_activate(recurrent_activation, pr, 2 * units, 2 * units);
        for (u = 0; u < units; u++) {
          float candidate = px[2 * units + u];
          if (reset_after) {
            candidate += pr[units + u] * pr[2 * units + u];
          } else {
            float sum = 0.0f;
            const int column = 2 * units + u;
            const long first = kernels_packed ? (long)(column / DLC_PANEL) * units * DLC_PANEL + column % DLC_PANEL
                                              : column;
            const long stride = kernels_packed ? DLC_PANEL : width;
            for (k = 0; k < units; k++) sum += pr[units + k] * ph[k] * recurrent_kernel[first + k * stride];
            candidate += sum;
          }
          pr[2 * units + u] = candidate;
        }
        dlc_activate(activation, pr + 2 * units, units, units);
        for (u = 0; u < units; u++) ph[u] = pr[u] * ph[u] + (1.0f - pr[u]) * pr[2 * units + u];
      } else {
        for (u = 0; u < units; u++) pr[u] += px[u];
        dlc_activate(activation, pr, units, units);
        memcpy(ph, pr, sizeof(float) * (size_t)units);
      }
      if (sequence) memcpy(sequence + ((long)n * steps + position) * units, ph, sizeof(float) * (size_t)units);
    }
  }
}

/* @section dlc_reverse_steps */
/* Reverses the steps of (batch, steps, width) into y (y must not be x). */
DLC_API void dlc_reverse_steps(const float *x, int batch, int steps, int width, float *y) {
  int n, s;
  for (n = 0; n < batch; n++)
    for (s = 0; s < steps; s++)
      memcpy(y + ((long)n * steps + steps - 1 - s) * width, x + ((long)n * steps + s) * width,
             sizeof(float) * (size_t)width);
}

/* @section dlc_attention */
/* Scaled dot-product attention per group and head: q (groups, tq, heads·dk) already scaled,
 * k (groups, tk, heads·dk), v (groups, tk, heads·dv) → context (groups, tq, heads·dv).
 * scores: tq·tk floats of scratch. As Keras does, a score gets -1e9 before the softmax where the
 * query step (query_masked) or the key step (key_masked) is masked (dlc_step_kept, one group an
 * example), or the key comes after the query (causal). */
DLC_API void dlc_attention(const float *q, const float *k, const float *v, long groups, int tq, int tk, int heads,
                           int dk, int dv, int mask_kind, const void *mask, int mask_features, float mask_value,
                           int query_masked, int key_masked, int causal, float *scores, float *context) {
  long g;
  int h, i, j;
  for (g = 0; g < groups; g++)
    for (h = 0; h < heads; h++) {
      dlc_gemm_bt(tq, tk, dk, q + g * tq * heads * dk + h * dk, heads * dk, k + g * tk * heads * dk + h * dk,
                  heads * dk, scores, tk, 0);
      if (query_masked || key_masked || causal)
        for (i = 0; i < tq; i++) {
          const int query_kept = !query_masked || dlc_step_kept(mask_kind, mask, g * tq + i, mask_features, mask_value);
          for (j = 0; j < tk; j++) {
            const int key_kept = !key_masked || dlc_step_kept(mask_kind, mask, g * tk + j, mask_features, mask_value);
            if (!query_kept || !key_kept || (causal && j > i)) scores[(long)i * tk + j] += -1e9f;
          }
        }
      dlc_softmax_rows(scores, tq, tk, 0);
      dlc_gemm(tq, dv, tk, scores, tk, v + g * tk * heads * dv + h * dv, heads * dv,
               context + g * tq * heads * dv + h * dv, heads * dv, 0);
    }
}

/* @section dlc_batched_gemm */
/* Per example: c[n] = a[n]·b[n] with a (m×k), b (k×n') blocks (Dot). */
DLC_API void dlc_batched_gemm(int batch, int m, int n, int k, const float *a, const float *b, float *c) {
  int e;
  for (e = 0; e < batch; e++)
    dlc_gemm(m, n, k, a + (long)e * m * k, k, b + (long)e * k * n, n, c + (long)e * m * n, n, 0);
}

/* @section dlc_step */
/* One step of an element-wise program (a fused chain of element-wise layers): the running value v
 * becomes a function of v, of operand `operand` at the same index, and of the constants a, b, c. */
enum {
  DLC_STEP_LOAD = 0, DLC_STEP_ADD, DLC_STEP_SUB, DLC_STEP_RSUB, DLC_STEP_MUL, DLC_STEP_MAX, DLC_STEP_MIN,
  DLC_STEP_SCALE, DLC_STEP_ACTIVATION, DLC_STEP_RELU, DLC_STEP_ELU
};
typedef struct {
  int op, operand, activation;
  float a, b, c;
} dlc_step;

/* @section dlc_elementwise */
/* y[i] = the program `steps` run on element i of the operands, for i < count; y may be an operand. */
DLC_API void dlc_elementwise(const dlc_step *steps, int step_count, const float *const *operands, long count,
                              float *y) {
  long i;
  int s;
  for (i = 0; i < count; i++) {
    float v = 0.0f;
    for (s = 0; s < step_count; s++) {
      const dlc_step *step = &steps[s];
      switch (step->op) {
      case DLC_STEP_LOAD: v = operands[step->operand][i]; break;
      case DLC_STEP_ADD: v = v + operands[step->operand][i]; break;
      case DLC_STEP_SUB: v = v - operands[step->operand][i]; break;
      case DLC_STEP_RSUB: v = operands[step->operand][i] - v; break;
      case DLC_STEP_MUL: v = v * operands[step->operand][i]; break;
      case DLC_STEP_MAX: v = DLC_FMAX(v, operands[step->operand][i]); break;
      case DLC_STEP_MIN: v = DLC_FMIN(v, operands[step->operand][i]); break;
      case DLC_STEP_SCALE: v = v * step->a + step->b; break;
      case DLC_STEP_ACTIVATION: v = dlc_activation(step->activation, v); break;
      case DLC_STEP_RELU: v = dlc_relu_value(v, step->a, step->b, step->c); break;
      case DLC_STEP_ELU: v = dlc_elu_value(v, step->a); break;
      default: break;
      }
    }
    y[i] = v;
  }
}
