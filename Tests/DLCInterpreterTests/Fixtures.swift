// Loading Keras fixtures (tools/keras_fixtures.py) and comparing outputs with Keras'.
import DLCData
import DLCDriver
import DLCIR
import DLCSupport
import DLCTestSupport
import Foundation
import XCTest

enum Fixtures {
  static let repository = TestPaths.repository
  static let layers = TestPaths.layerFixtures
  static let models = TestPaths.modelFixtures

  static func layerCases() throws -> [LayerCase] { try LayerCase.all() }

  static func inputs(_ url: URL, for graph: Graph) throws -> [Tensor] { try FixtureFiles.inputs(url, for: graph) }

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
