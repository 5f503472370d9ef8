// Numbers as the reports print them.
import Foundation

public enum NumberText {
  /// Thousands separators, as Python's `{:,}` (Keras' summaries, arena sizes).
  public static func grouped(_ value: Int) -> String {
    let digits = String(value.magnitude)
    var result = ""
    for (index, character) in digits.enumerated() {
      if index > 0 && (digits.count - index) % 3 == 0 { result.append(",") }
      result.append(character)
    }
    return (value < 0 ? "-" : "") + result
  }

  /// Keras' byte sizes: "1.23 MB" in powers of 1024.
  public static func byteSize(_ bytes: Double) -> String {
    var size = bytes
    for unit in ["B", "KB", "MB", "GB", "TB"] {
      if size / 1024 < 1 { return String(format: "%.2f %@", size, unit) }
      size /= 1024
    }
    return String(format: "%.2f PB", size)
  }
}
