// fold-embedding-projection: which Embedding → recurrent pairs it folds, the table and bias it
// leaves, and that the folded model gives the unfolded one's outputs (with biases that are not
// zero, so that folding them in is tested; Keras' fixtures cover the folded path in MaskingNumericsTests).
import DLCData
import DLCDriver
import DLCIR
import DLCInterpreter
import DLCPasses
import DLCSupport
import DLCTestSupport
import XCTest

final class EmbeddingProjectionTests: XCTestCase {
  func graph(_ body: String) throws -> Graph {
    let compilation = Driver.compile(SourceFile(path: "m.dl", text: "model m\ninput tokens: i32[6]\n" + body))
    return try XCTUnwrap(compilation.graph, compilation.renderedDiagnostics)
  }

  /// Keras-default weights with every bias made nonzero.
  func weights(_ graph: Graph) -> [String: Tensor] {
    var weights = InitializedWeights.of(graph, seed: 4)
    for key in weights.keys where key.hasSuffix("/bias") {
      let bias = weights[key]!
      weights[key] = Tensor(shape: bias.shape, floats: bias.floats.indices.map { Float($0 % 7) * 0.1 - 0.3 })
    }
    return weights
  }

  func folded(_ graph: Graph, _ weights: [String: Tensor]? = nil) throws -> Program {
    try PassManager([Passes.foldEmbeddingProjection]).run(Program(graph: graph, weights: weights))
  }

  func testTheTableIsTheEmbeddingsThroughTheKernelPlusTheBias() throws {
    let graph = try graph("output tokens -> Embedding(30, 4) -> LSTM(3)\n")
    let weights = weights(graph)
    let program = try folded(graph, weights)
    let (embedding, lstm) = (program.graph.nodes[1], program.graph.nodes[2])
    XCTAssertEqual(embedding.attributes["output_dim"], .int(12))
    XCTAssertEqual(embedding.attributes["folded"], .string("lstm input projection"))
    XCTAssertEqual(embedding.outputs[0].dims, [6, 12])
    XCTAssertEqual(embedding.parameters.map(\.shape), [[30, 12]])
    XCTAssertEqual(lstm.attributes["input_projected"], .bool(true))
    XCTAssertEqual(lstm.parameters.map(\.name), ["recurrent_kernel"])
    let table = try XCTUnwrap(program.weights?["embedding/embeddings"])
    XCTAssertEqual(table.shape, [30, 12])
    XCTAssertNil(program.weights?["lstm/kernel"])
    XCTAssertNil(program.weights?["lstm/bias"])
    let (rows, kernel, bias) = (
      weights["embedding/embeddings"]!.floats, weights["lstm/kernel"]!.floats, weights["lstm/bias"]!.floats
    )
    for row in 0..<30 {
      for column in 0..<12 {
        let want = (0..<4).reduce(Double(bias[column])) {
          $0 + Double(rows[row * 4 + $1]) * Double(kernel[$1 * 12 + column])
        }
        XCTAssertEqual(Double(table.floats[row * 12 + column]), want, accuracy: 1e-5, "row \(row) column \(column)")
      }
    }
  }

  func testAGRUWithResetAfterKeepsOnlyItsRecurrentBias() throws {
    let graph = try graph("output tokens -> Embedding(30, 4) -> GRU(3)\n")
    let weights = weights(graph)
    let program = try folded(graph, weights)
    XCTAssertEqual(program.graph.nodes[2].parameters.map(\.name), ["recurrent_kernel", "bias"])
    let bias = try XCTUnwrap(program.weights?["gru/bias"])
    XCTAssertEqual(bias.shape, [2, 9])
    XCTAssertEqual(Array(bias.floats[0..<9]), [Float](repeating: 0, count: 9))
    XCTAssertEqual(Array(bias.floats[9...]), Array(weights["gru/bias"]!.floats[9...]))
  }

  func testOnlyASoleUnsharedRecurrentReaderOfAModestTableIsFolded() throws {
    let unfolded = [
      // A Bidirectional layer would need a table per direction.
      "output tokens -> Embedding(30, 4) -> Bidirectional(LSTM(3))\n",
      // Two readers of the embedding.
      "e = tokens -> Embedding(30, 4)\na = e -> LSTM(3)\nb = e -> GRU(3)\noutput (a, b) -> Concatenate()\n",
      // The embedding is itself an output.
      "e = tokens -> Embedding(30, 4)\noutput e -> LSTM(3), e\n",
      // 300,000 × 256 floats against 300,000 × 8: too large a growth, and no small table.
      "output tokens -> Embedding(300000, 8) -> LSTM(64)\n",
      // Not a recurrent reader.
      "output tokens -> Embedding(30, 4) -> Dense(3)\n",
    ]
    for body in unfolded {
      let graph = try graph(body)
      let program = try folded(graph)
      XCTAssertFalse(program.graph.nodes.contains { $0.attributes["folded"] != nil }, body)
      XCTAssertFalse(program.graph.nodes.contains { $0.attributes["input_projected"] != nil }, body)
    }
    // Twice the table is the limit, however large: 300,000 × 16 against 300,000 × 8.
    let growth = try folded(try graph("output tokens -> Embedding(300000, 8) -> SimpleRNN(16)\n"))
    XCTAssertEqual(growth.graph.nodes[2].attributes["input_projected"], .bool(true))
  }

  func testFoldedModelsGiveTheUnfoldedOutputs() throws {
    for body in [
      "output tokens -> Embedding(30, 4, mask_zero=true) -> LSTM(5, return_sequences=true)\n",
      "output tokens -> Embedding(30, 4) -> GRU(5, go_backwards=true)\n",
      "output tokens -> Embedding(30, 4, mask_zero=true) -> GRU(5, reset_after=false, return_state=true)\n",
      "output tokens -> Embedding(30, 4) -> SimpleRNN(5, return_sequences=true)\n",
    ] {
      let graph = try graph(body)
      let weights = weights(graph)
      let program = try folded(graph, weights)
      XCTAssertTrue(program.graph.nodes.contains { $0.attributes["input_projected"] != nil }, body)
      var inputs = try Runner.randomInputs(for: graph, batch: 3, seed: 5)
      // Some padding (id 0) at the ends, for the masks.
      if case .int32(var ids) = inputs[0].elements {
        for index in [0, 5, 6, 17] { ids[index] = 0 }
        inputs[0] = Tensor(shape: inputs[0].shape, elements: .int32(ids))
      }
      let before = try Interpreter(graph: graph, weights: weights).run(inputs)
      let after = try Interpreter(graph: program.graph, weights: program.weights ?? [:]).run(inputs)
      XCTAssertEqual(before.count, after.count, body)
      for (a, b) in zip(after, before) {
        XCTAssertLessThanOrEqual(Discrepancy(name: body, actual: a, reference: b).relativeError, 1e-6, body)
      }
    }
  }
}
