// Passes must not change results: every graphs/ model and every layer case gives the same
// outputs with all passes as with none.
import DLCData
import DLCDriver
import DLCInterpreter
import DLCPasses
import DLCSupport
import DLCTestSupport
import DLCWeights
import Foundation
import XCTest

final class PassNumericsTests: XCTestCase {
  func assertSameResults(_ compilation: Compilation, _ label: String, batch: Int = 2) throws {
    let graph = try XCTUnwrap(compilation.graph, label)
    var weights = InitializedWeights.of(graph, seed: 2)
    // Batch-norm statistics away from their initial values, so folding them is really tested.
    for key in weights.keys where key.hasSuffix("/moving_variance") || key.hasSuffix("/moving_mean") {
      let values = weights[key]!.floats.enumerated().map {
        Float($0.offset % 5) * 0.3 + (key.hasSuffix("variance") ? 0.5 : -0.4)
      }
      weights[key] = Tensor(shape: weights[key]!.shape, floats: values)
    }
    let optimized = try PassManager(Passes.all).run(Program(graph: graph, weights: weights))
    let inputs = try Runner.randomInputs(for: graph, batch: batch, seed: 9)
    let before = try Interpreter(graph: graph, weights: weights).run(inputs)
    let after = try Interpreter(graph: optimized.graph, weights: optimized.weights ?? [:]).run(inputs)
    for (a, b) in zip(after, before) {
      let discrepancy = Discrepancy(name: label, actual: a, reference: b)
      XCTAssertLessThanOrEqual(discrepancy.relativeError, 1e-5, label)
    }
  }

  func testPassesPreserveResults() throws {
    for testCase in try LayerCase.all() {
      try assertSameResults(
        Driver.compile(SourceFile(path: "\(testCase.name).dl", text: testCase.source)), testCase.name)
    }
    let cases = TestPaths.tests.appendingPathComponent("Golden/summary")
    for file in try FileManager.default.contentsOfDirectory(atPath: cases.path).sorted() where file.hasSuffix(".dl") {
      try assertSameResults(Driver.compile(path: cases.appendingPathComponent(file).path), file)
    }
    let graphs = TestPaths.repository.appendingPathComponent("graphs")
    for file in try FileManager.default.contentsOfDirectory(atPath: graphs.path).sorted() where file.hasSuffix(".dl") {
      // The ImageNet-sized models with one example, to keep the suite quick.
      let large = ["vgg16.dl", "alexnet.dl", "resnet18.dl"].contains(file)
      try assertSameResults(Driver.compile(path: graphs.appendingPathComponent(file).path), file, batch: large ? 1 : 2)
    }
  }
}
