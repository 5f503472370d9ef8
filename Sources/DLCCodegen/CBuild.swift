// Writing generated files and building them with the system C compiler.
import DLCSupport
import Foundation
import Synchronization

public enum EmitKind: String, CaseIterable, Sendable {
  /// Only the C files.
  case c
  /// <model>.o (and <model>_weights.o when the weights are embedded).
  case object
  /// lib<model>.a
  case `static`
  /// lib<model>.so
  case shared
  /// <model>: a program reading and writing .npy files.
  case exe
}

public struct CBuildOptions: Sendable {
  public var compiler: String
  public var blas: Bool
  public var optimization: String
  /// Extra flags for every compile (tests add -Werror and sanitizers).
  public var extraFlags: [String]
  /// Whether to build for this machine's CPU (-march=native: the compiler vectorizes the runtime's
  /// portable C with AVX2/FMA or AVX-512 where there is one). Programs dlc runs itself are built so;
  /// code meant to run elsewhere is not, unless asked.
  public var native: Bool
  /// Whether to build the runtime's copies for the instruction sets the target lacks (AVX-512,
  /// AVX2+FMA), picked when the model runs; without them (-DDLC_NO_COPIES) the code is smallest
  /// and runs the target's own instructions only.
  public var instructionSetCopies: Bool

  public init(
    compiler: String? = nil, blas: Bool = false, optimization: String = "-O3", extraFlags: [String] = [],
    native: Bool = false, instructionSetCopies: Bool = true
  ) {
    self.compiler = compiler ?? ProcessInfo.processInfo.environment["CC"] ?? "cc"
    self.blas = blas
    self.optimization = optimization
    self.extraFlags = extraFlags
    self.native = native
    self.instructionSetCopies = instructionSetCopies
  }

  /// Every flag but the sources and outputs.
  public var flags: [String] {
    ["-std=c99", optimization, "-Wall", "-Wextra", "-pedantic"] + (native ? ["-march=native"] : [])
      + (instructionSetCopies ? [] : ["-DDLC_NO_COPIES"]) + Self.cloningBudget(compiler) + extraFlags
  }

  /// GCC lets a file grow by at most 10 % through copies of functions specialized for the constant
  /// sizes their callers pass (`ipa-cp-unit-growth`), and a file with the runtime's instruction-set
  /// copies is three runtimes long: the budget ran out before the AVX-512 copy's GEMMs were
  /// specialized per layer, and a generic build ran resnet8_cifar at batch 32 10 % slower than a
  /// native one (6.1 against 5.5 ms; equal with this). Clang has no such parameter (and warns).
  static func cloningBudget(_ compiler: String) -> [String] {
    CBuild.isGCC(compiler) ? ["--param=ipa-cp-unit-growth=100"] : []
  }
}

public enum CBuild {
  /// Writes the generated files (and `<model>_main.c` for an executable) into `directory`.
  @discardableResult
  public static func write(_ generated: GeneratedC, to directory: String, includeMain: Bool) throws -> [String] {
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    var files = generated.files
    if includeMain { files.append(("\(generated.prefix)_main.c", Array(generated.main.utf8))) }
    var written: [String] = []
    for (name, bytes) in files {
      let path = directory + "/" + name
      try Data(bytes).write(to: URL(fileURLWithPath: path))
      written.append(path)
    }
    return written
  }

  /// Builds what `emit` asks for from files already written to `directory`; returns the products.
  public static func build(_ generated: GeneratedC, in directory: String, emit: EmitKind, options: CBuildOptions) throws
    -> [String]
  {
    let prefix = generated.prefix
    let weights: [String]
    switch generated.options.weightsMode {
    case .embedded: weights = ["\(prefix)_weights.c"]
    case .blob: weights = ["\(prefix)_weights.S"]
    case .external: weights = []
    }
    let sources = ["\(prefix).c"] + weights
    func object(_ source: String) -> String { String(source.dropLast(2)) + ".o" }
    var flags = options.flags
    var libraries = ["-lm"]
    if options.blas {
      flags += ["-DDLC_USE_CBLAS"] + pkgConfig(["--cflags", "openblas"])
      libraries = (pkgConfig(["--libs", "openblas"]).nilIfEmpty ?? ["-lopenblas"]) + libraries
    }
    func compile(_ arguments: [String]) throws {
      try run(options.compiler, flags + arguments, in: directory)
    }
    /// Compiles each source to an object, all at once (the model's file and its weights take
    /// seconds each for the largest models), then removes the objects that are not products.
    func compileObjects(_ sources: [String], extra: [String] = []) throws -> [String] {
      try runConcurrently(sources.map { (options.compiler, flags + extra + ["-c", $0]) }, in: directory)
      return sources.map(object)
    }
    func removeObjects(_ objects: [String]) {
      for object in objects { try? FileManager.default.removeItem(atPath: directory + "/" + object) }
    }
    switch emit {
    case .c:
      return []
    case .object:
      return try compileObjects(sources).map { directory + "/" + $0 }
    case .static:
      let objects = try compileObjects(sources)
      try run("ar", ["rcs", "lib\(prefix).a"] + objects, in: directory)
      // The objects are inside the archive; left beside it they would be products nobody listed.
      removeObjects(objects)
      return [directory + "/lib\(prefix).a"]
    case .shared:
      let objects = try compileObjects(sources, extra: ["-fPIC"])
      defer { removeObjects(objects) }
      try compile(["-shared", "-o", "lib\(prefix).so"] + objects + libraries)
      return [directory + "/lib\(prefix).so"]
    case .exe:
      let objects = try compileObjects(sources + ["\(prefix)_main.c"])
      defer { removeObjects(objects) }
      try compile(["-o", prefix] + objects + ["-pthread"] + libraries)
      return [directory + "/" + prefix]
    }
  }

  /// Whether `compiler` is GCC (its `--version` names the Free Software Foundation), asked once per
  /// compiler.
  static func isGCC(_ compiler: String) -> Bool {
    if let known = gccByCompiler.withLock({ $0[compiler] }) { return known }
    let answer = (try? run(compiler, ["--version"], in: nil))?.contains("Free Software Foundation") ?? false
    gccByCompiler.withLock { $0[compiler] = answer }
    return answer
  }
  private static let gccByCompiler = Mutex<[String: Bool]>([:])

  /// `pkg-config` output as flags; empty when pkg-config or the package is missing.
  public static func pkgConfig(_ arguments: [String]) -> [String] {
    guard let output = try? run("pkg-config", arguments, in: nil) else { return [] }
    return output.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init)
  }

  /// Runs a tool found on PATH (or a program by its path); throws with its output when it fails.
  @discardableResult
  public static func run(_ tool: String, _ arguments: [String], in directory: String?) throws -> String {
    try runConcurrently([(tool, arguments)], in: directory)[0]
  }

  /// Runs tools found on PATH at the same time and waits for all of them; throws with the output
  /// of the first that failed.
  @discardableResult
  static func runConcurrently(_ commands: [(tool: String, arguments: [String])], in directory: String?) throws
    -> [String]
  {
    // Each output goes to a file: pipes read one after another could fill and stall the others.
    let logs = FileManager.default.temporaryDirectory.appendingPathComponent("dlc-build-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: logs, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: logs) }
    var started: [(process: Process, log: URL)] = []
    defer {
      for (process, _) in started where process.isRunning { process.terminate() }
    }
    for (index, command) in commands.enumerated() {
      let process = Process()
      process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
      process.arguments = [command.tool] + command.arguments
      if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
      let log = logs.appendingPathComponent("\(index).txt")
      _ = FileManager.default.createFile(atPath: log.path, contents: nil)
      let handle = try FileHandle(forWritingTo: log)
      defer { try? handle.close() }
      process.standardOutput = handle
      process.standardError = handle
      try process.run()
      started.append((process, log))
    }
    var outputs: [String] = []
    for (index, (process, log)) in started.enumerated() {
      process.waitUntilExit()
      let text = String(decoding: (try? Data(contentsOf: log)) ?? Data(), as: UTF8.self)
      guard process.terminationStatus == 0 else {
        let (tool, arguments) = commands[index]
        throw Diagnostic.error(
          "\(tool) \(arguments.joined(separator: " ")) failed (exit \(process.terminationStatus)):\n\(text)")
      }
      outputs.append(text)
    }
    return outputs
  }
}

extension Array {
  var nilIfEmpty: [Element]? { isEmpty ? nil : self }
}
