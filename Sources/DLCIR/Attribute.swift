// Layer arguments after binding: normalized constant values the IR carries on each node.
import Foundation

/// A constant argument value. Integer pairs are already expanded (`3` → `[3, 3]`) by the binder.
public indirect enum AttributeValue: Hashable, Sendable, CustomStringConvertible {
  case int(Int)
  case float(Double)
  case string(String)
  case bool(Bool)
  case none
  case ints([Int])
  case list([AttributeValue])
  /// A wrapped layer, such as the LSTM in `Bidirectional(LSTM(10))`.
  case layer(WrappedLayer)

  public var description: String {
    switch self {
    case .int(let value): return String(value)
    case .float(let value): return formatFloat(value)
    case .string(let value): return "\"\(value)\""
    case .bool(let value): return value ? "true" : "false"
    case .none: return "none"
    case .ints(let values):
      return values.count == 1 ? "(\(values[0]),)" : "(" + values.map(String.init).joined(separator: ", ") + ")"
    case .list(let values): return "[" + values.map(\.description).joined(separator: ", ") + "]"
    case .layer(let layer): return layer.description
    }
  }

  public var intValue: Int? {
    if case .int(let value) = self { return value }
    return nil
  }
  public var doubleValue: Double? {
    switch self {
    case .float(let value): return value
    case .int(let value): return Double(value)
    default: return nil
    }
  }
  public var stringValue: String? {
    if case .string(let value) = self { return value }
    return nil
  }
  public var boolValue: Bool? {
    if case .bool(let value) = self { return value }
    return nil
  }
  public var intsValue: [Int]? {
    switch self {
    case .ints(let values): return values
    case .int(let value): return [value]
    default: return nil
    }
  }
  public var isNone: Bool { self == .none }
}

/// A shortest round-tripping decimal, stable across platforms: `0.001`, `1e-06`, `2.0`.
public func formatFloat(_ value: Double) -> String {
  if value == value.rounded(), abs(value) < 1e15 { return String(format: "%.1f", value) }
  return "\(value)"
}

/// Ordered name → value pairs; order is the layer schema's, so printing is deterministic.
public struct Attributes: Hashable, Sendable, Sequence {
  public private(set) var entries: [(name: String, value: AttributeValue)] = []

  public init() {}

  public subscript(name: String) -> AttributeValue? {
    get { entries.first { $0.name == name }?.value }
    set {
      if let index = entries.firstIndex(where: { $0.name == name }) {
        if let newValue { entries[index].value = newValue } else { entries.remove(at: index) }
      } else if let newValue {
        entries.append((name, newValue))
      }
    }
  }

  public func makeIterator() -> IndexingIterator<[(name: String, value: AttributeValue)]> {
    entries.makeIterator()
  }

  public static func == (lhs: Attributes, rhs: Attributes) -> Bool {
    lhs.entries.count == rhs.entries.count
      && zip(lhs.entries, rhs.entries).allSatisfy { $0.name == $1.name && $0.value == $1.value }
  }

  public func hash(into hasher: inout Hasher) {
    for entry in entries {
      hasher.combine(entry.name)
      hasher.combine(entry.value)
    }
  }
}

/// A layer that exists only inside another (Bidirectional's recurrent layer).
public struct WrappedLayer: Hashable, Sendable, CustomStringConvertible {
  public var op: String
  public var name: String
  public var attributes: Attributes

  public init(op: String, name: String, attributes: Attributes) {
    self.op = op
    self.name = name
    self.attributes = attributes
  }

  public var description: String {
    // Arguments left at none (and the common ones) are noise in IR dumps and messages.
    "\(op)("
      + attributes.filter { !$0.value.isNone && $0.name != "trainable" }.map { "\($0.name)=\($0.value)" }
      .joined(separator: ", ") + ")"
  }
}
