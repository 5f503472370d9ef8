// The last step of elaboration: warn about layers and inputs that reach no output, drop those layers
// (as a Keras functional model leaves them out), and verify the graph.
import DLCIR
import DLCSupport

extension ElaborationState {
  func finish() -> Graph? {
    var live = Set<NodeID>()
    var work = graph.outputs.map(\.node)
    while let id = work.popLast() {
      guard live.insert(id).inserted else { continue }
      work += graph.nodes[id].inputs.map(\.node)
    }
    for node in graph.nodes where !live.contains(node.id) {
      let what = node.isInput ? "input '\(node.name)'" : "layer '\(node.name)' (\(node.op))"
      diagnostics.report(.warning("\(what) does not contribute to any output", at: node.range))
    }
    var pruned = Graph(name: graph.name)
    pruned.isFunctional = graph.isFunctional
    var renumbered: [NodeID: NodeID] = [:]
    for node in graph.nodes where live.contains(node.id) || node.isInput {
      var copy = node
      copy.inputs = node.inputs.compactMap { input in
        renumbered[input.node].map { ValueRef(node: $0, output: input.output) }
      }
      renumbered[node.id] = pruned.add(copy)
    }
    pruned.outputs = graph.outputs.compactMap { output in
      renumbered[output.node].map { ValueRef(node: $0, output: output.output) }
    }
    do {
      try Verifier.verify(pruned)
    } catch {
      diagnostics.report(.error("internal error: \(error)", at: nil))
      return nil
    }
    return pruned
  }
}
