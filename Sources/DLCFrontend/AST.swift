// The syntax tree of a .dl file. Every node carries the source range it was parsed from.
import DLCSupport

public struct Identifier: Hashable, Sendable {
  public var name: String
  public var range: SourceRange
  public init(_ name: String, _ range: SourceRange) {
    self.name = name
    self.range = range
  }
}

/// file = { NL } "model" ( IDENT | STRING ) [ "functional" ] NL { item }
public struct ModelFile: Sendable {
  public var name: Identifier
  /// Declared `functional`: summarized as Keras summarizes a functional model even when it is a chain.
  public var functional = false
  public var items: [Item]

  public init(name: Identifier, functional: Bool = false, items: [Item]) {
    self.name = name
    self.functional = functional
    self.items = items
  }
}

public enum Item: Sendable {
  case input(InputDecl)
  case assign(Assignment)
  case output(OutputStmt)
  case block(BlockDecl)
  case layer(LayerDecl)

  public var range: SourceRange {
    switch self {
    case .layer(let node): return node.range
    case .input(let node): return node.range
    case .assign(let node): return node.range
    case .output(let node): return node.range
    case .block(let node): return node.range
    }
  }
}

public enum ElementTypeName: String, Sendable {
  case f32, i32
}

/// input = "input" IDENT ":" type NL
public struct InputDecl: Sendable {
  public var name: Identifier
  public var elementType: ElementTypeName
  /// nil for a dimension of any size (`none`, Keras' None).
  public var dimensions: [(value: Int?, range: SourceRange)]
  public var typeRange: SourceRange
  public var range: SourceRange
}

/// assign = IDENT { "," IDENT } "=" pipeline NL
public struct Assignment: Sendable {
  public var targets: [Identifier]
  public var pipeline: Pipeline
  public var range: SourceRange
}

/// layer = IDENT "=" call NL: a layer made once and called in pipelines as `-> NAME()`, each call
/// with the same weights (Keras' shared layers: `encoder = Dense(64)`, then `encoder(a)`, `encoder(b)`).
public struct LayerDecl: Sendable {
  public var name: Identifier
  public var call: Call
  public var range: SourceRange
}

/// output = "output" pipeline { "," pipeline } NL
public struct OutputStmt: Sendable {
  public var pipelines: [Pipeline]
  public var range: SourceRange
}

/// block = "block" IDENT "(" param { "," param } ")" "{" { item } "return" pipeline { "," pipeline } NL "}"
public struct BlockDecl: Sendable {
  public var name: Identifier
  public var parameters: [BlockParameter]
  public var body: [Item]
  public var returns: [Pipeline]
  public var range: SourceRange
}

/// param = IDENT [ "=" value ]
public struct BlockParameter: Sendable {
  public var name: Identifier
  public var defaultValue: Value?
}

/// pipeline = source { "->" call }
public struct Pipeline: Sendable {
  public var sources: [Identifier]
  public var sourceRange: SourceRange
  public var calls: [Call]
  public var range: SourceRange
}

/// call = IDENT "(" [ arg { "," arg } ] ")"
public struct Call: Sendable {
  public var callee: Identifier
  public var arguments: [Argument]
  public var range: SourceRange

  public init(callee: Identifier, arguments: [Argument], range: SourceRange) {
    self.callee = callee
    self.arguments = arguments
    self.range = range
  }
}

/// arg = [ IDENT "=" ] value
public struct Argument: Sendable {
  public var label: Identifier?
  public var value: Value
  public var range: SourceRange
}

/// value = INT | FLOAT | STRING | "true" | "false" | "none" | IDENT | call | tuple | list
public indirect enum ValueKind: Sendable {
  case integer(Int)
  case float(Double)
  case string(String)
  case boolean(Bool)
  case none
  case identifier(String)
  case call(Call)
  case tuple([Value])
  case list([Value])
  /// Arithmetic with a block parameter among its operands, computed when the block is called.
  case arithmetic(ArithmeticOperator, Value, Value)

  /// What the value is, for "expected X; got ..." messages.
  public var phrase: String {
    switch self {
    case .integer, .float: return "a number"
    case .string: return "a string"
    case .boolean: return "a boolean"
    case .none: return "none"
    case .identifier(let name): return "'\(name)'"
    case .call: return "a call"
    case .tuple: return "a tuple"
    case .list: return "a list"
    case .arithmetic: return "arithmetic"
    }
  }
}

public struct Value: Sendable {
  public var kind: ValueKind
  public var range: SourceRange
  public init(_ kind: ValueKind, _ range: SourceRange) {
    self.kind = kind
    self.range = range
  }
}
