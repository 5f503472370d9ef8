// Convolutions: Conv1D, Conv2D, Conv2DTranspose, DepthwiseConv2D and SeparableConv2D (channels-last).
import DLCIR
import DLCSupport

extension LayerDef {
  static let conv1D = convolution("Conv1D", spatialRank: 1, paddings: ["valid", "same", "causal"])
  static let conv2D = convolution("Conv2D", spatialRank: 2, paddings: ["valid", "same"])

  /// The shared Keras signature of Conv1D/Conv2D/Conv3D: `(filters, kernel_size, strides, padding, ...)`.
  static func convolution(_ keras: String, spatialRank: Int, paddings: [String]) -> LayerDef {
    LayerDef(
      keras: keras,
      arguments: [
        .int("filters", min: 1), .intTuple("kernel_size", count: spatialRank),
        .intTuple("strides", count: spatialRank, default: 1), .choice("padding", paddings, default: "valid"),
        .dataFormat(), .intTuple("dilation_rate", count: spatialRank, default: 1), .int("groups", min: 1, default: 1),
        .activation(), .bool("use_bias", default: true),
      ]
        + ArgumentSpec.trainingOnly(
          "kernel_initializer", "bias_initializer", "kernel_regularizer", "bias_regularizer", "activity_regularizer",
          "kernel_constraint", "bias_constraint", "lora_alpha") + [.loraRank],
      outputType: { layer in
        let x = try spatialInput(layer, keras, spatialRank)
        let channels = x.last
        let groups = layer.int(.groups)
        guard channels % groups == 0 else {
          throw Diagnostic.shape(
            "\(keras) groups=\(groups) must divide the input channels (\(channels)) of \(x)", argument: "groups")
        }
        guard layer.int(.filters) % groups == 0 else {
          throw Diagnostic.shape(
            "\(keras) groups=\(groups) must divide filters=\(layer.int(.filters))", argument: "groups")
        }
        try checkStridesWithDilation(layer, keras)
        let spatial = try windowed(x, layer, keras, kernel: layer.ints(.kernelSize))
        return x.with(dims: spatial + [layer.int(.filters)])
      },
      parameters: { layer in
        let inputChannels = layer.input.last / max(1, layer.int(.groups))
        return kernelAndBias(layer, kernel: layer.ints(.kernelSize) + [inputChannels, layer.int(.filters)])
      },
      macs: { layer, outputs in
        let perOutput = Checked.product(
          Checked.product(layer.ints(.kernelSize)), layer.input.last / max(1, layer.int(.groups)))
        return Checked.product(outputs.first?.elementCount ?? 0, perOutput)
      }
    ).traits {
      $0.activationEpilogue = true
      $0.perChannelLinearKernel = "kernel"
      $0.acceptsFoldedPadding = true
    }.lowered(scratch: convolutionScratch) { c in
      let window = SlidingWindow(c.shapes)
      let (groups, filters) = (c.arguments.int(.groups), c.arguments.int(.filters))
      if usesWinograd(c.shapes) {
        let elements = winogradElements(window)
        c.emit(
          .conv2DWinograd(
            x: c.input(), window: window, filters: filters,
            kernel: try c.matrix(
              "kernel", transformed: "winograd", rows: window.channels, columns: elements * filters, groups: elements
            ) {
              winogradKernel($0, channels: window.channels, filters: filters)
            },
            bias: try c.optionalWeight("bias"), activation: c.activation, tile: winogradTile(c.shapes), y: c.output(),
            scratch: c.scratch))
        return
      }
      let patch = window.kh * window.kw * window.channels / max(1, groups)
      c.emit(
        .conv2D(
          x: c.input(), window: window, groups: groups, filters: filters,
          kernel: try c.matrix("kernel", rows: patch, columns: filters, groups: groups),
          bias: try c.optionalWeight("bias"), activation: c.activation, tile: convolutionTile(c.shapes),
          y: c.output(), scratch: c.scratch))
    }
  }

  /// Output positions per im2col tile (tiles run across examples): as many as keep the tile's
  /// columns within the larger of one example's input and output, and at least 64 (a GEMM worth
  /// calling), so the scratch is never much more than the arena's largest tenant.
  static func convolutionTile(_ s: LoweringShapes) -> Int {
    let w = SlidingWindow(s)
    let patch = w.kh * w.kw * (w.channels / max(1, s.arguments.int(.groups)))
    let positions = Checked.product(w.outH, w.outW, max(1, s.maxBatch)) ?? Int.max
    let budget = max(s.input.reduce(1, *), s.output.reduce(1, *))
    return max(1, min(positions, max(budget / max(patch, 1), 64)))
  }

  /// One example's im2col matrix for one group and tile (none for a plain 1×1 convolution), or
  /// the Winograd kernel's transformed tiles.
  static func convolutionScratch(_ s: LoweringShapes) -> Int {
    let w = SlidingWindow(s)
    if usesWinograd(s) {
      let filters = s.arguments.int(.filters)
      // Room for each of up to 4 threads' pieces' padding (DLC_WINOGRAD_PARTS, dlc_conv2d_winograd_part).
      return w.channels + filters + 16 + winogradElements(w) * (winogradTile(s) * (w.channels + filters) + 32 * 4)
    }
    let groups = max(1, s.arguments.int(.groups))
    if w.kh == 1 && w.kw == 1 && w.sh == 1 && w.sw == 1 && w.padTop == 0 && w.padLeft == 0 && groups == 1 { return 0 }
    let im2col = convolutionTile(s) * w.kh * w.kw * (w.channels / groups)
    // Whether dlc_conv2d_few runs depends on the instruction set the C is built for, so the
    // scratch holds either.
    return w.channels < 8 && groups == 1 && w.dw == 1 ? max(im2col, fewChannelScratch(w)) : im2col
  }

  /// `dlc_conv2d_few`'s scratch: one example's image with the padding its windows reach into.
  static func fewChannelScratch(_ w: SlidingWindow) -> Int {
    let height = (w.outH - 1) * w.sh + (w.kh - 1) * w.dh + 1
    let width = (w.outW - 1) * w.sw + w.kw
    let padded = w.padTop > 0 || w.padLeft > 0 || height > w.inH || width > w.inW
    return padded ? height * width * w.channels : 0
  }

  /// Whether a convolution runs by Winograd's F(2×2, 3×3) or F(2×2, 5×5) (`dlc_conv2d_winograd`):
  /// 3×3 or 5×5, stride 1, undilated, ungrouped, an element-wise activation, and enough channels,
  /// filters and positions that the fewer multiplies (2.25× for 3×3, 2.8× for 5×5) pay for the
  /// transforms. Measured on one core (docs/codegen.md): a 3×3 at 16 channels and 16 filters runs
  /// 1.2–1.3× the direct convolution's speed, 1.6–2× at 32–128 (below 16 of either, or on a 4×4
  /// image, it loses); a 5×5 from 32 channels to 16 filters on 14×14 runs 2×.
  static func usesWinograd(_ s: LoweringShapes) -> Bool {
    let w = SlidingWindow(s)
    let activation = Activation.named(s.arguments.string(.activation)) ?? .linear
    return (w.kh == 3 || w.kh == 5) && w.kw == w.kh && w.sh == 1 && w.sw == 1 && w.dh == 1 && w.dw == 1
      && s.arguments.int(.groups) == 1 && !activation.isAxiswise && w.channels >= 16
      && s.arguments.int(.filters) >= 16 && w.outH * w.outW >= 36
  }

  /// The elements of a Winograd patch (and GEMMs per tile): 4×4 for a 3×3 kernel, 6×6 for 5×5.
  static func winogradElements(_ w: SlidingWindow) -> Int { (w.kh + 1) * (w.kh + 1) }

  /// Blocks of 2×2 outputs per Winograd tile (across examples): as many as keep its transformed
  /// input and output matrices (one per patch element) within the larger of one example's input and
  /// output (as the im2col tile is kept), between 16 (fewer rows make a poor GEMM) and 64 (more gain
  /// nothing measurable).
  static func winogradTile(_ s: LoweringShapes) -> Int {
    let w = SlidingWindow(s)
    let blocks = (w.outH + 1) / 2 * ((w.outW + 1) / 2) * max(1, s.maxBatch)
    let budget = max(s.input.reduce(1, *), s.output.reduce(1, *))
    let perBlock = winogradElements(w) * (w.channels + s.arguments.int(.filters))
    return max(1, min(blocks, max(16, min(64, budget / perBlock))))
  }

  /// A Keras 3×3 or 5×5 kernel (k, k, channels, filters) transformed for Winograd: U = G·g·Gᵀ for
  /// each channel and filter, as a channels × (elements·filters) matrix whose column q·filters + f
  /// holds element q (row-major over the patch) of filter f's U. A kernel of another size comes back
  /// as it is (the matrix's size check then reports it).
  static func winogradKernel(_ kernel: [Float], channels: Int, filters: Int) -> [Float] {
    if kernel.count == 9 * channels * filters { return winogradKernel3(kernel, channels: channels, filters: filters) }
    if kernel.count == 25 * channels * filters { return winogradKernel5(kernel, channels: channels, filters: filters) }
    return kernel
  }

  /// F(2×2, 3×3): G = [1 0 0; ½ ½ ½; ½ −½ ½; 0 0 1].
  static func winogradKernel3(_ kernel: [Float], channels: Int, filters: Int) -> [Float] {
    var transformed = [Float](repeating: 0, count: 16 * channels * filters)
    // G·v for one column (or row) of three: v0, (v0+v1+v2)/2, (v0−v1+v2)/2, v2.
    func expand(_ v0: Float, _ v1: Float, _ v2: Float) -> (Float, Float, Float, Float) {
      (v0, 0.5 * (v0 + v1 + v2), 0.5 * (v0 - v1 + v2), v2)
    }
    for channel in 0..<channels {
      for filter in 0..<filters {
        func g(_ i: Int, _ j: Int) -> Float { kernel[((i * 3 + j) * channels + channel) * filters + filter] }
        // G·g, column by column, then (G·g)·Gᵀ along each of its four rows (no arrays: VGG16 has
        // 1.6 M channel-filter pairs to transform).
        let c0 = expand(g(0, 0), g(1, 0), g(2, 0))
        let c1 = expand(g(0, 1), g(1, 1), g(2, 1))
        let c2 = expand(g(0, 2), g(1, 2), g(2, 2))
        func store(_ i: Int, _ row: (Float, Float, Float, Float)) {
          let first = channel * 16 * filters + 4 * i * filters + filter
          (transformed[first], transformed[first + filters]) = (row.0, row.1)
          (transformed[first + 2 * filters], transformed[first + 3 * filters]) = (row.2, row.3)
        }
        store(0, expand(c0.0, c1.0, c2.0))
        store(1, expand(c0.1, c1.1, c2.1))
        store(2, expand(c0.2, c1.2, c2.2))
        store(3, expand(c0.3, c1.3, c2.3))
      }
    }
    return transformed
  }

  /// F(2×2, 5×5) with interpolation points 0, ±1, ±2 and infinity: G is 6×5 (the runtime's
  /// `dlc_winograd_b6` and `dlc_winograd_a6` are its Bᵀ and Aᵀ). The products are in Double, one
  /// rounding at the end; the two work buffers are allocated once for all channel-filter pairs.
  static func winogradKernel5(_ kernel: [Float], channels: Int, filters: Int) -> [Float] {
    let g: [[Double]] = [
      [1.0 / 4, 0, 0, 0, 0],
      [-1.0 / 6, -1.0 / 6, -1.0 / 6, -1.0 / 6, -1.0 / 6],
      [-1.0 / 6, 1.0 / 6, -1.0 / 6, 1.0 / 6, -1.0 / 6],
      [1.0 / 24, 1.0 / 12, 1.0 / 6, 1.0 / 3, 2.0 / 3],
      [1.0 / 24, -1.0 / 12, 1.0 / 6, -1.0 / 3, 2.0 / 3],
      [0, 0, 0, 0, 1],
    ]
    var transformed = [Float](repeating: 0, count: 36 * channels * filters)
    var taps = [Double](repeating: 0, count: 25)
    var expanded = [Double](repeating: 0, count: 30)  // G·g: 6 rows of 5
    for channel in 0..<channels {
      for filter in 0..<filters {
        for tap in 0..<25 { taps[tap] = Double(kernel[(tap * channels + channel) * filters + filter]) }
        for i in 0..<6 {
          for j in 0..<5 { expanded[i * 5 + j] = (0..<5).reduce(0) { $0 + g[i][$1] * taps[$1 * 5 + j] } }
        }
        for i in 0..<6 {
          for j in 0..<6 {
            let u = (0..<5).reduce(0) { $0 + expanded[i * 5 + $1] * g[j][$1] }
            transformed[(channel * 36 + i * 6 + j) * filters + filter] = Float(u)
          }
        }
      }
    }
    return transformed
  }

  static let conv1DTranspose = convolutionTranspose("Conv1DTranspose", spatialRank: 1)
  static let conv2DTranspose = convolutionTranspose("Conv2DTranspose", spatialRank: 2)

  /// Keras' Conv1DTranspose/Conv2DTranspose: the kernel is (kernel_size..., filters, channels); the
  /// output length is Keras' `deconv_output_length`. Both run as the 2-D kernel, 1-D as height 1.
  static func convolutionTranspose(_ keras: String, spatialRank: Int) -> LayerDef {
    LayerDef(
      keras: keras,
      arguments: [
        .int("filters", min: 1), .intTuple("kernel_size", count: spatialRank),
        .intTuple("strides", count: spatialRank, default: 1), .choice("padding", ["valid", "same"], default: "valid"),
        ArgumentSpec("output_padding", .intTuple(count: spatialRank, min: 0), default: AttributeValue.none),
        .dataFormat(), .intTuple("dilation_rate", count: spatialRank, default: 1), .activation(),
        .bool("use_bias", default: true),
      ]
        + ArgumentSpec.trainingOnly(
          "kernel_initializer", "bias_initializer", "kernel_regularizer", "bias_regularizer", "activity_regularizer",
          "kernel_constraint", "bias_constraint"),
      outputType: { layer in
        let x = try spatialInput(layer, keras, spatialRank)
        try checkStridesWithDilation(layer, keras)
        let kernel = layer.ints(.kernelSize)
        let strides = layer.ints(.strides)
        let dilation = layer.ints(.dilationRate)
        let outputPadding = layer.arguments["output_padding"]?.intsValue
        if let outputPadding, let axis = outputPadding.indices.first(where: { outputPadding[$0] >= strides[$0] }) {
          throw Diagnostic.shape(
            "\(keras) output_padding (\(outputPadding[axis])) must be smaller than strides (\(strides[axis]))",
            argument: "output_padding")
        }
        let spatial = (0..<spatialRank).map { axis in
          Window.deconvolved(
            x.dims[axis], kernel: kernel[axis], stride: strides[axis], dilation: dilation[axis],
            padding: layer.string(.padding), outputPadding: outputPadding?[axis])
        }
        if spatial.contains(where: { $0 < 1 }) {
          throw Diagnostic.shape("\(keras) on \(x) would produce an empty output \(describe(spatial))")
        }
        return x.with(dims: spatial + [layer.int(.filters)])
      },
      parameters: { layer in
        kernelAndBias(layer, kernel: layer.ints(.kernelSize) + [layer.int(.filters), layer.input.last])
      },
      macs: { layer, _ in
        Checked.product(layer.input.elementCount, Checked.product(layer.ints(.kernelSize)), layer.int(.filters))
      }
    ).traits { $0.activationEpilogue = true }.lowered(scratch: { s in
      // One example's columns: every input position times every tap and filter.
      s.input.dropLast().reduce(1, *) * s.arguments.ints(.kernelSize).reduce(1, *) * s.arguments.int(.filters)
    }) { c in
      // 1-D as 2-D of height 1.
      let lift = { (values: [Int], one: Int) in spatialRank == 1 ? [one] + values : values }
      let k = lift(c.arguments.ints(.kernelSize), 1)
      let s = lift(c.arguments.ints(.strides), 1)
      let d = lift(c.arguments.ints(.dilationRate), 1)
      let input = lift(c.inputDims, 1)
      let output = lift(c.outputDims, 1)
      let filters = c.arguments.int(.filters)
      let channels = input[2]
      let outputPadding: [Int]? =
        c.arguments.isNone(.outputPadding) ? nil : lift(c.arguments.ints(.outputPadding), 0)
      let same = c.arguments.string(.padding).lowercased() == "same"
      func crop(_ axis: Int) -> Int {
        // A height of 1 (a 1-D layer) is neither padded nor cropped.
        spatialRank == 1 && axis == 0
          ? 0
          : WindowGeometry.transposedCrop(
            kernel: k[axis], stride: s[axis], dilation: d[axis], same: same, outputPadding: outputPadding?[axis])
      }
      // (kh·kw·filters, channels) → (channels, kh·kw·filters): the GEMM's B operand, row-major.
      let kernel = try c.values("kernel")
      let taps = k[0] * k[1] * filters
      var packed = [Float](repeating: 0, count: kernel.count)
      for tap in 0..<taps {
        for channel in 0..<channels { packed[channel * taps + tap] = kernel[tap * channels + channel] }
      }
      let window = SlidingWindow(
        inH: input[0], inW: input[1], channels: channels, outH: output[0], outW: output[1], kh: k[0], kw: k[1],
        sh: s[0], sw: s[1], dh: d[0], dw: d[1], padTop: crop(0), padLeft: crop(1))
      c.emit(
        .conv2DTranspose(
          x: c.input(), window: window, filters: filters, kernel: c.constant(packed),
          bias: try c.optionalWeight("bias"), y: c.output(), scratch: c.scratch))
      c.activate(c.output(), count: c.outputDims.reduce(1, *), width: filters)
    }
  }

  static let depthwiseConv2D = LayerDef(
    keras: "DepthwiseConv2D",
    arguments: [
      .intTuple("kernel_size", count: 2), .intTuple("strides", count: 2, default: 1),
      .choice("padding", ["valid", "same"], default: "valid"), .int("depth_multiplier", min: 1, default: 1),
      .dataFormat(), .intTuple("dilation_rate", count: 2, default: 1), .activation(), .bool("use_bias", default: true),
    ]
      + ArgumentSpec.trainingOnly(
        "depthwise_initializer", "bias_initializer", "depthwise_regularizer", "bias_regularizer",
        "activity_regularizer", "depthwise_constraint", "bias_constraint"),
    outputType: { layer in
      let x = try spatialInput(layer, "DepthwiseConv2D", 2)
      try checkStridesWithDilation(layer, "DepthwiseConv2D")
      let spatial = try windowed(x, layer, "DepthwiseConv2D", kernel: layer.ints(.kernelSize))
      return x.with(dims: spatial + [x.last * layer.int(.depthMultiplier)])
    },
    parameters: { layer in
      let multiplier = layer.int(.depthMultiplier)
      let kernel = layer.weight(
        "kernel", layer.ints(.kernelSize) + [layer.input.last, multiplier],
        initializer: layer.initializer("depthwise_initializer", default: "glorot_uniform"))
      return [kernel] + bias(layer, layer.input.last * multiplier)
    },
    macs: { layer, outputs in
      Checked.product(outputs.first?.elementCount ?? 0, Checked.product(layer.ints(.kernelSize)))
    }
  ).traits {
    $0.activationEpilogue = true
    // The kernel's last two axes, flattened, are the output channels.
    $0.perChannelLinearKernel = "kernel"
    $0.acceptsFoldedPadding = true
  }.lowered { c in
    c.emit(
      .depthwise(
        x: c.input(), window: SlidingWindow(c.shapes), multiplier: c.arguments.int(.depthMultiplier),
        kernel: try c.weight("kernel"), bias: try c.optionalWeight("bias"), y: c.output()))
    c.activate(c.output(), count: c.outputDims.reduce(1, *), width: c.outputDims.last ?? 1)
  }

  static let separableConv2D = LayerDef(
    keras: "SeparableConv2D",
    arguments: [
      .int("filters", min: 1), .intTuple("kernel_size", count: 2), .intTuple("strides", count: 2, default: 1),
      .choice("padding", ["valid", "same"], default: "valid"), .dataFormat(),
      .intTuple("dilation_rate", count: 2, default: 1), .int("depth_multiplier", min: 1, default: 1), .activation(),
      .bool("use_bias", default: true),
    ]
      + ArgumentSpec.trainingOnly(
        "depthwise_initializer", "pointwise_initializer", "bias_initializer", "depthwise_regularizer",
        "pointwise_regularizer", "bias_regularizer", "activity_regularizer", "depthwise_constraint",
        "pointwise_constraint", "bias_constraint"),
    outputType: { layer in
      let x = try spatialInput(layer, "SeparableConv2D", 2)
      try checkStridesWithDilation(layer, "SeparableConv2D")
      let spatial = try windowed(x, layer, "SeparableConv2D", kernel: layer.ints(.kernelSize))
      return x.with(dims: spatial + [layer.int(.filters)])
    },
    parameters: { layer in
      let expanded = layer.input.last * layer.int(.depthMultiplier)
      return [
        layer.weight(
          "depthwise_kernel", layer.ints(.kernelSize) + [layer.input.last, layer.int(.depthMultiplier)],
          initializer: layer.initializer("depthwise_initializer", default: "glorot_uniform")),
        layer.weight(
          "pointwise_kernel", [1, 1, expanded, layer.int(.filters)],
          initializer: layer.initializer("pointwise_initializer", default: "glorot_uniform")),
      ] + bias(layer, layer.int(.filters))
    },
    macs: { layer, outputs in
      let positions = (outputs.first?.elementCount ?? 0) / max(1, layer.int(.filters))
      let expanded = layer.input.last * layer.int(.depthMultiplier)
      return Checked.product(
        positions, expanded, Checked.sum(Checked.product(layer.ints(.kernelSize)), layer.int(.filters)))
    }
  ).traits {
    $0.activationEpilogue = true
    $0.perChannelLinearKernel = "pointwise_kernel"
    $0.acceptsFoldedPadding = true
  }.lowered(scratch: { s in
    s.maxBatch * s.output.dropLast().reduce(1, *) * (s.input.last ?? 1) * s.arguments.int(.depthMultiplier)
  }) { c in
    // Depthwise into scratch, then a 1×1 convolution as a GEMM over every position.
    let expanded = (c.inputDims.last ?? 1) * c.arguments.int(.depthMultiplier)
    c.emit(
      .depthwise(
        x: c.input(), window: SlidingWindow(c.shapes), multiplier: c.arguments.int(.depthMultiplier),
        kernel: try c.weight("depthwise_kernel"), bias: .none, y: c.scratch))
    c.emit(
      .dense(
        x: c.scratch, rows: .perExample(c.outputDims.dropLast().reduce(1, *)), inner: expanded,
        kernel: try c.matrix("pointwise_kernel", rows: expanded, columns: c.arguments.int(.filters)),
        units: c.arguments.int(.filters), bias: try c.optionalWeight("bias"),
        activation: c.activation, y: c.output()))
  }

  // MARK: - Shared pieces

  /// The input of a windowed layer: rank spatialRank + 2, channels last.
  static func spatialInput(_ layer: LayerApplication, _ keras: String, _ spatialRank: Int) throws -> TensorType {
    let meaning = spatialRank == 1 ? "(batch, steps, channels)" : "(batch, height, width, channels)"
    var notes: [String] = []
    if layer.input.rank == spatialRank + 1 {
      notes.append("add Reshape(\(describe(layer.input.dims + [1]))) before it to give the input a channel axis")
    }
    return try layer.input.requireRank(spatialRank + 2, for: keras, meaning, notes: notes)
  }

  static func checkStridesWithDilation(_ layer: LayerApplication, _ keras: String) throws {
    if layer.ints(.strides).contains(where: { $0 > 1 }) && layer.ints(.dilationRate).contains(where: { $0 > 1 }) {
      throw Diagnostic.shape(
        "\(keras) does not support strides > 1 together with dilation_rate > 1 (as in Keras)", argument: "strides")
    }
  }

  /// Spatial output lengths of a convolution window, or an error naming the axis that does not fit.
  static func windowed(_ x: TensorType, _ layer: LayerApplication, _ keras: String, kernel: [Int]) throws -> [Int] {
    let strides = layer.ints(.strides)
    let dilation = layer.ints(.dilationRate)
    let padding = layer.string(.padding)
    // Zeros a folded ZeroPadding left for the convolution to read past its input's edges.
    let explicit = layer.arguments[PassAttribute.explicitPadding.name]?.intsValue ?? [0, 0, 0, 0]
    let added =
      kernel.count == 1 ? [explicit[2] + explicit[3]] : [explicit[0] + explicit[1], explicit[2] + explicit[3]]
    var result: [Int] = []
    for axis in kernel.indices {
      guard
        let length = Window.convolved(
          x.dims[axis] + added[axis], kernel: kernel[axis], stride: strides[axis], dilation: dilation[axis],
          padding: padding)
      else {
        let spatial = Array(x.dims.prefix(kernel.count))
        let dilated =
          dilation.contains(where: { $0 > 1 })
          ? " (dilated to \(Window.describe(zip(kernel, dilation).map { $1 * ($0 - 1) + 1 })))" : ""
        throw Diagnostic.shape(
          "\(keras) kernel \(Window.describe(kernel))\(dilated) is larger than its input \(Window.describe(spatial)) "
            + "with padding=\"valid\"; input \(x)",
          notes: ["use padding=\"same\" or a smaller kernel_size"])
      }
      result.append(length)
    }
    return result
  }

  static func bias(_ layer: LayerApplication, _ count: Int) -> [ParameterSpec] {
    layer.bool(.useBias)
      ? [layer.weight("bias", [count], initializer: layer.initializer("bias_initializer", default: "zeros"))] : []
  }

  static func kernelAndBias(_ layer: LayerApplication, kernel shape: [Int]) -> [ParameterSpec] {
    [layer.weight("kernel", shape, initializer: layer.initializer("kernel_initializer", default: "glorot_uniform"))]
      + bias(layer, layer.int(.filters))
  }
}

extension SlidingWindow {
  /// A convolution's, pooling's or depthwise layer's window; 1-D layers are 2-D ones of height 1.
  /// `kernel` and `strides` default to the layer's `kernel_size` and `strides`.
  public init(_ s: LoweringShapes, kernel: [Int]? = nil, strides: [Int]? = nil) {
    let arguments = s.arguments
    let oneD = s.input.count == 2
    let k = kernel ?? arguments.ints(.kernelSize)
    let st = strides ?? arguments.ints(.strides)
    let d =
      arguments.arguments["dilation_rate"] == nil
      ? Array(repeating: 1, count: k.count) : arguments.ints(.dilationRate)
    (inH, inW, channels) = oneD ? (1, s.input[0], s.input[1]) : (s.input[0], s.input[1], s.input[2])
    (outH, outW) = oneD ? (1, s.output[0]) : (s.output[0], s.output[1])
    (kh, kw) = oneD ? (1, k[0]) : (k[0], k[1])
    (sh, sw) = oneD ? (1, st[0]) : (st[0], st[1])
    (dh, dw) = oneD ? (1, d[0]) : (d[0], d[1])
    let mode = arguments.string(.padding)
    padTop = WindowGeometry.paddingBefore(mode, input: inH, output: outH, kernel: kh, stride: sh, dilation: dh)
    padLeft = WindowGeometry.paddingBefore(mode, input: inW, output: outW, kernel: kw, stride: sw, dilation: dw)
    if let folded = WindowGeometry.foldedPadding(s.node.attributes) { (padTop, padLeft) = folded }
  }
}
