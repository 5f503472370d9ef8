// Activation layers with arguments of their own: ReLU, LeakyReLU, PReLU, ELU and Softmax.
import DLCIR
import DLCSupport

extension LayerDef {
  static let relu = LayerDef(
    keras: "ReLU",
    arguments: [
      ArgumentSpec("max_value", .float(min: 0, max: nil), default: AttributeValue.none),
      .float("negative_slope", min: 0, default: 0), .float("threshold", default: 0),
    ],
    outputType: { $0.input }, memory: .elementwise
  ).masking(.propagates).traits {
    $0.computesActivation = { attributes in
      guard attributes.number(.negativeSlope) == 0, attributes.number(.threshold) == 0 else { return nil }
      switch attributes.optionalNumber(.maxValue) {
      case nil: return .relu
      case 6: return .relu6
      default: return nil
      }
    }
    $0.elementwise = .unary { attributes in
      [
        .relu(
          maxValue: attributes.optionalNumber(.maxValue), slope: attributes.number(.negativeSlope),
          threshold: attributes.number(.threshold))
      ]
    }
  }.lowered { c in
    c.emit(
      .reluLayer(
        x: c.input(), count: .perExample(c.inputDims.reduce(1, *)),
        maxValue: c.arguments.isNone(.maxValue) ? .infinity : Float(c.arguments.double(.maxValue)),
        slope: Float(c.arguments.double(.negativeSlope)), threshold: Float(c.arguments.double(.threshold)),
        y: c.output()))
  }

  static let leakyRelu = LayerDef(
    keras: "LeakyReLU",
    arguments: [
      .float("negative_slope", min: 0, default: 0.3),
      // Keras 2's name for negative_slope, still accepted by Keras 3 (and found in Keras 2 files).
      ArgumentSpec("alpha", .float(min: 0), default: AttributeValue.none, positional: false),
    ],
    outputType: { layer in
      if !layer.isNone(.alpha) && layer.double(.negativeSlope) != 0.3 {
        throw Diagnostic.shape("LeakyReLU takes negative_slope= or its old name alpha=, not both", argument: "alpha")
      }
      return layer.input
    }, memory: .elementwise
  ).masking(.propagates).traits {
    $0.computesActivation = { leakySlope($0) == 0.2 ? .leakyRelu : nil }
    $0.elementwise = .unary { [.relu(maxValue: nil, slope: leakySlope($0), threshold: 0)] }
  }.lowered { c in
    c.emit(
      .reluLayer(
        x: c.input(), count: .perExample(c.inputDims.reduce(1, *)), maxValue: .infinity,
        slope: Float(leakySlope(c.node.attributes)), threshold: 0, y: c.output()))
  }

  /// LeakyReLU's slope below zero: `alpha=` where the old name was used, else `negative_slope=`.
  static func leakySlope(_ attributes: Attributes) -> Double {
    attributes["alpha"]?.doubleValue ?? attributes["negative_slope"]?.doubleValue ?? 0.3
  }

  /// A learned slope per element; `shared_axes` (1-based, as in Keras) share one slope along those axes.
  static let prelu = LayerDef(
    keras: "PReLU",
    arguments: ArgumentSpec.trainingOnly("alpha_initializer", "alpha_regularizer", "alpha_constraint")
      + [ArgumentSpec("shared_axes", .axes, default: AttributeValue.none)],
    outputType: { layer in
      for axis in layer.arguments["shared_axes"]?.intsValue ?? [] where axis < 1 || axis > layer.input.dims.count {
        throw Diagnostic.shape(
          "PReLU shared_axes entry \(axis) is out of range for input \(layer.input) (axes 1…\(layer.input.dims.count))",
          argument: "shared_axes")
      }
      return layer.input
    },
    parameters: { layer in
      var shape = layer.input.dims
      for axis in layer.arguments["shared_axes"]?.intsValue ?? [] where axis >= 1 && axis <= shape.count {
        shape[axis - 1] = 1
      }
      return [layer.weight("alpha", shape, initializer: layer.initializer("alpha_initializer", default: "zeros"))]
    }, memory: .elementwise
  ).masking(.propagates).lowered { c in
    // alpha expanded over the shared axes at compile time: one slope per element of an example.
    let dims = c.inputDims
    var alphaDims = dims
    if !c.arguments.isNone(.sharedAxes) { for axis in c.arguments.ints(.sharedAxes) { alphaDims[axis - 1] = 1 } }
    let alpha = try c.values("alpha")
    let strides = broadcastStrides(alphaDims).dropFirst()
    let size = dims.reduce(1, *)
    var expanded = [Float](repeating: 0, count: size)
    for position in 0..<size {
      var remainder = position
      var source = 0
      for (axis, stride) in zip(dims.indices, strides) {
        let extent = dims[(axis + 1)...].reduce(1, *)
        source += (remainder / extent) * stride
        remainder %= extent
      }
      expanded[position] = alpha[source]
    }
    c.emit(.prelu(x: c.input(), size: size, alpha: c.constant(expanded), y: c.output()))
  }

  static let elu = LayerDef(
    keras: "ELU",
    arguments: [.float("alpha", default: 1.0)],
    outputType: { $0.input }, memory: .elementwise
  ).masking(.propagates).traits {
    $0.computesActivation = { $0.number(.alpha, default: 1) == 1 ? .elu : nil }
    $0.elementwise = .unary { [.elu($0.number(.alpha, default: 1))] }
  }.lowered { c in
    c.emit(
      .eluLayer(
        x: c.input(), count: .perExample(c.inputDims.reduce(1, *)), alpha: Float(c.arguments.double(.alpha)),
        y: c.output()))
  }

  static let softmax = LayerDef(
    keras: "Softmax",
    arguments: [ArgumentSpec("axis", .axes, default: .ints([-1]))],
    outputType: { layer in
      for axis in layer.ints(.axis) { _ = try Axis.resolve(axis, rank: layer.input.rank, layer: "Softmax") }
      return layer.input
    }
  ).masking(.unsupported).lowered(scratch: { s in AxisRows(s, axes: s.arguments.ints(.axis)).scratch }) { c in
    AxisRows(c.shapes, axes: c.arguments.ints(.axis)).lower(c) { x, outer, width, inner, y in
      .softmaxAxis(x: x, outer: outer, axis: width, inner: inner, y: y)
    }
  }
}
