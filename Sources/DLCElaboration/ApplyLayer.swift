// Applying one layer call: argument binding, input checks, the shape rule, naming and the new node.
import DLCFrontend
import DLCIR
import DLCLayers
import DLCSupport

extension ElaborationState {
  /// With `shared`, a later call of a declared layer: its bound arguments and name, which call it
  /// is, and the first call's node (whose weights this call must fit).
  func apply(
    _ definition: LayerDef, call: Call, inputs: [ValueRef], scope: [String: Binding],
    shared: (declared: String, name: String, attributes: Attributes, call: Int, first: NodeID?)? = nil
  ) throws -> [ValueRef] {
    // One tensor and constant= (Keras' `x + 3.0`) for the merges that take a number.
    let withConstant =
      inputs.count == 1 && definition.arguments.contains { $0.name == "constant" }
      && call.arguments.contains { $0.label?.name == "constant" }
    guard definition.arity.accepts(inputs.count) || withConstant else {
      reportArity(definition, call: call, inputs: inputs)
      throw Abandon()
    }
    let layerCall = try self.layerCall(call, in: scope)
    guard
      let attributes = shared?.attributes
        ?? ArgumentBinder.bind(
          layerCall, to: definition, bindLayer: { try self.bindWrapped($0) }, diagnostics: diagnostics)
    else { throw Abandon() }

    let inputTypes = inputs.map(graph.type(of:))
    try checkElementTypes(definition, call: call, inputs: inputs, types: inputTypes)
    let application = LayerApplication(inputs: inputTypes, arguments: attributes)
    let outputs: [TensorType]
    do {
      outputs = try definition.outputTypes(application)
    } catch let error as Diagnostic where error.range == nil {
      diagnostics.report(shapeDiagnostic(error, call: layerCall, definition: definition))
      throw Abandon()
    }
    let parameters = definition.parameters(application)
    if let shared, let first = shared.first, graph.nodes[first].parameters.map(\.shape) != parameters.map(\.shape) {
      let built = graph.nodes[first].dataInputs.map { graph.type(of: $0).description }.joined(separator: ", ")
      diagnostics.report(
        .error(
          "'\(shared.declared)' (\(definition.keras) '\(shared.name)') was built for \(built); this call gives "
            + inputTypes.map(\.description).joined(separator: ", ") + ", which needs weights of another shape",
          at: call.range, notes: [DiagnosticNote("first called here", at: graph.nodes[first].range)]))
      throw Abandon()
    }
    try checkSizes(outputs, shared?.call ?? 0 > 0 ? [] : parameters, of: definition.keras, at: call.range)
    var stored = attributes
    stored["name"] = nil
    let (nodeInputs, outgoingMask) = try resolveMask(
      definition, application: application, inputs: inputs, attributes: &stored, call: call)
    let name: String
    if let shared {
      name = shared.name
    } else {
      guard let taken = layerName(definition, attributes, layerCall) else { throw Abandon() }
      name = taken
      for sublayer in definition.internalLayers { _ = autoName(sublayer) }
    }
    var node = Node(
      id: 0, name: name, op: definition.keras, attributes: stored, inputs: nodeInputs, outputs: outputs,
      parameters: parameters, range: call.range, scope: scopePath, nestedModel: nestedModel)
    node.call = shared?.call ?? 0
    let id = graph.add(node)
    if let rule = definition.producesMask(application), let first = inputs.first {
      masks[ValueRef(node: id)] = MaskOrigin(source: first, rule: rule, layer: name)
    } else if let outgoingMask {
      masks[ValueRef(node: id)] = outgoingMask
    }
    return outputs.indices.map { ValueRef(node: id, output: $0) }
  }

  private func reportArity(_ definition: LayerDef, call: Call, inputs: [ValueRef]) {
    var notes: [DiagnosticNote] = []
    if inputs.count == 1 {
      notes.append(DiagnosticNote("pass several tensors as a tuple: (a, b) -> \(definition.keras)()"))
    } else if let producer = inputs.first.map({ graph.nodes[$0.node] }), inputs.allSatisfy({ $0.node == producer.id }),
      producer.outputs.count > 1
    {
      notes.append(
        DiagnosticNote(
          "\(producer.op) '\(producer.name)' has \(producer.outputs.count) outputs; bind them to names first, "
            + "as in 'y, state = x -> \(producer.op)(...)'"))
    }
    diagnostics.report(
      .error(
        "\(definition.keras) takes \(definition.arity.phrase); got \(inputs.count)", at: call.callee.range, notes: notes
      ))
  }

  /// Embedding wants token ids; every other layer with weights wants floats.
  private func checkElementTypes(_ definition: LayerDef, call: Call, inputs: [ValueRef], types: [TensorType]) throws {
    guard let expected = definition.inputDType else { return }
    for (value, type) in zip(inputs, types) where type.dtype != expected {
      let producer = graph.nodes[value.node]
      let note: DiagnosticNote
      if expected == .int32 {
        note = DiagnosticNote(
          producer.isInput
            ? "declare the input with integer ids: 'input \(producer.name): i32\(bracketed(type.dims))'"
            : "\(definition.keras) takes the token ids of an i32 input")
      } else {
        note = DiagnosticNote("integer token ids go through Embedding first")
      }
      diagnostics.report(
        .error(
          "\(definition.keras) expects \(expected.rawValue) input; got \(type.dtype.rawValue) \(type) from '\(producer.name)'",
          at: call.callee.range, notes: [note]))
      throw Abandon()
    }
  }

  private func bracketed(_ dims: [Int]) -> String {
    "[" + dims.map(String.init).joined(separator: ", ") + "]"
  }

  /// A shape error points at the offending argument when the rule names one, else at the whole call.
  private func shapeDiagnostic(_ error: Diagnostic, call: LayerCall, definition: LayerDef) -> Diagnostic {
    var range = call.range
    if let argument = error.argument {
      let positional = definition.arguments.filter(\.positional).map(\.name)
      var position = 0
      for given in call.arguments {
        if given.label == argument
          || (given.label == nil && positional.indices.contains(position) && positional[position] == argument)
        {
          range = given.value.range
        }
        if given.label == nil { position += 1 }
      }
    }
    var located = error
    located.range = range
    return located
  }

  /// A wrapped layer argument (`Bidirectional(LSTM(10))`) is created, and named, before its wrapper.
  func bindWrapped(_ call: LayerCall) throws -> WrappedLayer {
    guard let definition = registry[call.callee] else {
      let hint = NearestName.hint(call.callee, among: registry.names)
      throw Diagnostic.error("unknown layer '\(call.callee)'\(hint)", at: call.calleeRange)
    }
    guard
      let attributes = ArgumentBinder.bind(
        call, to: definition, bindLayer: { try self.bindWrapped($0) }, diagnostics: diagnostics)
    else { throw Abandon() }
    let name = attributes["name"]?.stringValue ?? autoName(definition.namePrefix)
    var stored = attributes
    stored["name"] = nil
    return WrappedLayer(op: definition.keras, name: name, attributes: stored)
  }

  // MARK: - Literals

  /// The call with its argument values resolved in `scope` (block constants substituted, bare words as symbols).
  func layerCall(_ call: Call, in scope: [String: Binding]) throws -> LayerCall {
    let arguments = try call.arguments.map { argument in
      (label: argument.label?.name, labelRange: argument.label?.range, value: try literal(argument.value, in: scope))
    }
    return LayerCall(callee: call.callee.name, calleeRange: call.callee.range, arguments: arguments, range: call.range)
  }

  func literal(_ value: Value, in scope: [String: Binding]) throws -> Literal {
    switch value.kind {
    case .integer(let number): return Literal(.int(number), value.range)
    case .float(let number): return Literal(.float(number), value.range)
    case .string(let text): return Literal(.string(text), value.range)
    case .boolean(let flag): return Literal(.bool(flag), value.range)
    case .none: return Literal(.none, value.range)
    case .tuple(let elements): return Literal(.tuple(try elements.map { try literal($0, in: scope) }), value.range)
    case .list(let elements): return Literal(.list(try elements.map { try literal($0, in: scope) }), value.range)
    case .call(let call): return Literal(.call(try layerCall(call, in: scope)), value.range)
    case .arithmetic(let operation, let left, let right):
      // A block parameter among the operands: computed now that the call gave its value.
      func number(_ operand: Value) throws -> ConstantNumber {
        let resolved = try literal(operand, in: scope)
        switch resolved.kind {
        case .int(let number): return .integer(number)
        case .float(let number): return .float(number)
        case .symbol(let name):
          diagnostics.report(
            .error(
              "'\(name)' is not a block parameter; \(operation.rawValue) works on numbers and block parameters",
              at: operand.range))
          throw Abandon()
        default:
          diagnostics.report(
            .error("\(operation.rawValue) works on numbers; got \(resolved.phrase)", at: operand.range))
          throw Abandon()
        }
      }
      let (a, b) = (try number(left), try number(right))
      switch operation.apply(a, b) {
      case .success(.integer(let number)): return Literal(.int(number), value.range)
      case .success(.float(let number)): return Literal(.float(number), value.range)
      case .failure(let problem):
        diagnostics.report(.error(problem.message, at: value.range))
        throw Abandon()
      }
    case .identifier(let name):
      switch scope[name] {
      case .constant(let constant): return constant
      case .poisoned: throw Abandon()
      case .tensor:
        diagnostics.report(
          .error(
            "'\(name)' is a tensor; layer arguments must be constants", at: value.range,
            notes: [DiagnosticNote("tensors are passed with '->', as in (\(name), other) -> Add()")]))
        throw Abandon()
      case .layer:
        diagnostics.report(
          .error(
            "'\(name)' is a shared layer; it is called in pipelines ('x -> \(name)()'), not passed as an argument",
            at: value.range))
        throw Abandon()
      case nil:
        return Literal(.symbol(name), value.range)
      }
    }
  }
}
