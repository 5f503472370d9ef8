// Matches a safetensors file against the graph's parameters: every weight present, float32, of the
// expected shape, and nothing left over. Problems with a layer's weight point at the layer's call in
// the model; problems with the file alone are reported against the file.
import DLCData
import DLCIR
import DLCSupport

public struct WeightBinding {
  /// The weights by `<layer>/<variable>` key, when binding succeeded.
  public var weights: [String: Tensor]
  /// Problems located in the model source (a layer whose weight is missing or wrong).
  public var modelDiagnostics: [Diagnostic]
  /// Problems with the weights file itself (tensors the model does not have).
  public var fileDiagnostics: [Diagnostic]

  public var succeeded: Bool { modelDiagnostics.isEmpty && fileDiagnostics.isEmpty }

  public static func bind(_ file: SafeTensors, path: String, to graph: Graph) -> WeightBinding {
    var binding = WeightBinding(weights: [:], modelDiagnostics: [], fileDiagnostics: [])
    let entries = Dictionary(file.entries.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    var expectedKeys: [String] = []
    for node in graph.nodes {
      for parameter in node.ownedParameters {
        let key = WeightKey.of(node, parameter)
        expectedKeys.append(key)
        let expected = describeShape(parameter.shape)
        guard let entry = entries[key] else {
          binding.modelDiagnostics.append(
            .error(
              "\(path) has no tensor '\(key)' for \(node.name) (\(node.op)); expected float32 \(expected)",
              at: node.range))
          continue
        }
        guard entry.dtype == "F32", let tensor = entry.tensor else {
          binding.modelDiagnostics.append(
            .error(
              "tensor '\(key)' in \(path) is \(entry.dtype); dlc expects float32 (F32) \(expected)", at: node.range,
              notes: [DiagnosticNote("convert the weights to float32 before saving them")]))
          continue
        }
        guard entry.shape == parameter.shape else {
          binding.modelDiagnostics.append(
            .error(
              "tensor '\(key)' in \(path) has shape \(describeShape(entry.shape)); \(node.name) (\(node.op)) expects \(expected)",
              at: node.range))
          continue
        }
        binding.weights[key] = tensor
      }
    }
    let expected = Set(expectedKeys)
    for entry in file.entries where !expected.contains(entry.name) {
      binding.fileDiagnostics.append(
        .error(
          "unexpected tensor '\(entry.name)' \(describeShape(entry.shape)): the model has no such weight\(NearestName.hint(entry.name, among: expectedKeys))",
          at: nil))
    }
    return binding
  }
}
