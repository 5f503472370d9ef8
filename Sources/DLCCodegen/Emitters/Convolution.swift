// C for convolutions: im2col + GEMM (groups too), transposed convolution with a kernel packed as
// (channels, kh·kw·filters), depthwise, and separable (depthwise into scratch, then a 1×1 GEMM).
import DLCLayers

enum ConvolutionEmitters {
  static let table: [String: LayerEmitter] = [
    "Conv1D": conv2D, "Conv2D": conv2D,
    "Conv2DTranspose": LayerEmitter(scratch: { s in
      let k = s.arguments.ints("kernel_size")
      return s.input[0] * s.input[1] * k[0] * k[1] * s.arguments.int("filters")
    }) { c in
      let k = c.arguments.ints("kernel_size")
      let s = c.arguments.ints("strides")
      let d = c.arguments.ints("dilation_rate")
      let filters = c.arguments.int("filters")
      let channels = c.inputDims[2]
      let outputPadding: [Int]? = c.arguments.isNone("output_padding") ? nil : c.arguments.ints("output_padding")
      let same = c.arguments.string("padding").lowercased() == "same"
      func crop(_ axis: Int) -> Int {
        WindowGeometry.transposedCrop(
          kernel: k[axis], stride: s[axis], dilation: d[axis], same: same, outputPadding: outputPadding?[axis])
      }
      // (kh·kw·filters, channels) → (channels, kh·kw·filters): the GEMM's B operand, row-major.
      let kernel = try c.values("kernel")
      let taps = k[0] * k[1] * filters
      var packed = [Float](repeating: 0, count: kernel.count)
      for tap in 0..<taps {
        for channel in 0..<channels { packed[channel * taps + tap] = kernel[tap * channels + channel] }
      }
      let (inH, inW) = (c.inputDims[0], c.inputDims[1])
      let (outH, outW) = (c.outputDims[0], c.outputDims[1])
      c.line(
        "dlc_conv2d_transpose(\(c.input), batch, \(inH), \(inW), \(channels), \(outH), \(outW), \(k[0]), \(k[1]), \(s[0]), \(s[1]), \(d[0]), \(d[1]), \(crop(0)), \(crop(1)), \(filters), \(c.constant(packed)), \(try c.optionalWeight("bias")), \(c.output), \(c.scratch));"
      )
      c.activate(c.output, count: c.outputDims.reduce(1, *), width: filters)
    },
    "DepthwiseConv2D": LayerEmitter { c in
      c.line("const dlc_window w = {\(window(c.shapes))};")
      c.line(
        "dlc_depthwise(\(c.input), batch, &w, \(c.arguments.int("depth_multiplier")), \(try c.weight("kernel")), \(try c.optionalWeight("bias")), \(c.output));"
      )
      c.activate(c.output, count: c.outputDims.reduce(1, *), width: c.outputDims.last ?? 1)
    },
    "SeparableConv2D": LayerEmitter(scratch: { s in
      s.maxBatch * s.output.dropLast().reduce(1, *) * s.input.last! * s.arguments.int("depth_multiplier")
    }) { c in
      let expanded = (c.inputDims.last ?? 1) * c.arguments.int("depth_multiplier")
      let filters = c.arguments.int("filters")
      let positions = c.outputDims.dropLast().reduce(1, *)
      c.line("const dlc_window w = {\(window(c.shapes))};")
      c.line(
        "dlc_depthwise(\(c.input), batch, &w, \(c.arguments.int("depth_multiplier")), \(try c.weight("depthwise_kernel")), NULL, \(c.scratch));"
      )
      c.line(
        "dlc_dense(\(c.scratch), batch * \(positions), \(expanded), \(try c.weight("pointwise_kernel")), \(filters), \(try c.optionalWeight("bias")), \(c.activation()), \(c.output));"
      )
    },
  ]

  static let conv2D = LayerEmitter(scratch: convolutionScratch) { c in
    let filters = c.arguments.int("filters")
    c.line("const dlc_window w = {\(window(c.shapes))};")
    c.line(
      "dlc_conv2d(\(c.input), batch, &w, \(c.arguments.int("groups")), \(filters), \(try c.weight("kernel")), \(try c.optionalWeight("bias")), \(c.activation()), \(convolutionTile(c.shapes)), \(c.output), \(c.scratch));"
    )
  }

  /// Output positions per im2col tile: as many as keep the tile's columns within the larger of
  /// one example's input and output (at least 64, for a GEMM worth calling), so the scratch is
  /// never the arena's largest tenant.
  static func convolutionTile(_ s: NodeShapes) -> Int {
    let w = Window(s)
    let patch = w.kh * w.kw * (w.channels / max(1, s.arguments.int("groups")))
    let positions = w.outH * w.outW
    let budget = max(s.input.reduce(1, *), s.output.reduce(1, *))
    return max(1, min(positions, max(budget / max(patch, 1), 64)))
  }

  /// One example's im2col matrix for one group and tile (none for a plain 1×1 convolution).
  static func convolutionScratch(_ s: NodeShapes) -> Int {
    let w = Window(s)
    let groups = max(1, s.arguments.int("groups"))
    if w.kh == 1 && w.kw == 1 && w.sh == 1 && w.sw == 1 && w.padTop == 0 && w.padLeft == 0 && groups == 1 { return 0 }
    return convolutionTile(s) * w.kh * w.kw * (w.channels / groups)
  }

  /// The dlc_window initializer for a convolution, pooling or depthwise layer.
  static func window(_ s: NodeShapes, kernel: [Int]? = nil, strides: [Int]? = nil) -> String {
    let w = Window(s, kernel: kernel, strides: strides)
    return cInts([w.inH, w.inW, w.channels, w.outH, w.outW, w.kh, w.kw, w.sh, w.sw, w.dh, w.dw, w.padTop, w.padLeft])
  }
}

/// A layer's 2-D window; 1-D layers are 2-D ones of height 1.
struct Window {
  var inH, inW, channels, outH, outW, kh, kw, sh, sw, dh, dw, padTop, padLeft: Int

  init(_ s: NodeShapes, kernel: [Int]? = nil, strides: [Int]? = nil) {
    let arguments = s.arguments
    let oneD = s.input.count == 2
    let k = kernel ?? arguments.ints("kernel_size")
    let st = strides ?? arguments.ints("strides")
    let d =
      arguments.arguments["dilation_rate"] == nil
      ? Array(repeating: 1, count: k.count) : arguments.ints("dilation_rate")
    (inH, inW, channels) = oneD ? (1, s.input[0], s.input[1]) : (s.input[0], s.input[1], s.input[2])
    (outH, outW) = oneD ? (1, s.output[0]) : (s.output[0], s.output[1])
    (kh, kw) = oneD ? (1, k[0]) : (k[0], k[1])
    (sh, sw) = oneD ? (1, st[0]) : (st[0], st[1])
    (dh, dw) = oneD ? (1, d[0]) : (d[0], d[1])
    let mode = arguments.string("padding")
    padTop = WindowGeometry.paddingBefore(mode, input: inH, output: outH, kernel: kh, stride: sh, dilation: dh)
    padLeft = WindowGeometry.paddingBefore(mode, input: inW, output: outW, kernel: kw, stride: sw, dilation: dw)
    if let folded = WindowGeometry.foldedPadding(s.node.attributes) { (padTop, padLeft) = folded }
  }
}
