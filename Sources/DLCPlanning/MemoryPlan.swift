// Where every tensor of a graph lives during a call: a model input, or bytes of one arena. The plan
// is a value both backends consume — the C backend turns offsets into pointers, the interpreter
// keeps its tensors at the same offsets — so a plan that is wrong shows up as wrong numbers in
// either. Tensors share bytes in three ways:
//   views        Flatten, Reshape and the inference identities reinterpret their input's bytes;
//   in place     an element-wise layer writes over its first or second input when that input is
//                read nowhere later and has the output's size;
//   slices       a Concatenate's inputs are written straight into their slices of its output when
//                the slices are contiguous (nothing but size-1 axes, batch included, before the
//                concatenation axis), so the concatenation copies nothing.
// What is left becomes buffers with lifetimes, placed by `ArenaPlan` (greedy by size).
import DLCIR
import DLCLayers
import DLCSupport

public struct MemoryPlan: Sendable {
  public enum Placement: Equatable, Sendable {
    /// The model input at this index (the entry point's parameter; never in the arena).
    case input(Int)
    /// `offset` bytes into buffer `buffer` of the arena.
    case arena(buffer: Int, offset: Int)
  }

  /// Why a value shares bytes with another, for the reports.
  public enum Sharing: Equatable, Sendable {
    case view(of: ValueRef)
    case inPlace(of: ValueRef)
    case slice(of: ValueRef, offset: Int)
  }

  public let graph: Graph
  /// The largest batch the plan has room for.
  public let maxBatch: Int
  /// The layers in execution order; step `i` runs `schedule[i]`.
  public let schedule: [NodeID]
  public let placement: [ValueRef: Placement]
  public let sharing: [ValueRef: Sharing]
  /// The buffer holding each node's scratch, for nodes that need one.
  public let scratch: [NodeID: Int]
  /// The buffers, their lifetimes in steps and their offsets.
  public internal(set) var arena: ArenaPlan
  /// What each buffer holds: the names of the tensors computed into it, or "<layer> scratch".
  public let labels: [String]
  /// Bytes if every tensor and scratch area had memory of its own.
  public let naiveBytes: Int

  public var totalBytes: Int { arena.totalBytes }
  /// The most bytes alive at one step, counting tensors that share bytes by design once.
  public var lowerBoundBytes: Int { arena.lowerBoundBytes }

  /// The arena offset of a value in bytes; nil for model inputs.
  public func byteOffset(of value: ValueRef) -> Int? {
    guard case .arena(let buffer, let offset) = placement[value] else { return nil }
    return arena.offsets[buffer] + offset
  }

  /// The arena offset of a node's scratch in bytes; nil when it needs none.
  public func scratchOffset(of node: NodeID) -> Int? { scratch[node].map { arena.offsets[$0] } }

  /// Bytes a value takes at the plan's batch.
  public func bytes(of value: ValueRef) -> Int { Self.bytes(of: value, in: graph, maxBatch: maxBatch) }

  static func bytes(of value: ValueRef, in graph: Graph, maxBatch: Int) -> Int {
    maxBatch * graph.type(of: value).elementCount * 4
  }

  /// Plans `graph` for calls of up to `maxBatch` examples, with the working memory each layer's
  /// lowering asks for beyond its outputs (im2col columns, recurrent gates).
  public init(
    _ graph: Graph, maxBatch: Int = 1, registry: LayerRegistry = .standard
  ) throws {
    guard (1...Limits.maxBatch).contains(maxBatch) else {
      throw Diagnostic.error("the batch must be between 1 and \(Limits.describe(Limits.maxBatch)); got \(maxBatch)")
    }
    // Every byte count below is at most `Limits.maxBytes`, so offsets and totals cannot overflow.
    for node in graph.nodes {
      for (index, type) in node.outputs.enumerated() {
        guard let size = Checked.product(maxBatch, type.elementCount, 4), size <= Limits.maxBytes else {
          throw Diagnostic.error(
            "too large: \(graph.name(of: ValueRef(node: node.id, output: index))) (\(node.op)) needs more than "
              + "\(Limits.describe(Limits.maxBytes)) bytes for \(Limits.describe(maxBatch)) examples", node: node.id)
        }
      }
    }
    let scratchFloats = LoweredGraph.scratchFloats(graph, maxBatch: maxBatch, registry: registry)
    let schedule = graph.layers
    let steps = schedule.count
    let step = Dictionary(uniqueKeysWithValues: schedule.enumerated().map { ($1.id, $0) })
    let memory = { (node: Node) in Self.memory(of: node, registry: registry) }
    let bytes = { (value: ValueRef) in Self.bytes(of: value, in: graph, maxBatch: maxBatch) }

    // The last step that reads each value, through the views of it; model outputs live to the end.
    var lastRead: [ValueRef: Int] = [:]
    for node in schedule {
      for input in node.inputs { lastRead[input] = max(lastRead[input] ?? -1, step[node.id] ?? -1) }
    }
    for output in graph.outputs { lastRead[output] = steps }
    for node in schedule.reversed() where memory(node) == .viewOfInput {
      let view = ValueRef(node: node.id)
      if let read = lastRead[view] { lastRead[node.inputs[0]] = max(lastRead[node.inputs[0]] ?? -1, read) }
    }

    let slices = Self.concatenationSlices(graph, schedule: schedule, maxBatch: maxBatch, memory: memory)

    var placement: [ValueRef: Placement] = [:]
    var sharing: [ValueRef: Sharing] = [:]
    var buffers: [ArenaPlan.Buffer] = []
    var labels: [String] = []
    var scratch: [NodeID: Int] = [:]
    var naive = 0
    /// The values each buffer holds, for its lifetime.
    var residents: [[ValueRef]] = []

    /// A new buffer; its label is "<layer> scratch" for scratch, else made from its residents below.
    func newBuffer(_ size: Int, at step: Int, scratchOf node: Node? = nil) -> Int {
      buffers.append(.init(bytes: size, firstUse: step, lastUse: step))
      labels.append(node.map { "\($0.name) scratch" } ?? "")
      residents.append([])
      return buffers.count - 1
    }
    func place(_ value: ValueRef, in buffer: Int, offset: Int) {
      placement[value] = .arena(buffer: buffer, offset: offset)
      residents[buffer].append(value)
    }

    for (index, input) in graph.inputs.enumerated() { placement[ValueRef(node: input.id)] = .input(index) }
    for (now, node) in schedule.enumerated() {
      if memory(node) == .viewOfInput {
        let source = node.inputs[0]
        placement[ValueRef(node: node.id)] = placement[source]
        sharing[ValueRef(node: node.id)] = .view(of: source)
        if case .arena(let buffer, _) = placement[source] { residents[buffer].append(ValueRef(node: node.id)) }
        continue
      }
      for (index, type) in node.outputs.enumerated() {
        let value = ValueRef(node: node.id, output: index)
        guard type.dtype == .float32 else {
          throw Diagnostic.error(
            "\(node.name) (\(node.op)) produces \(type.dtype) values; the arena holds float32", node: node.id)
        }
        naive += ArenaPlan.aligned(bytes(value))
        if let slice = slices[value] {
          if placement[slice.concatenation] == nil {
            let buffer = newBuffer(bytes(slice.concatenation), at: now)
            place(slice.concatenation, in: buffer, offset: 0)
          }
          guard case .arena(let buffer, _) = placement[slice.concatenation] else { continue }
          place(value, in: buffer, offset: slice.offset)
          sharing[value] = .slice(of: slice.concatenation, offset: slice.offset)
          continue
        }
        if placement[value] != nil { continue }  // a Concatenate's output, placed by its first slice
        if index == 0, memory(node) == .elementwise,
          let target = node.inputs.prefix(2).first(where: { input in
            guard case .arena(let buffer, 0) = placement[input], buffers[buffer].bytes == bytes(value) else {
              return false
            }
            return residents[buffer].allSatisfy { (lastRead[$0] ?? -1) <= now }
          }), case .arena(let buffer, _) = placement[target]
        {
          place(value, in: buffer, offset: 0)
          sharing[value] = .inPlace(of: target)
          continue
        }
        place(value, in: newBuffer(bytes(value), at: now), offset: 0)
      }
      let floats = scratchFloats(node)
      guard let scratchBytes = Checked.product(floats, 4), scratchBytes <= Limits.maxBytes else {
        throw Diagnostic.error(
          "too large: \(node.name) (\(node.op)) needs more than \(Limits.describe(Limits.maxBytes)) bytes of "
            + "working memory for \(Limits.describe(maxBatch)) examples", node: node.id)
      }
      if floats > 0 {
        scratch[node.id] = newBuffer(floats * 4, at: now, scratchOf: node)
        naive += ArenaPlan.aligned(floats * 4)
      }
    }
    // A buffer lives from its first writer to the last read of anything in it, and is labelled
    // with every tensor computed into it.
    for (buffer, values) in residents.enumerated() where !values.isEmpty {
      labels[buffer] = values.filter { if case .view = sharing[$0] { false } else { true } }.map(graph.name(of:))
        .joined(separator: ", ")
      for value in values {
        let written = step[value.node] ?? 0
        buffers[buffer].firstUse = min(buffers[buffer].firstUse, written)
        buffers[buffer].lastUse = max(buffers[buffer].lastUse, lastRead[value] ?? written)
      }
    }

    self.graph = graph
    self.maxBatch = maxBatch
    self.schedule = schedule.map(\.id)
    self.placement = placement
    self.sharing = sharing
    self.scratch = scratch
    self.arena = ArenaPlan(buffers)
    self.labels = labels
    self.naiveBytes = naive
    guard arena.totalBytes <= Limits.maxBytes else {
      throw Diagnostic.error(
        "too large: the arena needs \(Limits.describe(arena.totalBytes)) bytes for \(Limits.describe(maxBatch)) "
          + "example\(maxBatch == 1 ? "" : "s"), more than \(Limits.describe(Limits.maxBytes))")
    }
  }

  /// How a node's output uses memory: its layer's `OutputMemory`; a fused element-wise chain reads
  /// every operand at element i before writing element i, like the layers it replaced.
  public static func memory(of node: Node, registry: LayerRegistry = .standard) -> OutputMemory {
    registry.definition(ofOp: node.op)?.memory ?? .separate
  }

  /// Inputs of Concatenate layers that can be written straight into their slice of its output:
  /// the slices are contiguous, and the input is computed by a layer of its own (not a view, not a
  /// model input, not another concatenation) for this concatenation alone.
  static func concatenationSlices(
    _ graph: Graph, schedule: [Node], maxBatch: Int, memory: (Node) -> OutputMemory
  ) -> [ValueRef: (concatenation: ValueRef, offset: Int)] {
    var slices: [ValueRef: (concatenation: ValueRef, offset: Int)] = [:]
    guard maxBatch == 1 else { return slices }
    for node in schedule where node.traits.concatenates {
      let dims = node.outputs[0].dims
      var axis = node.attributes["axis"]?.intValue ?? -1
      if axis < 0 { axis += dims.count + 1 }
      guard axis >= 1, axis <= dims.count, dims[..<(axis - 1)].allSatisfy({ $0 == 1 }) else { continue }
      var offset = 0
      for input in node.inputs {
        let producer = graph.nodes[input.node]
        if !producer.isInput, !producer.traits.concatenates, memory(producer) != .viewOfInput,
          node.inputs.filter({ $0 == input }).count == 1, slices[input] == nil
        {
          slices[input] = (ValueRef(node: node.id), offset)
        }
        offset += graph.type(of: input).elementCount * 4
      }
    }
    return slices
  }
}

extension MemoryPlan {
  /// The plan as text, one buffer per line by arena offset: where it sits, its size, the steps it
  /// is alive for and what is computed into it (how each tensor shares it, if it does).
  public var report: String {
    let grouped = NumberText.grouped
    var residents = [[String]](repeating: [], count: arena.buffers.count)
    for id in schedule {
      for index in graph.nodes[id].outputs.indices {
        let value = ValueRef(node: id, output: index)
        guard case .arena(let buffer, _) = placement[value] else { continue }
        switch sharing[value] {
        case .view: continue
        case .inPlace(let source): residents[buffer].append("\(graph.name(of: value)) (over \(graph.name(of: source)))")
        case .slice(let whole, let offset):
          residents[buffer].append("\(graph.name(of: value)) (in \(graph.name(of: whole)) at +\(offset))")
        case nil: residents[buffer].append(graph.name(of: value))
        }
      }
    }
    for (node, buffer) in scratch { residents[buffer] = ["\(graph.nodes[node].name) scratch"] }
    let rows = arena.buffers.indices.sorted { (arena.offsets[$0], $0) < (arena.offsets[$1], $1) }.map { index in
      let buffer = arena.buffers[index]
      return (
        grouped(arena.offsets[index]), grouped(buffer.bytes), "\(buffer.firstUse)-\(buffer.lastUse)",
        residents[index].joined(separator: ", ")
      )
    }
    let widths = (rows.map(\.0.count).max() ?? 0, rows.map(\.1.count).max() ?? 0, rows.map(\.2.count).max() ?? 0)
    func pad(_ text: String, _ width: Int) -> String { String(repeating: " ", count: width - text.count) + text }
    return rows.map { "# \(pad($0.0, widths.0))  \(pad($0.1, widths.1)) B  steps \(pad($0.2, widths.2))  \($0.3)" }
      .joined(separator: "\n") + "\n"
  }
}
