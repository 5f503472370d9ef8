// Token and position embeddings.
import DLCIR
import DLCSupport

extension LayerDef {
  /// Looks up each integer token id in a (input_dim, output_dim) table.
  static let embedding = LayerDef(
    keras: "Embedding",
    arguments: [
      .int("input_dim", min: 1), .int("output_dim", min: 1),
    ] + ArgumentSpec.trainingOnly("embeddings_initializer", "embeddings_regularizer", "embeddings_constraint")
      + [.bool("mask_zero", default: false)]
      + ArgumentSpec.trainingOnly("weights", "lora_alpha", "input_length") + [.loraRank],
    inputDType: .int32,
    outputType: { layer in
      TensorType(.float32, layer.input.dims + [layer.int(.outputDim)])
    },
    parameters: { layer in
      [
        layer.weight(
          "embeddings", [layer.int(.inputDim), layer.int(.outputDim)],
          initializer: layer.initializer("embeddings_initializer", default: "uniform"))
      ]
    }
  ).masking(.drops, produces: { $0.bool(.maskZero) ? .nonzeroTokens : nil }).traits {
    $0.tokenVocabulary = { $0["input_dim"]?.intValue }
  }.lowered { c in
    // A checked lookup: an id outside the table fails the call before anything is read.
    c.emit(
      .embedding(
        ids: c.input(), count: .perExample(c.inputDims.reduce(1, *)), table: try c.weight("embeddings"),
        rows: c.arguments.int(.inputDim), width: c.arguments.int(.outputDim), y: c.output()))
  }

  /// keras_hub's PositionEmbedding: a learned (sequence_length, dim) table, sliced to the input's length and
  /// broadcast to its shape (add it to the input with Add()).
  static let positionEmbedding = LayerDef(
    keras: "PositionEmbedding",
    arguments: [.int("sequence_length", min: 1)] + ArgumentSpec.trainingOnly("initializer", "seed"),
    outputType: { layer in
      let x = try layer.input.requireRank(atLeast: 3, for: "PositionEmbedding", "(batch, steps, features)")
      let steps = x.dims[x.dims.count - 2]
      guard steps <= layer.int(.sequenceLength) else {
        throw Diagnostic.shape(
          "PositionEmbedding sequence_length=\(layer.int(.sequenceLength)) is shorter than the input's \(steps) steps \(x)",
          argument: "sequence_length")
      }
      return x
    },
    parameters: { layer in
      [
        layer.weight(
          "embeddings", [layer.int(.sequenceLength), layer.input.last],
          initializer: layer.initializer("initializer", default: "glorot_uniform"))
      ]
    }
  ).lowered { c in
    // The table's first rows, the same for every example.
    let perExample = c.inputDims.reduce(1, *)
    let rows = Array(try c.values("embeddings").prefix(perExample))
    c.emit(
      .repeatRows(
        x: c.constant(rows), examples: .fixed(1), times: .perExample(1), features: perExample, y: c.output()))
  }
}
