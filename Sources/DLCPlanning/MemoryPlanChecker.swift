// An independent check of a memory plan: from the graph alone (not the planner's buffers or
// lifetimes) it works out when each tensor and scratch area is alive and which bytes it takes, and
// reports every two that overlap in both. Sharing is allowed only where the layers make it
// correct: a view and its source (the same bytes), an element-wise layer's output over an input it
// reads for the last time, and a Concatenate's input in its own slice of the output.
import DLCIR
import DLCLayers

extension MemoryPlan {
  public struct Overlap: Equatable, CustomStringConvertible, Sendable {
    public var first: String
    public var second: String
    public var description: String { "\(first) and \(second) are alive together in overlapping bytes" }
  }

  public func overlaps(registry: LayerRegistry = .standard) -> [Overlap] {
    struct Occupant {
      var name: String
      var value: ValueRef?
      var bytes: Range<Int>
      var alive: ClosedRange<Int>
    }
    let step = Dictionary(uniqueKeysWithValues: schedule.enumerated().map { ($1, $0) })
    let memory = { (node: Node) in MemoryPlan.memory(of: node, registry: registry) }
    var lastRead: [ValueRef: Int] = [:]
    for id in schedule {
      for input in graph.nodes[id].inputs { lastRead[input] = max(lastRead[input] ?? -1, step[id] ?? -1) }
    }
    for output in graph.outputs { lastRead[output] = schedule.count }

    var occupants: [Occupant] = []
    for id in schedule {
      let node = graph.nodes[id]
      let written = step[id] ?? 0
      for index in node.outputs.indices {
        let value = ValueRef(node: id, output: index)
        guard let offset = byteOffset(of: value) else { continue }
        occupants.append(
          Occupant(
            name: graph.name(of: value), value: value, bytes: offset..<(offset + bytes(of: value)),
            alive: written...max(written, lastRead[value] ?? written)))
      }
      if let offset = scratchOffset(of: id), let buffer = scratch[id] {
        occupants.append(
          Occupant(
            name: "\(node.name) scratch", bytes: offset..<(offset + arena.buffers[buffer].bytes),
            alive: written...written))
      }
    }

    /// Whether `derived` may share `source`'s bytes by what its layer does.
    func sharesByDesign(_ source: Occupant, _ derived: Occupant) -> Bool {
      guard let sourceValue = source.value, let derivedValue = derived.value else { return false }
      let node = graph.nodes[derivedValue.node]
      guard node.inputs.contains(sourceValue) else {
        // A view of a view: follow the chain down to `source`.
        guard memory(node) == .viewOfInput, let inner = occupants.first(where: { $0.value == node.inputs[0] }) else {
          return false
        }
        return derived.bytes == source.bytes && sharesByDesign(source, inner)
      }
      switch memory(node) {
      case .viewOfInput:
        return derived.bytes == source.bytes
      case .elementwise:
        let readsFirstOrSecond = node.inputs.prefix(2).contains(sourceValue)
        return readsFirstOrSecond && derived.bytes == source.bytes
          && source.alive.upperBound == derived.alive.lowerBound
      case .separate:
        guard node.traits.concatenates, let position = node.inputs.firstIndex(of: sourceValue) else { return false }
        let before = node.inputs[..<position].reduce(0) { $0 + bytes(of: $1) }
        return source.bytes.lowerBound == derived.bytes.lowerBound + before
          && source.bytes.count <= derived.bytes.count - before
      }
    }

    var found: [Overlap] = []
    for (i, a) in occupants.enumerated() {
      for b in occupants[(i + 1)...] where a.bytes.overlaps(b.bytes) && a.alive.overlaps(b.alive) {
        if sharesByDesign(a, b) || sharesByDesign(b, a) { continue }
        found.append(Overlap(first: a.name, second: b.name))
      }
    }
    return found
  }
}
