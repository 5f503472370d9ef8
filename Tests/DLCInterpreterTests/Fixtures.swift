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
    let problems = Closeness.problems(outputs, try NumPy.readArchive(path: url.path), tolerance: tolerance)
    XCTAssertEqual(problems, [], "\(label): dlc differs from Keras", file: file, line: line)
  }
}
