// The program `dlc compile --emit exe` generates, under valgrind's memcheck, on every graphs/ model
// with inputs holding NaN and ±inf: no invalid read or write, no use of uninitialized memory, no
// leak, and no crash from the non-finite values. (The ASan/UBSan builds of the other tests miss
// uninitialized reads; valgrind sees them.) The three ImageNet-sized models take minutes under
// valgrind: `DLC_VALGRIND_LARGE=1 swift test --filter ValgrindTests` adds them (run by hand).
import DLCCodegen
import DLCData
import DLCDriver
import DLCIR
import DLCTestSupport
import DLCWeights
import Foundation
import XCTest

final class ValgrindTests: XCTestCase {
  static let build = CBuildOptions(compiler: "gcc", optimization: "-O1", extraFlags: ["-Werror", "-g"])

  func testGeneratedProgramsAreValgrindCleanOnNonFiniteInputs() throws {
    guard FileManager.default.isExecutableFile(atPath: "/usr/bin/valgrind") else {
      throw XCTSkip("valgrind is not installed (scripts/install-deps.sh installs it)")
    }
    let graphs = TestPaths.repository.appendingPathComponent("graphs")
    let names = try FileManager.default.contentsOfDirectory(atPath: graphs.path).filter { $0.hasSuffix(".dl") }
      .map { String($0.dropLast(3)) }.sorted()
      .filter {
        ProcessInfo.processInfo.environment["DLC_VALGRIND_LARGE"] != nil || !CodegenFixtures.large.contains($0)
      }
    XCTAssertGreaterThanOrEqual(names.count, 13)
    try CodegenFixtures.concurrently(names) { name in
      let report = try Self.memcheck(model: graphs.appendingPathComponent("\(name).dl").path)
      XCTAssertEqual(report.status, 0, "\(name): \(report.output)")
      XCTAssertTrue(report.output.contains("ERROR SUMMARY: 0 errors"), "\(name): \(report.output)")
    }
  }

  /// Builds `model` as a program with external weights (seed 1), writes one example of each input
  /// with NaN, +inf and -inf in it, and runs the program under memcheck.
  static func memcheck(model path: String) throws -> (status: Int32, output: String) {
    let compilation = Driver.compile(path: path)
    let graph = try XCTUnwrap(compilation.graph, compilation.renderedDiagnostics)
    let weights = InitializedWeights.of(graph, seed: 1)
    let (optimized, optimizedWeights) = try compilation.optimized(weights: weights)
    let generated = try CBackend.generate(
      optimized, weights: optimizedWeights, options: CodegenOptions(maxBatch: 1, weightsMode: .external))
    let directory =
      NSTemporaryDirectory() + "dlc-valgrind-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: directory) }
    _ = try CBuild.write(generated, to: directory, includeMain: true)
    _ = try CBuild.build(generated, in: directory, emit: .exe, options: build)
    var arguments = [
      "valgrind", "--error-exitcode=99", "--leak-check=full", "--errors-for-leak-kinds=definite,indirect",
      "./\(generated.prefix)", "--weights", "\(generated.prefix)_weights.bin",
    ]
    for (index, tensor) in try Runner.randomInputs(for: graph, batch: 1, seed: 3).enumerated() {
      try NumPy.writeArray(
        tensor.elementType == .float32 ? withNonFinite(tensor) : tensor, path: directory + "/in\(index).npy")
      arguments.append("in\(index).npy")
    }
    arguments.append("-o")
    arguments += graph.outputs.indices.map { "out\($0).npy" }
    return try CodegenFixtures.shell(arguments, in: directory)
  }

  /// NaN, +inf and -inf at the start, middle and end of a float tensor.
  static func withNonFinite(_ tensor: Tensor) -> Tensor {
    var floats = tensor.floats
    guard !floats.isEmpty else { return tensor }
    floats[0] = .nan
    floats[floats.count / 2] = .infinity
    floats[floats.count - 1] = -.infinity
    return Tensor(shape: tensor.shape, floats: floats)
  }
}
