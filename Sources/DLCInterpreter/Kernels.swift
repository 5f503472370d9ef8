// The interpreter's kernels by Keras class name; each family lives in Kernels/<Family>.swift,
// next to the matching file in DLCLayers. A test checks every registered layer has one.

public enum Kernels {
  public static let table: [String: Kernel] = {
    var table: [String: Kernel] = [:]
    let families = [
      CoreKernels.table, ConvolutionKernels.table, PoolingKernels.table, ResizingKernels.table,
      NormalizationKernels.table, EmbeddingKernels.table, RecurrentKernels.table, AttentionKernels.table,
      MergeKernels.table, ActivationLayerKernels.table, FusedKernels.table,
    ]
    for family in families { table.merge(family) { first, _ in first } }
    return table
  }()
}
