// Keras model files (tools/keras_import_fixtures.py: .keras archives and whole-model .h5 files with
// trained-looking weights) read directly, weights and all, and run by both backends against Keras'
// outputs.
import DLCData
import DLCDriver
import DLCSupport
import DLCTestSupport
import Foundation
import XCTest

final class ImportedModelNumericsTests: XCTestCase {
  override func setUp() { CodegenFixtures.useTestCache() }

  func testKerasFilesRunAsKerasRunsThem() throws {
    let folder = TestPaths.importFixtures
    let files = try FileManager.default.contentsOfDirectory(atPath: folder.path)
      .filter { $0.hasSuffix(".keras") || $0.hasSuffix(".h5") }.sorted()
    XCTAssertGreaterThanOrEqual(files.count, 16)
    XCTAssertTrue(files.contains("mnist_cnn.h5") && files.contains("import_functional.h5"))
    try CodegenFixtures.concurrently(files) { file in
      let base = folder.appendingPathComponent(String(file.prefix { $0 != "." })).path
      let compilation = Driver.compile(path: folder.appendingPathComponent(file).path)
      guard let graph = compilation.graph else { return XCTFail("\(file): \(compilation.renderedDiagnostics)") }
      do {
        let weights = try Runner.weights(for: compilation, path: nil)
        XCTAssertNil(weights.notice, "\(file): the archive's weights were not used")
        let inputs = try CodegenFixtures.inputs(URL(fileURLWithPath: base + ".inputs.npz"), for: graph)
        let expected = try CodegenFixtures.arrays(URL(fileURLWithPath: base + ".expected.npz"))
        let interpreted = try Runner.interpret(compilation, weights: weights.weights, inputs: inputs)
        CodegenFixtures.assertClose(interpreted, expected, file + " (interpreter)")
        let (optimized, optimizedWeights) = try compilation.optimized(weights: weights.weights)
        let generated = try CBackend.run(
          optimized, weights: optimizedWeights, inputs: inputs, build: CodegenFixtures.sanitized)
        CodegenFixtures.assertClose(generated, expected, file + " (generated C)")
      } catch {
        XCTFail("\(file): \(error)")
      }
    }
  }
}
