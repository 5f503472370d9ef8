// One step of the per-element program a fused run of element-wise layers computes (the
// ElementwiseChain op of fuse-elementwise-chains); layers say which steps they are (LayerTraits),
// and both backends run the program.
import DLCIR

/// The program of an ElementwiseChain node: a value starts as one operand and each step updates it.
public enum ElementwiseStep: Equatable, Sendable {
  /// The op of a fused run of element-wise layers, whose `steps` attribute is its program; only
  /// fuse-elementwise-chains creates it.
  public static let chainOp = "ElementwiseChain"

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
    case .relu(let maxValue, let slope, let threshold):
      return "relu \(maxValue.map { "\($0)" } ?? "none") \(slope) \(threshold)"
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
  public static func program(of node: Node) -> [ElementwiseStep]? { program(node.attributes) }

  /// The program an ElementwiseChain's attributes hold.
  public static func program(_ attributes: Attributes) -> [ElementwiseStep]? {
    guard case .list(let values)? = attributes[PassAttribute.steps.name] else { return nil }
    let steps = values.compactMap { $0.stringValue.flatMap(ElementwiseStep.init(text:)) }
    guard steps.count == values.count, case .load = steps.first else { return nil }
    return steps
  }
}
