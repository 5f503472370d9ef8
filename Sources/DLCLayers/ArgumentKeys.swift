// The names of the layer arguments dlc's own code reads, typed: a layer reads `layer.int(.units)`,
// so a misspelled or mistyped key does not compile (it used to read as 0). Each name here is
// declared by some layer's schema (`LayerRegistryTests` checks), and the schema decides how the
// value a user wrote is checked and converted.

/// An argument name and the type its value is read as.
public struct ArgumentKey<Value>: Sendable {
  public let name: String

  init(_ name: String) { self.name = name }
}

extension ArgumentKey where Value == Int {
  public static let axis = ArgumentKey("axis")
  public static let depthMultiplier = ArgumentKey("depth_multiplier")
  public static let embeddingDim = ArgumentKey("embedding_dim")
  public static let filters = ArgumentKey("filters")
  public static let groups = ArgumentKey("groups")
  public static let inputDim = ArgumentKey("input_dim")
  public static let keyDim = ArgumentKey("key_dim")
  public static let n = ArgumentKey("n")
  public static let numHeads = ArgumentKey("num_heads")
  public static let outputDim = ArgumentKey("output_dim")
  public static let projectionDim = ArgumentKey("projection_dim")
  public static let sequenceLength = ArgumentKey("sequence_length")
  public static let size = ArgumentKey("size")
  public static let units = ArgumentKey("units")
  public static let vocabularySize = ArgumentKey("vocabulary_size")
  public static let valueDim = ArgumentKey("value_dim")
}

extension ArgumentKey where Value == [Int] {
  public static let attentionAxes = ArgumentKey("attention_axes")
  public static let axes = ArgumentKey("axes")
  public static let axis = ArgumentKey("axis")
  public static let cropping = ArgumentKey("cropping")
  public static let dilationRate = ArgumentKey("dilation_rate")
  public static let dims = ArgumentKey("dims")
  public static let kernelSize = ArgumentKey("kernel_size")
  public static let outputPadding = ArgumentKey("output_padding")
  public static let outputShape = ArgumentKey("output_shape")
  public static let padding = ArgumentKey("padding")
  public static let poolSize = ArgumentKey("pool_size")
  public static let sharedAxes = ArgumentKey("shared_axes")
  public static let size = ArgumentKey("size")
  public static let strides = ArgumentKey("strides")
  public static let targetShape = ArgumentKey("target_shape")
}

extension ArgumentKey where Value == Double {
  public static let alpha = ArgumentKey("alpha")
  public static let constant = ArgumentKey("constant")
  public static let initValues = ArgumentKey("init_values")
  public static let epsilon = ArgumentKey("epsilon")
  public static let maskValue = ArgumentKey("mask_value")
  public static let maxValue = ArgumentKey("max_value")
  public static let negativeSlope = ArgumentKey("negative_slope")
  public static let offset = ArgumentKey("offset")
  public static let scale = ArgumentKey("scale")
  public static let threshold = ArgumentKey("threshold")
}

extension ArgumentKey where Value == [Double] {
  public static let mean = ArgumentKey("mean")
  public static let variance = ArgumentKey("variance")
}

extension ArgumentKey where Value == Bool {
  public static let constantFirst = ArgumentKey("constant_first")
  public static let center = ArgumentKey("center")
  public static let goBackwards = ArgumentKey("go_backwards")
  public static let invert = ArgumentKey("invert")
  public static let keepdims = ArgumentKey("keepdims")
  public static let maskZero = ArgumentKey("mask_zero")
  public static let normalize = ArgumentKey("normalize")
  public static let resetAfter = ArgumentKey("reset_after")
  public static let returnSequences = ArgumentKey("return_sequences")
  public static let returnState = ArgumentKey("return_state")
  public static let rmsScaling = ArgumentKey("rms_scaling")
  public static let scale = ArgumentKey("scale")
  public static let stateful = ArgumentKey("stateful")
  public static let unitForgetBias = ArgumentKey("unit_forget_bias")
  public static let useBias = ArgumentKey("use_bias")
  public static let useCausalMask = ArgumentKey("use_causal_mask")
}

extension ArgumentKey where Value == String {
  public static let activation = ArgumentKey("activation")
  public static let recurrentActivation = ArgumentKey("recurrent_activation")
  public static let interpolation = ArgumentKey("interpolation")
  public static let padding = ArgumentKey("padding")
}

/// Attributes the passes add to a layer beyond its Keras arguments, typed like them.
public enum PassAttribute {
  /// fold-zero-padding: zeros a convolution reads past its input's edges (top, bottom, left, right).
  public static let explicitPadding = ArgumentKey<[Int]>("explicit_padding")
  /// fuse-elementwise-chains: an ElementwiseChain's per-element program, one step per string.
  public static let steps = ArgumentKey<[String]>("steps")
  /// fold-embedding-projection: the layer's input is already every row's input projection, bias
  /// included, and the layer has no input kernel (`InputProjection`).
  public static let inputProjected = ArgumentKey<Bool>("input_projected")
}
