// Every graphs/ model, run by the interpreter with `dlc init --seed 1` weights, against Keras'
// outputs for the same weights and inputs (tools/keras_fixtures.py).
import DLCData
import DLCDriver
import DLCWeights
import Foundation
import XCTest

final class ModelNumericsTests: XCTestCase {
  /// The seed tools/keras_fixtures.py gave `dlc init`.
  static let fixtureSeed: UInt64 = 1

  func testEveryModelMatchesKeras() throws {
    let names = try FileManager.default.contentsOfDirectory(atPath: Fixtures.models.path)
      .filter { $0.hasSuffix(".expected.npz") }.map { String($0.dropLast(".expected.npz".count)) }.sorted()
    XCTAssertGreaterThanOrEqual(names.count, 16)
    for name in names {
      let compilation = Driver.compile(path: Fixtures.repository.appendingPathComponent("graphs/\(name).dl").path)
      guard let graph = compilation.graph else {
        XCTFail("\(name): \(compilation.renderedDiagnostics)")
        continue
      }
      let weights = Initialization.initialize(graph, seed: Self.fixtureSeed).weights
      let inputs = try Fixtures.inputs(Fixtures.models.appendingPathComponent("\(name).inputs.npz"), for: graph)
      let outputs = try Runner.interpret(
        compilation, weights: Dictionary(weights.map { ($0.name, $0.tensor) }) { a, _ in a }, inputs: inputs)
      try Fixtures.assertClose(outputs, expected: Fixtures.models.appendingPathComponent("\(name).expected.npz"), name)
    }
  }
}
