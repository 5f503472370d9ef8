// C for normalization. Batch normalization is folded at compile time into a scale and shift per
// channel; layer normalization runs over a contiguous block of axes.

enum NormalizationEmitters {
  static let table: [String: LayerEmitter] = [
    "BatchNormalization": LayerEmitter { c in
      let rank = c.inputDims.count + 1
      var axis = c.arguments.int("axis")
      if axis < 0 { axis += rank }
      let dims = [0] + c.inputDims
      let channels = dims[axis]
      let mean = try c.values("moving_mean")
      let variance = try c.values("moving_variance")
      let gamma = c.hasWeight("gamma") ? try c.values("gamma") : [Float](repeating: 1, count: channels)
      let beta = c.hasWeight("beta") ? try c.values("beta") : [Float](repeating: 0, count: channels)
      let epsilon = Float(c.arguments.double("epsilon"))
      let scale = (0..<channels).map { gamma[$0] / (variance[$0] + epsilon).squareRoot() }
      let shift = (0..<channels).map { beta[$0] - mean[$0] * scale[$0] }
      let outer = dims[1..<axis].reduce(1, *)
      let inner = dims[(axis + 1)...].reduce(1, *)
      c.line(
        "dlc_scale_shift(\(c.input), \(c.perBatch(outer)), \(channels), \(inner), \(c.constant(scale)), \(c.constant(shift)), \(c.elementwiseActivation), \(c.output));"
      )
      c.finishActivation(c.output, count: c.outputDims.reduce(1, *), width: c.outputDims.last ?? 1)
    },
    "LayerNormalization": LayerEmitter { c in
      let (outer, width, inner) = try contiguous(c, axes: c.arguments.ints("axis"), layer: "LayerNormalization")
      let rms = c.arguments.bool("rms_scaling")
      let epsilon = Float(c.arguments.double("epsilon"))
      c.line(
        "dlc_layer_norm(\(c.input), \(c.perBatch(outer)), \(width), \(inner), \(cFloat(epsilon)), \(try c.optionalWeight("gamma")), \(try c.optionalWeight("beta")), \(rms ? 1 : 0), \(c.output));"
      )
    },
  ]

  /// The input as (batch·outer, width, inner) around a contiguous block of axes (batch is axis 0).
  static func contiguous(_ c: EmitContext, axes: [Int], layer: String) throws -> (Int, Int, Int) {
    let rank = c.inputDims.count + 1
    let resolved = axes.map { $0 < 0 ? $0 + rank : $0 }.sorted()
    guard let first = resolved.first, let last = resolved.last, last - first + 1 == resolved.count, first >= 1 else {
      throw c.fail("the C backend runs \(layer) over adjacent axes only; got axes \(axes)")
    }
    let dims = [0] + c.inputDims
    return (dims[1..<first].reduce(1, *), dims[first...last].reduce(1, *), dims[(last + 1)...].reduce(1, *))
  }
}
