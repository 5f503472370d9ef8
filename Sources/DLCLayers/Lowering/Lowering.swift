// Lowering: every node of a graph to kernel calls, and its weights to one array of constants packed
// as the kernels read them. Each layer says how it lowers, beside its shape rule (`LayerDef.lowering`);
// the result is a plain value the memory planner sizes scratch from and both backends run.
import DLCIR
import DLCSupport

/// How a layer becomes kernel calls.
public struct Lowering {
  /// Floats of working memory for a call of `shapes.maxBatch` examples, beyond the outputs.
  public var scratch: (LoweringShapes) -> Int
  public var lower: (LoweringContext) throws -> Void

  public init(
    scratch: @escaping (LoweringShapes) -> Int = { _ in 0 }, lower: @escaping (LoweringContext) throws -> Void
  ) {
    self.scratch = scratch
    self.lower = lower
  }

  /// Layers that compute nothing: views of their input, identities at inference.
  public static let nothing = Lowering { _ in }
}

/// A node's static shapes (without batch), its arguments and the largest batch it runs with.
public struct LoweringShapes {
  public var node: Node
  public var inputs: [TensorType]
  public var maxBatch: Int

  public init(node: Node, inputs: [TensorType], maxBatch: Int) {
    self.node = node
    self.inputs = inputs
    self.maxBatch = maxBatch
  }

  public var arguments: LayerApplication { LayerApplication(inputs: inputs, arguments: node.attributes) }
  /// The first input's dims.
  public var input: [Int] { inputs.first?.dims ?? [] }
  /// The input types the layer computes on, without a mask's source.
  public var dataInputs: [TensorType] { node.maskRule == nil ? inputs : Array(inputs.dropLast()) }
  public var output: [Int] { node.outputs.first?.dims ?? [] }
}

/// The model's constants: weights and what is derived from them at compile time, in one float array.
public final class ConstantPool {
  public private(set) var floats: [Float] = []

  public init() {}

  /// Where each weight (in one layout) already is: a shared layer's calls read one copy.
  private var offsets: [String: Int] = [:]

  /// Appends `values`, 16-float (64-byte) aligned, and returns their offset.
  func add(_ values: [Float]) -> Int {
    while floats.count % 16 != 0 { floats.append(0) }
    let offset = floats.count
    floats += values
    return offset
  }

  /// The offset of the constant known as `key`, added by `make` the first time.
  func add(key: String, _ make: () throws -> [Float]) rethrows -> Int {
    if let offset = offsets[key] { return offset }
    let offset = add(try make())
    offsets[key] = offset
    return offset
  }
}

/// How GEMM weight matrices are stored among the constants.
public enum WeightLayout: Sendable {
  /// As Keras stores them, for a BLAS library's GEMM (the interpreter's).
  case rowMajor
  /// Pre-packed into the runtime's panels, so the portable and vector kernels read them
  /// contiguously (generated C).
  case panels
}

/// What a layer's lowering sees and where its calls go.
public final class LoweringContext {
  public let shapes: LoweringShapes
  private let weights: (String) -> [Float]?
  private let constants: ConstantPool
  private let layout: WeightLayout
  public private(set) var calls: [KernelCall] = []

  init(
    shapes: LoweringShapes, weights: @escaping (String) -> [Float]?, constants: ConstantPool, layout: WeightLayout
  ) {
    self.shapes = shapes
    self.weights = weights
    self.constants = constants
    self.layout = layout
  }

  public var node: Node { shapes.node }
  public var arguments: LayerApplication { shapes.arguments }
  public var maxBatch: Int { shapes.maxBatch }

  public func input(_ index: Int = 0) -> Operand { Operand(.value(node.inputs[index])) }
  public func output(_ index: Int = 0) -> Operand { Operand(.value(ValueRef(node: node.id, output: index))) }
  /// The inputs the layer computes on, without a mask's source.
  public var dataInputs: [Operand] { node.dataInputs.map { Operand(.value($0)) } }
  public var scratch: Operand { Operand(.scratch) }

  /// Input and output dims without batch.
  public var inputDims: [Int] { shapes.input }
  public var outputDims: [Int] { shapes.output }
  public func inputDims(_ index: Int) -> [Int] { shapes.inputs[index].dims }
  public func outputDims(_ index: Int) -> [Int] { node.outputs[index].dims }

  public func emit(_ call: KernelCall) { calls.append(call) }

  /// The raw values of one of the layer's weights.
  public func values(_ name: String) throws -> [Float] {
    guard let values = weights("\(node.name)/\(name)") else {
      throw Diagnostic.error("\(node.name) (\(node.op)) has no weight '\(name)'", node: node.id)
    }
    return values
  }

  public func hasWeight(_ name: String) -> Bool { weights("\(node.name)/\(name)") != nil }

  /// y = x·scale + offset, element by element over the layer's one input.
  public func affineOfInput(scale: Double, offset: Double) {
    emit(
      .affine(
        x: input(), count: .perExample(inputDims.reduce(1, *)), scale: Float(scale), offset: Float(offset),
        y: output()))
  }

  /// Constants packed into the model's array.
  public func constant(_ values: [Float]) -> Operand { Operand(.constant, offset: constants.add(values)) }

  /// A weight as stored; `.none` for an absent optional one.
  public func weight(_ name: String) throws -> Operand {
    Operand(.constant, offset: try constants.add(key: "\(node.name)/\(name)") { try values(name) })
  }
  public func optionalWeight(_ name: String) throws -> Operand { hasWeight(name) ? try weight(name) : .none }

  /// A GEMM's B operand: `values` as a row-major `rows`×`columns` matrix whose columns form
  /// `groups` independent products, stored in the lowering's weight layout.
  public func matrix(_ values: [Float], rows: Int, columns: Int, groups: Int = 1) throws -> WeightMatrix {
    WeightMatrix(constant(try laidOut(values, rows: rows, columns: columns, groups: groups)), packed: layout == .panels)
  }

  /// One of the layer's weights as a GEMM's B operand (see `matrix(_:rows:columns:groups:)`),
  /// stored once however many calls of a shared layer read it.
  public func matrix(_ name: String, rows: Int, columns: Int, groups: Int = 1) throws -> WeightMatrix {
    try matrix(name, transformed: "", rows: rows, columns: columns, groups: groups) { $0 }
  }

  /// One of the layer's weights transformed when the model is compiled (`kind` names the
  /// transform), as a GEMM's B operand, stored once however many calls of a shared layer read it.
  public func matrix(
    _ name: String, transformed kind: String, rows: Int, columns: Int, groups: Int = 1,
    by transform: ([Float]) throws -> [Float]
  ) throws -> WeightMatrix {
    let offset = try constants.add(key: "\(node.name)/\(name) \(kind) \(rows)x\(columns)/\(groups)") {
      try laidOut(try transform(try values(name)), rows: rows, columns: columns, groups: groups)
    }
    return WeightMatrix(Operand(.constant, offset: offset), packed: layout == .panels)
  }

  /// `values` in the lowering's weight layout.
  private func laidOut(_ values: [Float], rows: Int, columns: Int, groups: Int) throws -> [Float] {
    guard values.count == rows * columns, groups > 0, columns % groups == 0 else {
      throw fail("internal error: \(values.count) weight values for a \(rows)×\(columns) matrix")
    }
    switch layout {
    case .rowMajor: return values
    case .panels: return Self.panels(values, rows: rows, columns: columns, groups: groups)
    }
  }

  /// The runtime's panel layout (`dlc_gemm_packed`): per group, its columns 16 at a time, each
  /// panel row after row, columns past the group's zero.
  static func panels(_ values: [Float], rows: Int, columns: Int, groups: Int) -> [Float] {
    let width = 16
    let groupColumns = columns / groups
    let panelsPerGroup = (groupColumns + width - 1) / width
    var packed = [Float](repeating: 0, count: groups * panelsPerGroup * rows * width)
    var index = 0
    for group in 0..<groups {
      for panel in 0..<panelsPerGroup {
        let first = group * groupColumns + panel * width
        let count = min(width, groupColumns - panel * width)
        for row in 0..<rows {
          for column in 0..<count { packed[index + column] = values[row * columns + first + column] }
          index += width
        }
      }
    }
    return packed
  }

  /// The `activation=` argument; absent or `none` is linear.
  public var activation: Activation { Activation.named(arguments.string(.activation)) ?? .linear }

  /// The activation when one value at a time will do: linear for the softmaxes, which need whole
  /// rows and are applied by `finishActivation`.
  public var elementwiseActivation: Activation { activation.isAxiswise ? .linear : activation }

  /// Applies the layer's activation over whole rows when `elementwiseActivation` could not.
  public func finishActivation(_ y: Operand, count: Int, width: Int) {
    if activation.isAxiswise { activate(y, count: count, width: width) }
  }

  /// Applies the layer's `activation=` in place on `y` (`count` floats per example) unless it is linear.
  public func activate(_ y: Operand, count: Int, width: Int) {
    guard activation != .linear else { return }
    emit(.activate(activation, x: y, count: .perExample(count), width: width))
  }

  /// The mask this node reads, from its last input.
  public var stepMask: StepMask {
    guard let rule = node.maskRule, let type = shapes.inputs.last else { return .none }
    let source = input(node.inputs.count - 1)
    switch rule {
    case .nonzeroTokens: return StepMask(kind: 1, source: source, features: 1, value: 0)
    case .notEqual(let value):
      return StepMask(kind: 2, source: source, features: type.dims.last ?? 1, value: Float(value))
    }
  }

  public func fail(_ message: String) -> Diagnostic { Diagnostic.error(message, node: node.id) }
}

/// A graph's nodes as kernel calls, in the graph's order, and the constants they read.
public struct LoweredGraph: Sendable {
  public struct Step: Sendable {
    public var node: NodeID
    public var calls: [KernelCall]
  }

  public var steps: [Step]
  public var constants: [Float]

  /// Lowers every layer of `graph` for calls of up to `maxBatch` examples; `weights` looks up a
  /// weight by its key (`dense/kernel`); `layout` says how GEMM weights are stored.
  public init(
    _ graph: Graph, weights: (String) -> [Float]?, maxBatch: Int, layout: WeightLayout,
    registry: LayerRegistry = .standard
  ) throws {
    let pool = ConstantPool()
    var steps: [Step] = []
    try withoutActuallyEscaping(weights) { weights in
      for node in graph.layers {
        guard let lowering = registry.definition(ofOp: node.op)?.lowering else {
          throw Diagnostic.error("dlc cannot lower \(node.op) layers yet", node: node.id)
        }
        let context = LoweringContext(
          shapes: LoweringShapes(node: node, inputs: node.inputs.map(graph.type(of:)), maxBatch: maxBatch),
          weights: weights, constants: pool, layout: layout)
        do {
          try lowering.lower(context)
        } catch var error as Diagnostic {
          error.node = error.node ?? node.id
          throw error
        }
        steps.append(Step(node: node.id, calls: context.calls))
      }
    }
    self.steps = steps
    self.constants = pool.floats
  }

  /// Floats of scratch node `node` needs for `maxBatch` examples.
  public static func scratchFloats(_ graph: Graph, maxBatch: Int, registry: LayerRegistry = .standard) -> (Node) -> Int
  {
    { node in
      registry.definition(ofOp: node.op)?.lowering?.scratch(
        LoweringShapes(node: node, inputs: node.inputs.map(graph.type(of:)), maxBatch: maxBatch)) ?? 0
    }
  }
}

extension LoweredGraph {
  /// The calls node by node, as `dlc ir --print-after-all` shows them: `%n` is a node's output,
  /// `const+k` and `scratch+k` are element offsets, `N` is the batch.
  public func text(_ graph: Graph) -> String {
    var text = ""
    for step in steps {
      let node = graph.nodes[step.node]
      text += "%\(node.id) \(node.name) (\(node.op))" + (step.calls.isEmpty ? ": nothing to compute\n" : ":\n")
      for call in step.calls { text += "  " + call.text + "\n" }
    }
    return text + "# constants: \(constants.count) floats\n"
  }
}

extension KernelCall {
  /// The call as one line: the runtime function and its arguments in order.
  public var text: String {
    let (function, arguments) = cCall
    return function + "(" + arguments.map(\.text).joined(separator: ", ") + ")"
  }
}

extension KernelArgument {
  var text: String {
    let ints = { (values: [Int]) in values.map(String.init).joined(separator: ", ") }
    switch self {
    case .tensor(let operand): return operand.text
    case .int(let value): return "\(value)"
    case .count(.fixed(let value), _): return "\(value)"
    case .count(.perExample(let value), _): return value == 1 ? "N" : "N*\(value)"
    case .float(let value): return "\(value)"
    case .symbol(let name): return name
    case .ints(let values, _, let batchFirst): return "{" + (batchFirst ? "N, " : "") + ints(values) + "}"
    case .window(let window): return "window{\(ints(window.fields))}"
    case .steps(let steps): return "[" + steps.map(\.text).joined(separator: "; ") + "]"
    case .tensors(let operands): return "[" + operands.map(\.text).joined(separator: ", ") + "]"
    case .parallel: return "threads"
    }
  }
}

extension Operand {
  var text: String {
    let offset = self.offset == 0 ? "" : "+\(self.offset)"
    switch base {
    case .value(let value): return "\(value)\(offset)"
    case .scratch: return "scratch\(offset)"
    case .constant: return "const\(offset)"
    case .none: return "NULL"
    }
  }
}
