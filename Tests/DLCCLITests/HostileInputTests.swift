// Inputs that once crashed dlc or were silently accepted: each is now a clear error with exit 1
// (or a usage error with exit 2), never a trap.
import Foundation
import XCTest

final class HostileInputTests: CLITestCase {

  func model(_ text: String) throws -> String {
    let path = try temporaryDirectory() + "/m.dl"
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    return path
  }

  func testMultiplyAccumulatesBeyond64BitsAreLocated() throws {
    // Each tensor and weight is within the limits; the MAC count of the second conv is not.
    let path = try model(
      "model m\ninput x: [30000, 30000, 1]\nh = x -> Conv2D(1000, 1)\noutput h -> Conv2D(1000, (300, 300), padding=\"same\")\n")
    let result = try run("summary", "--macs", path)
    XCTAssertEqual(result.status, 1, result.stderr)
    XCTAssertTrue(
      result.stderr.contains(":4:13: error: too large: Conv2D 'conv2d_1' needs more than 9,223,372,036,854,775,807 multiply-accumulates"),
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
    XCTAssertTrue(result.stderr.contains("error: too large: x (InputLayer) has more than 2,147,483,647 elements for 3 examples"), result.stderr)
  }

  func testBatchToleranceAndOutputAreValidated() throws {
    for arguments in [
      ["verify", "graphs/mlp_iris.dl", "--batch", "0"], ["viz", "graphs/mlp_iris.dl", "--memory", "--batch", "0", "-o", "x.png"],
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
    let path = try model("model m\ninput t: i32[6]\noutput t -> Embedding(10, 4, mask_zero=true) -> Flatten() -> Dense(2)\n")
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
    let listed = Set(result.stdout.split(separator: "\n").filter { $0.hasPrefix("wrote ") }.map { String($0.dropFirst(6)) })
    let present = Set(try FileManager.default.contentsOfDirectory(atPath: directory).map { directory + "/" + $0 })
    XCTAssertEqual(present, listed)
  }
}
