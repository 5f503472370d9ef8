// Up-sampling, zero padding and cropping, channels-last; 1-D layers are 2-D ones of height 1.
import DLCData
import Foundation

enum ResizingKernels {
  static let table: [String: Kernel] = [
    "UpSampling1D": { call in
      try [upsample(call, factors: (1, call.int("size")), bilinear: false)]
    },
    "UpSampling2D": { call in
      let size = call.ints("size")
      return try [upsample(call, factors: (size[0], size[1]), bilinear: call.string("interpolation") == "bilinear")]
    },
    "ZeroPadding1D": { call in
      let p = call.ints("padding")
      return [place(call, offset: (0, p[0]))]
    },
    "ZeroPadding2D": { call in
      let p = call.ints("padding")
      return [place(call, offset: (p[0], p[2]))]
    },
    "Cropping1D": { call in
      let c = call.ints("cropping")
      return [place(call, offset: (0, -c[0]))]
    },
    "Cropping2D": { call in
      let c = call.ints("cropping")
      return [place(call, offset: (-c[0], -c[2]))]
    },
  ]

  /// (height, width, channels) of a channels-last shape with batch, 1-D shapes as height 1.
  static func planes(_ shape: [Int]) -> (h: Int, w: Int, c: Int) {
    shape.count == 3 ? (1, shape[1], shape[2]) : (shape[1], shape[2], shape[3])
  }

  /// Copies the input into a zero output with its top-left corner at `offset` (negative crops).
  static func place(_ call: KernelCall, offset: (Int, Int)) -> Tensor {
    let (inH, inW, channels) = planes(call.input.shape)
    let output = call.outputShape()
    let (outH, outW, _) = planes(output)
    let x = call.input.floats
    var out = [Float](repeating: 0, count: output.reduce(1, *))
    for example in 0..<call.batch {
      for ih in 0..<inH {
        let oh = ih + offset.0
        guard oh >= 0 && oh < outH else { continue }
        for iw in 0..<inW {
          let ow = iw + offset.1
          guard ow >= 0 && ow < outW else { continue }
          let source = ((example * inH + ih) * inW + iw) * channels
          let target = ((example * outH + oh) * outW + ow) * channels
          for channel in 0..<channels { out[target + channel] = x[source + channel] }
        }
      }
    }
    return Tensor(shape: output, floats: out)
  }

  /// Nearest repeats each pixel; bilinear samples at half-pixel centers, as `jax.image.resize`.
  static func upsample(_ call: KernelCall, factors: (Int, Int), bilinear: Bool) throws -> Tensor {
    let (inH, inW, channels) = planes(call.input.shape)
    let output = call.outputShape()
    let (outH, outW, _) = planes(output)
    let x = call.input.floats
    var out = [Float](repeating: 0, count: output.reduce(1, *))
    // Source coordinate and blend for one output index along an axis.
    func taps(_ index: Int, _ factor: Int, _ size: Int) -> (Int, Int, Float) {
      guard bilinear else { return (index / factor, index / factor, 0) }
      let center = (Float(index) + 0.5) / Float(factor) - 0.5
      let low = Int(floor(center))
      let fraction = center - Float(low)
      return (min(max(low, 0), size - 1), min(max(low + 1, 0), size - 1), fraction)
    }
    for example in 0..<call.batch {
      for oh in 0..<outH {
        let (h0, h1, fh) = taps(oh, factors.0, inH)
        for ow in 0..<outW {
          let (w0, w1, fw) = taps(ow, factors.1, inW)
          let target = ((example * outH + oh) * outW + ow) * channels
          guard bilinear else {
            // A copy, not a blend with weight 0, so an infinity stays one.
            let source = ((example * inH + h0) * inW + w0) * channels
            for channel in 0..<channels { out[target + channel] = x[source + channel] }
            continue
          }
          for channel in 0..<channels {
            func at(_ h: Int, _ w: Int) -> Float { x[((example * inH + h) * inW + w) * channels + channel] }
            let top = at(h0, w0) * (1 - fw) + at(h0, w1) * fw
            let bottom = at(h1, w0) * (1 - fw) + at(h1, w1) * fw
            out[target + channel] = top * (1 - fh) + bottom * fh
          }
        }
      }
    }
    return Tensor(shape: output, floats: out)
  }
}
