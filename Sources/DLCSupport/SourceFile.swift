// A source file's text and the mapping from byte offsets to line:column positions.
import Foundation

/// A half-open byte range `[start, end)` into one `SourceFile`.
public struct SourceRange: Hashable, Sendable {
  public var start: Int
  public var end: Int

  public init(_ start: Int, _ end: Int) {
    self.start = start
    self.end = max(start, end)
  }

  /// The smallest range covering both.
  public func union(_ other: SourceRange) -> SourceRange {
    SourceRange(min(start, other.start), max(end, other.end))
  }
}

/// A 1-based line and column; the column counts Unicode characters, so carets line up.
public struct SourceLocation: Hashable, Sendable, CustomStringConvertible {
  public var line: Int
  public var column: Int
  public init(line: Int, column: Int) {
    self.line = line
    self.column = column
  }
  public var description: String { "\(line):\(column)" }
}

/// The text of one `.dl` file, kept as UTF-8 bytes for the lexer.
public struct SourceFile: Hashable, Sendable {
  /// The path as the user wrote it; diagnostics print it verbatim.
  public let path: String
  public let bytes: [UInt8]
  /// Byte offset at which each line starts.
  private let lineStarts: [Int]

  public init(path: String, bytes: [UInt8]) {
    self.path = path
    self.bytes = bytes
    var starts = [0]
    for (offset, byte) in bytes.enumerated() where byte == UInt8(ascii: "\n") {
      starts.append(offset + 1)
    }
    self.lineStarts = starts
  }

  public init(path: String, text: String) {
    self.init(path: path, bytes: Array(text.utf8))
  }

  /// The line:column of a byte offset (clamped into the file).
  public func location(of offset: Int) -> SourceLocation {
    let offset = min(max(0, offset), bytes.count)
    var low = 0
    var high = lineStarts.count - 1
    while low < high {
      let mid = (low + high + 1) / 2
      if lineStarts[mid] <= offset { low = mid } else { high = mid - 1 }
    }
    let prefix = bytes[lineStarts[low]..<offset]
    let column = String(decoding: prefix, as: UTF8.self).count + 1
    return SourceLocation(line: low + 1, column: column)
  }

  /// The text of a 1-based line, without its newline.
  public func lineText(_ line: Int) -> String {
    guard line >= 1, line <= lineStarts.count else { return "" }
    let start = lineStarts[line - 1]
    var end = line < lineStarts.count ? lineStarts[line] - 1 : bytes.count
    if end > start, bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
    return String(decoding: bytes[start..<max(start, end)], as: UTF8.self)
  }

  /// The source text a range covers.
  public func text(of range: SourceRange) -> String {
    let start = min(max(0, range.start), bytes.count)
    let end = min(max(start, range.end), bytes.count)
    return String(decoding: bytes[start..<end], as: UTF8.self)
  }
}

/// Reads whole files for every stage, with one wording for why a file cannot be read.
public enum FileContents {
  /// The file's bytes, or why there are none: "no such file", "it is a directory", "cannot read the file".
  /// Devices and pipes (/dev/null, /dev/stdin) are read to their end.
  public static func read(_ path: String) -> Result<[UInt8], Diagnostic> {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
      return .failure(.error(file: path, "no such file"))
    }
    if isDirectory.boolValue { return .failure(.error(file: path, "it is a directory, not a file")) }
    guard let handle = FileHandle(forReadingAtPath: path) else {
      return .failure(.error(file: path, "cannot read the file"))
    }
    defer { try? handle.close() }
    do {
      return .success(Array(try handle.readToEnd() ?? Data()))
    } catch {
      return .failure(.error(file: path, "cannot read the file"))
    }
  }
}
