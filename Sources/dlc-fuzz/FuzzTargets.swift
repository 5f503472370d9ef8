// dlc-fuzz: libFuzzer targets for everything that reads a user's bytes — the .dl front end through
// shape checking, summaries and memory planning, the safetensors, .npy and .npz readers, and the
// Keras importer's reading of a model configuration.
// Built with `-sanitize=fuzzer,address -D DLC_LIBFUZZER` (scripts/fuzz.sh), libFuzzer drives the
// chosen target; in the ordinary build the same targets replay files given on the command line, so
// every crash the fuzzer finds can be re-run, and the seed corpora are smoke-tested, without libFuzzer.
import DLCCodegen
import DLCData
import DLCDriver
import DLCIR
import DLCImport
import DLCPasses
import DLCPlanning
import DLCSummary
import DLCSupport
import Foundation

/// One fuzz target: what it is called on the command line and what it does with one input.
struct FuzzTarget {
  let name: String
  let summary: String
  let run: ([UInt8]) -> Void

  static let all: [FuzzTarget] = [
    FuzzTarget(
      name: "frontend", summary: ".dl source through parsing, elaboration, summaries, passes and the memory plan"
    ) {
      bytes in
      let compilation = Driver.compile(SourceFile(path: "fuzz.dl", bytes: bytes))
      _ = compilation.renderedDiagnostics
      guard let graph = compilation.graph else { return }
      if let summary = try? compilation.summary(countingMACs: true) {
        _ = SummaryTable.render(summary, showMACs: true)
        _ = SummaryJSON.render(summary, showMACs: true)
      }
      _ = IRPrinter.print(graph, file: compilation.file)
      guard let optimized = try? PassManager(Passes.all).run(graph) else { return }
      _ = IRPrinter.print(optimized, file: compilation.file)
      if let plan = try? CCodegen.memoryPlan(optimized, maxBatch: 2) { _ = plan.overlaps() }
    },
    FuzzTarget(name: "safetensors", summary: "a .safetensors file") { bytes in
      _ = try? SafeTensors.decode(bytes, path: "fuzz.safetensors")
    },
    FuzzTarget(name: "npy", summary: "a NumPy .npy file") { bytes in
      _ = try? NumPy.decodeArray(bytes, path: "fuzz.npy")
    },
    FuzzTarget(name: "npz", summary: "a NumPy .npz archive") { bytes in
      _ = try? NumPy.decodeArchive(bytes, path: "fuzz.npz")
    },
    FuzzTarget(
      name: "keras-config", summary: "a Keras model configuration (config.json) imported and compiled as .dl"
    ) { bytes in
      guard let source = try? KerasImport.source(configuration: bytes, path: "fuzz.config.json") else { return }
      let compilation = Driver.compile(SourceFile(path: "fuzz.dl", text: source))
      _ = compilation.renderedDiagnostics
      if let summary = try? compilation.summary() { _ = SummaryTable.render(summary) }
    },
  ]

  static func named(_ name: String) -> FuzzTarget? { all.first { $0.name == name } }

  static var names: String { all.map(\.name).joined(separator: ", ") }
}

/// `dlc-fuzz TARGET ARGS...`: with libFuzzer, ARGS are libFuzzer's (corpus folders, -runs=N, ...);
/// without it, ARGS are files or folders whose files are replayed through the target.
@main
enum FuzzMain {
  static func main() {
    let arguments = Array(CommandLine.arguments.dropFirst())
    guard let name = arguments.first, let target = FuzzTarget.named(name) else {
      FileHandle.standardError.write(Data("usage: dlc-fuzz TARGET ARGS...\ntargets: \(FuzzTarget.names)\n".utf8))
      exit(2)
    }
    #if DLC_LIBFUZZER
      exit(runLibFuzzer(target, arguments: [CommandLine.arguments[0]] + arguments.dropFirst()))
    #else
      replay(target, paths: Array(arguments.dropFirst()))
    #endif
  }

  static func replay(_ target: FuzzTarget, paths: [String]) {
    var count = 0
    for path in paths {
      for file in files(at: path) {
        guard let data = FileManager.default.contents(atPath: file) else {
          FileHandle.standardError.write(Data("dlc-fuzz: cannot read \(file)\n".utf8))
          exit(1)
        }
        target.run(Array(data))
        count += 1
      }
    }
    print("dlc-fuzz \(target.name): \(count) input\(count == 1 ? "" : "s") ran without a crash")
  }

  /// The regular files at `path`: itself, or everything below it when it is a directory.
  static func files(at path: String) -> [String] {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
      return [path]
    }
    let entries = FileManager.default.enumerator(atPath: path)?.compactMap { $0 as? String } ?? []
    return entries.sorted().map { path + "/" + $0 }.filter { file in
      var isDirectory: ObjCBool = false
      return FileManager.default.fileExists(atPath: file, isDirectory: &isDirectory) && !isDirectory.boolValue
    }
  }
}

#if DLC_LIBFUZZER

  /// libFuzzer's entry point for programs that keep their own main.
  // swift-format-ignore: AlwaysUseLowerCamelCase
  @_silgen_name("LLVMFuzzerRunDriver")
  func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
  ) -> CInt

  /// The target the C callback runs (a C function pointer cannot capture it).
  nonisolated(unsafe) private var fuzzedTarget: FuzzTarget?

  func runLibFuzzer(_ target: FuzzTarget, arguments: [String]) -> CInt {
    fuzzedTarget = target
    var argc = CInt(arguments.count)
    var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = .allocate(capacity: arguments.count + 1)
    for (index, argument) in arguments.enumerated() { argv?[index] = strdup(argument) }
    argv?[arguments.count] = nil
    return LLVMFuzzerRunDriver(&argc, &argv) { data, size in
      fuzzedTarget?.run(data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? [])
      return 0
    }
  }

#endif
