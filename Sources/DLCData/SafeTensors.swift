// The safetensors format: an 8-byte little-endian header length, a JSON header naming each tensor's
// dtype, shape and byte range, then the tensor bytes. Every length and offset is checked before use.
import DLCSupport
import Foundation

public struct SafeTensors: Equatable {
  /// One tensor as the header describes it. `tensor` holds the values for the dtypes dlc reads
  /// (F32, I32, I64); for others (F16, BF16, F64, ...) only the description is kept, so a caller
  /// can say which tensor has the wrong type.
  public struct Entry: Equatable {
    public var name: String
    public var dtype: String
    public var shape: [Int]
    public var tensor: Tensor?
  }

  /// Entries in file order (by data offset).
  public var entries: [Entry]
  public var metadata: [String: String]

  public init(entries: [Entry], metadata: [String: String] = [:]) {
    self.entries = entries
    self.metadata = metadata
  }

  /// Float32 tensors in the given order, for writing.
  public init(_ tensors: [(name: String, tensor: Tensor)], metadata: [String: String] = [:]) {
    self.entries = tensors.map {
      Entry(name: $0.name, dtype: Self.dtypeName($0.tensor.elementType), shape: $0.tensor.shape, tensor: $0.tensor)
    }
    self.metadata = metadata
  }

  public subscript(name: String) -> Entry? { entries.first { $0.name == name } }

  static func dtypeName(_ type: ElementType) -> String {
    switch type {
    case .float32: return "F32"
    case .int32: return "I32"
    case .int64: return "I64"
    }
  }

  static let elementSizes: [String: Int] = [
    "F64": 8, "F32": 4, "F16": 2, "BF16": 2, "I64": 8, "I32": 4, "I16": 2, "I8": 1, "U64": 8, "U32": 4, "U16": 2,
    "U8": 1, "BOOL": 1, "F8_E4M3": 1, "F8_E5M2": 1,
  ]

  // MARK: Reading

  public static func read(path: String) throws -> SafeTensors {
    try decode(DataFile.read(path), path: path)
  }

  public static func decode(_ bytes: [UInt8], path: String) throws -> SafeTensors {
    func fail(_ message: String, notes: [String] = []) -> Diagnostic {
      Diagnostic.error(file: path, message, notes: notes)
    }
    let reader = ByteReader(bytes: bytes)
    guard let declared = reader.uint(at: 0, width: 8) else {
      throw fail(
        "not a safetensors file (\(bytes.count) bytes; it must start with an 8-byte header length)")
    }
    guard declared <= UInt64(bytes.count - 8) else {
      throw fail("not a safetensors file: its header length (\(declared) bytes) is larger than the file")
    }
    let headerEnd = 8 + Int(declared)
    let header = bytes[8..<headerEnd]
    guard let object = try? JSONSerialization.jsonObject(with: Data(header)), let fields = object as? [String: Any]
    else {
      throw fail("not a safetensors file: its header is not a JSON object")
    }
    let buffer = bytes[headerEnd...]
    var entries: [(offset: Int, end: Int, entry: Entry)] = []
    var metadata: [String: String] = [:]
    for (name, value) in fields {
      if name == "__metadata__" {
        for (key, item) in value as? [String: Any] ?? [:] { metadata[key] = item as? String }
        continue
      }
      guard let description = value as? [String: Any] else {
        throw fail("tensor '\(name)' is not described by an object")
      }
      guard let dtype = description["dtype"] as? String else { throw fail("tensor '\(name)' has no dtype") }
      guard let shape = integers(description["shape"]), shape.allSatisfy({ $0 >= 0 }) else {
        throw fail("tensor '\(name)' has no valid shape")
      }
      guard let offsets = integers(description["data_offsets"]), offsets.count == 2, offsets[0] >= 0,
        offsets[0] <= offsets[1], offsets[1] <= buffer.count
      else {
        throw fail("tensor '\(name)' has data offsets outside the file (the data is \(buffer.count) bytes)")
      }
      let length = offsets[1] - offsets[0]
      if let size = elementSizes[dtype] {
        guard let count = checkedProduct(shape + [size]) else {
          throw fail("tensor '\(name)' has an impossibly large shape \(describeShape(shape))")
        }
        guard count == length else {
          throw fail(
            "tensor '\(name)' has \(length) bytes of data, but a \(dtype) tensor of shape \(describeShape(shape)) needs \(count)"
          )
        }
      }
      let data = buffer[(buffer.startIndex + offsets[0])..<(buffer.startIndex + offsets[1])]
      var tensor: Tensor?
      switch dtype {
      case "F32": tensor = Tensor(shape: shape, elements: .float32(ElementCodec.floats(data)))
      case "I32": tensor = Tensor(shape: shape, elements: .int32(ElementCodec.int32s(data)))
      case "I64": tensor = Tensor(shape: shape, elements: .int64(ElementCodec.int64s(data)))
      default: tensor = nil
      }
      entries.append((offsets[0], offsets[1], Entry(name: name, dtype: dtype, shape: shape, tensor: tensor)))
    }
    let ordered = entries.sorted { $0.offset != $1.offset ? $0.offset < $1.offset : $0.entry.name < $1.entry.name }
    // The format packs tensors back to back over the whole data buffer; a gap, an overlap or bytes
    // left over mean the header length or an offset is wrong, and the tensors would be read shifted.
    var covered = 0
    for (offset, end, entry) in ordered {
      guard offset == covered else {
        throw fail(
          "tensor '\(entry.name)' starts at data byte \(offset), but the tensors before it end at \(covered)",
          notes: ["the header length or the data offsets are wrong"])
      }
      covered = end
    }
    guard covered == buffer.count else {
      throw fail(
        "the tensors cover \(covered) bytes of data, but the file holds \(buffer.count) after its header",
        notes: ["the header length or the data offsets are wrong"])
    }
    return SafeTensors(entries: ordered.map(\.entry), metadata: metadata)
  }

  private static func integers(_ value: Any?) -> [Int]? {
    guard let numbers = value as? [Any] else { return nil }
    var result: [Int] = []
    for number in numbers {
      // JSONSerialization gives NSNumber; reject fractions.
      guard let number = number as? NSNumber else { return nil }
      let double = number.doubleValue
      guard double == double.rounded(), abs(double) < 9e15 else { return nil }
      result.append(number.intValue)
    }
    return result
  }

  // MARK: Writing

  /// The file's bytes: tensors in `entries` order, the header padded with spaces to 8 bytes as the
  /// reference implementation does.
  public func encoded() -> [UInt8] {
    var header = "{"
    var data: [UInt8] = []
    var parts: [String] = []
    if !metadata.isEmpty {
      let pairs = metadata.keys.sorted().map { "\(JSONText.quoted($0)):\(JSONText.quoted(metadata[$0] ?? ""))" }
      parts.append("\"__metadata__\":{\(pairs.joined(separator: ","))}")
    }
    for entry in entries {
      let bytes = entry.tensor?.littleEndianBytes ?? []
      let shape = entry.shape.map(String.init).joined(separator: ",")
      parts.append(
        "\(JSONText.quoted(entry.name)):{\"dtype\":\"\(entry.dtype)\",\"shape\":[\(shape)],\"data_offsets\":[\(data.count),\(data.count + bytes.count)]}"
      )
      data += bytes
    }
    header += parts.joined(separator: ",") + "}"
    var headerBytes = Array(header.utf8)
    while headerBytes.count % 8 != 0 { headerBytes.append(UInt8(ascii: " ")) }
    var out: [UInt8] = []
    out.appendLittleEndian([UInt64(headerBytes.count)])
    return out + headerBytes + data
  }

  public func write(to path: String) throws {
    try DataFile.write(encoded(), path: path)
  }
}
