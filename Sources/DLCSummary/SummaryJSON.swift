// `dlc summary --format json`: one object, keys in the spec's order, deterministic formatting.
import DLCIR
import DLCSupport

public enum SummaryJSON {
  public static func render(_ summary: ModelSummary, showMACs: Bool = false) -> String {
    var out = "{\"name\": \(quoted(summary.name)),\n \"layers\": ["
    let layers = summary.rows.filter { !$0.isInput }
    for (index, row) in layers.enumerated() {
      let shape =
        row.shownShapes.count == 1
        ? shapeJSON(row.shownShapes[0]) : "[" + row.shownShapes.map(shapeJSON).joined(separator: ", ") + "]"
      out += index == 0 ? "" : ",\n            "
      out += "{\"name\": \(quoted(row.name)), \"type\": \(quoted(row.type)), \"output_shape\": \(shape),"
      out += " \"params\": \(row.parameters), \"trainable_params\": \(row.trainableParameters),"
      out += " \"non_trainable_params\": \(row.nonTrainableParameters),"
      out += " \"inputs\": [" + row.inputNames.map(quoted).joined(separator: ", ") + "]"
      if showMACs { out += ", \"macs\": \(row.macs), \"activation_bytes\": \(row.activationBytes)" }
      out += "}"
    }
    out += "],\n \"inputs\": ["
    out += summary.inputs.map {
      "{\"name\": \(quoted($0.name)), \"shape\": \(shapeJSON($0.shown)), \"dtype\": \(quoted($0.type.dtype.rawValue))}"
    }.joined(separator: ", ")
    out += "],\n \"outputs\": [" + summary.outputs.map(quoted).joined(separator: ", ") + "],\n"
    out += " \"total_params\": \(summary.totalParameters), \"trainable_params\": \(summary.trainableParameters),"
    out += " \"non_trainable_params\": \(summary.nonTrainableParameters)"
    if showMACs {
      out += ", \"total_macs\": \(summary.totalMACs), \"activation_bytes\": \(summary.totalActivationBytes)"
    }
    out += "}\n"
    return out
  }

  static func shapeJSON(_ dims: [Int?]) -> String {
    "[" + (["null"] + dims.map { $0.map(String.init) ?? "null" }).joined(separator: ", ") + "]"
  }

  static func quoted(_ text: String) -> String { JSONText.quoted(text) }
}
