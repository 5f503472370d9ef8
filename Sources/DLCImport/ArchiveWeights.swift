// The trained weights of an imported model, read from the archive under dlc's keys
// (`<layer>/<variable>`), in the order and shapes the compiled graph declares.
import DLCData
import DLCIR
import DLCLayers
import DLCSupport

public struct ArchiveWeights {
  enum Layout {
    /// Keras 3 (`.keras`): `layers/<class>_<n>/vars/<i>`, sublayers in groups of their own.
    case keras3
    /// `.h5` whole-model files: `model_weights/<layer>/` lists its datasets in `weight_names` (a
    /// nested model's group lists those of all its layers).
    case legacy
  }

  let file: HDF5File
  let layout: Layout
  /// Each dlc layer's group in the file.
  let groups: [String: String]
  let registry: LayerRegistry

  /// Every parameter of `graph` (the graph the imported source compiled to, before any pass).
  public func tensors(for graph: Graph) throws -> [String: Tensor] {
    var tensors: [String: Tensor] = [:]
    var problems: [Diagnostic] = []
    for node in graph.nodes where !node.ownedParameters.isEmpty {
      do {
        for (parameter, path) in zip(node.ownedParameters, try paths(of: node)) {
          let tensor = try file.floats(at: path)
          guard tensor.shape == parameter.shape else {
            throw Diagnostic.error(
              file: file.path,
              "'\(path)' (\(node.name)/\(parameter.name)) has shape \(tensor.shape); the layer needs \(parameter.shape)"
            )
          }
          tensors["\(node.name)/\(parameter.name)"] = tensor
        }
      } catch let diagnostic as Diagnostic {
        problems.append(diagnostic)
      }
    }
    if let together = Diagnostic.together(problems) { throw together }
    return tensors
  }

  /// Where each of the node's parameters is stored, in the node's order.
  private func paths(of node: Node) throws -> [String] {
    guard let group = groups[node.name] else {
      throw Diagnostic.error(file: file.path, "the archive has no weights for layer '\(node.name)'")
    }
    switch layout {
    case .keras3:
      let archived = registry.definition(ofOp: node.op)?.archiveGroups ?? [:]
      var counts: [String: Int] = [:]
      return try node.parameters.map { parameter in
        let prefix = parameter.name.split(separator: "/").dropLast().joined(separator: "/")
        let subgroup = archived[prefix] ?? prefix
        let index = counts[prefix, default: 0]
        counts[prefix] = index + 1
        let path = [group, subgroup, "vars", String(index)].filter { !$0.isEmpty }.joined(separator: "/")
        guard file.exists(path) else {
          throw Diagnostic.error(
            file: file.path, "the archive has no '\(path)' for \(node.name)/\(parameter.name)",
            notes: ["was the model saved after it was built (called on data or given an Input)?"])
        }
        return path
      }
    case .legacy:
      var names = file.strings(attribute: "weight_names", of: group) ?? []
      if group.split(separator: "/").last.map(String.init) != node.name {
        // A nested model's group lists all its layers' weights: `model/layer/kernel`.
        names = names.filter { $0.split(separator: "/").dropLast().last.map(String.init) == node.name }
      }
      guard names.count == node.parameters.count else {
        throw Diagnostic.error(
          file: file.path,
          "'\(group)' holds \(names.count) weights; layer '\(node.name)' has \(node.parameters.count) ("
            + node.parameters.map(\.name).joined(separator: ", ") + ")")
      }
      return names.map { "\(group)/\($0)" }
    }
  }
}
