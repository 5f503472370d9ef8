// A Keras model used as a layer: `x -> Sequential([Conv2D(96, 4, strides=4), LayerNormalization()], name="stem")`,
// as `keras.Sequential([...], name="stem")(x)` nests a model in another. Its layers become ordinary
// nodes (passes and backends see through it); each records the model it belongs to, so summaries
// show the model as one row, and `dlc viz` draws it as a cluster.
import DLCFrontend
import DLCIR
import DLCLayers
import DLCSupport

extension ElaborationState {
  /// Class names that nest a model in a pipeline.
  static let nestedModelClasses: Set<String> = ["Sequential"]

  func applyNestedSequential(_ call: Call, inputs: [ValueRef], scope: [String: Binding]) throws -> [ValueRef] {
    guard inputs.count == 1 else {
      diagnostics.report(.error("Sequential takes one input; got \(inputs.count)", at: call.callee.range))
      throw Abandon()
    }
    var layers: [Value]?
    var explicitName: (String, SourceRange)?
    var trainable = true
    var positional = 0
    for argument in call.arguments {
      let label = argument.label?.name ?? (positional == 0 ? "layers" : "")
      if argument.label == nil { positional += 1 }
      switch (label, argument.value.kind) {
      case ("layers", .list(let elements)), ("layers", .tuple(let elements)):
        layers = elements
      case ("name", .string(let text)):
        explicitName = (text, argument.value.range)
      case ("trainable", .boolean(let flag)):
        trainable = flag
      case ("layers", _), ("name", _), ("trainable", _):
        let expected =
          ["layers": "a list of layers, as in [Dense(64), Dense(10)]", "name": "a string"][label] ?? "true or false"
        diagnostics.report(.error("Sequential's \(label) must be \(expected)", at: argument.value.range))
        throw Abandon()
      default:
        diagnostics.report(
          .error(
            "Sequential takes a list of layers, name= and trainable=", at: argument.range,
            notes: [DiagnosticNote("as in 'x -> Sequential([Conv2D(32, 3), MaxPooling2D()], name=\"features\")'")]))
        throw Abandon()
      }
    }
    guard let layers, !layers.isEmpty else {
      diagnostics.report(
        .error(
          "Sequential needs its layers", at: call.range,
          notes: [DiagnosticNote("as in 'x -> Sequential([Dense(64), Dense(10)])'")]))
      throw Abandon()
    }

    let name: String
    if let (explicit, range) = explicitName {
      guard isValidLayerName(explicit) else {
        diagnostics.report(
          .error(
            "model name \"\(explicit)\" must start with a letter or '_' and contain only letters, digits, '_', '-' or '.'",
            at: range))
        throw Abandon()
      }
      guard claim(name: explicit, at: range, auto: false) else { throw Abandon() }
      name = explicit
    } else {
      name = autoName("sequential")
      guard claim(name: name, at: call.range, auto: true) else { throw Abandon() }
    }

    let outer = nestedModel
    if outer == nil { nestedModel = NestedModel(name: name, kind: "Sequential") }
    scopePath.append(name)
    defer {
      nestedModel = outer
      scopePath.removeLast()
    }
    let firstNode = graph.nodes.count
    var values = inputs
    for element in layers {
      guard case .call(let layerCall) = element.kind else {
        diagnostics.report(
          .error("a Sequential model holds layers, such as Dense(10); got \(element.kind.phrase)", at: element.range))
        throw Abandon()
      }
      if Self.nestedModelClasses.contains(layerCall.callee.name) {
        values = try applyNestedSequential(layerCall, inputs: values, scope: scope)
      } else if let definition = registry[layerCall.callee.name] {
        values = try apply(definition, call: layerCall, inputs: values, scope: scope)
      } else {
        let hint = NearestName.hint(layerCall.callee.name, among: registry.names)
        let note =
          blocks[layerCall.callee.name] == nil
          ? [] : [DiagnosticNote("blocks are called in pipelines, not listed in a Sequential")]
        diagnostics.report(
          .error("unknown layer '\(layerCall.callee.name)'\(hint)", at: layerCall.callee.range, notes: note))
        throw Abandon()
      }
      guard values.count == 1 else {
        diagnostics.report(
          .error(
            "\(layerCall.callee.name) produces \(values.count) outputs; each layer of a Sequential model produces one",
            at: layerCall.range))
        throw Abandon()
      }
    }
    if !trainable {
      // Keras' `model.trainable = False` freezes every layer inside.
      for id in firstNode..<graph.nodes.count {
        for index in graph.nodes[id].parameters.indices { graph.nodes[id].parameters[index].trainable = false }
      }
    }
    return values
  }
}
