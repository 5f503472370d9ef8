// After every pass, each node's shape rule runs again on the inputs and attributes the pass left:
// a pass that rewires or rewrites a layer into something its own rule disagrees with is caught at
// that pass, not as a wrong buffer size in a backend.
import DLCIR
import DLCLayers
import DLCSupport

enum ShapeRecheck {
  static func verify(_ graph: Graph, after pass: String, registry: LayerRegistry = .standard) throws {
    var problems: [String] = []
    for node in graph.nodes where !node.isInput {
      let expected: [TensorType]
      if let layer = registry.definition(ofOp: node.op) {
        do {
          expected = try layer.outputTypes(LayerApplication(node, in: graph))
        } catch {
          problems.append("\(node.name): \(node.op)'s shape rule fails on what the pass left: \(error)")
          continue
        }
      } else {
        problems.append("\(node.name): no layer or pass describes the op \(node.op)")
        continue
      }
      if expected != node.outputs {
        problems.append(
          "\(node.name): \(node.op) is typed \(node.outputs.map(\.description).joined(separator: ", ")) "
            + "but its rule gives \(expected.map(\.description).joined(separator: ", "))")
      }
    }
    if !problems.isEmpty { throw Diagnostic.internalError("IR verification failed after \(pass)", problems) }
  }
}
