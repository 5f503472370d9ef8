// Nodes the passes make out of several layers: an ElementwiseChain evaluates its program one
// element at a time, as the generated C does.
import DLCData
import DLCLayers
import DLCSupport
import Foundation

enum FusedKernels {
  static let table: [String: Kernel] = [ElementwiseStep.chainOp: elementwiseChain]

  static func elementwiseChain(_ call: KernelCall) throws -> [Tensor] {
    guard let program = ElementwiseStep.program(of: call.node) else {
      throw Diagnostic.error("internal error: \(call.node.name) has no element-wise program")
    }
    let operands = call.inputs.map(\.floats)
    let shape = call.outputShape()
    var out = [Float](repeating: 0, count: shape.reduce(1, *))
    // The steps that act on the running value alone, as functions of it.
    let unary = program.map { step -> ((Float) -> Float)? in
      switch step {
      case .load, .combine: return nil
      case .scale(let scale, let offset): return { $0 * Float(scale) + Float(offset) }
      case .activation(let activation): return Math.elementwise(activation)
      case .relu(let maxValue, let slope, let threshold):
        return Math.reluLayer(
          maxValue: maxValue.map(Float.init) ?? .infinity, slope: Float(slope), threshold: Float(threshold))
      case .elu(let alpha): return Math.eluLayer(alpha: Float(alpha))
      }
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
          case .max: v = Math.maximum(v, x)
          case .min: v = Math.minimum(v, x)
          }
        case .scale, .activation, .relu, .elu: v = unary[position]?(v) ?? v
        }
      }
      out[index] = v
    }
    return [Tensor(shape: shape, floats: out)]
  }
}
