// The importer on every Keras configuration in Tests/Fixtures/import (tools/keras_import_fixtures.py):
// the .dl it writes (golden, for review), and the summary of that .dl against Keras' own.
import DLCDriver
import DLCImport
import DLCSummary
import DLCSupport
import Foundation
import XCTest
import ZIPFoundation

final class ImportGoldenTests: XCTestCase {
  static let fixtures = Golden.repository.appendingPathComponent("Tests/Fixtures/import")
  static let goldens = Golden.root.appendingPathComponent("import")

  /// Models the importer refuses, each with its .stderr golden listing why: the unsupported case, and
  /// ConvNeXt (Sequential models nested as layers: not yet in dlc).
  static let refused: Set = ["import_unsupported"]

  override func setUp() {
    FileManager.default.changeCurrentDirectoryPath(Golden.repository.path)
  }

  /// One model's configuration and Keras' summary of it (JSON and table).
  struct Case {
    var name: String
    var configuration: [UInt8]
    var kerasJSON: Data?
    var kerasTable: String?
  }

  /// The configurations beside the archives, and the keras.applications ones deflated in applications.zip.
  func cases() throws -> [Case] {
    var cases: [Case] = []
    let files = try FileManager.default.contentsOfDirectory(atPath: Self.fixtures.path)
    for file in files.filter({ $0.hasSuffix(".config.json") }).sorted() {
      let name = String(file.dropLast(".config.json".count))
      // Keras' summary: recorded by tools/keras_reference.py for graphs/ models and summary cases,
      // by tools/keras_import_fixtures.py for the import cases.
      let reference = { (ext: String) in
        [
          Golden.root.appendingPathComponent("models/\(name).keras.\(ext)"),
          Golden.root.appendingPathComponent("summary/\(name).keras.\(ext)"),
          Self.fixtures.appendingPathComponent("\(name).keras.\(ext)"),
        ].first { FileManager.default.fileExists(atPath: $0.path) }
      }
      cases.append(
        Case(
          name: name, configuration: Array(try Data(contentsOf: Self.fixtures.appendingPathComponent(file))),
          kerasJSON: try reference("json").map { try Data(contentsOf: $0) },
          kerasTable: try reference("txt").map { try String(contentsOf: $0, encoding: .utf8) }))
    }
    let archive = try Archive(url: Self.fixtures.appendingPathComponent("applications.zip"), accessMode: .read)
    func member(_ path: String) throws -> Data? {
      guard let entry = archive[path] else { return nil }
      var data = Data()
      _ = try archive.extract(entry) { data.append($0) }
      return data
    }
    for entry in archive where entry.path.hasSuffix(".config.json") {
      let name = String(entry.path.dropLast(".config.json".count))
      guard let configuration = try member(entry.path) else { continue }
      cases.append(
        Case(
          name: name, configuration: Array(configuration), kerasJSON: try member("\(name).keras.json"),
          kerasTable: try member("\(name).keras.txt").map { String(decoding: $0, as: UTF8.self) }))
    }
    return cases
  }

  func testEveryConfigurationImportsAsKerasSummarizesIt() throws {
    let cases = try cases()
    XCTAssertGreaterThanOrEqual(cases.count, 38)
    for testCase in cases {
      let name = testCase.name
      let path = "Tests/Fixtures/import/\(name).config.json"
      let configuration = testCase.configuration
      let source: String
      do {
        source = try KerasImport.source(configuration: configuration, path: path)
      } catch let diagnostic as Diagnostic {
        XCTAssertTrue(Self.refused.contains(name), "\(name) does not import:\n\(diagnostic.rendered)")
        Golden.assertMatches(diagnostic.rendered, Self.goldens.appendingPathComponent("\(name).stderr"))
        continue
      }
      XCTAssertFalse(Self.refused.contains(name), "\(name) imports; take it off the refused list")
      Golden.assertMatches(source, Self.goldens.appendingPathComponent("\(name).dl"))
      let compilation = Driver.compile(SourceFile(path: "\(name).dl", text: source))
      XCTAssertTrue(compilation.diagnostics.isEmpty, "\(name):\n\(compilation.renderedDiagnostics)")
      guard let summary = try? compilation.summary() else { continue }

      guard let kerasJSON = testCase.kerasJSON, let keras = testCase.kerasTable else {
        XCTFail("\(name): no Keras summary to compare with")
        continue
      }
      Golden.assertJSONEqualsKeras(summary, kerasJSON, name)
      Golden.assertTableEqualsKeras(summary, keras, name)
    }
  }

  /// `training=True` on a call keeps dropout on at inference: refused, never dropped; `training=False`
  /// is what dlc does anyway.
  func testTrainingTrueIsRefusedAndTrainingFalseIsInference() throws {
    func configuration(training: Bool) -> [UInt8] {
      let text = """
        {"class_name": "Functional", "config": {"name": "m", "layers": [
         {"class_name": "InputLayer", "config": {"batch_shape": [null, 4], "dtype": "float32", "name": "x"},
          "name": "x", "inbound_nodes": []},
         {"class_name": "Dropout", "config": {"name": "dropout", "rate": 0.5}, "name": "dropout",
          "inbound_nodes": [{"args": [{"class_name": "__keras_tensor__", "config": {"keras_history": ["x", 0, 0]}}],
                             "kwargs": {"training": \(training)}}]}],
         "input_layers": [["x", 0, 0]], "output_layers": [["dropout", 0, 0]]}}
        """
      return Array(text.utf8)
    }
    XCTAssertThrowsError(try KerasImport.source(configuration: configuration(training: true), path: "m.json")) {
      let rendered = ($0 as? Diagnostic)?.rendered ?? "\($0)"
      XCTAssertTrue(rendered.contains("layer 'dropout' (Dropout) is called with training=True"), rendered)
    }
    XCTAssertNoThrow(try KerasImport.source(configuration: configuration(training: false), path: "m.json"))
  }
}
