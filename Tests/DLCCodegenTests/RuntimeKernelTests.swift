// The C runtime's matrix products and vectorized math, checked directly (codegen/runtime/tests/
// kernel_checks.c) on every instruction-set path the runtime has that this machine can run: the
// portable C always, AVX2+FMA and AVX-512 when the CPU has them. The model tests build for the
// compiler's default target without the instruction-set copies, so without this the vector paths
// would only be exercised by EmulatedCPUTests' models and benchmarks.
import DLCCodegen
import Foundation
import XCTest

final class RuntimeKernelTests: XCTestCase {
  struct InstructionSet {
    var name: String
    var flags: [String]
    /// The CPU features (/proc/cpuinfo names) the flags need.
    var needs: [String]
    /// The GEMM tile height the runtime picks for it: proof the path was compiled in.
    var tileRows: Int
  }

  static let instructionSets = [
    InstructionSet(name: "portable", flags: [], needs: [], tileRows: 4),
    InstructionSet(name: "portable without vector types", flags: ["-DDLC_NO_LANES"], needs: [], tileRows: 4),
    InstructionSet(name: "AVX2+FMA", flags: ["-mavx2", "-mfma"], needs: ["avx2", "fma"], tileRows: 6),
    InstructionSet(
      name: "AVX-512", flags: ["-mavx512f", "-mavx2", "-mfma"], needs: ["avx512f", "avx2", "fma"], tileRows: 8),
  ]

  static func cpuFeatures() -> Set<String> {
    guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
      let line = info.split(separator: "\n").first(where: { $0.hasPrefix("flags") })
    else { return [] }
    return Set(line.split(separator: " ").map(String.init))
  }

  func testMatrixProductsAndMathMatchReferencesOnEveryInstructionSet() throws {
    let directory = try CodegenFixtures.temporaryDirectory("kernel-checks", removedAfter: self)
    try CodegenFixtures.writeKernelChecks(to: directory)

    let features = Self.cpuFeatures()
    let runnable = Self.instructionSets.filter { $0.needs.allSatisfy(features.contains) }
    XCTAssertEqual(runnable.first?.name, "portable")
    let strict = ["-std=c99", "-Wall", "-Wextra", "-pedantic", "-Werror"]
    let builds: [(name: String, flags: [String])] = [
      ("sanitized", ["-O1", "-g", "-fsanitize=address,undefined", "-fno-sanitize-recover=all"]),
      ("optimized", ["-O3"]),
    ]
    for set in runnable {
      for build in builds {
        let program = "checks-\(set.tileRows)-\(set.flags.count)-\(build.name)"
        let compiled = try CodegenFixtures.shell(
          ["gcc"] + strict + build.flags + set.flags + ["kernel_checks.c", "-o", program, "-lm"], in: directory)
        XCTAssertEqual(compiled.status, 0, "\(set.name) \(build.name) build:\n\(compiled.output)")
        guard compiled.status == 0 else { continue }
        let ran = try CodegenFixtures.shell(["./" + program], in: directory)
        XCTAssertEqual(ran.status, 0, "\(set.name) \(build.name):\n\(ran.output)")
        XCTAssertTrue(
          ran.output.contains("tile rows \(set.tileRows): 0 failures"), "\(set.name) \(build.name): \(ran.output)")
      }
    }
    print("runtime kernels checked on: \(runnable.map(\.name).joined(separator: ", "))")
  }
}
