// A pass is a small named transformation of the graph; the pass manager runs them in the order
// the driver gives, verifying the IR after each and letting a caller watch every step.
import DLCData
import DLCIR
import DLCLayers

/// What passes transform: the graph and, when known, its weights by `<layer>/<variable>` key.
/// Without weights (as for `dlc ir`), passes change the structure alone.
public struct Program {
  public var graph: Graph
  public var weights: [String: Tensor]?

  public init(graph: Graph, weights: [String: Tensor]? = nil) {
    self.graph = graph
    self.weights = weights
  }
}

public struct Pass: Sendable {
  public let name: String
  /// One line for `dlc ir --help` and the docs.
  public let summary: String
  public let run: @Sendable (Program) throws -> Program

  public init(_ name: String, _ summary: String, run: @escaping @Sendable (Program) throws -> Program) {
    self.name = name
    self.summary = summary
    self.run = run
  }

  /// A pass that only restructures the graph.
  public init(_ name: String, _ summary: String, graph transform: @escaping @Sendable (Graph) throws -> Graph) {
    self.init(name, summary) { program in
      Program(graph: try transform(program.graph), weights: program.weights)
    }
  }
}

public enum Passes {
  /// Every pass, in the order `--passes all` runs them.
  public static let all: [Pass] = [
    removeInferenceIdentities, foldZeroPadding, foldBatchNormalization, foldEmbeddingProjection, fuseActivations,
    fuseElementwiseChains, removeDeadNodes,
  ]

  public static func named(_ name: String) -> Pass? { all.first { $0.name == name } }
}

public struct PassManager {
  public var passes: [Pass]

  public init(_ passes: [Pass]) {
    self.passes = passes
  }

  /// Runs the passes in order; after each, the verifier checks the graph's structure and every
  /// node's shape rule is run again on what the pass left. `after` sees every step.
  public func run(_ program: Program, after: ((Pass, Program) -> Void)? = nil) throws -> Program {
    var current = program
    for pass in passes {
      current = try pass.run(current)
      try Verifier.verify(current.graph)
      try ShapeRecheck.verify(current.graph, after: pass.name)
      after?(pass, current)
    }
    return current
  }

  public func run(_ graph: Graph, after: ((Pass, Graph) -> Void)? = nil) throws -> Graph {
    try run(Program(graph: graph)) { pass, program in after?(pass, program.graph) }.graph
  }
}

extension Graph {
  /// The graph without `removed` nodes, every read of a key of `replacements` redirected to its
  /// value (followed transitively), nodes renumbered in order.
  public func rebuilt(removing removed: Set<NodeID>, replacing replacements: [ValueRef: ValueRef] = [:]) -> Graph {
    func resolve(_ value: ValueRef) -> ValueRef {
      var value = value
      while let next = replacements[value] { value = next }
      return value
    }
    var renumbered: [NodeID: NodeID] = [:]
    var result = Graph(name: name)
    result.isFunctional = isFunctional
    for node in nodes where !removed.contains(node.id) {
      var copy = node
      copy.inputs = node.inputs.map(resolve).map { ValueRef(node: renumbered[$0.node] ?? $0.node, output: $0.output) }
      renumbered[node.id] = result.add(copy)
    }
    result.outputs = outputs.map(resolve).map { ValueRef(node: renumbered[$0.node] ?? $0.node, output: $0.output) }
    return result
  }
}

/// Edits a pass makes while reading a graph: nodes changed in place, and nodes absorbed into a
/// neighbour (their readers then read another value), applied together by `result()`.
struct GraphRewrite {
  private let graph: Graph
  private let consumers: [[NodeID]]
  private let outputs: Set<ValueRef>
  private(set) var nodes: [Node]
  private var removed: Set<NodeID> = []
  private var replacements: [ValueRef: ValueRef] = [:]

  init(_ graph: Graph) {
    self.graph = graph
    self.consumers = graph.consumers()
    self.outputs = Set(graph.outputs)
    self.nodes = graph.nodes
  }

  /// The one layer reading `node`'s outputs, if exactly one does.
  func soleReader(of node: NodeID) -> NodeID? { consumers[node].count == 1 ? consumers[node].first : nil }

  /// Whether a result of `node` is a model output (and so must keep its name).
  func isOutput(_ node: NodeID) -> Bool { outputs.contains { $0.node == node } }

  /// Replaces `updated.id`'s node with `updated`, its readers reading it as before.
  mutating func replace(_ updated: Node) { nodes[updated.id] = updated }

  /// Replaces `updated.id`'s node with `updated` and removes `absorbed`, whose readers read
  /// `replacement` instead.
  mutating func absorb(_ absorbed: NodeID, into updated: Node, readersRead replacement: ValueRef) {
    nodes[updated.id] = updated
    removed.insert(absorbed)
    replacements[ValueRef(node: absorbed)] = replacement
  }

  func result() -> Graph {
    var result = graph
    result.nodes = nodes
    return result.rebuilt(removing: removed, replacing: replacements)
  }
}
