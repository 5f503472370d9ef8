// Keras model files (tools/keras_import_fixtures.py: .keras archives and whole-model .h5 files with
// trained-looking weights) read directly, weights and all, and run by both backends against Keras'
// outputs.
import DLCCodegen
import DLCData
import DLCDriver
import DLCSupport
import DLCTestSupport
import Foundation
import XCTest

final class ImportedModelNumericsTests: XCTestCase {
  override func setUp() { CodegenFixtures.useTestCache() }

  /// keras.applications models as imported (Tests/Golden/import), with `dlc init --seed 1` weights and
  /// tools/keras_import_fixtures.py's batch-normalization statistics, against Keras' outputs. Their
  /// archives are too large to commit; these weights need no file.
  func testApplicationsRunAsKerasRunsThem() throws {
    let names = [
      "app_mobilenet", "app_mobilenet_v2", "app_mobilenet_v3_small", "app_mobilenet_v3_large", "app_resnet50",
      "app_resnet50_v2", "app_densenet121", "app_efficientnet_b0", "app_efficientnet_v2_b0", "app_inception_v3",
      "app_xception", "app_vgg16", "app_nasnet_mobile", "app_convnext_tiny",
    ]
    try CodegenFixtures.concurrently(names) { name in
      let source = TestPaths.repository.appendingPathComponent("Tests/Golden/import/\(name).dl").path
      let compilation = Driver.compile(path: source)
      guard let graph = compilation.graph else { return XCTFail("\(name): \(compilation.renderedDiagnostics)") }
      var weights = InitializedWeights.of(graph, seed: 1)
      for node in graph.nodes {
        for parameter in node.parameters where ["moving_mean", "moving_variance"].contains(parameter.name) {
          let values = (0..<parameter.elementCount).map { Float(Self.statistic(parameter.name, $0)) }
          weights["\(node.name)/\(parameter.name)"] = Tensor(shape: parameter.shape, floats: values)
        }
        let key = "\(node.name)/kernel"
        if let gain = Self.kernelGain[name], let kernel = weights[key] {
          weights[key] = Tensor(shape: kernel.shape, floats: kernel.floats.map { $0 * gain })
        }
      }
      // Optimized but not sanitized, as the other ImageNet-sized models (CodegenFixtures.large).
      Self.assertBothBackendsMatchKeras(compilation, weights: weights, fixture: name, build: CodegenFixtures.optimized)
    }
  }

  /// The interpreter (graph as imported) and the generated C (all passes) against Keras' outputs
  /// in Tests/Fixtures/import/`fixture`.{inputs,expected}.npz.
  static func assertBothBackendsMatchKeras(
    _ compilation: Compilation, weights: [String: Tensor], fixture: String, build: CBuildOptions,
    label: String? = nil
  ) {
    let label = label ?? fixture
    do {
      guard let source = compilation.graph else { throw compilation.failed }
      let base = TestPaths.importFixtures.appendingPathComponent(fixture).path
      let inputs = try CodegenFixtures.inputs(URL(fileURLWithPath: base + ".inputs.npz"), for: source)
      // A model with a none dimension runs as compiled for the inputs' length.
      let compilation = try compilation.specialized(for: inputs)
      let expected = try CodegenFixtures.arrays(URL(fileURLWithPath: base + ".expected.npz"))
      CodegenFixtures.assertClose(
        try Runner.interpret(compilation, weights: weights, inputs: inputs), expected, label + " (interpreter)")
      let (optimized, optimizedWeights) = try compilation.optimized(weights: weights)
      let generated = try CBackend.run(optimized, weights: optimizedWeights, inputs: inputs, build: build)
      CodegenFixtures.assertClose(generated, expected, label + " (generated C)")
    } catch {
      XCTFail("\(label): \(error)")
    }
  }

  /// tools/keras_import_fixtures.py's `KERNEL_GAIN`: VGG16 has no batch normalization, and its ReLU
  /// layers would shrink Glorot-initialized activations until every logit is the same.
  static let kernelGain: [String: Float] = ["app_vgg16": 1.5]

  /// tools/keras_import_fixtures.py's `statistic`: moving means and variances that keep activations unsaturated.
  static func statistic(_ leaf: String, _ index: Int) -> Double {
    leaf == "moving_mean" ? 0.2 * sin(Double(index) + 1) : 0.75 + 0.25 * (1 + sin(3 * Double(index) + 2))
  }

  func testKerasFilesRunAsKerasRunsThem() throws {
    let folder = TestPaths.importFixtures
    let files = try FileManager.default.contentsOfDirectory(atPath: folder.path)
      .filter { $0.hasSuffix(".keras") || $0.hasSuffix(".h5") }.sorted()
    XCTAssertGreaterThanOrEqual(files.count, 16)
    XCTAssertTrue(files.contains("mnist_cnn.h5") && files.contains("import_functional.h5"))
    XCTAssertTrue(files.contains("keras2_cnn.h5") && files.contains("keras2_functional.h5"), "Keras 2 files")
    XCTAssertTrue(files.contains("import_variable_text.keras"), "a model with a none dimension")
    try CodegenFixtures.concurrently(files) { file in
      let fixture = String(file.prefix { $0 != "." })
      let compilation = Driver.compile(path: folder.appendingPathComponent(file).path)
      guard compilation.succeeded else { return XCTFail("\(file): \(compilation.renderedDiagnostics)") }
      do {
        let weights = try Runner.weights(for: compilation, path: nil)
        XCTAssertNil(weights.notice, "\(file): the archive's weights were not used")
        Self.assertBothBackendsMatchKeras(
          compilation, weights: weights.weights, fixture: fixture, build: CodegenFixtures.sanitized, label: file)
        // A model with a none dimension: the same file on a batch of another length.
        let short = fixture + ".short"
        if FileManager.default.fileExists(atPath: folder.appendingPathComponent(short + ".inputs.npz").path) {
          Self.assertBothBackendsMatchKeras(
            compilation, weights: weights.weights, fixture: short, build: CodegenFixtures.sanitized,
            label: file + " (shorter)")
        }
      } catch {
        XCTFail("\(file): \(error)")
      }
    }
  }
}
