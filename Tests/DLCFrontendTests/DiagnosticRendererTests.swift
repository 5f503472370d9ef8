// The compiler-style rendering: location, source line, caret underline, notes.
import DLCSupport
import XCTest

final class DiagnosticRendererTests: XCTestCase {
  func testCaretUnderlinesTheRange() {
    let file = SourceFile(path: "g.dl", text: "model m\n  -> Dense(100)\n")
    let start = Array("model m\n  -> ".utf8).count
    let diagnostic = Diagnostic.error(
      "boom", at: SourceRange(start, start + 10),
      notes: [DiagnosticNote("try this"), DiagnosticNote("see", at: SourceRange(0, 5))])
    let expected = """
      g.dl:2:6: error: boom
          2 |   -> Dense(100)
            |      ^~~~~~~~~~
      note: try this
      g.dl:1:1: note: see
          1 | model m
            | ^~~~~

      """
    XCTAssertEqual(DiagnosticRenderer.render(diagnostic, in: file), expected)
  }

  func testSuppressedErrorsAreCounted() {
    XCTAssertEqual(DiagnosticRenderer.render([], in: nil, suppressedErrors: 2), "note: 2 more errors not shown\n")
  }

  func testNearestNameSuggestsTypos() {
    XCTAssertEqual(NearestName.suggest("Dense2", among: ["Dense", "Dropout"]), "Dense")
    XCTAssertEqual(NearestName.suggest("paddin", among: ["padding", "strides"]), "padding")
    XCTAssertNil(NearestName.suggest("zzzzzz", among: ["Dense"]))
  }
}
