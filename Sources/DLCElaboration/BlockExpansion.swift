// Expanding a block call: binds piped tensors and arguments to parameters, then elaborates the body afresh,
// so every call creates new layers (named in creation order, as a Python function building Keras layers would).
import DLCFrontend
import DLCIR
import DLCLayers
import DLCSupport

extension ElaborationState {
  func expand(_ block: BlockDecl, call: Call, inputs: [ValueRef], callerScope: [String: Binding]) throws -> [ValueRef] {
    let name = block.name.name
    if blockStack.contains(name) {
      let cycle = (blockStack.drop { $0 != name } + [name]).joined(separator: " → ")
      diagnostics.report(
        .error(
          "block '\(name)' calls itself (\(cycle))", at: call.callee.range,
          notes: [DiagnosticNote("blocks may call other blocks, but not recursively")]))
      throw Abandon()
    }
    guard blockStack.count < Self.maximumBlockDepth else {
      diagnostics.report(.error("blocks nest more than \(Self.maximumBlockDepth) deep", at: call.callee.range))
      throw Abandon()
    }
    var scope = try bindParameters(block, call: call, inputs: inputs, callerScope: callerScope)

    let instance = blockInstanceName(name)
    blockStack.append(name)
    scopePath.append(instance)
    diagnostics.context.append(DiagnosticNote("in block '\(name)' called here", at: call.range))
    defer {
      blockStack.removeLast()
      scopePath.removeLast()
      diagnostics.context.removeLast()
    }
    for item in block.body {
      if case .assign(let assignment) = item { assign(assignment, in: &scope) }
    }
    guard !block.returns.isEmpty else { throw Abandon() }
    var results: [ValueRef] = []
    for pipeline in block.returns {
      results += try evaluate(pipeline, in: scope)
    }
    return results
  }

  private func blockInstanceName(_ name: String) -> String {
    let count = blockInstanceCounters[name, default: 0]
    blockInstanceCounters[name] = count + 1
    return count == 0 ? name : "\(name)_\(count)"
  }

  /// Piped tensors bind to the first parameters; the call's arguments (positional, then named) to the rest.
  private func bindParameters(
    _ block: BlockDecl, call: Call, inputs: [ValueRef], callerScope: [String: Binding]
  ) throws -> [String: Binding] {
    let parameters = block.parameters
    let name = block.name.name
    guard inputs.count <= parameters.count else {
      diagnostics.report(
        .error(
          "block '\(name)' takes \(parameters.count) parameter\(parameters.count == 1 ? "" : "s"); "
            + "\(inputs.count) tensors were piped into it", at: call.callee.range,
          notes: [DiagnosticNote("block '\(name)' is defined here", at: block.name.range)]))
      throw Abandon()
    }
    var scope: [String: Binding] = [:]
    var failed = false
    for (parameter, value) in zip(parameters, inputs) {
      scope[parameter.name.name] = .tensor(value)
    }
    var next = inputs.count
    var sawLabel = false
    for argument in call.arguments {
      let index: Int
      if let label = argument.label {
        sawLabel = true
        guard let found = parameters.firstIndex(where: { $0.name.name == label.name }) else {
          let hint = NearestName.hint(label.name, among: parameters.map(\.name.name))
          diagnostics.report(.error("block '\(name)' has no parameter '\(label.name)'\(hint)", at: label.range))
          failed = true
          continue
        }
        index = found
      } else {
        if sawLabel {
          diagnostics.report(.error("positional argument follows a named argument", at: argument.range))
          failed = true
          continue
        }
        guard next < parameters.count else {
          diagnostics.report(
            .error(
              "block '\(name)' takes \(parameters.count) parameter\(parameters.count == 1 ? "" : "s"); this call gives too many",
              at: argument.range, notes: [DiagnosticNote("block '\(name)' is defined here", at: block.name.range)]))
          failed = true
          continue
        }
        index = next
        next += 1
      }
      let parameterName = parameters[index].name.name
      if scope[parameterName] != nil {
        diagnostics.report(
          .error(
            index < inputs.count
              ? "parameter '\(parameterName)' of block '\(name)' already receives the piped tensor"
              : "parameter '\(parameterName)' of block '\(name)' is given twice", at: argument.range))
        failed = true
        continue
      }
      // A block argument may name a tensor (unlike a layer argument): blocks are functions of tensors.
      if case .identifier(let word) = argument.value.kind, case .some(let binding) = callerScope[word] {
        scope[parameterName] = binding
      } else {
        do {
          scope[parameterName] = .constant(try literal(argument.value, in: callerScope))
        } catch {
          scope[parameterName] = .poisoned
        }
      }
    }
    for parameter in parameters where scope[parameter.name.name] == nil {
      if let defaultValue = parameter.defaultValue, let value = try? literal(defaultValue, in: [:]) {
        scope[parameter.name.name] = .constant(value)
      } else if !failed {  // after a misplaced or misspelled argument, "missing" would be noise
        diagnostics.report(
          .error(
            "block '\(name)' requires argument '\(parameter.name.name)'", at: call.range,
            notes: [DiagnosticNote("block '\(name)' is defined here", at: block.name.range)]))
        failed = true
      }
    }
    if failed { throw Abandon() }
    return scope
  }
}
