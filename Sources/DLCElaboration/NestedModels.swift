// A Keras model used as a layer. `x -> Sequential([Conv2D(96, 4, strides=4), LayerNormalization()], name="stem")`
// is `keras.Sequential([...], name="stem")(x)`; `x -> Functional(base, name="base")` is a functional
// model (a pretrained base, `keras.Model(inputs, outputs, name="base")(x)`) whose graph is the block
// `base`. Its layers become ordinary nodes (passes and backends see through it); each records the
// model it belongs to, so summaries show the model as one row, and `dlc viz` draws it as a cluster.
import DLCFrontend
import DLCIR
import DLCLayers
import DLCSupport

extension ElaborationState {
  /// Class names that nest a model in a pipeline.
  static let nestedModelClasses: Set<String> = ["Sequential", "Functional"]

  /// A nested model's arguments, as Keras takes them: what it holds (Sequential's list of layers,
  /// Functional's block), `name=` and `trainable=`.
  private struct NestedModelArguments {
    var content: Value?
    var name: (String, SourceRange)?
    var trainable = true
  }

  func applyNestedModel(_ call: Call, inputs: [ValueRef], scope: [String: Binding]) throws -> [ValueRef] {
    let kind = call.callee.name
    let content = kind == "Sequential" ? "layers" : "block"
    let example =
      kind == "Sequential"
      ? "x -> Sequential([Conv2D(32, 3), MaxPooling2D()], name=\"features\")" : "x -> Functional(base, name=\"base\")"
    var arguments = NestedModelArguments()
    var positional = 0
    for argument in call.arguments {
      let label = argument.label?.name ?? (positional == 0 ? content : "")
      if argument.label == nil { positional += 1 }
      switch (label, argument.value.kind) {
      case ("layers", .list), ("layers", .tuple), ("block", .identifier):
        arguments.content = argument.value
      case ("name", .string(let text)):
        arguments.name = (text, argument.value.range)
      case ("trainable", .boolean(let flag)):
        arguments.trainable = flag
      case (content, _), ("name", _), ("trainable", _):
        let expected =
          [
            "layers": "a list of layers, as in [Dense(64), Dense(10)]", "block": "the name of a block",
            "name": "a string",
          ][label] ?? "true or false"
        diagnostics.report(.error("\(kind)'s \(label) must be \(expected)", at: argument.value.range))
        throw Abandon()
      default:
        diagnostics.report(
          .error(
            "\(kind) takes \(kind == "Sequential" ? "a list of layers" : "a block"), name= and trainable=",
            at: argument.range, notes: [DiagnosticNote("as in '\(example)'")]))
        throw Abandon()
      }
    }
    guard let held = arguments.content else {
      diagnostics.report(
        .error("\(kind) needs its \(content)", at: call.range, notes: [DiagnosticNote("as in '\(example)'")]))
      throw Abandon()
    }

    let name = try nestedModelName(arguments.name, kind: kind, call: call)
    let outer = nestedModel
    if outer == nil { nestedModel = NestedModel(name: name, kind: kind) }
    defer { nestedModel = outer }
    let firstNode = graph.nodes.count
    let values: [ValueRef]
    switch held.kind {
    case .identifier(let blockName):
      values = try expandFunctional(blockName, at: held.range, call: call, inputs: inputs, scope: scope)
    case .list(let layers), .tuple(let layers):
      scopePath.append(name)
      defer { scopePath.removeLast() }
      values = try applySequentialLayers(layers, call: call, inputs: inputs, scope: scope)
    default:
      throw Abandon()
    }
    if !arguments.trainable {
      // Keras' `model.trainable = False` freezes every layer inside.
      for id in firstNode..<graph.nodes.count {
        for index in graph.nodes[id].parameters.indices { graph.nodes[id].parameters[index].trainable = false }
      }
    }
    return values
  }

  /// The `name=` given, else Keras' auto-name for the class (`sequential`, `functional_1`).
  private func nestedModelName(_ explicit: (String, SourceRange)?, kind: String, call: Call) throws -> String {
    guard let (name, range) = explicit else {
      let name = autoName(snakeCase(kind))
      guard claim(name: name, at: call.range, auto: true) else { throw Abandon() }
      return name
    }
    guard isValidLayerName(name) else {
      diagnostics.report(
        .error(
          "model name \"\(name)\" must start with a letter or '_' and contain only letters, digits, '_', '-' or '.'",
          at: range))
      throw Abandon()
    }
    guard claim(name: name, at: range, auto: false) else { throw Abandon() }
    return name
  }

  private func applySequentialLayers(_ layers: [Value], call: Call, inputs: [ValueRef], scope: [String: Binding])
    throws -> [ValueRef]
  {
    guard inputs.count == 1 else {
      diagnostics.report(.error("Sequential takes one input; got \(inputs.count)", at: call.callee.range))
      throw Abandon()
    }
    guard !layers.isEmpty else {
      diagnostics.report(
        .error(
          "Sequential needs its layers", at: call.range,
          notes: [DiagnosticNote("as in 'x -> Sequential([Dense(64), Dense(10)])'")]))
      throw Abandon()
    }
    var values = inputs
    for element in layers {
      guard case .call(let layerCall) = element.kind else {
        diagnostics.report(
          .error("a Sequential model holds layers, such as Dense(10); got \(element.kind.phrase)", at: element.range))
        throw Abandon()
      }
      if Self.nestedModelClasses.contains(layerCall.callee.name) {
        values = try applyNestedModel(layerCall, inputs: values, scope: scope)
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
    return values
  }

  /// The block's graph on `inputs`; its one result must be the last layer it creates (the model's
  /// output, which the summary shows as the model's).
  private func expandFunctional(
    _ blockName: String, at range: SourceRange, call: Call, inputs: [ValueRef], scope: [String: Binding]
  ) throws -> [ValueRef] {
    guard let block = blocks[blockName] else {
      let hint = NearestName.hint(blockName, among: blocks.keys.sorted())
      diagnostics.report(
        .error(
          "unknown block '\(blockName)'\(hint)", at: range,
          notes: [DiagnosticNote("a Functional model's graph is a block: 'block \(blockName)(x) { ... return y }'")]))
      throw Abandon()
    }
    let blockCall = Call(callee: Identifier(blockName, range), arguments: [], range: call.range)
    let firstNode = graph.nodes.count
    let values = try expand(block, call: blockCall, inputs: inputs, callerScope: scope)
    guard values.count == 1, values[0].node == graph.nodes.count - 1, values[0].node >= firstNode else {
      diagnostics.report(
        .error(
          "a Functional model returns one tensor, the output of the last layer its block creates", at: call.range))
      throw Abandon()
    }
    return values
  }
}
