// Core layers: Dense, Activation, the reshapers, the inference-time identities (dropout, noise) and Rescaling.
import DLCIR
import DLCSupport

extension LayerDef {
  /// y = activation(x · kernel + bias), applied to the last axis.
  static let dense = LayerDef(
    keras: "Dense",
    arguments: [
      .int("units", min: 1), .activation(), .bool("use_bias", default: true),
    ]
      + ArgumentSpec.trainingOnly(
        "kernel_initializer", "bias_initializer", "kernel_regularizer", "bias_regularizer", "activity_regularizer",
        "kernel_constraint", "bias_constraint", "lora_alpha") + [.loraRank],
    outputType: { layer in
      // As Keras: the last axis of any rank (sequences, ConvNeXt's feature maps). The classic
      // missing Flatten() is a warning when the model's output keeps the spatial dimensions.
      let x = layer.input
      guard x.rank >= 2 else {
        throw Diagnostic.shape("Dense needs features to act on; got \(x)")
      }
      return x.replacingLast(with: layer.int(.units))
    },
    parameters: { layer in
      let units = layer.int(.units)
      return [
        layer.weight(
          "kernel", [layer.input.last, units],
          initializer: layer.initializer("kernel_initializer", default: "glorot_uniform"))
      ]
        + (layer.bool(.useBias)
          ? [layer.weight("bias", [units], initializer: layer.initializer("bias_initializer", default: "zeros"))] : [])
    },
    macs: { layer, outputs in Checked.product(outputs.first?.elementCount ?? 0, layer.input.last) }
  ).masking(.propagates).traits {
    $0.activationEpilogue = true
    $0.perChannelLinearKernel = "kernel"
  }.lowered { c in
    let inner = c.inputDims.last ?? 1
    let units = c.arguments.int(.units)
    c.emit(
      .dense(
        x: c.input(), rows: .perExample(c.inputDims.dropLast().reduce(1, *)), inner: inner,
        kernel: try c.matrix("kernel", rows: inner, columns: units), units: units,
        bias: try c.optionalWeight("bias"), activation: c.activation, y: c.output()))
  }

  static let activation = LayerDef(
    keras: "Activation",
    arguments: [ArgumentSpec("activation", .activation)],
    outputType: { $0.input }, memory: .elementwise
  ).masking(.propagates).traits {
    $0.computesActivation = { $0["activation"]?.stringValue.flatMap(Activation.named) }
    $0.elementwise = .unary { attributes in
      let activation = attributes["activation"]?.stringValue.flatMap(Activation.named) ?? .linear
      if activation.isAxiswise { return nil }
      return activation == .linear ? [] : [.activation(activation)]
    }
  }.lowered { c in
    let count = c.inputDims.reduce(1, *)
    // Nothing is copied when the plan put the output over its input.
    c.emit(.copy(x: c.input(), count: .perExample(count), y: c.output()))
    c.activate(c.output(), count: count, width: c.inputDims.last ?? 1)
  }

  static let flatten = LayerDef(
    keras: "Flatten",
    arguments: [.dataFormat()],
    inputDType: nil,
    outputType: { layer in layer.input.with(dims: [layer.input.elementCount]) }, memory: .viewOfInput)

  /// Keras' Reshape: one entry may be -1 and is inferred; the element count must not change.
  static let reshape = LayerDef(
    keras: "Reshape",
    arguments: [ArgumentSpec("target_shape", .intList)],
    inputDType: nil,
    outputType: { layer in
      let x = layer.input
      var target = layer.ints(.targetShape)
      guard !target.isEmpty else {
        throw Diagnostic.shape("Reshape needs a non-empty target_shape", argument: "target_shape")
      }
      if let bad = target.first(where: { $0 == 0 || $0 < -1 }) {
        throw Diagnostic.shape(
          "Reshape target_shape entries must be positive or -1; got \(bad)", argument: "target_shape")
      }
      let unknowns = target.indices.filter { target[$0] == -1 }
      guard unknowns.count <= 1 else {
        throw Diagnostic.shape("Reshape target_shape may contain -1 only once", argument: "target_shape")
      }
      guard let known = Checked.product(target.filter { $0 != -1 }), known <= Limits.maxElements else {
        throw Diagnostic.shape(
          "too large: Reshape target_shape \(describe(target)) exceeds \(Limits.describe(Limits.maxElements)) elements",
          argument: "target_shape")
      }
      if let unknown = unknowns.first {
        guard x.elementCount % known == 0 else {
          throw Diagnostic.shape(
            "Reshape cannot fit \(x.elementCount) elements of \(x) into \(describe(target)): "
              + "\(x.elementCount) is not divisible by \(known)", argument: "target_shape")
        }
        target[unknown] = x.elementCount / known
      } else if known != x.elementCount {
        throw Diagnostic.shape(
          "Reshape changes the element count: \(x) has \(x.elementCount) elements, target \(describe(target)) has \(known)",
          argument: "target_shape")
      }
      return x.with(dims: target)
    }, memory: .viewOfInput)

  /// Permutes the non-batch axes; `dims` is 1-based, as in Keras.
  static let permute = LayerDef(
    keras: "Permute",
    arguments: [ArgumentSpec("dims", .intList)],
    inputDType: nil,
    outputType: { layer in
      let x = layer.input
      let order = layer.ints(.dims)
      guard order.sorted() == Array(1...x.dims.count) else {
        throw Diagnostic.shape(
          "Permute dims must be a permutation of 1…\(x.dims.count) for input \(x); got \(describe(order))",
          argument: "dims")
      }
      return x.with(dims: order.map { x.dims[$0 - 1] })
    }
  ).lowered { c in
    c.emit(.transpose(x: c.input(), shape: c.inputDims, order: [0] + c.arguments.ints(.dims), y: c.output()))
  }

  static let repeatVector = LayerDef(
    keras: "RepeatVector",
    arguments: [.int("n", min: 1)],
    outputType: { layer in
      let x = try layer.input.requireRank(2, for: "RepeatVector", "(batch, features)")
      return x.with(dims: [layer.int(.n), x.last])
    }
  ).lowered { c in
    c.emit(
      .repeatRows(
        x: c.input(), examples: .perExample(1), times: .fixed(c.arguments.int(.n)), features: c.inputDims.last ?? 1,
        y: c.output()))
  }

  // Inference-time identities: they keep their arguments so the summary and training tools see them.
  static let dropout = identity(
    "Dropout",
    // noise_shape only shapes the training-time mask (Keras writes None for broadcast axes).
    [.float("rate", min: 0, max: 1), ArgumentSpec("noise_shape", .trainingOnly, default: AttributeValue.none)]
      + ArgumentSpec.trainingOnly("seed")
  ).masking(.propagates)
  static let spatialDropout1D = identity(
    "SpatialDropout1D", [.float("rate", min: 0, max: 1)] + ArgumentSpec.trainingOnly("seed"),
    rank: (3, "(batch, steps, channels)")
  ).masking(.propagates)
  static let spatialDropout2D = identity(
    "SpatialDropout2D", [.float("rate", min: 0, max: 1), .dataFormat()] + ArgumentSpec.trainingOnly("seed"),
    rank: (4, "(batch, height, width, channels)")
  ).masking(.propagates)
  static let gaussianNoise = identity("GaussianNoise", [.float("stddev", min: 0)] + ArgumentSpec.trainingOnly("seed"))
    .masking(.propagates)
  static let gaussianDropout = identity(
    "GaussianDropout", [.float("rate", min: 0, max: 1)] + ArgumentSpec.trainingOnly("seed")
  ).masking(.propagates)

  /// Zeroes the steps whose features all equal `mask_value`, and starts a mask that makes the
  /// layers after it (recurrent layers, GlobalAveragePooling1D) skip them.
  static let maskingLayer = LayerDef(
    keras: "Masking", arguments: [.float("mask_value", default: 0)],
    outputType: { layer in try layer.input.requireRank(atLeast: 2, for: "Masking", "(batch, steps, features)") }
  ).masking(.drops, produces: { .notEqual($0.double(.maskValue)) }).lowered { c in
    c.emit(
      .masking(
        x: c.input(), rows: .perExample(c.inputDims.dropLast().reduce(1, *)), features: c.inputDims.last ?? 1,
        value: Float(c.arguments.double(.maskValue)), y: c.output()))
  }

  /// y = x · scale + offset.
  static let rescaling = LayerDef(
    keras: "Rescaling",
    arguments: [.float("scale"), .float("offset", default: 0)],
    outputType: { $0.input }, memory: .elementwise
  ).masking(.propagates).traits {
    $0.elementwise = .unary { [.scale($0.number(.scale, default: 1), $0.number(.offset))] }
  }.lowered { c in
    c.affineOfInput(scale: c.arguments.double(.scale), offset: c.arguments.double(.offset))
  }

  /// keras.applications.convnext's LayerScale: the input times a learned per-channel vector (Keras
  /// names the variable `variable`), initialized to `init_values`.
  static let layerScale = LayerDef(
    keras: "LayerScale",
    arguments: [.float("init_values"), .int("projection_dim", min: 1)],
    outputType: { layer in
      guard layer.input.rank >= 2, layer.input.last == layer.int(.projectionDim) else {
        throw Diagnostic.shape(
          "LayerScale projection_dim=\(layer.int(.projectionDim)) must be the input's last dimension; got \(layer.input)",
          argument: "projection_dim")
      }
      return layer.input
    },
    parameters: { layer in
      [layer.weight("variable", [layer.int(.projectionDim)], initializer: "constant:\(layer.double(.initValues))")]
    },
    macs: { _, outputs in outputs.first?.elementCount ?? 0 }, memory: .elementwise
  ).masking(.propagates).lowered { c in
    let (outer, channels, inner) = c.channelSplit(axis: -1)
    c.emit(
      .scaleShift(
        x: c.input(), outer: .perExample(outer), channels: channels, inner: inner,
        scale: c.constant(try c.values("variable")), shift: c.constant([Float](repeating: 0, count: channels)),
        activation: .linear, y: c.output()))
  }

  static func identity(_ keras: String, _ arguments: [ArgumentSpec], rank: (Int, String)? = nil) -> LayerDef {
    LayerDef(
      keras: keras, arguments: arguments,
      outputType: { layer in
        guard let (expected, meaning) = rank else { return layer.input }
        return try layer.input.requireRank(expected, for: keras, meaning)
      }, memory: .viewOfInput
    ).traits { $0.inferenceIdentity = true }
  }
}

func describe(_ values: [Int]) -> String {
  "(" + values.map(String.init).joined(separator: ", ") + ")"
}
