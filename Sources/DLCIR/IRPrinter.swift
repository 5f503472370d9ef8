// The IR as text, one line per node, deterministic, for `dlc ir` and golden tests:
//   %3 = Conv2D "conv2d_1" (%2) {filters=16, kernel_size=(5, 5), ...} : (N, 10, 10, 16)  # mnist_cnn.dl:10
import DLCSupport

public enum IRPrinter {
  public static func print(_ graph: Graph, file: SourceFile? = nil) -> String {
    var out = "model \(graph.name)\n"
    for node in graph.nodes {
      // A size that follows an input's `none` dimension is the most it can be: `<=256`.
      let types = node.outputs.enumerated().map { output, type in
        "\(type.dtype == .int32 ? "i32" : "f32")(N"
          + node.shownDims(output).enumerated().map { ", \($1 == nil ? "<=" : "")\(type.dims[$0])" }.joined() + ")"
      }
      let result =
        node.outputs.count == 1
        ? "%\(node.id)" : node.outputs.indices.map { "%\(node.id).\($0)" }.joined(separator: ", ")
      if node.isInput {
        out += "\(result) = input \"\(node.name)\" : \(types[0])\n"
        continue
      }
      let operands = node.inputs.map(\.description).joined(separator: ", ")
      // Arguments left at none, and the name and trainable flag (shown elsewhere), are left out.
      let attributes = node.attributes.filter { entry in
        !entry.value.isNone && entry.name != "name" && entry.name != "trainable"
      }
      .map { "\($0.name)=\($0.value)" }.joined(separator: ", ")
      // A shared layer's later call: Keras' node index, and the weights are the first call's.
      var line = "\(result) = \(node.op) \"\(node.name)\"\(node.call > 0 ? "[\(node.call)]" : "") (\(operands))"
      if !attributes.isEmpty { line += " {\(attributes)}" }
      line += " : " + types.joined(separator: ", ")
      if node.call > 0 && !node.parameters.isEmpty {
        line += " weights of call 0"
      } else if !node.parameters.isEmpty {
        line +=
          " weights["
          + node.parameters.map { "\($0.name)(" + $0.shape.map(String.init).joined(separator: ", ") + ")" }
          .joined(separator: ", ") + "]"
      }
      if let file, let range = node.range {
        line += "  # \(file.path.split(separator: "/").last ?? ""):\(file.location(of: range.start).line)"
      }
      out += line + "\n"
    }
    out += "return " + graph.outputs.map(\.description).joined(separator: ", ") + "\n"
    return out
  }
}
