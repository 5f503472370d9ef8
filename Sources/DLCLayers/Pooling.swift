// Pooling: Max/AveragePooling1D/2D and their Global variants (channels-last).
import DLCIR
import DLCSupport

extension LayerDef {
  static let maxPooling1D = pooling("MaxPooling1D", spatialRank: 1)
  static let maxPooling2D = pooling("MaxPooling2D", spatialRank: 2)
  static let averagePooling1D = pooling("AveragePooling1D", spatialRank: 1)
  static let averagePooling2D = pooling("AveragePooling2D", spatialRank: 2)
  static let globalMaxPooling1D = globalPooling("GlobalMaxPooling1D", spatialRank: 1)
  static let globalMaxPooling2D = globalPooling("GlobalMaxPooling2D", spatialRank: 2)
  static let globalAveragePooling1D = globalPooling("GlobalAveragePooling1D", spatialRank: 1).masking(
    .consumes(passesOn: { _ in false }))
  static let globalAveragePooling2D = globalPooling("GlobalAveragePooling2D", spatialRank: 2)

  /// `(pool_size, strides=None, padding="valid")`; strides default to the pool size, as in Keras.
  static func pooling(_ keras: String, spatialRank: Int) -> LayerDef {
    LayerDef(
      keras: keras,
      arguments: [
        .intTuple("pool_size", count: spatialRank, default: 2),
        ArgumentSpec("strides", .intTuple(count: spatialRank, min: 1), default: AttributeValue.none),
        .choice("padding", ["valid", "same"], default: "valid"), .dataFormat(),
      ],
      outputType: { layer in
        let x = try spatialInput(layer, keras, spatialRank)
        let pool = layer.ints(.poolSize)
        let strides = layer.arguments["strides"]?.intsValue ?? pool
        var spatial: [Int] = []
        for axis in pool.indices {
          guard
            let length = Window.pooled(
              x.dims[axis], pool: pool[axis], stride: strides[axis], padding: layer.string(.padding))
          else {
            throw Diagnostic.shape(
              "\(keras) pool \(Window.describe(pool)) is larger than its input "
                + "\(Window.describe(Array(x.dims.prefix(spatialRank)))) with padding=\"valid\"; input \(x)",
              notes: ["use padding=\"same\" or a smaller pool_size"])
          }
          spatial.append(length)
        }
        return x.with(dims: spatial + [x.last])
      }
    ).lowered { c in
      let size = c.arguments.ints(.poolSize)
      let strides = c.arguments.isNone(.strides) ? size : c.arguments.ints(.strides)
      c.emit(
        .pool2D(
          x: c.input(), window: SlidingWindow(c.shapes, kernel: size, strides: strides), isMax: keras.hasPrefix("Max"),
          y: c.output()))
    }
  }

  static func globalPooling(_ keras: String, spatialRank: Int) -> LayerDef {
    LayerDef(
      keras: keras,
      arguments: [.dataFormat(), .bool("keepdims", default: false)],
      outputType: { layer in
        let x = try spatialInput(layer, keras, spatialRank)
        let kept = layer.bool(.keepdims) ? Array(repeating: 1, count: spatialRank) : []
        return x.with(dims: kept + [x.last])
      }
    ).lowered { c in
      c.emit(
        .globalPool(
          x: c.input(), positions: c.inputDims.dropLast().reduce(1, *), channels: c.inputDims.last ?? 1,
          isMax: keras.hasPrefix("GlobalMax"), mask: c.stepMask, y: c.output()))
    }
  }
}
