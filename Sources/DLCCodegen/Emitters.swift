// The C backend's emitters by Keras class name; each family lives in Emitters/<Family>.swift, next
// to the matching kernels of the interpreter and definitions in DLCLayers.

enum CEmitters {
  static let table: [String: LayerEmitter] = {
    var table: [String: LayerEmitter] = [:]
    let families = [
      CoreEmitters.table, ConvolutionEmitters.table, PoolingEmitters.table, ResizingEmitters.table,
      NormalizationEmitters.table, EmbeddingEmitters.table, RecurrentEmitters.table, AttentionEmitters.table,
      MergeEmitters.table, ActivationLayerEmitters.table, FusedEmitters.table,
    ]
    for family in families { table.merge(family) { first, _ in first } }
    return table
  }()

  /// The layers the C backend can generate.
  public static var layerNames: [String] { table.keys.sorted() }
}
