// Shared by the C backend tests: fixtures, strict build flags, a cache for compiled programs.
import DLCCodegen
import DLCData
import DLCDriver
import DLCIR
import DLCTestSupport
import Foundation
import XCTest

enum CodegenFixtures {
  static let tests = TestPaths.tests
  static let repository = TestPaths.repository

  /// Warnings are errors, and the programs run under AddressSanitizer and UndefinedBehaviorSanitizer.
  /// They are built for the compiler's default target without the instruction-set copies
  /// (DLC_NO_COPIES), so that the portable kernels are what every model test runs, whatever this
  /// CPU has; EmulatedCPUTests run the copies.
  static let sanitized = CBuildOptions(
    compiler: "gcc", optimization: "-O1",
    extraFlags: [
      "-Werror", "-g", "-fsanitize=address,undefined", "-fno-sanitize-recover=all", "-fno-omit-frame-pointer",
    ], instructionSetCopies: false)

  /// The ImageNet-sized models run optimized without sanitizers (still -Werror): under ASan at -O1
  /// VGG16 alone takes minutes, and their kernels are the ones the smaller models exercise.
  static let optimized = CBuildOptions(
    compiler: "gcc", optimization: "-O3", extraFlags: ["-Werror"], instructionSetCopies: false)
  static let large: Set = ["vgg16", "alexnet", "resnet18"]

  static func useTestCache() {
    setenv("DLC_CACHE_DIR", repository.appendingPathComponent(".build/dlc-test-cache").path, 1)
    // LeakSanitizer needs ptrace, which some sandboxes forbid; leaks are not what these tests check.
    setenv("ASAN_OPTIONS", "detect_leaks=0", 1)
  }

  static func layerCases() throws -> [LayerCase] { try LayerCase.all() }

  static func arrays(_ url: URL) throws -> [(name: String, tensor: Tensor)] { try NumPy.readArchive(path: url.path) }

  static func inputs(_ url: URL, for graph: Graph) throws -> [Tensor] { try FixtureFiles.inputs(url, for: graph) }

  /// Every output within 1e-4 of the reference's largest magnitude.
  static func assertClose(
    _ outputs: [(name: String, tensor: Tensor)], _ expected: [(name: String, tensor: Tensor)], _ label: String,
    tolerance: Float = 1e-4, file: StaticString = #filePath, line: UInt = #line
  ) {
    let problems = Closeness.problems(outputs, expected, tolerance: tolerance)
    XCTAssertEqual(problems, [], "\(label): the C differs from the reference", file: file, line: line)
  }

  /// A new directory under the system's temporary one, removed when `test` ends.
  static func temporaryDirectory(_ name: String, removedAfter test: XCTestCase) throws -> String {
    let path = NSTemporaryDirectory() + "dlc-\(name)-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    test.addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
    return path
  }

  /// codegen/runtime/tests/kernel_checks.c, and the runtime's sections it uses as runtime.h, written
  /// into `directory`.
  static func writeKernelChecks(to directory: String) throws {
    let checks = try String(
      contentsOf: repository.appendingPathComponent("codegen/runtime/tests/kernel_checks.c"), encoding: .utf8)
    try CRuntime.source(for: checks).write(toFile: directory + "/runtime.h", atomically: true, encoding: .utf8)
    try checks.write(toFile: directory + "/kernel_checks.c", atomically: true, encoding: .utf8)
  }

  /// Runs a command (looked up on PATH) in `directory`; its stdout and stderr together.
  @discardableResult
  static func shell(_ arguments: [String], in directory: String) throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = arguments
    process.currentDirectoryURL = URL(fileURLWithPath: directory)
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
  }

  /// Runs `work` over `items` on a few threads (compiling C is the slow part).
  static func concurrently<T>(_ items: [T], _ work: (T) throws -> Void) throws {
    let lock = NSLock()
    var firstError: Error?
    DispatchQueue.concurrentPerform(iterations: items.count) { index in
      do {
        try work(items[index])
      } catch {
        lock.lock()
        firstError = firstError ?? error
        lock.unlock()
      }
    }
    if let firstError { throw firstError }
  }
}
