// BatchNormalization (inference: moving statistics) and LayerNormalization.
import DLCIR
import DLCSupport

extension LayerDef {
  static let batchNormalization = LayerDef(
    keras: "BatchNormalization",
    arguments: [
      .int("axis", default: -1), .float("momentum", min: 0, max: 1, default: 0.99),
      .float("epsilon", min: 0, default: 1e-3),
      .bool("center", default: true), .bool("scale", default: true),
    ]
      + ArgumentSpec.trainingOnly(
        "beta_initializer", "gamma_initializer", "moving_mean_initializer", "moving_variance_initializer",
        "beta_regularizer", "gamma_regularizer", "beta_constraint", "gamma_constraint", "synchronized"),
    outputType: { layer in
      _ = try Axis.resolve(layer.int(.axis), rank: layer.input.rank, layer: "BatchNormalization")
      return layer.input
    },
    parameters: { layer in
      let axis = (try? Axis.resolve(layer.int(.axis), rank: layer.input.rank, layer: "")) ?? 0
      let channels = [layer.input.dims[axis]]
      var weights: [ParameterSpec] = []
      if layer.bool(.scale) {
        weights.append(
          layer.weight("gamma", channels, initializer: layer.initializer("gamma_initializer", default: "ones")))
      }
      if layer.bool(.center) {
        weights.append(
          layer.weight("beta", channels, initializer: layer.initializer("beta_initializer", default: "zeros")))
      }
      weights.append(
        layer.weight(
          "moving_mean", channels, initializer: layer.initializer("moving_mean_initializer", default: "zeros"),
          trainable: false))
      weights.append(
        layer.weight(
          "moving_variance", channels,
          initializer: layer.initializer("moving_variance_initializer", default: "ones"), trainable: false))
      return weights
    },
    macs: { _, outputs in outputs.first?.elementCount ?? 0 }, memory: .elementwise
  ).masking(.propagates).traits {
    $0.activationEpilogue = true
    $0.foldsIntoLinearProducer = true
  }.lowered { c in
    // y = (x − mean)·gamma/√(var + ε) + beta, folded per channel at compile time as Keras does.
    let (outer, channels, inner) = c.channelSplit(axis: c.arguments.int(.axis))
    let mean = try c.values("moving_mean")
    let variance = try c.values("moving_variance")
    let gamma = c.hasWeight("gamma") ? try c.values("gamma") : [Float](repeating: 1, count: channels)
    let beta = c.hasWeight("beta") ? try c.values("beta") : [Float](repeating: 0, count: channels)
    let epsilon = Float(c.arguments.double(.epsilon))
    let scale = (0..<channels).map { gamma[$0] / (variance[$0] + epsilon).squareRoot() }
    let shift = (0..<channels).map { beta[$0] - mean[$0] * scale[$0] }
    c.emit(
      .scaleShift(
        x: c.input(), outer: .perExample(outer), channels: channels, inner: inner, scale: c.constant(scale),
        shift: c.constant(shift), activation: c.elementwiseActivation, y: c.output()))
    // An activation is there only when the fuse-activations pass put one there.
    c.finishActivation(c.output(), count: c.outputDims.reduce(1, *), width: c.outputDims.last ?? 1)
  }

  /// Keras' preprocessing Normalization: (x − mean) / max(√variance, 1e-7) per channel of `axis`,
  /// or the inverse with `invert=true`. The statistics are the layer's non-trainable weights (what
  /// `adapt()` computed, with Keras' `count` beside them), or numbers given as `mean=` and
  /// `variance=`.
  static let normalization = LayerDef(
    keras: "Normalization",
    arguments: [
      // Keras keeps `axis` as a tuple; dlc normalizes one axis (the channels).
      ArgumentSpec("axis", .axes, default: .ints([-1])), ArgumentSpec("mean", .numbers(), default: AttributeValue.none),
      ArgumentSpec("variance", .numbers(min: 0), default: AttributeValue.none), .bool("invert", default: false),
    ],
    outputType: { layer in
      guard layer.ints(.axis).count == 1 else {
        throw Diagnostic.shape(
          "Normalization over several axes (\(layer.ints(.axis))) is not supported; dlc normalizes one axis",
          argument: "axis")
      }
      _ = try Axis.resolve(layer.ints(.axis)[0], rank: layer.input.rank, layer: "Normalization")
      if layer.isNone(.mean) != layer.isNone(.variance) {
        throw Diagnostic.shape(
          "Normalization needs both mean= and variance=, or neither (then they are weights)",
          argument: layer.isNone(.mean) ? "variance" : "mean")
      }
      let axis = try Axis.resolve(layer.ints(.axis)[0], rank: layer.input.rank, layer: "Normalization")
      for key in [ArgumentKey<[Double]>.mean, .variance] where !layer.isNone(key) {
        let count = layer.doubles(key).count
        guard count == 1 || count == layer.input.dims[axis] else {
          throw Diagnostic.shape(
            "Normalization \(key.name)= has \(count) values; give one, or one per channel (\(layer.input.dims[axis]))",
            argument: key.name)
        }
      }
      return layer.input
    },
    parameters: { layer in
      guard layer.isNone(.mean), let requested = layer.ints(.axis).first,
        let axis = try? Axis.resolve(requested, rank: layer.input.rank, layer: "")
      else { return [] }
      let channels = [layer.input.dims[axis]]
      return [
        layer.weight("mean", channels, initializer: "zeros", trainable: false),
        layer.weight("variance", channels, initializer: "ones", trainable: false),
        layer.weight("count", [], initializer: "zeros", trainable: false),
      ]
    },
    macs: { _, outputs in outputs.first?.elementCount ?? 0 }, memory: .elementwise
  ).masking(.propagates).lowered { c in
    let (outer, channels, inner) = c.channelSplit(axis: c.arguments.ints(.axis).first ?? -1)
    // Given numbers: one for every channel, or one each.
    let given = { (key: ArgumentKey<[Double]>) -> [Float] in
      let values = c.arguments.doubles(key).map(Float.init)
      return values.count == 1 ? Array(repeating: values[0], count: channels) : values
    }
    let mean = c.arguments.isNone(.mean) ? try c.values("mean") : given(.mean)
    let variance = c.arguments.isNone(.variance) ? try c.values("variance") : given(.variance)
    // Keras divides by max(√variance, ε) with its backend ε, 1e-7, not by √(variance + ε).
    let deviation = variance.map { max($0.squareRoot(), 1e-7) }
    let invert = c.arguments.bool(.invert)
    let scale = invert ? deviation : deviation.map { 1 / $0 }
    let shift = invert ? mean : (0..<channels).map { -mean[$0] * scale[$0] }
    c.emit(
      .scaleShift(
        x: c.input(), outer: .perExample(outer), channels: channels, inner: inner, scale: c.constant(scale),
        shift: c.constant(shift), activation: .linear, y: c.output()))
  }

  /// Normalizes over `axis` (one axis or several); gamma and beta have the normalized axes' shape.
  static let layerNormalization = LayerDef(
    keras: "LayerNormalization",
    arguments: [
      ArgumentSpec("axis", .axes, default: .ints([-1])), .float("epsilon", min: 0, default: 1e-3),
      .bool("center", default: true), .bool("scale", default: true), .bool("rms_scaling", default: false),
    ]
      + ArgumentSpec.trainingOnly(
        "beta_initializer", "gamma_initializer", "beta_regularizer", "gamma_regularizer", "beta_constraint",
        "gamma_constraint"),
    outputType: { layer in
      try requireDistinctAxes(layer, "LayerNormalization")
      return layer.input
    },
    parameters: { layer in
      let axes = layer.ints(.axis).compactMap { try? Axis.resolve($0, rank: layer.input.rank, layer: "") }.sorted()
      let shape = axes.map { layer.input.dims[$0] }
      var weights: [ParameterSpec] = []
      if layer.bool(.scale) || layer.bool(.rmsScaling) {
        weights.append(
          layer.weight("gamma", shape, initializer: layer.initializer("gamma_initializer", default: "ones")))
      }
      if layer.bool(.center) && !layer.bool(.rmsScaling) {
        weights.append(
          layer.weight("beta", shape, initializer: layer.initializer("beta_initializer", default: "zeros")))
      }
      return weights
    },
    macs: { _, outputs in outputs.first?.elementCount ?? 0 }
  ).masking(.propagates).lowered(scratch: { s in AxisRows(s, axes: s.arguments.ints(.axis)).scratch }) { c in
    let epsilon = Float(c.arguments.double(.epsilon))
    let gamma = try c.optionalWeight("gamma")
    let beta = try c.optionalWeight("beta")
    let rms = c.arguments.bool(.rmsScaling)
    AxisRows(c.shapes, axes: c.arguments.ints(.axis)).lower(c) { x, outer, width, inner, y in
      .layerNorm(
        x: x, outer: outer, width: width, inner: inner, epsilon: epsilon, gamma: gamma, beta: beta, rms: rms, y: y)
    }
  }
}

extension LayerDef {
  /// Keras' GroupNormalization: the `axis` channels in `groups` runs (-1: one per channel), each
  /// normalized per example over its channels and every other position; gamma and beta per channel.
  static let groupNormalization = LayerDef(
    keras: "GroupNormalization",
    arguments: [
      .int("groups", default: 32), .int("axis", default: -1), .float("epsilon", min: 0, default: 1e-3),
      .bool("center", default: true), .bool("scale", default: true),
    ]
      + ArgumentSpec.trainingOnly(
        "beta_initializer", "gamma_initializer", "beta_regularizer", "gamma_regularizer", "beta_constraint",
        "gamma_constraint"),
    outputType: { layer in
      let axis = try Axis.resolve(layer.int(.axis), rank: layer.input.rank, layer: "GroupNormalization")
      let channels = layer.input.dims[axis]
      let groups = layer.int(.groups) == -1 ? channels : layer.int(.groups)
      guard groups >= 1 else {
        throw Diagnostic.shape(
          "GroupNormalization groups must be a positive integer or -1; got \(layer.int(.groups))", argument: "groups")
      }
      guard groups <= channels else {
        throw Diagnostic.shape(
          "GroupNormalization has \(groups) groups but only \(channels) channels on axis \(layer.int(.axis)) of "
            + "\(layer.input)", argument: "groups")
      }
      guard channels % groups == 0 else {
        throw Diagnostic.shape(
          "GroupNormalization groups=\(groups) must divide the \(channels) channels of \(layer.input)",
          argument: "groups")
      }
      return layer.input
    },
    parameters: { layer in
      guard let axis = try? Axis.resolve(layer.int(.axis), rank: layer.input.rank, layer: "") else { return [] }
      let channels = [layer.input.dims[axis]]
      return
        (layer.bool(.scale)
        ? [layer.weight("gamma", channels, initializer: layer.initializer("gamma_initializer", default: "ones"))] : [])
        + (layer.bool(.center)
          ? [layer.weight("beta", channels, initializer: layer.initializer("beta_initializer", default: "zeros"))]
          : [])
    },
    macs: { _, outputs in outputs.first?.elementCount ?? 0 }
  ).masking(.propagates).lowered { c in
    let (outer, channels, inner) = c.channelSplit(axis: c.arguments.int(.axis))
    c.emit(
      .groupNorm(
        x: c.input(), outer: outer, channels: channels, inner: inner,
        groups: c.arguments.int(.groups) == -1 ? channels : c.arguments.int(.groups),
        epsilon: Float(c.arguments.double(.epsilon)), gamma: try c.optionalWeight("gamma"),
        beta: try c.optionalWeight("beta"), y: c.output()))
  }

  /// Keras' UnitNormalization: x / max(‖x‖₂, 1e-12) over `axis` (one axis or several).
  static let unitNormalization = LayerDef(
    keras: "UnitNormalization",
    arguments: [ArgumentSpec("axis", .axes, default: .ints([-1]))],
    outputType: { layer in
      try requireDistinctAxes(layer, "UnitNormalization")
      return layer.input
    },
    macs: { _, outputs in outputs.first?.elementCount ?? 0 }
  ).masking(.propagates).lowered(scratch: { s in AxisRows(s, axes: s.arguments.ints(.axis)).scratch }) { c in
    AxisRows(c.shapes, axes: c.arguments.ints(.axis)).lower(c) { x, outer, width, inner, y in
      .l2Normalize(x: x, outer: outer, axis: width, inner: inner, y: y)
    }
  }
}

extension LayerDef {
  /// The `axis` argument of a layer normalizing over several axes: each in range, none twice.
  static func requireDistinctAxes(_ layer: LayerApplication, _ keras: String) throws {
    let axes = try layer.ints(.axis).map { try Axis.resolve($0, rank: layer.input.rank, layer: keras) }
    guard Set(axes).count == axes.count else {
      throw Diagnostic.shape("\(keras) axis lists an axis twice", argument: "axis")
    }
  }
}

/// A layer that works on rows made of some axes (LayerNormalization, Softmax): the input as
/// (outer, width, inner) when the axes are adjacent, else moved into scratch with those axes last
/// and moved back after.
struct AxisRows {
  let dims: [Int]  // batch (as 0) first
  let axes: [Int]  // sorted, batch is axis 0
  let maxBatch: Int

  init(_ s: LoweringShapes, axes: [Int]) {
    let dims = [0] + s.input
    self.dims = dims
    self.axes = axes.map { $0 < 0 ? $0 + dims.count : $0 }.sorted()
    maxBatch = s.maxBatch
  }

  var adjacent: Bool {
    guard let first = axes.first, let last = axes.last else { return true }
    return last - first + 1 == axes.count
  }
  var width: Int { axes.map { dims[$0] }.reduce(1, *) }
  var others: [Int] { (0..<dims.count).filter { !axes.contains($0) } }
  var scratch: Int { adjacent ? 0 : 2 * maxBatch * dims.dropFirst().reduce(1, *) }

  func lower(
    _ c: LoweringContext, _ rows: (Operand, Count, Int, Int, Operand) -> KernelCall
  ) {
    if adjacent, let first = axes.first, let last = axes.last {
      c.emit(
        rows(
          c.input(), .perExample(dims[1..<first].reduce(1, *)), width, dims[(last + 1)...].reduce(1, *), c.output()))
      return
    }
    let order = others + axes
    let count = dims.dropFirst().reduce(1, *)
    let (moved, done) = (c.scratch, c.scratch + maxBatch * count)
    c.emit(.transpose(x: c.input(), shape: Array(dims.dropFirst()), order: order, y: moved))
    c.emit(rows(moved, .perExample(count / width), width, 1, done))
    var inverse = [Int](repeating: 0, count: order.count)
    for (position, axis) in order.enumerated() { inverse[axis] = position }
    c.emit(.transpose(x: done, shape: order.dropFirst().map { dims[$0] }, order: inverse, y: c.output()))
  }
}

extension LoweringContext {
  /// One example of the input seen as (outer, channels, inner) around `axis` (counted with the batch,
  /// negative from the end, as Keras' `axis=`): the per-channel layers' loops.
  func channelSplit(axis requested: Int) -> (outer: Int, channels: Int, inner: Int) {
    let dims = [0] + inputDims
    let axis = requested < 0 ? requested + dims.count : requested
    return (dims[1..<axis].reduce(1, *), dims[axis], dims[(axis + 1)...].reduce(1, *))
  }
}
