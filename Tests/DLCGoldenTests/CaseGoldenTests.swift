// Golden cases as files: Tests/Golden/summary/<case>.dl → .summary and .json;
// Tests/Golden/errors/<case>.dl → .stderr, plus the expectation written in the case's first line.
import DLCDriver
import DLCSummary
import DLCSupport
import Foundation
import XCTest

final class CaseGoldenTests: XCTestCase {
  override func setUp() {
    FileManager.default.changeCurrentDirectoryPath(Golden.root.path)
  }

  func testSummaryCases() throws {
    let cases = Golden.files(in: "summary", withExtension: "dl")
    XCTAssertFalse(cases.isEmpty)
    for url in cases {
      let compilation = Driver.compile(path: "summary/" + url.lastPathComponent)
      guard let graph = compilation.graph else {
        XCTFail("\(url.lastPathComponent) failed:\n\(compilation.renderedDiagnostics)")
        continue
      }
      let summary = try ModelSummary(graph)
      let base = url.deletingPathExtension()
      Golden.assertMatches(
        SummaryTable.render(summary) + compilation.renderedDiagnostics, base.appendingPathExtension("summary"))
      Golden.assertMatches(SummaryJSON.render(summary), base.appendingPathExtension("json"))
      assertEqualsKeras(summary, base)
    }
  }

  /// Cases that have a Keras reference (tools/keras_reference.py) must agree with it exactly.
  func assertEqualsKeras(_ summary: ModelSummary, _ base: URL) {
    let name = base.lastPathComponent
    guard let data = try? Data(contentsOf: base.appendingPathExtension("keras.json")) else { return }
    Golden.assertJSONEqualsKeras(summary, data, name)
    if let keras = try? String(contentsOf: base.appendingPathExtension("keras.txt"), encoding: .utf8) {
      Golden.assertTableEqualsKeras(summary, keras, name)
    }
  }

  /// Each error case starts with `# error: LINE:COL: words of the message`, written by hand, so a
  /// re-recorded golden cannot quietly accept a wrong message or place.
  func testErrorCases() throws {
    let cases = Golden.files(in: "errors", withExtension: "dl")
    XCTAssertGreaterThanOrEqual(cases.count, 40, "the issue asks for at least 40 negative cases")
    for url in cases {
      let path = "errors/" + url.lastPathComponent
      let compilation = Driver.compile(path: path)
      XCTAssertFalse(compilation.succeeded, "\(path) compiled, but it is an error case")
      let rendered = compilation.renderedDiagnostics
      Golden.assertMatches(rendered, url.deletingPathExtension().appendingPathExtension("stderr"))

      let source = (try? String(contentsOf: url, encoding: .utf8)) ?? ""
      let expectations = source.split(separator: "\n").prefix(3).filter { $0.hasPrefix("# error: ") }
        .map { $0.dropFirst("# error: ".count) }
      XCTAssertFalse(expectations.isEmpty, "\(path) has no '# error: LINE:COL: message' line")
      for expectation in expectations {
        let parts = expectation.split(separator: ":", maxSplits: 2)
        guard parts.count == 3 else {
          XCTFail("\(path): malformed expectation '\(expectation)'")
          continue
        }
        let location = "\(path):\(parts[0]):\(parts[1]): error: "
        let words = parts[2].trimmingCharacters(in: .whitespaces)
        let matched = rendered.split(separator: "\n").contains { $0.hasPrefix(location) && $0.contains(words) }
        XCTAssertTrue(matched, "\(path): expected \(location)…\(words)…\ngot:\n\(rendered)")
      }
    }
  }

  func testBinaryAndEmptyFilesAreDiagnosed() {
    let binary = Driver.compile(SourceFile(path: "blob.dl", bytes: [0x7F, 0x45, 0x4C, 0x46, 0x00, 0x01, 0xFF]))
    XCTAssertFalse(binary.succeeded)
    XCTAssertTrue(
      binary.renderedDiagnostics.hasPrefix("blob.dl:1:5: error: blob.dl is not a text file"), binary.renderedDiagnostics
    )

    let latin1 = Driver.compile(SourceFile(path: "latin1.dl", bytes: Array("model caf".utf8) + [0xE9, 0x0A]))
    XCTAssertTrue(
      latin1.renderedDiagnostics.hasPrefix("latin1.dl:1:10: error: latin1.dl is not valid UTF-8 text"),
      latin1.renderedDiagnostics)

    let empty = Driver.compile(SourceFile(path: "empty.dl", text: ""))
    XCTAssertTrue(
      empty.renderedDiagnostics.hasPrefix("empty.dl:1:1: error: expected 'model <name>'"), empty.renderedDiagnostics)

    let missing = Driver.compile(path: "/nonexistent/model.dl")
    XCTAssertEqual(missing.renderedDiagnostics, "/nonexistent/model.dl: error: no such file\n")
  }
}
