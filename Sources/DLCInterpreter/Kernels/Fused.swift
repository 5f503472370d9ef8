// Nodes the passes make out of several layers: an ElementwiseChain evaluates its program one
// element at a time, as the generated C does.
import DLCData
import DLCPasses
import Foundation

enum FusedKernels {
  static let table: [String: Kernel] = [Passes.elementwiseChainOp: elementwiseChain]

  static func elementwiseChain(_ call: KernelCall) throws -> [Tensor] {
    guard let program = ElementwiseStep.program(of: call.node) else {
      throw RuntimeError("internal error: \(call.node.name) has no element-wise program")
    }
    let operands = call.inputs.map(\.floats)
    let shape = call.outputShape()
    var out = [Float](repeating: 0, count: shape.reduce(1, *))
    let activations = program.map { step -> ((Float) -> Float)? in
      if case .activation(let activation) = step { return Math.elementwise(activation) }
      return nil
    }
    for index in out.indices {
      var v: Float = 0
      for (position, step) in program.enumerated() {
        switch step {
        case .load(let operand): v = operands[operand][index]
        case .combine(let op, let operand):
          let x = operands[operand][index]
          switch op {
          case .add: v = v + x
          case .sub: v = v - x
          case .rsub: v = x - v
          case .mul: v = v * x
          case .max: v = max(v, x)
          case .min: v = min(v, x)
          }
        case .scale(let scale, let offset): v = v * Float(scale) + Float(offset)
        case .activation: v = activations[position]?(v) ?? v
        case .relu(let maxValue, let slope, let threshold):
          let cap = maxValue.map(Float.init) ?? .infinity
          v = v >= cap ? cap : (v >= Float(threshold) ? v : Float(slope) * (v - Float(threshold)))
        case .elu(let alpha): v = v > 0 ? v : Float(alpha) * expm1(v)
        }
      }
      out[index] = v
    }
    return [Tensor(shape: shape, floats: out)]
  }
}
