// The facts a summary shows, in Keras' layer order, shared by the table and the JSON renderers.
import DLCIR
import DLCLayers
import DLCSupport

public struct SummaryRow: Equatable {
  public var name: String
  public var type: String
  public var outputShapes: [TensorType]
  /// The output shapes as Keras shows them (batch left out): nil where a size varies (None).
  public var shownShapes: [[Int?]]
  /// A shared layer's last call's shapes: Keras' table shows those (its JSON, the first call's).
  public var lastCallShapes: [[Int?]]? = nil
  public var parameters: Int
  public var trainableParameters: Int
  /// `producer[0][k]` for each input, as Keras' "Connected to" column writes them.
  public var connections: [String]
  /// The producing layers' names, for JSON.
  public var inputNames: [String]
  public var macs: Int
  /// Bytes of this layer's outputs for one example.
  public var activationBytes: Int
  public var isInput: Bool

  public var nonTrainableParameters: Int { parameters - trainableParameters }
}

public struct ModelSummary {
  public var name: String
  /// Keras prints a single chain like a Sequential model: no input rows, no "Connected to".
  public var isSequential: Bool
  /// Keras' "sequential-like" functional models (one layer per depth, each reading one tensor)
  /// print as Sequential ones do but with their input rows: no "Connected to", Sequential widths.
  public var isSequentialLike: Bool
  public var rows: [SummaryRow]
  public var inputs: [(name: String, type: TensorType, shown: [Int?])]
  public var outputs: [String]
  public var totalParameters: Int
  public var trainableParameters: Int
  public var nonTrainableParameters: Int { totalParameters - trainableParameters }
  public var totalMACs: Int
  public var totalActivationBytes: Int { rows.reduce(0) { $0 + $1.activationBytes } }

  /// With `countingMACs`, throws a located "too large" diagnostic when a layer's multiply-accumulates
  /// do not fit in 64 bits; without, every row's count is 0.
  public init(_ original: Graph, registry: LayerRegistry = .standard, countingMACs: Bool = true) throws {
    var macsOf: [NodeID: Int] = [:]
    if countingMACs {
      for node in original.nodes {
        guard let definition = registry[node.op] else { continue }
        guard let count = definition.macs(of: node, in: original) else {
          throw Self.tooManyMACs(node.op, node.name, node.range)
        }
        macsOf[node.id] = count
      }
    }
    var contracted = ContractedGraph(original, registry: registry, maskOperations: false)
    let sequential = !original.isFunctional && Self.isSingleChain(contracted.graph)
    if !sequential { contracted = ContractedGraph(original, registry: registry, maskOperations: true) }
    let graph = contracted.graph
    name = graph.name
    isSequential = sequential
    isSequentialLike = sequential || Self.isSequentialLike(graph)
    // A shared layer is one row, where its first call in this order is: its calls' inputs in
    // "Connected to", and the others read its calls as `layer[call][output]`.
    var callsOf: [String: [Node]] = [:]
    for node in graph.nodes where !node.isInput { callsOf[node.name, default: []].append(node) }
    var listed = Set<String>()
    rows = try Self.kerasOrder(graph).compactMap { id -> SummaryRow? in
      let node = graph.nodes[id]
      if sequential && node.isInput { return nil }
      guard listed.insert(node.name).inserted else { return nil }
      let calls = node.isInput ? [node] : (callsOf[node.name] ?? [node]).sorted { $0.call < $1.call }
      guard let macs = Checked.sum(calls.flatMap { contracted.members[$0.id] }.map { macsOf[$0, default: 0] }) else {
        throw Self.tooManyMACs(node.op, node.name, node.range)
      }
      let first = calls[0]
      var row = SummaryRow(
        name: first.name, type: first.op, outputShapes: first.outputs,
        shownShapes: first.outputs.indices.map(first.shownDims), parameters: first.parameterCount,
        trainableParameters: first.trainableParameterCount,
        connections: calls.flatMap { call in
          call.dataInputs.map { "\(graph.nodes[$0.node].name)[\(graph.nodes[$0.node].call)][\($0.output)]" }
        },
        inputNames: first.dataInputs.map { graph.nodes[$0.node].name }, macs: macs,
        activationBytes: first.isInput ? 0 : first.outputs.reduce(0) { $0 + $1.elementCount * $1.dtype.size },
        isInput: first.isInput)
      if let last = calls.last, calls.count > 1 { row.lastCallShapes = last.outputs.indices.map(last.shownDims) }
      return row
    }
    inputs = graph.inputs.map { ($0.name, $0.outputs[0], $0.shownDims(0)) }
    outputs = graph.outputs.map(graph.outputName(of:))
    guard let total = Checked.sum(rows.map(\.macs)) else {
      throw Self.tooManyMACs("the model", graph.name, graph.nodes.last?.range)
    }
    totalMACs = total
    totalParameters = graph.totalParameters
    trainableParameters = graph.trainableParameters
  }

  static func tooManyMACs(_ what: String, _ name: String, _ range: SourceRange?) -> Diagnostic {
    .error(
      "too large: \(what) '\(name)' needs more than \(Limits.describe(Int.max)) multiply-accumulates per example",
      at: range)
  }

  /// One input, one output, and every layer reads exactly the single output of the layer before it.
  static func isSingleChain(_ graph: Graph) -> Bool {
    guard graph.inputs.count == 1, graph.outputs.count == 1, graph.nodes.first?.isInput == true else { return false }
    for index in graph.nodes.indices.dropFirst() {
      let node = graph.nodes[index]
      guard node.dataInputs == [ValueRef(node: index - 1, output: 0)], graph.nodes[index - 1].outputs.count == 1 else {
        return false
      }
    }
    return graph.outputs == [ValueRef(node: graph.nodes.count - 1, output: 0)]
      && graph.nodes.last?.outputs.count == 1
  }

  /// Keras' rule for a functional model: at every depth (longest path to an output) one layer or
  /// input, reading at most one tensor.
  static func isSequentialLike(_ graph: Graph) -> Bool {
    var depths = Set<Int>()
    for (id, depth) in depthsToOutputs(graph) {
      guard graph.nodes[id].dataInputs.count <= 1, depths.insert(depth).inserted else { return false }
    }
    return true
  }

  /// Each node's depth: the longest path from it to an output (nodes no output needs are left out).
  static func depthsToOutputs(_ graph: Graph) -> [NodeID: Int] {
    var depth: [NodeID: Int] = [:]
    for output in graph.outputs { depth[output.node] = 0 }
    // Nodes are in topological order, so walking them backwards settles each before its inputs.
    for node in graph.nodes.reversed() {
      guard let own = depth[node.id] else { continue }
      for input in node.dataInputs { depth[input.node] = max(depth[input.node] ?? 0, own + 1) }
    }
    return depth
  }

  /// Keras' functional layer order: by depth (longest path to an output) from the inputs down,
  /// ties broken by the order a depth-first walk from the outputs first reaches each layer.
  public static func kerasOrder(_ graph: Graph) -> [NodeID] {
    var preorder: [NodeID: Int] = [:]
    var postorder: [NodeID] = []
    var finished = Set<NodeID>()
    // Depth-first with an explicit stack (node, next input to visit): long chains must not exhaust the call stack.
    for output in graph.outputs {
      var stack: [(id: NodeID, next: Int)] = [(output.node, 0)]
      while let (id, next) = stack.last {
        if next == 0 {
          if finished.contains(id) {
            stack.removeLast()
            continue
          }
          if preorder[id] == nil { preorder[id] = preorder.count }
        }
        let inputs = graph.nodes[id].dataInputs
        if next < inputs.count {
          stack[stack.count - 1].next = next + 1
          stack.append((inputs[next].node, 0))
        } else {
          finished.insert(id)
          postorder.append(id)
          stack.removeLast()
        }
      }
    }
    var depth: [NodeID: Int] = [:]
    for id in postorder.reversed() {
      let own = depth[id, default: 0]
      depth[id] = own
      for input in graph.nodes[id].dataInputs {
        depth[input.node] = max(depth[input.node, default: 0], own + 1)
      }
    }
    // Inputs no output depends on still appear, first, as Keras keeps every declared input.
    var order = graph.nodes.map(\.id).filter { depth[$0] != nil }
    order.sort { a, b in
      let (depthA, depthB) = (depth[a, default: 0], depth[b, default: 0])
      if depthA != depthB { return depthA > depthB }
      return preorder[a, default: -1] < preorder[b, default: -1]
    }
    let unreached = graph.nodes.filter { $0.isInput && depth[$0.id] == nil }.map(\.id)
    return unreached + order
  }
}
