// A model's lowered kernel calls as a table the runtime's `dlc_run_calls` walks in C: each call the
// runtime function `KernelCall.cCall` names (the heavy ones run as `dlc_fast_…`, built for the best
// instruction set this CPU has) and the values it lists, in order — the same function, with the same
// arguments, that the generated C calls. The arguments are resolved to addresses and numbers once
// per run memory and batch; a run is then one call into C. Made from Swift, one closure per call,
// the calls cost half as much again as the arithmetic of a small model.
import CDLCRuntime
import DLCData
import DLCIR
import DLCLayers
import DLCPlanning
import DLCSupport

/// Where an operand lives: bytes past one of a run's base addresses (`RuntimeMemory.bases`).
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

/// The bytes a run works in: the arena and the model's inputs, as the plan lays them out, the
/// constants, the run's batch, and the call table's arguments resolved for them. Made once and reused
/// run after run, as a caller of the generated C reuses its arena (allocating them took as long as a
/// small model's arithmetic).
final class RuntimeMemory {
  let arena: UnsafeMutableRawPointer
  /// Each model input's elements (float32, or int32 token ids) in a buffer of its own, with room
  /// for the plan's largest batch.
  let inputs: [UnsafeMutableRawPointer]
  /// Zero (for `Place.none`), then the arena's, the constants' and each input's address, as `Place`
  /// numbers them.
  private let bases: UnsafeMutablePointer<UInt>
  /// The call table's arguments, then the arrays some of them point to, as `table` lays them out
  /// and resolved for `batch`.
  let arguments: UnsafeMutableRawPointer
  private let table: CallTable
  private(set) var batch = 0

  /// The arena starts zeroed; a later run finds what the one before left, as in the generated C.
  init(arenaBytes: Int, inputBytes: [Int], constants: UnsafePointer<Float>?, table: CallTable) {
    arena = UnsafeMutableRawPointer.allocate(byteCount: max(arenaBytes, 64), alignment: 64)
    arena.initializeMemory(as: UInt8.self, repeating: 0, count: max(arenaBytes, 64))
    inputs = inputBytes.map { UnsafeMutableRawPointer.allocate(byteCount: max($0, 4), alignment: 64) }
    let addresses = [0, UInt(bitPattern: arena), UInt(bitPattern: constants)] + inputs.map { UInt(bitPattern: $0) }
    bases = .allocate(capacity: addresses.count)
    bases.initialize(from: addresses, count: addresses.count)
    arguments = .allocate(byteCount: max(table.bytes, 8), alignment: 8)
    arguments.initializeMemory(as: UInt8.self, repeating: 0, count: max(table.bytes, 8))
    self.table = table
  }

  deinit {
    bases.deallocate()
    arena.deallocate()
    arguments.deallocate()
    for input in inputs { input.deallocate() }
  }

  /// Sets the run's batch, resolving the arguments again when it changes: counts that scale with
  /// the batch are the only values that differ from run to run.
  func resolve(batch: Int) {
    guard batch != self.batch else { return }
    self.batch = batch
    for write in table.writes {
      let at = arguments + write.offset
      switch write.value {
      case .integer(let value): store(value, at: at, wide: write.wide)
      case .perExample(let value): store(value &* batch, at: at, wide: write.wide)
      case .real(let value): at.storeBytes(of: value, as: Float.self)
      case .address(let place): at.storeBytes(of: UInt(bitPattern: address(place)), as: UInt.self)
      case .argumentBytes(let offset): at.storeBytes(of: UInt(bitPattern: arguments + offset), as: UInt.self)
      }
    }
  }

  private func store(_ value: Int, at: UnsafeMutableRawPointer, wide: Bool) {
    if wide {
      at.storeBytes(of: value, as: Int.self)
    } else {
      at.storeBytes(of: Int32(truncatingIfNeeded: value), as: Int32.self)
    }
  }

  /// Copies a run's inputs (already checked against the model's shapes and the buffers' room) in.
  func load(_ tensors: [Tensor], types: [DType], batch: Int) {
    resolve(batch: batch)
    // Each tensor read in place: a copy of it, retaining its arrays, took longer than copying it in.
    tensors.withUnsafeBufferPointer { tensors in
      for index in tensors.indices {
        let buffer = inputs[index]
        switch (types[index], tensors[index].elements) {
        case (.int32, .int32(let values)):
          values.withUnsafeBytes { buffer.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
        case (.int32, let elements):
          let ids = Tensor(shape: tensors[index].shape, elements: elements).floats.map { Int32(exactly: $0) ?? -1 }
          ids.withUnsafeBytes { buffer.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
        case (_, .float32(let values)):
          values.withUnsafeBytes { buffer.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
        default:
          tensors[index].floats.withUnsafeBytes { buffer.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
        }
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
  @inline(__always) func raw(_ place: Place) -> UnsafeRawPointer? { address(place).map { UnsafeRawPointer($0) } }

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
