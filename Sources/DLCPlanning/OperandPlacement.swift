// Where a lowered call's operands live once the memory plan has placed every tensor: both backends
// resolve operands here, so the C code and the interpreter touch the same bytes.
import DLCIR
import DLCLayers

/// An operand's memory: `elements` floats into the arena, a model input, the constants, or none.
public enum OperandLocation: Hashable, Sendable {
  case arena(elements: Int)
  case input(index: Int, elements: Int)
  case constant(elements: Int)
  case none
}

extension MemoryPlan {
  /// Where `operand` of a call lowered from node `node` lives; nil for a value the plan does not
  /// hold (a bug in the lowering or the plan).
  public func location(of operand: Operand, in node: NodeID) -> OperandLocation? {
    switch operand.base {
    case .value(let value):
      switch placement[value] {
      case .input(let index): return .input(index: index, elements: operand.offset)
      case .arena(let buffer, let offset):
        return .arena(elements: (arena.offsets[buffer] + offset) / 4 + operand.offset)
      case nil: return nil
      }
    case .scratch:
      // A layer that asked for no scratch (a 1×1 convolution) passes the kernel NULL.
      return scratchOffset(of: node).map { .arena(elements: $0 / 4 + operand.offset) } ?? OperandLocation.none
    case .constant: return .constant(elements: operand.offset)
    case .none: return OperandLocation.none
    }
  }

  /// Each node's calls that still have work to do under this plan: what both backends run.
  public func callsToRun(_ lowered: LoweredGraph) -> [NodeID: [KernelCall]] {
    Dictionary(
      lowered.steps.map { step in (step.node, step.calls.filter { !elides($0, in: step.node) }) },
      uniquingKeysWith: { first, _ in first })
  }

  /// Whether the plan made a call unnecessary: a copy whose source is its destination (a
  /// concatenation's input written straight into its slice, an activation computed in place).
  public func elides(_ call: KernelCall, in node: NodeID) -> Bool {
    switch call {
    case .copy(let x, _, let y), .copyBlocks(let x, _, _, let y, _):
      return location(of: x, in: node) == location(of: y, in: node)
    default:
      return false
    }
  }
}
