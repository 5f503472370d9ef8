// The C runtime (codegen/runtime/dlc_runtime.h), split into its sections so generated code carries
// only the kernels it calls, plus what those need.

public enum CRuntime {
  /// The runtime's text, embedded at build time from codegen/runtime/dlc_runtime.h.
  public static let text = String(decoding: PackageResources.dlc_runtime_h, as: UTF8.self)

  struct Section {
    var name: String
    var body: String
  }

  /// Sections in file order; text before the first section (the file comment) is dropped.
  static let sections: [Section] = {
    var result: [Section] = []
    var current: Section?
    for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
      if line.hasPrefix("/* @section ") {
        if let current { result.append(current) }
        let name = line.dropFirst("/* @section ".count).split(separator: " ").first.map(String.init) ?? ""
        current = Section(name: name, body: "")
        continue
      }
      current?.body += line + "\n"
    }
    if let current { result.append(current) }
    return result
  }()

  /// The lines around the runtime's sections in generated code: the first names the sections.
  public static let beginMarker = "/* dlc runtime (codegen/runtime/dlc_runtime.h), sections:"
  public static let endMarker = "/* end of dlc runtime */"

  /// Generated code with the runtime's sections left out, the first marker line kept: the model's
  /// own code, for golden files that should change when the model's code does.
  public static func withoutRuntime(_ source: String) -> String {
    guard let begin = source.range(of: beginMarker), let end = source.range(of: endMarker + "\n"),
      let lineEnd = source[begin.upperBound...].firstIndex(of: "\n")
    else { return source }
    return String(source[..<lineEnd]) + "\n" + String(source[end.upperBound...])
  }

  /// The `dlc_…` identifiers a piece of C mentions.
  static func mentions(_ code: String) -> Set<String> {
    var names: Set<String> = []
    var current = ""
    for character in code.unicodeScalars {
      if character.properties.isAlphabetic || ("0"..."9").contains(character) || character == "_" {
        current.unicodeScalars.append(character)
      } else {
        if current.hasPrefix("dlc_") { names.insert(current) }
        current = ""
      }
    }
    if current.hasPrefix("dlc_") { names.insert(current) }
    return names
  }

  /// The prelude and every section `code` mentions, directly or through other sections, in file order.
  public static func source(for code: String) -> String {
    let byName = Dictionary(sections.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    var wanted: Set<String> = ["prelude"]
    var pending = Array(mentions(code))
    while let name = pending.popLast() {
      guard let section = byName[name], wanted.insert(name).inserted else { continue }
      pending += mentions(section.body).subtracting([name])
    }
    let used = sections.filter { wanted.contains($0.name) }
    return "\(beginMarker) \(used.map(\.name).joined(separator: ", ")) */\n"
      + used.map(\.body).joined().replacingOccurrences(of: "\n\n\n", with: "\n\n") + endMarker + "\n"
  }
}
