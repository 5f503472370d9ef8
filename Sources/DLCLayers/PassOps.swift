// Ops no .dl file can write: the passes create them, and they are described like layers (shape
// rule, memory, lowering) so the verifier, the planner and both backends treat them alike.
import DLCIR
import DLCSupport

extension LayerDef {
  /// A fused run of element-wise layers (fuse-elementwise-chains): its `steps` attribute is the
  /// per-element program, run over same-shape operands, one loop that writes the result once.
  public static let elementwiseChain = LayerDef(
    keras: ElementwiseStep.chainOp, arity: .atLeast(1), arguments: [], inputDType: nil,
    outputTypes: { layer in
      guard layer.inputs.allSatisfy({ $0 == layer.inputs[0] }) else {
        throw Diagnostic.shape("ElementwiseChain operands differ: \(layer.inputs.map(\.description))")
      }
      guard ElementwiseStep.program(layer.arguments) != nil else {
        throw Diagnostic.shape("ElementwiseChain has no element-wise program")
      }
      return [layer.inputs[0]]
    }, memory: .elementwise
  ).lowered { c in
    guard let program = ElementwiseStep.program(c.node.attributes) else {
      throw c.fail("internal error: \(c.node.name) has no element-wise program")
    }
    c.emit(
      .elementwise(
        steps: program, operands: c.node.inputs.indices.map { c.input($0) },
        count: .perExample(c.outputDims.reduce(1, *)), y: c.output()))
  }
}
