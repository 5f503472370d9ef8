// Docs generated from code stay current: docs/layers.md is the registry's reference.
import DLCDriver
import DLCLayers
import DLCSupport
import Foundation
import XCTest

final class DocumentationTests: XCTestCase {
  func testLayerReferenceIsCurrent() {
    let reference = LayerReference.markdown(.standard)
    Golden.assertMatches(reference, Golden.repository.appendingPathComponent("docs/layers.md"))
    for name in LayerRegistry.standard.names {
      XCTAssertTrue(reference.contains("## \(name)\n"), "\(name) is missing from the reference")
    }
  }

  /// A `$ dlc check FILE` block in the README or the language guide shows what dlc prints for FILE.
  func testDiagnosticExamplesAreWhatDlcPrints() throws {
    for document in ["README.md", "docs/language.md"] {
      let text = try String(contentsOf: Golden.repository.appendingPathComponent(document), encoding: .utf8)
      let blocks = text.components(separatedBy: "```\n$ dlc check ").dropFirst()
      XCTAssertFalse(blocks.isEmpty, "\(document) shows no diagnostic example")
      for block in blocks {
        let lines = block.components(separatedBy: "\n")
        let path = lines[0]
        let shown = lines.dropFirst().prefix { $0 != "```" }.joined(separator: "\n") + "\n"
        let bytes = try Data(contentsOf: Golden.repository.appendingPathComponent(path))
        let compilation = Driver.compile(SourceFile(path: path, bytes: Array(bytes)))
        XCTAssertEqual(shown, compilation.renderedDiagnostics, "\(document): the example for \(path)")
      }
    }
  }
}
