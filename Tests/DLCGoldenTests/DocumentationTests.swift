// Docs generated from code stay current: docs/layers.md is the registry's reference.
import DLCLayers
import XCTest

final class DocumentationTests: XCTestCase {
  func testLayerReferenceIsCurrent() {
    let reference = LayerReference.markdown(.standard)
    Golden.assertMatches(reference, Golden.repository.appendingPathComponent("docs/layers.md"))
    for name in LayerRegistry.standard.names {
      XCTAssertTrue(reference.contains("## \(name)\n"), "\(name) is missing from the reference")
    }
  }
}
