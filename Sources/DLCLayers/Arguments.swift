// Layer argument schemas and binding: call-site literals → checked, normalized `Attributes`.
import DLCIR
import DLCSupport

/// A constant as written at a call site, after block parameters were substituted.
public struct Literal {
  public indirect enum Kind {
    case int(Int)
    case float(Double)
    case string(String)
    case bool(Bool)
    case none
    /// A bare word that names nothing in scope (`activation=relu`).
    case symbol(String)
    case tuple([Literal])
    case list([Literal])
    /// A layer written as an argument (`Bidirectional(LSTM(10))`), bound on demand.
    case call(LayerCall)
  }

  public var kind: Kind
  public var range: SourceRange

  public init(_ kind: Kind, _ range: SourceRange) {
    self.kind = kind
    self.range = range
  }

  /// How the value is named in type errors.
  public var phrase: String {
    switch kind {
    case .int(let value): return "integer \(value)"
    case .float(let value): return "number \(formatFloat(value))"
    case .string(let value): return "string \"\(value)\""
    case .bool(let value): return value ? "true" : "false"
    case .none: return "none"
    case .symbol(let value): return "symbol '\(value)'"
    case .tuple: return "a tuple"
    case .list: return "a list"
    case .call(let call): return "a call to \(call.callee)"
    }
  }

  /// The literal as an attribute, for arguments dlc records without interpreting.
  var recorded: AttributeValue {
    switch kind {
    case .int(let value): return .int(value)
    case .float(let value): return .float(value)
    case .string(let value), .symbol(let value): return .string(value)
    case .bool(let value): return .bool(value)
    case .none: return .none
    case .tuple(let values), .list(let values): return .list(values.map(\.recorded))
    case .call(let call): return .string(call.callee + "(...)")
    }
  }
}

/// A layer call: a callee, its arguments and where it was written.
public struct LayerCall {
  public var callee: String
  public var calleeRange: SourceRange
  public var arguments: [(label: String?, labelRange: SourceRange?, value: Literal)]
  public var range: SourceRange

  public init(
    callee: String, calleeRange: SourceRange, arguments: [(label: String?, labelRange: SourceRange?, value: Literal)],
    range: SourceRange
  ) {
    self.callee = callee
    self.calleeRange = calleeRange
    self.arguments = arguments
    self.range = range
  }
}

/// The type of one argument, with its accepted spellings and range.
public enum ArgumentType {
  case int(min: Int? = nil, max: Int? = nil)
  case float(min: Double? = nil, max: Double? = nil)
  /// A number, or a tuple of numbers (Normalization's per-channel `mean=`).
  case numbers(min: Double? = nil)
  case bool
  /// One of a fixed set of strings (bare words accepted); matched case-insensitively like Keras.
  case choice([String])
  /// An activation name from `Activations`.
  case activation
  /// `3` or `(3, 3)`: an int repeated, or a tuple of exactly `count` ints.
  case intTuple(count: Int, min: Int)
  /// A tuple of ints of any length, such as Reshape's `target_shape`.
  case intList
  /// One axis or a tuple of axes.
  case axes
  /// Padding or cropping amounts: `p`, `(a, b)` or, for 2-D, `((top, bottom), (left, right))`; normalized to a flat list.
  case padding(dimensions: Int)
  /// A layer (only Bidirectional's wrapped recurrent layer).
  case layer
  /// Training-time settings (initializers, regularizers, constraints, seeds): accepted and recorded, not interpreted.
  case trainingOnly
  /// A string (a name).
  case string
  /// A Keras feature dlc does not implement and that would change the model: only `none` (or 0) is
  /// accepted, anything else is an error giving the reason, never silently ignored.
  case unsupported(reason: String)
}

public struct ArgumentSpec {
  public let name: String
  public let type: ArgumentType
  /// nil means the argument is required.
  public let defaultValue: AttributeValue?
  /// Whether `none` is accepted.
  public let nullable: Bool
  /// Whether the argument may be given positionally (Keras' own positional parameters).
  public let positional: Bool

  public init(
    _ name: String, _ type: ArgumentType, default defaultValue: AttributeValue? = nil, nullable: Bool = false,
    positional: Bool = true
  ) {
    self.name = name
    self.type = type
    self.defaultValue = defaultValue
    self.nullable = nullable || defaultValue == AttributeValue.none
    self.positional = positional
  }

  public var isRequired: Bool { defaultValue == nil }

  /// Keyword arguments every Keras layer takes.
  static let common: [ArgumentSpec] = [
    ArgumentSpec("name", .string, default: AttributeValue.none, positional: false),
    ArgumentSpec("trainable", .bool, default: .bool(true), positional: false),
    ArgumentSpec("dtype", .choice(["float32"]), default: AttributeValue.none, positional: false),
  ]

  // Shorthands for the schemas.
  public static func int(_ name: String, min: Int? = nil, max: Int? = nil, default value: Int? = nil) -> ArgumentSpec {
    ArgumentSpec(name, .int(min: min, max: max), default: value.map { .int($0) })
  }
  public static func optionalInt(_ name: String, min: Int? = nil) -> ArgumentSpec {
    ArgumentSpec(name, .int(min: min), default: AttributeValue.none)
  }
  public static func float(_ name: String, min: Double? = nil, max: Double? = nil, default value: Double? = nil)
    -> ArgumentSpec
  {
    ArgumentSpec(name, .float(min: min, max: max), default: value.map { .float($0) })
  }
  public static func bool(_ name: String, default value: Bool) -> ArgumentSpec {
    ArgumentSpec(name, .bool, default: .bool(value))
  }
  public static func choice(_ name: String, _ choices: [String], default value: String?) -> ArgumentSpec {
    ArgumentSpec(name, .choice(choices), default: value.map { .string($0) } ?? AttributeValue.none)
  }
  public static func activation(_ name: String = "activation", default value: String? = nil) -> ArgumentSpec {
    ArgumentSpec(name, .activation, default: .string(value ?? "linear"), nullable: true)
  }
  public static func intTuple(_ name: String, count: Int, min: Int = 1, default value: Int? = nil) -> ArgumentSpec {
    ArgumentSpec(
      name, .intTuple(count: count, min: min), default: value.map { .ints(Array(repeating: $0, count: count)) })
  }
  public static func trainingOnly(_ names: String...) -> [ArgumentSpec] {
    names.map { ArgumentSpec($0, .trainingOnly, default: AttributeValue.none) }
  }
  /// LoRA (`lora_rank`) adds trainable weights that change the layer's parameters and outputs.
  public static let loraRank = ArgumentSpec(
    "lora_rank",
    .unsupported(reason: "LoRA adds weights dlc does not model; merge them into the kernel before exporting"),
    default: AttributeValue.none)

  public static func dataFormat() -> ArgumentSpec {
    choice("data_format", ["channels_last"], default: nil)
  }
}

/// Binds call-site arguments to a schema, reporting every mismatch with its location.
public struct ArgumentBinder {
  /// Binds a wrapped layer argument, naming it; supplied by the elaborator, which owns layer naming.
  public typealias LayerBinder = (LayerCall) throws -> WrappedLayer

  public static func bind(
    _ call: LayerCall, to definition: LayerDef, bindLayer: LayerBinder, diagnostics: DiagnosticEngine
  ) -> Attributes? {
    var given: [String: Literal] = [:]
    var failed = false
    let specs = definition.arguments
    var positionalIndex = 0
    let positionalSpecs = specs.filter(\.positional)

    var sawKeyword = false
    for argument in call.arguments {
      let spec: ArgumentSpec
      if let label = argument.label {
        sawKeyword = true
        guard let found = specs.first(where: { $0.name == label }) else {
          let hint = NearestName.hint(label, among: specs.map(\.name))
          diagnostics.report(
            .error(
              "\(definition.keras) has no argument '\(label)'\(hint)", at: argument.labelRange ?? argument.value.range))
          failed = true
          continue
        }
        spec = found
      } else {
        if sawKeyword {
          diagnostics.report(
            .error(
              "positional argument follows a named argument", at: argument.value.range,
              notes: [DiagnosticNote("give positional arguments first, as in Python")]))
          failed = true
          continue
        }
        guard positionalIndex < positionalSpecs.count else {
          diagnostics.report(
            .error(
              "\(definition.keras) takes at most \(positionalSpecs.count) positional argument\(positionalSpecs.count == 1 ? "" : "s")",
              at: argument.value.range,
              notes: [DiagnosticNote("name the argument, as in name=value")]))
          failed = true
          continue
        }
        spec = positionalSpecs[positionalIndex]
        positionalIndex += 1
      }
      if given[spec.name] != nil {
        diagnostics.report(
          .error("argument '\(spec.name)' of \(definition.keras) is given twice", at: argument.value.range))
        failed = true
        continue
      }
      given[spec.name] = argument.value
    }

    var attributes = Attributes()
    for spec in specs {
      guard let literal = given[spec.name] else {
        if let value = spec.defaultValue {
          attributes[spec.name] = value
        } else if !failed {  // after a misplaced or misspelled argument, "missing" would be noise
          diagnostics.report(
            .error(
              "\(definition.keras) requires argument '\(spec.name)'", at: call.range,
              notes: [DiagnosticNote("signature: \(signature(of: definition))")]))
          failed = true
        }
        continue
      }
      do {
        attributes[spec.name] = try convert(literal, as: spec, layer: definition.keras, bindLayer: bindLayer)
      } catch let diagnostic as Diagnostic {
        diagnostics.report(diagnostic)
        failed = true
      } catch {
        diagnostics.report(.error("\(error)", at: literal.range))
        failed = true
      }
    }
    return failed ? nil : attributes
  }

  /// `Dense(units, activation=None, use_bias=True, ...)`: the user-facing arguments, for notes.
  public static func signature(of definition: LayerDef) -> String {
    let shown = definition.arguments.filter { spec in
      switch spec.type {
      case .trainingOnly, .unsupported: return false
      default: break
      }
      return !ArgumentSpec.common.contains { $0.name == spec.name }
    }
    let parts = shown.map { spec -> String in
      guard let value = spec.defaultValue else { return spec.name }
      return "\(spec.name)=\(value)"
    }
    return "\(definition.keras)(\(parts.joined(separator: ", ")))"
  }

  private static func convert(_ literal: Literal, as spec: ArgumentSpec, layer: String, bindLayer: LayerBinder) throws
    -> AttributeValue
  {
    func mismatch(_ expected: String) -> Diagnostic {
      .error("argument '\(spec.name)' of \(layer) expects \(expected); got \(literal.phrase)", at: literal.range)
    }
    if case .none = literal.kind {
      if case .activation = spec.type { return .string(Activation.linear.rawValue) }
      if spec.nullable { return .none }
      throw mismatch(expectedPhrase(spec.type))
    }
    switch spec.type {
    case .trainingOnly:
      return literal.recorded
    case .unsupported(let reason):
      if case .int(0) = literal.kind { return .none }
      throw Diagnostic.error(
        "argument '\(spec.name)' of \(layer) is not supported: \(reason)", at: literal.range)
    case .string:
      switch literal.kind {
      case .string(let value), .symbol(let value): return .string(value)
      default: throw mismatch("a string")
      }
    case .int(let minimum, let maximum):
      guard case .int(let value) = literal.kind else { throw mismatch("an integer") }
      try checkMagnitude(value, spec, layer, literal.range)
      try checkRange(Double(value), minimum.map(Double.init), maximum.map(Double.init), spec, layer, literal)
      return .int(value)
    case .float(let minimum, let maximum):
      let value: Double
      switch literal.kind {
      case .int(let number): value = Double(number)
      case .float(let number): value = number
      default: throw mismatch("a number")
      }
      try checkRange(value, minimum, maximum, spec, layer, literal)
      return .float(value)
    case .numbers(let minimum):
      let parts: [Literal]
      switch literal.kind {
      case .tuple(let values), .list(let values): parts = values
      default: parts = [literal]
      }
      let values = try parts.map { part -> Double in
        switch part.kind {
        case .int(let number): return Double(number)
        case .float(let number): return number
        default: throw mismatch("a number or a tuple of numbers")
        }
      }
      for value in values { try checkRange(value, minimum, nil, spec, layer, literal) }
      return .list(values.map { .float($0) })
    case .bool:
      guard case .bool(let value) = literal.kind else { throw mismatch("true or false") }
      return .bool(value)
    case .choice(let choices):
      let word: String
      switch literal.kind {
      case .string(let value), .symbol(let value): word = value
      default: throw mismatch("one of " + choices.map { "\"\($0)\"" }.joined(separator: ", "))
      }
      guard let match = choices.first(where: { $0.lowercased() == word.lowercased() }) else {
        if choices.count == 1 {
          throw Diagnostic.error(
            "argument '\(spec.name)' of \(layer) must be \"\(choices[0])\"; got \"\(word)\"", at: literal.range)
        }
        let hint = NearestName.suggest(word, among: choices).map { "; did you mean \"\($0)\"?" } ?? ""
        throw Diagnostic.error(
          "argument '\(spec.name)' of \(layer) must be one of "
            + choices.map { "\"\($0)\"" }.joined(separator: ", ") + "; got \"\(word)\"\(hint)", at: literal.range)
      }
      return .string(match)
    case .activation:
      let word: String
      switch literal.kind {
      case .string(let value), .symbol(let value): word = value
      default: throw mismatch("an activation name")
      }
      guard let activation = Activation.named(word) else {
        let hint = NearestName.hint(word, among: Activation.allNames)
        throw Diagnostic.error("unknown activation '\(word)'\(hint)", at: literal.range)
      }
      return .string(activation.rawValue)
    case .intTuple(let count, let minimum):
      let values = try ints(literal, spec: spec, layer: layer, expected: count)
      let repeated = values.count == 1 && count > 1 ? Array(repeating: values[0], count: count) : values
      guard repeated.count == count else {
        throw mismatch("an integer or a tuple of \(count) integers")
      }
      if let bad = repeated.first(where: { $0 < minimum }) {
        throw Diagnostic.error(
          "argument '\(spec.name)' of \(layer) must be at least \(minimum); got \(bad)", at: literal.range)
      }
      return .ints(repeated)
    case .intList:
      return .ints(try ints(literal, spec: spec, layer: layer, expected: nil))
    case .axes:
      return .ints(try ints(literal, spec: spec, layer: layer, expected: nil))
    case .padding(let dimensions):
      return .ints(try padding(literal, dimensions: dimensions, spec: spec, layer: layer))
    case .layer:
      guard case .call(let call) = literal.kind else { throw mismatch("a layer, as in LSTM(64)") }
      return .layer(try bindLayer(call))
    }
  }

  private static func expectedPhrase(_ type: ArgumentType) -> String {
    switch type {
    case .int: return "an integer"
    case .float: return "a number"
    case .numbers: return "a number or a tuple of numbers"
    case .bool: return "true or false"
    case .choice(let choices): return "one of " + choices.map { "\"\($0)\"" }.joined(separator: ", ")
    case .activation: return "an activation name"
    case .intTuple(let count, _): return "an integer or a tuple of \(count) integers"
    case .intList, .axes: return "a tuple of integers"
    case .padding: return "an integer or a tuple of integers"
    case .layer: return "a layer"
    case .trainingOnly, .string: return "a value"
    case .unsupported: return "none"
    }
  }

  private static func checkRange(
    _ value: Double, _ minimum: Double?, _ maximum: Double?, _ spec: ArgumentSpec, _ layer: String, _ literal: Literal
  ) throws {
    let shown = formatNumber(value)
    if let minimum, value < minimum {
      throw Diagnostic.error(
        "argument '\(spec.name)' of \(layer) must be at least \(formatNumber(minimum)); got \(shown)", at: literal.range
      )
    }
    if let maximum, value > maximum {
      throw Diagnostic.error(
        "argument '\(spec.name)' of \(layer) must be at most \(formatNumber(maximum)); got \(shown)", at: literal.range)
    }
  }

  /// Integer arguments are sizes, counts, axes or offsets; beyond `Limits.maxDimension` none makes sense,
  /// and keeping them below it lets shape rules multiply two of them without overflow.
  private static func checkMagnitude(_ value: Int, _ spec: ArgumentSpec, _ layer: String, _ range: SourceRange) throws {
    guard value.magnitude <= UInt(Limits.maxDimension) else {
      throw Diagnostic.error(
        "too large: argument '\(spec.name)' of \(layer) is \(Limits.describe(value)), "
          + "which exceeds \(Limits.describe(Limits.maxDimension)) in magnitude", at: range)
    }
  }

  private static func formatNumber(_ value: Double) -> String {
    value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : formatFloat(value)
  }

  private static func ints(_ literal: Literal, spec: ArgumentSpec, layer: String, expected: Int?) throws -> [Int] {
    let expectation = expected.map { "an integer or a tuple of \($0) integers" } ?? "a tuple of integers"
    switch literal.kind {
    case .int(let value):
      try checkMagnitude(value, spec, layer, literal.range)
      return [value]
    case .tuple(let elements), .list(let elements):
      return try elements.map { element in
        guard case .int(let value) = element.kind else {
          throw Diagnostic.error(
            "argument '\(spec.name)' of \(layer) expects \(expectation); got \(element.phrase) in it", at: element.range
          )
        }
        try checkMagnitude(value, spec, layer, element.range)
        return value
      }
    default:
      throw Diagnostic.error(
        "argument '\(spec.name)' of \(layer) expects \(expectation); got \(literal.phrase)", at: literal.range)
    }
  }

  /// 1-D: `p` → [p, p]; `(a, b)` → [a, b]. 2-D: `p` → [p, p, p, p]; `(h, w)` → [h, h, w, w];
  /// `((t, b), (l, r))` → [t, b, l, r].
  private static func padding(_ literal: Literal, dimensions: Int, spec: ArgumentSpec, layer: String) throws -> [Int] {
    let shapeHint =
      dimensions == 1
      ? "an integer or a pair (left, right)" : "an integer, a pair (height, width) or ((top, bottom), (left, right))"
    func fail(_ range: SourceRange) -> Diagnostic {
      .error("argument '\(spec.name)' of \(layer) expects \(shapeHint); got \(literal.phrase)", at: range)
    }
    func nonNegative(_ values: [Int]) throws -> [Int] {
      for value in values { try checkMagnitude(value, spec, layer, literal.range) }
      if let bad = values.first(where: { $0 < 0 }) {
        throw Diagnostic.error(
          "argument '\(spec.name)' of \(layer) must not be negative; got \(bad)", at: literal.range)
      }
      return values
    }
    switch literal.kind {
    case .int(let value):
      return try nonNegative(Array(repeating: value, count: 2 * dimensions))
    case .tuple(let elements), .list(let elements):
      guard elements.count == dimensions || (dimensions == 1 && elements.count == 2) else { throw fail(literal.range) }
      if dimensions == 1 {
        let values = try elements.map { element -> Int in
          guard case .int(let value) = element.kind else { throw fail(element.range) }
          return value
        }
        return try nonNegative(values)
      }
      var result: [Int] = []
      for element in elements {
        switch element.kind {
        case .int(let value): result += [value, value]
        case .tuple(let pair), .list(let pair):
          guard pair.count == 2, case .int(let first) = pair[0].kind, case .int(let second) = pair[1].kind else {
            throw fail(element.range)
          }
          result += [first, second]
        default: throw fail(element.range)
        }
      }
      return try nonNegative(result)
    default:
      throw fail(literal.range)
    }
  }
}
