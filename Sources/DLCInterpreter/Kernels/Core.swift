// Core layers: Dense, Activation, shape moves, Rescaling, and the inference-time identities.
import DLCData
import Foundation

enum CoreKernels {
  static let table: [String: Kernel] = [
    "Dense": dense,
    "Activation": { call in
      var values = call.input.floats
      Math.apply(call.activation, &values, width: call.input.shape.last ?? 1)
      return [Tensor(shape: call.input.shape, floats: values)]
    },
    "Flatten": reshape, "Reshape": reshape,
    "Permute": { call in
      // dims are 1-based axes of the example; the batch axis stays first.
      let order = [0] + call.ints("dims")
      return [
        Tensor(
          shape: call.outputShape(), floats: Math.transpose(call.input.floats, shape: call.input.shape, order: order))
      ]
    },
    "RepeatVector": { call in
      let features = call.input.shape.last ?? 1
      let times = call.int("n")
      let x = call.input.floats
      var out = [Float]()
      out.reserveCapacity(call.batch * times * features)
      for example in 0..<call.batch {
        let row = x[(example * features)..<((example + 1) * features)]
        for _ in 0..<times { out += row }
      }
      return [Tensor(shape: call.outputShape(), floats: out)]
    },
    "Masking": { call in
      let features = Swift.max(call.input.shape.last ?? 1, 1)
      var values = call.input.floats
      for (row, kept) in KernelCall.rowsKept(call.input, maskValue: call.float("mask_value")).enumerated() where !kept {
        for index in (row * features)..<((row + 1) * features) { values[index] = 0 }
      }
      return [Tensor(shape: call.input.shape, floats: values)]
    },
    "Rescaling": { call in
      let (scale, offset) = (call.float("scale"), call.float("offset"))
      return [Tensor(shape: call.input.shape, floats: call.input.floats.map { $0 * scale + offset })]
    },
    // Noise and dropout act only in training.
    "Dropout": identity, "SpatialDropout1D": identity, "SpatialDropout2D": identity, "GaussianNoise": identity,
    "GaussianDropout": identity,
  ]

  static func identity(_ call: KernelCall) throws -> [Tensor] { [call.input] }

  static func reshape(_ call: KernelCall) throws -> [Tensor] {
    var tensor = call.input
    tensor.shape = call.outputShape()
    return [tensor]
  }

  /// x·kernel + bias over the last axis (any leading axes), then the activation.
  static func dense(_ call: KernelCall) throws -> [Tensor] {
    let inner = call.input.shape.last ?? 1
    let rows = call.input.count / max(inner, 1)
    let units = call.int("units")
    var out = Math.matmul(
      call.input.floats, rows: rows, inner: inner, try call.weight("kernel"), columns: units,
      bias: try call.optionalWeight("bias"))
    Math.apply(call.activation, &out, width: units)
    return [Tensor(shape: call.outputShape(), floats: out)]
  }
}
