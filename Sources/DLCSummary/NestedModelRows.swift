// Keras summarizes a model used as a layer (`Sequential([...])` in a pipeline) as one row: its
// name, its class, its output and the sum of its layers' parameters. The summary therefore reads a
// graph in which each nested model's nodes are contracted into one node.
import DLCIR

struct ContractedGraph {
  /// The graph with one node per nested model, in its first layer's place.
  var graph: Graph
  /// For each of its nodes, the original nodes it stands for.
  var members: [[NodeID]]

  init(_ original: Graph) {
    var graph = Graph(name: original.name)
    graph.isFunctional = original.isFunctional
    var members: [[NodeID]] = []
    // Where each original value is in the contracted graph; a nested model's inner values have none.
    var moved: [ValueRef: ValueRef] = [:]
    var modelNode: [NestedModel: NodeID] = [:]
    for node in original.nodes {
      guard let model = node.nestedModel else {
        var copy = node
        copy.inputs = node.inputs.compactMap { moved[$0] }
        let id = graph.add(copy)
        members.append([node.id])
        for output in node.outputs.indices {
          moved[ValueRef(node: node.id, output: output)] = ValueRef(node: id, output: output)
        }
        continue
      }
      let id: NodeID
      if let existing = modelNode[model] {
        id = existing
        members[id].append(node.id)
      } else {
        id = graph.add(
          Node(id: 0, name: model.name, op: model.kind, inputs: node.dataInputs.compactMap { moved[$0] }, outputs: []))
        modelNode[model] = id
        members.append([node.id])
      }
      // A Sequential model's output is its last layer's.
      graph.nodes[id].outputs = node.outputs
      graph.nodes[id].parameters += node.parameters.map { parameter in
        var prefixed = parameter
        prefixed.name = "\(node.name)/\(parameter.name)"
        return prefixed
      }
      for (output, _) in node.outputs.enumerated() {
        moved[ValueRef(node: node.id, output: output)] = ValueRef(node: id, output: output)
      }
    }
    graph.outputs = original.outputs.compactMap { moved[$0] }
    self.graph = graph
    self.members = members
  }
}
