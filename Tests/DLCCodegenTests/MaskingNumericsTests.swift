// Keras masks (Embedding(mask_zero=true), Masking) on padded inputs: the interpreter, with and
// without the passes, and the generated C under the sanitizers, against Keras' outputs
// (tools/keras_masking.py).
import DLCData
import DLCDriver
import DLCSupport
import DLCTestSupport
import DLCWeights
import Foundation
import XCTest

final class MaskingNumericsTests: XCTestCase {
  override func setUp() { CodegenFixtures.useTestCache() }

  func testMaskedModelsMatchKerasInBothBackends() throws {
    let cases = try TestPaths.maskingCases()
    XCTAssertGreaterThanOrEqual(cases.count, 8)
    try CodegenFixtures.concurrently(cases) { url in
      let name = url.deletingPathExtension().lastPathComponent
      let compilation = Driver.compile(path: url.path)
      guard let graph = compilation.graph else { return XCTFail("\(name): \(compilation.renderedDiagnostics)") }
      XCTAssertTrue(graph.nodes.contains { $0.maskRule != nil || $0.op == "Masking" }, "\(name): no mask")
      let base = url.deletingPathExtension().path
      let binding = WeightBinding.bind(
        try SafeTensors.read(path: base + ".safetensors"), path: base + ".safetensors", to: graph)
      XCTAssertTrue(binding.succeeded, name)
      let inputs = try CodegenFixtures.inputs(URL(fileURLWithPath: base + ".inputs.npz"), for: graph)
      let expected = try CodegenFixtures.arrays(URL(fileURLWithPath: base + ".expected.npz"))
      do {
        let unoptimized = try Runner.interpret(compilation, weights: binding.weights, inputs: inputs)
        CodegenFixtures.assertClose(unoptimized, expected, name + " (interpreter, no passes)")
        let (optimized, optimizedWeights) = try compilation.optimized(weights: binding.weights)
        let interpreted = try Runner.interpret(optimized, weights: optimizedWeights, inputs: inputs)
        CodegenFixtures.assertClose(interpreted, expected, name + " (interpreter)")
        let compiled = try CBackend.run(
          optimized, weights: optimizedWeights, inputs: inputs, build: CodegenFixtures.sanitized)
        CodegenFixtures.assertClose(compiled, expected, name + " (C)")
      } catch {
        XCTFail("\(name): \(error)")
      }
    }
  }

  /// Without the mask the padded steps count: the fixture really tests the mask.
  func testTheMaskChangesTheAnswer() throws {
    let url = TestPaths.maskingFixtures.appendingPathComponent("embedding_lstm.dl")
    let source = try String(contentsOf: url, encoding: .utf8).replacingOccurrences(of: ", mask_zero=true", with: "")
    let compilation = Driver.compile(SourceFile(path: "unmasked.dl", text: source))
    guard let graph = compilation.graph else { return XCTFail(compilation.renderedDiagnostics) }
    let base = url.deletingPathExtension().path
    let binding = WeightBinding.bind(
      try SafeTensors.read(path: base + ".safetensors"), path: base + ".safetensors", to: graph)
    let inputs = try CodegenFixtures.inputs(URL(fileURLWithPath: base + ".inputs.npz"), for: graph)
    let outputs = try Runner.interpret(compilation, weights: binding.weights, inputs: inputs)
    let expected = try CodegenFixtures.arrays(URL(fileURLWithPath: base + ".expected.npz"))
    XCTAssertNotEqual(Closeness.problems(outputs, expected), [])
  }
}
