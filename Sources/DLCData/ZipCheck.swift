// A structural check of a ZIP archive before the ZIP reader sees it: the end record, the central
// directory and every member's local header must lie inside the file. The reader trusts these
// offsets (0xFFFFFFFF, ZIP64's marker, made it trap), so they are checked here first.
import DLCSupport
import Foundation
import ZIPFoundation

enum ZipCheck {
  /// The archive in `bytes`, checked first; `kind` names the file in errors ("a NumPy .npz file").
  static func opened(_ bytes: [UInt8], path: String, as kind: String) throws -> Archive {
    if let problem = problem(bytes) {
      throw Diagnostic.error(file: path, "not \(kind) (\(problem))")
    }
    do {
      return try Archive(data: Data(bytes), accessMode: .read)
    } catch {
      throw Diagnostic.error(file: path, "not \(kind) (it is not a ZIP archive)")
    }
  }

  /// Why `bytes` is not a ZIP archive dlc can read, or nil.
  static func problem(_ bytes: [UInt8]) -> String? {
    let reader = ByteReader(bytes: bytes)
    func u16(_ at: Int) -> Int? { reader.uint(at: at, width: 2).map(Int.init) }
    func u32(_ at: Int) -> Int? { reader.uint(at: at, width: 4).map(Int.init) }
    // The end record is the last 22 bytes, unless a comment (at most 65,535 bytes) follows it.
    guard bytes.count >= 22 else { return "it is not a ZIP archive" }
    var end: Int?
    var position = bytes.count - 22
    while position >= max(0, bytes.count - 22 - 65535) {
      if u32(position) == 0x0605_4b50 {
        end = position
        break
      }
      position -= 1
    }
    guard let end, let entries = u16(end + 10), let directorySize = u32(end + 12), let directoryStart = u32(end + 16)
    else { return "it is not a ZIP archive" }
    if directoryStart == 0xFFFF_FFFF || directorySize == 0xFFFF_FFFF || entries == 0xFFFF {
      return "ZIP64 archives are not supported"
    }
    guard directoryStart + directorySize <= end else { return "its central directory lies outside the file" }
    var cursor = directoryStart
    for _ in 0..<entries {
      guard u32(cursor) == 0x0201_4b50, let flags = u16(cursor + 8), let method = u16(cursor + 10),
        let compressed = u32(cursor + 20), let uncompressed = u32(cursor + 24), let nameLength = u16(cursor + 28),
        let extraLength = u16(cursor + 30), let commentLength = u16(cursor + 32), let local = u32(cursor + 42)
      else { return "its central directory is damaged" }
      let next = cursor + 46 + nameLength + extraLength + commentLength
      guard next <= directoryStart + directorySize else { return "its central directory is damaged" }
      if compressed == 0xFFFF_FFFF || uncompressed == 0xFFFF_FFFF || local == 0xFFFF_FFFF
        || hasZip64Field(reader, from: cursor + 46 + nameLength, length: extraLength)
      {
        return "ZIP64 archives are not supported"
      }
      if flags & 1 != 0 { return "encrypted members are not supported" }
      guard method == 0 || method == 8 else {
        return "a member uses compression method \(method), not stored or deflated"
      }
      // The local header must agree with the central directory: the ZIP reader takes sizes from either.
      guard u32(local) == 0x0403_4b50, let localFlags = u16(local + 6), let localMethod = u16(local + 8),
        let localCompressed = u32(local + 18), let localUncompressed = u32(local + 22),
        let localName = u16(local + 26), let localExtra = u16(local + 28)
      else { return "a member lies outside the file" }
      // NumPy's savez writes local headers in the ZIP64 form (sizes 0xFFFFFFFF, then the real ones in a
      // ZIP64 extra field) even for small members; those sizes must be the central directory's too.
      let describedLater = localFlags & 8 != 0
      let localSizes: (uncompressed: Int, compressed: Int)?
      if localCompressed == 0xFFFF_FFFF && localUncompressed == 0xFFFF_FFFF {
        localSizes = zip64Sizes(reader, from: local + 30 + localName, length: localExtra)
      } else if hasZip64Field(reader, from: local + 30 + localName, length: localExtra) {
        localSizes = nil
      } else {
        localSizes = (localUncompressed, localCompressed)
      }
      guard localMethod == method, let localSizes,
        (localSizes.compressed == compressed && localSizes.uncompressed == uncompressed)
          || (describedLater && localSizes.compressed == 0 && localSizes.uncompressed == 0)
      else { return "a member's local header disagrees with the central directory" }
      // A data descriptor (signature optional) follows the data when the local header defers the sizes.
      let descriptor =
        describedLater ? (u32(local + 30 + localName + localExtra + compressed) == 0x0807_4b50 ? 16 : 12) : 0
      guard local + 30 + localName + localExtra + compressed + descriptor <= directoryStart else {
        return "a member lies outside the file"
      }
      cursor = next
    }
    return nil
  }

  /// The uncompressed and compressed sizes in the ZIP64 record (id 1) among the extra-field records at
  /// `from`, when there is exactly that record with both sizes and the records end where they should.
  private static func zip64Sizes(_ reader: ByteReader, from start: Int, length: Int) -> (Int, Int)? {
    guard let walk = extraRecords(reader, from: start, length: length), walk.end == start + length else { return nil }
    let zip64 = walk.records.filter { $0.id == 1 }
    guard zip64.count == 1, let record = zip64.first, record.size >= 16,
      let uncompressed = reader.uint(at: record.data, width: 8),
      let compressed = reader.uint(at: record.data + 8, width: 8),
      uncompressed < 1 << 32, compressed < 1 << 32
    else { return nil }
    return (Int(uncompressed), Int(compressed))
  }

  /// Whether the extra-field records at `from` hold a ZIP64 one (id 1), or run past their length.
  private static func hasZip64Field(_ reader: ByteReader, from start: Int, length: Int) -> Bool {
    guard let walk = extraRecords(reader, from: start, length: length) else { return true }
    return walk.records.contains { $0.id == 1 } || walk.end > start + length
  }

  /// The extra-field records (id, where their data starts, its size) in `length` bytes at `start`, and
  /// where the last one ends; nil when a record's header cannot be read.
  private static func extraRecords(_ reader: ByteReader, from start: Int, length: Int) -> (
    records: [(id: UInt64, data: Int, size: Int)], end: Int
  )? {
    var records: [(id: UInt64, data: Int, size: Int)] = []
    var position = start
    while position + 4 <= start + length {
      guard let id = reader.uint(at: position, width: 2), let size = reader.uint(at: position + 2, width: 2) else {
        return nil
      }
      records.append((id, position + 4, Int(size)))
      position += 4 + Int(size)
    }
    return (records, position)
  }
}
