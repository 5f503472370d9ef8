// Executes a typed graph node by node with the kernels, in inference mode, for any batch size.
import DLCData
import DLCIR

public struct Interpreter {
  public let graph: Graph
  public let weights: [String: Tensor]

  public init(graph: Graph, weights: [String: Tensor]) {
    self.graph = graph
    self.weights = weights
  }

  /// Runs the graph on `inputs` (one per model input, in declaration order, batch first) and
  /// returns the model's outputs. `observe` sees every layer's outputs as they are computed.
  public func run(_ inputs: [Tensor], observe: ((Node, [Tensor]) throws -> Void)? = nil) throws -> [Tensor] {
    var values: [NodeID: [Tensor]] = [:]
    // How many more reads each node's outputs have, so intermediates are freed as soon as possible.
    var remainingReads = [Int](repeating: 0, count: graph.nodes.count)
    for node in graph.nodes { for input in node.inputs { remainingReads[input.node] += 1 } }
    for output in graph.outputs { remainingReads[output.node] += 1 }

    var nextInput = inputs.makeIterator()
    for node in graph.nodes {
      if node.isInput {
        guard let tensor = nextInput.next() else { throw RuntimeError("no value for input '\(node.name)'") }
        values[node.id] = [tensor]
        continue
      }
      guard let kernel = Kernels.table[node.op] else {
        throw RuntimeError("the interpreter cannot run \(node.op) layers yet", node: node.id)
      }
      let arguments = node.inputs.map { values[$0.node]?[$0.output] ?? Tensor(zeros: [0]) }
      let call = KernelCall(node: node, inputs: arguments, weights: weights)
      var outputs: [Tensor]
      do {
        outputs = try kernel(call)
      } catch var error as RuntimeError {
        error.node = error.node ?? node.id
        throw error
      }
      // A kernel must produce what the static types promise; anything else is a dlc bug.
      let expected = node.outputs.map { [call.batch] + $0.dims }
      guard outputs.map(\.shape) == expected, zip(outputs, expected).allSatisfy({ $0.count == $1.reduce(1, *) }) else {
        throw RuntimeError(
          "internal error: \(node.op) produced \(outputs.map { describeShape($0.shape) }) instead of \(expected.map(describeShape))",
          node: node.id)
      }
      try observe?(node, outputs)
      values[node.id] = outputs
      for input in node.inputs {
        remainingReads[input.node] -= 1
        if remainingReads[input.node] == 0 { values[input.node] = nil }
      }
    }
    return graph.outputs.map { values[$0.node]?[$0.output] ?? Tensor(zeros: [0]) }
  }
}
