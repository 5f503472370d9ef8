// Turns source bytes into tokens. Newlines end statements except inside () and [],
// and a line that starts with `->` continues the statement above.
import DLCSupport

public struct Lexer {
  private let bytes: [UInt8]
  private var position = 0
  private var nesting: [UInt8] = []  // open ( and [ awaiting their closers
  private var tokens: [Token] = []
  /// The last look-ahead for a `->` continuation: blank and comment lines up to `end` lead to `continues`.
  /// Newlines inside that run reuse it, so a long run of blank or comment lines is scanned once.
  private var continuation: (end: Int, continues: Bool)?
  private let diagnostics: DiagnosticEngine

  public static func tokenize(_ file: SourceFile, diagnostics: DiagnosticEngine) -> [Token] {
    var lexer = Lexer(bytes: file.bytes, diagnostics: diagnostics)
    lexer.run()
    return lexer.tokens
  }

  private init(bytes: [UInt8], diagnostics: DiagnosticEngine) {
    self.bytes = bytes
    self.diagnostics = diagnostics
  }

  private func peek(_ offset: Int = 0) -> UInt8? {
    let index = position + offset
    return index < bytes.count ? bytes[index] : nil
  }

  private mutating func run() {
    // Editors on Windows start UTF-8 files with a byte-order mark; it is not part of the text.
    if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { position = 3 }
    while let byte = peek() {
      let start = position
      switch byte {
      case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"):
        position += 1
      case UInt8(ascii: "#"):
        skipComment()
      case UInt8(ascii: "\n"):
        position += 1
        if nesting.isEmpty && !nextLineContinues() {
          emitNewline(at: start)
        }
      case UInt8(ascii: "-") where peek(1) == UInt8(ascii: ">"):
        position += 2
        tokens.append(Token(.arrow, SourceRange(start, position)))
      case UInt8(ascii: "-") where followsValue, UInt8(ascii: "+") where followsValue:
        // After a value a sign is an operator (`255 - 1`); elsewhere it belongs to a number (`axis=-1`).
        single(byte == UInt8(ascii: "-") ? .minus : .plus)
      case UInt8(ascii: "*") where peek(1) == UInt8(ascii: "*"):
        position += 2
        tokens.append(Token(.power, SourceRange(start, position)))
      case UInt8(ascii: "*"): single(.star)
      case UInt8(ascii: "/") where peek(1) == UInt8(ascii: "/"):
        position += 2
        tokens.append(Token(.floorSlash, SourceRange(start, position)))
      case UInt8(ascii: "/"): single(.slash)
      case UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."):
        lexNumber()
      case UInt8(ascii: "\""), UInt8(ascii: "'"):
        lexString(quote: byte)
      case UInt8(ascii: "("), UInt8(ascii: "["):
        nesting.append(byte)
        position += 1
        tokens.append(Token(byte == UInt8(ascii: "(") ? .leftParen : .leftBracket, SourceRange(start, position)))
      case UInt8(ascii: ")"), UInt8(ascii: "]"):
        // A stray closer is left for the parser to report; it must not unbalance the newline rule.
        let opener = byte == UInt8(ascii: ")") ? UInt8(ascii: "(") : UInt8(ascii: "[")
        if nesting.last == opener { nesting.removeLast() }
        position += 1
        tokens.append(Token(byte == UInt8(ascii: ")") ? .rightParen : .rightBracket, SourceRange(start, position)))
      case UInt8(ascii: "{"), UInt8(ascii: "}"):
        // Braces end any open parentheses, so an unclosed `(` inside a block cannot swallow the file.
        nesting.removeAll()
        position += 1
        tokens.append(Token(byte == UInt8(ascii: "{") ? .leftBrace : .rightBrace, SourceRange(start, position)))
      case UInt8(ascii: ","): single(.comma)
      case UInt8(ascii: "="): single(.equals)
      case UInt8(ascii: ":"): single(.colon)
      default:
        if isIdentifierStart(byte) {
          lexIdentifier()
        } else {
          skipUnexpectedCharacter()
        }
      }
    }
    // Inside an unclosed ( or [ the file ends mid-statement; the parser then says "found end of file".
    if nesting.isEmpty { emitNewline(at: position) }
    tokens.append(Token(.endOfFile, SourceRange(position, position)))
  }

  /// Whether the last token ends a value, so a following `+` or `-` is arithmetic.
  private var followsValue: Bool {
    switch tokens.last?.kind {
    case .integer?, .float?, .identifier?, .rightParen?, .rightBracket?: return true
    default: return false
    }
  }

  private mutating func single(_ kind: TokenKind) {
    tokens.append(Token(kind, SourceRange(position, position + 1)))
    position += 1
  }

  private mutating func emitNewline(at offset: Int) {
    // Blank lines and a file's first lines produce no empty statements.
    if let last = tokens.last, last.kind == .newline { return }
    if tokens.isEmpty { return }
    tokens.append(Token(.newline, SourceRange(offset, offset + 1)))
  }

  /// Whether the next non-blank, non-comment line starts with `->`.
  private mutating func nextLineContinues() -> Bool {
    if let known = continuation, position <= known.end { return known.continues }
    var index = position
    var continues = false
    scan: while index < bytes.count {
      switch bytes[index] {
      case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"), UInt8(ascii: "\n"):
        index += 1
      case UInt8(ascii: "#"):
        while index < bytes.count && bytes[index] != UInt8(ascii: "\n") { index += 1 }
      case UInt8(ascii: "-"):
        continues = index + 1 < bytes.count && bytes[index + 1] == UInt8(ascii: ">")
        break scan
      default:
        break scan
      }
    }
    continuation = (index, continues)
    return continues
  }

  private mutating func skipComment() {
    while let byte = peek(), byte != UInt8(ascii: "\n") { position += 1 }
  }

  private func isIdentifierStart(_ byte: UInt8) -> Bool {
    (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
      || byte == UInt8(ascii: "_")
  }

  private func isDigit(_ byte: UInt8?) -> Bool {
    guard let byte else { return false }
    return byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
  }

  private mutating func lexIdentifier() {
    let start = position
    while let byte = peek(), isIdentifierStart(byte) || isDigit(byte) { position += 1 }
    let text = String(decoding: bytes[start..<position], as: UTF8.self)
    let kind: TokenKind = Keyword(rawValue: text).map { .keyword($0) } ?? .identifier(text)
    tokens.append(Token(kind, SourceRange(start, position)))
  }

  // number = [ "-" | "+" ] digits [ "." digits ] [ ( "e" | "E" ) [ "-" | "+" ] digits ]
  private mutating func lexNumber() {
    let start = position
    if peek() == UInt8(ascii: "-") || peek() == UInt8(ascii: "+") { position += 1 }
    guard isDigit(peek()) || (peek() == UInt8(ascii: ".") && isDigit(peek(1))) else {
      position = max(position, start + 1)
      report("unexpected '\(String(decoding: bytes[start..<position], as: UTF8.self))'", start)
      return
    }
    var isFloat = false
    while isDigit(peek()) { position += 1 }
    if peek() == UInt8(ascii: "."), isDigit(peek(1)) || !isIdentifierStartOrDot(peek(1)) {
      isFloat = true
      position += 1
      while isDigit(peek()) { position += 1 }
    }
    if peek() == UInt8(ascii: "e") || peek() == UInt8(ascii: "E") {
      let sign = peek(1) == UInt8(ascii: "-") || peek(1) == UInt8(ascii: "+") ? 1 : 0
      if isDigit(peek(1 + sign)) {
        isFloat = true
        position += 1 + sign
        while isDigit(peek()) { position += 1 }
      }
    }
    let range = SourceRange(start, position)
    let text = String(decoding: bytes[start..<position], as: UTF8.self)
    if let byte = peek(), isIdentifierStart(byte) {
      while let byte = peek(), isIdentifierStart(byte) || isDigit(byte) { position += 1 }
      report("invalid number '\(String(decoding: bytes[start..<position], as: UTF8.self))'", start)
      return
    }
    if !isFloat, let value = Int(text) {
      tokens.append(Token(.integer(value), range))
    } else if let value = Double(text), value.isFinite {
      tokens.append(Token(.float(value), range))
    } else {
      report("number '\(text)' is out of range", start)
    }
  }

  private func isIdentifierStartOrDot(_ byte: UInt8?) -> Bool {
    guard let byte else { return false }
    return isIdentifierStart(byte) || byte == UInt8(ascii: ".")
  }

  // string = '"' { character | "\" escape } '"' | "'" { character | "\" escape } "'"   (on one line)
  private mutating func lexString(quote: UInt8) {
    let start = position
    position += 1
    var value: [UInt8] = []
    while let byte = peek() {
      if byte == quote {
        position += 1
        tokens.append(Token(.string(String(decoding: value, as: UTF8.self)), SourceRange(start, position)))
        return
      }
      if byte == UInt8(ascii: "\n") { break }
      if byte == UInt8(ascii: "\\"), let escaped = peek(1) {
        switch escaped {
        case UInt8(ascii: "n"): value.append(UInt8(ascii: "\n"))
        case UInt8(ascii: "t"): value.append(UInt8(ascii: "\t"))
        case UInt8(ascii: "\""), UInt8(ascii: "'"), UInt8(ascii: "\\"): value.append(escaped)
        default:
          diagnostics.report(.error("unknown escape sequence in string", at: SourceRange(position, position + 2)))
        }
        position += 2
        continue
      }
      value.append(byte)
      position += 1
    }
    diagnostics.report(
      .error(
        "unterminated string", at: SourceRange(start, position),
        notes: [DiagnosticNote("strings end with the quote they start with, on the same line")]))
    tokens.append(Token(.invalid, SourceRange(start, position)))
  }

  private mutating func skipUnexpectedCharacter() {
    let start = position
    position += 1
    // Step over a whole UTF-8 sequence so the message shows the character.
    while let byte = peek(), byte & 0xC0 == 0x80 { position += 1 }
    let character = String(decoding: bytes[start..<position], as: UTF8.self)
    let shown = character.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value != 0x7F } ? "'\(character)'" : "byte"
    diagnostics.report(.error("unexpected character \(shown)", at: SourceRange(start, position)))
    tokens.append(Token(.invalid, SourceRange(start, position)))
  }

  private mutating func report(_ message: String, _ start: Int) {
    diagnostics.report(.error(message, at: SourceRange(start, position)))
    tokens.append(Token(.invalid, SourceRange(start, position)))
  }
}
