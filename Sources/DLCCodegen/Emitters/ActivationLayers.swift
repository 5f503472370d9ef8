// C for activation layers with arguments: ReLU, LeakyReLU, ELU, PReLU (alpha expanded over shared
// axes at compile time) and Softmax over a block of adjacent axes.

enum ActivationLayerEmitters {
  static let table: [String: LayerEmitter] = [
    "ReLU": LayerEmitter { c in
      let maxValue = c.arguments.isNone("max_value") ? Float.infinity : Float(c.arguments.double("max_value"))
      c.line(
        "dlc_relu_layer(\(c.input), \(c.perBatch(c.inputDims.reduce(1, *))), \(cFloat(maxValue)), \(cFloat(Float(c.arguments.double("negative_slope")))), \(cFloat(Float(c.arguments.double("threshold")))), \(c.output));"
      )
    },
    "LeakyReLU": LayerEmitter { c in
      c.line(
        "dlc_relu_layer(\(c.input), \(c.perBatch(c.inputDims.reduce(1, *))), HUGE_VALF, \(cFloat(Float(c.arguments.double("negative_slope")))), 0.0f, \(c.output));"
      )
    },
    "ELU": LayerEmitter { c in
      c.line(
        "dlc_elu_layer(\(c.input), \(c.perBatch(c.inputDims.reduce(1, *))), \(cFloat(Float(c.arguments.double("alpha")))), \(c.output));"
      )
    },
    "PReLU": LayerEmitter { c in
      let dims = c.inputDims
      var alphaDims = dims
      if !c.arguments.isNone("shared_axes") { for axis in c.arguments.ints("shared_axes") { alphaDims[axis - 1] = 1 } }
      let alpha = try c.values("alpha")
      let strides = MergeEmitters.strides(alphaDims).dropFirst()
      let size = dims.reduce(1, *)
      var expanded = [Float](repeating: 0, count: size)
      for position in 0..<size {
        var remainder = position
        var source = 0
        for (axis, stride) in zip(dims.indices, strides) {
          let extent = dims[(axis + 1)...].reduce(1, *)
          source += (remainder / extent) * stride
          remainder %= extent
        }
        expanded[position] = alpha[source]
      }
      c.line("dlc_prelu(\(c.input), batch, \(size), \(c.constant(expanded)), \(c.output));")
    },
    "Softmax": LayerEmitter { c in
      let (outer, width, inner) = try NormalizationEmitters.contiguous(
        c, axes: c.arguments.ints("axis"), layer: "Softmax")
      c.line("dlc_softmax_axis(\(c.input), \(c.perBatch(outer)), \(width), \(inner), 0, \(c.output));")
    },
  ]
}
