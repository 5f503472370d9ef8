// A lowered kernel call as C: the runtime function `KernelCall.cCall` names, its tensors as
// pointers into the arena, the inputs or the weights, and its constant arrays and windows declared
// just before it.
import DLCIR
import DLCLayers
import DLCPlanning
import DLCSupport

struct CallPrinter {
  let node: Node
  let plan: MemoryPlan
  /// A model value as a C expression (an input parameter or a pointer into the arena).
  let expression: (ValueRef) -> String

  func tensor(_ operand: Operand) throws -> String {
    guard let location = plan.location(of: operand, in: node.id) else {
      throw Diagnostic.error("internal error: \(node.name) uses a tensor the memory plan did not place", node: node.id)
    }
    switch (location, operand.base) {
    case (.arena(let elements), _): return "(A + \(elements))"
    case (.input(_, let elements), .value(let value)):
      return elements == 0 ? expression(value) : "(\(expression(value)) + \(elements))"
    case (.constant(let elements), _): return "W + \(elements)"
    default: return "NULL"
    }
  }

  /// The call's statement, in a block of its own when it declares constants. A call split by part
  /// (`KernelCall.partFunction`) passes the caller's threads with `part`, the name of its part
  /// function, and the layers' `frame`.
  func lines(_ call: KernelCall, part: String? = nil) throws -> [String] {
    let threads = part.map { "dlc_with_part(parallel, &layer_parallel, \($0), &frame)" } ?? "parallel"
    let (declarations, texts) = try argumentTexts(call, threads: threads)
    let invocation = "\(call.cCall.function)(\(texts.joined(separator: ", ")));"
    let statements = call.canFail ? ["status = \(invocation)", "if (status) return status;"] : [invocation]
    if declarations.isEmpty { return statements }
    return ["{"] + (declarations + statements).map { "  " + $0 } + ["}"]
  }

  /// The body of the call's part function: its constants, then its part function's call with the
  /// same arguments and the part's `index`; nil for a call that does not split by part.
  func partLines(_ call: KernelCall) throws -> [String]? {
    guard let function = call.partFunction else { return nil }
    let (declarations, texts) = try argumentTexts(call, threads: "parallel")
    return declarations + ["\(function)(\((texts + ["index"]).joined(separator: ", ")));"]
  }

  /// The call's arguments as C, with the constants they name declared first; `threads` stands for
  /// the caller's threads.
  func argumentTexts(_ call: KernelCall, threads: String) throws -> (declarations: [String], texts: [String]) {
    let arguments = call.cCall.arguments
    var declarations: [String] = []
    var texts: [String] = []
    func declare(_ prefix: String, _ text: (String) -> String) -> String {
      let name = "\(prefix)\(declarations.count)"
      declarations.append(text(name))
      return name
    }
    for argument in arguments {
      switch argument {
      case .tensor(let operand): texts.append(try tensor(operand))
      case .int(let value): texts.append("\(value)")
      case .count(.fixed(let value), _): texts.append("\(value)")
      case .count(.perExample(let value), let long):
        texts.append((long ? "(long)batch" : "batch") + (value == 1 ? "" : " * \(value)"))
      case .float(let value): texts.append(cFloat(value))
      case .symbol(let name): texts.append(name)
      case .ints(let values, let long, let batchFirst):
        let type = long ? "long" : "int"
        texts.append(
          batchFirst
            ? declare("shape") { "const \(type) \($0)[] = {batch, \(cInts(values))};" }
            : declare("a") { "static const \(type) \($0)[] = {\(cInts(values))};" })
      case .window(let window):
        texts.append("&" + declare("w") { "const dlc_window \($0) = {\(cInts(window.fields))};" })
      case .steps(let steps):
        let rows = steps.map { step -> String in
          let s = step.runtimeStep
          return "{\(s.op), \(s.operand), \(s.activation.runtimeName), "
            + "\(cFloat(s.a)), \(cFloat(s.b)), \(cFloat(s.c))}"
        }
        texts.append(declare("steps") { "static const dlc_step \($0)[] = {\(rows.joined(separator: ", "))};" })
      case .parallel: texts.append(threads)
      case .tensors(let operands):
        let pointers = try operands.map(tensor)
        texts.append(declare("operands") { "const float *const \($0)[] = {\(pointers.joined(separator: ", "))};" })
      }
    }
    return (declarations, texts)
  }
}

/// A float as a C literal that reads back as the same float.
func cFloat(_ value: Float) -> String {
  if value.isInfinite { return value > 0 ? "HUGE_VALF" : "-HUGE_VALF" }
  if value.isNaN { return "NAN" }
  let text = "\(value)"
  return text.contains(".") || text.contains("e") ? text + "f" : text + ".0f"
}

func cInts(_ values: [Int]) -> String { values.map(String.init).joined(separator: ", ") }
