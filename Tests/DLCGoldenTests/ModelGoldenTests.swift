// The course models: dlc's summaries against Keras' (tools/keras_reference.py) and against dlc's own goldens.
import DLCDriver
import DLCSummary
import Foundation
import XCTest

final class ModelGoldenTests: XCTestCase {
  static let graphs = Golden.repository.appendingPathComponent("graphs")
  static let models = Golden.root.appendingPathComponent("models")

  func modelFiles() throws -> [URL] {
    let names = try FileManager.default.contentsOfDirectory(atPath: Self.graphs.path).filter { $0.hasSuffix(".dl") }
    return names.sorted().map { Self.graphs.appendingPathComponent($0) }
  }

  func compile(_ url: URL) -> ModelSummary? {
    let compilation = Driver.compile(path: "graphs/" + url.lastPathComponent)
    XCTAssertTrue(compilation.diagnostics.isEmpty, compilation.renderedDiagnostics)
    return compilation.graph.flatMap { try? ModelSummary($0) }
  }

  override func setUp() {
    // Paths in goldens are relative to the repository.
    FileManager.default.changeCurrentDirectoryPath(Golden.repository.path)
  }

  func testTheCourseModelsAreAllHere() throws {
    let names = Set(try modelFiles().map { $0.deletingPathExtension().lastPathComponent })
    let required = [
      "mlp_iris", "cifar10_fcn", "mnist_cnn", "cifar10_cnn", "conv_autoencoder", "denoising_autoencoder",
      "fraud_autoencoder", "text_cnn", "text_lstm", "transformer_text", "resnet8_cifar", "lenet5", "vgg16", "alexnet",
      "resnet18", "image_tabular",
    ]
    for name in required { XCTAssertTrue(names.contains(name), "graphs/\(name).dl is missing") }
  }

  /// Layer by layer: names, types, output shapes, parameter counts, inputs and totals equal Keras'.
  func testSummaryJSONEqualsKeras() throws {
    for url in try modelFiles() {
      let name = url.deletingPathExtension().lastPathComponent
      guard let summary = compile(url) else { continue }
      guard let kerasJSON = try? Data(contentsOf: Self.models.appendingPathComponent("\(name).keras.json")) else {
        XCTFail("no Keras reference for \(name); run tools/keras_reference.py")
        continue
      }
      Golden.assertJSONEqualsKeras(summary, kerasJSON, name)
    }
  }

  /// Keras' table (Golden.assertTableEqualsKeras: byte for byte unless Keras truncates).
  func testSummaryTableEqualsKeras() throws {
    for url in try modelFiles() {
      let name = url.deletingPathExtension().lastPathComponent
      guard let summary = compile(url) else { continue }
      let reference = Self.models.appendingPathComponent("\(name).keras.txt")
      guard let keras = try? String(contentsOf: reference, encoding: .utf8) else {
        XCTFail("no Keras table for \(name)")
        continue
      }
      Golden.assertTableEqualsKeras(summary, keras, name)
    }
  }

  /// dlc's own output, so any change shows in review: table, JSON and the --macs table.
  func testGoldenSummaries() throws {
    for url in try modelFiles() {
      let name = url.deletingPathExtension().lastPathComponent
      guard let summary = compile(url) else { continue }
      Golden.assertMatches(SummaryTable.render(summary), Self.models.appendingPathComponent("\(name).summary"))
      Golden.assertMatches(SummaryJSON.render(summary), Self.models.appendingPathComponent("\(name).json"))
      Golden.assertMatches(
        SummaryTable.render(summary, showMACs: true), Self.models.appendingPathComponent("\(name).macs"))
    }
  }
}
