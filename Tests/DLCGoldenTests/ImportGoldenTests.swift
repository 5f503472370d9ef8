// The importer on every Keras configuration in Tests/Fixtures/import (tools/keras_import_fixtures.py):
// the .dl it writes (golden, for review), and the summary of that .dl against Keras' own.
import DLCDriver
import DLCImport
import DLCSummary
import DLCSupport
import Foundation
import XCTest

final class ImportGoldenTests: XCTestCase {
  static let fixtures = Golden.repository.appendingPathComponent("Tests/Fixtures/import")
  static let goldens = Golden.root.appendingPathComponent("import")

  override func setUp() {
    FileManager.default.changeCurrentDirectoryPath(Golden.repository.path)
  }

  func configurations() throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: Self.fixtures.path).filter { $0.hasSuffix(".config.json") }
      .map { String($0.dropLast(".config.json".count)) }.sorted()
  }

  /// Keras' summary of the model: recorded by tools/keras_reference.py for graphs/ models and summary
  /// cases, by tools/keras_import_fixtures.py for the import cases.
  func kerasReference(_ name: String, _ ext: String) -> URL? {
    [
      Golden.root.appendingPathComponent("models/\(name).keras.\(ext)"),
      Golden.root.appendingPathComponent("summary/\(name).keras.\(ext)"),
      Self.fixtures.appendingPathComponent("\(name).keras.\(ext)"),
    ].first { FileManager.default.fileExists(atPath: $0.path) }
  }

  func testEveryConfigurationImportsAsKerasSummarizesIt() throws {
    let names = try configurations()
    XCTAssertGreaterThanOrEqual(names.count, 24)
    for name in names {
      let path = "Tests/Fixtures/import/\(name).config.json"
      let configuration = Array(try Data(contentsOf: Self.fixtures.appendingPathComponent("\(name).config.json")))
      let source: String
      do {
        source = try KerasImport.source(configuration: configuration, path: path)
      } catch let diagnostic as Diagnostic {
        XCTAssertTrue(name.hasPrefix("import_unsupported"), "\(name) does not import:\n\(diagnostic.rendered)")
        Golden.assertMatches(diagnostic.rendered, Self.goldens.appendingPathComponent("\(name).stderr"))
        continue
      }
      XCTAssertFalse(name.hasPrefix("import_unsupported"), "\(name) imports, but uses what dlc lacks")
      Golden.assertMatches(source, Self.goldens.appendingPathComponent("\(name).dl"))
      let compilation = Driver.compile(SourceFile(path: "\(name).dl", text: source))
      XCTAssertTrue(compilation.diagnostics.isEmpty, "\(name):\n\(compilation.renderedDiagnostics)")
      guard let summary = try? compilation.summary() else { continue }

      guard let jsonReference = kerasReference(name, "json"), let tableReference = kerasReference(name, "txt") else {
        XCTFail("\(name): no Keras summary to compare with")
        continue
      }
      let expected = try JSONSerialization.jsonObject(with: Data(contentsOf: jsonReference)) as? NSDictionary
      let actual = try JSONSerialization.jsonObject(with: Data(SummaryJSON.render(summary).utf8)) as? NSDictionary
      XCTAssertEqual(actual, expected, "\(name): the imported model's summary differs from Keras'")
      let keras = try String(contentsOf: tableReference, encoding: .utf8)
      let table = SummaryTable.render(summary)
      if keras.contains("…") {
        let outside = { (text: String) in text.split(separator: "\n").filter { !"┏┃┡│├└".contains($0.first ?? " ") } }
        XCTAssertEqual(outside(table), outside(keras), "\(name): title or totals differ from Keras'")
      } else {
        XCTAssertEqual(table, keras, "\(name): table differs from Keras'\n\(Golden.firstDifference(keras, table))")
      }
    }
  }
}
