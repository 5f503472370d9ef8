// The stages a model goes through before a backend runs or emits it, in the one order every command
// uses: compile (parse, elaborate, check shapes), bind or initialize the weights, run the passes.
import DLCCodegen
import DLCData
import DLCIR
import DLCLayers
import DLCPasses
import DLCPlanning
import DLCSupport
import Foundation

/// A model ready for a backend.
public struct PreparedModel {
  /// After the passes: what the backends run.
  public var compilation: Compilation
  /// The weights of `compilation` (folded where the passes folded layers).
  public var weights: [String: Tensor]
  /// Said on stderr when no weights file was given and Keras-default initialization stood in.
  public var notice: String?

  /// The graph the backends run.
  public var graph: Graph {
    get throws {
      guard let graph = compilation.graph else { throw compilation.failed }
      return graph
    }
  }
}

extension Driver {
  /// Binds the weights file at `weightsPath` (or initializes Keras-default weights, seed 0) and runs
  /// `passes` over graph and weights together.
  public static func prepare(_ source: Compilation, weightsPath: String?, passes: [Pass]) throws -> PreparedModel {
    let (loaded, notice) = try Runner.weights(for: source, path: weightsPath)
    let (compilation, weights) = try source.optimized(weights: loaded, passes: passes)
    return PreparedModel(compilation: compilation, weights: weights, notice: notice)
  }

  /// The memory plan the C backend compiles for `maxBatch` examples, checked against the limits and
  /// this machine's memory before anything that size is allocated.
  /// The graph after `passes` (weights untouched: for showing the IR and the plan); `after` sees
  /// the graph after each pass.
  public static func optimize(
    _ graph: Graph, passes: [Pass], after: ((Pass, Graph) -> Void)? = nil
  ) throws -> Graph {
    try PassManager(passes).run(graph, after: after)
  }

  /// The memory plan both backends use for `graph` and up to `maxBatch` examples.
  public static func plan(_ graph: Graph, maxBatch: Int = 1) throws -> MemoryPlan {
    try CCodegen.memoryPlan(graph, maxBatch: maxBatch)
  }

  /// The kernel calls `graph` lowers to for one example, with zeros for weights: what both
  /// backends run (weights laid out as the generated C has them), for reading (`dlc ir --kernels`).
  public static func lowered(_ graph: Graph) throws -> LoweredGraph {
    var sizes: [String: Int] = [:]
    for node in graph.nodes {
      for weight in node.parameters { sizes["\(node.name)/\(weight.name)"] = weight.elementCount }
    }
    return try LoweredGraph(
      graph, weights: { sizes[$0].map { [Float](repeating: 0, count: $0) } }, maxBatch: 1, layout: .panels)
  }

  public static func checkedPlan(_ model: PreparedModel, maxBatch: Int) throws -> MemoryPlan {
    do {
      let plan = try CCodegen.memoryPlan(try model.graph, maxBatch: maxBatch)
      try Runner.requireMemory(plan.totalBytes, for: "the arena (\(maxBatch) example\(maxBatch == 1 ? "" : "s"))")
      return plan
    } catch let diagnostic as Diagnostic {
      throw model.compilation.failure(diagnostic)
    }
  }
}
