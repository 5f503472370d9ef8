// The graph a summary lists, which is not quite the IR:
// - Keras summarizes a model used as a layer (`Sequential([...])` in a pipeline) as one row: its
//   name, its class, its output and the sum of its layers' parameters. Each nested model's nodes
//   are contracted into one node.
// - In a functional model, Keras records the operation computing an Embedding's mask
//   (`not_equal (NotEqual)`, from the token ids) as a row, and the layers reading the mask are
//   connected to it. dlc computes masks inside the layers that read them; the row is added here.
import DLCIR
import DLCLayers

struct ContractedGraph {
  /// The graph with one node per nested model, in its first layer's place.
  var graph: Graph
  /// For each of its nodes, the original nodes it stands for.
  var members: [[NodeID]]

  init(_ original: Graph, registry: LayerRegistry, maskOperations: Bool) {
    var graph = Graph(name: original.name)
    graph.isFunctional = original.isFunctional
    var members: [[NodeID]] = []
    // Where each original value is in the contracted graph; a nested model's inner values have none.
    var moved: [ValueRef: ValueRef] = [:]
    var modelNode: [NestedModel: NodeID] = [:]
    let maskNames = maskOperations ? Self.maskOperationNames(original, registry: registry) : [:]
    var maskNode: [String: ValueRef] = [:]
    for node in original.nodes {
      guard let model = node.nestedModel else {
        var copy = node
        copy.inputs = node.inputs.compactMap { moved[$0] }
        if let origin = node.attributes[Node.maskOriginAttribute]?.stringValue, let operation = maskNode[origin] {
          copy.inputs = node.dataInputs.compactMap { moved[$0] } + [operation]
          copy.attributes[Node.maskAttribute] = nil
        }
        let id = graph.add(copy)
        members.append([node.id])
        for output in node.outputs.indices {
          moved[ValueRef(node: node.id, output: output)] = ValueRef(node: id, output: output)
        }
        if let (name, op) = maskNames[node.name], let source = node.dataInputs.first.flatMap({ moved[$0] }) {
          var notEqual = Node(id: 0, name: name, op: op, inputs: [source], outputs: [graph.type(of: source)])
          notEqual.variableAxes = graph.nodes[source.node].variableAxes[source.output].map { [0: $0] } ?? [:]
          let operation = graph.add(notEqual)
          members.append([])
          maskNode[node.name] = ValueRef(node: operation)
        }
        continue
      }
      let id: NodeID
      if let existing = modelNode[model] {
        id = existing
        members[id].append(node.id)
      } else {
        id = graph.add(Node(id: 0, name: model.name, op: model.kind, inputs: [], outputs: []))
        modelNode[model] = id
        members.append([node.id])
      }
      // The model's inputs: what its layers read from outside it (a functional model's may be
      // read by several of its layers).
      for input in node.dataInputs.compactMap({ moved[$0] })
      where input.node != id && !graph.nodes[id].inputs.contains(input) {
        graph.nodes[id].inputs.append(input)
      }
      // A nested model's output is its last layer's.
      graph.nodes[id].outputs = node.outputs
      graph.nodes[id].variableAxes = node.variableAxes
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

  /// Keras' names for the operations of the masks some layer reads, by the layer starting the
  /// mask: `not_equal`, `not_equal_1`, ... numbered per operation in creation order (Keras creates
  /// the operation when the layer is called), and the operation.
  static func maskOperationNames(_ graph: Graph, registry: LayerRegistry) -> [String: (name: String, op: String)] {
    var read = Set<String>()
    for node in graph.nodes {
      if let origin = node.attributes[Node.maskOriginAttribute]?.stringValue { read.insert(origin) }
    }
    var names: [String: (name: String, op: String)] = [:]
    var counts: [String: Int] = [:]
    for node in graph.nodes where !node.isInput {
      guard let definition = registry[node.op], let operation = definition.maskOperation,
        definition.producesMask(LayerApplication(node, in: graph)) != nil
      else { continue }
      let prefix = snakeCase(operation)
      let count = counts[prefix, default: 0]
      counts[prefix] = count + 1
      if read.contains(node.name) { names[node.name] = (count == 0 ? prefix : "\(prefix)_\(count)", operation) }
    }
    return names
  }
}
