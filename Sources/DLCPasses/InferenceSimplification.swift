// Passes that remove what only matters in training, and what no output needs.
import DLCIR
import DLCLayers

extension Passes {
  public static let removeInferenceIdentities = Pass(
    "remove-inference-identities",
    "drop layers that are identities at inference (Dropout, SpatialDropout, GaussianNoise, GaussianDropout)"
  ) { (graph: Graph) in
    var removed: Set<NodeID> = []
    var replacements: [ValueRef: ValueRef] = [:]
    // A model output keeps its layer, and so its name (outputs are written under their names);
    // as a view of its input it costs nothing in either backend.
    let outputs = Set(graph.outputs)
    for node in graph.nodes where node.traits.inferenceIdentity && !outputs.contains(ValueRef(node: node.id)) {
      removed.insert(node.id)
      replacements[ValueRef(node: node.id)] = node.inputs[0]
    }
    return graph.rebuilt(removing: removed, replacing: replacements)
  }

  public static let removeDeadNodes = Pass("remove-dead-nodes", "drop layers no output depends on") { (graph: Graph) in
    var live = Set(graph.outputs.map(\.node))
    for node in graph.nodes.reversed() where live.contains(node.id) {
      for input in node.inputs { live.insert(input.node) }
    }
    // Inputs stay: they are the model's interface even when unused.
    let dead = Set(graph.nodes.filter { !$0.isInput && !live.contains($0.id) }.map(\.id))
    return graph.rebuilt(removing: dead)
  }
}
