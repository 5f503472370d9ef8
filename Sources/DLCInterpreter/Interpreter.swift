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
import Synchronization

public struct Interpreter {
  public let graph: Graph
  public let weights: [String: Tensor]
  /// The plan to run on; nil plans for each call's batch.
  public let plan: MemoryPlan?
  /// `plan`'s program, bound once.
  private let program: Program?
  /// `program`, lent to each run without counting references to it (that was a tenth of a small
  /// model's Swift time): `program` keeps it alive as long as the interpreter, and so for the run.
  private let lentProgram: Unmanaged<Program>?
  /// The model's input nodes, found once: a run of a small model costs microseconds.
  private let inputNodes: [Node]

  public init(graph: Graph, weights: [String: Tensor], plan: MemoryPlan? = nil) throws {
    self.graph = graph
    self.weights = weights
    self.plan = plan
    self.inputNodes = graph.inputs
    self.program = try plan.map { try Program(graph, weights: weights, plan: $0) }
    self.lentProgram = program.map { Unmanaged.passUnretained($0) }
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
    guard let observe else {
      var outputs: [Tensor] = []
      try run(inputs, into: &outputs)
      return outputs
    }
    return try withProgram(for: inputs) { program, batch in
      try program.withMemory { memory in
        memory.load(inputs, types: program.inputTypes, batch: batch)
        for step in program.steps {
          try program.runCalls(step.calls, memory)
          let node = graph.nodes[step.node]
          try observe(
            node,
            try node.outputs.indices.map { try program.output(ValueRef(node: step.node, output: $0), graph, memory) })
        }
        var outputs: [Tensor] = []
        program.write(memory, into: &outputs)
        return outputs
      }
    }
  }

  /// Runs the graph on `inputs`, as `run(_:)`, writing the model's outputs into `outputs`: a tensor
  /// there already of an output's shape and element type (from the run before) has its elements
  /// overwritten in place, and the others are replaced. A caller that runs a small model again and
  /// again allocates nothing this way, as a caller of the generated C reuses its output buffers.
  public func run(_ inputs: [Tensor], into outputs: inout [Tensor]) throws {
    try withProgram(for: inputs) { program, batch in
      try program.withMemory { memory in
        memory.load(inputs, types: program.inputTypes, batch: batch)
        try program.runCalls(program.allCalls, memory)
        program.write(memory, into: &outputs)
      }
    }
  }

  /// `body`'s result with the program for `inputs`' batch, and the batch, once the inputs are
  /// checked against the model.
  private func withProgram<Result>(for inputs: [Tensor], _ body: (Program, Int) throws -> Result) throws -> Result {
    guard inputs.count == inputNodes.count else {
      throw Diagnostic.error("the model has \(inputNodes.count) inputs; got \(inputs.count)")
    }
    // The first input's first axis, read in place (`inputs.first` would copy the tensor).
    let batch = inputs.isEmpty ? 1 : inputs[0].shape.first ?? 1
    if let lentProgram {
      return try lentProgram._withUnsafeGuaranteedRef { program in
        try check(inputs, batch: batch, program)
        return try body(program, batch)
      }
    }
    let program = try Program(graph, weights: weights, plan: MemoryPlan(graph, maxBatch: max(batch, 1)))
    try check(inputs, batch: batch, program)
    return try body(program, batch)
  }

  private func check(_ inputs: [Tensor], batch: Int, _ program: Program) throws {
    guard batch >= 1, batch <= program.plan.maxBatch else {
      throw Diagnostic.error("the memory plan has room for 1 to \(program.plan.maxBatch) examples; got \(batch)")
    }
    for index in inputs.indices where !program.fits(inputs[index], input: index, batch: batch) {
      let expected = [batch] + program.inputDims[index]
      throw Diagnostic.error(
        "input '\(inputNodes[index].name)' has shape \(describeShape(inputs[index].shape)); expected \(describeShape(expected))"
      )
    }
  }
}

/// A plan's lowered calls bound to their places, in the plan's order, and where the outputs are.
final class Program {
  let plan: MemoryPlan
  /// The model's constants, packed as its kernels read them, at one address for the program's life.
  let constants: UnsafeMutableBufferPointer<Float>
  let inputTypes: [DType]
  /// Each input's bytes at the largest batch.
  let inputBytes: [Int]
  /// Memory earlier runs finished with; a run takes one, or makes one when all are in use. One
  /// waits in `lastSpare`, taken and given back with one atomic exchange each (the lock and the
  /// list cost a tenth of a small model's run); the rest, when runs overlap, in `spares`.
  private let lastSpare = Atomic<Unmanaged<RuntimeMemory>?>(nil)
  private let spares = Mutex<[RuntimeMemory]>([])
  /// The plan's calls, less those it elides, in order.
  private let table: CallTable
  /// Each node the plan schedules, and its calls' indices in `table`.
  let steps: [(node: NodeID, calls: Range<Int>)]
  var allCalls: Range<Int> { 0..<table.calls.count }
  /// Each input's shape less its batch.
  let inputDims: [[Int]]
  /// Where each model output is and what it holds.
  private let outputs: [Output]

  struct Output {
    let place: Place
    let dtype: DType
    /// The shape less its batch, and its elements per example.
    let dims: [Int]
    let elements: Int
    /// The shape at batch 1, made once: the shapes of a run of a small model otherwise cost as
    /// much as its arithmetic.
    let shapeAtOne: [Int]
  }

  init(_ graph: Graph, weights: [String: Tensor], plan: MemoryPlan) throws {
    let lowered = try LoweredGraph(
      graph, weights: { weights[$0]?.floats }, maxBatch: plan.maxBatch, layout: Interpreter.weightLayout)
    let calls = plan.callsToRun(lowered)
    self.plan = plan
    // On a cache line, as the arena: the kernels load packed weight panels 64 bytes at a time, and
    // with panels across two lines (16 bytes off, as malloc may place them) a run of mlp_iris took
    // 0.19–0.20 µs against 0.17–0.18.
    let count = max(lowered.constants.count, 1)
    constants = UnsafeMutableBufferPointer(
      start: UnsafeMutableRawPointer.allocate(byteCount: count * 4, alignment: 64).bindMemory(
        to: Float.self, capacity: count),
      count: count)
    _ = constants.initialize(from: lowered.constants)
    inputTypes = graph.inputs.map { $0.outputs[0].dtype }
    inputBytes = graph.inputs.map { $0.outputs[0].dims.reduce(plan.maxBatch * 4, *) }
    let scheduled = plan.schedule.map { node in (node, calls[node] ?? []) }
    table = try CallTable(
      scheduled.flatMap { node, calls in calls.map { (node, $0) } }, graph: graph, plan: plan)
    var first = 0
    steps = scheduled.map { node, calls in
      defer { first += calls.count }
      return (node, first..<first + calls.count)
    }
    inputDims = graph.inputs.map { $0.outputs[0].dims }
    outputs = try graph.outputs.map { value in
      let type = graph.type(of: value)
      return Output(
        place: try Self.place(of: value, graph, plan), dtype: type.dtype, dims: type.dims,
        elements: type.dims.reduce(1, *), shapeAtOne: [1] + type.dims)
    }
  }

  deinit {
    lastSpare.exchange(nil, ordering: .acquiring)?.release()
    UnsafeMutableRawPointer(constants.baseAddress)?.deallocate()
  }

  /// The model's outputs after a run on `memory`, into `tensors`' storage where it fits.
  func write(_ memory: RuntimeMemory, into tensors: inout [Tensor]) {
    if tensors.count != outputs.count {
      tensors = outputs.map { _ in Tensor(shape: [], floats: []) }
    }
    let batch = memory.batch
    outputs.withUnsafeBufferPointer { outputs in
      tensors.withUnsafeMutableBufferPointer { tensors in
        for index in outputs.indices {
          // Field by field: a copy of the whole output would retain its arrays, every run.
          let (place, dtype, count) = (outputs[index].place, outputs[index].dtype, batch &* outputs[index].elements)
          if batch == 1 {
            memory.write(place, dtype: dtype, into: &tensors[index], shape: outputs[index].shapeAtOne, count: count)
          } else if tensors[index].shape.first == batch,
            tensors[index].shape.dropFirst().elementsEqual(outputs[index].dims)
          {
            // The shape the tensor has already, rather than a new array for it each run.
            memory.write(place, dtype: dtype, into: &tensors[index], shape: tensors[index].shape, count: count)
          } else {
            memory.write(
              place, dtype: dtype, into: &tensors[index], shape: [batch] + outputs[index].dims, count: count)
          }
        }
      }
    }
  }

  /// Whether `tensor` has input `index`'s shape at `batch`, with as many elements as its shape says.
  func fits(_ tensor: Tensor, input index: Int, batch: Int) -> Bool {
    // Read in place, never bound to a name: a copy of either array costs more than the comparison.
    guard tensor.shape.count == inputDims[index].count + 1, tensor.shape[0] == batch else { return false }
    // The count the plan has room for (so the product cannot overflow), axis by axis.
    var count = batch
    for axis in inputDims[index].indices {
      guard tensor.shape[axis + 1] == inputDims[index][axis] else { return false }
      count &*= inputDims[index][axis]
    }
    return tensor.count == count
  }

  /// The calls `range` holds, in order, on `memory`; an error names the node whose call failed.
  func runCalls(_ range: Range<Int>, _ memory: RuntimeMemory) throws {
    let stopped = table.calls.withUnsafeBufferPointer { calls in
      dlc_run_calls(
        calls.baseAddress.map { $0 + range.lowerBound }, range.count,
        memory.arguments.assumingMemoryBound(to: dlc_argument.self))
    }
    guard stopped == range.count else { throw failure(of: range.lowerBound + stopped, memory) }
  }

  /// Why call `index` stopped the run: `dlc_embedding` read a token id outside its table.
  private func failure(of index: Int, _ memory: RuntimeMemory) -> Diagnostic {
    let (node, nodeName, call) = table.sources[index]
    guard case .embedding(let ids, let count, _, let rows, _, _) = call,
      let place = try? CallBinder(plan: plan, node: node, nodeName: nodeName).place(ids)
    else {
      return Diagnostic.error("internal error: the runtime stopped at a call that cannot fail", node: node)
    }
    let source = memory.raw(place)?.assumingMemoryBound(to: Int32.self)
    return badToken(
      source, count: count.value(batch: memory.batch), rows: rows, node: node, nodeName: nodeName)
  }

  /// `body`'s result on a run memory no other run is using, kept for the next run. The memory is
  /// held unmanaged from its taking to its giving back: counting references to it cost as much as
  /// the taking.
  func withMemory<Result>(_ body: (RuntimeMemory) throws -> Result) rethrows -> Result {
    let memory = takeMemory()
    defer { giveBack(memory) }
    return try memory._withUnsafeGuaranteedRef(body)
  }

  private func takeMemory() -> Unmanaged<RuntimeMemory> {
    if let last = lastSpare.exchange(nil, ordering: .acquiring) { return last }
    return Unmanaged.passRetained(
      spares.withLock { $0.popLast() }
        ?? RuntimeMemory(
          arenaBytes: plan.totalBytes, inputBytes: inputBytes, constants: constants.baseAddress, table: table))
  }

  private func giveBack(_ memory: Unmanaged<RuntimeMemory>) {
    if !lastSpare.compareExchange(expected: nil, desired: memory, ordering: .releasing).exchanged {
      spares.withLock { $0.append(memory.takeRetainedValue()) }
    }
  }

  /// Where the plan puts a value; `.none` for one it does not hold (a layer's unused output).
  static func place(of value: ValueRef, _ graph: Graph, _ plan: MemoryPlan) throws -> Place {
    guard plan.placement[value] != nil else { return .none }
    return try CallBinder(plan: plan, node: value.node, nodeName: graph.nodes[value.node].name)
      .place(Operand(.value(value)))
  }

  /// A layer's output as a tensor, for `observe`.
  func output(_ value: ValueRef, _ graph: Graph, _ memory: RuntimeMemory) throws -> Tensor {
    let type = graph.type(of: value)
    return memory.tensor(
      at: try Self.place(of: value, graph, plan), shape: [memory.batch] + type.dims, dtype: type.dtype)
  }
}
