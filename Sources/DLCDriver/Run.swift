// Running a compiled model: weights (a file or Keras-default initialization), inputs from NumPy
// files checked against the model's inputs, the interpreter, and outputs to files or the terminal.
import DLCCodegen
import DLCData
import DLCIR
import DLCImport
import DLCInterpreter
import DLCLayers
import DLCPlanning
import DLCSupport
import DLCWeights
import Foundation

public enum Runner {
  /// The weights from `path`, bound to the graph, or — without a path — Keras-default
  /// initialization with `seed`; `notice` says which, for stderr.
  public static func weights(for compilation: Compilation, path: String?, seed: UInt64 = 0) throws -> (
    weights: [String: Tensor], notice: String?
  ) {
    guard let graph = compilation.graph else { throw compilation.failed }
    if path == nil, let imported = compilation.imported {
      return (try imported.weights.tensors(for: graph), nil)
    }
    guard let path else {
      let (weights, warnings) = try initialize(graph, seed: seed)
      let notice =
        (["note: no --weights given; using Keras-default initialization (seed \(seed))"]
        + warnings.map { "warning: \($0)" }).joined(separator: "\n") + "\n"
      return (Dictionary(weights.map { ($0.name, $0.tensor) }, uniquingKeysWith: { a, _ in a }), notice)
    }
    let file: SafeTensors
    do {
      file = try SafeTensors.read(path: path)
    } catch let diagnostic as Diagnostic {
      throw compilation.failure(diagnostic)
    }
    let binding = WeightBinding.bind(file, path: path, to: graph)
    guard binding.succeeded else {
      let weightsFile = SourceFile(path: path, bytes: [])
      let placed = { (diagnostics: [Diagnostic], file: SourceFile) in
        diagnostics.map { diagnostic -> Diagnostic in
          var placed = diagnostic
          placed.source = file
          return placed
        }
      }
      let all = placed(binding.modelDiagnostics, compilation.file) + placed(binding.fileDiagnostics, weightsFile)
      throw Diagnostic.together(all) ?? Diagnostic.error(file: path, "the weights do not fit the model")
    }
    return (binding.weights, nil)
  }

  /// Keras-default weights for `graph`, once the memory they need (the tensors, and as much again
  /// for the file they are written to) is known to be there.
  public static func initialize(_ graph: Graph, seed: UInt64) throws -> (
    weights: [(name: String, tensor: Tensor)], warnings: [String]
  ) {
    try requireMemory(Checked.product(graph.totalParameters, 4, 2), for: "the weights of '\(graph.name)'")
    return Initialization.initialize(graph, seed: seed)
  }

  /// Fails with a clear message, before allocating, when `bytes` cannot be had.
  public static func requireMemory(_ bytes: Int?, for what: String) throws {
    if let problem = MemoryBudget.problem(bytes, for: what) { throw Diagnostic.error(problem) }
  }

  /// One tensor per model input, from `--input` specs: `NAME=X.npy`, `X.npy` (the next input not
  /// yet given, in declaration order) or `X.npz` (arrays keyed by input name).
  /// With `shorterAlongVariable`, an input may be shorter than compiled for along its `none`
  /// dimensions (the caller then specializes the compilation to its sizes).
  public static func inputs(_ specs: [String], for graph: Graph, shorterAlongVariable: Bool = false) throws
    -> [Tensor]
  {
    let declared = graph.inputs
    var given: [String: (tensor: Tensor, origin: String)] = [:]
    var errors: [Diagnostic] = []
    // The archives read, with the arrays each held, so a missing input names where it was looked for.
    var archives: [(path: String, names: [String])] = []
    func assign(_ name: String, _ tensor: Tensor, _ origin: String) {
      guard declared.contains(where: { $0.name == name }) else {
        errors.append(
          Diagnostic.error(
            file: origin, "the model has no input '\(name)'\(NearestName.hint(name, among: declared.map(\.name)))"))
        return
      }
      if given[name] != nil {
        errors.append(Diagnostic.error(file: origin, "input '\(name)' is given twice (also by \(given[name]!.origin))"))
        return
      }
      given[name] = (tensor, origin)
    }
    do {
      for spec in specs {
        var (name, path): (String?, String) = (nil, spec)
        if let equals = spec.firstIndex(of: "="), isIdentifier(spec[..<equals]) {
          (name, path) = (String(spec[..<equals]), String(spec[spec.index(after: equals)...]))
        }
        if path.hasSuffix(".npz") {
          guard name == nil else {
            errors.append(
              Diagnostic.error(file: path, "a .npz file holds arrays named by input; give it without '\(name!)='"))
            continue
          }
          let arrays = try NumPy.readArchive(path: path)
          archives.append((path, arrays.map(\.name)))
          for (arrayName, tensor) in arrays { assign(arrayName, tensor, "\(path)[\(arrayName)]") }
        } else {
          let tensor = try NumPy.readArray(path: path)
          guard let target = name ?? declared.first(where: { given[$0.name] == nil })?.name else {
            errors.append(Diagnostic.error(file: path, "every input of the model already has a value"))
            continue
          }
          assign(target, tensor, path)
        }
      }
    } catch let error as Diagnostic {
      throw Diagnostic.together(errors + [error]) ?? error
    }
    var tensors: [Tensor] = []
    var batch: (size: Int, origin: String)?
    let hadErrors = !errors.isEmpty
    for input in declared {
      guard let (tensor, origin) = given[input.name] else {
        // After a misnamed input, "no value" would only repeat the same mistake.
        if !hadErrors {
          let searched = archives.map { archive in
            "\(archive.path) holds "
              + (archive.names.isEmpty ? "no arrays" : archive.names.map { "'\($0)'" }.joined(separator: ", "))
          }
          errors.append(
            Diagnostic.error(
              "no value for input '\(input.name)'\(searched.isEmpty ? "" : " (\(searched.joined(separator: "; ")))"); "
                + "pass --input \(input.name)=X.npy"))
        }
        continue
      }
      do {
        let checked = try check(tensor, for: input, origin: origin, shorterAlongVariable: shorterAlongVariable)
        if let batch, batch.size != checked.shape[0] {
          errors.append(
            Diagnostic.error(
              file: origin, "batch size \(checked.shape[0]) differs from \(batch.origin)'s \(batch.size)"))
        }
        batch = batch ?? (checked.shape[0], origin)
        tensors.append(checked)
      } catch let error as Diagnostic {
        errors.append(error)
      }
    }
    if let failure = Diagnostic.together(errors) { throw failure }
    return tensors
  }

  /// The tensor's shape is (batch, declared dims...) and its type fits the input: float32 for f32,
  /// int32 or int64 (within int32's range) for i32 token ids.
  static func check(_ tensor: Tensor, for input: Node, origin: String, shorterAlongVariable: Bool = false) throws
    -> Tensor
  {
    let type = input.outputs[0]
    let variable = Set(input.variableAxes[0] ?? [])
    let expected =
      "(N, "
      + type.dims.enumerated().map { shorterAlongVariable && variable.contains($0) ? "≤\($1)" : String($1) }
      .joined(separator: ", ") + ")"
    let fits = zip(tensor.shape.dropFirst(), type.dims).enumerated().allSatisfy { axis, sizes in
      sizes.0 == sizes.1 || (shorterAlongVariable && variable.contains(axis) && sizes.0 >= 1 && sizes.0 <= sizes.1)
    }
    if shorterAlongVariable, tensor.shape.count == type.dims.count + 1,
      let axis = variable.sorted().first(where: { tensor.shape[$0 + 1] > type.dims[$0] })
    {
      throw Diagnostic.error(
        file: origin,
        "input '\(input.name)' has size \(tensor.shape[axis + 1]) along its none dimension, more than the "
          + "\(type.dims[axis]) the model is compiled for",
        notes: ["give a larger maximum: --max-shape \(input.name)=\(tensor.shape[axis + 1])"])
    }
    guard tensor.shape.count == type.dims.count + 1, fits, tensor.shape[0] >= 1 else {
      let notes =
        Array(tensor.shape) == type.dims ? ["add the batch dimension first: x[None] or x.reshape(1, ...)"] : []
      throw Diagnostic.error(
        file: origin, "input '\(input.name)' has shape \(describeShape(tensor.shape)); the model expects \(expected)",
        notes: notes)
    }
    switch (type.dtype, tensor.elements) {
    case (.float32, .float32), (.int32, .int32): return tensor
    case (.int32, .int64(let values)):
      guard let bad = values.first(where: { $0 < Int64(Int32.min) || $0 > Int64(Int32.max) }) else {
        return Tensor(shape: tensor.shape, elements: .int32(values.map { Int32($0) }))
      }
      throw Diagnostic.error(file: origin, "input '\(input.name)' holds \(bad), which does not fit in int32")
    case (.int32, _):
      throw Diagnostic.error(
        file: origin,
        "input '\(input.name)' is \(tensor.elementType.rawValue); the model's i32 input takes int32 or int64 token ids",
        notes: ["convert it with x.astype(np.int32)"])
    case (.float32, _):
      throw Diagnostic.error(
        file: origin, "input '\(input.name)' is \(tensor.elementType.rawValue); the model expects float32",
        notes: ["convert it with x.astype(np.float32)"])
    }
  }

  static func isIdentifier(_ text: Substring) -> Bool {
    guard let first = text.first, first.isLetter || first == "_" else { return false }
    return text.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" }
  }

  /// Runs the interpreter on the memory plan the C backend would compile for this batch; a failure
  /// inside a layer is a diagnostic at that layer's call.
  public static func interpret(
    _ compilation: Compilation, weights: [String: Tensor], inputs: [Tensor],
    observe: ((Node, [Tensor]) throws -> Void)? = nil
  ) throws -> [(name: String, tensor: Tensor)] {
    guard let graph = compilation.graph else { throw compilation.failed }
    do {
      let plan = try CCodegen.memoryPlan(graph, maxBatch: max(1, inputs.first?.shape.first ?? 1))
      try requireMemory(plan.totalBytes, for: "the arena (\(plan.maxBatch) example\(plan.maxBatch == 1 ? "" : "s"))")
      let outputs = try Interpreter(graph: graph, weights: weights, plan: plan).run(inputs, observe: observe)
      return zip(graph.outputs, outputs).map { (graph.outputName(of: $0), $1) }
    } catch let diagnostic as Diagnostic {
      throw compilation.failure(diagnostic)
    }
  }

  /// Writes `.npy` (one output) or `.npz` (keyed by output name, in model order).
  public static func write(_ outputs: [(name: String, tensor: Tensor)], to path: String) throws {
    if path.hasSuffix(".npz") {
      try NumPy.writeArchive(outputs, path: path)
    } else {
      guard outputs.count == 1 else {
        throw Diagnostic.error(
          file: path, "the model has \(outputs.count) outputs; write them to a .npz file",
          notes: ["outputs: " + outputs.map(\.name).joined(separator: ", ")])
      }
      try NumPy.writeArray(outputs[0].tensor, path: path)
    }
  }

  /// A compact view for the terminal: each output's name, shape and its first values per example.
  public static func describe(_ outputs: [(name: String, tensor: Tensor)], valuesPerExample: Int = 8) -> String {
    var text = ""
    for (name, tensor) in outputs {
      text += "\(name): \(describeShape(tensor.shape)) \(tensor.elementType.rawValue)\n"
      let values = tensor.floats
      let batch = tensor.shape.first ?? 1
      let perExample = values.count / max(batch, 1)
      for example in 0..<batch {
        let shown = values[(example * perExample)..<(example * perExample + min(perExample, valuesPerExample))]
        let more = perExample > valuesPerExample ? " … (\(perExample) values)" : ""
        text += "  [\(example)] " + shown.map { String(format: "%.6g", $0) }.joined(separator: " ") + more + "\n"
      }
    }
    return text
  }
}

extension Runner {
  /// Random inputs for every model input: standard normal floats; token ids uniform over the
  /// smallest embedding table the model has (so every lookup is valid).
  public static func randomInputs(for graph: Graph, batch: Int, seed: UInt64) throws -> [Tensor] {
    let floats = Checked.product(batch, Checked.sum(graph.inputs.map { $0.outputs[0].elementCount }))
    try requireMemory(Checked.product(floats, 4), for: "random inputs of \(batch) examples")
    var generator = SplitMix64(seed: seed)
    let vocabulary =
      graph.nodes.compactMap { node in node.traits.tokenVocabulary?(node.attributes) }.min() ?? 2
    return graph.inputs.map { input in
      let type = input.outputs[0]
      let count = batch * type.elementCount
      if type.dtype == .int32 {
        return Tensor(
          shape: [batch] + type.dims,
          elements: .int32((0..<count).map { _ in Int32(generator.next() % UInt64(vocabulary)) }))
      }
      return Tensor(shape: [batch] + type.dims, floats: (0..<count).map { _ in Float(generator.normal()) })
    }
  }
}

/// How far one implementation's tensors are from another's.
public struct Discrepancy {
  public var name: String
  public var maxAbsoluteError: Float
  /// The reference's largest finite magnitude (at least 1e-3), which relative errors are measured against.
  public var scale: Float
  public var relativeError: Float { maxAbsoluteError / scale }

  public init(name: String, actual: Tensor, reference: Tensor) {
    self.name = name
    let (a, b) = (actual.floats, reference.floats)
    scale = max(b.lazy.filter(\.isFinite).map(abs).max() ?? 0, 1e-3)
    if actual.shape != reference.shape {
      maxAbsoluteError = .infinity
    } else {
      maxAbsoluteError = zip(a, b).map(Discrepancy.error).max() ?? 0
    }
  }

  /// How far one value is from the reference's: a NaN or an infinity must be matched exactly (NaN by
  /// NaN, +inf by +inf), as Keras propagates them; anything else is an infinite error.
  static func error(_ actual: Float, _ reference: Float) -> Float {
    if actual.isFinite && reference.isFinite { return abs(actual - reference) }
    if actual.isNaN && reference.isNaN { return 0 }
    return actual == reference ? 0 : .infinity
  }
}
