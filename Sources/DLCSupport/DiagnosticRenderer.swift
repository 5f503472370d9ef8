// Renders diagnostics compiler-style: `file:line:col: error: message`, the source line and a caret underline.

public enum DiagnosticRenderer {
  /// Renders every diagnostic, in the order reported, followed by a count of suppressed errors.
  public static func render(
    _ diagnostics: [Diagnostic], in file: SourceFile?, suppressedErrors: Int = 0, stoppedAtLimit: Int? = nil
  ) -> String {
    var out = ""
    for diagnostic in diagnostics {
      out += render(diagnostic, in: file)
    }
    if suppressedErrors > 0 {
      out += "note: \(suppressedErrors) more error\(suppressedErrors == 1 ? "" : "s") not shown\n"
    }
    if let limit = stoppedAtLimit {
      out += "note: stopped after \(limit) errors; fix these and run again\n"
    }
    return out
  }

  /// Columns of a source line shown under a diagnostic.
  static let maxShownColumns = 160

  public static func render(_ diagnostic: Diagnostic, in file: SourceFile?) -> String {
    var out = header(diagnostic.severity, diagnostic.message, diagnostic.range, file, dataFile: diagnostic.file)
    out += snippet(diagnostic.range, file)
    for note in diagnostic.notes {
      out += header(.note, note.message, note.range, file)
      out += snippet(note.range, file)
    }
    return out
  }

  /// `file:line:col: severity: message` at a range; `path: severity: message` for a diagnostic about
  /// a whole file (a data file it names, else the source); a note without a place of its own reads as
  /// part of the message above it.
  private static func header(
    _ severity: Severity, _ message: String, _ range: SourceRange?, _ file: SourceFile?, dataFile: String? = nil
  ) -> String {
    let message = clippingLongWords(message)
    if let range, let file {
      return "\(file.path):\(file.location(of: range.start)): \(severity.rawValue): \(message)\n"
    }
    if severity == .note { return "note: \(message)\n" }
    guard let path = dataFile ?? file?.path else { return "\(severity.rawValue): \(message)\n" }
    return "\(path): \(severity.rawValue): \(message)\n"
  }

  /// The source line with a gutter, then `^~~~` under the range (clipped to the first line).
  private static func snippet(_ range: SourceRange?, _ file: SourceFile?) -> String {
    guard let range, let file else { return "" }
    let start = file.location(of: range.start)
    let end = file.location(of: range.end)
    var line = Array(file.lineText(start.line).replacingTabs())
    // As in clang and the spec: the line number right-aligned in five columns, then " | ".
    let number = String(start.line)
    let gutter = String(repeating: " ", count: max(0, 5 - number.count)) + number
    let pad = String(repeating: " ", count: gutter.count)
    var firstColumn = min(start.column, line.count + 1)
    var lastColumn = end.line == start.line ? max(firstColumn + 1, min(end.column, line.count + 1)) : line.count + 1
    // A very long line is shown as a window around the caret, marked with "...".
    if line.count > maxShownColumns {
      let from = max(0, min(firstColumn - 1 - maxShownColumns / 4, line.count - maxShownColumns))
      let to = min(line.count, from + maxShownColumns)
      let prefix = from > 0 ? Array("...") : []
      line = prefix + Array(line[from..<to]) + (to < line.count ? Array("...") : [])
      firstColumn += prefix.count - from
      lastColumn = min(lastColumn + prefix.count - from, prefix.count + (to - from) + 1)
    }
    let width = max(1, lastColumn - firstColumn)
    let marker = String(repeating: " ", count: firstColumn - 1) + "^" + String(repeating: "~", count: width - 1)
    return "\(gutter) | \(String(line))\n\(pad) | \(marker)\n"
  }

  /// The message with every name (a run of letters, digits and `_`) longer than 120 characters cut to
  /// its first 100 and a count: a name a million characters long is still named, not printed whole.
  static func clippingLongWords(_ message: String) -> String {
    guard message.utf8.count > 120 else { return message }
    var out = ""
    var run = ""
    func flush() {
      out += run.count > 120 ? "\(run.prefix(100))…(\(NumberText.grouped(run.count)) characters)" : run
      run = ""
    }
    for character in message {
      if character.isLetter || character.isNumber || character == "_" {
        run.append(character)
      } else {
        flush()
        out.append(character)
      }
    }
    flush()
    return out
  }
}

extension String {
  fileprivate func replacingTabs() -> String {
    String(map { $0 == "\t" ? " " : $0 })
  }

}
