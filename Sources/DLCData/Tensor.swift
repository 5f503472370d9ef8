// A dense, row-major (C order) tensor: what flows through the interpreter and lives in data files.

public enum ElementType: String, Sendable, Hashable {
  case float32, int32, int64

  public var byteCount: Int { self == .int64 ? 8 : 4 }
}

public struct Tensor: Equatable, Sendable {
  public enum Elements: Equatable, Sendable {
    case float32([Float])
    case int32([Int32])
    case int64([Int64])
  }

  /// The full shape, batch dimension first where there is one.
  public var shape: [Int]
  public var elements: Elements

  public init(shape: [Int], elements: Elements) {
    self.shape = shape
    self.elements = elements
  }

  public init(shape: [Int], floats: [Float]) {
    self.init(shape: shape, elements: .float32(floats))
  }

  public init(zeros shape: [Int]) {
    self.init(shape: shape, floats: [Float](repeating: 0, count: shape.reduce(1, *)))
  }

  public var elementType: ElementType {
    switch elements {
    case .float32: return .float32
    case .int32: return .int32
    case .int64: return .int64
    }
  }

  @inlinable public var count: Int {
    switch elements {
    case .float32(let values): return values.count
    case .int32(let values): return values.count
    case .int64(let values): return values.count
    }
  }

  /// The values as floats (integers converted), for kernels that read any numeric input.
  public var floats: [Float] {
    switch elements {
    case .float32(let values): return values
    case .int32(let values): return values.map(Float.init)
    case .int64(let values): return values.map(Float.init)
    }
  }

  /// Row-major strides, in elements.
  public static func strides(of shape: [Int]) -> [Int] {
    var strides = [Int](repeating: 1, count: shape.count)
    var running = 1
    for axis in shape.indices.reversed() {
      strides[axis] = running
      running *= shape[axis]
    }
    return strides
  }
}

/// `(2, 28, 28, 1)`, as NumPy prints shapes.
public func describeShape(_ shape: [Int]) -> String {
  shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
}
