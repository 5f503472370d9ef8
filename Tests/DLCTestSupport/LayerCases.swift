// What several test targets share: the Keras-recorded layer cases and the fixture files.
import DLCData
import DLCDriver
import DLCIR
import DLCSupport
import DLCWeights
import Foundation

public enum TestPaths {
  public static let tests = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
  public static let repository = tests.deletingLastPathComponent()
  public static let layerFixtures = tests.appendingPathComponent("Fixtures/layers")
  public static let modelFixtures = tests.appendingPathComponent("Fixtures/models")
  public static let maskingFixtures = tests.appendingPathComponent("Fixtures/masking")
  /// Keras model files and configurations for the importer (tools/keras_import_fixtures.py).
  public static let importFixtures = tests.appendingPathComponent("Fixtures/import")
  /// The float layer cases again with NaN and ±inf in their inputs (weights from layerFixtures).
  public static let nonfiniteFixtures = tests.appendingPathComponent("Fixtures/nonfinite")

  /// The layer cases that have non-finite fixtures: every case whose inputs are all float.
  public static func nonfiniteCases() throws -> [LayerCase] {
    try LayerCase.all().filter {
      FileManager.default.fileExists(atPath: nonfiniteFixtures.appendingPathComponent("\($0.name).expected.npz").path)
    }
  }

  /// The masking cases of tools/keras_masking.py: each one's .dl file, weights, inputs and Keras' outputs.
  public static func maskingCases() throws -> [URL] {
    try FileManager.default.contentsOfDirectory(atPath: maskingFixtures.path).filter { $0.hasSuffix(".dl") }.sorted()
      .map { maskingFixtures.appendingPathComponent($0) }
  }
}

/// One case of Tests/Golden/layers/cases.json (tools/keras_layer_cases.py).
public struct LayerCase: Decodable {
  public struct Weight: Decodable, Equatable {
    public var name: String
    public var shape: [Int]
    public var trainable: Bool

    public init(name: String, shape: [Int], trainable: Bool) {
      self.name = name
      self.shape = shape
      self.trainable = trainable
    }
  }

  public var name: String
  public var inputs: [String]
  public var call: String
  // The keys of cases.json, as tools/keras_layer_cases.py writes them.
  // swift-format-ignore: AlwaysUseLowerCamelCase
  public var output_shapes: [[Int?]]
  public var params: Int
  // swift-format-ignore: AlwaysUseLowerCamelCase
  public var trainable_params: Int
  public var weights: [Weight]

  /// The case as a one-layer model: inputs x0, x1, ... all piped into the call.
  public var source: String {
    let names = inputs.indices.map { "x\($0)" }
    var text = "model case_\(name)\n"
    for (name, shape) in zip(names, inputs) { text += "input \(name): \(shape)\n" }
    let piped = names.count == 1 ? names[0] : "(" + names.joined(separator: ", ") + ")"
    return text + "output \(piped) -> \(call)\n"
  }

  public static func all() throws -> [LayerCase] {
    try JSONDecoder().decode(
      [LayerCase].self, from: Data(contentsOf: TestPaths.tests.appendingPathComponent("Golden/layers/cases.json")))
  }
}

/// A layer case ready to run on its non-finite inputs: the Keras weights of its layer fixture,
/// the inputs holding NaN and ±inf, and where Keras' outputs are.
public struct NonFiniteCase {
  public var name: String
  public var compilation: Compilation
  public var weights: [String: Tensor]
  public var inputs: [Tensor]
  public var expected: URL

  public init(_ testCase: LayerCase) throws {
    name = testCase.name
    compilation = Driver.compile(SourceFile(path: "\(testCase.name).dl", text: testCase.source))
    guard let graph = compilation.graph else {
      throw FixtureError("\(testCase.name): \(compilation.renderedDiagnostics)")
    }
    let weightsPath = TestPaths.layerFixtures.appendingPathComponent(testCase.name + ".safetensors").path
    let binding = WeightBinding.bind(try SafeTensors.read(path: weightsPath), path: weightsPath, to: graph)
    guard binding.succeeded else { throw FixtureError("\(testCase.name): the layer fixture's weights do not bind") }
    weights = binding.weights
    let base = TestPaths.nonfiniteFixtures.appendingPathComponent(testCase.name).path
    inputs = try FixtureFiles.inputs(URL(fileURLWithPath: base + ".inputs.npz"), for: graph)
    expected = URL(fileURLWithPath: base + ".expected.npz")
  }
}

public struct FixtureError: Error, CustomStringConvertible {
  public var description: String
  public init(_ description: String) { self.description = description }
}

public enum FixtureFiles {
  /// A graph's inputs in declaration order, from an .npz keyed by input name (missing ones left out).
  public static func inputs(_ url: URL, for graph: Graph) throws -> [Tensor] {
    let arrays = Dictionary(try NumPy.readArchive(path: url.path).map { ($0.name, $0.tensor) }) { a, _ in a }
    return graph.inputs.compactMap { arrays[$0.name] }
  }
}

public enum Closeness {
  /// What keeps `outputs` from matching `expected`: different names or shapes, or an error above
  /// `tolerance` relative to the reference's largest finite magnitude (NaN and infinities must match exactly).
  public static func problems(
    _ outputs: [(name: String, tensor: Tensor)], _ expected: [(name: String, tensor: Tensor)], tolerance: Float = 1e-4
  ) -> [String] {
    var problems: [String] = []
    if outputs.map(\.name) != expected.map(\.name) {
      problems.append("outputs \(outputs.map(\.name)), expected \(expected.map(\.name))")
    }
    for (actual, reference) in zip(outputs, expected) {
      let discrepancy = Discrepancy(name: actual.name, actual: actual.tensor, reference: reference.tensor)
      if actual.tensor.shape != reference.tensor.shape {
        problems.append("\(actual.name): shape \(actual.tensor.shape), expected \(reference.tensor.shape)")
      } else if !(discrepancy.relativeError <= tolerance) {
        problems.append("\(actual.name): max error \(discrepancy.maxAbsoluteError), scale \(discrepancy.scale)")
      }
    }
    return problems
  }
}
