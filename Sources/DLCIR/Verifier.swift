// Checks the IR's structural invariants. A failure here is a compiler bug, not a user error.
import DLCSupport

public enum Verifier {
  public static func verify(_ graph: Graph) throws {
    var problems: [String] = []
    var names = Set<String>()
    for (index, node) in graph.nodes.enumerated() {
      if node.id != index { problems.append("node \(node.name) has id \(node.id) at index \(index)") }
      // A shared layer's later calls have its name: (name, call) is unique.
      if !names.insert("\(node.name)@\(node.call)").inserted { problems.append("duplicate node name \(node.name)") }
      if node.call > 0 && !graph.nodes[..<index].contains(where: { $0.name == node.name && $0.call == node.call - 1 }) {
        problems.append("node \(node.name) is call \(node.call) of a layer with no call before it")
      }
      if node.outputs.isEmpty { problems.append("node \(node.name) has no outputs") }
      if node.isInput && !node.inputs.isEmpty { problems.append("input \(node.name) has operands") }
      if !node.isInput && node.inputs.isEmpty { problems.append("layer \(node.name) has no operands") }
      for input in node.inputs {
        if input.node >= index || input.node < 0 {
          problems.append("node \(node.name) reads \(input), which is not defined before it")
        } else if input.output >= graph.nodes[input.node].outputs.count {
          problems.append("node \(node.name) reads \(input), past its producer's outputs")
        }
      }
      for type in node.outputs where type.dims.contains(where: { $0 < 1 }) {
        problems.append("node \(node.name) has non-positive dimension in \(type)")
      }
      for parameter in node.parameters where parameter.shape.contains(where: { $0 < 1 }) {
        problems.append("parameter \(node.name)/\(parameter.name) has shape \(parameter.shape)")
      }
    }
    if graph.outputs.isEmpty { problems.append("graph has no outputs") }
    for output in graph.outputs
    where output.node >= graph.nodes.count || output.output >= graph.nodes[output.node].outputs.count {
      problems.append("graph output \(output) is undefined")
    }
    if !problems.isEmpty { throw Diagnostic.internalError("IR verification failed", problems) }
  }
}
