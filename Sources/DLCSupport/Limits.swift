// The sizes dlc accepts, and arithmetic that reports overflow instead of trapping. Every number a
// user writes (a dimension, an argument, a batch size, a length in a file header) is checked
// against these before it is multiplied, added or allocated. docs/language.md states them.

import Foundation

public enum Limits {
  /// The largest dimension and the largest integer argument (in magnitude): the generated C
  /// indexes with `int`, and two such numbers multiply without overflow.
  public static let maxDimension = Int(Int32.max)
  /// Elements in one example of one tensor, and in one weight: 2⁴⁰ (4 TiB of float32).
  public static let maxElements = 1 << 40
  /// Parameters of a whole model: 2⁴⁰.
  public static let maxParameters = 1 << 40
  /// The most examples in one batch.
  public static let maxBatch = Int(Int32.max)
  /// Bytes of one arena, one tensor at a batch, or one weight file: 2⁴⁰ (1 TiB).
  public static let maxBytes = 1 << 40
  /// Nesting of parentheses, brackets and wrapped layers in one value.
  public static let maxNesting = 64
  /// Elements of one tensor the generated C handles (it counts some loops with `int`).
  public static let maxCElements = Int(Int32.max)

  /// "2,147,483,647" style text for messages.
  public static func describe(_ value: Int) -> String { NumberText.grouped(value) }
}

/// Integer arithmetic that returns nil on overflow.
public enum Checked {
  public static func product<S: Sequence>(_ values: S) -> Int? where S.Element == Int {
    var result = 1
    for value in values {
      let (next, overflow) = result.multipliedReportingOverflow(by: value)
      if overflow { return nil }
      result = next
    }
    return result
  }

  /// The product of counts that may themselves have overflowed (nil).
  public static func product(_ values: Int?...) -> Int? {
    let known = values.compactMap { $0 }
    return known.count == values.count ? product(known) : nil
  }

  public static func sum<S: Sequence>(_ values: S) -> Int? where S.Element == Int {
    var result = 0
    for value in values {
      let (next, overflow) = result.addingReportingOverflow(value)
      if overflow { return nil }
      result = next
    }
    return result
  }

  /// The sum of counts that may themselves have overflowed (nil).
  public static func sum(_ values: Int?...) -> Int? {
    let known = values.compactMap { $0 }
    return known.count == values.count ? sum(known) : nil
  }
}

/// How much memory an allocation may take: checked before weights, arenas and inputs are allocated,
/// so a model too big for the machine is a clear error rather than an abort inside the allocator.
public enum MemoryBudget {
  /// Bytes the system can still hand out (Linux' MemAvailable), or nil where that is unknown.
  public static var availableBytes: Int? {
    guard let text = try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8) else { return nil }
    for line in text.split(separator: "\n") where line.hasPrefix("MemAvailable:") {
      let fields = line.split(separator: " ")
      if fields.count >= 2, let kibibytes = Int(fields[1]) { return kibibytes * 1024 }
    }
    return nil
  }

  /// Why `bytes` (nil: beyond 64 bits) for `what` cannot be allocated, or nil when it can.
  public static func problem(_ bytes: Int?, for what: String) -> String? {
    guard let bytes, bytes <= Limits.maxBytes else {
      return "too large: \(what) would need more than \(Limits.describe(Limits.maxBytes)) bytes"
    }
    if let available = availableBytes, bytes > available {
      return "not enough memory for \(what): \(NumberText.byteSize(Double(bytes))) needed, "
        + "\(NumberText.byteSize(Double(available))) available"
    }
    return nil
  }
}
