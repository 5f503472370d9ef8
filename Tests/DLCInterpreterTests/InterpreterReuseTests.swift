// An interpreter keeps its arena from run to run, as a caller of the generated C keeps its own: a
// run must not depend on what the one before left there, whatever the batch, and runs on several
// threads at once must each get memory of their own.
import DLCData
import DLCDriver
import DLCIR
import DLCInterpreter
import DLCPlanning
import DLCWeights
import Foundation
import XCTest

final class InterpreterReuseTests: XCTestCase {
  /// A model with Winograd and im2col scratch, a recurrent one, attention, and one with two inputs.
  static let models = ["cifar10_cnn", "text_lstm", "transformer_text", "image_tabular"]

  func testRunsAfterOtherRunsAndBatchesGiveWhatAFreshInterpreterGives() throws {
    for name in Self.models {
      let (graph, weights, both) = try Self.load(name)
      let plan = try MemoryPlan(graph, maxBatch: 2)
      let second = both.map { Self.secondExample(of: $0) }
      let reused = try Interpreter(graph: graph, weights: weights, plan: plan)
      for inputs in [both, second, both, second] {
        let fresh = try Interpreter(graph: graph, weights: weights, plan: plan).run(inputs)
        let again = try reused.run(inputs)
        XCTAssertEqual(again.map(\.shape), fresh.map(\.shape), name)
        XCTAssertEqual(again.map(Self.bits), fresh.map(Self.bits), "\(name): a reused interpreter's outputs differ")
      }
    }
  }

  func testRunIntoWritesTheCallersTensorsInPlaceAndGivesWhatRunGives() throws {
    for name in ["cifar10_cnn", "image_tabular"] {
      let (graph, weights, both) = try Self.load(name)
      let interpreter = try Interpreter(graph: graph, weights: weights, plan: try MemoryPlan(graph, maxBatch: 2))
      let second = both.map { Self.secondExample(of: $0) }
      // Tensors of other shapes, or other counts than their shapes say, are replaced.
      var outputs = graph.outputs.map { _ in Tensor(shape: [2, 1], floats: [0]) }
      for inputs in [both, both, second, second, both] {
        let expected = try interpreter.run(inputs)
        let (before, keptBits) = (outputs.map(Self.storage), outputs.map(Self.bits))
        let kept = outputs
        try interpreter.run(inputs, into: &outputs)
        XCTAssertEqual(outputs.map(\.shape), expected.map(\.shape), name)
        XCTAssertEqual(outputs.map(Self.bits), expected.map(Self.bits), "\(name): run(_:into:) differs from run(_:)")
        // The caller's copy from before is its own: the run wrote elsewhere and left it as it was.
        XCTAssertEqual(kept.map(Self.bits), keptBits, name)
        let sameShapes = kept.map(\.shape) == expected.map(\.shape)
        if sameShapes {
          XCTAssertNotEqual(outputs.map(Self.storage), before, "\(name): a shared tensor was written in place")
        }
        // Held by nobody else and already of the right shape: written where it is.
        let held = outputs.map(Self.storage)
        try interpreter.run(inputs, into: &outputs)
        XCTAssertEqual(outputs.map(Self.storage), held, "\(name): the outputs were not written in place")
        XCTAssertEqual(outputs.map(Self.bits), expected.map(Self.bits), name)
      }
    }
  }

  /// Where a tensor's elements are stored.
  static func storage(_ tensor: Tensor) -> UInt {
    guard case .float32(let values) = tensor.elements else { return 0 }
    return values.withUnsafeBufferPointer { UInt(bitPattern: $0.baseAddress) }
  }

  func testRunsOnSeveralThreadsAtOnceGiveTheSameOutputs() throws {
    let (graph, weights, inputs) = try Self.load("cifar10_cnn")
    let interpreter = try Interpreter(graph: graph, weights: weights, plan: try MemoryPlan(graph, maxBatch: 2))
    let expected = try interpreter.run(inputs).map(Self.bits)
    let results = Results(count: 8)
    DispatchQueue.concurrentPerform(iterations: 8) { index in
      for _ in 0..<3 {
        results.record(index, (try? interpreter.run(inputs))?.map(Self.bits))
      }
    }
    for index in 0..<8 {
      XCTAssertEqual(results.outputs(index), [expected, expected, expected], "thread \(index)")
    }
  }

  static func load(_ name: String) throws -> (Graph, [String: Tensor], [Tensor]) {
    let compilation = Driver.compile(path: Fixtures.repository.appendingPathComponent("graphs/\(name).dl").path)
    let graph = try XCTUnwrap(compilation.graph, compilation.renderedDiagnostics)
    let weights = Dictionary(Initialization.initialize(graph, seed: 1).weights.map { ($0.name, $0.tensor) }) { a, _ in
      a
    }
    let inputs = try Fixtures.inputs(Fixtures.models.appendingPathComponent("\(name).inputs.npz"), for: graph)
    XCTAssertEqual(inputs.first?.shape.first, 2, "\(name): the fixture's batch")
    return (graph, weights, inputs)
  }

  /// The second of a two-example batch.
  static func secondExample(of tensor: Tensor) -> Tensor {
    let shape = [1] + tensor.shape.dropFirst()
    switch tensor.elements {
    case .int32(let values): return Tensor(shape: shape, elements: .int32(Array(values[(values.count / 2)...])))
    default:
      let values = tensor.floats
      return Tensor(shape: shape, floats: Array(values[(values.count / 2)...]))
    }
  }

  static func bits(_ tensor: Tensor) -> [UInt32] { tensor.floats.map(\.bitPattern) }
}

/// What each thread's runs returned, written under a lock.
private final class Results: @unchecked Sendable {
  private let lock = NSLock()
  private var byThread: [[[[UInt32]]?]]

  init(count: Int) { byThread = Array(repeating: [], count: count) }

  func record(_ thread: Int, _ outputs: [[UInt32]]?) { lock.withLock { byThread[thread].append(outputs) } }
  func outputs(_ thread: Int) -> [[[UInt32]]?] { lock.withLock { byThread[thread] } }
}
