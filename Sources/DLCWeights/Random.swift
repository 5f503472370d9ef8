// A small deterministic random source: the same seed gives the same weights on every machine.
import Foundation

/// SplitMix64: fast, well distributed, and trivially reproducible from one 64-bit state.
public struct SplitMix64: RandomNumberGenerator {
  private var state: UInt64

  public init(seed: UInt64) {
    state = seed
  }

  /// A stream for one named tensor, so a tensor's values do not depend on the order tensors are drawn in.
  public init(seed: UInt64, stream name: String) {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325  // FNV-1a
    for byte in name.utf8 {
      hash ^= UInt64(byte)
      hash = hash &* 0x100_0000_01b3
    }
    state = seed ^ hash
    _ = next()
  }

  public mutating func next() -> UInt64 {
    state = state &+ 0x9e37_79b9_7f4a_7c15
    var z = state
    z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
    z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
    return z ^ (z >> 31)
  }

  /// Uniform in [0, 1) with 53 bits.
  public mutating func unit() -> Double {
    Double(next() >> 11) * 0x1.0p-53
  }

  public mutating func uniform(_ low: Double, _ high: Double) -> Double {
    low + (high - low) * unit()
  }

  /// Standard normal, by Box–Muller.
  public mutating func normal() -> Double {
    let u1 = max(unit(), 0x1.0p-60)
    let u2 = unit()
    return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
  }

  /// Normal truncated to two standard deviations, by rejection (Keras' `truncated_normal`).
  public mutating func truncatedNormal() -> Double {
    while true {
      let value = normal()
      if abs(value) <= 2 { return value }
    }
  }
}
