// Activation layers with their own arguments: ReLU, LeakyReLU, PReLU, ELU, Softmax.
import DLCData
import Foundation

enum ActivationLayerKernels {
  static let table: [String: Kernel] = [
    "ReLU": { call in
      let maxValue = call.isNone("max_value") ? Float.infinity : call.float("max_value")
      return [
        map(
          call,
          Math.reluLayer(maxValue: maxValue, slope: call.float("negative_slope"), threshold: call.float("threshold")))
      ]
    },
    "LeakyReLU": { call in
      [map(call, Math.reluLayer(maxValue: .infinity, slope: call.float("negative_slope"), threshold: 0))]
    },
    "ELU": { call in [map(call, Math.eluLayer(alpha: call.float("alpha")))] },
    "PReLU": { call in
      // alpha has the example's shape with shared axes collapsed to 1; broadcast it.
      let x = call.input.floats
      let alpha = try call.weight("alpha")
      let exampleShape = Array(call.input.shape.dropFirst())
      var alphaShape = exampleShape
      if !call.isNone("shared_axes") { for axis in call.ints("shared_axes") { alphaShape[axis - 1] = 1 } }
      let alphaFull = Math.broadcast(
        [Float](repeating: 0, count: exampleShape.reduce(1, *)), exampleShape, alpha, alphaShape, into: exampleShape,
        { $1 })
      var out = x
      let width = alphaFull.count
      for index in out.indices where out[index] < 0 { out[index] *= alphaFull[index % width] }
      return [Tensor(shape: call.input.shape, floats: out)]
    },
    "Softmax": { call in
      let rank = call.input.shape.count
      let axes = call.ints("axis").map { call.axis($0, rank: rank) }
      var values = call.input.floats
      if axes.count == 1 {
        values = Math.softmax(values, shape: call.input.shape, axis: axes[0])
      } else {
        // Several axes: move them last and treat them as one.
        let others = (0..<rank).filter { !axes.contains($0) }
        let order = others + axes
        let moved = Math.transpose(values, shape: call.input.shape, order: order)
        var flat = moved
        Math.softmax(&flat, width: axes.map { call.input.shape[$0] }.reduce(1, *), log: false)
        var inverse = [Int](repeating: 0, count: rank)
        for (position, axis) in order.enumerated() { inverse[axis] = position }
        values = Math.transpose(flat, shape: order.map { call.input.shape[$0] }, order: inverse)
      }
      return [Tensor(shape: call.input.shape, floats: values)]
    },
  ]

  static func map(_ call: KernelCall, _ function: (Float) -> Float) -> Tensor {
    Tensor(shape: call.input.shape, floats: call.input.floats.map(function))
  }
}
