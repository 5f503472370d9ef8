// C for nodes the passes make out of several layers: an ElementwiseChain as one loop that reads
// each operand once and writes the result once.
import DLCLayers

enum FusedEmitters {
  static let table: [String: LayerEmitter] = [
    ElementwiseStep.chainOp: LayerEmitter { c in
      guard let program = ElementwiseStep.program(of: c.node) else {
        throw c.fail("internal error: \(c.node.name) has no element-wise program")
      }
      c.line("long i;")
      c.line("for (i = 0; i < \(c.perBatch(c.outputDims.reduce(1, *))); i++) {")
      c.line("  float v;")
      for step in program { c.line("  " + statement(step, operands: c.inputs)) }
      c.line("  \(c.output)[i] = v;")
      c.line("}")
    }
  ]

  /// One step as a C statement updating `v` at element `i`.
  static func statement(_ step: ElementwiseStep, operands: [String]) -> String {
    let literal = { (value: Double) in cFloat(Float(value)) }
    switch step {
    case .load(let operand): return "v = \(operands[operand])[i];"
    case .combine(let op, let operand):
      let x = "\(operands[operand])[i]"
      switch op {
      case .add: return "v = v + \(x);"
      case .sub: return "v = v - \(x);"
      case .rsub: return "v = \(x) - v;"
      case .mul: return "v = v * \(x);"
      case .max: return "v = DLC_FMAX(v, \(x));"
      case .min: return "v = DLC_FMIN(v, \(x));"
      }
    case .scale(let scale, let offset): return "v = v * \(literal(scale)) + \(literal(offset));"
    case .activation(let activation): return "v = dlc_activation(DLC_\(activation.rawValue.uppercased()), v);"
    case .relu(let maxValue, let slope, let threshold):
      return "v = dlc_relu_value(v, \(maxValue.map(literal) ?? "HUGE_VALF"), \(literal(slope)), \(literal(threshold)));"
    case .elu(let alpha): return "v = dlc_elu_value(v, \(literal(alpha)));"
    }
  }
}
