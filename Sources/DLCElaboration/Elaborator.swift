// Elaboration: expands blocks, resolves names, binds layer arguments, names layers as Keras does and
// types every node by asking its layer's shape rule. The result is a verified `Graph`.
import DLCFrontend
import DLCIR
import DLCLayers
import DLCSupport

public enum Elaborator {
  /// Builds the graph of a parsed model; errors go to `diagnostics`, and the graph is nil if any occurred.
  /// `sizes` gives inputs' `none` dimensions their sizes.
  public static func elaborate(
    _ file: ModelFile, registry: LayerRegistry = .standard, sizes: VariableSizes = VariableSizes(),
    diagnostics: DiagnosticEngine
  ) -> Graph? {
    let state = ElaborationState(file: file, registry: registry, sizes: sizes, diagnostics: diagnostics)
    state.run()
    return diagnostics.hasErrors ? nil : state.finish()
  }
}

/// A name's meaning in a scope.
enum Binding {
  /// A tensor: one output of a node, plus where the name was bound.
  case tensor(ValueRef)
  /// A constant block argument.
  case constant(Literal)
  /// A layer declared to be called several times (`encoder = Dense(64)`), by its declared name.
  case layer(String)
  /// The result of a statement that failed; uses stay silent so one mistake is reported once.
  case poisoned
}

/// Thrown after a diagnostic was reported, to abandon the current statement.
struct Abandon: Error {}

final class ElaborationState {
  let file: ModelFile
  let registry: LayerRegistry
  let sizes: VariableSizes
  let diagnostics: DiagnosticEngine
  var graph: Graph
  var blocks: [String: BlockDecl] = [:]
  /// Keras' per-prefix uid counters: the first `dense` is "dense", then "dense_1", …
  var nameCounters: [String: Int] = [:]
  var blockInstanceCounters: [String: Int] = [:]
  /// Where each layer or input name was first used, for duplicate-name errors.
  var namesInUse: [String: SourceRange] = [:]
  var blockStack: [String] = []
  var scopePath: [String] = []
  /// The outermost nested model being elaborated (`Sequential([...])` in a pipeline), if any.
  var nestedModel: NestedModel?
  /// Layers declared to be called several times, by declared name.
  var sharedLayers: [String: SharedLayer] = [:]
  static let maximumBlockDepth = 64
  /// Parameters of the layers created so far, kept below `Limits.maxParameters`.
  var parameterTotal = 0
  /// The Keras mask on each value that has one.
  var masks: [ValueRef: MaskOrigin] = [:]

  init(file: ModelFile, registry: LayerRegistry, sizes: VariableSizes, diagnostics: DiagnosticEngine) {
    self.file = file
    self.registry = registry
    self.sizes = sizes
    self.diagnostics = diagnostics
    self.graph = Graph(name: file.name.name)
    self.graph.isFunctional = file.functional
  }

  // MARK: - Top level

  func run() {
    collectBlocks()
    var scope: [String: Binding] = [:]
    for item in file.items where !diagnostics.isFull {
      switch item {
      case .block: continue
      case .input(let input): declareInput(input, in: &scope)
      case .assign(let assignment): assign(assignment, in: &scope)
      case .output(let output): addOutputs(output, in: &scope)
      case .layer(let layer): declareLayer(layer, in: &scope)
      }
    }
    warnAboutUncalledLayers()
    if graph.outputs.isEmpty && !diagnostics.hasErrors {
      diagnostics.report(
        .error(
          "model '\(file.name.name)' has no output", at: file.name.range,
          notes: [DiagnosticNote("add a statement such as 'output x -> Dense(10, activation=\"softmax\")'")]))
    }
    if graph.inputs.isEmpty && !diagnostics.hasErrors {
      diagnostics.report(
        .error(
          "model '\(file.name.name)' has no input", at: file.name.range,
          notes: [DiagnosticNote("declare one, as in 'input image: [28, 28, 1]'")]))
    }
  }

  func collectBlocks() {
    for case .block(let block) in file.items {
      if let previous = blocks[block.name.name] {
        diagnostics.report(
          .error(
            "block '\(block.name.name)' is defined twice", at: block.name.range,
            notes: [DiagnosticNote("first defined here", at: previous.name.range)]))
        continue
      }
      if registry[block.name.name] != nil || Self.nestedModelClasses.contains(block.name.name) {
        diagnostics.report(.error("block '\(block.name.name)' has the name of a layer", at: block.name.range))
        continue
      }
      var seen: [String: SourceRange] = [:]
      for parameter in block.parameters {
        if let first = seen[parameter.name.name] {
          diagnostics.report(
            .error(
              "block '\(block.name.name)' has two parameters named '\(parameter.name.name)'", at: parameter.name.range,
              notes: [DiagnosticNote("first declared here", at: first)]))
        }
        seen[parameter.name.name] = parameter.name.range
      }
      for case .block(let nested) in block.body {
        diagnostics.report(
          .error(
            "block '\(nested.name.name)' is declared inside block '\(block.name.name)'", at: nested.name.range,
            notes: [DiagnosticNote("declare blocks at the top level; blocks may call each other")]))
      }
      blocks[block.name.name] = block
    }
  }

  func declareInput(_ declared: InputDecl, in scope: inout [String: Binding]) {
    // A `none` dimension takes the size this elaboration is for.
    var input = declared
    var variableAxes: [Int] = []
    for (axis, dimension) in declared.dimensions.enumerated() where dimension.value == nil {
      input.dimensions[axis].value = sizes.size(input: declared.name.name, index: variableAxes.count)
      variableAxes.append(axis)
    }
    guard input.dimensions.allSatisfy({ ($0.value ?? 0) >= 1 }) else {
      scope[input.name.name] = .poisoned
      return
    }
    guard claim(name: input.name.name, at: input.name.range, auto: false) else {
      scope[input.name.name] = .poisoned
      return
    }
    let dimensions = input.dimensions.map { ($0.value ?? 0, $0.range) }
    if let (value, range) = dimensions.first(where: { $0.0 > Limits.maxDimension }) {
      diagnostics.report(
        .error(
          "too large: input dimension \(Limits.describe(value)) exceeds \(Limits.describe(Limits.maxDimension))",
          at: range))
      scope[input.name.name] = .poisoned
      return
    }
    if let message = Self.sizeProblem(dims: dimensions.map(\.0), what: "input '\(input.name.name)'") {
      diagnostics.report(.error(message, at: input.typeRange))
      scope[input.name.name] = .poisoned
      return
    }
    let dtype: DType = input.elementType == .i32 ? .int32 : .float32
    var node = Node(
      id: 0, name: input.name.name, op: Graph.inputOp, outputs: [TensorType(dtype, dimensions.map(\.0))],
      range: input.range)
    if !variableAxes.isEmpty { node.variableAxes = [0: variableAxes] }
    let id = graph.add(node)
    scope[input.name.name] = .tensor(ValueRef(node: id))
  }

  func assign(_ assignment: Assignment, in scope: inout [String: Binding]) {
    do {
      let values = try evaluate(assignment.pipeline, in: scope)
      guard values.count == assignment.targets.count else {
        let producer = describeProducer(of: assignment.pipeline, count: values.count)
        let names = (0..<values.count).map { "y\($0)" }.joined(separator: ", ")
        diagnostics.report(
          .error(
            "\(producer) \(values.count) output\(values.count == 1 ? "" : "s") but \(assignment.targets.count) "
              + "name\(assignment.targets.count == 1 ? " is" : "s are") bound", at: assignment.range,
            notes: values.count > 1 ? [DiagnosticNote("bind each output: '\(names) = ...'")] : []))
        throw Abandon()
      }
      for (target, value) in zip(assignment.targets, values) {
        scope[target.name] = .tensor(value)
      }
    } catch {
      for target in assignment.targets { scope[target.name] = .poisoned }
    }
  }

  func addOutputs(_ output: OutputStmt, in scope: inout [String: Binding]) {
    for pipeline in output.pipelines {
      guard let values = try? evaluate(pipeline, in: scope) else { continue }
      for value in values where !graph.outputs.contains(value) {
        graph.outputs.append(value)
      }
    }
  }

  private func describeProducer(of pipeline: Pipeline, count: Int) -> String {
    if let last = pipeline.calls.last { return "\(last.callee.name) produces" }
    return count == 1 ? "'\(pipeline.sources[0].name)' is" : "the tuple has"
  }

  // MARK: - Pipelines

  /// pipeline = source { "->" call }: the tensors it produces, in order.
  func evaluate(_ pipeline: Pipeline, in scope: [String: Binding]) throws -> [ValueRef] {
    var values = try pipeline.sources.map { try tensor(named: $0, in: scope) }
    for call in pipeline.calls {
      if case .layer(let key) = scope[call.callee.name] {
        values = try callShared(key, call: call, inputs: values, scope: scope)
      } else if let block = blocks[call.callee.name] {
        values = try expand(block, call: call, inputs: values, callerScope: scope)
      } else if Self.nestedModelClasses.contains(call.callee.name) {
        values = try applyNestedModel(call, inputs: values, scope: scope)
      } else if let definition = registry[call.callee.name] {
        values = try apply(definition, call: call, inputs: values, scope: scope)
      } else {
        let hint = NearestName.hint(
          call.callee.name, among: registry.names + blocks.keys.sorted() + Self.nestedModelClasses.sorted())
        diagnostics.report(.error("unknown layer or block '\(call.callee.name)'\(hint)", at: call.callee.range))
        throw Abandon()
      }
    }
    return values
  }

  func tensor(named identifier: Identifier, in scope: [String: Binding]) throws -> ValueRef {
    switch scope[identifier.name] {
    case .tensor(let value): return value
    case .poisoned: throw Abandon()
    case .constant:
      diagnostics.report(
        .error("'\(identifier.name)' is a constant block argument, not a tensor", at: identifier.range))
      throw Abandon()
    case .layer:
      diagnostics.report(
        .error(
          "'\(identifier.name)' is a layer, not a tensor", at: identifier.range,
          notes: [DiagnosticNote("call it on a tensor: 'y = x -> \(identifier.name)()'")]))
      throw Abandon()
    case nil:
      let tensors = scope.compactMap { name, binding -> String? in
        if case .tensor = binding { return name }
        return nil
      }.sorted()
      let hint = NearestName.hint(identifier.name, among: tensors)
      var notes: [DiagnosticNote] = []
      if blockStack.isEmpty == false && hint.isEmpty {
        notes.append(DiagnosticNote("a block sees only its parameters and its own names"))
      }
      diagnostics.report(.error("unknown name '\(identifier.name)'\(hint)", at: identifier.range, notes: notes))
      throw Abandon()
    }
  }

  // MARK: - Names

  /// Reserves a layer or input name; reports a duplicate.
  func claim(name: String, at range: SourceRange, auto: Bool) -> Bool {
    if let first = namesInUse[name] {
      var notes = [DiagnosticNote("first used here", at: first)]
      if auto { notes.append(DiagnosticNote("dlc names layers as Keras does; pass name=\"...\" to choose another")) }
      diagnostics.report(.error("the name '\(name)' is already used", at: range, notes: notes))
      return false
    }
    namesInUse[name] = range
    return true
  }

  /// Keras' auto-naming: the snake_case prefix, then `_1`, `_2`, … per prefix, in creation order.
  func autoName(_ prefix: String) -> String {
    let count = nameCounters[prefix, default: 0]
    nameCounters[prefix] = count + 1
    return count == 0 ? prefix : "\(prefix)_\(count)"
  }

  /// The name a layer gets: `name=` if given, else the next Keras auto-name.
  func layerName(_ definition: LayerDef, _ attributes: Attributes, _ call: LayerCall) -> String? {
    if let explicit = attributes["name"]?.stringValue {
      let range = call.arguments.first { $0.label == "name" }?.value.range ?? call.range
      guard isValidLayerName(explicit) else {
        diagnostics.report(
          .error(
            "layer name \"\(explicit)\" must start with a letter or '_' and contain only letters, digits, '_', '-' or '.'",
            at: range))
        return nil
      }
      return claim(name: explicit, at: range, auto: false) ? explicit : nil
    }
    let name = autoName(definition.namePrefix)
    return claim(name: name, at: call.range, auto: true) ? name : nil
  }

  func isValidLayerName(_ name: String) -> Bool {
    guard let first = name.unicodeScalars.first, first == "_" || first.properties.isAlphabetic else { return false }
    return name.unicodeScalars.allSatisfy {
      $0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_" || $0 == "-" || $0 == "."
    }
  }
}
