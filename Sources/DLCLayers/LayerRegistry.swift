// The one list of layers dlc knows. Adding a layer: define it in its family's file, add one line here.

public struct LayerRegistry {
  /// The layers a .dl file may call.
  public let definitions: [LayerDef]
  /// The ops only passes create (a fused element-wise chain).
  public let passOps: [LayerDef]
  private let byName: [String: LayerDef]
  private let passOpsByName: [String: LayerDef]

  public init(_ definitions: [LayerDef], passOps: [LayerDef] = [.elementwiseChain]) {
    self.definitions = definitions
    self.passOps = passOps
    self.byName = Dictionary(definitions.map { ($0.keras, $0) }, uniquingKeysWith: { first, _ in first })
    self.passOpsByName = Dictionary(passOps.map { ($0.keras, $0) }, uniquingKeysWith: { first, _ in first })
  }

  /// A layer a .dl file may call, by its Keras class name.
  public subscript(keras: String) -> LayerDef? { byName[keras] }

  /// What describes a node's op: its layer, or the pass op.
  public func definition(ofOp op: String) -> LayerDef? { byName[op] ?? passOpsByName[op] }

  public var names: [String] { definitions.map(\.keras) }

  public static let standard = LayerRegistry([
    // Core
    .dense, .activation, .flatten, .reshape, .permute, .repeatVector, .rescaling, .maskingLayer, .layerScale,
    // Inference-time identities
    .dropout, .spatialDropout1D, .spatialDropout2D, .gaussianNoise, .gaussianDropout,
    // Convolution
    .conv1D, .conv2D, .conv1DTranspose, .conv2DTranspose, .depthwiseConv2D, .separableConv2D,
    // Pooling
    .maxPooling1D, .maxPooling2D, .averagePooling1D, .averagePooling2D,
    .globalMaxPooling1D, .globalMaxPooling2D, .globalAveragePooling1D, .globalAveragePooling2D,
    // Resizing
    .upSampling1D, .upSampling2D, .zeroPadding1D, .zeroPadding2D, .cropping1D, .cropping2D,
    // Normalization
    .batchNormalization, .layerNormalization, .groupNormalization, .unitNormalization, .normalization,
    // Embeddings
    .embedding, .positionEmbedding, .tokenAndPositionEmbedding,
    // Recurrent
    .simpleRNN, .lstm, .gru, .bidirectional,
    // Attention
    .multiHeadAttention,
    // Merge
    .add, .subtract, .multiply, .trueDivide, .average, .maximum, .minimum, .concatenate, .dot,
    // Activation layers
    .relu, .leakyRelu, .prelu, .elu, .softmax,
  ])
}
