// Embedding lookups (token ids checked against the table) and keras_hub's PositionEmbedding.
import DLCData
import DLCSupport
import Foundation

enum EmbeddingKernels {
  static let table: [String: Kernel] = [
    "Embedding": { call in
      let table = try call.weight("embeddings")
      let (rows, width) = (call.int("input_dim"), call.int("output_dim"))
      let ids: [Int]
      switch call.input.elements {
      case .int32(let values): ids = values.map(Int.init)
      case .int64(let values): ids = values.map { Int(clamping: $0) }
      case .float32(let values): ids = values.map { Int(exactly: $0) ?? -1 }
      }
      var out = [Float]()
      out.reserveCapacity(ids.count * width)
      for (position, id) in ids.enumerated() {
        guard id >= 0 && id < rows else {
          throw Diagnostic.error(
            "token id \(id) at position \(position) of \(call.node.name)'s input is outside the embedding table (0..<\(rows))",
            node: call.node.id)
        }
        out += table[(id * width)..<((id + 1) * width)]
      }
      return [Tensor(shape: call.outputShape(), floats: out)]
    },
    "PositionEmbedding": { call in
      // The first `steps` rows of the table, the same for every example.
      let table = try call.weight("embeddings")
      let shape = call.input.shape
      let perExample = shape.dropFirst().reduce(1, *)
      let rows = Array(table[0..<perExample])
      return [Tensor(shape: shape, floats: Array((0..<call.batch).map { _ in rows }.joined()))]
    },
  ]
}
