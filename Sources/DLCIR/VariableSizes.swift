// The sizes an elaboration gives inputs' `none` dimensions (Keras' None: variable-length sequences).
// Shapes in dlc are concrete, so a model with such a dimension is compiled for its maximum (from
// `--max-shape`, else `standardMaximum`), and run at the size its inputs have.
import DLCSupport

public struct VariableSizes: Sendable, Equatable {
  /// Per input: the size of each of its `none` dimensions, in order (one value serves them all).
  public var byInput: [String: [Int]] = [:]
  /// The size of a `none` dimension of an input not listed.
  public var standard: Int = VariableSizes.standardMaximum

  /// Given (by `--max-shape` or the inputs being run), not the standard maximum, which is lowered
  /// for a model that cannot take that much.
  public var givenByUser = false

  /// The maximum a `none` dimension has when `--max-shape` does not give one.
  public static let standardMaximum = 256

  public init(byInput: [String: [Int]] = [:], standard: Int = VariableSizes.standardMaximum) {
    self.byInput = byInput
    self.standard = standard
  }

  /// The size of the `index`-th `none` dimension of `input`.
  public func size(input: String, index: Int) -> Int {
    guard let sizes = byInput[input], !sizes.isEmpty else { return standard }
    return sizes[min(index, sizes.count - 1)]
  }

  /// `--max-shape` values: `N` (every `none` dimension), `NAME=N` or `NAME=N,M` (one input's).
  public static func parse(_ specs: [String]) throws -> VariableSizes {
    var sizes = VariableSizes()
    sizes.givenByUser = !specs.isEmpty
    for spec in specs {
      let parts = spec.split(separator: "=", maxSplits: 1).map(String.init)
      let numbers = (parts.count == 2 ? parts[1] : parts[0]).split(separator: ",").map {
        Int($0.trimmingCharacters(in: .whitespaces))
      }
      guard !numbers.isEmpty, numbers.allSatisfy({ ($0 ?? 0) >= 1 && ($0 ?? 0) <= Limits.maxDimension }) else {
        throw Diagnostic.error(
          "--max-shape takes N, NAME=N or NAME=N,M with sizes from 1 to \(Limits.describe(Limits.maxDimension)); "
            + "got '\(spec)'")
      }
      let values = numbers.compactMap { $0 }
      if parts.count == 2 {
        sizes.byInput[parts[0]] = values
      } else if values.count == 1 {
        sizes.standard = values[0]
      } else {
        throw Diagnostic.error("--max-shape \(spec): give several sizes for one input, as in NAME=\(spec)")
      }
    }
    return sizes
  }
}
