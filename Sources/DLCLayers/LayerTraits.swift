// What the passes and the memory planner may do with a layer. Each layer declares its traits beside
// its shape rule, and the passes ask them instead of knowing layers by name, so a new layer that
// shares a trait is optimized like the others, and one that lacks it is left alone.
import DLCIR

public struct LayerTraits {
  /// The output is the input at inference (dropout and noise layers): remove-inference-identities
  /// drops the layer.
  public var inferenceIdentity = false
  /// Zero padding that a following valid convolution can read as its own `explicit_padding`
  /// (fold-zero-padding); the `padding` attribute holds the amounts.
  public var foldsAsPadding = false
  /// A convolution that can read zeros past its input's edges (`explicit_padding`) when it is
  /// "valid": a padding layer before it folds in.
  public var acceptsFoldedPadding = false
  /// Linear in its input, with this kernel's last axis the output channel and a `bias` of that
  /// length: a per-channel scale and shift after it folds into the kernel and bias.
  public var perChannelLinearKernel: String?
  /// A per-channel scale and shift at inference (BatchNormalization) that fold-batch-normalization
  /// moves into a `perChannelLinearKernel` producer.
  public var foldsIntoLinearProducer = false
  /// Both backends apply the `activation` attribute as they write the result (a GEMM's bias
  /// epilogue, a merge's loop), so fuse-activations can give it one.
  public var activationEpilogue = false
  /// The `activation=` function this layer computes with these attributes, when it is one
  /// (Activation, ReLU without a slope, ...): fuse-activations moves it into its producer.
  public var computesActivation: ((Attributes) -> Activation?)?
  /// How the layer is a link of a fused element-wise chain, if it can be one.
  public var elementwise: ElementwiseLink?
  /// Concatenation along an axis: the planner may have producers write straight into its slices.
  public var concatenates = false
  /// A lookup of token ids: how many ids it accepts with these attributes (an embedding table's
  /// rows), so random inputs for the model stay valid.
  public var tokenVocabulary: ((Attributes) -> Int?)?
  /// A lookup of whole rows of a weight table (an Embedding's): a reader's input projection can be
  /// taken in the table instead (fold-embedding-projection).
  public var rowLookup: RowLookup?
  /// The layer's first step multiplies every row of its input by a kernel and adds a bias (a
  /// recurrent layer's input projection), which fold-embedding-projection can take into a
  /// `rowLookup` table the rows come from.
  public var inputProjection: InputProjection?

  /// No traits: what a pass may assume of an op it does not know.
  public init() {}
}

/// Where a row lookup's table and its width are.
public struct RowLookup {
  /// The weight: one row per id (`tokenVocabulary` rows), `widthArgument` floats each.
  public var table: String
  public var widthArgument: String

  public init(table: String, widthArgument: String) {
    self.table = table
    self.widthArgument = widthArgument
  }
}

/// A layer's input projection: input rows times `kernel` (features × width) plus `bias`.
public struct InputProjection {
  public var kernel: String
  public var bias: String
  /// The kernel's columns with these attributes.
  public var width: (Attributes) -> Int?
  /// Whether the bias holds a second row the layer adds itself (GRU's recurrent bias with
  /// reset_after), which stays in the layer when the first moves into the table.
  public var biasKeepsSecondRow: (Attributes) -> Bool

  public init(
    kernel: String, bias: String, width: @escaping (Attributes) -> Int?,
    biasKeepsSecondRow: @escaping (Attributes) -> Bool
  ) {
    self.kernel = kernel
    self.bias = bias
    self.width = width
    self.biasKeepsSecondRow = biasKeepsSecondRow
  }

  /// Whether a node's input was projected for it (`PassAttribute.inputProjected`).
  public static func isProjected(_ attributes: Attributes) -> Bool {
    attributes[PassAttribute.inputProjected.name]?.boolValue == true
  }
}

/// How a layer takes part in an element-wise chain (fuse-elementwise-chains).
public enum ElementwiseLink {
  /// A merge of same-shape inputs combined with `combine`, in order; `averages` divides by the count.
  case merge(ElementwiseStep.Combine, averages: Bool)
  /// A one-input layer and the steps it applies with these attributes; nil when these attributes
  /// make it something a chain cannot hold (a softmax).
  case unary((Attributes) -> [ElementwiseStep]?)
}

extension LayerDef {
  /// The same layer with its traits changed by `update`.
  public func traits(_ update: (inout LayerTraits) -> Void) -> LayerDef {
    var copy = self
    update(&copy.traits)
    return copy
  }
}

extension Node {
  /// What the node's layer lets passes and the planner do; nothing for ops no layer describes.
  public var traits: LayerTraits { LayerRegistry.standard.definition(ofOp: op)?.traits ?? LayerTraits() }
}

extension Attributes {
  /// A number attribute, `fallback` when absent (elaboration binds every default, passes may not).
  func number(_ key: ArgumentKey<Double>, default fallback: Double = 0) -> Double {
    self[key.name]?.doubleValue ?? fallback
  }

  /// A number attribute that may be `none`.
  func optionalNumber(_ key: ArgumentKey<Double>) -> Double? {
    self[key.name].flatMap { $0.isNone ? nil : $0.doubleValue }
  }
}
