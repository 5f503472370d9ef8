// C for embeddings: a checked table lookup (an out-of-range id returns an error code before any
// read), and keras_hub's PositionEmbedding (the table's first rows, for every example).

enum EmbeddingEmitters {
  static let table: [String: LayerEmitter] = [
    "Embedding": LayerEmitter { c in
      let count = c.inputDims.reduce(1, *)
      c.line(
        "status = dlc_embedding(\(c.input), \(c.perBatch(count)), \(try c.weight("embeddings")), \(c.arguments.int("input_dim")), \(c.arguments.int("output_dim")), \(c.output));"
      )
      c.line("if (status) return status;")
    },
    "PositionEmbedding": LayerEmitter { c in
      let perExample = c.inputDims.reduce(1, *)
      let rows = Array(try c.values("embeddings").prefix(perExample))
      c.line("int n;")
      c.line(
        "for (n = 0; n < batch; n++) memcpy(\(c.output) + (long)n * \(perExample), \(c.constant(rows)), sizeof(float) * \(perExample));"
      )
    },
  ]
}
