// Every way weights or inputs can be wrong gets an exact, located diagnostic (spec §3).
import DLCData
import DLCDriver
import DLCSupport
import DLCWeights
import Foundation
import XCTest

final class RunDiagnosticsTests: XCTestCase {
  let source = """
    model small
    input tokens: i32[4]
    input features: [3]
    e = tokens -> Embedding(10, 2) -> Flatten()
    output (e, features) -> Concatenate() -> Dense(2)

    """
  var directory = ""

  override func setUpWithError() throws {
    directory =
      FileManager.default.temporaryDirectory
      .appendingPathComponent("dlc-run-\(ProcessInfo.processInfo.processIdentifier)-\(name.filter(\.isLetter))").path
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    FileManager.default.changeCurrentDirectoryPath(directory)
    try source.write(toFile: "small.dl", atomically: true, encoding: .utf8)
  }

  override func tearDownWithError() throws {
    try? FileManager.default.removeItem(atPath: directory)
  }

  var compilation: Compilation { Driver.compile(path: "small.dl") }

  /// The default weights, edited by `change`, written to w.safetensors.
  func weightsFile(_ change: (inout [(name: String, tensor: Tensor)]) -> Void = { _ in }) throws -> String {
    var weights = Initialization.initialize(try XCTUnwrap(compilation.graph), seed: 0).weights
    change(&weights)
    try SafeTensors(weights).write(to: "w.safetensors")
    return "w.safetensors"
  }

  func assertWeightsFail(_ path: String, _ expected: String, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertThrowsError(try Runner.weights(for: compilation, path: path), file: file, line: line) { error in
      XCTAssertEqual((error as? Diagnostic)?.rendered, expected, file: file, line: line)
    }
  }

  func testGoodWeightsBind() throws {
    let (weights, notice) = try Runner.weights(for: compilation, path: try weightsFile())
    XCTAssertNil(notice)
    XCTAssertEqual(weights.keys.sorted(), ["dense/bias", "dense/kernel", "embedding/embeddings"])
    let (_, defaultNotice) = try Runner.weights(for: compilation, path: nil)
    XCTAssertEqual(defaultNotice, "note: no --weights given; using Keras-default initialization (seed 0)\n")
  }

  func testMissingWeight() throws {
    assertWeightsFail(
      try weightsFile { $0.removeAll { $0.name == "dense/bias" } },
      """
      small.dl:5:42: error: w.safetensors has no tensor 'dense/bias' for dense (Dense); expected float32 (2,)
          5 | output (e, features) -> Concatenate() -> Dense(2)
            |                                          ^~~~~~~~

      """)
  }

  func testMisshapedWeight() throws {
    assertWeightsFail(
      try weightsFile { $0[0].tensor = Tensor(shape: [10, 3], floats: Array(repeating: 0, count: 30)) },
      """
      small.dl:4:15: error: tensor 'embedding/embeddings' in w.safetensors has shape (10, 3); embedding (Embedding) expects (10, 2)
          4 | e = tokens -> Embedding(10, 2) -> Flatten()
            |               ^~~~~~~~~~~~~~~~

      """)
  }

  func testNonFloatWeight() throws {
    assertWeightsFail(
      try weightsFile { $0[1].tensor = Tensor(shape: [11, 2], elements: .int32(Array(repeating: 0, count: 22))) },
      """
      small.dl:5:42: error: tensor 'dense/kernel' in w.safetensors is I32; dlc expects float32 (F32) (11, 2)
          5 | output (e, features) -> Concatenate() -> Dense(2)
            |                                          ^~~~~~~~
      note: convert the weights to float32 before saving them

      """)
  }

  func testExtraWeight() throws {
    assertWeightsFail(
      try weightsFile { $0.append(("dense/kernal", Tensor(shape: [1], floats: [0]))) },
      "w.safetensors: error: unexpected tensor 'dense/kernal' (1,): the model has no such weight; did you mean 'dense/kernel'?\n"
    )
  }

  func testUnreadableWeights() throws {
    try Data("garbage".utf8).write(to: URL(fileURLWithPath: "bad.safetensors"))
    assertWeightsFail(
      "bad.safetensors",
      "bad.safetensors: error: not a safetensors file (7 bytes; it must start with an 8-byte header length)\n")
    assertWeightsFail("none.safetensors", "none.safetensors: error: no such file\n")
  }

  // MARK: Inputs

  func save(_ tensor: Tensor, _ path: String) throws -> String {
    try NumPy.writeArray(tensor, path: path)
    return path
  }

  var tokens: Tensor { Tensor(shape: [2, 4], elements: .int32([1, 2, 3, 4, 5, 6, 7, 8])) }
  var features: Tensor { Tensor(shape: [2, 3], floats: [1, 2, 3, 4, 5, 6]) }

  func assertInputsFail(_ specs: [String], _ expected: String, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertThrowsError(try Runner.inputs(specs, for: compilation.graph!), file: file, line: line) { error in
      XCTAssertEqual((error as? Diagnostic)?.rendered, expected, file: file, line: line)
    }
  }

  func testInputsByNamePositionAndArchive() throws {
    let t = try save(tokens, "t.npy")
    let f = try save(features, "f.npy")
    XCTAssertEqual(try Runner.inputs(["features=\(f)", "tokens=\(t)"], for: compilation.graph!), [tokens, features])
    XCTAssertEqual(try Runner.inputs([t, f], for: compilation.graph!), [tokens, features])
    try NumPy.writeArchive([("features", features), ("tokens", tokens)], path: "in.npz")
    XCTAssertEqual(try Runner.inputs(["in.npz"], for: compilation.graph!), [tokens, features])
    // int64 token ids are accepted when they fit in int32.
    let wide = try save(Tensor(shape: [2, 4], elements: .int64([1, 2, 3, 4, 5, 6, 7, 8])), "wide.npy")
    XCTAssertEqual(try Runner.inputs(["tokens=\(wide)", f], for: compilation.graph!), [tokens, features])
  }

  func testInputProblems() throws {
    let t = try save(tokens, "t.npy")
    let f = try save(features, "f.npy")
    assertInputsFail(
      [t, "feature=\(f)"], "f.npy: error: the model has no input 'feature'; did you mean 'features'?\n")
    assertInputsFail([t], "error: no value for input 'features'; pass --input features=X.npy\n")
    try NumPy.writeArchive([("tokens", tokens)], path: "only_tokens.npz")
    assertInputsFail(
      ["only_tokens.npz"],
      "error: no value for input 'features' (only_tokens.npz holds 'tokens'); pass --input features=X.npy\n")
    assertInputsFail(
      [t, f, "tokens=\(t)"], "t.npy: error: input 'tokens' is given twice (also by t.npy)\n")
    let unbatched = try save(Tensor(shape: [3], floats: [1, 2, 3]), "u.npy")
    assertInputsFail(
      [t, unbatched],
      "u.npy: error: input 'features' has shape (3,); the model expects (N, 3)\n"
        + "note: add the batch dimension first: x[None] or x.reshape(1, ...)\n")
    let wrong = try save(Tensor(shape: [2, 4], floats: Array(repeating: 0, count: 8)), "w.npy")
    assertInputsFail([t, wrong], "w.npy: error: input 'features' has shape (2, 4); the model expects (N, 3)\n")
    let floatTokens = try save(Tensor(shape: [2, 4], floats: Array(repeating: 0, count: 8)), "ft.npy")
    assertInputsFail(
      [floatTokens, f],
      "ft.npy: error: input 'tokens' is float32; the model's i32 input takes int32 or int64 token ids\n"
        + "note: convert it with x.astype(np.int32)\n")
    let intFeatures = try save(Tensor(shape: [2, 3], elements: .int32([1, 2, 3, 4, 5, 6])), "if.npy")
    assertInputsFail(
      [t, intFeatures],
      "if.npy: error: input 'features' is int32; the model expects float32\nnote: convert it with x.astype(np.float32)\n"
    )
    let huge = try save(Tensor(shape: [2, 4], elements: .int64([1, 2, 3, 4, 5, 6, 7, 1 << 40])), "h.npy")
    assertInputsFail([huge, f], "h.npy: error: input 'tokens' holds 1099511627776, which does not fit in int32\n")
    let three = try save(Tensor(shape: [3, 3], floats: Array(repeating: 0, count: 9)), "three.npy")
    assertInputsFail([t, three], "three.npy: error: batch size 3 differs from t.npy's 2\n")
    assertInputsFail(
      ["tokens=in.npz"], "in.npz: error: a .npz file holds arrays named by input; give it without 'tokens='\n")
    assertInputsFail([t, f, f], "f.npy: error: every input of the model already has a value\n")
    assertInputsFail([t, "missing.npy"], "missing.npy: error: no such file\n")
  }

  func testTokenOutOfRangeIsLocated() throws {
    let (weights, _) = try Runner.weights(for: compilation, path: nil)
    let bad = Tensor(shape: [2, 4], elements: .int32([1, 2, 3, 4, 5, 6, 7, 10]))
    XCTAssertThrowsError(try Runner.interpret(compilation, weights: weights, inputs: [bad, features])) { error in
      XCTAssertEqual(
        (error as? Diagnostic)?.rendered,
        """
        small.dl:4:15: error: token id 10 at position 7 of embedding's input is outside the embedding table (0..<10)
            4 | e = tokens -> Embedding(10, 2) -> Flatten()
              |               ^~~~~~~~~~~~~~~~

        """)
    }
  }
}
