// `dlc verify`: the generated C against the interpreter on the same inputs, every layer and output,
// each error measured against the reference tensor's scale.
import DLCCodegen
import DLCData
import DLCIR
import Foundation

public enum Verification {
  /// One set of inputs and how far the C was from the interpreter on it.
  public struct Case {
    public var label: String
    /// Every layer the C program dumped, then every output (named `output <name>`).
    public var rows: [Discrepancy]
  }

  /// Runs `model` through the interpreter and the compiled C on each of `inputs` (labelled sets).
  public static func compare(
    _ model: PreparedModel, inputs: [(label: String, tensors: [Tensor])], build: CBuildOptions
  ) throws -> [Case] {
    let graph = try model.graph
    return try inputs.map { label, tensors in
      var layers: [(String, Tensor)] = []
      let reference = try Runner.interpret(model.compilation, weights: model.weights, inputs: tensors) {
        node, outputs in
        for (index, tensor) in outputs.enumerated() {
          layers.append((graph.name(of: ValueRef(node: node.id, output: index)), tensor))
        }
      }
      let dump = NSTemporaryDirectory() + "dlc-verify-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString)"
      try? FileManager.default.createDirectory(atPath: dump, withIntermediateDirectories: true)
      defer { try? FileManager.default.removeItem(atPath: dump) }
      let compiled = try CBackend.run(
        model.compilation, weights: model.weights, inputs: tensors, build: build, dumpLayers: dump)
      var rows: [Discrepancy] = []
      for (name, tensor) in layers {
        guard let actual = try? NumPy.readArray(path: dump + "/" + name + ".npy") else { continue }
        rows.append(Discrepancy(name: name, actual: actual, reference: tensor))
      }
      for ((name, tensor), expected) in zip(compiled, reference) {
        rows.append(Discrepancy(name: "output " + name, actual: tensor, reference: expected.tensor))
      }
      return Case(label: label, rows: rows)
    }
  }
}
