// C for up-sampling, zero padding and cropping (1-D layers as height 1).

enum ResizingEmitters {
  static let table: [String: LayerEmitter] = [
    "UpSampling1D": LayerEmitter { c in
      c.line(
        "dlc_upsample(\(c.input), batch, 1, \(c.inputDims[0]), \(c.inputDims[1]), 1, \(c.arguments.int("size")), 0, \(c.output));"
      )
    },
    "UpSampling2D": LayerEmitter { c in
      let size = c.arguments.ints("size")
      let bilinear = c.arguments.string("interpolation").lowercased() == "bilinear" ? 1 : 0
      c.line(
        "dlc_upsample(\(c.input), batch, \(cInts(c.inputDims)), \(size[0]), \(size[1]), \(bilinear), \(c.output));")
    },
    "ZeroPadding1D": place { c in (0, c.arguments.ints("padding")[0]) },
    "ZeroPadding2D": place { c in (c.arguments.ints("padding")[0], c.arguments.ints("padding")[2]) },
    "Cropping1D": place { c in (0, -c.arguments.ints("cropping")[0]) },
    "Cropping2D": place { c in (-c.arguments.ints("cropping")[0], -c.arguments.ints("cropping")[2]) },
  ]

  /// Copies the input into the output at an offset (negative crops).
  static func place(_ offset: @escaping (EmitContext) -> (Int, Int)) -> LayerEmitter {
    LayerEmitter { c in
      let (top, left) = offset(c)
      let input = c.inputDims.count == 2 ? [1] + c.inputDims : c.inputDims
      let output = c.outputDims.count == 2 ? [1] + c.outputDims : c.outputDims
      c.line("dlc_place(\(c.input), batch, \(cInts(input)), \(output[0]), \(output[1]), \(top), \(left), \(c.output));")
    }
  }
}
