// Reading data files safely: bounded little-endian reads, overflow-checked sizes, whole-file I/O.
import DLCSupport
import Foundation

/// Little-endian reads with bounds checks; every read of untrusted bytes goes through here.
struct ByteReader {
  let bytes: [UInt8]

  func uint(at offset: Int, width: Int) -> UInt64? {
    guard offset >= 0, width <= 8, offset <= bytes.count - width else { return nil }
    var value: UInt64 = 0
    for index in (0..<width).reversed() { value = value << 8 | UInt64(bytes[offset + index]) }
    return value
  }
}

/// Products of untrusted dimensions, without overflow: nil when the product does not fit.
func checkedProduct(_ values: [Int]) -> Int? {
  values.allSatisfy { $0 >= 0 } ? Checked.product(values) : nil
}

extension Array where Element == UInt8 {
  /// Appends `count` elements of `values` as little-endian bytes.
  mutating func appendLittleEndian<T: FixedWidthInteger>(_ values: [T]) {
    reserveCapacity(count + values.count * MemoryLayout<T>.size)
    for value in values {
      var little = value.littleEndian
      Swift.withUnsafeBytes(of: &little) { append(contentsOf: $0) }
    }
  }
}

/// Element bytes, little-endian on disk, to and from typed arrays by bulk copy.
enum ElementCodec {
  /// `bytes` copied into `T`s (their in-memory layout), as many as fit.
  private static func load<T>(_ bytes: ArraySlice<UInt8>, filling zero: T) -> [T] {
    let count = bytes.count / MemoryLayout<T>.size
    var values = [T](repeating: zero, count: count)
    values.withUnsafeMutableBytes { destination in
      bytes.withUnsafeBytes { source in
        destination.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[0..<count * MemoryLayout<T>.size]))
      }
    }
    return values
  }

  static func floats(_ bytes: ArraySlice<UInt8>) -> [Float] {
    #if _endian(big)
      return load(bytes, filling: UInt32(0)).map { Float(bitPattern: UInt32(littleEndian: $0)) }
    #else
      return load(bytes, filling: Float(0))
    #endif
  }

  static func int32s(_ bytes: ArraySlice<UInt8>) -> [Int32] {
    load(bytes, filling: Int32(0)).map(Int32.init(littleEndian:))
  }

  static func int64s(_ bytes: ArraySlice<UInt8>) -> [Int64] {
    load(bytes, filling: Int64(0)).map(Int64.init(littleEndian:))
  }

  static func bytes(of tensor: Tensor) -> [UInt8] {
    func store<T>(_ values: [T]) -> [UInt8] { values.withUnsafeBytes { Array($0) } }
    #if _endian(big)
      switch tensor.elements {
      case .float32(let values): return store(values.map(\.bitPattern.littleEndian))
      case .int32(let values): return store(values.map(\.littleEndian))
      case .int64(let values): return store(values.map(\.littleEndian))
      }
    #else
      switch tensor.elements {
      case .float32(let values): return store(values)
      case .int32(let values): return store(values)
      case .int64(let values): return store(values)
      }
    #endif
  }
}

extension Tensor {
  /// The elements as little-endian bytes, as safetensors, .npy and dlc's weight blobs store them.
  public var littleEndianBytes: [UInt8] { ElementCodec.bytes(of: self) }
}

/// Reading and writing whole data files, with the errors every format reports the same way.
public enum DataFile {
  public static func read(_ path: String) throws -> [UInt8] {
    switch FileContents.read(path) {
    case .success(let bytes): return bytes
    case .failure(let error): throw error
    }
  }

  public static func write(_ bytes: [UInt8], path: String) throws {
    do {
      try Data(bytes).write(to: URL(fileURLWithPath: path))
    } catch {
      throw Diagnostic.error(file: path, "cannot write the file (\(error.localizedDescription))")
    }
  }
}
