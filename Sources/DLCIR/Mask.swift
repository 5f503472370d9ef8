// Keras masks: which steps of a sequence are padding. A mask is never a tensor of its own here; a
// layer that reads one (an RNN, GlobalAveragePooling1D) takes the tensor the mask is computed from
// as its last input, and `mask` among its attributes says how to compute it.

/// How a step's mask is computed from the mask's source tensor.
public enum MaskRule: Hashable, Sendable {
  /// `Embedding(mask_zero=true)`: the source is the token ids; a step is kept where its id is not 0.
  case nonzeroTokens
  /// `Masking(mask_value)`: the source is (batch, steps, features); a step is kept where any feature differs.
  case notEqual(Double)

  /// The attribute value that records the rule on the consuming node.
  public var attribute: AttributeValue {
    switch self {
    case .nonzeroTokens: return .string("nonzero_tokens")
    case .notEqual(let value): return .float(value)
    }
  }

  init?(_ attribute: AttributeValue?) {
    switch attribute {
    case .string("nonzero_tokens"): self = .nonzeroTokens
    case .float(let value): self = .notEqual(value)
    default: return nil
    }
  }
}

extension Node {
  public static let maskAttribute = "mask"

  /// The rule of the mask this node reads, whose source is its last input; nil when it reads none.
  public var maskRule: MaskRule? { MaskRule(attributes[Self.maskAttribute]) }

  /// The inputs the layer computes on, without the mask's source.
  public var dataInputs: [ValueRef] { maskRule == nil ? inputs : Array(inputs.dropLast()) }

  /// The tensor the mask is computed from, when the node reads a mask.
  public var maskSource: ValueRef? { maskRule == nil ? nil : inputs.last }

  /// The layer that started the mask the node reads (an Embedding, a Masking layer): Keras'
  /// functional summaries show the operation computing it as a row of its own.
  public static let maskOriginAttribute = "mask_from"

  public static let maskedInputsAttribute = "masked_inputs"

  /// Which data inputs carried the mask (attention tells query masks from key masks); [0] unless recorded.
  public var maskedInputs: [Int] { attributes[Self.maskedInputsAttribute]?.intsValue ?? [0] }
}
