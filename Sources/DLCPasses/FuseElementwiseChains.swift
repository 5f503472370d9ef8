// A run of element-wise layers, each the only reader of the one before (Add → ReLU → Rescaling →
// Multiply …), becomes one ElementwiseChain node: a short program evaluated per element, so the C
// backend computes the whole run in one loop that reads each input once and writes the result
// once, instead of one pass over memory per layer. The node keeps the last layer's name (readers
// and outputs see the same value under the same name) and records the others in `fused`.
import DLCIR
import DLCLayers

/// The program of an ElementwiseChain node: a value starts as one operand and each step updates it.
public enum ElementwiseStep: Equatable, Sendable {
  public enum Combine: String, Sendable { case add, sub, rsub, mul, max, min }

  /// v = operand `index`.
  case load(Int)
  /// v = v op operand (`rsub`: operand − v).
  case combine(Combine, Int)
  /// v = v·scale + offset (Rescaling, Average's division).
  case scale(Double, Double)
  /// An element-wise activation by its `activation=` name.
  case activation(Activation)
  /// Keras' ReLU layer: capped at `maxValue`, identity from `threshold`, `slope`·(v − threshold) below.
  case relu(maxValue: Double?, slope: Double, threshold: Double)
  /// Keras' ELU layer: v, or alpha·(eᵛ − 1) below zero.
  case elu(Double)

  /// The step as the IR stores it: a word and its arguments (`add x1`, `scale 0.5 0.1`).
  public var text: String {
    switch self {
    case .load(let index): return "load x\(index)"
    case .combine(let op, let index): return "\(op.rawValue) x\(index)"
    case .scale(let scale, let offset): return "scale \(scale) \(offset)"
    case .activation(let activation): return "activation \(activation.rawValue)"
    case .relu(let maxValue, let slope, let threshold): return "relu \(maxValue.map { "\($0)" } ?? "none") \(slope) \(threshold)"
    case .elu(let alpha): return "elu \(alpha)"
    }
  }

  public init?(text: String) {
    let words = text.split(separator: " ").map(String.init)
    let operand = { (word: String) in word.hasPrefix("x") ? Int(word.dropFirst()) : nil }
    switch (words.first, words.count) {
    case ("load", 2):
      guard let index = operand(words[1]) else { return nil }
      self = .load(index)
    case ("scale", 3):
      guard let scale = Double(words[1]), let offset = Double(words[2]) else { return nil }
      self = .scale(scale, offset)
    case ("activation", 2):
      guard let activation = Activation.named(words[1]) else { return nil }
      self = .activation(activation)
    case ("relu", 4):
      guard let slope = Double(words[2]), let threshold = Double(words[3]) else { return nil }
      self = .relu(maxValue: Double(words[1]), slope: slope, threshold: threshold)
    case ("elu", 2):
      guard let alpha = Double(words[1]) else { return nil }
      self = .elu(alpha)
    case (let word?, 2):
      guard let op = ElementwiseStep.Combine(rawValue: word), let index = operand(words[1]) else { return nil }
      self = .combine(op, index)
    default:
      return nil
    }
  }

  /// The steps of an ElementwiseChain node; nil if its `steps` attribute is not a program.
  public static func program(of node: Node) -> [ElementwiseStep]? {
    guard case .list(let values)? = node.attributes["steps"] else { return nil }
    let steps = values.compactMap { $0.stringValue.flatMap(ElementwiseStep.init(text:)) }
    guard steps.count == values.count, case .load = steps.first else { return nil }
    return steps
  }
}

extension Passes {
  /// The op of a fused run of element-wise layers; it exists only after this pass.
  public static let elementwiseChainOp = "ElementwiseChain"

  static let combiningMerges: [String: ElementwiseStep.Combine] = [
    "Add": .add, "Subtract": .sub, "Multiply": .mul, "Maximum": .max, "Minimum": .min, "Average": .add,
  ]

  /// Whether `node` can be a link of a chain: element-wise, nothing broadcast, no softmax.
  static func isChainable(_ node: Node, in graph: Graph) -> Bool {
    guard node.outputs.count == 1, node.outputs[0].dtype == .float32,
      node.inputs.allSatisfy({ graph.type(of: $0) == node.outputs[0] })
    else { return false }
    let activation = node.attributes["activation"]?.stringValue.flatMap(Activation.named) ?? .linear
    switch node.op {
    case _ where combiningMerges[node.op] != nil, "Activation": return !activation.isAxiswise
    case "ReLU", "LeakyReLU", "ELU", "Rescaling": return true
    default: return false
    }
  }

  /// The steps that apply `node` to the running value `current` (nil: the chain's first node).
  static func steps(of node: Node, current: ValueRef?, operand: (ValueRef) -> Int) -> [ElementwiseStep] {
    let number = { (name: String, fallback: Double) in node.attributes[name]?.doubleValue ?? fallback }
    var steps: [ElementwiseStep] = []
    if current == nil {
      steps.append(.load(operand(node.inputs[0])))
    }
    if let combine = combiningMerges[node.op] {
      let position = current.flatMap { node.inputs.firstIndex(of: $0) } ?? 0
      if current == nil || position == 0 {
        for input in node.inputs.dropFirst() { steps.append(.combine(combine, operand(input))) }
      } else {
        // Two inputs, the running value second: a − v for Subtract; the others commute.
        steps.append(.combine(combine == .sub ? .rsub : combine, operand(node.inputs[0])))
      }
      if node.op == "Average" { steps.append(.scale(1 / Double(node.inputs.count), 0)) }
    }
    switch node.op {
    case "ReLU":
      let maxValue = node.attributes["max_value"].flatMap { $0.isNone ? nil : $0.doubleValue }
      steps.append(.relu(maxValue: maxValue, slope: number("negative_slope", 0), threshold: number("threshold", 0)))
    case "LeakyReLU":
      steps.append(.relu(maxValue: nil, slope: number("negative_slope", 0.3), threshold: 0))
    case "ELU":
      steps.append(.elu(number("alpha", 1)))
    case "Rescaling":
      steps.append(.scale(number("scale", 1), number("offset", 0)))
    default:
      break
    }
    if let activation = node.attributes["activation"]?.stringValue.flatMap(Activation.named), activation != .linear {
      steps.append(.activation(activation))
    }
    return steps
  }

  public static let fuseElementwiseChains = Pass(
    "fuse-elementwise-chains", "compute a run of element-wise layers (merges, activations, Rescaling) in one loop"
  ) { (graph: Graph) in
    var rewrite = GraphRewrite(graph)
    var linked: Set<NodeID> = []

    /// The next link after `node`: its output's only reader, reading it once, in no chain yet, and
    /// able to take a running value in that position (a merge of more than two inputs only as its first).
    func next(after node: Node) -> Node? {
      let value = ValueRef(node: node.id)
      guard !rewrite.isOutput(node.id), let readerID = rewrite.soleReader(of: node.id) else { return nil }
      let reader = graph.nodes[readerID]
      guard !linked.contains(readerID), isChainable(reader, in: graph), reader.inputs.filter({ $0 == value }).count == 1 else { return nil }
      if reader.inputs.count > 2 && reader.inputs[0] != value { return nil }
      return reader
    }

    for start in graph.nodes where !start.isInput && !linked.contains(start.id) && isChainable(start, in: graph) {
      var chain = [start]
      while let link = next(after: chain[chain.count - 1]) { chain.append(link) }
      guard chain.count >= 2 else { continue }
      linked.formUnion(chain.map(\.id))

      var operands: [ValueRef] = []
      func operand(_ value: ValueRef) -> Int {
        if let index = operands.firstIndex(of: value) { return index }
        operands.append(value)
        return operands.count - 1
      }
      var program: [ElementwiseStep] = []
      var current: ValueRef?
      for link in chain {
        program += steps(of: link, current: current, operand: operand)
        current = ValueRef(node: link.id)
      }
      let last = chain[chain.count - 1]
      var fused = last
      fused.op = elementwiseChainOp
      fused.inputs = operands
      fused.parameters = []
      fused.attributes = Attributes()
      fused.attributes["steps"] = .list(program.map { .string($0.text) })
      // Every layer the node stands for, including activations earlier passes fused into a link.
      let absorbed = chain.flatMap { link in
        (link.id == last.id ? [] : [link.name])
          + (link.attributes["fused"]?.stringValue.map { $0.components(separatedBy: ", ") } ?? [])
      }
      fused.attributes["fused"] = .string(absorbed.joined(separator: ", "))
      // The links' only readers were the next links, now all inside the fused node.
      for link in chain.dropLast() { rewrite.absorb(link.id, into: fused, readersRead: ValueRef(node: last.id)) }
    }
    return rewrite.result()
  }
}
