// MultiHeadAttention, called on (query, value) or (query, value, key).
import DLCIR
import DLCSupport

extension LayerDef {
  static let multiHeadAttention = LayerDef(
    keras: "MultiHeadAttention",
    arity: .range(2...3),
    arguments: [
      .int("num_heads", min: 1), .int("key_dim", min: 1), .optionalInt("value_dim", min: 1),
      .float("dropout", min: 0, max: 1, default: 0), .bool("use_bias", default: true),
      ArgumentSpec("output_shape", .intList, default: AttributeValue.none),
      ArgumentSpec("attention_axes", .axes, default: AttributeValue.none),
      // A call argument in Keras (layer(q, v, use_causal_mask=True)); a layer argument here.
      .bool("use_causal_mask", default: false),
    ]
      + ArgumentSpec.trainingOnly(
        "kernel_initializer", "bias_initializer", "kernel_regularizer", "bias_regularizer", "activity_regularizer",
        "kernel_constraint", "bias_constraint", "seed", "flash_attention"),
    outputTypes: { layer in
      let query = try layer.inputs[0].requireRank(
        atLeast: 3, for: "MultiHeadAttention", "query (batch, steps, features)")
      let value = try layer.inputs[1].requireRank(
        atLeast: 3, for: "MultiHeadAttention", "value (batch, steps, features)")
      let key = layer.inputs.count > 2 ? layer.inputs[2] : value
      guard key.dims.dropLast() == value.dims.dropLast() else {
        throw Diagnostic.shape("MultiHeadAttention key \(key) and value \(value) must have the same steps")
      }
      guard query.rank == value.rank else {
        throw Diagnostic.shape("MultiHeadAttention query \(query) and value \(value) must have the same rank")
      }
      if !layer.isNone("output_shape"), let bad = layer.ints("output_shape").first(where: { $0 < 1 }) {
        throw Diagnostic.shape(
          "MultiHeadAttention output_shape entries must be at least 1; got \(bad)", argument: "output_shape")
      }
      if layer.bool("use_causal_mask") && (query.rank != 3 || !layer.isNone("attention_axes")) {
        throw Diagnostic.shape(
          "MultiHeadAttention use_causal_mask=true needs (batch, steps, features) inputs attending over their steps; "
            + "got \(query)", argument: "use_causal_mask")
      }
      if !layer.isNone("attention_axes") {
        let axes = layer.ints("attention_axes")
        for axis in axes {
          _ = try Axis.resolve(axis, rank: query.rank, layer: "MultiHeadAttention", argument: "attention_axes")
        }
        if axes.contains(where: { ($0 < 0 ? $0 + query.rank : $0) == query.rank - 1 }) {
          throw Diagnostic.shape(
            "MultiHeadAttention attention_axes cannot include the feature axis", argument: "attention_axes")
        }
      }
      return [query.with(dims: query.dims.dropLast() + outputFeatures(layer))]
    },
    parameters: { layer in
      let heads = layer.int("num_heads")
      let keyDim = layer.int("key_dim")
      let valueDim = attentionValueDim(layer)
      let value = layer.inputs.count > 1 ? layer.inputs[1] : layer.input
      let key = layer.inputs.count > 2 ? layer.inputs[2] : value
      let kernel = layer.initializer("kernel_initializer", default: "glorot_uniform")
      let biasInit = layer.initializer("bias_initializer", default: "zeros")
      let useBias = layer.bool("use_bias")
      func projection(_ name: String, _ inputDim: Int, _ width: Int) -> [ParameterSpec] {
        [layer.weight("\(name)/kernel", [inputDim, heads, width], initializer: kernel)]
          + (useBias ? [layer.weight("\(name)/bias", [heads, width], initializer: biasInit)] : [])
      }
      let output = outputFeatures(layer)
      return projection("query", layer.input.last, keyDim) + projection("key", key.last, keyDim)
        + projection("value", value.last, valueDim)
        + [layer.weight("attention_output/kernel", [heads, valueDim] + output, initializer: kernel)]
        + (useBias ? [layer.weight("attention_output/bias", output, initializer: biasInit)] : [])
    },
    macs: { layer, _ in
      let heads = layer.int("num_heads")
      let keyDim = layer.int("key_dim")
      let valueDim = attentionValueDim(layer)
      let query = layer.input
      let value = layer.inputs.count > 1 ? layer.inputs[1] : query
      let key = layer.inputs.count > 2 ? layer.inputs[2] : value
      let queryPositions = query.elementCount / query.last
      let valuePositions = value.elementCount / value.last
      let outputWidth = Checked.product(outputFeatures(layer))
      return Checked.sum(
        Checked.product(queryPositions, query.last, heads, keyDim),
        Checked.product(valuePositions, key.last, heads, keyDim),
        Checked.product(valuePositions, value.last, heads, valueDim),
        Checked.product(queryPositions, valuePositions, heads, keyDim + valueDim),
        Checked.product(queryPositions, heads, valueDim, outputWidth))
    },
    internalLayers: ["softmax", "dropout"]
  ).masking(.attends)

  static func attentionValueDim(_ layer: LayerApplication) -> Int {
    layer.isNone("value_dim") ? layer.int("key_dim") : layer.int("value_dim")
  }

  /// The output's trailing dims: `output_shape` if given, else the query's feature size.
  static func outputFeatures(_ layer: LayerApplication) -> [Int] {
    layer.isNone("output_shape") ? [layer.input.last] : layer.ints("output_shape")
  }
}
