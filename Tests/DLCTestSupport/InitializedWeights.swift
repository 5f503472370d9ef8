// Weights for tests that need some but not particular ones: Keras-default initialization, keyed
// as the backends look them up (`dense/kernel`).
import DLCData
import DLCIR
import DLCWeights

public enum InitializedWeights {
  public static func of(_ graph: Graph, seed: UInt64) -> [String: Tensor] {
    Dictionary(Initialization.initialize(graph, seed: seed).weights.map { ($0.name, $0.tensor) }) { first, _ in first }
  }
}
