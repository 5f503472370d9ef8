// Random valid models, drawn from a seed: chains and branches of Dense, Conv1D, pooling,
// normalization, recurrent, merge and masking layers. For each: the shapes dlc infers are the
// shapes the interpreter produces, the memory plan has no overlap, and the generated C (all
// passes) matches the interpreter on the graph as written.
import DLCCodegen
import DLCData
import DLCDriver
import DLCPlanning
import DLCSupport
import DLCTestSupport
import DLCWeights
import Foundation
import XCTest

final class RandomModelTests: XCTestCase {
  override func setUp() { CodegenFixtures.useTestCache() }

  /// A model of `seed`: the .dl text. Shapes are tracked so every layer fits its input.
  static func model(seed: UInt64) -> String {
    var random = SplitMix64(seed: seed)
    func pick(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &random) }
    var steps = pick(3...9)
    var features = pick(1...6)
    let tokens = pick(0...3) == 0
    var lines = ["model random_\(seed)"]
    var current = "x"
    if tokens {
      lines.append("input x: i32[\(steps)]")
      features = pick(2...5)
      lines.append("h0 = x -> Embedding(12, \(features), mask_zero=\(pick(0...1) == 0 ? "true" : "false"))")
      current = "h0"
    } else {
      lines.append("input x: [\(steps), \(features)]")
    }
    var masked = tokens && lines.last!.contains("mask_zero=true")
    let activations = ["relu", "tanh", "sigmoid", "linear", "gelu", "elu"]
    for index in 1...pick(2...6) {
      let name = "h\(index)"
      var call: String
      switch pick(0...8) {
      case 0:
        features = pick(1...8)
        call = "\(current) -> Dense(\(features), activation=\"\(activations[pick(0...5)])\")"
      case 1 where !masked:
        let kernel = pick(1...3)
        let same = pick(0...1) == 0 || steps <= kernel
        features = pick(1...6)
        call =
          "\(current) -> Conv1D(\(features), \(kernel), padding=\"\(same ? "same" : "valid")\", activation=\"relu\")"
        if !same { steps -= kernel - 1 }
      case 2 where !masked && steps >= 2:
        call = "\(current) -> \(pick(0...1) == 0 ? "MaxPooling1D" : "AveragePooling1D")(2)"
        steps /= 2
      case 3:
        call = "\(current) -> \(pick(0...1) == 0 ? "LayerNormalization()" : "BatchNormalization()")"
      case 4:
        features = pick(1...5)
        let kind = ["SimpleRNN", "LSTM", "GRU"][pick(0...2)]
        call =
          "\(current) -> \(kind)(\(features), return_sequences=true, go_backwards=\(pick(0...3) == 0 ? "true" : "false"))"
      case 5:
        features = pick(1...4)
        let kind = ["LSTM", "GRU"][pick(0...1)]
        call = "\(current) -> Bidirectional(\(kind)(\(features), return_sequences=true), merge_mode=\"sum\")"
      case 6:
        // A branch merged back: two Dense layers of the same width.
        features = pick(1...6)
        lines.append("\(name)a = \(current) -> Dense(\(features))")
        lines.append("\(name)b = \(current) -> Dense(\(features), activation=\"tanh\")")
        call = "(\(name)a, \(name)b) -> \(["Add", "Multiply", "Average", "Maximum"][pick(0...3)])()"
      case 7 where !tokens:
        call = "\(current) -> Masking(mask_value=0.0)"
        masked = true
      default:
        call = "\(current) -> Dropout(0.25)"
      }
      lines.append("\(name) = \(call)")
      current = name
    }
    let pooling = masked || pick(0...1) == 0 ? "GlobalAveragePooling1D()" : "GlobalMaxPooling1D()"
    lines.append("output \(current) -> \(pooling) -> Dense(\(pick(1...4)))")
    return lines.joined(separator: "\n") + "\n"
  }

  func testRandomModelsAgreeAcrossShapesPlansAndBackends() throws {
    let count = Int(ProcessInfo.processInfo.environment["DLC_RANDOM_MODELS"] ?? "") ?? 60
    try CodegenFixtures.concurrently(Array(0..<UInt64(count))) { seed in
      let source = Self.model(seed: seed)
      let compilation = Driver.compile(SourceFile(path: "random_\(seed).dl", text: source))
      guard let graph = compilation.graph else {
        return XCTFail("seed \(seed) drew an invalid model:\n\(source)\(compilation.renderedDiagnostics)")
      }
      do {
        let weights = InitializedWeights.of(graph, seed: seed)
        var inputs = try Runner.randomInputs(for: graph, batch: 3, seed: seed)
        if graph.inputs[0].outputs[0].dtype == .int32, case .int32(var ids) = inputs[0].elements {
          // Pad only the first example's second half, so masks have work to do and no example is
          // masked whole (its average would be 0/0, NaN in Keras and in both backends alike).
          let steps = graph.inputs[0].outputs[0].elementCount
          ids = ids.map { $0 == 0 ? 1 : $0 }
          for step in (steps / 2)..<steps { ids[step] = 0 }
          inputs[0] = Tensor(shape: inputs[0].shape, elements: .int32(ids))
        }
        let reference = try Runner.interpret(compilation, weights: weights, inputs: inputs) { node, outputs in
          for (index, tensor) in outputs.enumerated() {
            XCTAssertEqual(tensor.shape, [3] + node.outputs[index].dims, "seed \(seed): \(node.name)\n\(source)")
          }
        }
        let (optimized, optimizedWeights) = try compilation.optimized(weights: weights)
        let plan = try CCodegen.memoryPlan(try XCTUnwrap(optimized.graph), maxBatch: 3)
        XCTAssertEqual(plan.overlaps().count, 0, "seed \(seed): the plan overlaps\n\(source)")
        let compiled = try CBackend.run(
          optimized, weights: optimizedWeights, inputs: inputs, build: CodegenFixtures.optimized)
        CodegenFixtures.assertClose(compiled, reference, "seed \(seed)\n\(source)", tolerance: 1e-4)
      } catch {
        XCTFail("seed \(seed): \(error)\n\(source)")
      }
    }
  }
}
