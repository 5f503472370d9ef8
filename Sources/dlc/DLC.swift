// The dlc command line: parses arguments, calls the driver, prints, and maps outcomes to exit codes.
import ArgumentParser
import DLCCodegen
import DLCData
import DLCDriver
import DLCIR
import DLCLayers
import DLCPasses
import DLCPlanning
import DLCSummary
import DLCSupport
import DLCViz
import DLCWeights
import Foundation

@main
struct DLC: ParsableCommand {
  /// Maps outcomes to the exit codes of spec §2: usage errors 2 (argument-parser's own is 64),
  /// input errors 1 (thrown by the commands as `ExitStatus.inputError`), anything else 3.
  static func main() {
    var command: ParsableCommand
    do {
      command = try parseAsRoot()
    } catch {
      let code = exitCode(for: error)
      if code == .success { exit(withError: error) }
      FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
      Foundation.exit(2)
    }
    do {
      try command.run()
    } catch let code as ExitCode {
      Foundation.exit(code.rawValue)
    } catch let diagnostic as Diagnostic {
      // A diagnostic no command located: one of dlc's own checks failed (the IR verifier).
      FileHandle.standardError.write(Data((diagnostic.description + "please report this as a dlc bug\n").utf8))
      Foundation.exit(3)
    } catch {
      // Help and usage problems can also surface here (the help subcommand, late validation).
      switch exitCode(for: error) {
      case .success: exit(withError: error)
      case .validationFailure:
        FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
        Foundation.exit(2)
      default:
        FileHandle.standardError.write(Data("internal error: \(error)\nplease report this as a dlc bug\n".utf8))
        Foundation.exit(3)
      }
    }
  }

  static let configuration = CommandConfiguration(
    commandName: "dlc",
    abstract: "A deep-learning model compiler: check shapes, summarize, and compile .dl models.",
    discussion: """
      Exit codes: 0 success, 1 the input is wrong (a diagnostic was printed), 2 bad command-line usage, \
      3 an internal error.
      """,
    version: "0.1.0",
    subcommands: [
      Check.self, Summary.self, IR.self, Viz.self, Compile.self, Run.self, Bench.self, Verify.self, Init.self,
      Import.self, Layers.self,
    ])
}

/// `--batch` of every command: at least one example, at most `Limits.maxBatch`.
func validateBatch(_ batch: Int) throws {
  guard (1...Limits.maxBatch).contains(batch) else {
    throw ValidationError("--batch must be between 1 and \(Limits.describe(Limits.maxBatch)); got \(batch)")
  }
}

/// Exit codes of the contract (spec §2).
enum ExitStatus {
  static let inputError = ExitCode(1)
  static let internalError = ExitCode(3)
}

struct ModelArgument: ParsableArguments {
  @Argument(help: "The model file: .dl, or a Keras model (.keras, or .h5 from model.save), imported as it is read.")
  var model: String

  @Flag(help: "Print how long each compiler stage took, on stderr.")
  var timings = false

  @Option(
    name: .customLong("max-shape"),
    help: ArgumentHelp(
      "The largest size of the inputs' none dimensions: N (all of them) or NAME=N[,M] (repeatable; default \(VariableSizes.standardMaximum)).",
      discussion: "Code and arena are sized for it; run takes any size up to it."))
  var maxShapes: [String] = []
}

/// Compiles the model, prints its diagnostics to stderr, and fails with exit code 1 on errors.
func compileOrExit(_ options: ModelArgument) throws -> Compilation {
  let sizes = try failing { try VariableSizes.parse(options.maxShapes) }
  let compilation = Driver.compile(path: options.model, sizes: sizes)
  FileHandle.standardError.write(Data(compilation.renderedDiagnostics.utf8))
  if options.timings { reportTimes(compilation.stageTimes) }
  guard let graph = compilation.graph else { throw ExitStatus.inputError }
  try failing { try Driver.checkMaximumSizes(options.maxShapes, sizes, for: graph) }
  return compilation
}

/// Runs `work` and, with `--timings`, reports how long it took under `stage`.
func timed<T>(_ stage: String, _ options: ModelArgument, _ work: () throws -> T) rethrows -> T {
  let clock = ContinuousClock()
  let start = clock.now
  let result = try work()
  if options.timings { reportTimes([(stage, clock.now - start)]) }
  return result
}

func reportTimes(_ times: [(stage: String, duration: Duration)]) {
  for (stage, duration) in times {
    let milliseconds = Double(duration.components.seconds) * 1e3 + Double(duration.components.attoseconds) * 1e-15
    FileHandle.standardError.write(Data("time: \(stage) \(String(format: "%.3f", milliseconds)) ms\n".utf8))
  }
}

struct Check: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Parse the model and verify every shape; print the layer and parameter counts.")

  @OptionGroup var options: ModelArgument

  func run() throws {
    let compilation = try compileOrExit(options)
    guard let graph = compilation.graph else { throw ExitStatus.internalError }
    let layers = graph.layers.count
    let parameters = SummaryTable.grouped(graph.totalParameters)
    print(
      "ok: \(layers) layer\(layers == 1 ? "" : "s"), \(parameters) parameter\(graph.totalParameters == 1 ? "" : "s")")
  }
}

struct Summary: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Print the model's Keras-style summary: layers, output shapes and parameter counts.")

  enum Format: String, ExpressibleByArgument, CaseIterable {
    case table, json
  }

  @OptionGroup var options: ModelArgument

  @Option(help: "Output format: table (Keras' model.summary()) or json.")
  var format: Format = .table

  @Flag(help: "Add multiply-accumulates and activation bytes per layer (one example), with totals.")
  var macs = false

  func run() throws {
    let compilation = try compileOrExit(options)
    let text = try timed("summarize", options) {
      let summary = try failing { try compilation.summary(countingMACs: macs) }
      switch format {
      case .table: return SummaryTable.render(summary, showMACs: macs)
      case .json: return SummaryJSON.render(summary, showMACs: macs)
      }
    }
    print(text, terminator: "")
  }
}

struct Layers: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "List the layers dlc knows, or show one layer's arguments and defaults.")

  @Argument(help: "A layer name, such as Conv2D. Without it, every layer is listed.")
  var layer: String?

  func run() throws {
    let registry = LayerRegistry.standard
    guard let name = layer else {
      print(registry.names.joined(separator: "\n"))
      return
    }
    guard let definition = registry[name] else {
      let hint = NearestName.hint(name, among: registry.names)
      FileHandle.standardError.write(Data("error: unknown layer '\(name)'\(hint)\n".utf8))
      throw ExitStatus.inputError
    }
    print(LayerReference.layer(definition), terminator: "")
  }
}

/// Prints the diagnostics a stage after compiling threw and exits with 1 (3 for dlc's own bug).
func failing<T>(_ work: () throws -> T) throws -> T {
  do {
    return try work()
  } catch let diagnostic as Diagnostic {
    FileHandle.standardError.write(Data(diagnostic.rendered.utf8))
    throw diagnostic.message.hasPrefix("internal error") ? ExitStatus.internalError : ExitStatus.inputError
  }
}

/// Compiles the model and prepares it for a backend (weights, passes), in the driver's order; the
/// weights notice and any problem go to stderr.
func prepareOrExit(_ options: ModelArgument, weights: String?, passes: PassOptions) throws -> PreparedModel {
  try prepareOrExit(try compileOrExit(options), weights: weights, passes: passes)
}

func prepareOrExit(_ source: Compilation, weights: String?, passes: PassOptions) throws -> PreparedModel {
  let selected = try passes.selected
  let model = try failing { try Driver.prepare(source, weightsPath: weights, passes: selected) }
  if let notice = model.notice { FileHandle.standardError.write(Data(notice.utf8)) }
  return model
}

struct Run: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Run the model on NumPy inputs and print or save its outputs.",
    discussion: """
      Inputs: --input NAME=X.npy names the input; --input X.npy fills the next input in declaration order; \
      --input X.npz takes arrays named by input. The batch dimension comes first. Float inputs are float32; \
      token inputs int32 (int64 is accepted and range-checked).
      Without --weights, weights come from Keras-default initialization with seed 0.
      """)

  enum Backend: String, ExpressibleByArgument, CaseIterable {
    case interpreter, c
  }

  @OptionGroup var options: ModelArgument

  @Option(help: "Weights (.safetensors) with Keras keys such as conv2d/kernel.")
  var weights: String?

  @Option(name: .customLong("input"), help: "An input: [NAME=]X.npy or X.npz (repeatable).")
  var inputs: [String] = []

  @Option(help: "Write the outputs: Y.npy (one output) or Y.npz (keyed by output name).")
  var output: String?

  func validate() throws {
    if let output, !output.hasSuffix(".npy") && !output.hasSuffix(".npz") {
      throw ValidationError("--output must name a .npy or .npz file; got '\(output)'")
    }
  }

  @Option(help: "Where to run the model: dlc's interpreter, or generated C compiled with the system compiler (cached).")
  var backend: Backend = .interpreter

  @OptionGroup var build: BuildOptions

  @Option(help: "Write every layer's outputs to DIR/<layer>.npy, to compare with Keras layer by layer.")
  var dumpLayers: String?

  @OptionGroup var passOptions: PassOptions

  func run() throws {
    // Inputs shorter along a none dimension run the model compiled for their size.
    let source = try compileOrExit(options)
    let (specialized, inputs) = try failing {
      guard let graph = source.graph else { throw source.failed }
      let inputs = try Runner.inputs(self.inputs, for: graph, shorterAlongVariable: true)
      return (try source.specialized(for: inputs), inputs)
    }
    // Both backends run the graph after the chosen passes (folded layers have no dump of their own).
    let model = try prepareOrExit(specialized, weights: weights, passes: passOptions)
    let (compilation, weights) = (model.compilation, model.weights)
    let outputs = try failing {
      let graph = try model.graph
      if let dumpLayers { try createDirectory(dumpLayers) }
      return try timed("run", options) {
        if backend == .c {
          return try CBackend.run(
            compilation, weights: weights, inputs: inputs, build: build.options(runsHere: true), dumpLayers: dumpLayers)
        }
        return try Runner.interpret(compilation, weights: weights, inputs: inputs) { node, tensors in
          guard let dumpLayers else { return }
          for (index, tensor) in tensors.enumerated() {
            let name = graph.name(of: ValueRef(node: node.id, output: index))
            try NumPy.writeArray(tensor, path: dumpLayers + "/" + name + ".npy")
          }
        }
      }
    }
    if let output {
      try failing { try Runner.write(outputs, to: output) }
    } else {
      print(Runner.describe(outputs), terminator: "")
    }
  }

  func createDirectory(_ path: String) throws {
    do {
      try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    } catch {
      throw Diagnostic.error(file: path, "cannot create the directory (\(error.localizedDescription))")
    }
  }
}

struct Bench: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Time the model: latency percentiles over repeated runs, throughput, arena and weight sizes.",
    discussion: """
      Runs random inputs (seed 0) through the optimized model: --warmup untimed runs, then --iterations timed \
      ones. With --backend c the compiled program times each run itself, so start-up and file reading are not \
      counted. Without --weights, weights come from Keras-default initialization with seed 0. For comparisons, \
      pin to one core (taskset -c 0) and compare runs from the same session.
      """)

  enum Format: String, ExpressibleByArgument, CaseIterable {
    case text, json
  }

  @OptionGroup var options: ModelArgument

  @Option(help: "Weights (.safetensors); default: Keras-default initialization, seed 0.")
  var weights: String?

  @Option(help: "What to time: generated C compiled with the system compiler, or dlc's interpreter.")
  var backend: Run.Backend = .c

  @Option(help: "Examples per run.")
  var batch: Int = 1

  @Option(help: "Timed runs.")
  var iterations: Int = 100

  @Option(
    help: """
      Threads to split each run's examples among (C backend; each thread has its own arena). \
      Pin to as many cores (taskset -c 0,1).
      """)
  var threads: Int = 1

  @Option(help: "Untimed runs first.")
  var warmup: Int = 10

  @Option(help: "text, or json (one object, times in milliseconds).")
  var format: Format = .text

  @OptionGroup var build: BuildOptions

  @OptionGroup var passOptions: PassOptions

  func validate() throws {
    try validateBatch(batch)
    guard (1...1_000_000).contains(iterations) else {
      throw ValidationError("--iterations must be between 1 and 1,000,000; got \(iterations)")
    }
    guard (0...1_000_000).contains(warmup) else {
      throw ValidationError("--warmup must be between 0 and 1,000,000; got \(warmup)")
    }
    guard (1...64).contains(threads) else {
      throw ValidationError("--threads must be between 1 and 64; got \(threads)")
    }
  }

  func run() throws {
    let model = try prepareOrExit(options, weights: weights, passes: passOptions)
    let result = try failing {
      try Benchmark.run(
        model, backend: backend == .c ? .c : .interpreter, batch: batch, warmup: warmup, iterations: iterations,
        threads: threads, build: build.options(runsHere: true))
    }
    print(format == .json ? Self.json(result) : Self.text(result), terminator: "")
  }

  /// Milliseconds, to the nanosecond.
  static func milliseconds(_ duration: Duration) -> String { String(format: "%.6f", duration.seconds * 1e3) }

  static func text(_ result: BenchmarkResult) -> String {
    let percentiles = [("min", 0.0), ("p50", 0.5), ("p90", 0.9), ("p99", 0.99), ("max", 1.0)]
    // Microseconds for models that run in under a millisecond, so the digits shown are the ones that vary.
    let (unit, scale) = result.percentile(0.5).seconds < 1e-3 ? ("µs", 1e6) : ("ms", 1e3)
    let times = percentiles.map { "\($0.0) \(String(format: "%.4g", result.percentile($0.1).seconds * scale))" }
    return """
      \(result.model): \(result.backend.rawValue) backend, batch \(result.batch)\(result.threads > 1 ? " on \(result.threads) threads" : ""), \(result.runs.count) runs after \(result.warmup) warm-up
      latency \(unit): \(times.joined(separator: "  "))
      throughput: \(SummaryTable.grouped(Int(result.throughput.rounded()))) examples/s at the median
      memory: arena \(SummaryTable.grouped(result.arenaBytes)) bytes\(result.threads > 1 ? " per thread" : ""), weights \(SummaryTable.grouped(result.weightBytes)) bytes
      instruction set: \(result.instructionSet)

      """
  }

  static func json(_ result: BenchmarkResult) -> String {
    let fields: [(String, String)] = [
      ("model", JSONText.quoted(result.model)), ("backend", JSONText.quoted(result.backend.rawValue)),
      ("batch", "\(result.batch)"), ("threads", "\(result.threads)"), ("warmup", "\(result.warmup)"),
      ("iterations", "\(result.runs.count)"),
      ("min_ms", milliseconds(result.percentile(0))),
      ("p50_ms", milliseconds(result.percentile(0.5))),
      ("p90_ms", milliseconds(result.percentile(0.9))),
      ("p99_ms", milliseconds(result.percentile(0.99))),
      ("max_ms", milliseconds(result.percentile(1))),
      ("throughput_per_s", String(format: "%.1f", result.throughput)),
      ("arena_bytes", "\(result.arenaBytes)"), ("weight_bytes", "\(result.weightBytes)"),
      ("instruction_set", JSONText.quoted(result.instructionSet)),
    ]
    return "{" + fields.map { "\"\($0.0)\": \($0.1)" }.joined(separator: ", ") + "}\n"
  }
}

struct Init: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Write weights drawn with Keras' default initializers, deterministically from a seed.")

  @OptionGroup var options: ModelArgument

  @Option(name: .shortAndLong, help: "The weights file to write (.safetensors).")
  var output: String

  @Option(help: "The random seed; the same seed gives the same weights.")
  var seed: UInt64 = 0

  func run() throws {
    let compilation = try compileOrExit(options)
    guard let graph = compilation.graph else { throw ExitStatus.internalError }
    let (weights, warnings) = try failing { try Runner.initialize(graph, seed: seed) }
    for warning in warnings { FileHandle.standardError.write(Data("warning: \(warning)\n".utf8)) }
    try failing {
      try SafeTensors(weights, metadata: ["format": "dlc", "model": graph.name, "seed": String(seed)]).write(to: output)
    }
    let count = weights.reduce(0) { $0 + $1.tensor.count }
    print("wrote \(output): \(weights.count) tensors, \(SummaryTable.grouped(count)) parameters (seed \(seed))")
  }
}

struct Import: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Write a trained Keras model (.keras, or a whole-model .h5) as a .dl file, and its weights.",
    discussion: """
      Every other command also reads a Keras model directly (dlc summary model.keras); import writes the \
      .dl source to read, edit or keep. Nothing is written unless the whole model imports and compiles.
      """)

  @Argument(help: "The Keras model: .keras (model.save(\"m.keras\")) or .h5 (model.save(\"m.h5\")).")
  var model: String

  @Option(name: .shortAndLong, help: "The .dl file to write (default: the model file's name with .dl).")
  var output: String?

  @Option(help: "Also write the trained weights (.safetensors, dlc's keys) for --weights.")
  var weightsOut: String?

  func run() throws {
    let compilation = Driver.compile(path: model)
    FileHandle.standardError.write(Data(compilation.renderedDiagnostics.utf8))
    guard compilation.succeeded, let graph = compilation.graph else { throw ExitStatus.inputError }
    guard let imported = compilation.imported else {
      FileHandle.standardError.write(
        Data("\(model): error: not a Keras model file (.keras or .h5); dlc reads .dl files as they are\n".utf8))
      throw ExitStatus.inputError
    }
    let destination = output ?? (URL(fileURLWithPath: model).deletingPathExtension().path + ".dl")
    var weightsFile: SafeTensors?
    if weightsOut != nil {
      let weights = try failing { try Runner.weights(for: compilation, path: nil).weights }
      let ordered = graph.nodes.flatMap { node in
        node.ownedParameters.compactMap { parameter in
          weights["\(node.name)/\(parameter.name)"].map { ("\(node.name)/\(parameter.name)", $0) }
        }
      }
      weightsFile = SafeTensors(ordered, metadata: ["format": "dlc", "model": graph.name, "source": "keras"])
    }
    try failing { try DataFile.write(Array(imported.source.utf8), path: destination) }
    print(
      "wrote \(destination): \(graph.layers.count) layers, \(SummaryTable.grouped(graph.totalParameters)) parameters")
    if let weightsOut, let weightsFile {
      try failing { try weightsFile.write(to: weightsOut) }
      print("wrote \(weightsOut): \(weightsFile.entries.count) tensors")
    }
  }
}

/// Which passes the backends' IR goes through.
struct PassOptions: ParsableArguments {
  @Option(help: "Passes before running or generating code: a comma-separated list, all, or none.")
  var passes: String = "all"

  var selected: [Pass] {
    get throws {
      switch passes {
      case "all": return Passes.all
      case "none", "": return []
      default:
        return try passes.split(separator: ",").map { name in
          let trimmed = name.trimmingCharacters(in: .whitespaces)
          guard let pass = Passes.named(trimmed) else {
            throw ValidationError(
              "unknown pass '\(trimmed)'\(NearestName.hint(trimmed, among: Passes.all.map(\.name))); passes: "
                + Passes.all.map(\.name).joined(separator: ", "))
          }
          return pass
        }
      }
    }
  }

  func validate() throws { _ = try selected }
}

/// How generated C is built.
struct BuildOptions: ParsableArguments {
  enum BLAS: String, ExpressibleByArgument, CaseIterable {
    case none, openblas
  }

  @Option(help: "The C compiler (default: $CC, else cc).")
  var cc: String?

  @Option(help: "Matrix products: none (portable C, libc and libm only) or openblas (link OpenBLAS).")
  var blas: BLAS = .none

  enum Target: String, ExpressibleByArgument, CaseIterable {
    case native, generic, baseline
  }

  @Option(
    help: """
      The CPU to build for: native (-march=native: this machine's vector instructions), generic (the \
      compiler's default, with copies of the kernels for AVX-512 and AVX2 picked when the model runs), or \
      baseline (the compiler's default only: the smallest code). Default: native for programs dlc runs itself \
      (run, bench, verify), generic for compile.
      """)
  var target: Target?

  /// The build, for code dlc runs here (`runsHere`) or code that may run elsewhere.
  func options(runsHere: Bool) -> CBuildOptions {
    let chosen = target ?? (runsHere ? .native : .generic)
    return CBuildOptions(
      compiler: cc, blas: blas == .openblas, native: chosen == .native, instructionSetCopies: chosen != .baseline)
  }
}

struct Compile: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Generate C for the model (<model>.h, <model>.c, weights) and build it with the system compiler.",
    discussion: """
      The generated code is C99 with no allocation and no mutable global state: all intermediate tensors live \
      in one arena whose size is <MODEL>_ARENA_BYTES in the header. Without --weights, weights come from \
      Keras-default initialization with seed 0.
      """)

  enum WeightsMode: String, ExpressibleByArgument, CaseIterable {
    case auto, embedded, external, blob
  }

  @OptionGroup var options: ModelArgument

  @Option(name: .shortAndLong, help: "The output directory.")
  var output: String = "."

  @Option(help: "Weights (.safetensors) to compile in.")
  var weights: String?

  @Option(help: "What to build: c (sources only), object, static, shared, or exe (a program reading and writing .npy).")
  var emit: EmitKind = .c

  @Option(help: "The most examples one call may process; sizes the arena.")
  var batch: Int = 1

  @Option(
    help: """
      embedded: weights as a C array in <model>_weights.c; blob: <model>_weights.bin linked in by \
      <model>_weights.S (.incbin); external: <model>_weights.bin, passed at run time; auto: embedded up to \
      16 MiB of weights, blob above.
      """)
  var weightsMode: WeightsMode = .auto

  @OptionGroup var build: BuildOptions

  @OptionGroup var passOptions: PassOptions

  func validate() throws { try validateBatch(batch) }

  func run() throws {
    let model = try prepareOrExit(options, weights: weights, passes: passOptions)
    let result = try failing {
      let weightBytes = model.weights.values.reduce(0) { $0 + $1.count * 4 }
      let mode: CodegenOptions.WeightsMode
      switch weightsMode {
      case .auto: mode = .automatic(weightBytes: weightBytes)
      case .embedded: mode = .embedded
      case .external: mode = .external
      case .blob: mode = .blob
      }
      let codegen = CodegenOptions(maxBatch: batch, weightsMode: mode)
      return try timed("generate and build", options) {
        try CBackend.compile(
          model.compilation, weights: model.weights, options: codegen, emit: emit, directory: output,
          build: build.options(runsHere: false))
      }
    }
    for path in result.files + result.products { print("wrote \(path)") }
    let plan = result.generated.plan
    print(
      "arena: planned \(SummaryTable.grouped(plan.totalBytes)) (naive \(SummaryTable.grouped(plan.naiveBytes)), "
        + "lower bound \(SummaryTable.grouped(plan.lowerBoundBytes))) bytes for \(batch) example\(batch == 1 ? "" : "s")"
    )
  }
}

extension EmitKind: ExpressibleByArgument {}

struct Verify: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Check the generated C against the interpreter, output by output and layer by layer.",
    discussion: """
      Compiles the model's C, runs it and the interpreter on random inputs (and on --input files, if given), \
      and prints the largest error of every layer and output relative to its scale. Fails (exit 1) when any \
      exceeds the tolerance.
      """)

  @OptionGroup var options: ModelArgument

  @Option(help: "Weights (.safetensors); default: Keras-default initialization with seed 0.")
  var weights: String?

  @Option(name: .customLong("input"), help: "Inputs to check besides random ones: [NAME=]X.npy or X.npz (repeatable).")
  var inputs: [String] = []

  @Option(help: "Examples in each random batch.")
  var batch: Int = 2

  @Option(help: "The largest error allowed, relative to each tensor's largest magnitude.")
  var tolerance: Float = 1e-4

  func validate() throws {
    try validateBatch(batch)
    guard tolerance.isFinite, tolerance >= 0 else {
      throw ValidationError("--tolerance must be a number at least 0; got \(tolerance)")
    }
  }

  @OptionGroup var build: BuildOptions

  @OptionGroup var passOptions: PassOptions

  func run() throws {
    let model = try prepareOrExit(options, weights: weights, passes: passOptions)
    let cases = try failing {
      let graph = try model.graph
      // The plan's limits and the arena's memory are checked before any input is drawn.
      _ = try Driver.checkedPlan(model, maxBatch: batch)
      var inputs = [
        ("random inputs (batch \(batch), seed 0)", try Runner.randomInputs(for: graph, batch: batch, seed: 0))
      ]
      if !self.inputs.isEmpty { inputs.append(("given inputs", try Runner.inputs(self.inputs, for: graph))) }
      return try Verification.compare(model, inputs: inputs, build: build.options(runsHere: true))
    }
    var worst: Float = 0
    for verified in cases {
      print("\(model.compilation.graph?.name ?? ""): C against the interpreter on \(verified.label)")
      print(
        "  " + "tensor".padding(toLength: 32, withPad: " ", startingAt: 0) + "   max |error|        scale     relative")
      for row in verified.rows {
        worst = max(worst, row.relativeError)
        let flag = row.relativeError > tolerance ? "  <- over \(tolerance)" : ""
        print(
          "  " + row.name.padding(toLength: 32, withPad: " ", startingAt: 0)
            + String(format: " %12.3g %12.4g %12.3g", row.maxAbsoluteError, row.scale, row.relativeError) + flag)
      }
    }
    guard worst <= tolerance else {
      print("FAILED: the largest relative error is \(worst), over the tolerance \(tolerance)")
      throw ExitStatus.inputError
    }
    print("ok: the largest relative error is \(String(format: "%.3g", worst)) (tolerance \(tolerance))")
  }
}

struct Viz: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Draw the model's graph (or, with --memory, its arena plan) with Graphviz.",
    discussion: """
      Layers are boxes with their name, type, output shape and parameter count; inputs are ellipses, \
      outputs have a bold outline; edges carry tensor shapes; block calls and nested models are dashed clusters. The format \
      comes from --format, else from the output's extension.
      """)

  @OptionGroup var options: ModelArgument

  @Option(name: .shortAndLong, help: "The picture to write (.png, .svg, .pdf or .dot).")
  var output: String

  @Option(help: "png, svg, pdf or dot (default: from the extension of -o).")
  var format: VizFormat?

  @Option(help: "Layout direction: TB (top to bottom) or LR (left to right).")
  var rankdir: RankDirection = .TB

  @Flag(help: "Draw the memory plan: each tensor a bar over the layers it is alive for, at its arena offset.")
  var memory = false

  @Flag(help: "Draw the graph after the passes (the one the backends run), folded layers noted.")
  var optimized = false

  @OptionGroup var passOptions: PassOptions

  @Option(help: "Examples per call, for --memory (sizes the tensors).")
  var batch: Int = 1

  func validate() throws { try validateBatch(batch) }

  func run() throws {
    let selected = try passOptions.selected
    let compilation = try compileOrExit(options)
    guard var graph = compilation.graph else { throw ExitStatus.internalError }
    // The memory plan is always the backends' own: after the passes.
    if optimized || memory { graph = try Driver.optimize(graph, passes: selected) }
    guard let format = format ?? VizFormat(path: output) else {
      throw ValidationError("cannot tell the format from '\(output)'; use --format png|svg|pdf|dot")
    }
    let bytes = try failing {
      do {
        if memory {
          let plan = try Driver.plan(graph, maxBatch: max(1, batch))
          return try GraphvizRenderer.render(MemoryDot.render(plan), format: format, engine: "neato")
        }
        return try GraphvizRenderer.render(GraphDot.render(graph, rankdir: rankdir), format: format)
      } catch let diagnostic as Diagnostic {
        throw compilation.failure(diagnostic)
      }
    }
    do {
      try Data(bytes).write(to: URL(fileURLWithPath: output))
    } catch {
      FileHandle.standardError.write(Data("\(output): error: cannot write the file\n".utf8))
      throw ExitStatus.inputError
    }
    print("wrote \(output) (\(format.rawValue), \(SummaryTable.grouped(bytes.count)) bytes)")
  }
}

extension VizFormat: ExpressibleByArgument {}
extension RankDirection: ExpressibleByArgument {}

struct IR: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "ir",
    abstract: "Print the model's IR as text, after the chosen passes.",
    discussion: "Passes: " + Passes.all.map { "\($0.name) (\($0.summary))" }.joined(separator: "; ") + ".")

  @OptionGroup var options: ModelArgument

  @OptionGroup var passOptions: PassOptions

  @Flag(help: "Print the IR before the passes and after each one, then the kernel calls it lowers to.")
  var printAfterAll = false

  @Flag(help: "Also print the kernel calls each layer lowers to (what both backends run).")
  var kernels = false

  @Flag(help: "Also print the memory plan: each arena buffer's offset, size, lifetime in steps and tensors.")
  var memory = false

  func run() throws {
    let selected = try passOptions.selected
    let compilation = try compileOrExit(options)
    guard let graph = compilation.graph else { throw ExitStatus.internalError }
    if printAfterAll { print("// input\n" + IRPrinter.print(graph, file: compilation.file)) }
    let result = try Driver.optimize(graph, passes: selected) { pass, after in
      if printAfterAll { print("// after \(pass.name)\n" + IRPrinter.print(after, file: compilation.file)) }
    }
    if !printAfterAll { print(IRPrinter.print(result, file: compilation.file), terminator: "") }
    if printAfterAll || kernels {
      print("// lowered (weights as zeros: the calls, not the constants' values)")
      print(try Driver.lowered(result).text(result), terminator: "")
    }
    if let plan = try? Driver.plan(result) {
      print(
        "# arena: planned \(SummaryTable.grouped(plan.totalBytes)) (naive \(SummaryTable.grouped(plan.naiveBytes)), "
          + "lower bound \(SummaryTable.grouped(plan.lowerBoundBytes))) bytes for one example")
      if memory { print(plan.report, terminator: "") }
    }
  }
}
