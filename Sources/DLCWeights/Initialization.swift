// Keras-default initialization: each weight drawn from the distribution its layer's initializer
// names (`glorot_uniform` kernels, zero biases, orthogonal recurrent kernels, ...). The values are
// dlc's own deterministic draws from the same distributions, not Keras' random streams.
import DLCData
import DLCIR
import Foundation

public enum Initialization {
  /// Every parameter of the graph, keyed `<layer>/<variable>` in graph order.
  public static func initialize(_ graph: Graph, seed: UInt64 = 0) -> (
    weights: [(name: String, tensor: Tensor)], warnings: [String]
  ) {
    var weights: [(name: String, tensor: Tensor)] = []
    var warnings: [String] = []
    for node in graph.nodes {
      for parameter in node.ownedParameters {
        let key = WeightKey.of(node, parameter)
        var generator = SplitMix64(seed: seed, stream: key)
        let initializer =
          Initializer(parameter.initializer)
          ?? {
            let fallback: Initializer = parameter.shape.count >= 2 ? .glorotUniform : .zeros
            warnings.append(
              "\(key): dlc does not know the initializer '\(parameter.initializer)'; using \(fallback.kerasName)")
            return fallback
          }()
        weights.append((key, Tensor(shape: parameter.shape, floats: initializer.values(parameter.shape, &generator))))
      }
    }
    return (weights, warnings)
  }
}

/// The `<layer>/<variable>` key a weight has in safetensors files (spec §3).
public enum WeightKey {
  public static func of(_ node: Node, _ parameter: ParameterSpec) -> String { "\(node.name)/\(parameter.name)" }
}

/// The initializers Keras names by string, with Keras' defaults for their parameters.
public enum Initializer: Equatable {
  case zeros, ones
  case glorotUniform, glorotNormal, heUniform, heNormal, lecunUniform, lecunNormal
  case orthogonal
  /// `RandomUniform(-0.05, 0.05)`, Keras' `"uniform"`.
  case uniform
  /// `RandomNormal(0, 0.05)`.
  case normal
  /// `TruncatedNormal(0, 0.05)`.
  case truncatedNormal
  /// LSTM's bias with `unit_forget_bias=True`: ones for the forget gate, zeros elsewhere.
  case unitForgetBias
  /// Keras' `Constant(value)`, written `constant:VALUE` (LayerScale's `init_values`).
  case constant(Float)

  public init?(_ name: String) {
    if name.lowercased().hasPrefix("constant:"), let value = Float(name.dropFirst("constant:".count)) {
      self = .constant(value)
      return
    }
    switch name.lowercased() {
    case "zeros", "zero": self = .zeros
    case "ones", "one": self = .ones
    case "glorot_uniform", "glorotuniform": self = .glorotUniform
    case "glorot_normal", "glorotnormal": self = .glorotNormal
    case "he_uniform", "heuniform": self = .heUniform
    case "he_normal", "henormal": self = .heNormal
    case "lecun_uniform", "lecununiform": self = .lecunUniform
    case "lecun_normal", "lecunnormal": self = .lecunNormal
    case "orthogonal": self = .orthogonal
    case "uniform", "random_uniform", "randomuniform": self = .uniform
    case "normal", "random_normal", "randomnormal": self = .normal
    case "truncated_normal", "truncatednormal": self = .truncatedNormal
    case "unit_forget_bias": self = .unitForgetBias
    default: return nil
    }
  }

  var kerasName: String {
    switch self {
    case .zeros: return "zeros"
    case .ones: return "ones"
    case .constant: return "constant"
    case .glorotUniform: return "glorot_uniform"
    case .glorotNormal: return "glorot_normal"
    case .heUniform: return "he_uniform"
    case .heNormal: return "he_normal"
    case .lecunUniform: return "lecun_uniform"
    case .lecunNormal: return "lecun_normal"
    case .orthogonal: return "orthogonal"
    case .uniform: return "uniform"
    case .normal: return "normal"
    case .truncatedNormal: return "truncated_normal"
    case .unitForgetBias: return "unit_forget_bias"
    }
  }

  /// Keras' `compute_fans`: a kernel's last axis is its outputs, the one before its inputs, the rest
  /// its receptive field.
  static func fans(_ shape: [Int]) -> (fanIn: Double, fanOut: Double) {
    switch shape.count {
    case 0: return (1, 1)
    case 1: return (Double(shape[0]), Double(shape[0]))
    case 2: return (Double(shape[0]), Double(shape[1]))
    default:
      let receptive = Double(shape.dropLast(2).reduce(1, *))
      return (Double(shape[shape.count - 2]) * receptive, Double(shape[shape.count - 1]) * receptive)
    }
  }

  public func values(_ shape: [Int], _ generator: inout SplitMix64) -> [Float] {
    let count = shape.reduce(1, *)
    let (fanIn, fanOut) = Self.fans(shape)
    func uniform(limit: Double) -> [Float] { (0..<count).map { _ in Float(generator.uniform(-limit, limit)) } }
    // Variance scaling with a truncated normal: Keras divides the stddev by the truncated normal's own.
    func truncated(scale: Double) -> [Float] {
      let stddev = scale.squareRoot() / 0.879_625_661_034_239_8
      return (0..<count).map { _ in Float(generator.truncatedNormal() * stddev) }
    }
    switch self {
    case .zeros: return [Float](repeating: 0, count: count)
    case .ones: return [Float](repeating: 1, count: count)
    case .constant(let value): return [Float](repeating: value, count: count)
    case .glorotUniform: return uniform(limit: (6 / (fanIn + fanOut)).squareRoot())
    case .glorotNormal: return truncated(scale: 2 / (fanIn + fanOut))
    case .heUniform: return uniform(limit: (6 / fanIn).squareRoot())
    case .heNormal: return truncated(scale: 2 / fanIn)
    case .lecunUniform: return uniform(limit: (3 / fanIn).squareRoot())
    case .lecunNormal: return truncated(scale: 1 / fanIn)
    case .uniform: return uniform(limit: 0.05)
    case .normal: return (0..<count).map { _ in Float(generator.normal() * 0.05) }
    case .truncatedNormal: return (0..<count).map { _ in Float(generator.truncatedNormal() * 0.05) }
    case .orthogonal: return Self.orthogonal(shape, &generator)
    case .unitForgetBias:
      // (4·units): gates i, f, c, o.
      let units = count / 4
      return (0..<count).map { $0 >= units && $0 < 2 * units ? 1 : 0 }
    }
  }

  /// Keras' `Orthogonal`: the Q of a QR decomposition of a normal matrix, signs fixed so R's
  /// diagonal is positive; rows = product of all but the last axis, transposed when wide.
  static func orthogonal(_ shape: [Int], _ generator: inout SplitMix64) -> [Float] {
    let columns = shape.last ?? 1
    let rows = max(1, shape.count) == 1 ? 1 : shape.dropLast().reduce(1, *)
    let (tall, narrow) = (max(rows, columns), min(rows, columns))
    // q: tall × narrow, column-major for Gram–Schmidt.
    var q = [[Double]](repeating: [], count: narrow)
    for column in 0..<narrow { q[column] = (0..<tall).map { _ in generator.normal() } }
    for column in 0..<narrow {
      // Modified Gram–Schmidt, twice for stability; the positive norm makes R's diagonal positive.
      for _ in 0..<2 {
        for previous in 0..<column {
          let projection = zip(q[column], q[previous]).reduce(0) { $0 + $1.0 * $1.1 }
          for index in 0..<tall { q[column][index] -= projection * q[previous][index] }
        }
      }
      let norm = q[column].reduce(0) { $0 + $1 * $1 }.squareRoot()
      for index in 0..<tall { q[column][index] /= max(norm, 1e-12) }
    }
    var out = [Float](repeating: 0, count: rows * columns)
    for row in 0..<rows {
      for column in 0..<columns {
        // Tall: out = q (rows × columns). Wide: out = qᵀ.
        out[row * columns + column] = Float(rows >= columns ? q[column][row] : q[row][column])
      }
    }
    return out
  }
}
