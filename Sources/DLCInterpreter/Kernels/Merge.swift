// Merge layers: element-wise with broadcasting, Concatenate, Dot.
import DLCData
import Foundation

enum MergeKernels {
  static let table: [String: Kernel] = [
    "Add": elementwise(+), "Subtract": elementwise(-), "Multiply": elementwise(*),
    "Maximum": elementwise(Math.maximum), "Minimum": elementwise(Math.minimum),
    "Average": elementwise(+, average: true),
    "Concatenate": concatenate,
    "Dot": dot,
  ]

  /// The inputs combined pairwise from the left, then (Average) divided by their number, then the
  /// activation the fuse-activations pass may have given the layer.
  static func elementwise(_ combine: @escaping (Float, Float) -> Float, average: Bool = false) -> Kernel {
    { call in
      let shape = call.outputShape()
      var result = call.inputs[0].floats
      var resultShape = call.inputs[0].shape
      for other in call.inputs.dropFirst() {
        result = Math.broadcast(result, resultShape, other.floats, other.shape, into: shape, combine)
        resultShape = shape
      }
      if resultShape != shape {
        result = Math.broadcast(result, resultShape, [0], shape.map { _ in 1 }, into: shape) { a, _ in a }
      }
      if average {
        let count = Float(call.inputs.count)
        result = result.map { $0 / count }
      }
      Math.apply(call.activation, &result, width: shape.last ?? 1)
      return [Tensor(shape: shape, floats: result)]
    }
  }

  static func concatenate(_ call: KernelCall) throws -> [Tensor] {
    let shape = call.outputShape()
    let axis = call.axis(call.int("axis"), rank: shape.count)
    let outer = shape[..<axis].reduce(1, *)
    var out = [Float]()
    out.reserveCapacity(shape.reduce(1, *))
    let pieces = call.inputs.map { ($0.floats, $0.shape[axis...].reduce(1, *)) }
    for block in 0..<outer {
      for (values, width) in pieces { out += values[(block * width)..<((block + 1) * width)] }
    }
    return [Tensor(shape: shape, floats: out)]
  }

  /// Keras' batched dot: contract one axis of each input, per example; `normalize` L2-normalizes
  /// along the contracted axes first.
  static func dot(_ call: KernelCall) throws -> [Tensor] {
    var (x, y) = (call.inputs[0], call.inputs[1])
    let axes = call.ints("axes")
    let xAxis = call.axis(axes[0], rank: x.shape.count)
    let yAxis = call.axis(axes.count == 2 ? axes[1] : axes[0], rank: y.shape.count)
    if call.bool("normalize") {
      x = normalized(x, axis: xAxis)
      y = normalized(y, axis: yAxis)
    }
    // Move the contracted axis last in x and first (after batch) in y, then a GEMM per example.
    let xOrder = (0..<x.shape.count).filter { $0 != xAxis } + [xAxis]
    let yOrder = [0, yAxis] + (1..<y.shape.count).filter { $0 != yAxis }
    let xs = Math.transpose(x.floats, shape: x.shape, order: xOrder)
    let ys = Math.transpose(y.floats, shape: y.shape, order: yOrder)
    let inner = x.shape[xAxis]
    let rows = x.count / max(1, call.batch * inner)
    let columns = y.count / max(1, call.batch * inner)
    var out = [Float](repeating: 0, count: call.batch * rows * columns)
    xs.withUnsafeBufferPointer { xp in
      ys.withUnsafeBufferPointer { yp in
        out.withUnsafeMutableBufferPointer { op in
          for example in 0..<call.batch {
            Math.gemm(
              m: rows, n: columns, k: inner, xp.baseAddress! + example * rows * inner, lda: inner,
              yp.baseAddress! + example * inner * columns, ldb: columns, op.baseAddress! + example * rows * columns,
              ldc: columns)
          }
        }
      }
    }
    return [Tensor(shape: call.outputShape(), floats: out)]
  }

  /// x / max(‖x‖₂, 1e-12) along `axis`, as Keras' `normalize`.
  static func normalized(_ tensor: Tensor, axis: Int) -> Tensor {
    let order = (0..<tensor.shape.count).filter { $0 != axis } + [axis]
    var moved = Math.transpose(tensor.floats, shape: tensor.shape, order: order)
    let width = tensor.shape[axis]
    var start = 0
    while start < moved.count {
      var sum: Float = 0
      for index in start..<start + width { sum += moved[index] * moved[index] }
      let scale = 1 / max(sum.squareRoot(), 1e-12)
      for index in start..<start + width { moved[index] *= scale }
      start += width
    }
    var inverse = [Int](repeating: 0, count: order.count)
    for (position, axis) in order.enumerated() { inverse[axis] = position }
    return Tensor(
      shape: tensor.shape, floats: Math.transpose(moved, shape: order.map { tensor.shape[$0] }, order: inverse))
  }
}
