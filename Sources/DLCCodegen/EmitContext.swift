// What a layer's C emitter sees: C expressions for its inputs, outputs and scratch, its weights
// (packed into the model's weight array on request), and a place to write its lines.
import DLCData
import DLCIR
import DLCLayers
import DLCSupport

/// The model's constants: weights and everything derived from them at compile time, one float array.
final class WeightPacker {
  private(set) var floats: [Float] = []

  /// Appends `values`, 16-float (64-byte) aligned, and returns their offset.
  func add(_ values: [Float]) -> Int {
    while floats.count % 16 != 0 { floats.append(0) }
    let offset = floats.count
    floats += values
    return offset
  }
}

/// One layer's emitter: how much scratch it needs, and its code. (Whether the output shares an
/// input's memory is the layer's `OutputMemory`, which the memory plan follows.)
struct LayerEmitter {
  /// Floats of scratch for a call of `maxBatch` examples.
  var scratch: (_ shapes: NodeShapes) -> Int = { _ in 0 }
  var emit: (_ context: EmitContext) throws -> Void

  init(
    scratch: @escaping (_ shapes: NodeShapes) -> Int = { _ in 0 },
    emit: @escaping (_ context: EmitContext) throws -> Void
  ) {
    self.scratch = scratch
    self.emit = emit
  }
}

/// A node's static shapes (without batch) and its arguments, for sizing scratch.
struct NodeShapes {
  var node: Node
  var inputs: [TensorType]
  var maxBatch: Int
  var arguments: LayerApplication { LayerApplication(inputs: inputs, arguments: node.attributes) }
  var input: [Int] { inputs.first?.dims ?? [] }
  /// The input types the layer computes on, without a mask's source.
  var dataInputs: [TensorType] { node.maskRule == nil ? inputs : Array(inputs.dropLast()) }
  var output: [Int] { node.outputs.first?.dims ?? [] }
}

final class EmitContext {
  let node: Node
  let shapes: NodeShapes
  /// C expressions: `const float *` (or `const int32_t *`) inputs, `float *` outputs and scratch.
  let inputs: [String]
  let outputs: [String]
  /// Arena offsets in floats (nil for model inputs), for layers that skip work the plan made unnecessary.
  let inputOffsets: [Int?]
  let outputOffsets: [Int?]
  let scratch: String
  private let weights: [String: Tensor]
  private let packer: WeightPacker
  private(set) var lines: [String] = []

  init(
    node: Node, shapes: NodeShapes, inputs: [String], outputs: [String], inputOffsets: [Int?], outputOffsets: [Int?],
    scratch: String, weights: [String: Tensor], packer: WeightPacker
  ) {
    self.node = node
    self.shapes = shapes
    self.inputs = inputs
    self.outputs = outputs
    self.inputOffsets = inputOffsets
    self.outputOffsets = outputOffsets
    self.scratch = scratch
    self.weights = weights
    self.packer = packer
  }

  var arguments: LayerApplication { shapes.arguments }
  var input: String { inputs[0] }
  /// The input expressions the layer computes on, without a mask's source.
  var dataInputs: [String] { node.maskRule == nil ? inputs : Array(inputs.dropLast()) }
  var output: String { outputs[0] }
  /// Input and output dims without batch.
  var inputDims: [Int] { shapes.input }
  var outputDims: [Int] { shapes.output }
  func inputDims(_ index: Int) -> [Int] { shapes.inputs[index].dims }
  func outputDims(_ index: Int) -> [Int] { node.outputs[index].dims }

  /// `count` elements per example times the runtime batch, as a C `long` expression.
  func perBatch(_ count: Int) -> String { "(long)batch * \(count)" }

  func line(_ text: String) { lines.append(text) }

  /// The raw values of one of the layer's weights.
  func values(_ name: String) throws -> [Float] {
    guard let tensor = weights["\(node.name)/\(name)"] else {
      throw Diagnostic.error("\(node.name) (\(node.op)) has no weight '\(name)'", node: node.id)
    }
    return tensor.floats
  }

  func hasWeight(_ name: String) -> Bool { weights["\(node.name)/\(name)"] != nil }

  /// A C expression for packed constants.
  func constant(_ values: [Float]) -> String { "W + \(packer.add(values))" }

  /// A weight as stored, or NULL when the layer has none by that name.
  func weight(_ name: String) throws -> String { constant(try values(name)) }
  func optionalWeight(_ name: String) throws -> String { hasWeight(name) ? try weight(name) : "NULL" }

  /// The C constant for an activation (`DLC_RELU`).
  func activation(_ name: String = "activation") -> String {
    let activation = Activation.named(arguments.string(name)) ?? .linear
    return "DLC_" + activation.rawValue.uppercased()
  }

  /// The activation's C constant when one value at a time will do: `DLC_LINEAR` for the softmaxes,
  /// which need whole rows and are left to `finishActivation`.
  var elementwiseActivation: String {
    let kind = activation()
    return kind == "DLC_SOFTMAX" || kind == "DLC_LOG_SOFTMAX" ? "DLC_LINEAR" : kind
  }

  /// Applies the activation over whole rows when `elementwiseActivation` could not.
  func finishActivation(_ buffer: String, count: Int, width: Int) {
    if elementwiseActivation != activation() { activate(buffer, count: count, width: width) }
  }

  /// Applies the layer's `activation=` in place on output `buffer` unless it is linear.
  func activate(_ buffer: String, count: Int, width: Int) {
    let kind = activation()
    guard kind != "DLC_LINEAR" else { return }
    line("dlc_activate(\(kind), \(buffer), \(perBatch(count)), \(width));")
  }

  /// The mask arguments of dlc_step_kept (kind, source, features, value) for the mask this node
  /// reads, whose source is its last input; "0, NULL, 0, 0.0f" when it reads none.
  var maskArguments: String {
    guard let rule = node.maskRule, let source = inputs.last, let type = shapes.inputs.last else {
      return "0, NULL, 0, 0.0f"
    }
    switch rule {
    case .nonzeroTokens: return "1, \(source), 1, 0.0f"
    case .notEqual(let value): return "2, \(source), \(type.dims.last ?? 1), \(cFloat(Float(value)))"
    }
  }

  func fail(_ message: String) -> Diagnostic { Diagnostic.error(message, node: node.id) }
}

/// A float as a C literal that reads back as the same float.
func cFloat(_ value: Float) -> String {
  if value.isInfinite { return value > 0 ? "HUGE_VALF" : "-HUGE_VALF" }
  if value.isNaN { return "NAN" }
  let text = "\(value)"
  return text.contains(".") || text.contains("e") ? text + "f" : text + ".0f"
}

func cInts(_ values: [Int]) -> String { values.map(String.init).joined(separator: ", ") }
