// Every tensor type and weight a shape rule produces is checked against `Limits` before it enters
// the graph, so no later stage (summaries, MACs, the memory plan, allocation) can overflow on it.
import DLCIR
import DLCLayers
import DLCSupport

extension ElaborationState {
  /// Reports "too large" at `range` and abandons the statement when a type or weight is beyond the limits.
  func checkSizes(_ outputs: [TensorType], _ parameters: [ParameterSpec], of what: String, at range: SourceRange)
    throws
  {
    for type in outputs {
      if let message = Self.sizeProblem(dims: type.dims, what: "\(what)'s output \(type)") {
        diagnostics.report(.error(message, at: range))
        throw Abandon()
      }
    }
    for weight in parameters {
      if let message = Self.sizeProblem(
        dims: weight.shape, what: "\(what)'s weight '\(weight.name)' \(weight.shapeDescription)")
      {
        diagnostics.report(.error(message, at: range))
        throw Abandon()
      }
    }
    // Each weight is below 2⁴⁰, so adding a node's few weights to a total below 2⁴⁰ cannot overflow.
    let added = parameters.reduce(0) { $0 + $1.elementCount }
    guard parameterTotal + added <= Limits.maxParameters else {
      diagnostics.report(
        .error(
          "too large: the model's parameters exceed \(Limits.describe(Limits.maxParameters)) with \(what)",
          at: range))
      throw Abandon()
    }
    parameterTotal += added
  }

  /// Why a shape is beyond the limits, or nil.
  static func sizeProblem(dims: [Int], what: String) -> String? {
    if let big = dims.first(where: { $0 > Limits.maxDimension }) {
      return "too large: \(what) has a dimension of \(Limits.describe(big)), "
        + "which exceeds \(Limits.describe(Limits.maxDimension))"
    }
    guard let count = Checked.product(dims), count <= Limits.maxElements else {
      return "too large: \(what) has more than \(Limits.describe(Limits.maxElements)) elements"
    }
    return nil
  }
}

extension ParameterSpec {
  var shapeDescription: String { "(" + shape.map(String.init).joined(separator: ", ") + ")" }
}
