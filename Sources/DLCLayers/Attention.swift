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
      if !layer.isNone(.outputShape), let bad = layer.ints(.outputShape).first(where: { $0 < 1 }) {
        throw Diagnostic.shape(
          "MultiHeadAttention output_shape entries must be at least 1; got \(bad)", argument: "output_shape")
      }
      if layer.bool(.useCausalMask) && (query.rank != 3 || !layer.isNone(.attentionAxes)) {
        throw Diagnostic.shape(
          "MultiHeadAttention use_causal_mask=true needs (batch, steps, features) inputs attending over their steps; "
            + "got \(query)", argument: "use_causal_mask")
      }
      if !layer.isNone(.attentionAxes) {
        let axes = layer.ints(.attentionAxes)
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
      let heads = layer.int(.numHeads)
      let keyDim = layer.int(.keyDim)
      let valueDim = attentionValueDim(layer)
      let value = layer.inputs.count > 1 ? layer.inputs[1] : layer.input
      let key = layer.inputs.count > 2 ? layer.inputs[2] : value
      let kernel = layer.initializer("kernel_initializer", default: "glorot_uniform")
      let biasInit = layer.initializer("bias_initializer", default: "zeros")
      let useBias = layer.bool(.useBias)
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
      let heads = layer.int(.numHeads)
      let keyDim = layer.int(.keyDim)
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
  ).masking(.attends).archived(in: [
    "query": "query_dense", "key": "key_dense", "value": "value_dense", "attention_output": "output_dense",
  ]).lowered(scratch: { s in AttentionGeometry(s).scratch(batch: s.maxBatch) }) { c in
    try AttentionGeometry(c.shapes).lower(c)
  }

  static func attentionValueDim(_ layer: LayerApplication) -> Int {
    layer.isNone(.valueDim) ? layer.int(.keyDim) : layer.int(.valueDim)
  }

  /// The output's trailing dims: `output_shape` if given, else the query's feature size.
  static func outputFeatures(_ layer: LayerApplication) -> [Int] {
    layer.isNone(.outputShape) ? [layer.input.last] : layer.ints(.outputShape)
  }
}

/// MultiHeadAttention as kernels: three projections (the 1/√key_dim scale folded into the query's
/// weights at compile time), attention per group and head, the output projection. Attention over
/// some middle axes moves the others next to the batch first.
struct AttentionGeometry {
  var heads, keyDim, valueDim: Int
  var attended: [Int]  // query axes attended over (1-based, batch is 0)
  var others: [Int]  // the middle axes that are not
  var query, value, key: [Int]  // dims without batch
  var maxBatch: Int

  init(_ s: LoweringShapes) {
    let arguments = s.arguments
    heads = arguments.int(.numHeads)
    keyDim = arguments.int(.keyDim)
    valueDim = arguments.isNone(.valueDim) ? keyDim : arguments.int(.valueDim)
    let data = s.dataInputs
    query = data[0].dims
    value = data[1].dims
    key = data.count > 2 ? data[2].dims : value
    let rank = query.count + 1
    let middle = Array(1..<(rank - 1))
    let attended =
      arguments.isNone(.attentionAxes)
      ? middle : arguments.ints(.attentionAxes).map { $0 < 0 ? $0 + rank : $0 }.sorted()
    self.attended = attended
    others = middle.filter { !attended.contains($0) }
    maxBatch = s.maxBatch
  }

  var moved: Bool { !others.isEmpty }
  var queryPositions: Int { query.dropLast().reduce(1, *) }
  var keyPositions: Int { value.dropLast().reduce(1, *) }
  var groupsPerExample: Int { others.map { query[$0 - 1] }.reduce(1, *) }
  var queryAttended: Int { attended.map { query[$0 - 1] }.reduce(1, *) }
  var keyAttended: Int { attended.map { value[$0 - 1] }.reduce(1, *) }
  var order: [Int] { [0] + others + attended + [query.count] }

  func scratch(batch: Int) -> Int {
    // Saturates: a size past 64 bits is refused by the planner as too large.
    let q = Checked.product(batch, queryPositions, heads, keyDim)
    let k = Checked.product(batch, keyPositions, heads, keyDim)
    let v = Checked.product(batch, keyPositions, heads, valueDim)
    let context = Checked.product(batch, queryPositions, heads, valueDim)
    let projections = Checked.product(Checked.sum(q, k, v, context), moved ? 2 : 1)
    return Checked.sum(projections, Checked.product(queryAttended, keyAttended)) ?? Int.max
  }

  func lower(_ c: LoweringContext) throws {
    let b = maxBatch
    var offset = 0
    func take(_ floats: Int) -> Operand {
      defer { offset += floats }
      return c.scratch + offset
    }
    let (q, k, v) = (
      take(b * queryPositions * heads * keyDim), take(b * keyPositions * heads * keyDim),
      take(b * keyPositions * heads * valueDim)
    )
    let context = take(b * queryPositions * heads * valueDim)
    let scale = 1 / Float(keyDim).squareRoot()
    let queryKernel = try c.values("query/kernel").map { $0 * scale }
    let queryBias = c.hasWeight("query/bias") ? c.constant(try c.values("query/bias").map { $0 * scale }) : .none
    let inputs = c.dataInputs
    let keyInput = inputs.count > 2 ? inputs[2] : inputs[1]
    c.emit(
      .dense(
        x: inputs[0], rows: .perExample(queryPositions), inner: query.last ?? 1,
        kernel: try c.matrix(queryKernel, rows: query.last ?? 1, columns: heads * keyDim),
        units: heads * keyDim, bias: queryBias, activation: .linear, y: q))
    c.emit(
      .dense(
        x: keyInput, rows: .perExample(keyPositions), inner: key.last ?? 1,
        kernel: try c.matrix("key/kernel", rows: key.last ?? 1, columns: heads * keyDim),
        units: heads * keyDim, bias: try c.optionalWeight("key/bias"), activation: .linear, y: k))
    c.emit(
      .dense(
        x: inputs[1], rows: .perExample(keyPositions), inner: value.last ?? 1,
        kernel: try c.matrix("value/kernel", rows: value.last ?? 1, columns: heads * valueDim),
        units: heads * valueDim, bias: try c.optionalWeight("value/bias"), activation: .linear, y: v))
    var (qa, ka, va, ca) = (q, k, v, context)
    if moved {
      // (batch, others, attended, heads·width) so each group's steps are contiguous.
      let (qm, km, vm) = (
        take(b * queryPositions * heads * keyDim), take(b * keyPositions * heads * keyDim),
        take(b * keyPositions * heads * valueDim)
      )
      ca = take(b * queryPositions * heads * valueDim)
      c.emit(.transpose(x: q, shape: query.dropLast() + [heads * keyDim], order: order, y: qm))
      c.emit(.transpose(x: k, shape: value.dropLast() + [heads * keyDim], order: order, y: km))
      c.emit(.transpose(x: v, shape: value.dropLast() + [heads * valueDim], order: order, y: vm))
      (qa, ka, va) = (qm, km, vm)
    }
    let scores = take(queryAttended * keyAttended)
    let masked = c.node.maskRule == nil ? [] : c.node.maskedInputs
    c.emit(
      .attention(
        AttentionCall(
          q: qa, k: ka, v: va, groups: .perExample(groupsPerExample), queryLength: queryAttended,
          keyLength: keyAttended, heads: heads, keyDim: keyDim, valueDim: valueDim, mask: c.stepMask,
          queryMasked: masked.contains(0), keyMasked: masked.contains { $0 > 0 },
          causal: c.arguments.bool(.useCausalMask), scores: scores, context: ca)))
    if moved {
      var inverse = [Int](repeating: 0, count: order.count)
      for (position, axis) in order.enumerated() { inverse[axis] = position }
      let movedShape = order.dropFirst().map { $0 == query.count ? heads * valueDim : query[$0 - 1] }
      c.emit(.transpose(x: ca, shape: Array(movedShape), order: inverse, y: context))
    }
    let outputDims = c.outputDims
    let outFeatures = outputDims.count > query.count - 1 ? outputDims[(query.count - 1)...].reduce(1, *) : 1
    c.emit(
      .dense(
        x: context, rows: .perExample(queryPositions), inner: heads * valueDim,
        kernel: try c.matrix("attention_output/kernel", rows: heads * valueDim, columns: outFeatures),
        units: outFeatures,
        bias: try c.optionalWeight("attention_output/bias"), activation: .linear, y: c.output()))
  }
}
