// The one list of layers dlc knows. Adding a layer: define it in its family's file, add one line here.

public struct LayerRegistry {
  public let definitions: [LayerDef]
  private let byName: [String: LayerDef]

  public init(_ definitions: [LayerDef]) {
    self.definitions = definitions
    self.byName = Dictionary(definitions.map { ($0.keras, $0) }, uniquingKeysWith: { first, _ in first })
  }

  public subscript(keras: String) -> LayerDef? { byName[keras] }

  public var names: [String] { definitions.map(\.keras) }

  public static let standard = LayerRegistry([
    // Core
    .dense, .activation, .flatten, .reshape, .permute, .repeatVector, .rescaling, .maskingLayer,
    // Inference-time identities
    .dropout, .spatialDropout1D, .spatialDropout2D, .gaussianNoise, .gaussianDropout,
    // Convolution
    .conv1D, .conv2D, .conv2DTranspose, .depthwiseConv2D, .separableConv2D,
    // Pooling
    .maxPooling1D, .maxPooling2D, .averagePooling1D, .averagePooling2D,
    .globalMaxPooling1D, .globalMaxPooling2D, .globalAveragePooling1D, .globalAveragePooling2D,
    // Resizing
    .upSampling1D, .upSampling2D, .zeroPadding1D, .zeroPadding2D, .cropping1D, .cropping2D,
    // Normalization
    .batchNormalization, .layerNormalization,
    // Embeddings
    .embedding, .positionEmbedding,
    // Recurrent
    .simpleRNN, .lstm, .gru, .bidirectional,
    // Attention
    .multiHeadAttention,
    // Merge
    .add, .subtract, .multiply, .average, .maximum, .minimum, .concatenate, .dot,
    // Activation layers
    .relu, .leakyRelu, .prelu, .elu, .softmax,
  ])
}
