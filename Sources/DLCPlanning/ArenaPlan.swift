// Offsets in one arena for every buffer, from buffer sizes and lifetimes: greedy by size (largest
// first, each at the lowest offset that does not overlap a placed buffer alive at the same time),
// as TensorFlow Lite Micro's planner does, also tried largest size×lifetime first and earliest
// first, keeping the smallest arena. Offsets are 64-byte aligned.

public struct ArenaPlan: Equatable, Sendable {
  public struct Buffer: Equatable, Sendable {
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
    // Greedy by size first; when another order packs tighter (a long-lived buffer placed early
    // can leave a hole no later one fills), that one wins. Ties keep the earlier order.
    let bySize = buffers.indices.sorted { (buffers[$0].bytes, -$0) > (buffers[$1].bytes, -$1) }
    let byArea = buffers.indices.sorted {
      let (a, b) = (buffers[$0], buffers[$1])
      return (a.bytes * (a.lastUse - a.firstUse + 1), -$0) > (b.bytes * (b.lastUse - b.firstUse + 1), -$1)
    }
    let byFirstUse = buffers.indices.sorted {
      (buffers[$0].firstUse, -buffers[$0].bytes, $0) < (buffers[$1].firstUse, -buffers[$1].bytes, $1)
    }
    var best = Self.place(buffers, order: bySize)
    for order in [byArea, byFirstUse] {
      let candidate = Self.place(buffers, order: order)
      if candidate.total < best.total { best = candidate }
    }
    self.offsets = best.offsets
    self.totalBytes = best.total
  }

  /// Each buffer in `order` at the lowest aligned offset clear of the placed buffers alive with it.
  static func place(_ buffers: [Buffer], order: [Int]) -> (offsets: [Int], total: Int) {
    var offsets = [Int](repeating: 0, count: buffers.count)
    var placed: [Int] = []
    for index in order {
      let buffer = buffers[index]
      // Intervals taken by live neighbours, by offset; the first gap that fits wins.
      let taken = placed.filter { buffers[$0].overlapsInTime(buffer) }.map {
        (offsets[$0], offsets[$0] + buffers[$0].bytes)
      }
      .sorted { $0.0 < $1.0 }
      var candidate = 0
      for (start, end) in taken {
        if candidate + buffer.bytes <= start { break }
        candidate = max(candidate, aligned(end))
      }
      offsets[index] = candidate
      placed.append(index)
    }
    return (offsets, aligned(buffers.indices.map { offsets[$0] + buffers[$0].bytes }.max() ?? 0))
  }

  public static func aligned(_ bytes: Int) -> Int { (bytes + alignment - 1) / alignment * alignment }

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
