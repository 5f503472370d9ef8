// A problem with a data file (weights, inputs, outputs), reported as `path: error: message`.

public struct DataFileError: Error, Equatable, CustomStringConvertible {
  public var path: String
  public var message: String
  public var notes: [String]

  public init(_ path: String, _ message: String, notes: [String] = []) {
    self.path = path
    self.message = message
    self.notes = notes
  }

  public var description: String {
    "\(path): error: \(message)\n" + notes.map { "note: \($0)\n" }.joined()
  }
}

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
  var product = 1
  for value in values {
    guard value >= 0 else { return nil }
    let (result, overflow) = product.multipliedReportingOverflow(by: value)
    if overflow { return nil }
    product = result
  }
  return product
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

/// Decodes little-endian element bytes into typed arrays.
enum ElementCodec {
  static func floats(_ bytes: ArraySlice<UInt8>) -> [Float] {
    let count = bytes.count / 4
    var values = [Float](repeating: 0, count: count)
    values.withUnsafeMutableBytes { destination in
      bytes.withUnsafeBytes { source in destination.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[0..<count * 4])) }
    }
    #if _endian(big)
      values = values.map { Float(bitPattern: $0.bitPattern.byteSwapped) }
    #endif
    return values
  }

  static func int32s(_ bytes: ArraySlice<UInt8>) -> [Int32] {
    let count = bytes.count / 4
    var values = [Int32](repeating: 0, count: count)
    values.withUnsafeMutableBytes { destination in
      bytes.withUnsafeBytes { source in destination.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[0..<count * 4])) }
    }
    return values.map { Int32(littleEndian: $0) }
  }

  static func int64s(_ bytes: ArraySlice<UInt8>) -> [Int64] {
    let count = bytes.count / 8
    var values = [Int64](repeating: 0, count: count)
    values.withUnsafeMutableBytes { destination in
      bytes.withUnsafeBytes { source in destination.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[0..<count * 8])) }
    }
    return values.map { Int64(littleEndian: $0) }
  }

  static func bytes(of tensor: Tensor) -> [UInt8] {
    var out: [UInt8] = []
    switch tensor.elements {
    case .float32(let values): out.appendLittleEndian(values.map(\.bitPattern))
    case .int32(let values): out.appendLittleEndian(values)
    case .int64(let values): out.appendLittleEndian(values)
    }
    return out
  }
}
