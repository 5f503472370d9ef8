// `dlc import`, and every command reading a Keras file directly: what a user who trained in Keras
// runs, from the committed archives of tools/keras_import_fixtures.py.
import DLCData
import Foundation
import XCTest

final class ImportCommandTests: CLITestCase {
  let fixtures = "Tests/Fixtures/import"

  /// The written .dl and weights run exactly as the archive does, and summarize as it does.
  func testImportWritesASourceAndWeightsThatRunAsTheArchiveDoes() throws {
    let folder = try temporaryDirectory()
    let imported = try run(
      "import", "\(fixtures)/mnist_cnn.keras", "-o", "\(folder)/m.dl", "--weights-out", "\(folder)/w.safetensors")
    XCTAssertEqual(imported.status, 0, imported.stderr)
    XCTAssertEqual(
      imported.stdout,
      "wrote \(folder)/m.dl: 8 layers, 58,796 parameters\nwrote \(folder)/w.safetensors: 10 tensors\n")
    XCTAssertEqual(
      try String(contentsOfFile: "\(folder)/m.dl", encoding: .utf8),
      try String(contentsOfFile: "Tests/Golden/import/mnist_cnn.dl", encoding: .utf8))

    let inputs = "\(fixtures)/mnist_cnn.inputs.npz"
    let fromSource = try run(
      "run", "\(folder)/m.dl", "--weights", "\(folder)/w.safetensors", "--input", inputs, "--output", "\(folder)/a.npz")
    let fromArchive = try run("run", "\(fixtures)/mnist_cnn.keras", "--input", inputs, "--output", "\(folder)/b.npz")
    XCTAssertEqual(fromSource.status, 0, fromSource.stderr)
    XCTAssertEqual(fromArchive.status, 0, fromArchive.stderr)
    XCTAssertFalse(fromArchive.stderr.contains("initialization"), "the archive's weights were not used")
    XCTAssertEqual(
      try NumPy.readArchive(path: "\(folder)/a.npz").map(\.tensor),
      try NumPy.readArchive(path: "\(folder)/b.npz").map(\.tensor))

    XCTAssertEqual(
      try run("summary", "\(folder)/m.dl").stdout, try run("summary", "\(fixtures)/mnist_cnn.keras").stdout)
    let legacy = try run("summary", "\(fixtures)/mnist_cnn.h5")
    XCTAssertEqual(legacy.stdout, try run("summary", "\(fixtures)/mnist_cnn.keras").stdout, legacy.stderr)
  }

  /// Without -o the .dl goes beside the model, named after it; a .dl file is not imported.
  func testDefaultsAndWhatIsNotAKerasFile() throws {
    let folder = try temporaryDirectory()
    try FileManager.default.copyItem(atPath: "\(fixtures)/mlp_iris.keras", toPath: "\(folder)/iris.keras")
    let imported = try run("import", "\(folder)/iris.keras")
    XCTAssertEqual(imported.status, 0, imported.stderr)
    XCTAssertTrue(FileManager.default.fileExists(atPath: "\(folder)/iris.dl"))

    let notKeras = try run("import", "graphs/mlp_iris.dl", "-o", "\(folder)/x.dl")
    XCTAssertEqual(notKeras.status, 1)
    XCTAssertTrue(notKeras.stderr.contains("not a Keras model file"), notKeras.stderr)
    XCTAssertFalse(FileManager.default.fileExists(atPath: "\(folder)/x.dl"))
  }

  /// Damaged and mismatched files are errors naming what is wrong, with exit code 1; nothing is written.
  func testBrokenKerasFilesAreErrors() throws {
    let folder = try temporaryDirectory()
    let cases = [
      ("truncated.keras", "not a Keras archive"),
      ("no_config.keras", "it has no 'config.json'"),
      ("config_not_json.keras", "configuration is not valid JSON"),
      ("weights_not_hdf5.keras", "cannot read it as an HDF5 file"),
      ("other_weights.keras", "'layers/dense/vars/0' (dense/kernel) has shape [30, 14]; the layer needs [4, 50]"),
      ("weights_only.weights.h5", "holds weights only, not a model"),
    ]
    for (file, message) in cases {
      let result = try run(
        "import", "\(fixtures)/hostile/\(file)", "-o", "\(folder)/out.dl", "--weights-out", "\(folder)/w.safetensors")
      XCTAssertEqual(result.status, 1, "\(file): \(result.stderr)")
      XCTAssertTrue(result.stderr.contains(message), "\(file): \(result.stderr)")
      XCTAssertFalse(FileManager.default.fileExists(atPath: "\(folder)/out.dl"), "\(file): a file was written")
    }
    // The architecture alone is fine; only what needs the weights fails.
    XCTAssertEqual(try run("summary", "\(fixtures)/hostile/other_weights.keras").status, 0)
  }

  /// Everything unsupported is listed at once, with the Keras module of an unknown class.
  func testUnsupportedModelsListEverythingMissing() throws {
    let expected = try String(contentsOfFile: "Tests/Golden/import/import_unsupported.stderr", encoding: .utf8)
    XCTAssertTrue(expected.contains("Scale (course>Scale)"), expected)
    XCTAssertTrue(expected.contains("data_format='channels_first'"), expected)
    XCTAssertTrue(expected.contains("lora_rank=2"), expected)
    XCTAssertTrue(expected.contains("computes in float16"), expected)
  }
}
