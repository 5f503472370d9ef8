// MultiHeadAttention as Keras computes it: project query/key/value per head, scale the query by
// 1/√key_dim, softmax over the attention axes (jointly), mix the values, project the heads out.
import DLCData
import Foundation

enum AttentionKernels {
  static let table: [String: Kernel] = ["MultiHeadAttention": multiHeadAttention]

  static func multiHeadAttention(_ call: KernelCall) throws -> [Tensor] {
    let data = call.dataInputs
    let query = data[0]
    let value = data[1]
    let key = data.count > 2 ? data[2] : value
    let heads = call.int("num_heads")
    let keyDim = call.int("key_dim")
    let valueDim = call.isNone("value_dim") ? keyDim : call.int("value_dim")
    let rank = query.shape.count
    // Axes between batch and features; attention runs over `attended`, the rest act as batch.
    let middle = Array(1..<(rank - 1))
    let attended =
      call.isNone("attention_axes") ? middle : call.ints("attention_axes").map { call.axis($0, rank: rank) }.sorted()
    let others = middle.filter { !attended.contains($0) }

    func project(_ x: Tensor, _ name: String, width: Int) throws -> [Float] {
      let features = x.shape.last ?? 1
      return Math.matmul(
        x.floats, rows: x.count / features, inner: features, try call.weight("\(name)/kernel"), columns: heads * width,
        bias: try call.optionalWeight("\(name)/bias"))
    }
    /// (batch, middle..., heads·width) → (batch·others, attended, heads·width).
    func gather(_ values: [Float], _ shape: [Int], width: Int) -> (values: [Float], groups: Int, steps: Int) {
      let projected = Array(shape.dropLast()) + [heads * width]
      let order = [0] + others + attended + [rank - 1]
      let moved = order == Array(0..<rank) ? values : Math.transpose(values, shape: projected, order: order)
      let steps = attended.map { shape[$0] }.reduce(1, *)
      return (moved, values.count / max(1, steps * heads * width), steps)
    }

    var q = try project(query, "query", width: keyDim)
    let scale = 1 / Float(keyDim).squareRoot()
    for index in q.indices { q[index] *= scale }
    let k = try project(key, "key", width: keyDim)
    let v = try project(value, "value", width: valueDim)
    let (qs, groups, querySteps) = gather(q, query.shape, width: keyDim)
    let (ks, _, keySteps) = gather(k, key.shape, width: keyDim)
    let (vs, _, _) = gather(v, value.shape, width: valueDim)

    // Keras hides a score by adding -1e9 before the softmax: where the query step or the key step
    // is masked, or the key comes after the query under use_causal_mask. Masks and the causal mask
    // need the plain layout, so a group is an example.
    let mask = call.stepMask
    let maskedInputs = call.node.maskedInputs
    let queryMasked = mask != nil && maskedInputs.contains(0)
    let keyMasked = mask != nil && maskedInputs.contains { $0 > 0 }
    let causal = call.bool("use_causal_mask")
    func hidden(_ group: Int, _ i: Int, _ j: Int) -> Bool {
      if causal && j > i { return true }
      if queryMasked, let mask, !mask[group * querySteps + i] { return true }
      if keyMasked, let mask, !mask[group * keySteps + j] { return true }
      return false
    }
    var context = [Float](repeating: 0, count: groups * querySteps * heads * valueDim)
    var scores = [Float](repeating: 0, count: querySteps * keySteps)
    for group in 0..<groups {
      for head in 0..<heads {
        qs.withUnsafeBufferPointer { qp in
          ks.withUnsafeBufferPointer { kp in
            scores.withUnsafeMutableBufferPointer { sp in
              Math.gemm(
                m: querySteps, n: keySteps, k: keyDim,
                qp.baseAddress! + group * querySteps * heads * keyDim + head * keyDim,
                lda: heads * keyDim, kp.baseAddress! + group * keySteps * heads * keyDim + head * keyDim,
                ldb: heads * keyDim, transposeB: true, sp.baseAddress!, ldc: keySteps)
            }
          }
        }
        if queryMasked || keyMasked || causal {
          for i in 0..<querySteps {
            for j in 0..<keySteps where hidden(group, i, j) { scores[i * keySteps + j] += -1e9 }
          }
        }
        Math.softmax(&scores, width: keySteps, log: false)
        scores.withUnsafeBufferPointer { sp in
          vs.withUnsafeBufferPointer { vp in
            context.withUnsafeMutableBufferPointer { cp in
              Math.gemm(
                m: querySteps, n: valueDim, k: keySteps, sp.baseAddress!, lda: keySteps,
                vp.baseAddress! + group * keySteps * heads * valueDim + head * valueDim, ldb: heads * valueDim,
                cp.baseAddress! + group * querySteps * heads * valueDim + head * valueDim, ldc: heads * valueDim)
            }
          }
        }
      }
    }
    // Back to (batch, middle..., heads·value_dim), then the output projection.
    let order = [0] + others + attended + [rank - 1]
    if order != Array(0..<rank) {
      let movedShape = order.map { $0 == rank - 1 ? heads * valueDim : query.shape[$0] }
      var inverse = [Int](repeating: 0, count: rank)
      for (position, axis) in order.enumerated() { inverse[axis] = position }
      context = Math.transpose(context, shape: movedShape, order: inverse)
    }
    let output = call.outputShape()
    let outFeatures = output.count > rank - 1 ? output[(rank - 1)...].reduce(1, *) : 1
    let rows = context.count / (heads * valueDim)
    let out = Math.matmul(
      context, rows: rows, inner: heads * valueDim, try call.weight("attention_output/kernel"), columns: outFeatures,
      bias: try call.optionalWeight("attention_output/bias"))
    return [Tensor(shape: output, floats: out)]
  }
}
