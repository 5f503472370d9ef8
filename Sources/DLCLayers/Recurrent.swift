// Recurrent layers: SimpleRNN, LSTM (gates i, f, c, o), GRU (reset_after) and the Bidirectional wrapper.
import DLCIR
import DLCSupport

extension LayerDef {
  static let simpleRNN = recurrent("SimpleRNN", gates: 1, states: 1).masking(
    .consumes(passesOn: { $0.bool(.returnSequences) })
  ).archived(in: ["": "cell"])
  static let lstm = recurrent("LSTM", gates: 4, states: 2).masking(.consumes(passesOn: { $0.bool(.returnSequences) }))
    .archived(in: ["": "cell"])
  static let gru = recurrent("GRU", gates: 3, states: 1).masking(.consumes(passesOn: { $0.bool(.returnSequences) }))
    .archived(in: ["": "cell"])

  /// The recurrent layers share Keras' signature shape; LSTM and GRU add their own arguments in Keras' order.
  static func recurrent(_ keras: String, gates: Int, states: Int) -> LayerDef {
    var arguments: [ArgumentSpec] = [.int("units", min: 1), .activation(default: "tanh")]
    if gates > 1 { arguments.append(.activation("recurrent_activation", default: "sigmoid")) }
    arguments.append(.bool("use_bias", default: true))
    arguments += ArgumentSpec.trainingOnly("kernel_initializer", "recurrent_initializer", "bias_initializer")
    if keras == "LSTM" { arguments.append(.bool("unit_forget_bias", default: true)) }
    arguments += ArgumentSpec.trainingOnly(
      "kernel_regularizer", "recurrent_regularizer", "bias_regularizer", "activity_regularizer", "kernel_constraint",
      "recurrent_constraint", "bias_constraint")
    arguments += [
      .float("dropout", min: 0, max: 1, default: 0), .float("recurrent_dropout", min: 0, max: 1, default: 0),
    ]
    arguments += ArgumentSpec.trainingOnly("seed")
    arguments += [
      .bool("return_sequences", default: false), .bool("return_state", default: false),
      .bool("go_backwards", default: false), .bool("stateful", default: false), .bool("unroll", default: false),
    ]
    if keras == "GRU" { arguments.append(.bool("reset_after", default: true)) }
    if gates > 1 { arguments += ArgumentSpec.trainingOnly("use_cudnn") }

    return LayerDef(
      keras: keras, arity: .one, arguments: arguments,
      outputTypes: { layer in
        let x = try layer.input.requireRank(3, for: keras, "(batch, timesteps, features)")
        if layer.bool(.stateful) {
          throw Diagnostic.shape(
            "\(keras) stateful=true is not supported: dlc runs every call from a zero state", argument: "stateful")
        }
        let units = layer.int(.units)
        let output = layer.bool(.returnSequences) ? x.with(dims: [x.dims[0], units]) : x.with(dims: [units])
        let state = x.with(dims: [units])
        return [output] + (layer.bool(.returnState) ? Array(repeating: state, count: states) : [])
      },
      parameters: { layer in
        let units = layer.int(.units)
        var weights = [
          layer.weight(
            "kernel", [layer.input.last, gates * units],
            initializer: layer.initializer("kernel_initializer", default: "glorot_uniform")),
          layer.weight(
            "recurrent_kernel", [units, gates * units],
            initializer: layer.initializer("recurrent_initializer", default: "orthogonal")),
        ]
        if layer.bool(.useBias) {
          let shape = keras == "GRU" && layer.bool(.resetAfter) ? [2, gates * units] : [gates * units]
          let fallback = keras == "LSTM" && layer.bool(.unitForgetBias) ? "unit_forget_bias" : "zeros"
          weights.append(
            layer.weight("bias", shape, initializer: layer.initializer("bias_initializer", default: fallback)))
        }
        return weights
      },
      macs: { layer, _ in
        let steps = layer.input.dims.first ?? 0
        let units = layer.int(.units)
        // A layer whose input projection was folded into an Embedding table (fold-embedding-projection)
        // multiplies only its states.
        let inputs = InputProjection.isProjected(layer.arguments) ? 0 : layer.input.last
        return Checked.product(steps, inputs + units, gates, units)
      }
    ).traits {
      $0.inputProjection = InputProjection(
        kernel: "kernel", bias: "bias", width: { attributes in attributes["units"]?.intValue.map { gates * $0 } },
        biasKeepsSecondRow: { keras == "GRU" && ($0["reset_after"]?.boolValue ?? true) })
    }.lowered(scratch: { s in
      let cell = RecurrentCell(op: s.node.op, attributes: s.node.attributes)
      return cell.scratch(batch: s.maxBatch, steps: s.input[0]) + 2 * s.maxBatch * cell.units
    }) { c in
      let cell = RecurrentCell(op: c.node.op, attributes: c.node.attributes)
      let returnSequences = cell.arguments.bool(.returnSequences)
      let returnState = cell.arguments.bool(.returnState)
      // The states Keras does not return still need somewhere to live: after the cell's own scratch.
      let own = cell.scratch(batch: c.maxBatch, steps: c.inputDims[0])
      let spareH = c.scratch + own
      let spareC = c.scratch + (own + c.maxBatch * cell.units)
      let h = !returnSequences ? c.output(0) : returnState ? c.output(1) : spareH
      c.emit(
        .recurrent(
          try cell.call(
            c, prefix: "", goBackwards: cell.arguments.bool(.goBackwards), zeroOutputForMask: false,
            sequence: returnSequences ? c.output(0) : .none, h: h,
            state: cell.kind == .lstm ? (returnState ? c.output(2) : spareC) : .none, scratch: c.scratch)))
      if !returnSequences && returnState {
        c.emit(.copy(x: c.output(0), count: .perExample(cell.units), y: c.output(1)))
      }
    }
  }

  static let recurrentLayerNames = ["SimpleRNN", "LSTM", "GRU"]

  /// Runs a recurrent layer forwards and a copy backwards, merging their outputs.
  static let bidirectional = LayerDef(
    keras: "Bidirectional",
    arity: .one,
    arguments: [
      ArgumentSpec("layer", .layer),
      ArgumentSpec("merge_mode", .choice(["concat", "sum", "mul", "ave"]), default: .string("concat"), nullable: true),
      ArgumentSpec("weights", .trainingOnly, default: AttributeValue.none),
      ArgumentSpec("backward_layer", .layer, default: AttributeValue.none),
    ],
    outputTypes: { layer in
      let (forward, backward) = try wrappedPair(layer)
      let forwardTypes = try forward.definition.outputTypes(forward.application)
      let backwardTypes = try backward.definition.outputTypes(backward.application)
      guard forwardTypes == backwardTypes else {
        throw Diagnostic.shape(
          "Bidirectional backward_layer produces \(backwardTypes.map(\.description).joined(separator: ", ")), "
            + "the forward layer \(forwardTypes.map(\.description).joined(separator: ", "))", argument: "backward_layer"
        )
      }
      let sequence = forwardTypes[0]
      let states = Array(forwardTypes.dropFirst())
      let merged: [TensorType]
      switch layer.arguments["merge_mode"]?.stringValue {
      case "concat": merged = [sequence.replacingLast(with: sequence.last * 2)]
      case .some: merged = [sequence]
      case .none: merged = [sequence, sequence]
      }
      return merged + states + states
    },
    parameters: { layer in
      guard let (forward, backward) = try? wrappedPair(layer) else { return [] }
      let prefixed = { (direction: String, part: (definition: LayerDef, application: LayerApplication)) in
        part.definition.parameters(part.application).map { weight -> ParameterSpec in
          var copy = weight
          copy.name = "\(direction)/\(weight.name)"
          copy.trainable = weight.trainable && layer.trainable
          return copy
        }
      }
      return prefixed("forward", forward) + prefixed("backward", backward)
    },
    macs: { layer, _ in
      guard let (forward, backward) = try? wrappedPair(layer) else { return 0 }
      let forwardTypes = (try? forward.definition.outputTypes(forward.application)) ?? []
      let backwardTypes = (try? backward.definition.outputTypes(backward.application)) ?? []
      return Checked.sum(
        forward.definition.macs(forward.application, forwardTypes),
        backward.definition.macs(backward.application, backwardTypes))
    }
  ).masking(
    .consumes(passesOn: { layer in
      bidirectionalDirections(layer.arguments).map {
        LayerApplication(inputs: [], arguments: $0.forward.attributes).bool(.returnSequences)
      } ?? false
    })
  ).archived(in: ["forward": "forward_layer/cell", "backward": "backward_layer/cell"]).lowered(scratch: { s in
    guard let (forward, backward) = RecurrentCell.pair(s.node) else { return 0 }
    let (steps, b, units) = (s.input[0], s.maxBatch, forward.units)
    let sequence = forward.arguments.bool(.returnSequences) ? b * steps * units : 0
    return max(forward.scratch(batch: b, steps: steps), backward.scratch(batch: b, steps: steps))
      + 3 * sequence + 4 * b * units
  }) { c in
    guard let (forward, backward) = RecurrentCell.pair(c.node) else {
      throw c.fail("internal error: \(c.node.name) wraps no recurrent layer")
    }
    let (steps, b, units) = (c.inputDims[0], c.maxBatch, forward.units)
    let returnSequences = forward.arguments.bool(.returnSequences)
    let returnState = forward.arguments.bool(.returnState)
    var offset = max(forward.scratch(batch: b, steps: steps), backward.scratch(batch: b, steps: steps))
    func take(_ floats: Int) -> Operand {
      defer { offset += floats }
      return c.scratch + offset
    }
    let sequenceSize = returnSequences ? b * steps * units : 0
    let (forwardSequence, backwardSequence, reversed) = (take(sequenceSize), take(sequenceSize), take(sequenceSize))
    let (forwardH, forwardC, backwardH, backwardC) = (
      take(b * units), take(b * units), take(b * units), take(b * units)
    )
    c.emit(
      .recurrent(
        try forward.call(
          c, prefix: "forward/", goBackwards: forward.arguments.bool(.goBackwards),
          zeroOutputForMask: returnSequences, sequence: returnSequences ? forwardSequence : .none, h: forwardH,
          state: forward.kind == .lstm ? forwardC : .none, scratch: c.scratch)))
    c.emit(
      .recurrent(
        try backward.call(
          c, prefix: "backward/", goBackwards: backward.arguments.bool(.goBackwards),
          zeroOutputForMask: backward.arguments.bool(.returnSequences),
          sequence: returnSequences ? backwardSequence : .none, h: backwardH,
          state: backward.kind == .lstm ? backwardC : .none, scratch: c.scratch)))
    var (a, bOut) = (forwardH, backwardH)
    var rows = 1
    if returnSequences {
      // Keras flips the backward sequence back into input order before merging.
      c.emit(.reverseSteps(x: backwardSequence, steps: steps, width: units, y: reversed))
      (a, bOut) = (forwardSequence, reversed)
      rows = steps
    }
    let count = Count.perExample(rows * units)
    switch c.node.attributes["merge_mode"]?.stringValue?.lowercased() {
    case "concat":
      c.emit(.copyBlocks(x: a, outer: .perExample(rows), width: units, y: c.output(0), stride: 2 * units))
      c.emit(.copyBlocks(x: bOut, outer: .perExample(rows), width: units, y: c.output(0) + units, stride: 2 * units))
    case "sum": c.emit(.combine(.add, a: a, b: bOut, count: count, activation: .linear, y: c.output(0)))
    case "mul": c.emit(.combine(.multiply, a: a, b: bOut, count: count, activation: .linear, y: c.output(0)))
    case "ave":
      c.emit(.combine(.add, a: a, b: bOut, count: count, activation: .linear, y: c.output(0)))
      c.emit(.affine(x: c.output(0), count: count, scale: 0.5, offset: 0, y: c.output(0)))
    default:
      c.emit(.copy(x: a, count: count, y: c.output(0)))
      c.emit(.copy(x: bOut, count: count, y: c.output(1)))
    }
    if returnState {
      let merged = c.node.attributes["merge_mode"]?.isNone == true ? 2 : 1
      let states = forward.kind == .lstm ? [forwardH, forwardC, backwardH, backwardC] : [forwardH, backwardH]
      for (index, state) in states.enumerated() {
        c.emit(.copy(x: state, count: .perExample(units), y: c.output(merged + index)))
      }
    }
  }

  /// A Bidirectional layer's two directions as Keras builds them: the wrapped layer, and the
  /// `backward_layer` if given, else a copy of the wrapped layer with `go_backwards` flipped.
  /// nil when the attributes hold no wrapped layer.
  public static func bidirectionalDirections(_ attributes: Attributes) -> (
    forward: WrappedLayer, backward: WrappedLayer
  )? {
    guard case .layer(let forward) = attributes["layer"] else { return nil }
    if case .layer(let given) = attributes["backward_layer"] { return (forward, given) }
    var backward = forward
    backward.attributes["go_backwards"] = .bool(!(forward.attributes["go_backwards"]?.boolValue ?? false))
    return (forward, backward)
  }

  /// The forward layer and the backward one, with their definitions.
  static func wrappedPair(_ layer: LayerApplication) throws -> (
    (definition: LayerDef, application: LayerApplication), (definition: LayerDef, application: LayerApplication)
  ) {
    guard let (forward, backward) = bidirectionalDirections(layer.arguments) else {
      throw Diagnostic.shape("Bidirectional needs a recurrent layer", argument: "layer")
    }
    func resolve(_ wrapped: WrappedLayer, argument: String) throws -> (LayerDef, LayerApplication) {
      guard recurrentLayerNames.contains(wrapped.op), let definition = LayerRegistry.standard[wrapped.op] else {
        throw Diagnostic.shape(
          "Bidirectional wraps a recurrent layer (SimpleRNN, LSTM or GRU); got \(wrapped.op)", argument: argument)
      }
      return (definition, LayerApplication(inputs: layer.inputs, arguments: wrapped.attributes))
    }
    let forwardPart = try resolve(forward, argument: "layer")
    let backwardPart = try resolve(backward, argument: "backward_layer")
    return (forwardPart, backwardPart)
  }
}

/// One direction of a recurrent layer, from its (or the wrapped layer's) attributes.
struct RecurrentCell {
  var kind: CellKind
  var arguments: LayerApplication
  var units: Int { arguments.int(.units) }
  var gates: Int { kind == .lstm ? 4 : kind == .gru ? 3 : 1 }
  var resetAfter: Bool { kind == .gru && arguments.bool(.resetAfter) }
  /// Whether the input is already every step's projection, bias included (fold-embedding-projection
  /// put the kernel into the Embedding table before the layer).
  var inputProjected: Bool { InputProjection.isProjected(arguments.arguments) }

  init(op: String, attributes: Attributes) {
    kind = op == "LSTM" ? .lstm : op == "GRU" ? .gru : .simpleRNN
    arguments = LayerApplication(inputs: [], arguments: attributes)
  }

  /// A Bidirectional node's forward and backward cells.
  static func pair(_ node: Node) -> (RecurrentCell, RecurrentCell)? {
    guard let (forward, backward) = LayerDef.bidirectionalDirections(node.attributes) else { return nil }
    return (
      RecurrentCell(op: forward.op, attributes: forward.attributes),
      RecurrentCell(op: backward.op, attributes: backward.attributes)
    )
  }

  func activation(_ key: ArgumentKey<String>, default fallback: Activation) -> Activation {
    Activation.named(arguments.string(key)) ?? fallback
  }

  /// Floats of dlc_recurrent's own scratch: every step's input projection (unless the input is
  /// one), and one step's gates.
  func scratch(batch: Int, steps: Int) -> Int {
    (inputProjected ? 0 : batch * steps * gates * units) + batch * gates * units
  }

  /// The call, with weights under `prefix` (`forward/` in a Bidirectional).
  func call(
    _ c: LoweringContext, prefix: String, goBackwards: Bool, zeroOutputForMask: Bool, sequence: Operand, h: Operand,
    state: Operand, scratch: Operand
  ) throws -> RecurrentCall {
    var bias = Operand.none
    var recurrentBias = Operand.none
    if c.hasWeight(prefix + "bias") {
      // GRU with reset_after keeps the recurrent bias as the second row; a projected input has the
      // input bias in it already.
      let values = try c.values(prefix + "bias")
      let width = gates * units
      if !inputProjected { bias = c.constant(Array(values[0..<width])) }
      if resetAfter { recurrentBias = c.constant(Array(values[width..<(2 * width)])) }
    }
    let recurrentKernel = try c.matrix(prefix + "recurrent_kernel", rows: units, columns: gates * units)
    return RecurrentCall(
      kind: kind, x: c.input(), steps: c.inputDims[0], features: c.inputDims[1], units: units,
      kernel: inputProjected
        ? WeightMatrix(.none, packed: recurrentKernel.packed)
        : try c.matrix(prefix + "kernel", rows: c.inputDims[1], columns: gates * units),
      recurrentKernel: recurrentKernel, bias: bias,
      recurrentBias: recurrentBias, activation: activation(.activation, default: .tanh),
      recurrentActivation: activation(.recurrentActivation, default: .sigmoid), resetAfter: resetAfter,
      goBackwards: goBackwards, mask: c.stepMask, zeroOutputForMask: zeroOutputForMask, sequence: sequence, h: h,
      c: state, scratch: scratch)
  }
}
