// A plan's lowered calls as `dlc_run_calls` takes them: one `dlc_call` per call, and the values of
// every argument as writes into a run memory's argument bytes, resolved there for its addresses and
// batch (`RuntimeMemory.resolve`). Each argument is encoded from `KernelCall.cCall`, the list the C
// backend prints, so the interpreter has no list of each kernel's arguments of its own.
import CDLCRuntime
import DLCIR
import DLCLayers
import DLCPlanning
import DLCSupport

/// A value for a run memory's argument bytes, before the memory is known.
enum ArgumentValue {
  case integer(Int)
  /// This many times the run's batch.
  case perExample(Int)
  case real(Float)
  /// A tensor's address in the run's memory; NULL for `Place.none`.
  case address(Place)
  /// The address of an array among the argument bytes themselves (a window, a shape).
  case argumentBytes(Int)
}

/// One value written `offset` bytes into the argument bytes: an integer 8 bytes `wide`, or 4.
struct ArgumentWrite {
  let offset: Int
  let value: ArgumentValue
  let wide: Bool
}

struct CallTable {
  /// Each call's function and first argument (a `dlc_argument` index), in the plan's order.
  private(set) var calls: [dlc_call] = []
  /// The node each call was lowered from, and the call, for a diagnostic when one fails.
  private(set) var sources: [(node: NodeID, nodeName: String, call: KernelCall)] = []
  private(set) var writes: [ArgumentWrite] = []
  /// The argument bytes' size: `dlc_argument`s for every call, then the arrays.
  private(set) var bytes = 0

  /// The table for `calls`, each lowered from `node` and bound to the places `plan` gives.
  init(_ calls: [(node: NodeID, call: KernelCall)], graph: Graph, plan: MemoryPlan) throws {
    var arrays = ArrayWriter()
    // One `dlc_argument` (8 bytes) each, in order.
    var arguments: [ArgumentValue] = []
    for (node, call) in calls {
      let binder = CallBinder(plan: plan, node: node, nodeName: graph.nodes[node].name)
      let (name, values) = call.cCall
      let function = dlc_called_function(name)
      guard function >= 0 else {
        throw Diagnostic.error("internal error: the interpreter does not call the runtime's \(name)", node: node)
      }
      self.calls.append(dlc_call(function: function, first: arguments.count))
      sources.append((node, binder.nodeName, call))
      arguments += try values.map { try binder.argument($0, arrays: &arrays) }
    }
    // The arrays follow the arguments.
    let start = arguments.count * 8
    writes = arguments.enumerated().map { index, value in
      if case .argumentBytes(let array) = value {
        return ArgumentWrite(offset: index * 8, value: .argumentBytes(start + array), wide: true)
      }
      return ArgumentWrite(offset: index * 8, value: value, wide: true)
    }
    writes += arrays.writes.map { ArgumentWrite(offset: start + $0.offset, value: $0.value, wide: $0.wide) }
    bytes = start + arrays.bytes
  }
}

/// Arrays some arguments point to, laid out one after another, each 8-byte aligned.
struct ArrayWriter {
  private(set) var writes: [ArgumentWrite] = []
  private(set) var bytes = 0

  /// Adds an array of `values`, each 8 bytes `wide` or 4, and returns its offset.
  mutating func add(_ values: [ArgumentValue], wide: Bool) -> Int {
    let start = (bytes + 7) / 8 * 8
    let size = wide ? 8 : 4
    writes += values.enumerated().map { ArgumentWrite(offset: start + $0.offset * size, value: $0.element, wide: wide) }
    bytes = start + values.count * size
    return start
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

  /// The value `dlc_run_calls` passes for `argument`, as the C backend prints it (`CallPrinter`).
  func argument(_ argument: KernelArgument, arrays: inout ArrayWriter) throws -> ArgumentValue {
    switch argument {
    case .tensor(let operand): return .address(try place(operand))
    case .int(let value): return .integer(value)
    case .count(.fixed(let value), _): return .integer(value)
    case .count(.perExample(let value), _): return .perExample(value)
    case .float(let value): return .real(value)
    case .symbol(let name):
      guard let value = runtimeConstants[name] else {
        throw Diagnostic.error("internal error: the interpreter does not know the runtime's \(name)", node: node)
      }
      return .integer(Int(value))
    case .ints(let values, let long, let batchFirst):
      return .argumentBytes(
        arrays.add((batchFirst ? [.perExample(1)] : []) + values.map { .integer($0) }, wide: long))
    case .window(let window):
      return .argumentBytes(arrays.add(window.fields.map { .integer($0) }, wide: false))
    case .steps(let steps):
      // `dlc_step`: three ints, then three floats.
      let fields = try steps.flatMap { step -> [ArgumentValue] in
        let s = step.runtimeStep
        guard let op = runtimeConstants[s.op] else {
          throw Diagnostic.error("internal error: the interpreter does not know the runtime's \(s.op)", node: node)
        }
        return [
          .integer(Int(op)), .integer(s.operand), .integer(Int(code(s.activation))), .real(s.a), .real(s.b), .real(s.c),
        ]
      }
      return .argumentBytes(arrays.add(fields, wide: false))
    case .tensors(let operands):
      return .argumentBytes(arrays.add(try operands.map { .address(try place($0)) }, wide: true))
    case .parallel:
      // One thread: no `dlc_parallel`.
      return .address(.none)
    }
  }
}

/// The runtime's constants by the names generated C uses for them.
let runtimeConstants: [String: Int32] = {
  var constants: [String: Int32] = [
    "DLC_STEP_LOAD": Int32(DLC_STEP_LOAD), "DLC_STEP_ADD": Int32(DLC_STEP_ADD), "DLC_STEP_SUB": Int32(DLC_STEP_SUB),
    "DLC_STEP_RSUB": Int32(DLC_STEP_RSUB), "DLC_STEP_MUL": Int32(DLC_STEP_MUL), "DLC_STEP_MAX": Int32(DLC_STEP_MAX),
    "DLC_STEP_MIN": Int32(DLC_STEP_MIN), "DLC_STEP_SCALE": Int32(DLC_STEP_SCALE),
    "DLC_STEP_ACTIVATION": Int32(DLC_STEP_ACTIVATION), "DLC_STEP_RELU": Int32(DLC_STEP_RELU),
    "DLC_STEP_ELU": Int32(DLC_STEP_ELU),
  ]
  for activation in Activation.allCases { constants[activation.runtimeName] = code(activation) }
  for op in CombineOp.allCases { constants[op.runtimeName] = code(op) }
  for kind in CellKind.allCases { constants[kind.runtimeName] = code(kind) }
  return constants
}()
