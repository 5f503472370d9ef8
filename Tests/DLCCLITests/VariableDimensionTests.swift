// Inputs with a dimension of any size (`none`, Keras' None): `--max-shape`, runs at the inputs'
// own length on both backends, and the errors around them.
import DLCData
import Foundation
import XCTest

final class VariableDimensionTests: CLITestCase {
  let archive = "Tests/Fixtures/import/import_variable_text.keras"

  func tokens(_ lengths: [Int], width: Int, in directory: String) throws -> String {
    var values: [Int32] = []
    for length in lengths {
      values += (0..<width).map { $0 < length ? Int32(1 + ($0 * 7) % 150) : 0 }
    }
    let path = directory + "/tokens\(width).npy"
    try NumPy.writeArray(Tensor(shape: [lengths.count, width], elements: .int32(values)), path: path)
    return path
  }

  func testRunTakesAnyLengthUpToTheMaximumOnBothBackends() throws {
    let directory = try temporaryDirectory()
    for width in [3, 11, 40] {
      let input = try tokens([width, width - 2], width: width, in: directory)
      let interpreted = try run("run", archive, "--input", input)
      let compiled = try run("run", archive, "--input", input, "--backend", "c")
      XCTAssertEqual(interpreted.status, 0, interpreted.stderr)
      XCTAssertEqual(compiled.status, 0, compiled.stderr)
      XCTAssertEqual(compiled.stdout, interpreted.stdout, "length \(width)")
    }
    // Zero padding after the tokens changes nothing: the model masks it, as Keras does.
    let short = try run("run", archive, "--input", try tokens([5, 7], width: 7, in: directory))
    let padded = try run("run", archive, "--input", try tokens([5, 7], width: 30, in: directory))
    XCTAssertEqual(short.stdout, padded.stdout)

    let long = try tokens([300], width: 300, in: directory)
    let refused = try run("run", archive, "--input", long)
    XCTAssertEqual(refused.status, 1)
    XCTAssertTrue(
      refused.stderr.contains("has size 300 along its none dimension, more than the 256 the model is compiled for"),
      refused.stderr)
    XCTAssertTrue(refused.stderr.contains("--max-shape tokens=300"), refused.stderr)
    XCTAssertEqual(try run("run", archive, "--input", long, "--max-shape", "tokens=300").status, 0)
  }

  func testMaxShapeSizesTheCompiledModel() throws {
    let ir = try run("ir", archive, "--max-shape", "32")
    XCTAssertEqual(ir.status, 0, ir.stderr)
    XCTAssertTrue(ir.stdout.contains("%0 = input \"tokens\" : i32(N, <=32)"), ir.stdout)
    XCTAssertTrue(try run("ir", archive).stdout.contains("i32(N, <=256)"))

    let directory = try temporaryDirectory()
    let compiled = try run("compile", archive, "--max-shape", "tokens=16", "-o", directory)
    XCTAssertEqual(compiled.status, 0, compiled.stderr)
    let header = try String(contentsOfFile: directory + "/import_variable_text.h", encoding: .utf8)
    XCTAssertTrue(header.contains("/* input tokens: int32 token ids, (N, 16) */"), header)
    XCTAssertTrue(header.contains("axis 1 declared none: compiled at its maximum"), header)

    // A maximum the model cannot take lowers the standard one: positions exist for 20 tokens only.
    let source = directory + "/positions.dl"
    try """
    model positions
    input t: i32[none]
    output t -> TokenAndPositionEmbedding(100, 20, 8) -> GlobalAveragePooling1D()
    """.write(toFile: source, atomically: true, encoding: .utf8)
    XCTAssertTrue(try run("ir", source).stdout.contains("i32(N, <=20)"))
    let tooLong = try run("ir", source, "--max-shape", "21")
    XCTAssertEqual(tooLong.status, 1)
    XCTAssertTrue(tooLong.stderr.contains("error:"), tooLong.stderr)
  }

  func testMaxShapeMustBeAboutAVariableInput() throws {
    let unknown = try run("summary", archive, "--max-shape", "token=9")
    XCTAssertEqual(unknown.status, 1)
    XCTAssertTrue(
      unknown.stderr.contains("--max-shape token=...: the model has no input 'token' with a none dimension"),
      unknown.stderr)
    let fixed = try run("summary", "graphs/mlp_iris.dl", "--max-shape", "8")
    XCTAssertEqual(fixed.status, 1)
    XCTAssertTrue(fixed.stderr.contains("the model's inputs have no none dimension"), fixed.stderr)
    for bad in ["0", "x", "tokens=", "tokens=-3", "3,4"] {
      let result = try run("summary", archive, "--max-shape", bad)
      XCTAssertEqual(result.status, 1, bad)
      XCTAssertTrue(result.stderr.contains("--max-shape"), "\(bad): \(result.stderr)")
    }
  }
}
