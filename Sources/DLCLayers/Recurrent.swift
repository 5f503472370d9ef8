// Recurrent layers: SimpleRNN, LSTM (gates i, f, c, o), GRU (reset_after) and the Bidirectional wrapper.
import DLCIR
import DLCSupport

extension LayerDef {
  static let simpleRNN = recurrent("SimpleRNN", gates: 1, states: 1).masking(
    .consumes(passesOn: { $0.bool("return_sequences") }))
  static let lstm = recurrent("LSTM", gates: 4, states: 2).masking(.consumes(passesOn: { $0.bool("return_sequences") }))
  static let gru = recurrent("GRU", gates: 3, states: 1).masking(.consumes(passesOn: { $0.bool("return_sequences") }))

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
        if layer.bool("stateful") {
          throw Diagnostic.shape(
            "\(keras) stateful=true is not supported: dlc runs every call from a zero state", argument: "stateful")
        }
        let units = layer.int("units")
        let output = layer.bool("return_sequences") ? x.with(dims: [x.dims[0], units]) : x.with(dims: [units])
        let state = x.with(dims: [units])
        return [output] + (layer.bool("return_state") ? Array(repeating: state, count: states) : [])
      },
      parameters: { layer in
        let units = layer.int("units")
        var weights = [
          layer.weight(
            "kernel", [layer.input.last, gates * units],
            initializer: layer.initializer("kernel_initializer", default: "glorot_uniform")),
          layer.weight(
            "recurrent_kernel", [units, gates * units],
            initializer: layer.initializer("recurrent_initializer", default: "orthogonal")),
        ]
        if layer.bool("use_bias") {
          let shape = keras == "GRU" && layer.bool("reset_after") ? [2, gates * units] : [gates * units]
          let fallback = keras == "LSTM" && layer.bool("unit_forget_bias") ? "unit_forget_bias" : "zeros"
          weights.append(
            layer.weight("bias", shape, initializer: layer.initializer("bias_initializer", default: fallback)))
        }
        return weights
      },
      macs: { layer, _ in
        let steps = layer.input.dims.first ?? 0
        let units = layer.int("units")
        return Checked.product(steps, layer.input.last + units, gates, units)
      })
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
        LayerApplication(inputs: [], arguments: $0.forward.attributes).bool("return_sequences")
      } ?? false
    }))

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
