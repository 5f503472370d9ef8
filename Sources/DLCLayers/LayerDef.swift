// A layer's definition: everything dlc knows about one Keras layer class, found through `LayerRegistry`.
import DLCIR
import DLCSupport

/// How many tensors a layer takes.
public enum Arity: Sendable {
  case one
  case exactly(Int)
  case range(ClosedRange<Int>)
  case atLeast(Int)

  public func accepts(_ count: Int) -> Bool {
    switch self {
    case .one: return count == 1
    case .exactly(let n): return count == n
    case .range(let range): return range.contains(count)
    case .atLeast(let n): return count >= n
    }
  }

  public var phrase: String {
    switch self {
    case .one: return "one input"
    case .exactly(let n): return "exactly \(n) inputs"
    case .range(let range): return "\(range.lowerBound) to \(range.upperBound) inputs"
    case .atLeast(let n): return "at least \(n) inputs"
    }
  }
}

/// What a shape rule, parameter rule or cost rule sees: the input types and the bound arguments.
public struct LayerApplication {
  public var inputs: [TensorType]
  public var arguments: Attributes

  public init(inputs: [TensorType], arguments: Attributes) {
    self.inputs = inputs
    self.arguments = arguments
  }

  /// The application a node of `graph` records: its data inputs' types and its arguments.
  public init(_ node: Node, in graph: Graph) {
    self.init(inputs: node.dataInputs.map(graph.type(of:)), arguments: node.attributes)
  }

  /// The only input of a single-input layer.
  public var input: TensorType { inputs.first ?? TensorType(.float32, []) }

  // Elaboration has bound every argument of the schema (a default where the call gave none), so a
  // missing value means the key is not this layer's: the fallbacks are never what a model reads.
  public func int(_ key: ArgumentKey<Int>) -> Int { arguments[key.name]?.intValue ?? 0 }
  public func ints(_ key: ArgumentKey<[Int]>) -> [Int] { arguments[key.name]?.intsValue ?? [] }
  public func double(_ key: ArgumentKey<Double>) -> Double { arguments[key.name]?.doubleValue ?? 0 }
  public func bool(_ key: ArgumentKey<Bool>) -> Bool { arguments[key.name]?.boolValue ?? false }
  public func string(_ key: ArgumentKey<String>) -> String { arguments[key.name]?.stringValue ?? "" }
  /// Whether an optional argument was left at `none`.
  public func isNone(_ key: ArgumentKey<[Int]>) -> Bool { arguments[key.name]?.isNone ?? true }
  public func isNone(_ key: ArgumentKey<Int>) -> Bool { arguments[key.name]?.isNone ?? true }
  public func isNone(_ key: ArgumentKey<Double>) -> Bool { arguments[key.name]?.isNone ?? true }
  public func isNone(_ key: ArgumentKey<[Double]>) -> Bool { arguments[key.name]?.isNone ?? true }
  /// A `.numbers` argument's values (one or one per channel).
  public func doubles(_ key: ArgumentKey<[Double]>) -> [Double] {
    guard case .list(let values)? = arguments[key.name] else { return [] }
    return values.compactMap(\.doubleValue)
  }
  /// Whether the layer's weights are trained (the common `trainable=` argument).
  public var trainable: Bool { arguments["trainable"]?.boolValue ?? true }

  /// The initializer to record for a weight: the user's string, else Keras' default.
  public func initializer(_ argument: String, default fallback: String) -> String {
    arguments[argument]?.stringValue ?? fallback
  }

  /// A weight, trainable unless the whole layer was frozen with `trainable=false`.
  public func weight(_ name: String, _ shape: [Int], initializer: String, trainable: Bool = true) -> ParameterSpec {
    ParameterSpec(name, shape, trainable: trainable && self.trainable, initializer: initializer)
  }
}

extension Diagnostic {
  /// An impossible shape found by a layer's shape rule, blaming `argument` when one is at fault.
  public static func shape(_ message: String, notes: [String] = [], argument: String? = nil) -> Diagnostic {
    var diagnostic = Diagnostic(.error, message, at: nil, notes: notes.map { DiagnosticNote($0) })
    diagnostic.argument = argument
    return diagnostic
  }
}

/// How a layer's output uses memory. Both backends honour it: the planner relies on it to share
/// bytes between tensors.
public enum OutputMemory: Equatable, Sendable {
  /// The output gets bytes of its own.
  case separate
  /// The output is the input's bytes read with another shape (Flatten, Reshape, and the identities
  /// of inference: Dropout and the noise layers); nothing is computed.
  case viewOfInput
  /// Output element i depends only on element i of each input, read before it is written, so the
  /// output may be written over its first or second input when that input is read nowhere later
  /// and has the output's size.
  case elementwise
}

/// What a layer does with a Keras mask arriving on its inputs (from `Embedding(mask_zero=true)` or
/// `Masking`), as Keras' `supports_masking` and `compute_mask` decide.
public enum MaskBehavior {
  /// Layers without `supports_masking`: the mask stops here (Keras warns, and so does dlc).
  case drops
  /// Computed as without a mask; the output carries the input's mask on.
  case propagates
  /// The layer reads the mask (recurrent layers, GlobalAveragePooling1D); the output carries it on
  /// when `passesOn` says so (recurrent layers returning sequences).
  case consumes(passesOn: (LayerApplication) -> Bool)
  /// MultiHeadAttention: the query's mask and the value's (and key's) mask hide attention scores;
  /// the output carries the query's mask on.
  case attends
  /// Keras would use the mask, and dlc does not implement that yet: a located error, never a silent
  /// wrong answer.
  case unsupported
}

/// Everything about one layer class: its Keras argument schema, shape rule, weights and cost.
public struct LayerDef {
  /// The Keras class name, as written in .dl files and shown in summaries.
  public let keras: String
  public let arity: Arity
  /// Arguments in Keras' positional order.
  public let arguments: [ArgumentSpec]
  /// The element type the inputs must have; nil accepts any (shape-only layers pass it through).
  public let inputDType: DType?
  /// Output types from input types; throws `Diagnostic.shape` for impossible shapes.
  public let outputTypes: (LayerApplication) throws -> [TensorType]
  /// The layer's weights, in Keras' variable order.
  public let parameters: (LayerApplication) -> [ParameterSpec]
  /// Multiply-accumulates for one example (for `dlc summary --macs`); nil when the count overflows.
  public let macs: (LayerApplication, [TensorType]) -> Int?

  /// `macs` of one of `graph`'s nodes, whose op this layer is.
  public func macs(of node: Node, in graph: Graph) -> Int? {
    macs(LayerApplication(node, in: graph), node.outputs)
  }
  /// Name prefixes of the sublayers Keras builds inside this layer; each uses up an auto-name
  /// (a Dropout after a MultiHeadAttention is `dropout_1`), so dlc reserves them too.
  public let internalLayers: [String]
  /// How the output's memory relates to the inputs', for the memory planner.
  public let memory: OutputMemory
  /// What happens to a mask on the inputs.
  public private(set) var maskBehavior: MaskBehavior = .drops
  /// The mask this layer starts (`Embedding(mask_zero=true)`, `Masking`), computed from its first input.
  public private(set) var producesMask: (LayerApplication) -> MaskRule? = { _ in nil }
  /// The Keras operation a functional model records for the mask this layer starts, which Keras'
  /// summary lists as a row (`NotEqual` for Embedding); nil where Keras records none.
  public internal(set) var maskOperation: String?
  /// What passes and the memory planner may do with it.
  public internal(set) var traits = LayerTraits()
  /// How it becomes kernel calls; nil for a layer no backend can run yet. A view computes nothing.
  public internal(set) var lowering: Lowering?
  /// Where a Keras 3 archive keeps the layer's variables, below the layer's own group, by the part
  /// of dlc's weight name before its last `/` (`query` → `query_dense`, `""` → `cell` for recurrent
  /// layers); a prefix not listed keeps its own name. The variables are numbered there in dlc's order.
  public internal(set) var archiveGroups: [String: String] = [:]

  /// The same layer, lowered by `lower` with `scratch` floats of working memory.
  public func lowered(
    scratch: @escaping (LoweringShapes) -> Int = { _ in 0 }, _ lower: @escaping (LoweringContext) throws -> Void
  ) -> LayerDef {
    lowered(by: Lowering(scratch: scratch, lower: lower))
  }

  public func lowered(by lowering: Lowering) -> LayerDef {
    var copy = self
    copy.lowering = lowering
    return copy
  }

  /// The same layer with its variables kept in these archive groups (see `archiveGroups`).
  func archived(in groups: [String: String]) -> LayerDef {
    var copy = self
    copy.archiveGroups = groups
    return copy
  }

  /// The same layer with its mask behaviour.
  public func masking(
    _ behavior: MaskBehavior, produces: @escaping (LayerApplication) -> MaskRule? = { _ in nil },
    recordedAs operation: String? = nil
  ) -> LayerDef {
    var copy = self
    copy.maskBehavior = behavior
    copy.producesMask = produces
    copy.maskOperation = operation
    return copy
  }

  public init(
    keras: String, arity: Arity = .one, arguments: [ArgumentSpec], inputDType: DType? = .float32,
    outputTypes: @escaping (LayerApplication) throws -> [TensorType],
    parameters: @escaping (LayerApplication) -> [ParameterSpec] = { _ in [] },
    macs: @escaping (LayerApplication, [TensorType]) -> Int? = { _, _ in 0 },
    internalLayers: [String] = [], memory: OutputMemory = .separate
  ) {
    self.keras = keras
    self.memory = memory
    self.internalLayers = internalLayers
    self.arity = arity
    self.arguments = arguments + ArgumentSpec.common
    self.inputDType = inputDType
    self.outputTypes = outputTypes
    self.parameters = parameters
    self.macs = macs
    if memory == .viewOfInput { self.lowering = .nothing }
  }

  /// A single-output layer whose rule maps one input type to one output type.
  public init(
    keras: String, arguments: [ArgumentSpec], inputDType: DType? = .float32,
    outputType: @escaping (LayerApplication) throws -> TensorType,
    parameters: @escaping (LayerApplication) -> [ParameterSpec] = { _ in [] },
    macs: @escaping (LayerApplication, [TensorType]) -> Int? = { _, _ in 0 }, memory: OutputMemory = .separate
  ) {
    self.init(
      keras: keras, arity: .one, arguments: arguments, inputDType: inputDType,
      outputTypes: { [try outputType($0)] }, parameters: parameters, macs: macs, memory: memory)
  }

  /// Keras' default layer name prefix: the class name in snake_case (`Conv2DTranspose` → `conv2d_transpose`).
  public var namePrefix: String { snakeCase(keras) }
}

/// Keras' `to_snake_case`: split before a capital that starts a lowercase run, then between lower and upper.
public func snakeCase(_ name: String) -> String {
  let characters = Array(name.filter { $0.isLetter || $0.isNumber || $0 == "_" })
  var firstPass: [Character] = []
  for (index, character) in characters.enumerated() {
    // "(.)([A-Z][a-z]+)" → "\1_\2"
    if index > 0, character.isUppercase, index + 1 < characters.count, characters[index + 1].isLowercase {
      firstPass.append("_")
    }
    firstPass.append(character)
  }
  var result: [Character] = []
  for (index, character) in firstPass.enumerated() {
    // "([a-z])([A-Z])" → "\1_\2"
    if index > 0, character.isUppercase, firstPass[index - 1].isLowercase {
      result.append("_")
    }
    result.append(character)
  }
  return String(result).lowercased()
}
