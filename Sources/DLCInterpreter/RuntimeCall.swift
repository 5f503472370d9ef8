// One lowered kernel call bound to the memory plan: its operands resolved to places in the arena,
// the inputs or the constants once, when the interpreter is made, and the runtime function
// `KernelCall.cCall` names called with the values it lists — the same function, with the same
// arguments, that the generated C calls (the heavy ones through `dlc_fast_…`, the same function built
// for the best instruction set this CPU has). A run then only adds each place's offset to its base:
// resolving operands through the plan's dictionaries on every call cost more than the arithmetic of
// a small model.
import CDLCRuntime
import DLCData
import DLCIR
import DLCLayers
import DLCPlanning
import DLCSupport

/// Where an operand lives: bytes past one of a run's base addresses (`RuntimeMemory.bases`). A
/// number rather than an enum, so that a call finds each operand's address with one load and one add:
/// switching on the kind of each operand of each call cost a mispredicted jump per operand, as much
/// as a small layer's arithmetic.
struct Place {
  /// The entry in `RuntimeMemory.bases`.
  let base: Int
  let bytes: Int

  static func arena(_ elements: Int) -> Place { Place(base: 1, bytes: elements * 4) }
  static func constant(_ elements: Int) -> Place { Place(base: 2, bytes: elements * 4) }
  static func input(index: Int, elements: Int) -> Place { Place(base: 3 + index, bytes: elements * 4) }
  /// C's NULL: an absent bias, an unused output, no scratch (base 0 is always zero).
  static let none = Place(base: 0, bytes: 0)
}

/// A call ready to run on one run's memory. A struct around the closure, so that an array of them
/// calls it directly: an array of bare closures holds them in their most general form and reaches
/// each through a conversion thunk.
struct BoundCall {
  let run: (RuntimeMemory) throws -> Void

  init(_ run: @escaping (RuntimeMemory) throws -> Void) { self.run = run }
}

/// The bytes a run works in: the arena and the model's inputs, as the plan lays them out, the
/// constants, and the run's batch. Made once and reused run after run, as a caller of the generated
/// C reuses its arena (allocating them took as long as a small model's arithmetic).
final class RuntimeMemory {
  let arena: UnsafeMutableRawPointer
  /// Each model input's elements (float32, or int32 token ids) in a buffer of its own, with room
  /// for the plan's largest batch.
  let inputs: [UnsafeMutableRawPointer]
  /// Zero (for `Place.none`), then the arena's, the constants' and each input's address, as `Place`
  /// numbers them.
  private let bases: UnsafeMutablePointer<UInt>
  private(set) var batch = 1

  /// The arena starts zeroed; a later run finds what the one before left, as in the generated C.
  init(arenaBytes: Int, inputBytes: [Int], constants: UnsafePointer<Float>?) {
    arena = UnsafeMutableRawPointer.allocate(byteCount: max(arenaBytes, 64), alignment: 64)
    arena.initializeMemory(as: UInt8.self, repeating: 0, count: max(arenaBytes, 64))
    inputs = inputBytes.map { UnsafeMutableRawPointer.allocate(byteCount: max($0, 4), alignment: 64) }
    let addresses = [0, UInt(bitPattern: arena), UInt(bitPattern: constants)] + inputs.map { UInt(bitPattern: $0) }
    bases = .allocate(capacity: addresses.count)
    bases.initialize(from: addresses, count: addresses.count)
  }

  deinit {
    bases.deallocate()
    arena.deallocate()
    for input in inputs { input.deallocate() }
  }

  /// Copies a run's inputs (already checked against the model's shapes and the buffers' room) in.
  func load(_ tensors: [Tensor], types: [DType], batch: Int) {
    self.batch = batch
    for index in tensors.indices {
      let (buffer, tensor) = (inputs[index], tensors[index])
      switch (types[index], tensor.elements) {
      case (.int32, .int32(let values)):
        values.withUnsafeBytes { buffer.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
      case (.int32, let elements):
        let ids = Tensor(shape: tensor.shape, elements: elements).floats.map { Int32(exactly: $0) ?? -1 }
        ids.withUnsafeBytes { buffer.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
      case (_, .float32(let values)):
        values.withUnsafeBytes { buffer.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
      default:
        tensor.floats.withUnsafeBytes { buffer.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
      }
    }
  }

  /// Nil for `Place.none` (its base is zero and so is its offset).
  @inline(__always) func address(_ place: Place) -> UnsafeMutableRawPointer? {
    UnsafeMutableRawPointer(bitPattern: bases[place.base] &+ UInt(bitPattern: place.bytes))
  }

  @inline(__always) func read(_ place: Place) -> UnsafePointer<Float>? {
    address(place).map { UnsafePointer($0.assumingMemoryBound(to: Float.self)) }
  }
  @inline(__always) func write(_ place: Place) -> UnsafeMutablePointer<Float>? {
    address(place)?.assumingMemoryBound(to: Float.self)
  }
  @inline(__always) func raw(_ place: Place) -> UnsafeRawPointer? { address(place).map { UnsafeRawPointer($0) } }

  @inline(__always) func int(_ count: Count) -> Int32 { Int32(truncatingIfNeeded: count.value(batch: batch)) }
  @inline(__always) func long(_ count: Count) -> Int { count.value(batch: batch) }
  var batch32: Int32 { Int32(truncatingIfNeeded: batch) }

  /// A placed value of `count` elements written into `tensor` as `shape` (batch first): into its
  /// elements' own storage when it has that shape and element type and holds them alone, else into
  /// new storage.
  func write(_ place: Place, dtype: DType, into tensor: inout Tensor, shape: [Int], count: Int) {
    guard dtype == .float32, tensor.shape == shape, case .float32(var values) = tensor.elements,
      values.count == count, let start = read(place)
    else {
      tensor = self.tensor(at: place, shape: shape, dtype: dtype)
      return
    }
    // Emptied first, so that `values` is the storage's only reference and is written in place.
    tensor.elements = .float32([])
    values.withUnsafeMutableBufferPointer { buffer in
      buffer.baseAddress?.update(from: start, count: buffer.count)
    }
    tensor.elements = .float32(values)
  }

  /// A placed value as a tensor of `shape` (batch first).
  func tensor(at place: Place, shape: [Int], dtype: DType) -> Tensor {
    let count = shape.reduce(1, *)
    guard let start = raw(place) else { return Tensor(zeros: [0]) }
    if dtype == .int32 {
      return Tensor(
        shape: shape,
        elements: .int32(Array(UnsafeBufferPointer(start: start.assumingMemoryBound(to: Int32.self), count: count))))
    }
    return Tensor(
      shape: shape, floats: Array(UnsafeBufferPointer(start: start.assumingMemoryBound(to: Float.self), count: count)))
  }
}

/// Binds the calls lowered from one node to the places the plan gives their operands.
struct CallBinder {
  let plan: MemoryPlan
  /// The node the calls were lowered from, and its name for diagnostics.
  let node: NodeID
  let nodeName: String

  /// An operand's place; a missing placement is dlc's bug, reported as one.
  func place(_ operand: Operand) throws -> Place {
    switch plan.location(of: operand, in: node) {
    case .arena(let elements)?: return .arena(elements)
    case .input(let index, let elements)?: return .input(index: index, elements: elements)
    case .constant(let elements)?: return .constant(elements)
    case .none?: return .none
    case nil: throw Diagnostic.error("internal error: \(nodeName) uses a tensor the memory plan did not place")
    }
  }

  func bind(_ call: KernelCall) throws -> BoundCall { BoundCall(try closure(call)) }

  private func closure(_ call: KernelCall) throws -> (RuntimeMemory) throws -> Void {
    switch call {
    case .copy(let x, let count, let y):
      let (x, y) = (try place(x), try place(y))
      return { m in dlc_copy(m.read(x), m.long(count), m.write(y)) }
    case .activate(let activation, let x, let count, let width):
      let (x, activation, width) = (try place(x), code(activation), Int32(width))
      return { m in dlc_fast_activate(activation, m.write(x), m.long(count), width) }
    case .dense(let x, let rows, let inner, let kernel, let units, let bias, let activation, let y):
      let (x, weights, packed, bias, y) = (
        try place(x), try place(kernel.operand), flag(kernel.packed), try place(bias), try place(y)
      )
      let (inner, units, activation) = (Int32(inner), Int32(units), code(activation))
      return { m in
        dlc_fast_dense(
          m.read(x), m.int(rows), inner, m.read(weights), packed, units, m.read(bias), activation, m.write(y), nil)
      }
    case .softmaxAxis(let x, let outer, let axis, let inner, let y):
      let (x, axis, y) = (try place(x), Int32(axis), try place(y))
      return { m in dlc_softmax_axis(m.read(x), m.long(outer), axis, inner, 0, m.write(y)) }
    case .conv2D(
      let x, let window, let groups, let filters, let kernel, let bias, let activation, let tile, let y, let s):
      let (x, weights, packed, bias, y, s) = (
        try place(x), try place(kernel.operand), flag(kernel.packed), try place(bias), try place(y), try place(s)
      )
      let (window, groups, filters, activation) = (
        runtimeWindow(window), Int32(groups), Int32(filters), code(activation)
      )
      return { m in
        var w = window
        dlc_fast_conv2d(
          m.read(x), m.batch32, &w, groups, filters, m.read(weights), packed, m.read(bias), activation, tile,
          m.write(y), m.write(s), nil)
      }
    case .conv2DWinograd(let x, let window, let filters, let kernel, let bias, let activation, let tile, let y, let s):
      let (x, weights, packed, bias, y, s) = (
        try place(x), try place(kernel.operand), flag(kernel.packed), try place(bias), try place(y), try place(s)
      )
      let (window, filters, activation) = (runtimeWindow(window), Int32(filters), code(activation))
      return { m in
        var w = window
        dlc_fast_conv2d_winograd(
          m.read(x), m.batch32, &w, filters, m.read(weights), packed, m.read(bias), activation, tile, m.write(y),
          m.write(s), nil)
      }
    case .conv2DTranspose(let x, let w, let filters, let kernel, let bias, let y, let s):
      let (x, kernel, bias, y, s) = (try place(x), try place(kernel), try place(bias), try place(y), try place(s))
      let filters = Int32(filters)
      return { m in
        dlc_conv2d_transpose(
          m.read(x), m.batch32, Int32(w.inH), Int32(w.inW), Int32(w.channels), Int32(w.outH), Int32(w.outW),
          Int32(w.kh), Int32(w.kw), Int32(w.sh), Int32(w.sw), Int32(w.dh), Int32(w.dw), Int32(w.padTop),
          Int32(w.padLeft), filters, m.read(kernel), m.read(bias), m.write(y), m.write(s))
      }
    case .depthwise(let x, let window, let multiplier, let kernel, let bias, let y):
      let (x, kernel, bias, y) = (try place(x), try place(kernel), try place(bias), try place(y))
      let (window, multiplier) = (runtimeWindow(window), Int32(multiplier))
      return { m in
        var w = window
        dlc_depthwise(m.read(x), m.batch32, &w, multiplier, m.read(kernel), m.read(bias), m.write(y))
      }
    case .pool2D(let x, let window, let isMax, let y):
      let (x, y, window, isMax) = (try place(x), try place(y), runtimeWindow(window), flag(isMax))
      return { m in
        var w = window
        dlc_pool2d(m.read(x), m.batch32, &w, isMax, m.write(y))
      }
    case .masking(let x, let rows, let features, let value, let y):
      let (x, features, y) = (try place(x), Int32(features), try place(y))
      return { m in dlc_masking(m.read(x), m.long(rows), features, value, m.write(y)) }
    case .globalPool(let x, let positions, let channels, let isMax, let mask, let y):
      let (x, channels, isMax, y) = (try place(x), Int32(channels), flag(isMax), try place(y))
      let (maskKind, maskSource, maskFeatures) = (Int32(mask.kind), try place(mask.source), Int32(mask.features))
      return { m in
        dlc_global_pool(
          m.read(x), m.batch32, positions, channels, isMax, maskKind, m.raw(maskSource), maskFeatures, mask.value,
          m.write(y))
      }
    case .upsample(let x, let inH, let inW, let channels, let fh, let fw, let bilinear, let y):
      let (x, y, bilinear) = (try place(x), try place(y), flag(bilinear))
      return { m in
        dlc_upsample(
          m.read(x), m.batch32, Int32(inH), Int32(inW), Int32(channels), Int32(fh), Int32(fw), bilinear, m.write(y))
      }
    case .place(let x, let inH, let inW, let channels, let outH, let outW, let top, let left, let y):
      let (x, y) = (try place(x), try place(y))
      return { m in
        dlc_place(
          m.read(x), m.batch32, Int32(inH), Int32(inW), Int32(channels), Int32(outH), Int32(outW), Int32(top),
          Int32(left), m.write(y))
      }
    case .scaleShift(let x, let outer, let channels, let inner, let scale, let shift, let activation, let y):
      let (x, scale, shift, y) = (try place(x), try place(scale), try place(shift), try place(y))
      let (channels, activation) = (Int32(channels), code(activation))
      return { m in
        dlc_scale_shift(
          m.read(x), m.long(outer), channels, inner, m.read(scale), m.read(shift), activation, m.write(y))
      }
    case .layerNorm(let x, let outer, let width, let inner, let epsilon, let gamma, let beta, let rms, let y):
      let (x, gamma, beta, y) = (try place(x), try place(gamma), try place(beta), try place(y))
      let (width, rms) = (Int32(width), flag(rms))
      return { m in
        dlc_layer_norm(m.read(x), m.long(outer), width, inner, epsilon, m.read(gamma), m.read(beta), rms, m.write(y))
      }
    case .groupNorm(let x, let outer, let channels, let inner, let groups, let epsilon, let gamma, let beta, let y):
      let (x, gamma, beta, y) = (try place(x), try place(gamma), try place(beta), try place(y))
      let (channels, groups) = (Int32(channels), Int32(groups))
      return { m in
        dlc_group_norm(
          m.read(x), m.batch, outer, channels, inner, groups, epsilon, m.read(gamma), m.read(beta), m.write(y))
      }
    case .embedding(let ids, let count, let table, let rows, let width, let y):
      let (ids, table, y, tableRows, width) = (
        try place(ids), try place(table), try place(y), Int32(rows), Int32(width)
      )
      let (node, nodeName) = (self.node, self.nodeName)
      return { m in
        let source = m.raw(ids)?.assumingMemoryBound(to: Int32.self)
        if dlc_embedding(source, m.long(count), m.read(table), tableRows, width, m.write(y)) != 0 {
          throw badToken(source, count: m.long(count), rows: rows, node: node, nodeName: nodeName)
        }
      }
    case .combine(let op, let a, let b, let count, let activation, let y):
      let (op, a, b, activation, y) = (code(op), try place(a), try place(b), code(activation), try place(y))
      return { m in dlc_combine_same(op, m.read(a), m.read(b), m.long(count), activation, m.write(y)) }
    case .broadcast(let op, let a, let aStrides, let b, let bStrides, let shape, let y):
      let (op, a, b, y, shape) = (code(op), try place(a), try place(b), try place(y), shape.map { Int32($0) })
      return { m in
        let dims = [m.batch32] + shape
        dlc_broadcast(op, m.read(a), aStrides, m.read(b), bStrides, dims, Int32(dims.count), m.write(y))
      }
    case .affine(let x, let count, let scale, let offset, let y):
      let (x, y) = (try place(x), try place(y))
      return { m in dlc_affine(m.read(x), m.long(count), scale, offset, m.write(y)) }
    case .reluLayer(let x, let count, let maxValue, let slope, let threshold, let y):
      let (x, y) = (try place(x), try place(y))
      return { m in dlc_relu_layer(m.read(x), m.long(count), maxValue, slope, threshold, m.write(y)) }
    case .eluLayer(let x, let count, let alpha, let y):
      let (x, y) = (try place(x), try place(y))
      return { m in dlc_elu_layer(m.read(x), m.long(count), alpha, m.write(y)) }
    case .prelu(let x, let size, let alpha, let y):
      let (x, alpha, y) = (try place(x), try place(alpha), try place(y))
      return { m in dlc_prelu(m.read(x), m.batch, size, m.read(alpha), m.write(y)) }
    case .transpose(let x, let shape, let order, let y):
      let (x, y, shape, order) = (try place(x), try place(y), shape.map { Int32($0) }, order.map { Int32($0) })
      return { m in
        let dims = [m.batch32] + shape
        dlc_transpose(m.read(x), dims, order, Int32(order.count), m.write(y))
      }
    case .copyBlocks(let x, let outer, let width, let y, let stride):
      let (x, y) = (try place(x), try place(y))
      return { m in dlc_copy_blocks(m.read(x), m.long(outer), width, m.write(y), stride) }
    case .repeatRows(let x, let examples, let times, let features, let y):
      let (x, features, y) = (try place(x), Int32(features), try place(y))
      return { m in dlc_repeat(m.read(x), m.int(examples), m.int(times), features, m.write(y)) }
    case .l2Normalize(let x, let outer, let axis, let inner, let y):
      let (x, axis, y) = (try place(x), Int32(axis), try place(y))
      return { m in dlc_l2_normalize(m.read(x), m.long(outer), axis, inner, m.write(y)) }
    case .recurrent(let r):
      let (x, kernel, recurrentKernel, packed) = (
        try place(r.x), try place(r.kernel.operand), try place(r.recurrentKernel.operand), flag(r.kernel.packed)
      )
      let (bias, recurrentBias, maskSource) = (try place(r.bias), try place(r.recurrentBias), try place(r.mask.source))
      let (sequence, h, c, scratch) = (try place(r.sequence), try place(r.h), try place(r.c), try place(r.scratch))
      let (kind, steps, features, units) = (code(r.kind), Int32(r.steps), Int32(r.features), Int32(r.units))
      let (activation, recurrentActivation) = (code(r.activation), code(r.recurrentActivation))
      let (resetAfter, goBackwards, zeroOutput) = (
        flag(r.resetAfter), flag(r.goBackwards), flag(r.zeroOutputForMask)
      )
      let (maskKind, maskFeatures, maskValue) = (Int32(r.mask.kind), Int32(r.mask.features), r.mask.value)
      return { m in
        dlc_fast_recurrent(
          kind, m.read(x), m.batch32, steps, features, units, m.read(kernel), m.read(recurrentKernel), packed,
          m.read(bias), m.read(recurrentBias), activation, recurrentActivation, resetAfter, goBackwards, maskKind,
          m.raw(maskSource), maskFeatures, maskValue, zeroOutput, m.write(sequence), m.write(h), m.write(c),
          m.write(scratch), nil)
      }
    case .reverseSteps(let x, let steps, let width, let y):
      let (x, steps, width, y) = (try place(x), Int32(steps), Int32(width), try place(y))
      return { m in dlc_reverse_steps(m.read(x), m.batch32, steps, width, m.write(y)) }
    case .attention(let a):
      let (q, k, v, maskSource) = (try place(a.q), try place(a.k), try place(a.v), try place(a.mask.source))
      let (scores, context) = (try place(a.scores), try place(a.context))
      let (queryLength, keyLength, heads) = (Int32(a.queryLength), Int32(a.keyLength), Int32(a.heads))
      let (keyDim, valueDim, maskKind, maskFeatures) = (
        Int32(a.keyDim), Int32(a.valueDim), Int32(a.mask.kind), Int32(a.mask.features)
      )
      let (queryMasked, keyMasked, causal) = (
        flag(a.queryMasked), flag(a.keyMasked), flag(a.causal)
      )
      let (groups, maskValue) = (a.groups, a.mask.value)
      return { m in
        dlc_fast_attention(
          m.read(q), m.read(k), m.read(v), m.long(groups), queryLength, keyLength, heads, keyDim, valueDim, maskKind,
          m.raw(maskSource), maskFeatures, maskValue, queryMasked, keyMasked, causal, m.write(scores),
          m.write(context))
      }
    case .batchedGEMM(let rows, let columns, let inner, let a, let b, let c):
      let (a, b, c) = (try place(a), try place(b), try place(c))
      let (rows, columns, inner) = (Int32(rows), Int32(columns), Int32(inner))
      return { m in dlc_fast_batched_gemm(m.batch32, rows, columns, inner, m.read(a), m.read(b), m.write(c)) }
    case .elementwise(let steps, let operands, let count, let y):
      let program = steps.map { step -> dlc_step in
        let s = step.runtimeStep
        return dlc_step(
          op: Self.stepCodes[s.op] ?? 0, operand: Int32(s.operand), activation: code(s.activation), a: s.a, b: s.b,
          c: s.c)
      }
      let (places, y) = (try operands.map { try place($0) }, try place(y))
      return { m in
        let pointers = places.map { m.read($0) }
        dlc_fast_elementwise(program, Int32(program.count), pointers, m.long(count), m.write(y))
      }
    }
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

/// Why `dlc_embedding` refused: the first id outside the table, as the generated C would report it.
func badToken(_ ids: UnsafePointer<Int32>?, count: Int, rows: Int, node: NodeID, nodeName: String) -> Diagnostic {
  let values = ids.map { Array(UnsafeBufferPointer(start: $0, count: count)) } ?? []
  let position = values.firstIndex { $0 < 0 || Int($0) >= rows } ?? 0
  let id = values.isEmpty ? 0 : Int(values[position])
  return Diagnostic.error(
    "token id \(id) at position \(position) of \(nodeName)'s input is outside the embedding table (0..<\(rows))",
    node: node)
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

/// The runtime's `int` for a yes-or-no argument.
func flag(_ value: Bool) -> Int32 { value ? 1 : 0 }
