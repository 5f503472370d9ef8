// A run of element-wise layers, each the only reader of the one before (Add → ReLU → Rescaling →
// Multiply …), becomes one ElementwiseChain node: a short program evaluated per element, so the C
// backend computes the whole run in one loop that reads each input once and writes the result
// once, instead of one pass over memory per layer. The node keeps the last layer's name (readers
// and outputs see the same value under the same name) and records the others in `fused`.
import DLCIR
import DLCLayers

extension Passes {
  /// The op of a fused run of element-wise layers; it exists only after this pass.

  /// Whether `node` can be a link of a chain: element-wise, nothing broadcast, no softmax.
  static func isChainable(_ node: Node, in graph: Graph) -> Bool {
    guard node.outputs.count == 1, node.outputs[0].dtype == .float32,
      node.inputs.allSatisfy({ graph.type(of: $0) == node.outputs[0] })
    else { return false }
    switch node.traits.elementwise {
    case .merge?:
      let activation = node.attributes["activation"]?.stringValue.flatMap(Activation.named) ?? .linear
      return !activation.isAxiswise
    case .unary(let steps)?:
      return steps(node.attributes) != nil
    case nil:
      return false
    }
  }

  /// The steps that apply `node` to the running value `current` (nil: the chain's first node).
  static func steps(of node: Node, current: ValueRef?, operand: (ValueRef) -> Int) -> [ElementwiseStep] {
    var steps: [ElementwiseStep] = []
    if current == nil {
      steps.append(.load(operand(node.inputs[0])))
    }
    switch node.traits.elementwise {
    case .merge(let combine, let averages)?:
      let position = current.flatMap { node.inputs.firstIndex(of: $0) } ?? 0
      if let constant = node.attributes["constant"]?.doubleValue,
        let (scale, offset) = LayerDef.constantAffine(
          combine, constant, first: node.attributes["constant_first"]?.boolValue ?? false)
      {
        steps.append(.scale(scale, offset))
      } else if current == nil || position == 0 {
        for input in node.inputs.dropFirst() { steps.append(.combine(combine, operand(input))) }
      } else {
        // Two inputs, the running value second: a − v for Subtract; the others commute.
        steps.append(.combine(combine == .sub ? .rsub : combine, operand(node.inputs[0])))
      }
      if averages { steps.append(.scale(1 / Double(node.inputs.count), 0)) }
      // An activation fuse-activations gave the merge.
      if let activation = node.attributes["activation"]?.stringValue.flatMap(Activation.named), activation != .linear {
        steps.append(.activation(activation))
      }
    case .unary(let unarySteps)?:
      steps += unarySteps(node.attributes) ?? []
    case nil:
      break
    }
    return steps
  }

  public static let fuseElementwiseChains = Pass(
    "fuse-elementwise-chains", "compute a run of element-wise layers (merges, activations, Rescaling) in one loop"
  ) { (graph: Graph) in
    var rewrite = GraphRewrite(graph)
    var linked: Set<NodeID> = []

    /// The next link after `node`: its output's only reader, reading it once, in no chain yet, and
    /// able to take a running value in that position (a merge of more than two inputs only as its first).
    func next(after node: Node) -> Node? {
      let value = ValueRef(node: node.id)
      guard !rewrite.isOutput(node.id), let readerID = rewrite.soleReader(of: node.id) else { return nil }
      let reader = graph.nodes[readerID]
      guard !linked.contains(readerID), isChainable(reader, in: graph), reader.inputs.filter({ $0 == value }).count == 1
      else { return nil }
      if reader.inputs.count > 2 && reader.inputs[0] != value { return nil }
      return reader
    }

    for start in graph.nodes where !start.isInput && !linked.contains(start.id) && isChainable(start, in: graph) {
      var chain = [start]
      while let link = next(after: chain[chain.count - 1]) { chain.append(link) }
      guard chain.count >= 2 else { continue }
      linked.formUnion(chain.map(\.id))

      var operands: [ValueRef] = []
      func operand(_ value: ValueRef) -> Int {
        if let index = operands.firstIndex(of: value) { return index }
        operands.append(value)
        return operands.count - 1
      }
      var program: [ElementwiseStep] = []
      var current: ValueRef?
      for link in chain {
        program += steps(of: link, current: current, operand: operand)
        current = ValueRef(node: link.id)
      }
      let last = chain[chain.count - 1]
      var fused = last
      fused.op = ElementwiseStep.chainOp
      fused.inputs = operands
      fused.parameters = []
      fused.attributes = Attributes()
      fused.attributes[PassAttribute.steps.name] = .list(program.map { .string($0.text) })
      // Every layer the node stands for, including activations earlier passes fused into a link.
      let absorbed = chain.flatMap { link in
        (link.id == last.id ? [] : [link.name])
          + (link.attributes["fused"]?.stringValue.map { $0.components(separatedBy: ", ") } ?? [])
      }
      fused.attributes["fused"] = .string(absorbed.joined(separator: ", "))
      // The links' only readers were the next links, now all inside the fused node.
      for link in chain.dropLast() { rewrite.absorb(link.id, into: fused, readersRead: ValueRef(node: last.id)) }
    }
    return rewrite.result()
  }
}
