// Numeric building blocks the kernels share: GEMM through OpenBLAS, activations, layout moves.
import CBLAS
import DLCData
import DLCLayers
import Foundation

enum Math {
  /// C = A·B (+ C when `accumulate`), row-major with leading dimensions; A is m×k (or k×m when
  /// `transposeA`), B is k×n (or n×k when `transposeB`).
  static func gemm(
    m: Int, n: Int, k: Int, _ a: UnsafePointer<Float>, lda: Int, transposeA: Bool = false, _ b: UnsafePointer<Float>,
    ldb: Int, transposeB: Bool = false, _ c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool = false
  ) {
    guard m > 0, n > 0 else { return }
    guard k > 0 else {
      if !accumulate { for row in 0..<m { (c + row * ldc).update(repeating: 0, count: n) } }
      return
    }
    cblas_sgemm(
      CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
      blasint(m), blasint(n), blasint(k), 1, a, blasint(lda), b, blasint(ldb), accumulate ? 1 : 0, c, blasint(ldc))
  }

  /// rows×inner · inner×columns, plus a bias per column.
  static func matmul(_ x: [Float], rows: Int, inner: Int, _ w: [Float], columns: Int, bias: [Float]?) -> [Float] {
    var out = [Float](repeating: 0, count: rows * columns)
    if let bias {
      for row in 0..<rows { for column in 0..<columns { out[row * columns + column] = bias[column] } }
    }
    x.withUnsafeBufferPointer { xp in
      w.withUnsafeBufferPointer { wp in
        out.withUnsafeMutableBufferPointer { op in
          gemm(
            m: rows, n: columns, k: inner, xp.baseAddress!, lda: inner, wp.baseAddress!, ldb: columns, op.baseAddress!,
            ldc: columns, accumulate: bias != nil)
        }
      }
    }
    return out
  }

  // MARK: Activations

  static func sigmoid(_ x: Float) -> Float {
    // Stable for large |x|: never exponentiates a large positive number.
    x >= 0 ? 1 / (1 + exp(-x)) : exp(x) / (1 + exp(x))
  }

  static func softplus(_ x: Float) -> Float { max(x, 0) + log1p(exp(-abs(x))) }

  /// Applies `activation` in place; softmax and log_softmax work along rows of `width` elements.
  static func apply(_ activation: Activation, _ values: inout [Float], width: Int) {
    switch activation {
    case .linear: return
    case .softmax: softmax(&values, width: width, log: false)
    case .logSoftmax: softmax(&values, width: width, log: true)
    default:
      let function = elementwise(activation)
      values.withUnsafeMutableBufferPointer { buffer in
        for index in buffer.indices { buffer[index] = function(buffer[index]) }
      }
    }
  }

  /// Keras' ReLU layer on one value, composed as Keras composes it so NaN and ±inf come out as there:
  /// a leaky ReLU when only the slope is set; otherwise v above the threshold (else 0), clipped to
  /// [0, maxValue], minus slope·relu(threshold − v).
  static func reluLayer(maxValue: Float, slope: Float, threshold: Float) -> (Float) -> Float {
    if slope != 0 && maxValue == .infinity && threshold == 0 { return { v in v >= 0 ? v : slope * v } }
    return { v in
      var y = threshold != 0 ? (v > threshold ? v : 0) : (v < 0 ? 0 : v)
      if maxValue != .infinity { y = clamp(y, 0, maxValue) }
      if slope != 0 {
        let below = threshold - v
        y -= slope * (below < 0 ? 0 : below)
      }
      return y
    }
  }

  /// The larger of two values; a NaN on either side comes out, as Keras' maximum and max pooling give it
  /// (Swift's `max` keeps one side's NaN and drops the other's).
  static func maximum(_ a: Float, _ b: Float) -> Float { a > b || a.isNaN ? a : b }

  /// The smaller of two values, NaN from either side coming out.
  static func minimum(_ a: Float, _ b: Float) -> Float { a < b || a.isNaN ? a : b }

  /// `v` within [low, high]; NaN stays NaN.
  static func clamp(_ v: Float, _ low: Float, _ high: Float) -> Float { v < low ? low : (v > high ? high : v) }

  /// Keras' ELU layer on one value: v, or alpha·(eᵛ − 1) below zero.
  static func eluLayer(alpha: Float) -> (Float) -> Float {
    { v in v > 0 ? v : alpha * expm1(v) }
  }

  static func elementwise(_ activation: Activation) -> (Float) -> Float {
    switch activation {
    case .linear, .softmax, .logSoftmax: return { $0 }
    case .relu: return { $0 < 0 ? 0 : $0 }
    case .relu6: return { clamp($0, 0, 6) }
    case .leakyRelu: return { $0 >= 0 ? $0 : 0.2 * $0 }
    case .elu: return { $0 > 0 ? $0 : expm1($0) }
    case .selu:
      return { x in
        let alpha: Float = 1.673_263_242_354_377_3
        let scale: Float = 1.050_700_987_355_480_5
        return x > 0 ? scale * x : scale * alpha * expm1(x)
      }
    case .gelu: return { x in 0.5 * x * (1 + erf(x / Float(2).squareRoot())) }
    case .sigmoid: return sigmoid
    case .hardSigmoid: return { clamp($0 + 3, 0, 6) / 6 }
    case .tanh: return { tanh($0) }
    case .softplus: return softplus
    case .softsign: return { $0 / (1 + abs($0)) }
    case .silu: return { $0 * sigmoid($0) }
    case .mish: return { $0 * tanh(softplus($0)) }
    case .exponential: return { exp($0) }
    }
  }

  /// Softmax along contiguous rows, subtracting each row's maximum first so exp never overflows.
  static func softmax(_ values: inout [Float], width: Int, log: Bool) {
    guard width > 0 else { return }
    values.withUnsafeMutableBufferPointer { buffer in
      var start = 0
      while start < buffer.count {
        var maximum = -Float.infinity
        for index in start..<start + width { maximum = max(maximum, buffer[index]) }
        var sum: Float = 0
        for index in start..<start + width { sum += exp(buffer[index] - maximum) }
        if log {
          let logSum = Foundation.log(sum)
          for index in start..<start + width { buffer[index] = buffer[index] - maximum - logSum }
        } else {
          for index in start..<start + width { buffer[index] = exp(buffer[index] - maximum) / sum }
        }
        start += width
      }
    }
  }

  /// Softmax along any axis of a row-major shape: moved to the last axis and back.
  static func softmax(_ values: [Float], shape: [Int], axis: Int, log: Bool = false) -> [Float] {
    if axis == shape.count - 1 {
      var copy = values
      softmax(&copy, width: shape[axis], log: log)
      return copy
    }
    var order = Array(shape.indices)
    order.remove(at: axis)
    order.append(axis)
    var moved = transpose(values, shape: shape, order: order)
    softmax(&moved, width: shape[axis], log: log)
    var inverse = [Int](repeating: 0, count: order.count)
    for (position, axis) in order.enumerated() { inverse[axis] = position }
    return transpose(moved, shape: order.map { shape[$0] }, order: inverse)
  }

  // MARK: Layout

  /// `np.transpose(values.reshape(shape), order)`, flattened.
  static func transpose(_ values: [Float], shape: [Int], order: [Int]) -> [Float] {
    let strides = strides(of: shape)
    let outShape = order.map { shape[$0] }
    let moved = order.map { strides[$0] }
    var out = [Float](repeating: 0, count: values.count)
    guard !values.isEmpty else { return out }
    var index = [Int](repeating: 0, count: outShape.count)
    var source = 0
    values.withUnsafeBufferPointer { input in
      for position in 0..<out.count {
        out[position] = input[source]
        // Odometer increment over the output's axes.
        var axis = outShape.count - 1
        while axis >= 0 {
          index[axis] += 1
          source += moved[axis]
          if index[axis] < outShape[axis] { break }
          source -= moved[axis] * outShape[axis]
          index[axis] = 0
          axis -= 1
        }
      }
    }
    return out
  }

  static func strides(of shape: [Int]) -> [Int] { Tensor.strides(of: shape) }

  /// Element-wise combination with NumPy broadcasting (shapes of equal rank, dims equal or 1).
  static func broadcast(
    _ a: [Float], _ aShape: [Int], _ b: [Float], _ bShape: [Int], into outShape: [Int],
    _ combine: (Float, Float) -> Float
  ) -> [Float] {
    if aShape == bShape { return zip(a, b).map(combine) }
    let aStrides = strides(of: aShape).enumerated().map { aShape[$0.offset] == 1 ? 0 : $0.element }
    let bStrides = strides(of: bShape).enumerated().map { bShape[$0.offset] == 1 ? 0 : $0.element }
    let count = outShape.reduce(1, *)
    var out = [Float](repeating: 0, count: count)
    var index = [Int](repeating: 0, count: outShape.count)
    var (ai, bi) = (0, 0)
    for position in 0..<count {
      out[position] = combine(a[ai], b[bi])
      var axis = outShape.count - 1
      while axis >= 0 {
        index[axis] += 1
        ai += aStrides[axis]
        bi += bStrides[axis]
        if index[axis] < outShape[axis] { break }
        ai -= aStrides[axis] * outShape[axis]
        bi -= bStrides[axis] * outShape[axis]
        index[axis] = 0
        axis -= 1
      }
    }
    return out
  }
}
