// One lowered kernel call made in-process: the operands resolved through the memory plan to
// pointers, and the runtime function `KernelCall.cCall` names called with the values it lists —
// the same function, with the same arguments, that the generated C calls (the heavy ones through
// `dlc_fast_…`, the same function built for the best instruction set this CPU has).
import CDLCRuntime
import DLCIR
import DLCLayers
import DLCPlanning
import DLCSupport

struct RuntimeCall {
  let call: KernelCall
  /// The node the call was lowered from, and its name for diagnostics.
  let node: NodeID
  let nodeName: String
  let batch: Int
  let memory: RuntimeMemory
  let constants: UnsafeBufferPointer<Float>

  /// An operand's address; a missing placement is dlc's bug, reported as one.
  func address(_ operand: Operand) throws -> UnsafeMutableRawPointer? {
    switch memory.plan.location(of: operand, in: node) {
    case .arena(let elements)?: return memory.arena + elements * 4
    case .input(let index, let elements)?: return memory.inputs[index] + elements * 4
    case .constant(let elements)?:
      return constants.baseAddress.map { UnsafeMutableRawPointer(mutating: $0 + elements) }
    case .none?: return nil
    case nil: throw Diagnostic.error("internal error: \(nodeName) uses a tensor the memory plan did not place")
    }
  }

  func read(_ operand: Operand) throws -> UnsafePointer<Float>? {
    try address(operand).map { UnsafePointer($0.assumingMemoryBound(to: Float.self)) }
  }
  func write(_ operand: Operand) throws -> UnsafeMutablePointer<Float>? {
    try address(operand)?.assumingMemoryBound(to: Float.self)
  }
  func raw(_ operand: Operand) throws -> UnsafeRawPointer? { try address(operand).map { UnsafeRawPointer($0) } }

  func int(_ count: Count) -> Int32 { Int32(truncatingIfNeeded: count.value(batch: batch)) }
  func long(_ count: Count) -> Int { count.value(batch: batch) }
  var batch32: Int32 { Int32(truncatingIfNeeded: batch) }

  func run() throws {
    switch call {
    case .copy(let x, let count, let y): dlc_copy(try read(x), long(count), try write(y))
    case .activate(let activation, let x, let count, let width):
      dlc_fast_activate(code(activation), try write(x), long(count), Int32(width))
    case .dense(let x, let rows, let inner, let kernel, let units, let bias, let activation, let y):
      dlc_fast_dense(
        try read(x), int(rows), Int32(inner), try read(kernel.operand), kernel.packed ? 1 : 0, Int32(units),
        try read(bias), code(activation), try write(y), nil)
    case .softmaxAxis(let x, let outer, let axis, let inner, let y):
      dlc_softmax_axis(try read(x), long(outer), Int32(axis), inner, 0, try write(y))
    case .conv2D(
      let x, let window, let groups, let filters, let kernel, let bias, let activation, let tile, let y, let s):
      var w = runtimeWindow(window)
      dlc_fast_conv2d(
        try read(x), batch32, &w, Int32(groups), Int32(filters), try read(kernel.operand), kernel.packed ? 1 : 0,
        try read(bias), code(activation), tile, try write(y), try write(s), nil)
    case .conv2DWinograd(let x, let window, let filters, let kernel, let bias, let activation, let tile, let y, let s):
      var w = runtimeWindow(window)
      dlc_fast_conv2d_winograd(
        try read(x), batch32, &w, Int32(filters), try read(kernel.operand), kernel.packed ? 1 : 0, try read(bias),
        code(activation), tile, try write(y), try write(s), nil)
    case .conv2DTranspose(let x, let w, let filters, let kernel, let bias, let y, let s):
      dlc_conv2d_transpose(
        try read(x), batch32, Int32(w.inH), Int32(w.inW), Int32(w.channels), Int32(w.outH), Int32(w.outW),
        Int32(w.kh), Int32(w.kw), Int32(w.sh), Int32(w.sw), Int32(w.dh), Int32(w.dw), Int32(w.padTop),
        Int32(w.padLeft), Int32(filters), try read(kernel), try read(bias), try write(y), try write(s))
    case .depthwise(let x, let window, let multiplier, let kernel, let bias, let y):
      var w = runtimeWindow(window)
      dlc_depthwise(try read(x), batch32, &w, Int32(multiplier), try read(kernel), try read(bias), try write(y))
    case .pool2D(let x, let window, let isMax, let y):
      var w = runtimeWindow(window)
      dlc_pool2d(try read(x), batch32, &w, isMax ? 1 : 0, try write(y))
    case .masking(let x, let rows, let features, let value, let y):
      dlc_masking(try read(x), long(rows), Int32(features), value, try write(y))
    case .globalPool(let x, let positions, let channels, let isMax, let mask, let y):
      dlc_global_pool(
        try read(x), batch32, positions, Int32(channels), isMax ? 1 : 0, Int32(mask.kind), try raw(mask.source),
        Int32(mask.features), mask.value, try write(y))
    case .upsample(let x, let inH, let inW, let channels, let fh, let fw, let bilinear, let y):
      dlc_upsample(
        try read(x), batch32, Int32(inH), Int32(inW), Int32(channels), Int32(fh), Int32(fw), bilinear ? 1 : 0,
        try write(y))
    case .place(let x, let inH, let inW, let channels, let outH, let outW, let top, let left, let y):
      dlc_place(
        try read(x), batch32, Int32(inH), Int32(inW), Int32(channels), Int32(outH), Int32(outW), Int32(top),
        Int32(left), try write(y))
    case .scaleShift(let x, let outer, let channels, let inner, let scale, let shift, let activation, let y):
      dlc_scale_shift(
        try read(x), long(outer), Int32(channels), inner, try read(scale), try read(shift), code(activation),
        try write(y))
    case .layerNorm(let x, let outer, let width, let inner, let epsilon, let gamma, let beta, let rms, let y):
      dlc_layer_norm(
        try read(x), long(outer), Int32(width), inner, epsilon, try read(gamma), try read(beta), rms ? 1 : 0,
        try write(y))
    case .groupNorm(let x, let outer, let channels, let inner, let groups, let epsilon, let gamma, let beta, let y):
      dlc_group_norm(
        try read(x), batch, outer, Int32(channels), inner, Int32(groups), epsilon, try read(gamma), try read(beta),
        try write(y))
    case .embedding(let ids, let count, let table, let rows, let width, let y):
      let source = try raw(ids)?.assumingMemoryBound(to: Int32.self)
      if dlc_embedding(source, long(count), try read(table), Int32(rows), Int32(width), try write(y)) != 0 {
        throw badToken(source, count: long(count), rows: rows)
      }
    case .combine(let op, let a, let b, let count, let activation, let y):
      dlc_combine_same(code(op), try read(a), try read(b), long(count), code(activation), try write(y))
    case .broadcast(let op, let a, let aStrides, let b, let bStrides, let shape, let y):
      let dims = [batch32] + shape.map { Int32($0) }
      dlc_broadcast(
        code(op), try read(a), aStrides, try read(b), bStrides, dims, Int32(dims.count), try write(y))
    case .affine(let x, let count, let scale, let offset, let y):
      dlc_affine(try read(x), long(count), scale, offset, try write(y))
    case .reluLayer(let x, let count, let maxValue, let slope, let threshold, let y):
      dlc_relu_layer(try read(x), long(count), maxValue, slope, threshold, try write(y))
    case .eluLayer(let x, let count, let alpha, let y):
      dlc_elu_layer(try read(x), long(count), alpha, try write(y))
    case .prelu(let x, let size, let alpha, let y):
      dlc_prelu(try read(x), batch, size, try read(alpha), try write(y))
    case .transpose(let x, let shape, let order, let y):
      let dims = [batch32] + shape.map { Int32($0) }
      dlc_transpose(try read(x), dims, order.map { Int32($0) }, Int32(order.count), try write(y))
    case .copyBlocks(let x, let outer, let width, let y, let stride):
      dlc_copy_blocks(try read(x), long(outer), width, try write(y), stride)
    case .repeatRows(let x, let examples, let times, let features, let y):
      dlc_repeat(try read(x), int(examples), int(times), Int32(features), try write(y))
    case .l2Normalize(let x, let outer, let axis, let inner, let y):
      dlc_l2_normalize(try read(x), long(outer), Int32(axis), inner, try write(y))
    case .recurrent(let r):
      dlc_fast_recurrent(
        code(r.kind), try read(r.x), batch32, Int32(r.steps), Int32(r.features), Int32(r.units),
        try read(r.kernel.operand), try read(r.recurrentKernel.operand), r.kernel.packed ? 1 : 0, try read(r.bias),
        try read(r.recurrentBias), code(r.activation),
        code(r.recurrentActivation), r.resetAfter ? 1 : 0, r.goBackwards ? 1 : 0, Int32(r.mask.kind),
        try raw(r.mask.source), Int32(r.mask.features), r.mask.value, r.zeroOutputForMask ? 1 : 0,
        try write(r.sequence), try write(r.h), try write(r.c), try write(r.scratch), nil)
    case .reverseSteps(let x, let steps, let width, let y):
      dlc_reverse_steps(try read(x), batch32, Int32(steps), Int32(width), try write(y))
    case .attention(let a):
      dlc_fast_attention(
        try read(a.q), try read(a.k), try read(a.v), long(a.groups), Int32(a.queryLength), Int32(a.keyLength),
        Int32(a.heads), Int32(a.keyDim), Int32(a.valueDim), Int32(a.mask.kind), try raw(a.mask.source),
        Int32(a.mask.features), a.mask.value, a.queryMasked ? 1 : 0, a.keyMasked ? 1 : 0, a.causal ? 1 : 0,
        try write(a.scores), try write(a.context))
    case .batchedGEMM(let m, let n, let k, let a, let b, let c):
      dlc_fast_batched_gemm(batch32, Int32(m), Int32(n), Int32(k), try read(a), try read(b), try write(c))
    case .elementwise(let steps, let operands, let count, let y):
      let program = steps.map { step -> dlc_step in
        let s = step.runtimeStep
        return dlc_step(
          op: Self.stepCodes[s.op] ?? 0, operand: Int32(s.operand), activation: code(s.activation), a: s.a, b: s.b,
          c: s.c)
      }
      let pointers = try operands.map { try read($0) }
      dlc_fast_elementwise(program, Int32(program.count), pointers, long(count), try write(y))
    }
  }

  /// Why `dlc_embedding` refused: the first id outside the table, as the generated C would report it.
  func badToken(_ ids: UnsafePointer<Int32>?, count: Int, rows: Int) -> Diagnostic {
    let values = ids.map { Array(UnsafeBufferPointer(start: $0, count: count)) } ?? []
    let position = values.firstIndex { $0 < 0 || Int($0) >= rows } ?? 0
    let id = values.isEmpty ? 0 : Int(values[position])
    return Diagnostic.error(
      "token id \(id) at position \(position) of \(nodeName)'s input is outside the embedding table (0..<\(rows))",
      node: node)
  }

  func runtimeWindow(_ w: SlidingWindow) -> dlc_window {
    dlc_window(
      in_h: Int32(w.inH), in_w: Int32(w.inW), channels: Int32(w.channels), out_h: Int32(w.outH),
      out_w: Int32(w.outW), kh: Int32(w.kh), kw: Int32(w.kw), sh: Int32(w.sh), sw: Int32(w.sw), dh: Int32(w.dh),
      dw: Int32(w.dw), pad_top: Int32(w.padTop), pad_left: Int32(w.padLeft))
  }

  static let stepCodes: [String: Int32] = [
    "DLC_STEP_LOAD": Int32(DLC_STEP_LOAD), "DLC_STEP_ADD": Int32(DLC_STEP_ADD), "DLC_STEP_SUB": Int32(DLC_STEP_SUB),
    "DLC_STEP_RSUB": Int32(DLC_STEP_RSUB), "DLC_STEP_MUL": Int32(DLC_STEP_MUL), "DLC_STEP_MAX": Int32(DLC_STEP_MAX),
    "DLC_STEP_MIN": Int32(DLC_STEP_MIN), "DLC_STEP_SCALE": Int32(DLC_STEP_SCALE),
    "DLC_STEP_ACTIVATION": Int32(DLC_STEP_ACTIVATION), "DLC_STEP_RELU": Int32(DLC_STEP_RELU),
    "DLC_STEP_ELU": Int32(DLC_STEP_ELU),
  ]
}

/// The runtime's numbers for dlc's enumerations, by the names the C backend prints.
func code(_ activation: Activation) -> Int32 {
  switch activation {
  case .linear: return Int32(DLC_LINEAR)
  case .relu: return Int32(DLC_RELU)
  case .relu6: return Int32(DLC_RELU6)
  case .leakyRelu: return Int32(DLC_LEAKY_RELU)
  case .elu: return Int32(DLC_ELU)
  case .selu: return Int32(DLC_SELU)
  case .gelu: return Int32(DLC_GELU)
  case .sigmoid: return Int32(DLC_SIGMOID)
  case .hardSigmoid: return Int32(DLC_HARD_SIGMOID)
  case .tanh: return Int32(DLC_TANH)
  case .softmax: return Int32(DLC_SOFTMAX)
  case .logSoftmax: return Int32(DLC_LOG_SOFTMAX)
  case .softplus: return Int32(DLC_SOFTPLUS)
  case .softsign: return Int32(DLC_SOFTSIGN)
  case .silu: return Int32(DLC_SILU)
  case .mish: return Int32(DLC_MISH)
  case .exponential: return Int32(DLC_EXPONENTIAL)
  case .hardSilu: return Int32(DLC_HARD_SILU)
  }
}

func code(_ op: CombineOp) -> Int32 {
  switch op {
  case .add: return Int32(DLC_ADD)
  case .subtract: return Int32(DLC_SUBTRACT)
  case .multiply: return Int32(DLC_MULTIPLY)
  case .maximum: return Int32(DLC_MAXIMUM)
  case .minimum: return Int32(DLC_MINIMUM)
  }
}

func code(_ kind: CellKind) -> Int32 {
  switch kind {
  case .simpleRNN: return Int32(DLC_SIMPLE_RNN)
  case .lstm: return Int32(DLC_LSTM)
  case .gru: return Int32(DLC_GRU)
  }
}
