// A structural check of a ZIP archive before the ZIP reader sees it: the end record, the central
// directory and every member's local header must lie inside the file. The reader trusts these
// offsets (0xFFFFFFFF, ZIP64's marker, made it trap), so they are checked here first.

enum ZipCheck {
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
      guard u32(cursor) == 0x0201_4b50, let compressed = u32(cursor + 20), let nameLength = u16(cursor + 28),
        let extraLength = u16(cursor + 30), let commentLength = u16(cursor + 32), let local = u32(cursor + 42)
      else { return "its central directory is damaged" }
      if compressed == 0xFFFF_FFFF || local == 0xFFFF_FFFF { return "ZIP64 archives are not supported" }
      guard u32(local) == 0x0403_4b50, let localName = u16(local + 26), let localExtra = u16(local + 28),
        local + 30 + localName + localExtra + compressed <= directoryStart
      else { return "a member lies outside the file" }
      cursor += 46 + nameLength + extraLength + commentLength
      guard cursor <= directoryStart + directorySize else { return "its central directory is damaged" }
    }
    return nil
  }
}
