/* The loop of dlc_run_calls (RuntimeCalls.c), built once per instruction set: RuntimeCalls.c over
 * the portable kernels, RuntimeAVX512.c and RuntimeAVX2.c over the same runtime built for theirs.
 * Each `case` calls the including file's own copy of its kernel, so the instruction set is chosen
 * once per run rather than once per call, and a kernel can be inlined into its case (choosing per
 * call, through a wrapper per kernel, cost a tenth of a small model's interpreted run).
 * DLC_RUN_CALLS names the function; no include guard, but the function numbers are defined once. */
#ifndef DLC_CALLED_FUNCTIONS
/* Every function a lowered call can name. */
#define DLC_CALLED_FUNCTIONS(X)                                                                                      \
  X(dlc_copy) X(dlc_activate) X(dlc_dense) X(dlc_softmax_axis) X(dlc_conv2d) X(dlc_conv2d_winograd)                 \
  X(dlc_conv2d_transpose) X(dlc_depthwise) X(dlc_pool2d) X(dlc_masking) X(dlc_global_pool) X(dlc_upsample)          \
  X(dlc_place) X(dlc_scale_shift) X(dlc_layer_norm) X(dlc_group_norm) X(dlc_embedding) X(dlc_combine_same)          \
  X(dlc_broadcast) X(dlc_affine) X(dlc_relu_layer) X(dlc_elu_layer) X(dlc_prelu) X(dlc_transpose)                   \
  X(dlc_copy_blocks) X(dlc_repeat) X(dlc_l2_normalize) X(dlc_recurrent) X(dlc_reverse_steps) X(dlc_attention)      \
  X(dlc_batched_gemm) X(dlc_elementwise)

enum {
#define DLC_CALLED_ID(name) name##_id,
  DLC_CALLED_FUNCTIONS(DLC_CALLED_ID)
#undef DLC_CALLED_ID
  dlc_called_function_count
};
#endif

/* Argument i of the call, as the parameter it is passed to wants it (C converts each in the call). */
#define ADDRESS(i) (a[i].address)
#define INTEGER(i) (a[i].integer)
#define REAL(i) (a[i].real)

long DLC_RUN_CALLS(const dlc_call *calls, long count, const dlc_argument *arguments) {
  long index;
  for (index = 0; index < count; index++) {
    const dlc_argument *a = arguments + calls[index].first;
    switch (calls[index].function) {
    case dlc_copy_id: dlc_copy(ADDRESS(0), INTEGER(1), ADDRESS(2)); break;
    case dlc_activate_id: dlc_activate(INTEGER(0), ADDRESS(1), INTEGER(2), INTEGER(3)); break;
    case dlc_dense_id:
      dlc_dense(ADDRESS(0), INTEGER(1), INTEGER(2), ADDRESS(3), INTEGER(4), INTEGER(5), ADDRESS(6), INTEGER(7),
                ADDRESS(8), ADDRESS(9));
      break;
    case dlc_softmax_axis_id:
      dlc_softmax_axis(ADDRESS(0), INTEGER(1), INTEGER(2), INTEGER(3), INTEGER(4), ADDRESS(5));
      break;
    case dlc_conv2d_id:
      dlc_conv2d(ADDRESS(0), INTEGER(1), ADDRESS(2), INTEGER(3), INTEGER(4), ADDRESS(5), INTEGER(6), ADDRESS(7),
                 INTEGER(8), INTEGER(9), ADDRESS(10), ADDRESS(11), ADDRESS(12));
      break;
    case dlc_conv2d_winograd_id:
      dlc_conv2d_winograd(ADDRESS(0), INTEGER(1), ADDRESS(2), INTEGER(3), ADDRESS(4), INTEGER(5), ADDRESS(6),
                          INTEGER(7), INTEGER(8), ADDRESS(9), ADDRESS(10), ADDRESS(11));
      break;
    case dlc_conv2d_transpose_id:
      dlc_conv2d_transpose(ADDRESS(0), INTEGER(1), INTEGER(2), INTEGER(3), INTEGER(4), INTEGER(5), INTEGER(6),
                           INTEGER(7), INTEGER(8), INTEGER(9), INTEGER(10), INTEGER(11), INTEGER(12), INTEGER(13),
                           INTEGER(14), INTEGER(15), ADDRESS(16), ADDRESS(17), ADDRESS(18), ADDRESS(19));
      break;
    case dlc_depthwise_id:
      dlc_depthwise(ADDRESS(0), INTEGER(1), ADDRESS(2), INTEGER(3), ADDRESS(4), ADDRESS(5), ADDRESS(6));
      break;
    case dlc_pool2d_id: dlc_pool2d(ADDRESS(0), INTEGER(1), ADDRESS(2), INTEGER(3), ADDRESS(4)); break;
    case dlc_masking_id: dlc_masking(ADDRESS(0), INTEGER(1), INTEGER(2), REAL(3), ADDRESS(4)); break;
    case dlc_global_pool_id:
      dlc_global_pool(ADDRESS(0), INTEGER(1), INTEGER(2), INTEGER(3), INTEGER(4), INTEGER(5), ADDRESS(6), INTEGER(7),
                      REAL(8), ADDRESS(9));
      break;
    case dlc_upsample_id:
      dlc_upsample(ADDRESS(0), INTEGER(1), INTEGER(2), INTEGER(3), INTEGER(4), INTEGER(5), INTEGER(6), INTEGER(7),
                   ADDRESS(8));
      break;
    case dlc_place_id:
      dlc_place(ADDRESS(0), INTEGER(1), INTEGER(2), INTEGER(3), INTEGER(4), INTEGER(5), INTEGER(6), INTEGER(7),
                INTEGER(8), ADDRESS(9));
      break;
    case dlc_scale_shift_id:
      dlc_scale_shift(ADDRESS(0), INTEGER(1), INTEGER(2), INTEGER(3), ADDRESS(4), ADDRESS(5), INTEGER(6),
                      ADDRESS(7));
      break;
    case dlc_layer_norm_id:
      dlc_layer_norm(ADDRESS(0), INTEGER(1), INTEGER(2), INTEGER(3), REAL(4), ADDRESS(5), ADDRESS(6), INTEGER(7),
                     ADDRESS(8));
      break;
    case dlc_group_norm_id:
      dlc_group_norm(ADDRESS(0), INTEGER(1), INTEGER(2), INTEGER(3), INTEGER(4), INTEGER(5), REAL(6), ADDRESS(7),
                     ADDRESS(8), ADDRESS(9));
      break;
    case dlc_embedding_id:
      if (dlc_embedding(ADDRESS(0), INTEGER(1), ADDRESS(2), INTEGER(3), INTEGER(4), ADDRESS(5)) != 0) return index;
      break;
    case dlc_combine_same_id:
      dlc_combine_same(INTEGER(0), ADDRESS(1), ADDRESS(2), INTEGER(3), INTEGER(4), ADDRESS(5));
      break;
    case dlc_broadcast_id:
      dlc_broadcast(INTEGER(0), ADDRESS(1), ADDRESS(2), ADDRESS(3), ADDRESS(4), ADDRESS(5), INTEGER(6), ADDRESS(7));
      break;
    case dlc_affine_id: dlc_affine(ADDRESS(0), INTEGER(1), REAL(2), REAL(3), ADDRESS(4)); break;
    case dlc_relu_layer_id: dlc_relu_layer(ADDRESS(0), INTEGER(1), REAL(2), REAL(3), REAL(4), ADDRESS(5)); break;
    case dlc_elu_layer_id: dlc_elu_layer(ADDRESS(0), INTEGER(1), REAL(2), ADDRESS(3)); break;
    case dlc_prelu_id: dlc_prelu(ADDRESS(0), INTEGER(1), INTEGER(2), ADDRESS(3), ADDRESS(4)); break;
    case dlc_transpose_id: dlc_transpose(ADDRESS(0), ADDRESS(1), ADDRESS(2), INTEGER(3), ADDRESS(4)); break;
    case dlc_copy_blocks_id: dlc_copy_blocks(ADDRESS(0), INTEGER(1), INTEGER(2), ADDRESS(3), INTEGER(4)); break;
    case dlc_repeat_id: dlc_repeat(ADDRESS(0), INTEGER(1), INTEGER(2), INTEGER(3), ADDRESS(4)); break;
    case dlc_l2_normalize_id: dlc_l2_normalize(ADDRESS(0), INTEGER(1), INTEGER(2), INTEGER(3), ADDRESS(4)); break;
    case dlc_recurrent_id:
      dlc_recurrent(INTEGER(0), ADDRESS(1), INTEGER(2), INTEGER(3), INTEGER(4), INTEGER(5), ADDRESS(6),
                    ADDRESS(7), INTEGER(8), ADDRESS(9), ADDRESS(10), INTEGER(11), INTEGER(12), INTEGER(13),
                    INTEGER(14), INTEGER(15), ADDRESS(16), INTEGER(17), REAL(18), INTEGER(19), ADDRESS(20),
                    ADDRESS(21), ADDRESS(22), ADDRESS(23), ADDRESS(24));
      break;
    case dlc_reverse_steps_id: dlc_reverse_steps(ADDRESS(0), INTEGER(1), INTEGER(2), INTEGER(3), ADDRESS(4)); break;
    case dlc_attention_id:
      dlc_attention(ADDRESS(0), ADDRESS(1), ADDRESS(2), INTEGER(3), INTEGER(4), INTEGER(5), INTEGER(6),
                    INTEGER(7), INTEGER(8), INTEGER(9), ADDRESS(10), INTEGER(11), REAL(12), INTEGER(13),
                    INTEGER(14), INTEGER(15), ADDRESS(16), ADDRESS(17));
      break;
    case dlc_batched_gemm_id:
      dlc_batched_gemm(INTEGER(0), INTEGER(1), INTEGER(2), INTEGER(3), ADDRESS(4), ADDRESS(5), ADDRESS(6));
      break;
    case dlc_elementwise_id: dlc_elementwise(ADDRESS(0), INTEGER(1), ADDRESS(2), INTEGER(3), ADDRESS(4)); break;
    default: return index;
    }
  }
  return count;
}

#undef ADDRESS
#undef INTEGER
#undef REAL
