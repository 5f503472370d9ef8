// Writes a Keras model as a .dl file: a chain as one `->` pipeline, a graph as named tensors, each
// layer with Keras' name and only the arguments that differ from their defaults. Everything the
// model needs that dlc lacks is collected, so one diagnostic can list it all.
import DLCIR
import DLCLayers

struct SourceWriter {
  let registry: LayerRegistry
  /// What dlc cannot express, one line each.
  private(set) var problems: [String] = []
  /// Keras' layer name for each dlc layer name (the same), with where its variables are archived.
  private(set) var archiveGroups: [String: String] = [:]
  /// For the layers of nested models: the outermost model, whose group holds their variables in
  /// `.h5` files.
  private(set) var legacyModels: [String: String] = [:]
  /// The outermost nested functional model being written, if any.
  private var outermostModel: String?
  /// Nested functional models' graphs, as block text.
  private var blocks: [[String]] = []

  /// dlc's auto-names as the written file will produce them, so `name=` is written only where
  /// the Keras name differs.
  private var nameCounters: [String: Int] = [:]
  /// The .dl name of each Keras tensor.
  private var tensorNames: [KerasTensor: String] = [:]
  private var usedNames: Set<String> = ["model", "input", "output", "block", "return", "true", "false", "none"]

  init(registry: LayerRegistry) { self.registry = registry }

  /// The .dl text for `model`; meaningful only when `problems` stays empty.
  mutating func write(_ model: KerasModel) -> String {
    problems += model.problems
    // A functional model keeps its input rows in the summary even when it is a chain.
    let kind = model.isSequential ? "" : " functional"
    let name = Self.isIdentifier(model.name) ? model.name : "\"\(Self.escaped(model.name))\""
    var lines: [String] = []
    for input in model.inputs {
      lines.append(inputLine(input))
      tensorNames[KerasTensor(layer: input.name, node: 0, index: 0)] = input.name
      usedNames.insert(input.name)
    }
    lines.append("")
    lines += statements(model, closing: "output")
    // Nested functional models' graphs, written as blocks while their calls were.
    let header = ["# Imported from Keras by `dlc import`.", "model \(name)\(kind)", ""]
    return (header + blocks.flatMap { $0 + [""] } + lines).joined(separator: "\n") + "\n"
  }

  /// The statements of `model`'s layers, ending with `closing` (`output`, or `return` in a block)
  /// and its outputs; its inputs' names are in `tensorNames`.
  private mutating func statements(_ model: KerasModel, closing: String) -> [String] {
    var lines: [String] = []
    var consumers: [String: Int] = [:]
    for layer in model.layers {
      for tensor in layer.calls.flatMap({ $0 }) { consumers[tensor.layer, default: 0] += 1 }
    }
    for tensor in model.outputs { consumers[tensor.layer, default: 0] += 1 }
    let maskOperations = Self.tokenMaskOperations(model)
    let layers = chainsTogether(
      model.layers.filter { !$0.calls.isEmpty && !maskOperations.contains($0.name) }, consumers: consumers)

    // Chains of layers each feeding only the next become one pipeline, named after its last layer.
    // A shared layer is declared before its first call (`encoder = Dense(4)`), and each call
    // (`-> encoder()`) starts a statement, so it is named before the layers after it.
    var statements: [(prelude: [String], inputs: [KerasTensor], calls: [String], last: KerasLayer, node: Int)] = []
    // Layers already reported; what they feed is not reported again.
    var unwritten: Set<String> = []
    var declared: [String: String] = [:]
    /// A call reading the previous statement's only output, which nothing else reads, continues
    /// its pipeline; any other call starts a statement.
    func chainOrStart(_ call: String, _ layer: KerasLayer, node: Int, inputs: [KerasTensor]) {
      if inputs.count == 1, let previous = statements.last, previous.last.name == inputs[0].layer,
        previous.node == inputs[0].node, inputs[0].index == 0, consumers[inputs[0].layer] == 1,
        outputCount(previous.last) == 1
      {
        statements[statements.count - 1].calls.append(call)
        statements[statements.count - 1].last = layer
        statements[statements.count - 1].node = node
      } else {
        statements.append(([], inputs, [call], layer, node))
      }
    }
    for (layer, node, inputs) in Self.inDependencyOrder(layers, inputs: model.inputs) {
      if layer.calls.count > 1 && (layer.nestedLayers != nil || !layer.nestedFunctional.isEmpty) {
        unwritten.insert(layer.name)
        problems.append("model '\(layer.name)' is called \(layer.calls.count) times: dlc does not share nested models")
        continue
      }
      if layer.nestedLayers != nil || !layer.nestedFunctional.isEmpty {
        for argument in layer.unsupportedCallArguments {
          problems.append("model '\(layer.name)' (\(layer.className)) is called with \(argument)")
        }
        let text =
          layer.nestedFunctional.first.map { nestedFunctionalText(layer, $0) } ?? nestedSequentialText(layer, depth: 1)
        chainOrStart(text, layer, node: node, inputs: inputs)
        continue
      }
      if ["Sequential", "Functional", "Model"].contains(layer.className) {
        unwritten.insert(layer.name)
        problems.append(
          "layer '\(layer.name)' is a \(layer.className) model used as a layer: dlc nests Sequential models only")
        continue
      }
      guard let definition = registry[layer.className] else {
        unwritten.insert(layer.name)
        problems.append(unknownLayer(layer))
        continue
      }
      for argument in layer.unsupportedCallArguments {
        problems.append("layer '\(layer.name)' (\(layer.className)) is called with \(argument)")
      }
      if let mask = layer.maskTensor, !maskOperations.contains(mask.layer) {
        problems.append(
          "layer '\(layer.name)' (\(layer.className)) is called with mask='\(mask.layer)': dlc computes masks from "
            + "Embedding(mask_zero=True) and Masking only")
      }
      var layer = layer
      if layer.module.hasPrefix("keras.src.ops") || layer.module.hasPrefix("keras.ops") {
        // A Keras operation in a functional model (`x + y`, `x * 0.5`, `1 - x`, `x / 255`): the
        // element-wise merges of tensors, and Add, Subtract, Multiply and TrueDivide with a number.
        let merges = ["Add", "Subtract", "Multiply", "Maximum", "Minimum"].contains(layer.className)
        let ofTensors = merges && inputs.count >= 2 && layer.constantOperands.isEmpty
        let numberAt = inputs.count == 1 && layer.constantOperands.count == 1 ? layer.constantOperands[0].position : nil
        let withNumber =
          (["Add", "Subtract", "Multiply"].contains(layer.className) && numberAt != nil)
          || (layer.className == "TrueDivide" && numberAt == 1)
        guard ofTensors || withNumber else {
          unwritten.insert(layer.name)
          problems.append(
            "layer '\(layer.name)': the Keras operation \(layer.className) (\(layer.module)) on these operands is not "
              + "supported; dlc has x + c, x - c, c - x, x * c and x / c with a number c")
          continue
        }
        if withNumber {
          layer.callArguments["constant"] = .number(layer.constantOperands[0].value)
          if layer.className == "Subtract" && numberAt == 0 { layer.callArguments["constant_first"] = .bool(true) }
        }
      }
      archive(layer)
      if layer.calls.count > 1 {
        var prelude: [String] = []
        if declared[layer.name] == nil {
          let identifier = uniqueName(layer.name)
          declared[layer.name] = identifier
          prelude = [identifier + " = " + callText(layer.className, layer.config, definition: definition, layer: layer)]
        }
        statements.append((prelude, inputs, ["\(declared[layer.name] ?? layer.name)()"], layer, node))
        continue
      }
      chainOrStart(
        callText(layer.className, layer.config, definition: definition, layer: layer), layer, node: node,
        inputs: inputs)
    }

    let singleOutput = model.outputs.count == 1 ? model.outputs[0] : nil
    for (position, statement) in statements.enumerated() {
      var sources: [String] = []
      for tensor in statement.inputs {
        guard let name = tensorNames[tensor] else {
          if unwritten.contains(tensor.layer) { continue }
          problems.append(
            "layer '\(statement.last.name)' is called on a tensor of '\(tensor.layer)' that the model does not define")
          continue
        }
        sources.append(name)
      }
      let source = sources.count == 1 ? sources[0] : "(" + sources.joined(separator: ", ") + ")"
      let pipeline = ([source] + statement.calls).joined(
        separator: statement.calls.count > 2 || statement.calls.contains { $0.contains("\n") } ? "\n  -> " : " -> ")
      lines += statement.prelude
      let count = outputCount(statement.last)
      if position == statements.count - 1, count == 1, let singleOutput, singleOutput.layer == statement.last.name,
        singleOutput.node == statement.node, consumers[statement.last.name] == 1
      {
        lines.append("\(closing) " + pipeline)
        return lines
      }
      let names = (0..<count).map { index -> String in
        let base = statement.last.calls.count > 1 ? "\(statement.last.name)_\(statement.node)" : statement.last.name
        let name = uniqueName(index == 0 ? base : "\(base)_out\(index)")
        tensorNames[KerasTensor(layer: statement.last.name, node: statement.node, index: index)] = name
        return name
      }
      lines.append(names.joined(separator: ", ") + " = " + pipeline)
    }
    let outputs = model.outputs.map { tensor -> String in
      guard let name = tensorNames[tensor] else {
        if unwritten.contains(tensor.layer) { return "_" }
        problems.append("the model's output '\(tensor.layer)' is not a tensor the model defines")
        return "_"
      }
      return name
    }
    if outputs.isEmpty { problems.append("the model has no outputs") }
    if closing == "output" { lines.append("") }
    lines.append("\(closing) " + outputs.joined(separator: ", "))
    return lines
  }

  /// `Functional(block, name="...")`: a Keras functional model used as a layer, its graph written
  /// as a block (with the layers named in the order dlc creates them: at this call).
  private mutating func nestedFunctionalText(_ layer: KerasLayer, _ model: KerasModel) -> String {
    var arguments: [String] = []
    if layer.name != autoName("functional", take: { $0 == layer.name }) {
      arguments.append("name=\"\(Self.escaped(layer.name))\"")
    }
    if layer.config["trainable"]?.bool == false { arguments.append("trainable=false") }
    problems += model.problems
    let block = uniqueName(layer.name)
    let parameters = model.inputs.map { input -> String in
      let name = uniqueName(input.name)
      tensorNames[KerasTensor(layer: input.name, node: 0, index: 0)] = name
      return name
    }
    var body: [String] = []
    inside(layer.name) { body = $0.statements(model, closing: "return") }
    blocks.append(
      [
        "# The graph of the functional model '\(layer.name)'.",
        "block \(block)(\(parameters.joined(separator: ", "))) {",
      ]
        + body.flatMap { $0.split(separator: "\n", omittingEmptySubsequences: false) }.map { "  " + $0 } + ["}"])
    return "Functional(" + ([block] + arguments).joined(separator: ", ") + ")"
  }

  /// `Sequential([A(...), B(...)], name="...")`, a layer per line: a Keras Sequential model used as a
  /// layer. Its layers' variables are archived inside the model's group.
  private mutating func nestedSequentialText(_ model: KerasLayer, depth: Int) -> String {
    var arguments: [String] = []
    if model.name != autoName("sequential", take: { $0 == model.name }) {
      arguments.append("name=\"\(Self.escaped(model.name))\"")
    }
    if model.config["trainable"]?.bool == false { arguments.append("trainable=false") }
    let owner = "model '\(model.name)' (Sequential)"
    for (key, value) in model.config.sorted(by: { $0.key < $1.key })
    where !["name", "trainable", "layers", "dtype"].contains(key) && !value.isOff
      && !Self.inferenceIrrelevant.contains(key) && key != "build_input_shape"
    {
      problems.append("\(owner) has \(key)=\(value.python), which dlc does not support")
    }
    let indent = String(repeating: "  ", count: depth + 1)
    var calls: [String] = []
    inside(model.name) {
      for layer in model.nestedLayers ?? [] {
        if layer.nestedLayers != nil {
          calls.append($0.nestedSequentialText(layer, depth: depth + 1))
        } else if let inner = layer.nestedFunctional.first {
          calls.append($0.nestedFunctionalText(layer, inner))
        } else if let definition = $0.registry[layer.className] {
          $0.archive(layer)
          calls.append($0.callText(layer.className, layer.config, definition: definition, layer: layer))
        } else {
          $0.problems.append($0.unknownLayer(layer, in: owner))
        }
      }
    }
    let list =
      "[\n" + calls.map { indent + $0 }.joined(separator: ",\n") + "\n" + String(repeating: "  ", count: depth) + "]"
    return "Sequential(" + ([list] + arguments).joined(separator: ", ") + ")"
  }

  /// Runs `work` with the layers it writes inside the nested model `name` (whose outermost model's
  /// group holds their variables in `.h5` files).
  private mutating func inside(_ name: String, _ work: (inout SourceWriter) -> Void) {
    let outer = outermostModel
    outermostModel = outer ?? name
    work(&self)
    outermostModel = outer
  }

  /// Records where a layer's variables are archived.
  private mutating func archive(_ layer: KerasLayer) {
    archiveGroups[layer.name] = layer.archiveGroup
    if let outermostModel { legacyModels[layer.name] = outermostModel }
  }

  /// The problem of a layer whose class dlc does not have.
  private func unknownLayer(_ layer: KerasLayer, in owner: String? = nil) -> String {
    "layer '\(layer.name)'\(owner.map { " in \($0)" } ?? ""): \(layer.className) "
      + "(\(layer.module.isEmpty ? "a custom class" : layer.module)) is not a layer dlc knows"
  }

  /// Keras 3 computes an Embedding's mask in a functional model as an operation of its own,
  /// `not_equal(tokens, 0)`, passed to the layers reading it as `mask=`. dlc computes that mask
  /// itself (docs/language.md, "Masks"), so those operations are not written.
  private static func tokenMaskOperations(_ model: KerasModel) -> Set<String> {
    let maskedTokens = Set(
      model.layers.filter { $0.className == "Embedding" && $0.config["mask_zero"]?.bool == true }
        .flatMap { $0.calls.compactMap(\.first) })
    var operations = Set<String>()
    for layer in model.layers where layer.className == "NotEqual" && layer.calls.count == 1 {
      guard layer.calls[0].count == 1, maskedTokens.contains(layer.calls[0][0]),
        layer.constantOperands.count == 1, layer.constantOperands[0] == (1, 0)
      else { continue }
      operations.insert(layer.name)
    }
    // Only where nothing but `mask=` reads it.
    for layer in model.layers {
      for tensor in layer.calls.joined() where operations.contains(tensor.layer) { operations.remove(tensor.layer) }
    }
    for tensor in model.outputs { operations.remove(tensor.layer) }
    return operations
  }

  /// Every call of every layer, in `layers`' order except that a call waits until the tensors it
  /// reads exist (a shared layer's later calls read layers listed after it).
  private static func inDependencyOrder(_ layers: [KerasLayer], inputs: [KerasInput]) -> [(
    layer: KerasLayer, node: Int, inputs: [KerasTensor]
  )] {
    var pending = layers.flatMap { layer in layer.calls.enumerated().map { (layer, $0.offset, $0.element) } }
    var defined = Set(inputs.map(\.name).map { "\($0)@0" })
    var ordered: [(layer: KerasLayer, node: Int, inputs: [KerasTensor])] = []
    let known = Set(layers.map(\.name)).union(inputs.map(\.name))
    while !pending.isEmpty {
      // A tensor of a layer the model does not have is reported where it is read.
      guard
        let next = pending.firstIndex(where: { call in
          call.2.allSatisfy { defined.contains("\($0.layer)@\($0.node)") || !known.contains($0.layer) }
        })
      else {
        ordered += pending.map { ($0.0, $0.1, $0.2) }
        break
      }
      let (layer, node, reads) = pending.remove(at: next)
      defined.insert("\(layer.name)@\(node)")
      ordered.append((layer, node, reads))
    }
    return ordered
  }

  /// Keras' order with each chain's layers made adjacent: after a layer comes the one layer that
  /// alone reads it, so chains become single pipelines. dlc names layers in this order.
  private func chainsTogether(_ layers: [KerasLayer], consumers: [String: Int]) -> [KerasLayer] {
    var soleReader: [String: Int] = [:]
    for (index, layer) in layers.enumerated() {
      if layer.calls.count == 1, layer.calls[0].count == 1, let source = layer.calls[0].first,
        source.index == 0, consumers[source.layer] == 1
      {
        soleReader[source.layer] = index
      }
    }
    var placed = Set<Int>()
    var ordered: [KerasLayer] = []
    for index in layers.indices where !placed.contains(index) {
      var next: Int? = index
      while let current = next, placed.insert(current).inserted {
        ordered.append(layers[current])
        next = outputCount(layers[current]) == 1 ? soleReader[layers[current].name] : nil
      }
    }
    return ordered
  }

  // MARK: - Inputs and names

  private mutating func inputLine(_ input: KerasInput) -> String {
    let name = identifier(input.name, what: "input name")
    var dimensions: [String] = []
    for dimension in input.shape {
      // None: a variable-length axis (compiled for a maximum, `--max-shape`).
      dimensions.append(dimension.map(String.init) ?? "none")
    }
    let type: String
    switch input.dtype {
    case "float32": type = ""
    case "int32", "int64": type = "i32"
    default:
      problems.append("input '\(input.name)' has dtype \(input.dtype): dlc takes float32 and int32 inputs")
      type = ""
    }
    return "input \(name): \(type)[\(dimensions.joined(separator: ", "))]"
  }

  private mutating func identifier(_ name: String, what: String) -> String {
    if !Self.isIdentifier(name) { problems.append("the \(what) '\(name)' is not an identifier, which dlc needs there") }
    return name
  }

  private static func isIdentifier(_ name: String) -> Bool {
    name.first.map { $0 == "_" || ($0.isASCII && $0.isLetter) } == true
      && name.allSatisfy { $0 == "_" || ($0.isASCII && ($0.isLetter || $0.isNumber)) }
  }

  /// A tensor name that is an identifier and not yet taken.
  private mutating func uniqueName(_ base: String) -> String {
    var stem = String(base.map { $0 == "_" || ($0.isASCII && ($0.isLetter || $0.isNumber)) ? $0 : "_" })
    if stem.first.map({ $0.isNumber }) ?? true { stem = "_" + stem }
    var name = stem
    var suffix = 1
    while usedNames.contains(name) {
      name = "\(stem)_t\(suffix)"
      suffix += 1
    }
    usedNames.insert(name)
    return name
  }

  /// The next auto-name dlc gives a layer with `prefix`, if `take` says it is used.
  private mutating func autoName(_ prefix: String, take: (String) -> Bool = { _ in true }) -> String {
    let count = nameCounters[prefix, default: 0]
    let name = count == 0 ? prefix : "\(prefix)_\(count)"
    if take(name) { nameCounters[prefix] = count + 1 }
    return name
  }

  /// How many tensors the layer returns (recurrent layers with `return_state`, Bidirectional
  /// without a merge mode return several).
  private func outputCount(_ layer: KerasLayer) -> Int {
    outputCount(layer.className, layer.config)
  }

  private func outputCount(_ className: String, _ config: [String: JSONValue]) -> Int {
    switch className {
    case "LSTM": return config["return_state"]?.bool == true ? 3 : 1
    case "GRU", "SimpleRNN": return config["return_state"]?.bool == true ? 2 : 1
    case "Bidirectional":
      guard let inner = config["layer"], let innerClass = inner["class_name"]?.string else { return 1 }
      let states = outputCount(innerClass, inner["config"]?.object ?? [:]) - 1
      return (config["merge_mode"] == .null ? 2 : 1) + 2 * states
    default: return 1
    }
  }

  // MARK: - Arguments

  /// Keras configuration keys that never change what a trained model computes, and that dlc's
  /// schemas therefore leave out.
  private static let inferenceIrrelevant: Set<String> = [
    "seed", "unroll", "sparse", "ragged", "optional", "renorm_momentum", "implementation", "input_length",
    "build_config", "compile_config",
    // Keras 2: the input shape a first layer was built with (the model's inputs say it), and the
    // shapes MultiHeadAttention was built for.
    "batch_input_shape", "query_shape", "key_shape", "value_shape",
  ]

  /// `Class(positional, keyword=value, ...)` with only what differs from dlc's defaults.
  private mutating func callText(
    _ className: String, _ config: [String: JSONValue], definition: LayerDef, layer: KerasLayer?,
    wrapped: Bool = false
  ) -> String {
    let owner = layer.map { "layer '\($0.name)' (\(className))" } ?? "\(className) inside a wrapper"
    var written: [String] = []
    var wrappedCalls: [String: String] = [:]
    var given = config
    for (key, value) in layer?.callArguments ?? [:] { given[key] = value }

    // A wrapped layer is created (and named) before its wrapper, as dlc's elaborator does.
    for spec in definition.arguments {
      guard case .layer = spec.type, let value = given[spec.name], value != .null else { continue }
      guard let innerClass = value["class_name"]?.string, let innerDefinition = registry[innerClass],
        let innerConfig = value["config"]?.object
      else {
        problems.append("\(owner) wraps \(value.python), which dlc does not know")
        continue
      }
      if spec.name == "backward_layer", let forward = given["layer"]?["config"]?.object,
        Self.mirrors(innerConfig, forward)
      {
        continue
      }
      _ = autoName(innerDefinition.namePrefix)
      wrappedCalls[spec.name] = callText(
        innerClass, innerConfig, definition: innerDefinition, layer: nil, wrapped: true)
    }

    var positional = true
    for spec in definition.arguments {
      if spec.name == "name" || spec.name == "dtype" { continue }
      if let call = wrappedCalls[spec.name] {
        written.append(positional && spec.positional && spec.isRequired ? call : "\(spec.name)=\(call)")
        continue
      }
      guard let value = given[spec.name] else {
        if spec.isRequired { positional = false }
        continue
      }
      switch spec.type {
      case .trainingOnly, .layer:
        continue
      case .unsupported(let reason):
        if !value.isOff { problems.append("\(owner) has \(spec.name)=\(value.python): \(reason)") }
        continue
      default:
        break
      }
      if !spec.isRequired, Self.isDefault(value, spec.defaultValue) { continue }
      if case .choice(let choices) = spec.type, let chosen = value.string?.lowercased() {
        guard choices.contains(chosen) else {
          problems.append(
            "\(owner) has \(spec.name)=\(value.python): dlc supports "
              + choices.map { "'\($0)'" }.joined(separator: ", "))
          continue
        }
        // The only value dlc has (data_format="channels_last") is what it does anyway.
        if choices.count == 1 { continue }
      }
      if let other = Self.defaultsToArgument[spec.name], spec.defaultValue == AttributeValue.none,
        given[other] == value
      {
        continue
      }
      if case .activation = spec.type, let name = value.string, Activation.named(name) == nil {
        problems.append("\(owner) has \(spec.name)=\(value.python), an activation dlc does not have")
        continue
      }
      guard let text = literal(value, spec.type) else {
        problems.append("\(owner) has \(spec.name)=\(value.python), which dlc cannot express")
        continue
      }
      if positional && spec.positional && spec.isRequired {
        written.append(text)
      } else {
        positional = false
        written.append("\(spec.name)=\(text)")
      }
    }

    let known = Set(definition.arguments.map(\.name))
    for (key, value) in given.sorted(by: { $0.key < $1.key }) where !known.contains(key) {
      if value.isOff || Self.inferenceIrrelevant.contains(key) { continue }
      if Self.isTrainingOnly(key) { continue }
      if key == "zero_output_for_mask" && wrapped { continue }
      problems.append("\(owner) has \(key)=\(value.python), which dlc does not support")
    }
    if let dtype = config["dtype"], let policy = dtype.string ?? dtype["config"]?["name"]?.string,
      policy != "float32"
    {
      problems.append("\(owner) computes in \(policy): dlc computes in float32")
    }
    if let layer {
      if layer.name != autoName(definition.namePrefix, take: { $0 == layer.name }) {
        written.append("name=\"\(Self.escaped(layer.name))\"")
      }
      for sublayer in definition.internalLayers { _ = autoName(sublayer) }
    }
    return "\(className)(\(written.joined(separator: ", ")))"
  }

  /// Initializers, regularizers and constraints shape training only.
  private static func isTrainingOnly(_ key: String) -> Bool {
    key.hasSuffix("_initializer") || key.hasSuffix("_regularizer") || key.hasSuffix("_constraint")
  }

  /// Optional arguments whose `None` means "the same as another argument", which Keras writes out
  /// resolved: written only when they differ from that argument.
  private static let defaultsToArgument = ["strides": "pool_size", "value_dim": "key_dim"]

  /// Whether a Bidirectional's backward layer is the forward one run backwards (Keras writes it
  /// out even when the user gave none).
  private static func mirrors(_ backward: [String: JSONValue], _ forward: [String: JSONValue]) -> Bool {
    let relevant = { (config: [String: JSONValue]) in
      config.filter { key, _ in
        !["name", "go_backwards", "seed"].contains(key) && !isTrainingOnly(key)
      }
    }
    return relevant(backward) == relevant(forward) && backward["go_backwards"]?.bool != forward["go_backwards"]?.bool
  }

  static func isDefault(_ value: JSONValue, _ defaultValue: AttributeValue?) -> Bool {
    guard let defaultValue else { return false }
    switch (value, defaultValue) {
    case (.null, .none): return true
    case (.bool(let a), .bool(let b)): return a == b
    case (.number(let a), .int(let b)): return a == Double(b)
    case (.number(let a), .float(let b)): return abs(a - b) <= 1e-12 * max(1, abs(b))
    case (.string(let a), .string(let b)): return a.lowercased() == b.lowercased()
    case (.number(let a), .ints(let b)): return b.allSatisfy { Double($0) == a }
    case (.array(let a), .ints(let b)):
      let flat = flattened(a)
      return flat.count == b.count && zip(flat, b).allSatisfy { $0.int == $1 }
    case (.array(let a), .list(let b)): return a.count == b.count && zip(a, b).allSatisfy { isDefault($0, $1) }
    case (.array(let a), .int), (.array(let a), .float):
      return a.count == 1 && isDefault(a[0], defaultValue)
    default: return false
    }
  }

  private static func flattened(_ values: [JSONValue]) -> [JSONValue] {
    values.flatMap { value -> [JSONValue] in value.array.map(flattened) ?? [value] }
  }

  /// The value as .dl source for an argument of `type`; nil when .dl cannot say it.
  private func literal(_ value: JSONValue, _ type: ArgumentType) -> String? {
    switch value {
    case .null: return "none"
    case .bool(let flag): return flag ? "true" : "false"
    case .number(let number):
      guard number.isFinite else { return nil }
      if case .float = type { return Self.floatText(number) }
      if let int = value.int { return String(int) }
      return Self.floatText(number)
    case .string(let text): return "\"\(Self.escaped(text))\""
    case .array(let values):
      if case .intTuple = type, let first = values.first?.int, values.allSatisfy({ $0.int == first }) {
        return String(first)
      }
      // Keras 2 writes some single integers as one-element lists (BatchNormalization's axis=[3]).
      if case .int = type, values.count == 1, let only = values[0].int { return String(only) }
      let parts = values.compactMap { literal($0, .intList) }
      guard parts.count == values.count else { return nil }
      return values.count == 1 ? "[\(parts[0])]" : "(" + parts.joined(separator: ", ") + ")"
    case .object:
      // Keras 3 writes a built-in activation as a string; an object here is a custom function.
      if case .activation = type, let name = value["config"]?.string, value["class_name"]?.string == "function" {
        return "\"\(Self.escaped(name))\""
      }
      return nil
    }
  }

  private static func floatText(_ value: Double) -> String {
    // Keras 2 files hold float32 arguments widened to double (0.10000000149011612): write them as
    // the float32 they were (0.1).
    let narrowed = Float(value)
    let text = Double(narrowed) == value ? "\(narrowed)" : "\(value)"
    return text.contains(".") || text.contains("e") || text.contains("n") ? text : text + ".0"
  }

  private static func escaped(_ text: String) -> String {
    text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
  }
}
