// Generated C, built with -Werror and the sanitizers, against Keras on every layer case and every
// graphs/ model (the fixtures of tools/keras_fixtures.py). The C runs the optimized graph (all
// passes) and must also match the interpreter on the graph as written to 1e-5: the passes change
// no result.
import DLCCodegen
import DLCData
import DLCDriver
import DLCSupport
import DLCTestSupport
import DLCWeights
import Foundation
import XCTest

final class GeneratedCNumericsTests: XCTestCase {
  override func setUp() { CodegenFixtures.useTestCache() }

  func testEveryLayerCaseMatchesKeras() throws {
    let cases = try CodegenFixtures.layerCases()
    XCTAssertGreaterThan(cases.count, 80)
    let folder = CodegenFixtures.tests.appendingPathComponent("Fixtures/layers")
    try CodegenFixtures.concurrently(cases) { testCase in
      let compilation = Driver.compile(SourceFile(path: "\(testCase.name).dl", text: testCase.source))
      guard let graph = compilation.graph else { return XCTFail("\(testCase.name) does not compile") }
      let base = folder.appendingPathComponent(testCase.name).path
      let weightsPath = base + ".safetensors"
      let binding = WeightBinding.bind(try SafeTensors.read(path: weightsPath), path: weightsPath, to: graph)
      let inputs = try CodegenFixtures.inputs(URL(fileURLWithPath: base + ".inputs.npz"), for: graph)
      do {
        let (optimized, optimizedWeights) = try compilation.optimized(weights: binding.weights)
        let outputs = try CBackend.run(
          optimized, weights: optimizedWeights, inputs: inputs, build: CodegenFixtures.sanitized)
        CodegenFixtures.assertClose(
          outputs, try CodegenFixtures.arrays(URL(fileURLWithPath: base + ".expected.npz")), testCase.name)
        let unoptimized = try Runner.interpret(compilation, weights: binding.weights, inputs: inputs)
        CodegenFixtures.assertClose(outputs, unoptimized, testCase.name + " (no passes, interpreter)", tolerance: 1e-5)
      } catch {
        XCTFail("\(testCase.name): \(error)")
      }
    }
  }

  /// NaN and ±inf in the inputs come out of the generated C (all passes) where Keras' do.
  func testNonFiniteInputsPropagateAsInKeras() throws {
    let cases = try TestPaths.nonfiniteCases()
    XCTAssertGreaterThan(cases.count, 80)
    try CodegenFixtures.concurrently(cases) { testCase in
      do {
        let nonfinite = try NonFiniteCase(testCase)
        let (optimized, optimizedWeights) = try nonfinite.compilation.optimized(weights: nonfinite.weights)
        let outputs = try CBackend.run(
          optimized, weights: optimizedWeights, inputs: nonfinite.inputs, build: CodegenFixtures.sanitized)
        CodegenFixtures.assertClose(
          outputs, try CodegenFixtures.arrays(nonfinite.expected), testCase.name + " (non-finite inputs)")
      } catch {
        XCTFail("\(testCase.name): \(error)")
      }
    }
  }

  func testEveryModelMatchesKeras() throws {
    let folder = CodegenFixtures.tests.appendingPathComponent("Fixtures/models")
    let names = try FileManager.default.contentsOfDirectory(atPath: folder.path)
      .filter { $0.hasSuffix(".expected.npz") }.map { String($0.dropLast(".expected.npz".count)) }.sorted()
    XCTAssertGreaterThanOrEqual(names.count, 16)
    try CodegenFixtures.concurrently(names) { name in
      let compilation = Driver.compile(
        path: CodegenFixtures.repository.appendingPathComponent("graphs/\(name).dl").path)
      guard let graph = compilation.graph else { return XCTFail("\(name) does not compile") }
      let weights = InitializedWeights.of(graph, seed: 1)
      let inputs = try CodegenFixtures.inputs(folder.appendingPathComponent("\(name).inputs.npz"), for: graph)
      do {
        let build = CodegenFixtures.large.contains(name) ? CodegenFixtures.optimized : CodegenFixtures.sanitized
        // The C backend consumes the optimized IR (batch normalization folded, dropout gone).
        let (optimized, optimizedWeights) = try compilation.optimized(weights: weights)
        let outputs = try CBackend.run(optimized, weights: optimizedWeights, inputs: inputs, build: build)
        CodegenFixtures.assertClose(
          outputs, try CodegenFixtures.arrays(folder.appendingPathComponent("\(name).expected.npz")), name)
        let unoptimized = try Runner.interpret(compilation, weights: weights, inputs: inputs)
        CodegenFixtures.assertClose(outputs, unoptimized, name + " (no passes, interpreter)", tolerance: 1e-5)
      } catch {
        XCTFail("\(name): \(error)")
      }
    }
  }
}
