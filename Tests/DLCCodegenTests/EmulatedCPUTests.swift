// The runtime on CPUs this machine is not: qemu-user (scripts/install-deps.sh installs it) emulates
// a Haswell (AVX2 and FMA, no AVX-512) and a baseline x86-64 (qemu64: SSE2 only). The kernel checks
// built for each run there, and whole models built as `dlc compile` makes them pick their AVX2 copy
// or their portable code there, so those paths are tested even when the test machine has AVX-512
// and its own builds would pick that. A build with AVX-512 must fault on the emulated Haswell:
// proof that the emulation lacks it.
import DLCCodegen
import DLCData
import DLCDriver
import DLCIR
import DLCTestSupport
import Foundation
import XCTest

final class EmulatedCPUTests: XCTestCase {
  struct EmulatedCPU {
    /// qemu's name for the CPU model.
    var cpu: String
    /// The compiler flags for the instruction set the CPU has.
    var flags: [String]
    /// The GEMM tile height the runtime picks for those flags: proof of the path compiled in.
    var tileRows: Int
    /// The copy a build for the compiler's default target picks there.
    var instructionSet: String
  }

  static let cpus = [
    EmulatedCPU(cpu: "Haswell", flags: ["-mavx2", "-mfma"], tileRows: 6, instructionSet: "avx2"),
    EmulatedCPU(cpu: "qemu64", flags: [], tileRows: 4, instructionSet: "portable"),
  ]

  static let strict = ["-std=c99", "-O2", "-Wall", "-Wextra", "-pedantic", "-Werror"]

  /// The emulator, or a failure that says how to install it.
  func emulator() throws -> String {
    let found = try CodegenFixtures.shell(["sh", "-c", "command -v qemu-x86_64"], in: "/")
    guard found.status == 0 else {
      XCTFail("qemu-x86_64 is missing: scripts/install-deps.sh installs it (Debian package qemu-user)")
      throw XCTSkip("no emulator")
    }
    return found.output.trimmingCharacters(in: .whitespacesAndNewlines)
  }

  func testKernelChecksPassOnCPUsWithoutAVX512() throws {
    let qemu = try emulator()
    let directory = try CodegenFixtures.temporaryDirectory("emulated-kernels", removedAfter: self)
    try CodegenFixtures.writeKernelChecks(to: directory)
    for emulated in Self.cpus {
      let program = "checks-\(emulated.cpu)"
      let built = try CodegenFixtures.shell(
        ["gcc"] + Self.strict + emulated.flags + ["kernel_checks.c", "-o", program, "-lm"], in: directory)
      XCTAssertEqual(built.status, 0, built.output)
      let ran = try CodegenFixtures.shell([qemu, "-cpu", emulated.cpu, "./" + program], in: directory)
      XCTAssertEqual(ran.status, 0, "\(emulated.cpu):\n\(ran.output)")
      XCTAssertTrue(
        ran.output.contains("tile rows \(emulated.tileRows): 0 failures"), "\(emulated.cpu): \(ran.output)")
    }
    let avx512 = try CodegenFixtures.shell(
      ["gcc"] + Self.strict + ["-mavx512f", "-mavx2", "-mfma", "kernel_checks.c", "-o", "checks-avx512", "-lm"],
      in: directory)
    XCTAssertEqual(avx512.status, 0, avx512.output)
    let faulted = try CodegenFixtures.shell([qemu, "-cpu", "Haswell", "./checks-avx512"], in: directory)
    XCTAssertNotEqual(faulted.status, 0, "an AVX-512 build ran on the emulated Haswell: \(faulted.output)")
  }

  /// Models whose kernels differ by instruction set (few-channel and indirect convolutions,
  /// Winograd 3×3 and 5×5, the LSTM's vectorized gates) against Keras, built once for the
  /// compiler's default target (with the copies for AVX-512 and AVX2, as `dlc compile` makes them)
  /// by GCC and by Clang, and run on each emulated CPU and on this one: each run must pick the
  /// copy its CPU can run, and every copy must match Keras. This CPU's copy also runs under
  /// AddressSanitizer and UndefinedBehaviorSanitizer.
  func testModelsMatchKerasOnCPUsWithoutAVX512() throws {
    let qemu = try emulator()
    let folder = CodegenFixtures.tests.appendingPathComponent("Fixtures/models")
    let machines =
      [(name: "this CPU", command: [String](), expected: try ThisCPU.bestInstructionSet())]
      + Self.cpus.map { (name: "an emulated \($0.cpu)", command: [qemu, "-cpu", $0.cpu], expected: $0.instructionSet) }
    for name in ["mnist_cnn", "resnet8_cifar", "text_lstm"] {
      let compilation = Driver.compile(
        path: CodegenFixtures.repository.appendingPathComponent("graphs/\(name).dl").path)
      guard let graph = compilation.graph else { return XCTFail("\(name) does not compile") }
      // As the fixtures were made (tools/keras_fixtures.py): Keras-default initialization, seed 1.
      let weights = InitializedWeights.of(graph, seed: 1)
      let inputs = try CodegenFixtures.inputs(folder.appendingPathComponent("\(name).inputs.npz"), for: graph)
      let expected = try CodegenFixtures.arrays(folder.appendingPathComponent("\(name).expected.npz"))
      let (optimized, optimizedWeights) = try compilation.optimized(weights: weights)
      let batch = inputs.first?.shape.first ?? 1
      let generated = try CBackend.generate(
        optimized, weights: optimizedWeights, options: CodegenOptions(maxBatch: batch, weightsMode: .external))
      let directory = try CodegenFixtures.temporaryDirectory("emulated-\(name)", removedAfter: self)
      try CBuild.write(generated, to: directory, includeMain: true)
      try Data(generated.weightsBlob).write(to: URL(fileURLWithPath: directory + "/weights.bin"))
      var arguments = ["--weights", "weights.bin"]
      for (index, tensor) in inputs.enumerated() {
        try NumPy.writeArray(tensor, path: directory + "/input\(index).npy")
        arguments.append("input\(index).npy")
      }
      let outputFiles = graph.outputs.indices.map { "output\($0).npy" }
      arguments += ["-o"] + outputFiles
      // The sanitized build runs here only: the emulator does not run AddressSanitizer's programs.
      let sanitizers = ["-O1", "-g", "-fsanitize=address,undefined", "-fno-sanitize-recover=all"]
      let builds = [
        (name: "gcc", command: ["gcc"] + Self.strict, machines: machines),
        (name: "clang", command: ["clang"] + Self.strict, machines: machines),
        (name: "gcc-sanitized", command: ["gcc"] + Self.strict + sanitizers, machines: Array(machines.prefix(1))),
      ]
      for build in builds {
        let program = "\(name)-\(build.name)"
        let built = try CodegenFixtures.shell(
          build.command + ["-o", program, "\(generated.prefix).c", "\(generated.prefix)_main.c", "-pthread", "-lm"],
          in: directory)
        XCTAssertEqual(built.status, 0, built.output)
        guard built.status == 0 else { continue }
        for machine in build.machines {
          let label = "\(name) built by \(build.name) on \(machine.name)"
          let named = try CodegenFixtures.shell(machine.command + ["./" + program, "--instruction-set"], in: directory)
          // The output's last line: qemu warns on stderr about CPU features it does not emulate.
          let answer = named.output.split(separator: "\n").last.map(String.init) ?? ""
          XCTAssertEqual(answer, machine.expected, "\(label): \(named.output)")
          let ran = try CodegenFixtures.shell(machine.command + ["./" + program] + arguments, in: directory)
          XCTAssertEqual(ran.status, 0, "\(label):\n\(ran.output)")
          guard ran.status == 0 else { continue }
          let outputs = try zip(graph.outputs, outputFiles).map {
            (graph.outputName(of: $0), try NumPy.readArray(path: directory + "/" + $1))
          }
          CodegenFixtures.assertClose(outputs, expected, label)
          for file in outputFiles { try? FileManager.default.removeItem(atPath: directory + "/" + file) }
        }
      }
    }
  }
}
