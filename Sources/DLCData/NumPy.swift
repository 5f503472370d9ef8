// NumPy's .npy format (one array) and .npz (a ZIP of .npy files keyed by name).
// Only what dlc's users exchange: C-order little-endian float32, int32 and int64.
import DLCSupport
import Foundation
import ZIPFoundation

public enum NumPy {
  static let magic: [UInt8] = [0x93] + Array("NUMPY".utf8)

  // MARK: .npy

  public static func readArray(path: String) throws -> Tensor {
    try decodeArray(DataFile.read(path), path: path)
  }

  public static func decodeArray(_ bytes: [UInt8], path: String) throws -> Tensor {
    func fail(_ message: String, notes: [String] = []) -> Diagnostic {
      Diagnostic.error(file: path, message, notes: notes)
    }
    guard bytes.count >= 10, Array(bytes[0..<6]) == magic else {
      throw fail("not a NumPy .npy file (it does not start with \\x93NUMPY)")
    }
    let reader = ByteReader(bytes: bytes)
    let major = bytes[6]
    let lengthWidth = major == 1 ? 2 : 4
    guard major >= 1 && major <= 3, let declared = reader.uint(at: 8, width: lengthWidth) else {
      throw fail("unsupported .npy format version \(major).\(bytes[7])")
    }
    let headerStart = 8 + lengthWidth
    guard declared <= UInt64(bytes.count - headerStart) else {
      throw fail("the .npy header runs past the end of the file")
    }
    let dataStart = headerStart + Int(declared)
    guard let header = String(bytes: bytes[headerStart..<dataStart], encoding: .utf8) else {
      throw fail("the .npy header is not text")
    }
    guard let descr = quotedValue(of: "descr", in: header), let shape = shapeValue(in: header) else {
      throw fail(
        "the .npy header has no 'descr' or 'shape'",
        notes: ["header: \(header.trimmingCharacters(in: .whitespacesAndNewlines))"])
    }
    guard let fortranKey = header.range(of: "'fortran_order':") else {
      throw fail(
        "the .npy header has no 'fortran_order'",
        notes: ["header: \(header.trimmingCharacters(in: .whitespacesAndNewlines))"])
    }
    if !header[fortranKey.upperBound...].drop(while: { $0 == " " }).hasPrefix("False") {
      throw fail(
        "the array is in Fortran order; dlc reads C-order arrays",
        notes: ["save it with np.save(path, np.ascontiguousarray(x))"])
    }
    let type: ElementType
    switch descr {
    case "<f4": type = .float32
    case "<i4": type = .int32
    case "<i8": type = .int64
    default:
      throw fail(
        "the array's dtype is \(describe(descr)); dlc reads float32, int32 or int64 (little-endian)",
        notes: ["convert it with x.astype(np.float32) (or np.int32 for token ids)"])
    }
    guard let count = checkedProduct(shape), count.multipliedReportingOverflow(by: type.byteCount).overflow == false,
      bytes.count - dataStart >= count * type.byteCount
    else {
      throw fail("the file is too short for a \(type.rawValue) array of shape \(describeShape(shape))")
    }
    let data = bytes[dataStart..<(dataStart + count * type.byteCount)]
    switch type {
    case .float32: return Tensor(shape: shape, elements: .float32(ElementCodec.floats(data)))
    case .int32: return Tensor(shape: shape, elements: .int32(ElementCodec.int32s(data)))
    case .int64: return Tensor(shape: shape, elements: .int64(ElementCodec.int64s(data)))
    }
  }

  /// Version 1.0, header padded so the data starts at a multiple of 64 bytes, as NumPy writes it.
  public static func encodeArray(_ tensor: Tensor) -> [UInt8] {
    let descr: String
    switch tensor.elementType {
    case .float32: descr = "<f4"
    case .int32: descr = "<i4"
    case .int64: descr = "<i8"
    }
    let shape =
      tensor.shape.count == 1
      ? "(\(tensor.shape[0]),)" : "(" + tensor.shape.map(String.init).joined(separator: ", ") + ")"
    var header = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(shape), }"
    let unpadded = magic.count + 4 + header.utf8.count + 1
    header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
    var out = magic + [1, 0]
    out.appendLittleEndian([UInt16(header.utf8.count)])
    return out + Array(header.utf8) + tensor.littleEndianBytes
  }

  public static func writeArray(_ tensor: Tensor, path: String) throws {
    try DataFile.write(encodeArray(tensor), path: path)
  }

  // MARK: .npz

  /// The arrays of an .npz archive, in archive order, named without the `.npy` suffix.
  public static func readArchive(path: String) throws -> [(name: String, tensor: Tensor)] {
    try decodeArchive(DataFile.read(path), path: path)
  }

  /// The arrays of .npz bytes. The ZIP structure is checked before the ZIP reader sees it, and each
  /// member is inflated only as far as its own .npy header says it needs, so a small file cannot
  /// claim gigabytes.
  public static func decodeArchive(_ bytes: [UInt8], path: String) throws -> [(name: String, tensor: Tensor)] {
    let archive = try ZipCheck.opened(bytes, path: path, as: "a NumPy .npz file")
    var arrays: [(name: String, tensor: Tensor)] = []
    for entry in archive where entry.type == .file {
      var data = Data()
      // Enough for the .npy prefix and header; then the header says how much data follows.
      var limit = 16 + 65536
      var sized = false
      do {
        _ = try archive.extract(entry, skipCRC32: false) { chunk in
          data.append(chunk)
          if !sized, let needed = expectedArraySize(Array(data)) {
            sized = true
            limit = needed
          }
          if data.count > limit { throw ArchiveLimit() }
        }
      } catch is ArchiveLimit {
        // Inflated as much as the header promised; whatever follows is ignored, as NumPy does.
      } catch {
        throw Diagnostic.error(file: path, "cannot extract '\(entry.path)' from the archive (\(error))")
      }
      if data.count > limit { data = data.prefix(limit) }
      let name = entry.path.hasSuffix(".npy") ? String(entry.path.dropLast(4)) : entry.path
      arrays.append((name, try decodeArray(Array(data), path: "\(path)[\(name)]")))
    }
    return arrays
  }

  private struct ArchiveLimit: Error {}

  /// The total bytes (prefix, header and data) an .npy promises, once its header is complete;
  /// nil while it is not, or when the header cannot be read (decoding then says why).
  static func expectedArraySize(_ bytes: [UInt8]) -> Int? {
    guard bytes.count >= 10, Array(bytes[0..<6]) == magic else { return bytes.count >= 10 ? 0 : nil }
    let width = bytes[6] == 1 ? 2 : 4
    guard let declared = ByteReader(bytes: bytes).uint(at: 8, width: width), declared <= 65536 else { return 0 }
    let dataStart = 8 + width + Int(declared)
    guard bytes.count >= dataStart else { return nil }
    guard let header = String(bytes: bytes[(8 + width)..<dataStart], encoding: .utf8),
      let shape = shapeValue(in: header),
      let descr = quotedValue(of: "descr", in: header)
    else { return dataStart }
    let size = descr.hasSuffix("8") ? 8 : descr.hasSuffix("2") ? 2 : descr.hasSuffix("1") ? 1 : 4
    guard let count = checkedProduct(shape), let total = Checked.sum(dataStart, Checked.product(count, size)) else {
      return dataStart
    }
    return total
  }

  /// An uncompressed .npz, as `np.savez` writes.
  public static func writeArchive(_ arrays: [(name: String, tensor: Tensor)], path: String) throws {
    do {
      let archive = try Archive(data: Data(), accessMode: .create)
      for (name, tensor) in arrays {
        let data = Data(encodeArray(tensor))
        try archive.addEntry(
          with: name + ".npy", type: .file, uncompressedSize: Int64(data.count),
          modificationDate: Date(timeIntervalSince1970: 315_532_800)
        ) { position, size in
          data.subdata(in: Int(position)..<Int(position) + size)
        }
      }
      guard let data = archive.data else { throw Diagnostic.error(file: path, "cannot build the archive") }
      try DataFile.write(Array(data), path: path)
    } catch let error as Diagnostic {
      throw error
    } catch {
      throw Diagnostic.error(file: path, "cannot write the archive (\(error))")
    }
  }

  // MARK: Helpers

  static func describe(_ descr: String) -> String {
    let names = [
      "<f8": "float64", "<f2": "float16", ">f4": "big-endian float32", ">i4": "big-endian int32", "|b1": "bool",
      "|u1": "uint8", "|i1": "int8", "<i2": "int16", "<u4": "uint32", "<u8": "uint64", "<i8": "int64",
    ]
    return names[descr].map { "\($0) ('\(descr)')" } ?? "'\(descr)'"
  }

  /// The string after `'key': '` in a header dict.
  static func quotedValue(of key: String, in header: String) -> String? {
    guard let keyRange = header.range(of: "'\(key)':") else { return nil }
    let rest = header[keyRange.upperBound...].drop { $0 == " " }
    guard let quote = rest.first, quote == "'" || quote == "\"" else { return nil }
    let value = rest.dropFirst().prefix { $0 != quote }
    return String(value)
  }

  /// The tuple after `'shape':`, as integers; `()` is a scalar.
  static func shapeValue(in header: String) -> [Int]? {
    guard let keyRange = header.range(of: "'shape':") else { return nil }
    let rest = header[keyRange.upperBound...].drop { $0 == " " }
    guard rest.first == "(", let close = rest.firstIndex(of: ")") else { return nil }
    let inside = rest[rest.index(after: rest.startIndex)..<close]
    var dims: [Int] = []
    for part in inside.split(separator: ",") {
      let text = part.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "L", with: "")
      if text.isEmpty { continue }
      guard let value = Int(text), value >= 0 else { return nil }
      dims.append(value)
    }
    return dims
  }
}
