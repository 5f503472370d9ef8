// Replays every Keras-recorded layer case (tools/keras_layer_cases.py) through dlc: output shapes,
// parameter counts and weight names/shapes/trainability must equal Keras'.
import DLCDriver
import DLCSupport
import DLCIR
import DLCLayers
import Foundation
import XCTest

struct KerasLayerCase: Decodable {
  struct Weight: Decodable, Equatable {
    var name: String
    var shape: [Int]
    var trainable: Bool
  }
  var name: String
  var inputs: [String]
  var call: String
  var output_shapes: [[Int?]]
  var params: Int
  var trainable_params: Int
  var weights: [Weight]

  /// The case as a one-layer model: one input per tensor, all piped into the call.
  var source: String {
    let names = inputs.indices.map { "x\($0)" }
    var text = "model case_\(name)\n"
    for (name, shape) in zip(names, inputs) { text += "input \(name): \(shape)\n" }
    let piped = names.count == 1 ? names[0] : "(" + names.joined(separator: ", ") + ")"
    return text + "output \(piped) -> \(call)\n"
  }
}

final class KerasLayerCaseTests: XCTestCase {
  static let casesURL = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("../Golden/layers/cases.json").standardized

  func loadCases() throws -> [KerasLayerCase] {
    try JSONDecoder().decode([KerasLayerCase].self, from: Data(contentsOf: Self.casesURL))
  }

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
      let weights = layer.parameters.map { KerasLayerCase.Weight(name: $0.name, shape: $0.shape, trainable: $0.trainable) }
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

