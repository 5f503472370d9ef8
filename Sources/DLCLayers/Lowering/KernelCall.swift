// What a layer lowers to: calls of the C runtime's kernels (codegen/runtime/dlc_runtime.h) over
// operands the memory plan places later. The C backend prints these calls; the interpreter makes
// them in-process through the same runtime compiled into dlc. The arithmetic exists once, in C.
import DLCIR

/// A kernel's tensor argument, before the memory plan says where anything lives.
public struct Operand: Hashable, Sendable {
  public enum Base: Hashable, Sendable {
    /// A layer's output or a model input, wherever the plan puts it.
    case value(ValueRef)
    /// The working memory the plan gives the node being lowered.
    case scratch
    /// The model's constants: its weights, packed as its kernels read them.
    case constant
    /// No tensor (C's NULL): an absent bias, an unused output.
    case none
  }

  public var base: Base
  /// Elements past the start of the base.
  public var offset: Int

  public init(_ base: Base, offset: Int = 0) {
    self.base = base
    self.offset = offset
  }

  public static let none = Operand(.none)

  public static func + (operand: Operand, elements: Int) -> Operand {
    Operand(operand.base, offset: operand.offset + elements)
  }
}

/// A weight matrix a GEMM reads as its B operand (k×n), and how it is laid out among the constants.
public struct WeightMatrix: Hashable, Sendable {
  public var operand: Operand
  /// Packed into the runtime's panels (`dlc_gemm_packed`: 16 columns at a time, row after row,
  /// zero-padded, each group's columns separately) rather than row-major as Keras stores it.
  public var packed: Bool

  public init(_ operand: Operand, packed: Bool) {
    self.operand = operand
    self.packed = packed
  }
}

/// A size known when the model is compiled, or `perExample` times the call's batch.
public enum Count: Hashable, Sendable {
  case fixed(Int)
  case perExample(Int)

  public func value(batch: Int) -> Int {
    switch self {
    case .fixed(let count): return count
    case .perExample(let count): return batch * count
    }
  }
}

/// The runtime's `dlc_window`: a 2-D window's sizes, strides, dilation and leading padding.
public struct SlidingWindow: Hashable, Sendable {
  public var inH, inW, channels, outH, outW, kh, kw, sh, sw, dh, dw, padTop, padLeft: Int

  public var fields: [Int] { [inH, inW, channels, outH, outW, kh, kw, sh, sw, dh, dw, padTop, padLeft] }
}

/// Where a kernel reads a Keras mask from: token ids (`kind` 1) or rows of features (`kind` 2).
public struct StepMask: Hashable, Sendable {
  public var kind: Int
  public var source: Operand
  public var features: Int
  public var value: Float

  /// No mask: every step kept.
  public static let none = StepMask(kind: 0, source: .none, features: 0, value: 0)
}

/// The runtime's element-wise combinations (`DLC_ADD`, …).
public enum CombineOp: String, CaseIterable, Hashable, Sendable {
  case add, subtract, multiply, maximum, minimum
}

/// The runtime's recurrent cells.
public enum CellKind: String, CaseIterable, Hashable, Sendable {
  case simpleRNN = "simple_rnn"
  case lstm, gru
}

/// An enumeration whose cases the runtime numbers with constants named `DLC_` and the case's raw
/// value in capitals (`DLC_RELU`, `DLC_ADD`, `DLC_LSTM`).
public protocol RuntimeEnumeration: RawRepresentable<String>, CaseIterable {}

extension RuntimeEnumeration {
  /// The runtime constant's name.
  public var runtimeName: String { "DLC_" + rawValue.uppercased() }
}

extension Activation: RuntimeEnumeration {}
extension CombineOp: RuntimeEnumeration {}
extension CellKind: RuntimeEnumeration {}

/// `dlc_recurrent`'s arguments: one direction of a recurrent layer.
public struct RecurrentCall: Hashable, Sendable {
  public var kind: CellKind
  public var x: Operand
  public var steps, features, units: Int
  /// Both kernels have the same layout.
  public var kernel, recurrentKernel: WeightMatrix
  public var bias, recurrentBias: Operand
  public var activation, recurrentActivation: Activation
  public var resetAfter, goBackwards: Bool
  public var mask: StepMask
  public var zeroOutputForMask: Bool
  public var sequence, h, c, scratch: Operand
}

/// `dlc_attention`'s arguments: scaled dot-product attention per group and head.
public struct AttentionCall: Hashable, Sendable {
  public var q, k, v: Operand
  public var groups: Count
  public var queryLength, keyLength, heads, keyDim, valueDim: Int
  public var mask: StepMask
  public var queryMasked, keyMasked, causal: Bool
  public var scores, context: Operand
}

/// One call of a runtime kernel. Sizes are in elements; `Count`s scale with the batch.
public enum KernelCall: Equatable, Sendable {
  case copy(x: Operand, count: Count, y: Operand)
  case activate(Activation, x: Operand, count: Count, width: Int)
  case dense(
    x: Operand, rows: Count, inner: Int, kernel: WeightMatrix, units: Int, bias: Operand, activation: Activation,
    y: Operand)
  case softmaxAxis(x: Operand, outer: Count, axis: Int, inner: Int, y: Operand)
  case conv2D(
    x: Operand, window: SlidingWindow, groups: Int, filters: Int, kernel: WeightMatrix, bias: Operand,
    activation: Activation, tile: Int, y: Operand, scratch: Operand)
  /// A 3×3, stride-1, undilated convolution by Winograd's F(2×2, 3×3): `kernel` is the transformed
  /// kernel, a channels × (16·filters) matrix in 16 column groups; `tile` blocks of 2×2 outputs at a time.
  case conv2DWinograd(
    x: Operand, window: SlidingWindow, filters: Int, kernel: WeightMatrix, bias: Operand, activation: Activation,
    tile: Int, y: Operand, scratch: Operand)
  /// `window` holds the input's and output's sizes, the kernel, strides, dilation, and the crop
  /// (in `padTop`, `padLeft`) of the full transposed output.
  case conv2DTranspose(
    x: Operand, window: SlidingWindow, filters: Int, kernel: Operand, bias: Operand, y: Operand, scratch: Operand)
  case depthwise(x: Operand, window: SlidingWindow, multiplier: Int, kernel: Operand, bias: Operand, y: Operand)
  case pool2D(x: Operand, window: SlidingWindow, isMax: Bool, y: Operand)
  case masking(x: Operand, rows: Count, features: Int, value: Float, y: Operand)
  case globalPool(x: Operand, positions: Int, channels: Int, isMax: Bool, mask: StepMask, y: Operand)
  case upsample(x: Operand, inH: Int, inW: Int, channels: Int, fh: Int, fw: Int, bilinear: Bool, y: Operand)
  case place(
    x: Operand, inH: Int, inW: Int, channels: Int, outH: Int, outW: Int, top: Int, left: Int, y: Operand)
  case scaleShift(
    x: Operand, outer: Count, channels: Int, inner: Int, scale: Operand, shift: Operand, activation: Activation,
    y: Operand)
  case layerNorm(
    x: Operand, outer: Count, width: Int, inner: Int, epsilon: Float, gamma: Operand, beta: Operand, rms: Bool,
    y: Operand)
  /// `channels` in `groups` runs, each normalized per example over its channels and all positions.
  case groupNorm(
    x: Operand, outer: Int, channels: Int, inner: Int, groups: Int, epsilon: Float, gamma: Operand, beta: Operand,
    y: Operand)
  /// Fails (the entry point returns the error code) on an id outside the table, before reading it.
  case embedding(ids: Operand, count: Count, table: Operand, rows: Int, width: Int, y: Operand)
  case combine(CombineOp, a: Operand, b: Operand, count: Count, activation: Activation, y: Operand)
  /// `shape` is the output's without batch; strides are batch first, zero along broadcast axes.
  case broadcast(CombineOp, a: Operand, aStrides: [Int], b: Operand, bStrides: [Int], shape: [Int], y: Operand)
  case affine(x: Operand, count: Count, scale: Float, offset: Float, y: Operand)
  case reluLayer(x: Operand, count: Count, maxValue: Float, slope: Float, threshold: Float, y: Operand)
  case eluLayer(x: Operand, count: Count, alpha: Float, y: Operand)
  /// alpha has one value per element of an example.
  case prelu(x: Operand, size: Int, alpha: Operand, y: Operand)
  /// `shape` without batch; `order` over all axes, batch (axis 0) first.
  case transpose(x: Operand, shape: [Int], order: [Int], y: Operand)
  case copyBlocks(x: Operand, outer: Count, width: Int, y: Operand, stride: Int)
  /// Each of `examples` rows of `features` floats, `times` times over.
  case repeatRows(x: Operand, examples: Count, times: Count, features: Int, y: Operand)
  case l2Normalize(x: Operand, outer: Count, axis: Int, inner: Int, y: Operand)
  case recurrent(RecurrentCall)
  case reverseSteps(x: Operand, steps: Int, width: Int, y: Operand)
  case attention(AttentionCall)
  /// Per example: c[m×n] = a[m×k]·b[k×n].
  case batchedGEMM(m: Int, n: Int, k: Int, a: Operand, b: Operand, c: Operand)
  /// A fused run of element-wise layers: `steps` run on each element of `operands`.
  case elementwise(steps: [ElementwiseStep], operands: [Operand], count: Count, y: Operand)
}

/// How a call's argument is spelled, for a backend that prints calls.
public enum KernelArgument: Equatable, Sendable {
  case tensor(Operand)
  case int(Int)
  /// A size that may scale with the batch; `long` for the runtime's `long` parameters.
  case count(Count, long: Bool)
  case float(Float)
  /// A runtime constant by name: `DLC_RELU`, `DLC_ADD`, `DLC_LSTM`.
  case symbol(String)
  /// A constant array: `int` or `long` elements, with the batch as a first element when `batchFirst`.
  case ints([Int], long: Bool, batchFirst: Bool)
  case window(SlidingWindow)
  case steps([ElementwiseStep])
  case tensors([Operand])
  /// The caller's threads (`dlc_parallel *`): the generated code's `parallel`, NULL in the interpreter.
  case parallel
}

extension KernelCall {
  /// The runtime function that computes one thread's part of this call, when the call splits among
  /// threads through a part function of the generated code's (`dlc_parallel.part`): it takes the
  /// call's own arguments and the part's index, so each part function makes a call with the layer's
  /// sizes written in, which the C compiler specializes as it does the call itself.
  public var partFunction: String? {
    switch self {
    case .conv2D: return "dlc_conv2d_part"
    case .conv2DWinograd: return "dlc_conv2d_winograd_part"
    default: return nil
    }
  }

  /// The runtime function and its arguments in order: the C backend prints exactly this, and the
  /// interpreter's in-process call passes the same values to the same function.
  public var cCall: (function: String, arguments: [KernelArgument]) {
    typealias A = KernelArgument
    let t = A.tensor
    func act(_ activation: Activation) -> A { .symbol(activation.runtimeName) }
    func op(_ op: CombineOp) -> A { .symbol(op.runtimeName) }
    func flag(_ value: Bool) -> A { .int(value ? 1 : 0) }
    func long(_ count: Count) -> A { .count(count, long: true) }
    func int(_ count: Count) -> A { .count(count, long: false) }
    let batch = A.count(.perExample(1), long: false)
    func mask(_ mask: StepMask) -> [A] { [.int(mask.kind), t(mask.source), .int(mask.features), .float(mask.value)] }
    switch self {
    case .copy(let x, let count, let y): return ("dlc_copy", [t(x), long(count), t(y)])
    case .activate(let activation, let x, let count, let width):
      return ("dlc_activate", [act(activation), t(x), long(count), .int(width)])
    case .dense(let x, let rows, let inner, let kernel, let units, let bias, let activation, let y):
      return (
        "dlc_dense",
        [
          t(x), int(rows), .int(inner), t(kernel.operand), flag(kernel.packed), .int(units), t(bias), act(activation),
          t(y), .parallel,
        ]
      )
    case .softmaxAxis(let x, let outer, let axis, let inner, let y):
      return ("dlc_softmax_axis", [t(x), long(outer), .int(axis), .count(.fixed(inner), long: true), .int(0), t(y)])
    case .conv2D(
      let x, let window, let groups, let filters, let kernel, let bias, let activation, let tile, let y, let s):
      return (
        "dlc_conv2d",
        [
          t(x), batch, .window(window), .int(groups), .int(filters), t(kernel.operand), flag(kernel.packed), t(bias),
          act(activation), .count(.fixed(tile), long: true), t(y), t(s), .parallel,
        ]
      )
    case .conv2DWinograd(let x, let window, let filters, let kernel, let bias, let activation, let tile, let y, let s):
      return (
        "dlc_conv2d_winograd",
        [
          t(x), batch, .window(window), .int(filters), t(kernel.operand), flag(kernel.packed), t(bias), act(activation),
          .count(.fixed(tile), long: true), t(y), t(s), .parallel,
        ]
      )
    case .conv2DTranspose(let x, let w, let filters, let kernel, let bias, let y, let s):
      return (
        "dlc_conv2d_transpose",
        [t(x), batch] + [w.inH, w.inW, w.channels, w.outH, w.outW, w.kh, w.kw, w.sh, w.sw, w.dh, w.dw].map(A.int)
          + [.int(w.padTop), .int(w.padLeft), .int(filters), t(kernel), t(bias), t(y), t(s)]
      )
    case .depthwise(let x, let window, let multiplier, let kernel, let bias, let y):
      return ("dlc_depthwise", [t(x), batch, .window(window), .int(multiplier), t(kernel), t(bias), t(y)])
    case .pool2D(let x, let window, let isMax, let y):
      return ("dlc_pool2d", [t(x), batch, .window(window), flag(isMax), t(y)])
    case .masking(let x, let rows, let features, let value, let y):
      return ("dlc_masking", [t(x), long(rows), .int(features), .float(value), t(y)])
    case .globalPool(let x, let positions, let channels, let isMax, let m, let y):
      return (
        "dlc_global_pool",
        [t(x), batch, .count(.fixed(positions), long: true), .int(channels), flag(isMax)] + mask(m) + [t(y)]
      )
    case .upsample(let x, let inH, let inW, let channels, let fh, let fw, let bilinear, let y):
      return ("dlc_upsample", [t(x), batch] + [inH, inW, channels, fh, fw].map(A.int) + [flag(bilinear), t(y)])
    case .place(let x, let inH, let inW, let channels, let outH, let outW, let top, let left, let y):
      return ("dlc_place", [t(x), batch] + [inH, inW, channels, outH, outW, top, left].map(A.int) + [t(y)])
    case .scaleShift(let x, let outer, let channels, let inner, let scale, let shift, let activation, let y):
      return (
        "dlc_scale_shift",
        [
          t(x), long(outer), .int(channels), .count(.fixed(inner), long: true), t(scale), t(shift), act(activation),
          t(y),
        ]
      )
    case .layerNorm(let x, let outer, let width, let inner, let epsilon, let gamma, let beta, let rms, let y):
      return (
        "dlc_layer_norm",
        [
          t(x), long(outer), .int(width), .count(.fixed(inner), long: true), .float(epsilon), t(gamma), t(beta),
          flag(rms), t(y),
        ]
      )
    case .groupNorm(let x, let outer, let channels, let inner, let groups, let epsilon, let gamma, let beta, let y):
      return (
        "dlc_group_norm",
        [
          t(x), long(.perExample(1)), .count(.fixed(outer), long: true), .int(channels),
          .count(.fixed(inner), long: true), .int(groups), .float(epsilon), t(gamma), t(beta), t(y),
        ]
      )
    case .embedding(let ids, let count, let table, let rows, let width, let y):
      return ("dlc_embedding", [t(ids), long(count), t(table), .int(rows), .int(width), t(y)])
    case .combine(let combine, let a, let b, let count, let activation, let y):
      return ("dlc_combine_same", [op(combine), t(a), t(b), long(count), act(activation), t(y)])
    case .broadcast(let combine, let a, let aStrides, let b, let bStrides, let shape, let y):
      return (
        "dlc_broadcast",
        [
          op(combine), t(a), .ints(aStrides, long: true, batchFirst: false), t(b),
          .ints(bStrides, long: true, batchFirst: false), .ints(shape, long: false, batchFirst: true),
          .int(shape.count + 1), t(y),
        ]
      )
    case .affine(let x, let count, let scale, let offset, let y):
      return ("dlc_affine", [t(x), long(count), .float(scale), .float(offset), t(y)])
    case .reluLayer(let x, let count, let maxValue, let slope, let threshold, let y):
      return ("dlc_relu_layer", [t(x), long(count), .float(maxValue), .float(slope), .float(threshold), t(y)])
    case .eluLayer(let x, let count, let alpha, let y):
      return ("dlc_elu_layer", [t(x), long(count), .float(alpha), t(y)])
    case .prelu(let x, let size, let alpha, let y):
      return ("dlc_prelu", [t(x), long(.perExample(1)), .count(.fixed(size), long: true), t(alpha), t(y)])
    case .transpose(let x, let shape, let order, let y):
      return (
        "dlc_transpose",
        [
          t(x), .ints(shape, long: false, batchFirst: true), .ints(order, long: false, batchFirst: false),
          .int(order.count), t(y),
        ]
      )
    case .copyBlocks(let x, let outer, let width, let y, let stride):
      return (
        "dlc_copy_blocks",
        [t(x), long(outer), .count(.fixed(width), long: true), t(y), .count(.fixed(stride), long: true)]
      )
    case .repeatRows(let x, let examples, let times, let features, let y):
      return ("dlc_repeat", [t(x), int(examples), int(times), .int(features), t(y)])
    case .l2Normalize(let x, let outer, let axis, let inner, let y):
      return ("dlc_l2_normalize", [t(x), long(outer), .int(axis), .count(.fixed(inner), long: true), t(y)])
    case .recurrent(let r):
      return (
        "dlc_recurrent",
        [
          .symbol(r.kind.runtimeName), t(r.x), batch, .int(r.steps), .int(r.features),
          .int(r.units), t(r.kernel.operand), t(r.recurrentKernel.operand), flag(r.kernel.packed), t(r.bias),
          t(r.recurrentBias), act(r.activation),
          act(r.recurrentActivation), flag(r.resetAfter), flag(r.goBackwards),
        ] + mask(r.mask) + [flag(r.zeroOutputForMask), t(r.sequence), t(r.h), t(r.c), t(r.scratch), .parallel]
      )
    case .reverseSteps(let x, let steps, let width, let y):
      return ("dlc_reverse_steps", [t(x), batch, .int(steps), .int(width), t(y)])
    case .attention(let a):
      return (
        "dlc_attention",
        [
          t(a.q), t(a.k), t(a.v), long(a.groups), .int(a.queryLength), .int(a.keyLength), .int(a.heads),
          .int(a.keyDim), .int(a.valueDim),
        ] + mask(a.mask) + [flag(a.queryMasked), flag(a.keyMasked), flag(a.causal), t(a.scores), t(a.context)]
      )
    case .batchedGEMM(let m, let n, let k, let a, let b, let c):
      return ("dlc_batched_gemm", [batch, .int(m), .int(n), .int(k), t(a), t(b), t(c)])
    case .elementwise(let steps, let operands, let count, let y):
      return ("dlc_elementwise", [.steps(steps), .int(steps.count), .tensors(operands), long(count), t(y)])
    }
  }

  /// Whether the call reports failure through its return value (`dlc_embedding`'s bad token id).
  public var canFail: Bool {
    if case .embedding = self { return true }
    return false
  }
}

extension ElementwiseStep {
  /// The runtime's `dlc_step` for this step: its op, operand and constants.
  public var runtimeStep: (op: String, operand: Int, activation: Activation, a: Float, b: Float, c: Float) {
    switch self {
    case .load(let index): return ("DLC_STEP_LOAD", index, .linear, 0, 0, 0)
    case .combine(let op, let index):
      return ("DLC_STEP_" + op.rawValue.uppercased(), index, .linear, 0, 0, 0)
    case .scale(let scale, let offset): return ("DLC_STEP_SCALE", 0, .linear, Float(scale), Float(offset), 0)
    case .activation(let activation): return ("DLC_STEP_ACTIVATION", 0, activation, 0, 0, 0)
    case .relu(let maxValue, let slope, let threshold):
      return ("DLC_STEP_RELU", 0, .linear, maxValue.map(Float.init) ?? .infinity, Float(slope), Float(threshold))
    case .elu(let alpha): return ("DLC_STEP_ELU", 0, .linear, Float(alpha), 0, 0)
    }
  }
}
