// Runs a graph in-process: its lowered kernel calls, made through the C runtime compiled into dlc
// (the same source the generated code copies), over one arena laid out by the memory plan the C
// backend compiles. Views, in-place layers and concatenation slices share bytes here exactly as they
// do in the generated C, and the arithmetic is the same code.
import CDLCRuntime
import DLCData
import DLCIR
import DLCLayers
import DLCPlanning
import DLCSupport

public struct Interpreter {
  public let graph: Graph
  public let weights: [String: Tensor]
  /// The plan to run on; nil plans for each call's batch.
  public let plan: MemoryPlan?
  /// The lowering for `plan`, made once.
  private let lowered: LoweredGraph?
  /// The plan's schedule with each node's calls, less those the plan elides.
  private let scheduled: [(node: NodeID, calls: [KernelCall])]?
  /// The model's input nodes, found once: a run of a small model costs microseconds.
  private let inputNodes: [Node]

  public init(graph: Graph, weights: [String: Tensor], plan: MemoryPlan? = nil) throws {
    self.graph = graph
    self.weights = weights
    self.plan = plan
    self.inputNodes = graph.inputs
    let lowered = try plan.map { try Self.lower(graph, weights: weights, maxBatch: $0.maxBatch) }
    self.lowered = lowered
    if let plan, let lowered {
      self.scheduled = Self.schedule(plan, lowered)
    } else {
      self.scheduled = nil
    }
  }

  static func lower(_ graph: Graph, weights: [String: Tensor], maxBatch: Int) throws -> LoweredGraph {
    try LoweredGraph(graph, weights: { weights[$0]?.floats }, maxBatch: maxBatch, layout: weightLayout)
  }

  static func schedule(_ plan: MemoryPlan, _ lowered: LoweredGraph) -> [(node: NodeID, calls: [KernelCall])] {
    let calls = plan.callsToRun(lowered)
    return plan.schedule.map { ($0, calls[$0] ?? []) }
  }

  /// The runtime copy the interpreter's kernels run: "avx512", "avx2" or "portable", as generated C
  /// names its own (`<model>_instruction_set`).
  public static var instructionSet: String { ["portable", "avx2", "avx512"][Int(min(max(dlc_vector_level(), 0), 2))] }

  /// Packed panels for the runtime's vector kernels when this CPU has AVX2 or AVX-512; otherwise the
  /// portable kernels' products go through OpenBLAS, which wants weights as Keras stores them.
  static let weightLayout: WeightLayout = dlc_vector_level() > 0 ? .panels : .rowMajor

  /// Runs the graph on `inputs` (one per model input, in declaration order, batch first) and
  /// returns the model's outputs. `observe` sees every layer's outputs as they are computed.
  public func run(_ inputs: [Tensor], observe: ((Node, [Tensor]) throws -> Void)? = nil) throws -> [Tensor] {
    guard inputs.count == inputNodes.count else {
      throw Diagnostic.error("the model has \(inputNodes.count) inputs; got \(inputs.count)")
    }
    let batch = inputs.first?.shape.first ?? 1
    let plan = try self.plan ?? MemoryPlan(graph, maxBatch: max(batch, 1))
    guard batch >= 1, batch <= plan.maxBatch else {
      throw Diagnostic.error("the memory plan has room for 1 to \(plan.maxBatch) examples; got \(batch)")
    }
    for (input, tensor) in zip(inputNodes, inputs) {
      let dims = input.outputs[0].dims
      guard tensor.shape.count == dims.count + 1, tensor.shape[0] == batch,
        tensor.shape.dropFirst().elementsEqual(dims),
        tensor.count == tensor.shape.reduce(1, *)
      else {
        let expected = [batch] + dims
        throw Diagnostic.error(
          "input '\(input.name)' has shape \(describeShape(tensor.shape)); expected \(describeShape(expected))")
      }
    }
    let lowered = try self.lowered ?? Self.lower(graph, weights: weights, maxBatch: plan.maxBatch)
    let memory = RuntimeMemory(plan: plan, inputs: inputs, inputTypes: inputNodes.map { $0.outputs[0].dtype })
    return try lowered.constants.withUnsafeBufferPointer { constants in
      for (id, calls) in self.scheduled ?? Self.schedule(plan, lowered) {
        for call in calls {
          do {
            try RuntimeCall(
              call: call, node: id, nodeName: graph.nodes[id].name, batch: batch, memory: memory, constants: constants
            ).run()
          } catch var error as Diagnostic {
            error.node = error.node ?? id
            throw error
          }
        }
        if let observe {
          let node = graph.nodes[id]
          try observe(
            node, node.outputs.indices.map { memory.read(ValueRef(node: id, output: $0), in: graph, batch: batch) })
        }
      }
      return graph.outputs.map { memory.read($0, in: graph, batch: batch) }
    }
  }
}

/// The bytes one run works in: the arena and the model's inputs, as the plan lays them out.
final class RuntimeMemory {
  let plan: MemoryPlan
  let arena: UnsafeMutableRawPointer
  /// Each model input's elements (float32, or int32 token ids) in a buffer of its own.
  let inputs: [UnsafeMutableRawPointer]

  init(plan: MemoryPlan, inputs: [Tensor], inputTypes: [DType]) {
    self.plan = plan
    arena = UnsafeMutableRawPointer.allocate(byteCount: max(plan.totalBytes, 64), alignment: 64)
    arena.initializeMemory(as: UInt8.self, repeating: 0, count: max(plan.totalBytes, 64))
    self.inputs = zip(inputs, inputTypes).map { tensor, type in
      let buffer = UnsafeMutableRawPointer.allocate(byteCount: max(tensor.count, 1) * 4, alignment: 64)
      switch (type, tensor.elements) {
      case (.int32, .int32(let values)):
        values.withUnsafeBytes { buffer.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
      case (.int32, let elements):
        let ids = Tensor(shape: tensor.shape, elements: elements).floats.map { Int32(exactly: $0) ?? -1 }
        ids.withUnsafeBytes { buffer.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
      default:
        tensor.floats.withUnsafeBytes { buffer.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
      }
      return buffer
    }
  }

  deinit {
    arena.deallocate()
    for input in inputs { input.deallocate() }
  }

  /// A placed value as a tensor (batch first).
  func read(_ value: ValueRef, in graph: Graph, batch: Int) -> Tensor {
    let type = graph.type(of: value)
    let dims = [batch] + type.dims
    let count = dims.reduce(1, *)
    let start: UnsafeRawPointer
    switch plan.placement[value] {
    case .input(let index): start = UnsafeRawPointer(inputs[index])
    case .arena: start = UnsafeRawPointer(arena + (plan.byteOffset(of: value) ?? 0))
    case nil: return Tensor(zeros: [0])
    }
    if type.dtype == .int32 {
      return Tensor(
        shape: dims,
        elements: .int32(Array(UnsafeBufferPointer(start: start.assumingMemoryBound(to: Int32.self), count: count))))
    }
    return Tensor(
      shape: dims, floats: Array(UnsafeBufferPointer(start: start.assumingMemoryBound(to: Float.self), count: count)))
  }
}
