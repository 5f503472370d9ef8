// `dlc bench`: one model's latency on one backend, over repeated runs of the same inputs after
// untimed warm-up runs, with the memory it needs. The C backend's program times its own runs, so
// process start-up and file reading are not counted; the interpreter is timed in-process.
import DLCCodegen
import DLCData
import DLCInterpreter
import DLCPlanning
import DLCSupport
import Foundation

/// What a benchmark measured.
public struct BenchmarkResult {
  public enum Backend: String, Sendable {
    case interpreter, c
  }

  public var model: String
  public var backend: Backend
  public var batch: Int
  /// Threads the batch was split among (each with its own arena).
  public var threads: Int
  public var warmup: Int
  /// Each timed run, in the order it ran.
  public var runs: [Duration]
  /// The arena one call needs at this batch, and the bytes of the weights the backend holds (for C
  /// the packed blob it is compiled or run with).
  public var arenaBytes: Int
  public var weightBytes: Int
  /// The kernels that ran: "avx512", "avx2" or "portable".
  public var instructionSet: String

  /// The run at `fraction` (0…1) of the sorted runs, nearest rank.
  public func percentile(_ fraction: Double) -> Duration {
    let sorted = runs.sorted()
    guard !sorted.isEmpty else { return .zero }
    let rank = Int((fraction * Double(sorted.count)).rounded(.up)) - 1
    return sorted[min(max(rank, 0), sorted.count - 1)]
  }

  /// Examples per second at the median run.
  public var throughput: Double {
    let median = percentile(0.5).seconds
    return median > 0 ? Double(batch) / median : 0
  }
}

extension Duration {
  /// The duration in seconds, as a Double.
  public var seconds: Double { Double(components.seconds) + Double(components.attoseconds) * 1e-18 }
}

public enum Benchmark {
  /// Times `model` on random inputs of `batch` examples (seed 0); the C backend may split the
  /// examples among `threads` threads, the interpreter runs on one.
  public static func run(
    _ model: PreparedModel, backend: BenchmarkResult.Backend, batch: Int, warmup: Int, iterations: Int,
    threads: Int = 1, build: CBuildOptions = CBuildOptions()
  ) throws -> BenchmarkResult {
    let graph = try model.graph
    let inputs = try Runner.randomInputs(for: graph, batch: batch, seed: 0)
    switch backend {
    case .c:
      let timed = try CBackend.time(
        model.compilation, weights: model.weights, inputs: inputs, build: build, warmup: warmup, repeat: iterations,
        threads: threads)
      return BenchmarkResult(
        model: graph.name, backend: .c, batch: batch, threads: threads, warmup: warmup, runs: timed.runs,
        arenaBytes: timed.plan.totalBytes, weightBytes: timed.weightBytes, instructionSet: timed.instructionSet)
    case .interpreter:
      guard threads == 1 else {
        throw Diagnostic.error("--threads \(threads) needs --backend c: the interpreter runs on one thread")
      }
      let plan = try Driver.checkedPlan(model, maxBatch: batch)
      // Lowered once, as the compiled program's weights are packed once: a run is what is timed.
      let clock = ContinuousClock()
      var runs: [Duration] = []
      // Room for every time first: growing the array mid-run would be timed with the run it follows.
      runs.reserveCapacity(iterations)
      do {
        let interpreter = try Interpreter(graph: graph, weights: model.weights, plan: plan)
        // The outputs go into the same tensors run after run, as the C program's into its buffers.
        var outputs: [Tensor] = []
        for round in 0..<(warmup + iterations) {
          let start = clock.now
          try interpreter.run(inputs, into: &outputs)
          if round >= warmup { runs.append(clock.now - start) }
        }
      } catch let diagnostic as Diagnostic {
        throw model.compilation.failure(diagnostic)
      }
      return BenchmarkResult(
        model: graph.name, backend: .interpreter, batch: batch, threads: 1, warmup: warmup, runs: runs,
        arenaBytes: plan.totalBytes,
        weightBytes: model.weights.values.reduce(0) { $0 + $1.count * $1.elementType.byteCount },
        instructionSet: Interpreter.instructionSet)
    }
  }
}
