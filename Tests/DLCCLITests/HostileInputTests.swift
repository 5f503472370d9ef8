// Inputs that once crashed dlc or were silently accepted: each is now a clear error with exit 1
// (or a usage error with exit 2), never a trap.
import Foundation
import XCTest

final class HostileInputTests: CLITestCase {

  /// Every input a fuzzer once crashed on (Tests/Fuzz/TARGET, scripts/fuzz.sh) and the seed files, replayed
  /// through the same targets without libFuzzer.
  func testInputsTheFuzzersKeptRunWithoutACrash() throws {
    let seeds = [
      "frontend": ["graphs", "Tests/Golden/errors", "Tests/Golden/summary"], "npz": ["Tests/Fixtures/masking"],
      "safetensors": ["Tests/Fixtures/masking"], "npy": [], "keras-config": ["Tests/Fixtures/import"],
    ]
    for (target, folders) in seeds.sorted(by: { $0.key < $1.key }) {
      let replayed = try run([target, "Tests/Fuzz/\(target)"] + folders, program: "dlc-fuzz")
      XCTAssertEqual(replayed.status, 0, "dlc-fuzz \(target) crashed: \(replayed.stdout)\(replayed.stderr)")
      XCTAssertTrue(replayed.stdout.hasPrefix("dlc-fuzz \(target): "), replayed.stdout)
    }
  }

  func model(_ text: String) throws -> String {
    let path = try temporaryDirectory() + "/m.dl"
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    return path
  }

  /// Inputs that were quadratic or overflowed the stack: a 70,000-layer chain's summary, a continuation
  /// after 100,000 comment lines and 100,000 blank ones, and a name a million characters long (named
  /// in the message, not printed whole).
  func testVeryLongInputs() throws {
    let chain = try model(
      "model m\ninput x: [4]\ny = x\n" + String(repeating: "  -> ReLU()\n", count: 70_000) + "output y\n")
    let summary = try run("summary", chain)
    XCTAssertEqual(summary.status, 0, String(summary.stderr.prefix(2000)))
    XCTAssertTrue(summary.stdout.contains("re_lu_69999 (ReLU)"), String(summary.stdout.suffix(500)))

    let comments = try model(
      "model m\ninput x: [4]\ny = x\n" + String(repeating: "# comment\n", count: 100_000) + "  -> ReLU()\n"
        + String(repeating: "\n", count: 100_000) + "output y\n")
    let checked = try run("check", comments)
    XCTAssertEqual(checked.status, 0, checked.stderr)
    XCTAssertEqual(checked.stdout, "ok: 1 layer, 0 parameters\n")

    let name = try model("model m\ninput x: [4]\noutput x -> " + String(repeating: "D", count: 1_000_000) + "()\n")
    let unknown = try run("check", name)
    XCTAssertEqual(unknown.status, 1)
    XCTAssertTrue(
      unknown.stderr.contains(
        ":3:13: error: unknown layer or block '\(String(repeating: "D", count: 100))…(1,000,000 characters)'"),
      String(unknown.stderr.prefix(500)))
    XCTAssertLessThan(unknown.stderr.utf8.count, 2_000)
  }

  /// An empty file and a directory say what they are; a model whose arena at the asked batch is beyond
  /// what the generated C can index is a located error from `compile`, not a program that overflows.
  func testEmptyFilesDirectoriesAndHugeArenas() throws {
    let empty = try run("check", "/dev/null")
    XCTAssertEqual(empty.status, 1)
    XCTAssertTrue(
      empty.stderr.hasPrefix(
        "/dev/null:1:1: error: expected 'model <name>' at the start of the file; the file is empty"), empty.stderr)
    let directory = try temporaryDirectory()
    let folder = try run("check", directory)
    XCTAssertEqual(folder.status, 1)
    XCTAssertEqual(folder.stderr, "\(directory): error: it is a directory, not a file\n")
    let path = try model("model m\ninput x: [40000, 40000, 1]\nh = x -> Conv2D(1, 1)\noutput h -> Conv2D(1, 1)\n")
    let huge = try run("compile", path, "-o", directory, "--batch", "100000")
    XCTAssertEqual(huge.status, 1, huge.stderr)
    XCTAssertTrue(
      huge.stderr.contains(
        ":2:1: error: too large: x (InputLayer) has more than 2,147,483,647 elements for 100,000 examples"),
      huge.stderr)
    XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory), [], "nothing is written")
  }

  func testMultiplyAccumulatesBeyond64BitsAreLocated() throws {
    // Each tensor and weight is within the limits; the MAC count of the second conv is not.
    let path = try model(
      "model m\ninput x: [30000, 30000, 1]\nh = x -> Conv2D(1000, 1)\noutput h -> Conv2D(1000, (300, 300), padding=\"same\")\n"
    )
    let result = try run("summary", "--macs", path)
    XCTAssertEqual(result.status, 1, result.stderr)
    XCTAssertTrue(
      result.stderr.contains(
        ":4:13: error: too large: Conv2D 'conv2d_1' needs more than 9,223,372,036,854,775,807 multiply-accumulates"),
      result.stderr)
    let plain = try run("summary", path)
    XCTAssertEqual(plain.status, 0, "without --macs nothing is counted: \(plain.stderr)")
  }

  func testInitRefusesWeightsBeyondTheLimitBeforeAllocating() throws {
    let path = try model("model m\ninput x: [1000000]\noutput x -> Dense(1000000)\n")
    let result = try run("init", path, "-o", try temporaryDirectory() + "/w.safetensors")
    XCTAssertEqual(result.status, 1, result.stderr)
    XCTAssertTrue(
      result.stderr.hasPrefix("error: too large: the weights of 'm' would need more than 1,099,511,627,776 bytes"),
      result.stderr)
  }

  func testRunRefusesAnArenaBeyondTheMachine() throws {
    // 16 GB of inputs at the batch the C backend plans for: more than the machine can give, or the limit.
    let path = try model("model m\ninput x: [40000, 40000, 1]\noutput x -> Conv2D(1, 1)\n")
    let result = try run("verify", path, "--batch", "3")
    XCTAssertEqual(result.status, 1, result.stderr)
    XCTAssertTrue(
      result.stderr.contains("error: too large: x (InputLayer) has more than 2,147,483,647 elements for 3 examples"),
      result.stderr)
  }

  func testBatchToleranceAndOutputAreValidated() throws {
    for arguments in [
      ["verify", "graphs/mlp_iris.dl", "--batch", "0"],
      ["viz", "graphs/mlp_iris.dl", "--memory", "--batch", "0", "-o", "x.png"],
      ["verify", "graphs/mlp_iris.dl", "--tolerance=-1"], ["verify", "graphs/mlp_iris.dl", "--tolerance", "nan"],
      ["compile", "graphs/mlp_iris.dl", "--batch", "1000000000000000000"],
      ["run", "graphs/mlp_iris.dl", "--input", "x.npy", "--output", "y.txt"],
    ] {
      let result = try run(arguments)
      XCTAssertEqual(result.status, 2, "\(arguments): \(result.stderr)")
      XCTAssertTrue(result.stderr.hasPrefix("Error: --"), "\(arguments): \(result.stderr)")
    }
  }

  func testAMaskThatStopsIsAWarningAsInKeras() throws {
    let path = try model(
      "model m\ninput t: i32[6]\noutput t -> Embedding(10, 4, mask_zero=true) -> Flatten() -> Dense(2)\n")
    let result = try run("check", path)
    XCTAssertEqual(result.status, 0, result.stderr)
    XCTAssertTrue(
      result.stderr.contains(":3:49: warning: Flatten does not support masking; the mask from 'embedding' stops here"),
      result.stderr)
  }

  func testStaticLibraryLeavesOnlyTheListedProducts() throws {
    let directory = try temporaryDirectory()
    let result = try run(["compile", "graphs/mlp_iris.dl", "-o", directory, "--emit", "static"])
    XCTAssertEqual(result.status, 0, result.stderr)
    let listed = Set(
      result.stdout.split(separator: "\n").filter { $0.hasPrefix("wrote ") }.map { String($0.dropFirst(6)) })
    let present = Set(try FileManager.default.contentsOfDirectory(atPath: directory).map { directory + "/" + $0 })
    XCTAssertEqual(present, listed)
  }
}
