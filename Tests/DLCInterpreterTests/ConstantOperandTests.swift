// Add, Subtract and Multiply with constant= (Keras' `x + 3.0`, `x - 1.0`, `x * 0.5` in a functional
// model), alone and fused into an element-wise chain, against the arithmetic written out.
import DLCData
import DLCDriver
import DLCSupport
import XCTest

final class ConstantOperandTests: XCTestCase {
  func testMergesWithANumberComputeTheArithmetic() throws {
    let source = """
      model constants
      input x: [5]
      a = x -> Add(constant=3)
      s = x -> Subtract(constant=1.5) -> ReLU()
      m = x -> Multiply(constant=2 ** -1) -> Add(constant=-0.25)
      output a, s, m
      """
    let values: [Float] = [-2, -0.5, 0, 1.25, 4]
    let expected: [[Float]] = [
      values.map { $0 + 3 }, values.map { max($0 - 1.5, 0) }, values.map { $0 * 0.5 - 0.25 },
    ]
    let compilation = Driver.compile(SourceFile(path: "constants.dl", text: source))
    XCTAssertTrue(compilation.succeeded, compilation.renderedDiagnostics)
    let inputs = [Tensor(shape: [1, 5], floats: values)]
    let plain = try Runner.interpret(compilation, weights: [:], inputs: inputs)
    let (optimized, _) = try compilation.optimized(weights: [:])
    let fused = try Runner.interpret(optimized, weights: [:], inputs: inputs)
    XCTAssertTrue(
      optimized.graph?.nodes.contains { $0.op == "ElementwiseChain" } == true, "the passes fused no chain")
    for outputs in [plain, fused] {
      XCTAssertEqual(outputs.map { $0.tensor.floats }, expected)
    }
  }

  func testAConstantTakesThePlaceOfTheSecondTensor() {
    let source = "model m\ninput x: [4]\ninput y: [4]\noutput (x, y) -> Add(constant=1)\n"
    let compilation = Driver.compile(SourceFile(path: "m.dl", text: source))
    XCTAssertFalse(compilation.succeeded)
    XCTAssertTrue(compilation.renderedDiagnostics.contains("Add with constant= takes one tensor; got 2"))
  }
}
