// Executes a typed graph node by node with the kernels, in inference mode, for any batch size.
// Every intermediate tensor lives in one arena at the offsets of a memory plan — the same plan the
// C backend compiles — so views, in-place element-wise layers and concatenation slices share bytes
// here exactly as they do in the generated C. Kernels compute into a tensor of their own, which is
// then stored at its planned offset.
import DLCData
import DLCIR
import DLCPlanning
import DLCSupport

public struct Interpreter {
  public let graph: Graph
  public let weights: [String: Tensor]
  /// The plan to run on; nil plans for each call's batch.
  public let plan: MemoryPlan?

  public init(graph: Graph, weights: [String: Tensor], plan: MemoryPlan? = nil) {
    self.graph = graph
    self.weights = weights
    self.plan = plan
  }

  /// Runs the graph on `inputs` (one per model input, in declaration order, batch first) and
  /// returns the model's outputs. `observe` sees every layer's outputs as they are computed.
  public func run(_ inputs: [Tensor], observe: ((Node, [Tensor]) throws -> Void)? = nil) throws -> [Tensor] {
    guard inputs.count == graph.inputs.count else {
      throw Diagnostic.error("the model has \(graph.inputs.count) inputs; got \(inputs.count)")
    }
    let batch = inputs.first?.shape.first ?? 1
    let plan = try self.plan ?? MemoryPlan(graph, maxBatch: max(batch, 1))
    guard batch <= plan.maxBatch else {
      throw Diagnostic.error("the memory plan has room for \(plan.maxBatch) examples; got \(batch)")
    }
    var arena = [Float](repeating: 0, count: plan.totalBytes / 4)

    func read(_ value: ValueRef) -> Tensor {
      let dims = [batch] + graph.type(of: value).dims
      switch plan.placement[value] {
      case .input(let index):
        return Tensor(shape: dims, elements: inputs[index].elements)
      case .arena:
        let offset = (plan.byteOffset(of: value) ?? 0) / 4
        return Tensor(shape: dims, floats: Array(arena[offset..<(offset + dims.reduce(1, *))]))
      case nil:
        return Tensor(zeros: [0])
      }
    }

    for id in plan.schedule {
      let node = graph.nodes[id]
      guard let kernel = Kernels.table[node.op] else {
        throw Diagnostic.error("the interpreter cannot run \(node.op) layers yet", node: node.id)
      }
      let call = KernelCall(node: node, inputs: node.inputs.map(read), weights: weights)
      var outputs: [Tensor]
      do {
        outputs = try kernel(call)
      } catch var error as Diagnostic {
        error.node = error.node ?? node.id
        throw error
      }
      // A kernel must produce what the static types promise; anything else is a dlc bug.
      let expected = node.outputs.map { [call.batch] + $0.dims }
      guard outputs.map(\.shape) == expected, zip(outputs, expected).allSatisfy({ $0.count == $1.reduce(1, *) }) else {
        throw Diagnostic.error(
          "internal error: \(node.op) produced \(outputs.map { describeShape($0.shape) }) instead of \(expected.map(describeShape))",
          node: node.id)
      }
      try observe?(node, outputs)
      for (index, output) in outputs.enumerated() {
        guard let byteOffset = plan.byteOffset(of: ValueRef(node: id, output: index)) else { continue }
        let values = output.floats
        let start = byteOffset / 4
        arena.replaceSubrange(start..<(start + values.count), with: values)
      }
    }
    return graph.outputs.map(read)
  }
}
