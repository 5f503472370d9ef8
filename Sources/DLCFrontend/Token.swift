// The tokens of the .dl language.
import DLCSupport

public enum TokenKind: Equatable, Sendable {
  case identifier(String)
  case integer(Int)
  case float(Double)
  case string(String)
  case keyword(Keyword)
  case arrow  // ->
  case leftParen, rightParen, leftBracket, rightBracket, leftBrace, rightBrace
  case comma, equals, colon
  /// Arithmetic on numbers in argument values, as Python writes it (`1. / 255`, `2 ** -0.5`).
  case plus, minus, star, slash, floorSlash, power
  case newline
  case endOfFile
  /// Text the lexer already reported as an error; the parser skips the statement silently.
  case invalid
}

public enum Keyword: String, CaseIterable, Sendable {
  case model, input, output, block, `return`, `true`, `false`, none
}

public struct Token: Equatable, Sendable {
  public var kind: TokenKind
  public var range: SourceRange

  public init(_ kind: TokenKind, _ range: SourceRange) {
    self.kind = kind
    self.range = range
  }
}

extension TokenKind: CustomStringConvertible {
  /// How the token is named in "expected X, found Y" messages.
  public var description: String {
    switch self {
    case .identifier(let name): return "identifier '\(name)'"
    case .integer(let value): return "number \(value)"
    case .float(let value): return "number \(value)"
    case .string(let value): return "string \"\(value)\""
    case .keyword(let keyword): return "'\(keyword.rawValue)'"
    case .arrow: return "'->'"
    case .leftParen: return "'('"
    case .rightParen: return "')'"
    case .leftBracket: return "'['"
    case .rightBracket: return "']'"
    case .leftBrace: return "'{'"
    case .rightBrace: return "'}'"
    case .comma: return "','"
    case .equals: return "'='"
    case .colon: return "':'"
    case .plus: return "'+'"
    case .minus: return "'-'"
    case .star: return "'*'"
    case .slash: return "'/'"
    case .floorSlash: return "'//'"
    case .power: return "'**'"
    case .newline: return "end of line"
    case .endOfFile: return "end of file"
    case .invalid: return "invalid text"
    }
  }
}
