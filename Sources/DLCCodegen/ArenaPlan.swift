// Offsets in one arena for every buffer, from buffer sizes and lifetimes: greedy by size (largest
// first, each at the lowest offset that does not overlap a placed buffer alive at the same time),
// as TensorFlow Lite Micro's planner does. Offsets are 64-byte aligned.

public struct ArenaPlan: Equatable {
  public struct Buffer: Equatable {
    public var bytes: Int
    /// The first and last schedule steps the buffer is alive in, inclusive.
    public var firstUse: Int
    public var lastUse: Int

    public init(bytes: Int, firstUse: Int, lastUse: Int) {
      self.bytes = bytes
      self.firstUse = firstUse
      self.lastUse = lastUse
    }

    func overlapsInTime(_ other: Buffer) -> Bool { firstUse <= other.lastUse && other.firstUse <= lastUse }
  }

  public static let alignment = 64

  public var buffers: [Buffer]
  public var offsets: [Int]
  public var totalBytes: Int

  public init(_ buffers: [Buffer]) {
    self.buffers = buffers
    var offsets = [Int](repeating: 0, count: buffers.count)
    var placed: [Int] = []
    let order = buffers.indices.sorted { buffers[$0].bytes != buffers[$1].bytes ? buffers[$0].bytes > buffers[$1].bytes : $0 < $1 }
    for index in order {
      let buffer = buffers[index]
      // Intervals taken by live neighbours, by offset; the first gap that fits wins.
      let taken = placed.filter { buffers[$0].overlapsInTime(buffer) }.map { (offsets[$0], offsets[$0] + buffers[$0].bytes) }
        .sorted { $0.0 < $1.0 }
      var candidate = 0
      for (start, end) in taken {
        if candidate + buffer.bytes <= start { break }
        candidate = max(candidate, Self.aligned(end))
      }
      offsets[index] = candidate
      placed.append(index)
    }
    self.offsets = offsets
    self.totalBytes = Self.aligned(buffers.indices.map { offsets[$0] + buffers[$0].bytes }.max() ?? 0)
  }

  static func aligned(_ bytes: Int) -> Int { (bytes + alignment - 1) / alignment * alignment }

  /// The sum of all buffers, as if nothing were reused.
  public var naiveBytes: Int { buffers.reduce(0) { $0 + Self.aligned($1.bytes) } }

  /// No plan can do better than the most bytes alive at one step (each buffer rounded up to the
  /// alignment every buffer needs).
  public var lowerBoundBytes: Int {
    let steps = Set(buffers.flatMap { [$0.firstUse, $0.lastUse] })
    return steps.map { step in
      buffers.filter { $0.firstUse <= step && step <= $0.lastUse }.reduce(0) { $0 + Self.aligned($1.bytes) }
    }.max() ?? 0
  }

  /// Pairs of buffers alive at the same time whose bytes overlap; empty for a correct plan.
  public var conflicts: [(Int, Int)] {
    var found: [(Int, Int)] = []
    for a in buffers.indices {
      for b in buffers.indices where a < b && buffers[a].overlapsInTime(buffers[b]) {
        let (startA, endA) = (offsets[a], offsets[a] + buffers[a].bytes)
        let (startB, endB) = (offsets[b], offsets[b] + buffers[b].bytes)
        if startA < endB && startB < endA && buffers[a].bytes > 0 && buffers[b].bytes > 0 { found.append((a, b)) }
      }
    }
    return found
  }
}
