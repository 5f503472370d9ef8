// Keras configurations are JSON; this is the JSON the importer walks (any value, checked on read).
import Foundation

indirect enum JSONValue: Equatable, Decodable {
  case null
  case bool(Bool)
  case number(Double)
  case string(String)
  case array([JSONValue])
  case object([String: JSONValue])

  init(from decoder: Decoder) throws {
    let container = try decoder.singleValueContainer()
    if container.decodeNil() {
      self = .null
    } else if let value = try? container.decode(Bool.self) {
      self = .bool(value)
    } else if let value = try? container.decode(Double.self) {
      self = .number(value)
    } else if let value = try? container.decode(String.self) {
      self = .string(value)
    } else if let value = try? container.decode([JSONValue].self) {
      self = .array(value)
    } else {
      self = .object(try container.decode([String: JSONValue].self))
    }
  }

  static func parse(_ bytes: [UInt8]) -> JSONValue? { try? JSONDecoder().decode(JSONValue.self, from: Data(bytes)) }

  subscript(key: String) -> JSONValue? {
    if case .object(let members) = self { return members[key] }
    return nil
  }

  var string: String? {
    if case .string(let value) = self { return value }
    return nil
  }

  var array: [JSONValue]? {
    if case .array(let values) = self { return values }
    return nil
  }

  var object: [String: JSONValue]? {
    if case .object(let members) = self { return members }
    return nil
  }

  var bool: Bool? {
    if case .bool(let value) = self { return value }
    return nil
  }

  /// A whole number that fits an Int.
  var int: Int? {
    guard case .number(let value) = self, value.rounded() == value, abs(value) < 9e15 else { return nil }
    return Int(value)
  }

  /// Keras' ways of saying "nothing here": None, False, 0, an empty string or list.
  var isOff: Bool {
    switch self {
    case .null: return true
    case .bool(let value): return !value
    case .number(let value): return value == 0
    case .string(let value): return value.isEmpty
    case .array(let values): return values.isEmpty
    case .object: return false
    }
  }

  /// The value as Python would print it, for messages.
  var python: String {
    switch self {
    case .null: return "None"
    case .bool(let value): return value ? "True" : "False"
    case .number(let value): return int.map(String.init) ?? "\(value)"
    case .string(let value): return "'\(value)'"
    case .array(let values): return "[" + values.map(\.python).joined(separator: ", ") + "]"
    case .object(let members):
      if let className = members["class_name"]?.string { return className + "(...)" }
      return "{...}"
    }
  }
}
