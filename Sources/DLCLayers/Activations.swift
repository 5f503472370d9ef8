// The activation functions accepted by `activation=` and `Activation(...)`, with Keras' names and aliases.

public enum Activation: String, CaseIterable, Sendable {
  case linear, relu, relu6
  case leakyRelu = "leaky_relu"
  case elu, selu, gelu, sigmoid
  case hardSigmoid = "hard_sigmoid"
  case tanh, softmax
  case logSoftmax = "log_softmax"
  case softplus, softsign, silu, mish, exponential
  /// x · hard_sigmoid(x), Keras 3's (MobileNetV3's hard swish).
  case hardSilu = "hard_silu"

  /// Other spellings Keras accepts for the same function.
  static let aliases: [String: Activation] = ["swish": .silu, "hard_swish": .hardSilu, "none": .linear]

  public static func named(_ name: String) -> Activation? {
    let lowered = name.lowercased()
    return Activation(rawValue: lowered) ?? aliases[lowered]
  }

  public static var allNames: [String] { allCases.map(\.rawValue) + aliases.keys.sorted() }

  /// Whether the function mixes elements along the last axis (so it cannot be fused elementwise).
  public var isAxiswise: Bool { self == .softmax || self == .logSoftmax }
}
