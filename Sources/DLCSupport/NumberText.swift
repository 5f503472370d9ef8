// Numbers as the reports print them.

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
}
