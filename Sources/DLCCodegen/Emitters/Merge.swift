// C for merge layers: element-wise (broadcasting where shapes differ), Concatenate as slices of
// each output row, Dot as per-example GEMMs after moving the contracted axes.

enum MergeEmitters {
  static let table: [String: LayerEmitter] = [
    "Add": elementwise("DLC_ADD"), "Subtract": elementwise("DLC_SUBTRACT"), "Multiply": elementwise("DLC_MULTIPLY"),
    "Maximum": elementwise("DLC_MAXIMUM"), "Minimum": elementwise("DLC_MINIMUM"),
    "Average": elementwise("DLC_ADD", average: true),
    "Concatenate": LayerEmitter { c in
      let rank = c.outputDims.count + 1
      var axis = c.arguments.int("axis")
      if axis < 0 { axis += rank }
      let dims = [0] + c.outputDims
      let outer = dims[1..<axis].reduce(1, *)
      let stride = dims[axis...].reduce(1, *)
      var offset = 0
      for (index, input) in c.inputs.enumerated() {
        let width = ([0] + c.inputDims(index))[axis...].reduce(1, *)
        defer { offset += width }
        // The memory plan may have had the producer write straight into this slice.
        if let at = c.inputOffsets[index], let base = c.outputOffsets[0], at == base + offset { continue }
        c.line("dlc_copy_blocks(\(input), \(c.perBatch(outer)), \(width), \(c.output) + \(offset), \(stride));")
      }
    },
    "Dot": LayerEmitter(scratch: { s in 4 * s.maxBatch * max(s.inputs[0].elementCount, s.inputs[1].elementCount) }) {
      c in
      let x = [0] + c.inputDims(0)
      let y = [0] + c.inputDims(1)
      let axes = c.arguments.ints("axes")
      let xAxis = axes[0] < 0 ? axes[0] + x.count : axes[0]
      let yAxis =
        (axes.count == 2 ? axes[1] : axes[0]) < 0
        ? (axes.count == 2 ? axes[1] : axes[0]) + y.count : (axes.count == 2 ? axes[1] : axes[0])
      let big = c.shapes.maxBatch * max(c.shapes.inputs[0].elementCount, c.shapes.inputs[1].elementCount)
      let slots = (0..<4).map { "\(c.scratch) + \($0 * big)" }
      var (a, bIn) = (c.inputs[0], c.inputs[1])
      if c.arguments.bool("normalize") {
        let xs = (x[1..<xAxis].reduce(1, *), x[xAxis], x[(xAxis + 1)...].reduce(1, *))
        let ys = (y[1..<yAxis].reduce(1, *), y[yAxis], y[(yAxis + 1)...].reduce(1, *))
        c.line("dlc_l2_normalize(\(a), \(c.perBatch(xs.0)), \(xs.1), \(xs.2), \(slots[0]));")
        c.line("dlc_l2_normalize(\(bIn), \(c.perBatch(ys.0)), \(ys.1), \(ys.2), \(slots[1]));")
        (a, bIn) = (slots[0], slots[1])
      }
      // x with the contracted axis last, y with it first (after batch).
      let xOrder = (0..<x.count).filter { $0 != xAxis } + [xAxis]
      let yOrder = [0, yAxis] + (1..<y.count).filter { $0 != yAxis }
      if xOrder != Array(0..<x.count) {
        c.line(
          "{ const int shape[] = {batch, \(cInts(Array(x.dropFirst())))}; static const int order[] = {\(cInts(xOrder))}; dlc_transpose(\(a), shape, order, \(x.count), \(slots[2])); }"
        )
        a = slots[2]
      }
      if yOrder != Array(0..<y.count) {
        c.line(
          "{ const int shape[] = {batch, \(cInts(Array(y.dropFirst())))}; static const int order[] = {\(cInts(yOrder))}; dlc_transpose(\(bIn), shape, order, \(y.count), \(slots[3])); }"
        )
        bIn = slots[3]
      }
      let inner = x[xAxis]
      let rows = x.dropFirst().reduce(1, *) / inner
      let columns = y.dropFirst().reduce(1, *) / inner
      c.line("dlc_batched_gemm(batch, \(rows), \(columns), \(inner), \(a), \(bIn), \(c.output));")
    },
  ]

  static func elementwise(_ op: String, average: Bool = false) -> LayerEmitter {
    LayerEmitter { c in
      let out = c.outputDims
      let count = out.reduce(1, *)
      // A fused activation goes into the last combining loop when nothing follows it.
      var activated = false
      for index in 1..<c.inputs.count {
        let left = index == 1 ? c.inputs[0] : c.output
        let leftDims = index == 1 ? c.inputDims(0) : out
        let rightDims = c.inputDims(index)
        if leftDims == out && rightDims == out {
          let fused = index == c.inputs.count - 1 && !average ? c.elementwiseActivation : "DLC_LINEAR"
          activated = fused != "DLC_LINEAR"
          c.line("dlc_combine_same(\(op), \(left), \(c.inputs[index]), \(c.perBatch(count)), \(fused), \(c.output));")
        } else {
          c.line("{")
          c.line("  static const long a_strides[] = {\(cInts(strides(leftDims)))};")
          c.line("  static const long b_strides[] = {\(cInts(strides(rightDims)))};")
          c.line("  const int shape[] = {batch, \(cInts(out))};")
          c.line(
            "  dlc_broadcast(\(op), \(left), a_strides, \(c.inputs[index]), b_strides, shape, \(out.count + 1), \(c.output));"
          )
          c.line("}")
        }
      }
      if average {
        c.line(
          "dlc_affine(\(c.output), \(c.perBatch(count)), \(cFloat(1 / Float(c.inputs.count))), 0.0f, \(c.output));")
      }
      if !activated { c.activate(c.output, count: count, width: out.last ?? 1) }
    }
  }

  /// Strides (batch first) of an input in broadcasting: zero along axes of size 1.
  static func strides(_ dims: [Int]) -> [Int] {
    let shape = [0] + dims
    var result = [Int](repeating: 0, count: shape.count)
    var running = dims.reduce(1, *)
    result[0] = running
    for axis in 1..<shape.count {
      running /= max(shape[axis], 1)
      result[axis] = shape[axis] == 1 ? 0 : running
    }
    return result
  }
}
