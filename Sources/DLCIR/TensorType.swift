// Element types and tensor types. The batch dimension is symbolic (Keras' `None`); all others are static.

public enum DType: String, Sendable, Hashable {
  case float32, int32

  /// Bytes per element.
  public var size: Int { 4 }
  /// The spelling in .dl source.
  public var sourceName: String { self == .float32 ? "f32" : "i32" }
}

/// The type of a value flowing along an edge: an element type and the shape of one example.
/// `dims` leaves out the leading batch dimension, which every tensor has.
public struct TensorType: Hashable, Sendable, CustomStringConvertible {
  public var dtype: DType
  public var dims: [Int]

  public init(_ dtype: DType = .float32, _ dims: [Int]) {
    self.dtype = dtype
    self.dims = dims
  }

  /// Rank counting the batch dimension, as Keras reports it.
  public var rank: Int { dims.count + 1 }
  /// Elements in one example.
  public var elementCount: Int { dims.reduce(1, *) }
  public var last: Int { dims.last ?? 1 }

  public func replacingLast(with value: Int) -> TensorType {
    var copy = self
    if copy.dims.isEmpty { copy.dims = [value] } else { copy.dims[copy.dims.count - 1] = value }
    return copy
  }

  public func with(dims: [Int]) -> TensorType { TensorType(dtype, dims) }
  public func with(dtype: DType) -> TensorType { TensorType(dtype, dims) }

  /// Keras' spelling: `(None, 28, 28, 32)`.
  public var description: String { Self.kerasText(dims) }

  /// Keras' spelling of a shape without its batch: None for the batch and for each size that varies (nil).
  public static func kerasText(_ dims: [Int?]) -> String {
    "(" + (["None"] + dims.map { $0.map(String.init) ?? "None" }).joined(separator: ", ") + ")"
  }
}
