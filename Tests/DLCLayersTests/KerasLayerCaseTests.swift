// Replays every Keras-recorded layer case (tools/keras_layer_cases.py) through dlc: output shapes,
// parameter counts and weight names/shapes/trainability must equal Keras'.
import DLCDriver
import DLCIR
import DLCLayers
import DLCSupport
import DLCTestSupport
import Foundation
import XCTest

final class KerasLayerCaseTests: XCTestCase {
  func loadCases() throws -> [LayerCase] { try LayerCase.all() }

  func testEveryCaseMatchesKeras() throws {
    let cases = try loadCases()
    XCTAssertGreaterThan(cases.count, 80)
    for testCase in cases {
      let compilation = Driver.compile(SourceFile(path: "\(testCase.name).dl", text: testCase.source))
      guard let graph = compilation.graph, let layer = graph.layers.last else {
        XCTFail("\(testCase.name) failed to compile:\n\(compilation.renderedDiagnostics)")
        continue
      }
      let shapes = layer.outputs.map { [nil] + $0.dims.map { Optional($0) } }
      XCTAssertEqual(shapes, testCase.output_shapes, "\(testCase.name): output shapes")
      XCTAssertEqual(layer.parameterCount, testCase.params, "\(testCase.name): parameters")
      XCTAssertEqual(layer.trainableParameterCount, testCase.trainable_params, "\(testCase.name): trainable")
      let weights = layer.parameters.map { LayerCase.Weight(name: $0.name, shape: $0.shape, trainable: $0.trainable) }
      XCTAssertEqual(weights, testCase.weights, "\(testCase.name): weights")
    }
  }

  /// Every registered layer has a Keras-verified case, so adding a layer without one fails here.
  func testEveryRegisteredLayerHasACase() throws {
    let calls = try loadCases().map(\.call)
    for name in LayerRegistry.standard.names {
      XCTAssertTrue(
        calls.contains { $0.hasPrefix(name + "(") || $0.contains("(" + name + "(") },
        "\(name) has no case in tools/keras_layer_cases.py")
    }
  }
}
