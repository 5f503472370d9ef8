// C for MultiHeadAttention: three projections (the 1/√key_dim scale folded into the query's
// weights at compile time), attention per group and head, the output projection. Attention over
// some middle axes moves the others next to the batch first.

import DLCSupport

enum AttentionEmitters {
  struct Geometry {
    var heads, keyDim, valueDim: Int
    var middle: [Int]  // query axes between batch and features (1-based, batch is 0)
    var attended: [Int]
    var others: [Int]
    var query, value, key: [Int]  // dims without batch

    init(_ s: NodeShapes) {
      let arguments = s.arguments
      heads = arguments.int("num_heads")
      keyDim = arguments.int("key_dim")
      valueDim = arguments.isNone("value_dim") ? keyDim : arguments.int("value_dim")
      let data = s.dataInputs
      query = data[0].dims
      value = data[1].dims
      key = data.count > 2 ? data[2].dims : value
      let rank = query.count + 1
      let middle = Array(1..<(rank - 1))
      let attended =
        arguments.isNone("attention_axes")
        ? middle : arguments.ints("attention_axes").map { $0 < 0 ? $0 + rank : $0 }.sorted()
      self.middle = middle
      self.attended = attended
      others = middle.filter { !attended.contains($0) }
    }

    var moved: Bool { !others.isEmpty }
    var queryPositions: Int { query.dropLast().reduce(1, *) }
    var keyPositions: Int { value.dropLast().reduce(1, *) }
    var groupsPerExample: Int { others.map { query[$0 - 1] }.reduce(1, *) }
    var queryAttended: Int { attended.map { query[$0 - 1] }.reduce(1, *) }
    var keyAttended: Int { attended.map { value[$0 - 1] }.reduce(1, *) }
    var order: [Int] { [0] + others + attended + [query.count] }

    func scratch(batch: Int) -> Int {
      // Saturates: a size past 64 bits is refused by the planner as too large.
      let q = Checked.product(batch, queryPositions, heads, keyDim)
      let k = Checked.product(batch, keyPositions, heads, keyDim)
      let v = Checked.product(batch, keyPositions, heads, valueDim)
      let context = Checked.product(batch, queryPositions, heads, valueDim)
      let projections = Checked.product(Checked.sum(q, k, v, context), moved ? 2 : 1)
      return Checked.sum(projections, Checked.product(queryAttended, keyAttended)) ?? Int.max
    }
  }

  static let table: [String: LayerEmitter] = [
    "MultiHeadAttention": LayerEmitter(scratch: { s in Geometry(s).scratch(batch: s.maxBatch) }) { c in
      let g = Geometry(c.shapes)
      let b = c.shapes.maxBatch
      var offset = 0
      func take(_ floats: Int) -> String {
        defer { offset += floats }
        return "\(c.scratch) + \(offset)"
      }
      let (q, k, v) = (
        take(b * g.queryPositions * g.heads * g.keyDim), take(b * g.keyPositions * g.heads * g.keyDim),
        take(b * g.keyPositions * g.heads * g.valueDim)
      )
      let context = take(b * g.queryPositions * g.heads * g.valueDim)
      let scale = 1 / Float(g.keyDim).squareRoot()
      let queryKernel = try c.values("query/kernel").map { $0 * scale }
      let queryBias = c.hasWeight("query/bias") ? c.constant(try c.values("query/bias").map { $0 * scale }) : "NULL"
      let inputs = c.dataInputs
      let keyInput = inputs.count > 2 ? inputs[2] : inputs[1]
      c.line(
        "dlc_dense(\(inputs[0]), batch * \(g.queryPositions), \(g.query.last!), \(c.constant(queryKernel)), \(g.heads * g.keyDim), \(queryBias), DLC_LINEAR, \(q));"
      )
      c.line(
        "dlc_dense(\(keyInput), batch * \(g.keyPositions), \(g.key.last!), \(try c.weight("key/kernel")), \(g.heads * g.keyDim), \(try c.optionalWeight("key/bias")), DLC_LINEAR, \(k));"
      )
      c.line(
        "dlc_dense(\(inputs[1]), batch * \(g.keyPositions), \(g.value.last!), \(try c.weight("value/kernel")), \(g.heads * g.valueDim), \(try c.optionalWeight("value/bias")), DLC_LINEAR, \(v));"
      )
      var (qa, ka, va, ca) = (q, k, v, context)
      if g.moved {
        // (batch, others, attended, heads·width) so each group's steps are contiguous.
        let order = cInts(g.order)
        let (qm, km, vm) = (
          take(b * g.queryPositions * g.heads * g.keyDim), take(b * g.keyPositions * g.heads * g.keyDim),
          take(b * g.keyPositions * g.heads * g.valueDim)
        )
        ca = take(b * g.queryPositions * g.heads * g.valueDim)
        c.line("static const int order[] = {\(order)};")
        c.line("const int query_shape[] = {batch, \(cInts(g.query.dropLast() + [g.heads * g.keyDim]))};")
        c.line("const int key_shape[] = {batch, \(cInts(g.value.dropLast() + [g.heads * g.keyDim]))};")
        c.line("const int value_shape[] = {batch, \(cInts(g.value.dropLast() + [g.heads * g.valueDim]))};")
        c.line("dlc_transpose(\(q), query_shape, order, \(g.order.count), \(qm));")
        c.line("dlc_transpose(\(k), key_shape, order, \(g.order.count), \(km));")
        c.line("dlc_transpose(\(v), value_shape, order, \(g.order.count), \(vm));")
        (qa, ka, va) = (qm, km, vm)
      }
      let scores = take(g.queryAttended * g.keyAttended)
      let masked = c.node.maskRule == nil ? [] : c.node.maskedInputs
      let (queryMasked, keyMasked) = (masked.contains(0), masked.contains { $0 > 0 })
      c.line(
        "dlc_attention(\(qa), \(ka), \(va), (long)batch * \(g.groupsPerExample), \(g.queryAttended), \(g.keyAttended), \(g.heads), \(g.keyDim), \(g.valueDim), \(c.maskArguments), \(queryMasked ? 1 : 0), \(keyMasked ? 1 : 0), \(c.arguments.bool("use_causal_mask") ? 1 : 0), \(scores), \(ca));"
      )
      if g.moved {
        var inverse = [Int](repeating: 0, count: g.order.count)
        for (position, axis) in g.order.enumerated() { inverse[axis] = position }
        let movedShape = g.order.dropFirst().map { $0 == g.query.count ? g.heads * g.valueDim : g.query[$0 - 1] }
        c.line("static const int back[] = {\(cInts(inverse))};")
        c.line("const int context_shape[] = {batch, \(cInts(Array(movedShape)))};")
        c.line("dlc_transpose(\(ca), context_shape, back, \(g.order.count), \(context));")
      }
      let outFeatures = c.outputDims.count > g.query.count - 1 ? c.outputDims[(g.query.count - 1)...].reduce(1, *) : 1
      c.line(
        "dlc_dense(\(context), batch * \(g.queryPositions), \(g.heads * g.valueDim), \(try c.weight("attention_output/kernel")), \(outFeatures), \(try c.optionalWeight("attention_output/bias")), DLC_LINEAR, \(c.output));"
      )
    }
  ]
}
