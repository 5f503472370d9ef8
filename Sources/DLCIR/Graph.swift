// The typed graph IR: nodes in creation (topological) order, each a layer application or an input.
import DLCSupport

public typealias NodeID = Int

/// One output of one node.
public struct ValueRef: Hashable, Sendable, CustomStringConvertible {
  public var node: NodeID
  public var output: Int

  public init(node: NodeID, output: Int = 0) {
    self.node = node
    self.output = output
  }

  public var description: String { "%\(node)" + (output == 0 ? "" : ".\(output)") }
}

/// A weight tensor a layer owns. Names follow Keras' variable paths below the layer (`kernel`, `forward/bias`).
public struct ParameterSpec: Hashable, Sendable {
  public var name: String
  public var shape: [Int]
  public var trainable: Bool
  /// Keras' default initializer for this variable (`glorot_uniform`, `zeros`, `ones`, `orthogonal`, `uniform`).
  public var initializer: String

  public init(_ name: String, _ shape: [Int], trainable: Bool = true, initializer: String) {
    self.name = name
    self.shape = shape
    self.trainable = trainable
    self.initializer = initializer
  }

  public var elementCount: Int { shape.reduce(1, *) }
}

/// A Keras model used as a layer of another: its name and class (`Sequential`).
public struct NestedModel: Hashable, Sendable {
  public var name: String
  public var kind: String

  public init(name: String, kind: String) {
    self.name = name
    self.kind = kind
  }
}

public struct Node: Sendable {
  public var id: NodeID
  /// The Keras layer name (`conv2d_1`), or the input's declared name.
  public var name: String
  /// The Keras class name (`Conv2D`), or `InputLayer` for a model input.
  public var op: String
  public var attributes: Attributes
  public var inputs: [ValueRef]
  public var outputs: [TensorType]
  public var parameters: [ParameterSpec]
  /// Where the layer was called (or the input declared); late errors point here.
  public var range: SourceRange?
  /// The block instances and nested models this node was created in, outermost first (`residual_1`).
  public var scope: [String]
  /// The outermost nested model (`Sequential([...])` used as a layer) the node belongs to: summaries
  /// show that model as one row, as Keras does.
  public var nestedModel: NestedModel?
  /// The axes (of `dims`, batch left out) of each output that have no fixed size: they follow an
  /// input's `none` dimension, and the shape here is the one compiled for (the maximum, or the
  /// size being run). Keras shows them as None.
  public var variableAxes: [Int: [Int]] = [:]
  /// Which call of its layer this node is (Keras' node index): 0, or k for the k-th reuse of a
  /// shared layer, whose node has the same name and reads the first call's weights.
  public var call = 0

  public init(
    id: NodeID, name: String, op: String, attributes: Attributes = Attributes(), inputs: [ValueRef] = [],
    outputs: [TensorType], parameters: [ParameterSpec] = [], range: SourceRange? = nil, scope: [String] = [],
    nestedModel: NestedModel? = nil
  ) {
    self.id = id
    self.name = name
    self.op = op
    self.attributes = attributes
    self.inputs = inputs
    self.outputs = outputs
    self.parameters = parameters
    self.range = range
    self.scope = scope
    self.nestedModel = nestedModel
  }

  public var isInput: Bool { op == Graph.inputOp }

  /// An output's dimensions as Keras shows them: nil (None) where the size varies.
  public func shownDims(_ output: Int) -> [Int?] {
    let variable = Set(variableAxes[output] ?? [])
    return outputs[output].dims.enumerated().map { variable.contains($0.offset) ? nil : $0.element }
  }
  /// The weights this node owns: a shared layer's later calls read the first call's.
  public var ownedParameters: [ParameterSpec] { call == 0 ? parameters : [] }
  public var parameterCount: Int { ownedParameters.reduce(0) { $0 + $1.elementCount } }
  public var trainableParameterCount: Int {
    ownedParameters.filter(\.trainable).reduce(0) { $0 + $1.elementCount }
  }
}

public struct Graph: Sendable {
  public static let inputOp = "InputLayer"

  public var name: String
  /// Declared a functional model (`model NAME functional`): summarized with its input rows even
  /// when it is a single chain, as Keras summarizes `keras.Model(inputs, outputs)`.
  public var isFunctional = false
  /// All nodes, inputs included, in topological order; a node's id is its index.
  public var nodes: [Node] = []
  public var outputs: [ValueRef] = []

  public init(name: String) {
    self.name = name
  }

  public var inputs: [Node] { nodes.filter(\.isInput) }
  /// Whether any input has a dimension of any size (`none`).
  public var hasVariableDimensions: Bool { inputs.contains { !$0.variableAxes.isEmpty } }
  public var layers: [Node] { nodes.filter { !$0.isInput } }

  public func type(of value: ValueRef) -> TensorType {
    nodes[value.node].outputs[value.output]
  }

  /// Appends a node, assigning its id.
  @discardableResult
  public mutating func add(_ node: Node) -> NodeID {
    var node = node
    node.id = nodes.count
    nodes.append(node)
    return node.id
  }

  /// For each node, the nodes that read any of its outputs, in order.
  public func consumers() -> [[NodeID]] {
    var result = [[NodeID]](repeating: [], count: nodes.count)
    for node in nodes {
      for input in node.inputs where !result[input.node].contains(node.id) {
        result[input.node].append(node.id)
      }
    }
    return result
  }

  /// How a value is named to users (summaries, output files): the layer's name, with `[k]` for
  /// one of several outputs. Brackets cannot occur in layer names, so these never collide.
  public func name(of value: ValueRef) -> String {
    let node = nodes[value.node]
    // A shared layer's later calls: Keras' `layer[node][tensor]`.
    if node.call > 0 { return "\(node.name)[\(node.call)][\(value.output)]" }
    return layerName(of: value)
  }

  /// The layer's name, with `[k]` for one of several outputs.
  private func layerName(of value: ValueRef) -> String {
    let node = nodes[value.node]
    return node.outputs.count > 1 ? "\(node.name)[\(value.output)]" : node.name
  }

  /// The layers called more than once (their nodes read the same weights).
  public var sharedLayerNames: Set<String> { Set(nodes.filter { $0.call > 0 }.map(\.name)) }

  /// How a model output is named to users (outputs of `dlc run`, the C header, summaries): as
  /// `name(of:)`, except that a nested model's output takes the model's name, as in Keras.
  public func outputName(of value: ValueRef) -> String {
    let plain = kerasName(of: value)
    // Two outputs of one shared layer would have one name: the later keeps its node index.
    let earlier = outputs.prefix { $0 != value }
    return earlier.contains { kerasName(of: $0) == plain } ? name(of: value) : plain
  }

  /// Keras' name for an output: the layer's (a nested model's when it is that model's output),
  /// with `[k]` for one of several outputs.
  private func kerasName(of value: ValueRef) -> String {
    let node = nodes[value.node]
    if let model = node.nestedModel, !nodes[(value.node + 1)...].contains(where: { $0.nestedModel == model }) {
      return model.name
    }
    return layerName(of: value)
  }

  public var totalParameters: Int { nodes.reduce(0) { $0 + $1.parameterCount } }
  public var trainableParameters: Int { nodes.reduce(0) { $0 + $1.trainableParameterCount } }
}
