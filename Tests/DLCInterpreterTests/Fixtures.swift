// Loading Keras fixtures (tools/keras_fixtures.py) and comparing outputs with Keras'.
import DLCData
import DLCDriver
import DLCIR
import DLCSupport
import Foundation
import XCTest

enum Fixtures {
  static let tests = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
  static let repository = tests.deletingLastPathComponent()
  static let layers = tests.appendingPathComponent("Fixtures/layers")
  static let models = tests.appendingPathComponent("Fixtures/models")

  /// One layer case of Tests/Golden/layers/cases.json, as a one-layer model.
  struct LayerCase: Decodable {
    var name: String
    var inputs: [String]
    var call: String

    var source: String {
      let names = inputs.indices.map { "x\($0)" }
      var text = "model case_\(name)\n"
      for (name, shape) in zip(names, inputs) { text += "input \(name): \(shape)\n" }
      let piped = names.count == 1 ? names[0] : "(" + names.joined(separator: ", ") + ")"
      return text + "output \(piped) -> \(call)\n"
    }
  }

  static func layerCases() throws -> [LayerCase] {
    let url = tests.appendingPathComponent("Golden/layers/cases.json")
    return try JSONDecoder().decode([LayerCase].self, from: Data(contentsOf: url))
  }

  /// The model's inputs in declaration order, from an .npz keyed by input name.
  static func inputs(_ url: URL, for graph: Graph) throws -> [Tensor] {
    let arrays = Dictionary(try NumPy.readArchive(path: url.path).map { ($0.name, $0.tensor) }) { a, _ in a }
    return try graph.inputs.map { input in
      guard let tensor = arrays[input.name] else { throw RunFailure("\(url.lastPathComponent) has no '\(input.name)'") }
      return tensor
    }
  }

  /// Every output within `tolerance` of Keras', relative to the largest expected magnitude.
  static func assertClose(
    _ outputs: [(name: String, tensor: Tensor)], expected url: URL, tolerance: Float = 1e-4, _ label: String,
    file: StaticString = #filePath, line: UInt = #line
  ) throws {
    let expected = try NumPy.readArchive(path: url.path)
    XCTAssertEqual(outputs.map(\.name), expected.map(\.name), "\(label): output names", file: file, line: line)
    for ((name, actual), (_, reference)) in zip(outputs, expected) {
      XCTAssertEqual(actual.shape, reference.shape, "\(label) \(name): shape", file: file, line: line)
      guard actual.shape == reference.shape else { continue }
      let (a, b) = (actual.floats, reference.floats)
      let scale = max(b.map(abs).max() ?? 0, 1e-3)
      let worst = zip(a, b).map { abs($0 - $1) }.max() ?? 0
      XCTAssertTrue(
        worst <= tolerance * scale && a.allSatisfy(\.isFinite),
        "\(label) \(name): max |dlc − Keras| = \(worst), scale \(scale)", file: file, line: line)
    }
  }
}
