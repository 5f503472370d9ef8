// Convolutions, channels-last: Conv1D/Conv2D (im2col + GEMM, with groups), Conv2DTranspose
// (GEMM + col2im), DepthwiseConv2D (direct), SeparableConv2D (depthwise, then a 1×1 GEMM).
import DLCData
import DLCLayers
import Foundation

/// Where a 2-D window sits: sizes, strides, dilation and the padding before the first row/column.
struct Window {
  var inH: Int, inW: Int, outH: Int, outW: Int
  var kh: Int, kw: Int, sh: Int = 1, sw: Int = 1, dh: Int = 1, dw: Int = 1
  var padTop = 0, padLeft = 0
}

enum ConvolutionKernels {
  static let table: [String: Kernel] = [
    "Conv1D": convolution, "Conv2D": convolution, "Conv2DTranspose": transposed, "DepthwiseConv2D": depthwiseLayer,
    "SeparableConv2D": separable,
  ]

  /// The call's window, with 1-D layers as 2-D ones of height 1.
  static func window(_ call: KernelCall, kernel: [Int]) -> Window {
    let input = call.input.shape
    let output = call.outputShape()
    let oneD = input.count == 3
    let (inH, inW) = oneD ? (1, input[1]) : (input[1], input[2])
    let (outH, outW) = oneD ? (1, output[1]) : (output[1], output[2])
    let strides = call.ints("strides")
    let dilation = call.ints("dilation_rate")
    let (sh, sw) = oneD ? (1, strides[0]) : (strides[0], strides[1])
    let (dh, dw) = oneD ? (1, dilation[0]) : (dilation[0], dilation[1])
    let (kh, kw) = oneD ? (1, kernel[0]) : (kernel[0], kernel[1])
    let mode = call.string("padding")
    var window = Window(
      inH: inH, inW: inW, outH: outH, outW: outW, kh: kh, kw: kw, sh: sh, sw: sw, dh: dh, dw: dw,
      padTop: WindowGeometry.paddingBefore(mode, input: inH, output: outH, kernel: kh, stride: sh, dilation: dh),
      padLeft: WindowGeometry.paddingBefore(mode, input: inW, output: outW, kernel: kw, stride: sw, dilation: dw))
    if let folded = WindowGeometry.foldedPadding(call.node.attributes) { (window.padTop, window.padLeft) = folded }
    return window
  }

  static func convolution(_ call: KernelCall) throws -> [Tensor] {
    let kernelSize = call.ints("kernel_size")
    let w = window(call, kernel: kernelSize)
    let channels = call.input.shape.last ?? 1
    let filters = call.int("filters")
    let groups = max(1, call.int("groups"))
    var out = conv2d(
      call.input.floats, batch: call.batch, window: w, channels: channels, kernel: try call.weight("kernel"),
      filters: filters, groups: groups, bias: try call.optionalWeight("bias"))
    Math.apply(call.activation, &out, width: filters)
    return [Tensor(shape: call.outputShape(), floats: out)]
  }

  /// im2col + GEMM per example and group. Kernel layout (kh, kw, channels/groups, filters).
  static func conv2d(
    _ x: [Float], batch: Int, window w: Window, channels: Int, kernel: [Float], filters: Int, groups: Int,
    bias: [Float]?
  ) -> [Float] {
    let groupChannels = channels / groups
    let groupFilters = filters / groups
    let positions = w.outH * w.outW
    let patch = w.kh * w.kw * groupChannels
    var out = [Float](repeating: 0, count: batch * positions * filters)
    var columns = [Float](repeating: 0, count: positions * patch)
    x.withUnsafeBufferPointer { xp in
      kernel.withUnsafeBufferPointer { kp in
        out.withUnsafeMutableBufferPointer { op in
          columns.withUnsafeMutableBufferPointer { cp in
            for example in 0..<batch {
              let image = xp.baseAddress! + example * w.inH * w.inW * channels
              for group in 0..<groups {
                im2col(
                  image, w, channels: channels, first: group * groupChannels, count: groupChannels,
                  into: cp.baseAddress!)
                Math.gemm(
                  m: positions, n: groupFilters, k: patch, cp.baseAddress!, lda: patch,
                  kp.baseAddress! + group * groupFilters,
                  ldb: filters, op.baseAddress! + example * positions * filters + group * groupFilters, ldc: filters)
              }
            }
          }
          if let bias {
            for position in 0..<batch * positions {
              for filter in 0..<filters { op[position * filters + filter] += bias[filter] }
            }
          }
        }
      }
    }
    return out
  }

  /// One row per output position: the window's values for channels first..<first+count, zero where padded.
  static func im2col(
    _ image: UnsafePointer<Float>, _ w: Window, channels: Int, first: Int, count: Int,
    into columns: UnsafeMutablePointer<Float>
  ) {
    var row = columns
    for oh in 0..<w.outH {
      for ow in 0..<w.outW {
        var cell = row
        for i in 0..<w.kh {
          let ih = oh * w.sh + i * w.dh - w.padTop
          for j in 0..<w.kw {
            let iw = ow * w.sw + j * w.dw - w.padLeft
            if ih >= 0 && ih < w.inH && iw >= 0 && iw < w.inW {
              cell.update(from: image + ((ih * w.inW + iw) * channels + first), count: count)
            } else {
              cell.update(repeating: 0, count: count)
            }
            cell += count
          }
        }
        row += w.kh * w.kw * count
      }
    }
  }

  /// The gradient of a convolution: every input pixel scatters kernel·x into the output. Kernel
  /// layout (kh, kw, filters, channels). Keras crops the full result by `kernel − 1 − left_pad`.
  static func transposed(_ call: KernelCall) throws -> [Tensor] {
    let input = call.input.shape
    let output = call.outputShape()
    let (inH, inW, channels) = (input[1], input[2], input[3])
    let (outH, outW, filters) = (output[1], output[2], output[3])
    let k = call.ints("kernel_size")
    let s = call.ints("strides")
    let d = call.ints("dilation_rate")
    let outputPadding: [Int]? = call.isNone("output_padding") ? nil : call.ints("output_padding")
    let same = call.string("padding") == "same"
    func crop(_ axis: Int) -> Int {
      WindowGeometry.transposedCrop(
        kernel: k[axis], stride: s[axis], dilation: d[axis], same: same, outputPadding: outputPadding?[axis])
    }
    let (cropTop, cropLeft) = (crop(0), crop(1))
    let kernel = try call.weight("kernel")
    let x = call.input.floats
    let taps = k[0] * k[1] * filters
    // contributions[pixel, (i, j, filter)] = x[pixel, :] · kernel[(i, j, filter), :]ᵀ
    var contributions = [Float](repeating: 0, count: inH * inW * taps)
    var out = [Float](repeating: 0, count: call.batch * outH * outW * filters)
    for example in 0..<call.batch {
      x.withUnsafeBufferPointer { xp in
        kernel.withUnsafeBufferPointer { kp in
          contributions.withUnsafeMutableBufferPointer { cp in
            Math.gemm(
              m: inH * inW, n: taps, k: channels, xp.baseAddress! + example * inH * inW * channels, lda: channels,
              kp.baseAddress!, ldb: channels, transposeB: true, cp.baseAddress!, ldc: taps)
          }
        }
      }
      let base = example * outH * outW * filters
      for ih in 0..<inH {
        for iw in 0..<inW {
          let pixel = (ih * inW + iw) * taps
          for i in 0..<k[0] {
            let oh = ih * s[0] + i * d[0] - cropTop
            guard oh >= 0 && oh < outH else { continue }
            for j in 0..<k[1] {
              let ow = iw * s[1] + j * d[1] - cropLeft
              guard ow >= 0 && ow < outW else { continue }
              let source = pixel + (i * k[1] + j) * filters
              let target = base + (oh * outW + ow) * filters
              for filter in 0..<filters { out[target + filter] += contributions[source + filter] }
            }
          }
        }
      }
    }
    if let bias = try call.optionalWeight("bias") {
      for index in out.indices { out[index] += bias[index % filters] }
    }
    Math.apply(call.activation, &out, width: filters)
    return [Tensor(shape: output, floats: out)]
  }

  /// Each channel convolved with its own `multiplier` filters; output channel c·multiplier + m.
  static func depthwise(_ x: [Float], batch: Int, window w: Window, channels: Int, multiplier: Int, kernel: [Float])
    -> [Float]
  {
    let outChannels = channels * multiplier
    var out = [Float](repeating: 0, count: batch * w.outH * w.outW * outChannels)
    x.withUnsafeBufferPointer { xp in
      kernel.withUnsafeBufferPointer { kp in
        out.withUnsafeMutableBufferPointer { op in
          for example in 0..<batch {
            let image = xp.baseAddress! + example * w.inH * w.inW * channels
            for oh in 0..<w.outH {
              for ow in 0..<w.outW {
                let target = op.baseAddress! + ((example * w.outH + oh) * w.outW + ow) * outChannels
                for i in 0..<w.kh {
                  let ih = oh * w.sh + i * w.dh - w.padTop
                  guard ih >= 0 && ih < w.inH else { continue }
                  for j in 0..<w.kw {
                    let iw = ow * w.sw + j * w.dw - w.padLeft
                    guard iw >= 0 && iw < w.inW else { continue }
                    let pixel = image + (ih * w.inW + iw) * channels
                    let taps = kp.baseAddress! + (i * w.kw + j) * outChannels
                    for channel in 0..<channels {
                      let value = pixel[channel]
                      for m in 0..<multiplier {
                        target[channel * multiplier + m] += value * taps[channel * multiplier + m]
                      }
                    }
                  }
                }
              }
            }
          }
        }
      }
    }
    return out
  }

  static func depthwiseLayer(_ call: KernelCall) throws -> [Tensor] {
    let w = window(call, kernel: call.ints("kernel_size"))
    let channels = call.input.shape.last ?? 1
    let multiplier = call.int("depth_multiplier")
    var out = depthwise(
      call.input.floats, batch: call.batch, window: w, channels: channels, multiplier: multiplier,
      kernel: try call.weight("kernel"))
    if let bias = try call.optionalWeight("bias") {
      for index in out.indices { out[index] += bias[index % bias.count] }
    }
    Math.apply(call.activation, &out, width: channels * multiplier)
    return [Tensor(shape: call.outputShape(), floats: out)]
  }

  static func separable(_ call: KernelCall) throws -> [Tensor] {
    let w = window(call, kernel: call.ints("kernel_size"))
    let channels = call.input.shape.last ?? 1
    let multiplier = call.int("depth_multiplier")
    let filters = call.int("filters")
    let spread = depthwise(
      call.input.floats, batch: call.batch, window: w, channels: channels, multiplier: multiplier,
      kernel: try call.weight("depthwise_kernel"))
    var out = Math.matmul(
      spread, rows: call.batch * w.outH * w.outW, inner: channels * multiplier, try call.weight("pointwise_kernel"),
      columns: filters, bias: try call.optionalWeight("bias"))
    Math.apply(call.activation, &out, width: filters)
    return [Tensor(shape: call.outputShape(), floats: out)]
  }
}
