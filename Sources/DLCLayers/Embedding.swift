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
  ).masking(.drops, produces: { $0.bool(.maskZero) ? .nonzeroTokens : nil }, recordedAs: "NotEqual").traits {
    $0.tokenVocabulary = { $0["input_dim"]?.intValue }
    $0.rowLookup = RowLookup(table: "embeddings", widthArgument: "output_dim")
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

  /// keras_hub's TokenAndPositionEmbedding: each token's row of a (vocabulary_size, embedding_dim)
  /// table plus its position's row of a (sequence_length, embedding_dim) table.
  static let tokenAndPositionEmbedding = LayerDef(
    keras: "TokenAndPositionEmbedding",
    arguments: [
      .int("vocabulary_size", min: 1), .int("sequence_length", min: 1), .int("embedding_dim", min: 1),
      // Ties the token table to an output projection (ReversibleEmbedding); the forward lookup is the same.
      .bool("tie_weights", default: true),
    ] + ArgumentSpec.trainingOnly("embeddings_initializer") + [.bool("mask_zero", default: false)],
    inputDType: .int32,
    outputType: { layer in
      let x = try layer.input.requireRank(2, for: "TokenAndPositionEmbedding", "(batch, steps) token ids")
      guard x.dims[0] <= layer.int(.sequenceLength) else {
        throw Diagnostic.shape(
          "TokenAndPositionEmbedding sequence_length=\(layer.int(.sequenceLength)) is shorter than the input's "
            + "\(x.dims[0]) steps \(x)", argument: "sequence_length")
      }
      return TensorType(.float32, x.dims + [layer.int(.embeddingDim)])
    },
    parameters: { layer in
      let dim = layer.int(.embeddingDim)
      return [
        layer.weight(
          "token_embedding/embeddings", [layer.int(.vocabularySize), dim],
          initializer: layer.initializer("embeddings_initializer", default: "uniform")),
        layer.weight(
          "position_embedding/embeddings", [layer.int(.sequenceLength), dim],
          initializer: layer.initializer("embeddings_initializer", default: "uniform")),
      ]
    }
  ).masking(.drops, produces: { $0.bool(.maskZero) ? .nonzeroTokens : nil }).traits {
    $0.tokenVocabulary = { $0["vocabulary_size"]?.intValue }
  }.lowered { c in
    let (steps, dim) = (c.inputDims[0], c.arguments.int(.embeddingDim))
    c.emit(
      .embedding(
        ids: c.input(), count: .perExample(steps), table: try c.weight("token_embedding/embeddings"),
        rows: c.arguments.int(.vocabularySize), width: dim, y: c.output()))
    // The positions' rows, the same for every example, added in place.
    let positions = Array(try c.values("position_embedding/embeddings").prefix(steps * dim))
    c.emit(
      .broadcast(
        .add, a: c.output(), aStrides: [steps * dim, dim, 1], b: c.constant(positions), bStrides: [0, dim, 1],
        shape: [steps, dim], y: c.output()))
  }
}
