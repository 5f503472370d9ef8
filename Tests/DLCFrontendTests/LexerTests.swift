// The lexer: tokens, ranges, comments, continuation lines, numbers and newline rules.
import DLCFrontend
import DLCSupport
import XCTest

final class LexerTests: XCTestCase {
  func kinds(_ text: String) -> [TokenKind] {
    Lexer.tokenize(SourceFile(path: "t.dl", text: text), diagnostics: DiagnosticEngine()).map(\.kind)
  }

  func testNumbersIncludingNegativesAndExponents() {
    XCTAssertEqual(
      kinds("f(3, -1, 0.5, 1e-6, -2.5E+3, 7.)"),
      [
        .identifier("f"), .leftParen, .integer(3), .comma, .integer(-1), .comma, .float(0.5), .comma, .float(1e-6),
        .comma, .float(-2500), .comma, .float(7), .rightParen, .newline, .endOfFile,
      ])
  }

  func testArrowIsNotANegativeNumber() {
    XCTAssertEqual(kinds("x->y"), [.identifier("x"), .arrow, .identifier("y"), .newline, .endOfFile])
  }

  func testCommentsAndBlankLinesProduceNoStatements() {
    XCTAssertEqual(
      kinds("# header\n\nmodel m   # trailing\n\n\ninput x: [1]\n"),
      [
        .keyword(.model), .identifier("m"), .newline, .keyword(.input), .identifier("x"), .colon, .leftBracket,
        .integer(1), .rightBracket, .newline, .endOfFile,
      ])
  }

  func testLineStartingWithArrowContinuesTheStatement() {
    XCTAssertEqual(
      kinds("y = x\n  # a comment between\n\n  -> Dense(3)\nz = y"),
      [
        .identifier("y"), .equals, .identifier("x"), .arrow, .identifier("Dense"), .leftParen, .integer(3),
        .rightParen, .newline, .identifier("z"), .equals, .identifier("y"), .newline, .endOfFile,
      ])
  }

  func testNewlinesInsideBracketsAreIgnoredButNotInsideBraces() {
    XCTAssertEqual(
      kinds("f(1,\n 2)\n"),
      [.identifier("f"), .leftParen, .integer(1), .comma, .integer(2), .rightParen, .newline, .endOfFile])
    XCTAssertEqual(
      kinds("{\n}"), [.leftBrace, .newline, .rightBrace, .newline, .endOfFile])
  }

  func testStringsWithEscapes() {
    XCTAssertEqual(kinds(#""a\"b\\c""#), [.string("a\"b\\c"), .newline, .endOfFile])
  }

  func testTokenRangesPointAtTheText() {
    let file = SourceFile(path: "t.dl", text: "model m\ninput image: [28]")
    let tokens = Lexer.tokenize(file, diagnostics: DiagnosticEngine())
    let image = tokens.first { $0.kind == .identifier("image") }!
    XCTAssertEqual(file.text(of: image.range), "image")
    XCTAssertEqual(file.location(of: image.range.start), SourceLocation(line: 2, column: 7))
  }

  func testColumnsCountCharactersNotBytes() {
    let file = SourceFile(path: "t.dl", text: "# é€\nx")
    XCTAssertEqual(file.location(of: Array("# é€\nx".utf8).count - 1), SourceLocation(line: 2, column: 1))
    XCTAssertEqual(file.location(of: Array("# é€".utf8).count), SourceLocation(line: 1, column: 5))
  }

  func testLexicalErrorsAreReportedWithLocations() {
    let engine = DiagnosticEngine()
    _ = Lexer.tokenize(SourceFile(path: "t.dl", text: "x = @\ns = \"open"), diagnostics: engine)
    XCTAssertEqual(engine.diagnostics.map(\.message), ["unexpected character '@'", "unterminated string"])
  }
}
