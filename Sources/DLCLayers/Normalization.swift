// BatchNormalization (inference: moving statistics) and LayerNormalization.
import DLCIR
import DLCSupport

extension LayerDef {
  static let batchNormalization = LayerDef(
    keras: "BatchNormalization",
    arguments: [
      .int("axis", default: -1), .float("momentum", min: 0, max: 1, default: 0.99),
      .float("epsilon", min: 0, default: 1e-3),
      .bool("center", default: true), .bool("scale", default: true),
    ]
      + ArgumentSpec.trainingOnly(
        "beta_initializer", "gamma_initializer", "moving_mean_initializer", "moving_variance_initializer",
        "beta_regularizer", "gamma_regularizer", "beta_constraint", "gamma_constraint", "synchronized"),
    outputType: { layer in
      _ = try Axis.resolve(layer.int("axis"), rank: layer.input.rank, layer: "BatchNormalization")
      return layer.input
    },
    parameters: { layer in
      let axis = (try? Axis.resolve(layer.int("axis"), rank: layer.input.rank, layer: "")) ?? 0
      let channels = [layer.input.dims[axis]]
      var weights: [ParameterSpec] = []
      if layer.bool("scale") {
        weights.append(
          layer.weight("gamma", channels, initializer: layer.initializer("gamma_initializer", default: "ones")))
      }
      if layer.bool("center") {
        weights.append(
          layer.weight("beta", channels, initializer: layer.initializer("beta_initializer", default: "zeros")))
      }
      weights.append(
        layer.weight(
          "moving_mean", channels, initializer: layer.initializer("moving_mean_initializer", default: "zeros"),
          trainable: false))
      weights.append(
        layer.weight(
          "moving_variance", channels,
          initializer: layer.initializer("moving_variance_initializer", default: "ones"), trainable: false))
      return weights
    },
    macs: { _, outputs in outputs.first?.elementCount ?? 0 }, memory: .elementwise
  ).masking(.propagates).traits {
    $0.activationEpilogue = true
    $0.foldsIntoLinearProducer = true
  }

  /// Normalizes over `axis` (one axis or several); gamma and beta have the normalized axes' shape.
  static let layerNormalization = LayerDef(
    keras: "LayerNormalization",
    arguments: [
      ArgumentSpec("axis", .axes, default: .ints([-1])), .float("epsilon", min: 0, default: 1e-3),
      .bool("center", default: true), .bool("scale", default: true), .bool("rms_scaling", default: false),
    ]
      + ArgumentSpec.trainingOnly(
        "beta_initializer", "gamma_initializer", "beta_regularizer", "gamma_regularizer", "beta_constraint",
        "gamma_constraint"),
    outputType: { layer in
      let axes = try layer.ints("axis").map {
        try Axis.resolve($0, rank: layer.input.rank, layer: "LayerNormalization")
      }
      guard Set(axes).count == axes.count else {
        throw Diagnostic.shape("LayerNormalization axis lists an axis twice", argument: "axis")
      }
      return layer.input
    },
    parameters: { layer in
      let axes = layer.ints("axis").compactMap { try? Axis.resolve($0, rank: layer.input.rank, layer: "") }.sorted()
      let shape = axes.map { layer.input.dims[$0] }
      var weights: [ParameterSpec] = []
      if layer.bool("scale") || layer.bool("rms_scaling") {
        weights.append(
          layer.weight("gamma", shape, initializer: layer.initializer("gamma_initializer", default: "ones")))
      }
      if layer.bool("center") && !layer.bool("rms_scaling") {
        weights.append(
          layer.weight("beta", shape, initializer: layer.initializer("beta_initializer", default: "zeros")))
      }
      return weights
    },
    macs: { _, outputs in outputs.first?.elementCount ?? 0 }
  ).masking(.propagates)
}
