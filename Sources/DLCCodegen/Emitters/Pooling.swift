// C for pooling: windowed max/average (1-D as height 1) and global pooling.

enum PoolingEmitters {
  static let table: [String: LayerEmitter] = [
    "MaxPooling1D": pool(max: true), "MaxPooling2D": pool(max: true),
    "AveragePooling1D": pool(max: false), "AveragePooling2D": pool(max: false),
    "GlobalMaxPooling1D": global(max: true), "GlobalMaxPooling2D": global(max: true),
    "GlobalAveragePooling1D": global(max: false), "GlobalAveragePooling2D": global(max: false),
  ]

  static func pool(max isMax: Bool) -> LayerEmitter {
    LayerEmitter { c in
      let size = c.arguments.ints("pool_size")
      let strides = c.arguments.isNone("strides") ? size : c.arguments.ints("strides")
      c.line("const dlc_window w = {\(ConvolutionEmitters.window(c.shapes, kernel: size, strides: strides))};")
      c.line("dlc_pool2d(\(c.input), batch, &w, \(isMax ? 1 : 0), \(c.output));")
    }
  }

  static func global(max isMax: Bool) -> LayerEmitter {
    LayerEmitter { c in
      let positions = c.inputDims.dropLast().reduce(1, *)
      c.line(
        "dlc_global_pool(\(c.input), batch, \(positions), \(c.inputDims.last ?? 1), \(isMax ? 1 : 0), \(c.maskArguments), \(c.output));"
      )
    }
  }
}
