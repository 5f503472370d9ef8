// Property: for random valid inputs of any batch size, every layer's outputs have exactly the
// statically inferred shapes (batch first), and the values are finite.
import DLCData
import DLCDriver
import DLCIR
import DLCSupport
import DLCTestSupport
import DLCWeights
import Foundation
import XCTest

final class ShapePropertyTests: XCTestCase {
  func checkShapes(_ compilation: Compilation, label: String, trials: Int, _ generator: inout SplitMix64) throws {
    guard let graph = compilation.graph else { return XCTFail("\(label): \(compilation.renderedDiagnostics)") }
    for trial in 0..<trials {
      let batch = 1 + Int(generator.next() % 4)
      let weights = Initialization.initialize(graph, seed: generator.next()).weights
      var seen = 0
      let outputs = try Runner.interpret(
        compilation, weights: Dictionary(weights.map { ($0.name, $0.tensor) }) { a, _ in a },
        inputs: try Runner.randomInputs(for: graph, batch: batch, seed: generator.next())
      ) { node, tensors in
        seen += 1
        XCTAssertEqual(
          tensors.map(\.shape), node.outputs.map { [batch] + $0.dims }, "\(label) trial \(trial): \(node.name)")
        XCTAssertTrue(tensors.allSatisfy { $0.floats.allSatisfy(\.isFinite) }, "\(label): \(node.name) is not finite")
      }
      XCTAssertEqual(seen, graph.layers.count, label)
      XCTAssertEqual(outputs.map(\.tensor.shape), graph.outputs.map { [batch] + graph.type(of: $0).dims }, label)
    }
  }

  func testLayerCases() throws {
    var generator = SplitMix64(seed: 2024)
    for testCase in try Fixtures.layerCases() {
      let compilation = Driver.compile(SourceFile(path: "\(testCase.name).dl", text: testCase.source))
      try checkShapes(compilation, label: testCase.name, trials: 3, &generator)
    }
  }

  /// The course models small enough to run many times (the ImageNet-sized ones run in ModelNumericsTests).
  func testModels() throws {
    var generator = SplitMix64(seed: 7)
    let large: Set = ["vgg16", "alexnet", "resnet18"]
    let graphs = Fixtures.repository.appendingPathComponent("graphs")
    for file in try FileManager.default.contentsOfDirectory(atPath: graphs.path).sorted() where file.hasSuffix(".dl") {
      let name = String(file.dropLast(3))
      guard !large.contains(name) else { continue }
      try checkShapes(
        Driver.compile(path: graphs.appendingPathComponent(file).path), label: name, trials: 2, &generator)
    }
  }
}
