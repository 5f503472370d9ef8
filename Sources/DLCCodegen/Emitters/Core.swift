// C for the core layers: Dense, Activation, views, Permute, RepeatVector, Rescaling.

enum CoreEmitters {
  static let table: [String: LayerEmitter] = [
    "Dense": LayerEmitter { c in
      let inner = c.inputDims.last ?? 1
      let rows = c.inputDims.dropLast().reduce(1, *)
      let units = c.arguments.int("units")
      c.line(
        "dlc_dense(\(c.input), batch * \(rows), \(inner), \(try c.weight("kernel")), \(units), \(try c.optionalWeight("bias")), \(c.activation()), \(c.output));"
      )
    },
    "Activation": LayerEmitter { c in
      let count = c.inputDims.reduce(1, *)
      if c.output != c.input {  // otherwise the plan put the output over its input
        c.line("memcpy(\(c.output), \(c.input), sizeof(float) * (size_t)\(c.perBatch(count)));")
      }
      c.activate(c.output, count: count, width: c.inputDims.last ?? 1)
    },
    "Flatten": view, "Reshape": view, "Dropout": view, "SpatialDropout1D": view, "SpatialDropout2D": view,
    "GaussianNoise": view, "GaussianDropout": view,
    "Permute": LayerEmitter { c in
      let order = [0] + c.arguments.ints("dims")
      c.line("const int shape[] = {batch, \(cInts(c.inputDims))};")
      c.line("static const int order[] = {\(cInts(order))};")
      c.line("dlc_transpose(\(c.input), shape, order, \(order.count), \(c.output));")
    },
    "RepeatVector": LayerEmitter { c in
      c.line("dlc_repeat(\(c.input), batch, \(c.arguments.int("n")), \(c.inputDims.last ?? 1), \(c.output));")
    },
    "Masking": LayerEmitter { c in
      let features = c.inputDims.last ?? 1
      let rows = c.inputDims.dropLast().reduce(1, *)
      c.line(
        "dlc_masking(\(c.input), \(c.perBatch(rows)), \(features), \(cFloat(Float(c.arguments.double("mask_value")))), \(c.output));"
      )
    },
    "Rescaling": LayerEmitter { c in
      let scale = Float(c.arguments.double("scale"))
      let offset = Float(c.arguments.double("offset"))
      c.line(
        "dlc_affine(\(c.input), \(c.perBatch(c.inputDims.reduce(1, *))), \(cFloat(scale)), \(cFloat(offset)), \(c.output));"
      )
    },
  ]

  /// Layers that only reinterpret their input's memory (or are identities at inference).
  static let view = LayerEmitter { _ in }
}
