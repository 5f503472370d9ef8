// What a kernel sees when the interpreter runs one node, and what it may throw.
import DLCData
import DLCIR
import DLCLayers
import DLCSupport

/// One node's execution: its inputs (batch first), its weights and its bound arguments.
public struct KernelCall {
  public let node: Node
  public let inputs: [Tensor]
  let weights: [String: Tensor]
  /// The node's arguments, read with the same accessors the layer's shape rule uses.
  public let arguments: LayerApplication

  init(node: Node, inputs: [Tensor], weights: [String: Tensor]) {
    self.node = node
    self.inputs = inputs
    self.weights = weights
    self.arguments = LayerApplication(
      inputs: node.inputs.indices.map { _ in TensorType(.float32, []) }, arguments: node.attributes)
  }

  public var batch: Int { inputs.first?.shape.first ?? 1 }

  /// The inputs the layer computes on, without a mask's source.
  public var dataInputs: [Tensor] { node.maskRule == nil ? inputs : Array(inputs.dropLast()) }

  /// For a node that reads a Keras mask: whether each (example, step) is kept, example-major.
  public var stepMask: [Bool]? {
    guard let rule = node.maskRule, let source = inputs.last else { return nil }
    switch rule {
    case .nonzeroTokens:
      return source.floats.map { $0 != 0 }
    case .notEqual(let value):
      return Self.rowsKept(source, maskValue: Float(value))
    }
  }

  /// Masking's rule: whether each row (the last axis) of `tensor` has a value other than `maskValue`.
  static func rowsKept(_ tensor: Tensor, maskValue: Float) -> [Bool] {
    let values = tensor.floats
    let features = Swift.max(tensor.shape.last ?? 1, 1)
    return (0..<(values.count / features)).map { row in
      values[(row * features)..<((row + 1) * features)].contains { $0 != maskValue }
    }
  }
  public var input: Tensor { inputs[0] }

  /// The full output shape (batch first) of output `index`, from the static type.
  public func outputShape(_ index: Int = 0) -> [Int] { [batch] + node.outputs[index].dims }

  public func hasWeight(_ name: String) -> Bool { weights["\(node.name)/\(name)"] != nil }

  public func weight(_ name: String) throws -> [Float] {
    guard let tensor = weights["\(node.name)/\(name)"] else {
      throw Diagnostic.error("\(node.name) (\(node.op)) has no weight '\(name)'")
    }
    return tensor.floats
  }

  public func optionalWeight(_ name: String) throws -> [Float]? {
    hasWeight(name) ? try weight(name) : nil
  }

  public func int(_ name: String) -> Int { arguments.int(name) }
  public func ints(_ name: String) -> [Int] { arguments.ints(name) }
  public func float(_ name: String) -> Float { Float(arguments.double(name)) }
  public func bool(_ name: String) -> Bool { arguments.bool(name) }
  public func string(_ name: String) -> String { arguments.string(name).lowercased() }
  public func isNone(_ name: String) -> Bool { arguments.isNone(name) }

  /// The `activation=` argument; absent or `none` is linear.
  public var activation: Activation { Activation.named(arguments.string("activation")) ?? .linear }

  /// An axis argument as an index into the full shape (batch is axis 0).
  public func axis(_ value: Int, rank: Int) -> Int { value < 0 ? value + rank : value }
}

/// A kernel computes a node's outputs from a call.
public typealias Kernel = (KernelCall) throws -> [Tensor]
