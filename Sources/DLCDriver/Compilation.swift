// The compiler driver: the only place that knows the order of the stages.
import DLCData
import DLCElaboration
import DLCFrontend
import DLCIR
import DLCImport
import DLCLayers
import DLCPasses
import DLCSummary
import DLCSupport
import Foundation

/// What compiling one .dl file produced: the graph if it succeeded, and every diagnostic either way.
public struct Compilation {
  public let file: SourceFile
  public internal(set) var graph: Graph?
  public let diagnostics: [Diagnostic]
  public let suppressedErrors: Int
  /// The error cap, when compilation stopped because it was reached.
  public var stoppedAtLimit: Int? = nil
  /// How long each stage took, in the order they ran (for `--timings` and benchmarks).
  public var stageTimes: [(stage: String, duration: Duration)] = []
  /// When the file was a Keras model: the .dl source it became (compiled here) and its weights.
  public internal(set) var imported: ImportedModel? = nil
  /// The sizes the inputs' `none` dimensions were compiled for.
  public internal(set) var sizes = VariableSizes()
  /// The layers the file was compiled with, to compile it again for other sizes.
  public internal(set) var registry = LayerRegistry.standard

  public var succeeded: Bool { graph != nil }

  /// A diagnostic raised after compiling, placed in this file so it renders on its own: one raised
  /// at an IR node is placed at the call of the layer the node came from, when there is one.
  public func failure(_ diagnostic: Diagnostic) -> Diagnostic {
    var located = diagnostic
    if located.range == nil, let node = located.node, let graph, graph.nodes.indices.contains(node) {
      located.range = graph.nodes[node].range
    }
    if located.source == nil { located.source = file }
    located.together = located.together.map { failure($0) }
    return located
  }

  /// The compiler's diagnostics as one error, for a caller that needs the graph of a failed compile.
  public var failed: Diagnostic {
    var all = diagnostics.map { diagnostic -> Diagnostic in
      var placed = diagnostic
      placed.source = file
      return placed
    }
    if suppressedErrors > 0 {
      all.append(
        Diagnostic(.note, "\(suppressedErrors) more error\(suppressedErrors == 1 ? "" : "s") not shown", at: nil))
    }
    if let limit = stoppedAtLimit {
      all.append(Diagnostic(.note, "stopped after \(limit) errors; fix these and run again", at: nil))
    }
    return Diagnostic.together(all) ?? Diagnostic.error("\(file.path) did not compile")
  }

  /// The Keras-style summary of the compiled graph; a count too large for 64 bits is a located error.
  public func summary(countingMACs: Bool = true) throws -> ModelSummary {
    guard let graph else { throw failed }
    do {
      return try ModelSummary(graph, countingMACs: countingMACs)
    } catch let diagnostic as Diagnostic {
      throw failure(diagnostic)
    }
  }

  /// The diagnostics as the user sees them on stderr.
  public var renderedDiagnostics: String {
    DiagnosticRenderer.render(diagnostics, in: file, suppressedErrors: suppressedErrors, stoppedAtLimit: stoppedAtLimit)
  }
}

public enum Driver {
  /// Reads and compiles a file; a file that cannot be read is reported as a diagnostic too. A
  /// Keras model file (`.keras`, `.h5`) is imported first and its .dl source compiled.
  public static func compile(path: String, registry: LayerRegistry = .standard, sizes: VariableSizes = VariableSizes())
    -> Compilation
  {
    switch FileContents.read(path) {
    case .success(let bytes) where KerasImport.recognizes(bytes):
      let clock = ContinuousClock()
      let start = clock.now
      do {
        let imported = try KerasImport.load(bytes, path: path, registry: registry)
        let importTime = clock.now - start
        var compilation = compile(
          SourceFile(path: path, bytes: Array(imported.source.utf8)), registry: registry, sizes: sizes)
        compilation.imported = imported
        compilation.stageTimes.insert(("import", importTime), at: 0)
        return compilation
      } catch {
        let diagnostic = error as? Diagnostic ?? .error(file: path, "cannot import it (\(error))")
        return Compilation(
          file: SourceFile(path: path, bytes: []), graph: nil, diagnostics: [diagnostic], suppressedErrors: 0)
      }
    case .success(let bytes):
      return compile(SourceFile(path: path, bytes: bytes), registry: registry, sizes: sizes)
    case .failure(let error):
      let file = SourceFile(path: path, bytes: [])
      return Compilation(file: file, graph: nil, diagnostics: [error], suppressedErrors: 0)
    }
  }

  /// `sizes` gives inputs' `none` dimensions the sizes to compile for.
  public static func compile(
    _ file: SourceFile, registry: LayerRegistry = .standard, sizes: VariableSizes = VariableSizes()
  ) -> Compilation {
    var sizes = sizes
    let diagnostics = DiagnosticEngine()
    var graph: Graph?
    var stageTimes: [(stage: String, duration: Duration)] = []
    func timed<T>(_ stage: String, _ work: () -> T) -> T {
      let clock = ContinuousClock()
      let start = clock.now
      let result = work()
      stageTimes.append((stage, clock.now - start))
      return result
    }
    if let problem = timed("read", { textProblem(file) }) {
      diagnostics.report(problem)
    } else if let model = timed("parse", { Parser.parse(file, diagnostics: diagnostics) }), !diagnostics.hasErrors {
      graph = timed(
        "elaborate",
        {
          sizes = largestWorkingSizes(model, registry: registry, sizes: sizes)
          guard var graph = Elaborator.elaborate(model, registry: registry, sizes: sizes, diagnostics: diagnostics)
          else { return nil }
          if graph.hasVariableDimensions {
            markVariableAxes(&graph, model: model, registry: registry, diagnostics: diagnostics)
          }
          return graph
        })
    }
    // Stages report in the order they run (the lexer before the parser); users read in source order.
    let ordered = diagnostics.diagnostics.enumerated().sorted { a, b in
      let (left, right) = (a.element.range?.start ?? -1, b.element.range?.start ?? -1)
      return left != right ? left < right : a.offset < b.offset
    }.map(\.element)
    return Compilation(
      file: file, graph: diagnostics.hasErrors ? nil : graph, diagnostics: ordered,
      suppressedErrors: diagnostics.suppressedErrors, stoppedAtLimit: diagnostics.isFull ? diagnostics.errorLimit : nil,
      stageTimes: stageTimes, sizes: sizes, registry: registry)
  }

  /// A .dl file is UTF-8 text; a binary file gets one clear error instead of a cascade.
  static func textProblem(_ file: SourceFile) -> Diagnostic? {
    if let index = file.bytes.firstIndex(of: 0) {
      return .error(
        "\(file.path) is not a text file (it contains a NUL byte)", at: SourceRange(index, index + 1),
        notes: [DiagnosticNote("dlc reads models written in the .dl language")])
    }
    if String(validatingUTF8: file.bytes.map { CChar(bitPattern: $0) } + [0]) == nil {
      let offset = firstInvalidUTF8(file.bytes)
      return .error("\(file.path) is not valid UTF-8 text", at: SourceRange(offset, offset + 1))
    }
    return nil
  }

  private static func firstInvalidUTF8(_ bytes: [UInt8]) -> Int {
    var iterator = bytes.makeIterator()
    var decoder = UTF8()
    var offset = 0
    while case .scalarValue(let scalar) = decoder.decode(&iterator) {
      offset += UTF8.width(scalar)
    }
    return min(offset, bytes.count)
  }
}

extension Compilation {
  /// The compilation with its graph (and weights) after `passes`, for the backends to consume.
  public func optimized(weights: [String: Tensor], passes: [Pass] = Passes.all) throws -> (
    Compilation, [String: Tensor]
  ) {
    guard let graph else { throw failed }
    let result = try PassManager(passes).run(Program(graph: graph, weights: weights))
    var copy = self
    copy.graph = result.graph
    return (copy, result.weights ?? weights)
  }
}
