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
    warnAboutDenseOnFeatureMaps()
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

extension ElaborationState {
  /// Dense on a feature map acts on its last axis, as in Keras; when an output then still has the
  /// spatial dimensions, the classic missing Flatten() is the likely cause, so say so, at the first
  /// such Dense on the way to the output.
  func warnAboutDenseOnFeatureMaps() {
    func onFeatureMap(_ node: Node) -> TensorType? {
      guard node.op == "Dense", let input = node.dataInputs.first.map(graph.type(of:)), input.rank >= 4 else {
        return nil
      }
      return input
    }
    func ancestors(_ id: NodeID) -> Set<NodeID> {
      var seen = Set<NodeID>()
      var work = graph.nodes[id].inputs.map(\.node)
      while let next = work.popLast() {
        if seen.insert(next).inserted { work += graph.nodes[next].inputs.map(\.node) }
      }
      return seen
    }
    var warned = Set<NodeID>()
    for output in graph.outputs where graph.type(of: output).rank >= 4 {
      let upstream = ancestors(output.node).union([output.node])
      for id in upstream.sorted() where warned.insert(id).inserted {
        let node = graph.nodes[id]
        guard let input = onFeatureMap(node),
          !ancestors(id).contains(where: { onFeatureMap(graph.nodes[$0]) != nil })
        else { continue }
        diagnostics.report(
          .warning(
            "Dense acts on the last axis of \(input), so the model's output '\(graph.name(of: output))' keeps "
              + "the spatial dimensions: \(graph.type(of: output))",
            at: node.range,
            notes: [
              DiagnosticNote(
                "add Flatten() before it to get \(input.with(dims: [input.elementCount])) if it should see the whole feature map"
              )
            ]))
      }
    }
  }
}
