// The C backend as the commands use it: generate and build, and run a model through a compiled
// program (cached by the hash of its source, so a model is compiled once).
import DLCCodegen
import DLCData
import DLCIR
import DLCPlanning
import DLCSupport
import Foundation

public enum CBackend {
  /// Generates C for the compiled model with `weights`; a problem in a layer is a located diagnostic.
  public static func generate(_ compilation: Compilation, weights: [String: Tensor], options: CodegenOptions) throws
    -> GeneratedC
  {
    guard let graph = compilation.graph else { throw compilation.failed }
    do {
      return try CCodegen.generate(graph, weights: weights, file: compilation.file, options: options)
    } catch let diagnostic as Diagnostic {
      throw compilation.failure(diagnostic)
    }
  }

  /// Writes and builds; returns the written files and the built products.
  public static func compile(
    _ compilation: Compilation, weights: [String: Tensor], options: CodegenOptions, emit: EmitKind, directory: String,
    build: CBuildOptions
  ) throws -> (generated: GeneratedC, files: [String], products: [String]) {
    let generated = try generate(compilation, weights: weights, options: options)
    do {
      let files = try CBuild.write(generated, to: directory, includeMain: emit == .exe)
      let products = try CBuild.build(generated, in: directory, emit: emit, options: build)
      return (generated, files, products)
    } catch let diagnostic as Diagnostic {
      throw compilation.failure(diagnostic)
    } catch {
      throw Diagnostic.error(file: directory, error.localizedDescription)
    }
  }

  /// Where compiled programs are kept: $DLC_CACHE_DIR, else $XDG_CACHE_HOME/dlc, else ~/.cache/dlc.
  public static var cacheDirectory: String {
    let environment = ProcessInfo.processInfo.environment
    if let explicit = environment["DLC_CACHE_DIR"], !explicit.isEmpty { return explicit }
    if let xdg = environment["XDG_CACHE_HOME"], !xdg.isEmpty { return xdg + "/dlc" }
    if let home = environment["HOME"], !home.isEmpty { return home + "/.cache/dlc" }
    return NSTemporaryDirectory() + "dlc-cache"
  }

  /// Runs the model as a compiled C program on `inputs` (batch first), the examples split among
  /// `threads` threads; `dumpLayers` receives every layer's output as <name>.npy.
  public static func run(
    _ compilation: Compilation, weights: [String: Tensor], inputs: [Tensor], build: CBuildOptions = CBuildOptions(),
    dumpLayers: String? = nil, threads: Int = 1
  ) throws -> [(name: String, tensor: Tensor)] {
    try execute(
      compilation, weights: weights, inputs: inputs, build: build,
      arguments: (dumpLayers.map { ["--dump", $0] } ?? []) + ["--threads", "\(threads)"]
    ).outputs
  }

  /// Runs the compiled program `warmup` times untimed, then `repeat` times, each run timed by the
  /// program itself (so no process start-up or file reading is counted), its examples split among
  /// `threads` threads.
  public static func time(
    _ compilation: Compilation, weights: [String: Tensor], inputs: [Tensor], build: CBuildOptions, warmup: Int,
    repeat: Int, threads: Int = 1
  ) throws -> (runs: [Duration], plan: MemoryPlan, weightBytes: Int, instructionSet: String) {
    let result = try execute(
      compilation, weights: weights, inputs: inputs, build: build,
      arguments: ["--warmup", "\(warmup)", "--repeat", "\(`repeat`)", "--threads", "\(threads)"])
    let runs = result.stdout.split(separator: "\n").compactMap { Int64($0) }.map { Duration.nanoseconds($0) }
    guard runs.count == `repeat` else {
      throw Diagnostic.error("the compiled model printed \(runs.count) timings for \(`repeat`) runs")
    }
    return (runs, result.generated.plan, result.generated.weightsBlob.count, try instructionSet(of: result.program))
  }

  /// What the program's `--instruction-set` prints: the kernels it runs on this CPU.
  static func instructionSet(of program: String) throws -> String {
    try CBuild.run(program, ["--instruction-set"], in: nil).trimmingCharacters(in: .whitespacesAndNewlines)
  }

  /// Builds the program (once, cached) and runs it on `inputs` with extra `arguments`.
  static func execute(
    _ compilation: Compilation, weights: [String: Tensor], inputs: [Tensor], build: CBuildOptions,
    arguments extra: [String]
  ) throws -> (outputs: [(name: String, tensor: Tensor)], stdout: String, generated: GeneratedC, program: String) {
    guard let graph = compilation.graph else { throw compilation.failed }
    let batch = inputs.first?.shape.first ?? 1
    let options = CodegenOptions(maxBatch: max(1, min(batch, 256)), weightsMode: .external)
    let generated = try generate(compilation, weights: weights, options: options)
    // The program allocates this arena here, so this machine must have it; `compile` does not ask,
    // since its code may run elsewhere.
    try Runner.requireMemory(generated.plan.totalBytes, for: "the compiled model's arena")
    let key = fnv1a(
      [generated.header, generated.source, generated.main, build.compiler, "\(build.blas)"] + build.flags)
    let programDirectory = cacheDirectory + "/\(generated.prefix)-\(String(key, radix: 16))"
    let program = programDirectory + "/" + generated.prefix
    let fileManager = FileManager.default
    if !fileManager.isExecutableFile(atPath: program) {
      // Build in a private folder, then move it into place, so concurrent runs never see half a program.
      let staging = programDirectory + ".\(ProcessInfo.processInfo.processIdentifier).tmp"
      do {
        try? fileManager.removeItem(atPath: staging)
        try CBuild.write(generated, to: staging, includeMain: true)
        _ = try CBuild.build(generated, in: staging, emit: .exe, options: build)
        try? fileManager.removeItem(atPath: programDirectory)
        try fileManager.moveItem(atPath: staging, toPath: programDirectory)
      } catch let diagnostic as Diagnostic {
        try? fileManager.removeItem(atPath: staging)
        throw compilation.failure(diagnostic)
      } catch {
        try? fileManager.removeItem(atPath: staging)
        if !fileManager.isExecutableFile(atPath: program) {
          throw Diagnostic.error(file: programDirectory, error.localizedDescription)
        }
      }
    }

    let work = NSTemporaryDirectory() + "dlc-run-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString)"
    defer { try? fileManager.removeItem(atPath: work) }
    do {
      try fileManager.createDirectory(atPath: work, withIntermediateDirectories: true)
      try Data(generated.weightsBlob).write(to: URL(fileURLWithPath: work + "/weights.bin"))
      var arguments = ["--weights", work + "/weights.bin"] + extra
      for (index, tensor) in inputs.enumerated() {
        let path = work + "/input\(index).npy"
        try NumPy.writeArray(tensor, path: path)
        arguments.append(path)
      }
      arguments.append("-o")
      let outputPaths = graph.outputs.indices.map { work + "/output\($0).npy" }
      arguments += outputPaths
      let process = Process()
      process.executableURL = URL(fileURLWithPath: program)
      process.arguments = arguments
      let errors = Pipe()
      process.standardError = errors
      // Stdout (a line per timed run) goes to a file: two pipes read one after the other can deadlock.
      let stdoutPath = work + "/stdout.txt"
      // A file that cannot be created makes the FileHandle below throw.
      _ = FileManager.default.createFile(atPath: stdoutPath, contents: nil)
      let stdoutFile = try FileHandle(forWritingTo: URL(fileURLWithPath: stdoutPath))
      process.standardOutput = stdoutFile
      try process.run()
      let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
      process.waitUntilExit()
      try stdoutFile.close()
      let stdout = String(decoding: FileManager.default.contents(atPath: stdoutPath) ?? Data(), as: UTF8.self)
      guard process.terminationStatus == 0 else {
        throw Diagnostic.error("the compiled model failed (exit \(process.terminationStatus)): \(message)")
      }
      let outputs = try zip(graph.outputs, outputPaths).map {
        (graph.outputName(of: $0), try NumPy.readArray(path: $1))
      }
      return (outputs, stdout, generated, program)
    } catch let diagnostic as Diagnostic {
      throw compilation.failure(diagnostic)
    } catch {
      throw Diagnostic.error("cannot run the compiled model: \(error.localizedDescription)")
    }
  }

  static func fnv1a(_ parts: [String]) -> UInt64 {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for part in parts {
      for byte in part.utf8 {
        hash ^= UInt64(byte)
        hash = hash &* 0x100_0000_01b3
      }
      hash ^= 0xFF
      hash = hash &* 0x100_0000_01b3
    }
    return hash
  }
}
