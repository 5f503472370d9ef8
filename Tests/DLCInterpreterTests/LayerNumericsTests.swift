// Every tier-1 layer case, run by the interpreter with Keras' random weights and inputs, against
// Keras' outputs (tools/keras_fixtures.py).
import DLCData
import DLCDriver
import DLCInterpreter
import DLCLayers
import DLCSupport
import DLCTestSupport
import DLCWeights
import XCTest

final class LayerNumericsTests: XCTestCase {
  func testEveryLayerCaseMatchesKeras() throws {
    let cases = try Fixtures.layerCases()
    XCTAssertGreaterThan(cases.count, 80)
    for testCase in cases {
      let compilation = Driver.compile(SourceFile(path: "\(testCase.name).dl", text: testCase.source))
      guard let graph = compilation.graph else {
        XCTFail("\(testCase.name): \(compilation.renderedDiagnostics)")
        continue
      }
      let base = Fixtures.layers.appendingPathComponent(testCase.name)
      let weightsPath = base.appendingPathExtension("safetensors").path
      let binding = WeightBinding.bind(try SafeTensors.read(path: weightsPath), path: weightsPath, to: graph)
      XCTAssertTrue(binding.succeeded, "\(testCase.name): \(binding.modelDiagnostics + binding.fileDiagnostics)")
      let inputs = try Fixtures.inputs(URL(fileURLWithPath: base.path + ".inputs.npz"), for: graph)
      do {
        let outputs = try Runner.interpret(compilation, weights: binding.weights, inputs: inputs)
        try Fixtures.assertClose(outputs, expected: URL(fileURLWithPath: base.path + ".expected.npz"), testCase.name)
      } catch {
        XCTFail("\(testCase.name): \(error)")
      }
    }
  }

  /// NaN and ±inf in the inputs come out where Keras' do, with and without the passes.
  func testNonFiniteInputsPropagateAsInKeras() throws {
    let cases = try TestPaths.nonfiniteCases()
    XCTAssertGreaterThan(cases.count, 80)
    for testCase in cases {
      do {
        let nonfinite = try NonFiniteCase(testCase)
        let outputs = try Runner.interpret(nonfinite.compilation, weights: nonfinite.weights, inputs: nonfinite.inputs)
        try Fixtures.assertClose(outputs, expected: nonfinite.expected, testCase.name + " (non-finite inputs)")
        let (optimized, optimizedWeights) = try nonfinite.compilation.optimized(weights: nonfinite.weights)
        let optimizedOutputs = try Runner.interpret(optimized, weights: optimizedWeights, inputs: nonfinite.inputs)
        try Fixtures.assertClose(
          optimizedOutputs, expected: nonfinite.expected, testCase.name + " (non-finite inputs, passes)")
      } catch {
        XCTFail("\(testCase.name): \(error)")
      }
    }
  }

  func testEveryRegisteredLayerAndPassOpLowers() {
    let registry = LayerRegistry.standard
    for definition in registry.definitions + registry.passOps {
      XCTAssertNotNil(definition.lowering, "\(definition.keras) has no lowering, so neither backend can run it")
    }
  }
}
