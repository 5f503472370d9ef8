// Spatial resizing: UpSampling, ZeroPadding and Cropping in 1-D and 2-D.
import DLCIR
import DLCSupport

extension LayerDef {
  static let upSampling1D = LayerDef(
    keras: "UpSampling1D",
    arguments: [.int("size", min: 1, default: 2)],
    inputDType: nil,
    outputType: { layer in
      let x = try layer.input.requireRank(3, for: "UpSampling1D", "(batch, steps, features)")
      return x.with(dims: [x.dims[0] * layer.int(.size), x.last])
    }
  ).lowered { c in
    c.emit(
      .upsample(
        x: c.input(), inH: 1, inW: c.inputDims[0], channels: c.inputDims[1], fh: 1, fw: c.arguments.int(.size),
        bilinear: false, y: c.output()))
  }

  static let upSampling2D = LayerDef(
    keras: "UpSampling2D",
    arguments: [
      .intTuple("size", count: 2, default: 2), .dataFormat(),
      .choice("interpolation", ["nearest", "bilinear"], default: "nearest"),
    ],
    inputDType: nil,
    outputType: { layer in
      let x = try spatialInput(layer, "UpSampling2D", 2)
      let size = layer.ints(.size)
      return x.with(dims: [x.dims[0] * size[0], x.dims[1] * size[1], x.last])
    }
  ).lowered { c in
    let size = c.arguments.ints(.size)
    c.emit(
      .upsample(
        x: c.input(), inH: c.inputDims[0], inW: c.inputDims[1], channels: c.inputDims[2], fh: size[0], fw: size[1],
        bilinear: c.arguments.string(.interpolation).lowercased() == "bilinear", y: c.output()))
  }

  static let zeroPadding1D = LayerDef(
    keras: "ZeroPadding1D",
    arguments: [ArgumentSpec("padding", .padding(dimensions: 1), default: .ints([1, 1])), .dataFormat()],
    inputDType: nil,
    outputType: { layer in
      let x = try spatialInput(layer, "ZeroPadding1D", 1)
      let padding = layer.ints(.padding)
      return x.with(dims: [x.dims[0] + padding[0] + padding[1], x.last])
    }
  ).traits { $0.foldsAsPadding = true }.lowered { c in placed(c, top: 0, left: c.arguments.ints(.padding)[0]) }

  static let zeroPadding2D = LayerDef(
    keras: "ZeroPadding2D",
    arguments: [ArgumentSpec("padding", .padding(dimensions: 2), default: .ints([1, 1, 1, 1])), .dataFormat()],
    inputDType: nil,
    outputType: { layer in
      let x = try spatialInput(layer, "ZeroPadding2D", 2)
      let padding = layer.ints(.padding)
      return x.with(dims: [x.dims[0] + padding[0] + padding[1], x.dims[1] + padding[2] + padding[3], x.last])
    }
  ).traits { $0.foldsAsPadding = true }.lowered { c in
    placed(c, top: c.arguments.ints(.padding)[0], left: c.arguments.ints(.padding)[2])
  }

  static let cropping1D = LayerDef(
    keras: "Cropping1D",
    arguments: [ArgumentSpec("cropping", .padding(dimensions: 1), default: .ints([1, 1]))],
    inputDType: nil,
    outputType: { layer in
      let x = try spatialInput(layer, "Cropping1D", 1)
      let cropping = layer.ints(.cropping)
      return x.with(dims: [try cropped(x.dims[0], cropping[0], cropping[1], x, "Cropping1D"), x.last])
    }
  ).lowered { c in placed(c, top: 0, left: -c.arguments.ints(.cropping)[0]) }

  static let cropping2D = LayerDef(
    keras: "Cropping2D",
    arguments: [ArgumentSpec("cropping", .padding(dimensions: 2), default: .ints([0, 0, 0, 0])), .dataFormat()],
    inputDType: nil,
    outputType: { layer in
      let x = try spatialInput(layer, "Cropping2D", 2)
      let c = layer.ints(.cropping)
      return x.with(dims: [
        try cropped(x.dims[0], c[0], c[1], x, "Cropping2D"), try cropped(x.dims[1], c[2], c[3], x, "Cropping2D"),
        x.last,
      ])
    }
  ).lowered { c in placed(c, top: -c.arguments.ints(.cropping)[0], left: -c.arguments.ints(.cropping)[2]) }

  /// Copies the input into the output at an offset (negative crops); 1-D layers are 2-D of height 1.
  static func placed(_ c: LoweringContext, top: Int, left: Int) {
    let input = c.inputDims.count == 2 ? [1] + c.inputDims : c.inputDims
    let output = c.outputDims.count == 2 ? [1] + c.outputDims : c.outputDims
    c.emit(
      .place(
        x: c.input(), inH: input[0], inW: input[1], channels: input[2], outH: output[0], outW: output[1], top: top,
        left: left, y: c.output()))
  }

  static func cropped(_ length: Int, _ before: Int, _ after: Int, _ x: TensorType, _ keras: String) throws -> Int {
    guard length - before - after >= 1 else {
      throw Diagnostic.shape(
        "\(keras) removes \(before + after) of \(length) positions from \(x), leaving nothing", argument: "cropping")
    }
    return length - before - after
  }
}
