// Pooling, channels-last. Average pooling with "same" padding divides by the number of real
// (unpadded) values in each window, as Keras does.
import DLCData
import DLCLayers
import Foundation

enum PoolingKernels {
  static let table: [String: Kernel] = [
    "MaxPooling1D": pool(max: true), "MaxPooling2D": pool(max: true),
    "AveragePooling1D": pool(max: false), "AveragePooling2D": pool(max: false),
    "GlobalMaxPooling1D": global(max: true), "GlobalMaxPooling2D": global(max: true),
    "GlobalAveragePooling1D": global(max: false), "GlobalAveragePooling2D": global(max: false),
  ]

  static func pool(max isMax: Bool) -> Kernel {
    { call in
      let input = call.input.shape
      let output = call.outputShape()
      let oneD = input.count == 3
      let size = call.ints("pool_size")
      let strides = call.isNone("strides") ? size : call.ints("strides")
      var w = Window(
        inH: oneD ? 1 : input[1], inW: oneD ? input[1] : input[2], outH: oneD ? 1 : output[1],
        outW: oneD ? output[1] : output[2], kh: oneD ? 1 : size[0], kw: oneD ? size[0] : size[1],
        sh: oneD ? 1 : strides[0], sw: oneD ? strides[0] : strides[1])
      let mode = call.string("padding")
      w.padTop = WindowGeometry.paddingBefore(
        mode, input: w.inH, output: w.outH, kernel: w.kh, stride: w.sh, dilation: 1)
      w.padLeft = WindowGeometry.paddingBefore(
        mode, input: w.inW, output: w.outW, kernel: w.kw, stride: w.sw, dilation: 1)
      let channels = input.last ?? 1
      let x = call.input.floats
      var out = [Float](repeating: 0, count: output.reduce(1, *))
      for example in 0..<call.batch {
        let image = example * w.inH * w.inW * channels
        for oh in 0..<w.outH {
          for ow in 0..<w.outW {
            let target = ((example * w.outH + oh) * w.outW + ow) * channels
            let rows = Swift.max(0, oh * w.sh - w.padTop)..<Swift.min(w.inH, oh * w.sh - w.padTop + w.kh)
            let cols = Swift.max(0, ow * w.sw - w.padLeft)..<Swift.min(w.inW, ow * w.sw - w.padLeft + w.kw)
            let count = Float(rows.count * cols.count)
            for channel in 0..<channels {
              var accumulator: Float = isMax ? -.infinity : 0
              for ih in rows {
                for iw in cols {
                  let value = x[image + (ih * w.inW + iw) * channels + channel]
                  accumulator = isMax ? Math.maximum(accumulator, value) : accumulator + value
                }
              }
              out[target + channel] = isMax ? accumulator : accumulator / Swift.max(count, 1)
            }
          }
        }
      }
      return [Tensor(shape: output, floats: out)]
    }
  }

  /// Over every axis between batch and channels; `keepdims` only changes the static shape.
  static func global(max isMax: Bool) -> Kernel {
    { call in
      let input = call.input.shape
      let channels = input.last ?? 1
      let positions = input.dropFirst().dropLast().reduce(1, *)
      let x = call.input.floats
      let mask = call.stepMask
      var out = [Float](repeating: isMax ? -.infinity : 0, count: call.batch * channels)
      var kept = [Int](repeating: positions, count: call.batch)
      for example in 0..<call.batch {
        for position in 0..<positions {
          // A masked step is left out of the average, as Keras' GlobalAveragePooling1D does.
          if let mask, !mask[example * positions + position] {
            kept[example] -= 1
            continue
          }
          let source = (example * positions + position) * channels
          for channel in 0..<channels {
            let value = x[source + channel]
            out[example * channels + channel] =
              isMax
              ? Math.maximum(out[example * channels + channel], value)
              : out[example * channels + channel] + value
          }
        }
      }
      if !isMax {
        for index in out.indices {
          // With every step masked Keras divides 0 by 0; so does this.
          out[index] /= Float(mask == nil ? Swift.max(positions, 1) : kept[index / Swift.max(channels, 1)])
        }
      }
      return [Tensor(shape: call.outputShape(), floats: out)]
    }
  }
}
