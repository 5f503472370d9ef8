// The registry itself: tier-1 coverage, Keras naming, activations, argument schemas.
import DLCIR
import DLCLayers
import DLCTestSupport
import XCTest

final class LayerRegistryTests: XCTestCase {
  /// Spec §1, tier 1.
  static let tierOne = [
    "Dense", "Activation", "Flatten", "Reshape", "Permute", "RepeatVector", "Dropout", "SpatialDropout1D",
    "SpatialDropout2D", "GaussianNoise", "GaussianDropout", "Conv1D", "Conv2D", "Conv2DTranspose", "DepthwiseConv2D",
    "SeparableConv2D", "MaxPooling1D", "MaxPooling2D", "AveragePooling1D", "AveragePooling2D", "GlobalMaxPooling1D",
    "GlobalMaxPooling2D", "GlobalAveragePooling1D", "GlobalAveragePooling2D", "UpSampling1D", "UpSampling2D",
    "ZeroPadding1D", "ZeroPadding2D", "Cropping1D", "Cropping2D", "BatchNormalization", "LayerNormalization",
    "Embedding", "SimpleRNN", "LSTM", "GRU", "Bidirectional", "MultiHeadAttention", "Add", "Subtract", "Multiply",
    "Average", "Maximum", "Minimum", "Concatenate", "Dot", "ReLU", "LeakyReLU", "PReLU", "ELU", "Softmax",
    "Rescaling", "PositionEmbedding",
  ]

  func testTierOneLayersAreRegistered() {
    for name in Self.tierOne {
      XCTAssertNotNil(LayerRegistry.standard[name], "\(name) is missing from the registry")
    }
    XCTAssertEqual(Set(LayerRegistry.standard.names).count, LayerRegistry.standard.names.count, "duplicate layer")
  }

  /// Traits the passes rely on agree with the rest of each layer's definition, so a layer that declares
  /// one wrongly is caught here rather than by a wrong optimized answer.
  func testTraitsAgreeWithTheDefinitions() {
    var declared: [String: [String]] = [:]
    for name in LayerRegistry.standard.names {
      guard let layer = LayerRegistry.standard[name] else { continue }
      let traits = layer.traits
      func note(_ trait: String) { declared[trait, default: []].append(name) }
      if traits.inferenceIdentity {
        note("inferenceIdentity")
        XCTAssertEqual(layer.memory, .viewOfInput, "\(name): an inference identity is a view of its input")
      }
      if traits.elementwise != nil {
        note("elementwise")
        XCTAssertEqual(layer.memory, .elementwise, "\(name): a chain link must be element-wise for the planner too")
      }
      if traits.computesActivation != nil {
        note("computesActivation")
        XCTAssertNotNil(traits.elementwise, "\(name): an activation layer is an element-wise link too")
      }
      if traits.foldsAsPadding {
        note("foldsAsPadding")
        XCTAssertTrue(
          layer.arguments.contains { $0.name == "padding" }, "\(name): folded padding is read from `padding`")
      }
      if traits.acceptsFoldedPadding {
        note("acceptsFoldedPadding")
        XCTAssertTrue(
          layer.arguments.contains { $0.name == "padding" && $0.defaultValue == .string("valid") },
          "\(name): only a valid convolution takes folded padding")
      }
      if let kernel = traits.perChannelLinearKernel {
        note("perChannelLinearKernel")
        XCTAssertTrue(traits.activationEpilogue, "\(name): the fold needs the producer's activation to be linear")
        XCTAssertTrue(layer.arguments.contains { $0.name == "use_bias" }, "\(name): the fold adds a bias")
        XCTAssertTrue(["kernel", "pointwise_kernel"].contains(kernel), name)
      }
      if traits.activationEpilogue {
        note("activationEpilogue")
        XCTAssertTrue(
          layer.arguments.contains { $0.name == "activation" } || traits.elementwise != nil
            || traits.foldsIntoLinearProducer,
          "\(name): an epilogue applies the `activation` attribute")
      }
      if let lookup = traits.rowLookup {
        note("rowLookup")
        XCTAssertNotNil(traits.tokenVocabulary, "\(name): a row lookup's rows are its vocabulary")
        XCTAssertTrue(layer.arguments.contains { $0.name == lookup.widthArgument }, "\(name): the width is an argument")
      }
      if let projection = traits.inputProjection {
        note("inputProjection")
        var arguments = Attributes()
        for spec in layer.arguments { arguments[spec.name] = spec.defaultValue }
        arguments["units"] = .int(3)
        let application = LayerApplication(inputs: [TensorType(.float32, [5, 7])], arguments: arguments)
        let kernel = layer.parameters(application).first { $0.name == projection.kernel }
        XCTAssertEqual(kernel?.shape.first, 7, "\(name): the kernel multiplies the input's features")
        XCTAssertEqual(kernel?.shape.last, projection.width(application.arguments), "\(name): the projected width")
      }
      if traits.foldsIntoLinearProducer { note("foldsIntoLinearProducer") }
      if traits.concatenates { note("concatenates") }
    }
    // What the passes and the planner act on today (a layer added with a trait shows up here).
    XCTAssertEqual(
      declared["inferenceIdentity"]?.sorted(),
      ["Dropout", "GaussianDropout", "GaussianNoise", "SpatialDropout1D", "SpatialDropout2D"])
    XCTAssertEqual(declared["foldsAsPadding"]?.sorted(), ["ZeroPadding1D", "ZeroPadding2D"])
    XCTAssertEqual(
      declared["acceptsFoldedPadding"]?.sorted(), ["Conv1D", "Conv2D", "DepthwiseConv2D", "SeparableConv2D"])
    XCTAssertEqual(
      declared["perChannelLinearKernel"]?.sorted(), ["Conv1D", "Conv2D", "Dense", "DepthwiseConv2D", "SeparableConv2D"])
    XCTAssertEqual(declared["foldsIntoLinearProducer"], ["BatchNormalization"])
    XCTAssertEqual(declared["concatenates"], ["Concatenate"])
    XCTAssertEqual(declared["rowLookup"], ["Embedding"])
    XCTAssertEqual(declared["inputProjection"]?.sorted(), ["GRU", "LSTM", "SimpleRNN"])
    XCTAssertEqual(
      declared["elementwise"]?.sorted(),
      [
        "Activation", "Add", "Average", "ELU", "LeakyReLU", "Maximum", "Minimum", "Multiply", "ReLU", "Rescaling",
        "Subtract", "TrueDivide",
      ])
  }

  /// Reads go through typed keys (`layer.int(.units)`), so a misspelled key does not compile; a
  /// key itself must name an argument some layer declares, or it would read nothing.
  func testEveryArgumentKeyIsDeclaredByALayer() throws {
    let text = try String(
      contentsOf: TestPaths.repository.appendingPathComponent("Sources/DLCLayers/ArgumentKeys.swift"), encoding: .utf8)
    let keys = text.components(separatedBy: "ArgumentKey(\"").dropFirst().compactMap {
      $0.split(separator: "\"").first.map(String.init)
    }
    XCTAssertGreaterThan(keys.count, 40)
    let registry = LayerRegistry.standard
    let declared = Set((registry.definitions + registry.passOps).flatMap { $0.arguments.map(\.name) })
    for key in keys { XCTAssertTrue(declared.contains(key), "ArgumentKey \(key) is no layer's argument") }
  }

  func testSnakeCaseMatchesKeras() {
    let expected = [
      "Conv2D": "conv2d", "MaxPooling2D": "max_pooling2d", "Conv2DTranspose": "conv2d_transpose", "ReLU": "re_lu",
      "PReLU": "p_re_lu", "LeakyReLU": "leaky_re_lu", "ELU": "elu", "LSTM": "lstm", "SimpleRNN": "simple_rnn",
      "MultiHeadAttention": "multi_head_attention", "GlobalAveragePooling1D": "global_average_pooling1d",
      "SpatialDropout2D": "spatial_dropout2d", "DepthwiseConv2D": "depthwise_conv2d", "Cropping2D": "cropping2d",
      "UpSampling1D": "up_sampling1d", "BatchNormalization": "batch_normalization", "GRU": "gru",
      "PositionEmbedding": "position_embedding", "RepeatVector": "repeat_vector",
    ]
    for (keras, snake) in expected {
      XCTAssertEqual(snakeCase(keras), snake, keras)
    }
  }

  func testActivationsOfTheSpecAndAliases() {
    let names = [
      "linear", "relu", "relu6", "leaky_relu", "elu", "selu", "gelu", "sigmoid", "hard_sigmoid", "tanh", "softmax",
      "log_softmax", "softplus", "softsign", "silu", "mish", "exponential", "hard_silu",
    ]
    for name in names { XCTAssertEqual(Activation.named(name)?.rawValue, name) }
    XCTAssertEqual(Activation.named("swish"), .silu)
    XCTAssertEqual(Activation.named("hard_swish"), .hardSilu)
    XCTAssertEqual(Activation.named("ReLU"), .relu)
    XCTAssertNil(Activation.named("rleu"))
  }

  func testArgumentSchemasKeepKerasPositionalOrder() {
    let conv = LayerRegistry.standard["Conv2D"]!.arguments.filter(\.positional).map(\.name)
    XCTAssertEqual(Array(conv.prefix(4)), ["filters", "kernel_size", "strides", "padding"])
    let dense = LayerRegistry.standard["Dense"]!.arguments.filter(\.positional).map(\.name)
    XCTAssertEqual(Array(dense.prefix(3)), ["units", "activation", "use_bias"])
    for definition in LayerRegistry.standard.definitions {
      let names = definition.arguments.map(\.name)
      XCTAssertEqual(Set(names).count, names.count, "\(definition.keras) declares an argument twice")
      XCTAssertTrue(names.contains("name"), "\(definition.keras) does not accept name=")
    }
  }

  func testWindowArithmeticFollowsKeras() {
    func conv(_ length: Int, _ kernel: Int, _ stride: Int, _ padding: String, dilation: Int = 1) -> Int? {
      let definition = LayerRegistry.standard["Conv1D"]!
      var attributes = Attributes()
      attributes["filters"] = .int(1)
      attributes["kernel_size"] = .ints([kernel])
      attributes["strides"] = .ints([stride])
      attributes["padding"] = .string(padding)
      attributes["dilation_rate"] = .ints([dilation])
      attributes["groups"] = .int(1)
      let application = LayerApplication(inputs: [TensorType(.float32, [length, 1])], arguments: attributes)
      return (try? definition.outputTypes(application))?.first?.dims.first
    }
    XCTAssertEqual(conv(200, 7, 3, "valid"), 65)
    XCTAssertEqual(conv(65, 7, 3, "valid"), 20)
    XCTAssertEqual(conv(10, 3, 2, "same"), 5)
    XCTAssertEqual(conv(11, 3, 2, "same"), 6)
    XCTAssertEqual(conv(10, 3, 1, "causal", dilation: 4), 10)
    XCTAssertEqual(conv(9, 3, 1, "valid", dilation: 4), 1)
    XCTAssertNil(conv(8, 3, 1, "valid", dilation: 4), "a dilated kernel spanning 9 does not fit 8")
  }
}
