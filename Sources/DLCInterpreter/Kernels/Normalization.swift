// BatchNormalization with the moving statistics; LayerNormalization over its axes, in float32.
import DLCData
import Foundation

enum NormalizationKernels {
  static let table: [String: Kernel] = [
    "BatchNormalization": { call in
      let shape = call.input.shape
      let axis = call.axis(call.int("axis"), rank: shape.count)
      let channels = shape[axis]
      let inner = shape[(axis + 1)...].reduce(1, *)
      let mean = try call.weight("moving_mean")
      let variance = try call.weight("moving_variance")
      let gamma = try call.optionalWeight("gamma") ?? [Float](repeating: 1, count: channels)
      let beta = try call.optionalWeight("beta") ?? [Float](repeating: 0, count: channels)
      let epsilon = call.float("epsilon")
      // y = (x − mean)·gamma/√(var + ε) + beta, folded per channel as Keras does.
      let scale = (0..<channels).map { gamma[$0] / (variance[$0] + epsilon).squareRoot() }
      let shift = (0..<channels).map { beta[$0] - mean[$0] * scale[$0] }
      var out = call.input.floats
      for index in out.indices {
        let channel = (index / inner) % channels
        out[index] = out[index] * scale[channel] + shift[channel]
      }
      // An activation is there only when the fuse-activations pass put one there.
      Math.apply(call.activation, &out, width: shape.last ?? 1)
      return [Tensor(shape: shape, floats: out)]
    },
    "LayerNormalization": { call in
      let shape = call.input.shape
      let axes = call.ints("axis").map { call.axis($0, rank: shape.count) }.sorted()
      let epsilon = call.float("epsilon")
      let rms = call.bool("rms_scaling")
      // Move the normalized axes last, normalize rows, move back.
      let others = (0..<shape.count).filter { !axes.contains($0) }
      let order = others + axes
      let width = axes.map { shape[$0] }.reduce(1, *)
      var rows = Math.transpose(call.input.floats, shape: shape, order: order)
      let gamma = try call.optionalWeight("gamma")
      let beta = try call.optionalWeight("beta")
      var start = 0
      while start < rows.count {
        var mean: Float = 0
        for index in start..<start + width { mean += rows[index] }
        mean /= Float(width)
        // Keras' rms_scaling divides the uncentered x by the (centered) standard deviation.
        var variance: Float = 0
        for index in start..<start + width { variance += (rows[index] - mean) * (rows[index] - mean) }
        variance /= Float(width)
        let inverse = 1 / (variance + epsilon).squareRoot()
        for (offset, index) in (start..<start + width).enumerated() {
          var value = rms ? rows[index] * inverse : (rows[index] - mean) * inverse
          if let gamma { value *= gamma[offset] }
          if let beta { value += beta[offset] }
          rows[index] = value
        }
        start += width
      }
      var inverseOrder = [Int](repeating: 0, count: order.count)
      for (position, axis) in order.enumerated() { inverseOrder[axis] = position }
      return [Tensor(shape: shape, floats: Math.transpose(rows, shape: order.map { shape[$0] }, order: inverseOrder))]
    },
  ]
}
