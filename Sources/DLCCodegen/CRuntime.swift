// The C runtime (codegen/runtime/dlc_runtime.h), split into its sections so generated code carries
// only the kernels it calls, plus what those need.

public enum CRuntime {
  /// The runtime's text, embedded at build time from codegen/runtime/dlc_runtime.h.
  public static let text = String(decoding: PackageResources.dlc_runtime_h, as: UTF8.self)

  struct Section {
    var name: String
    var needs: [String]
    var body: String
  }

  /// Sections in file order; text before the first section (the file comment) is dropped.
  static let sections: [Section] = {
    var result: [Section] = []
    var current: Section?
    for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
      if line.hasPrefix("/* @section ") {
        if let current { result.append(current) }
        let words = line.dropFirst("/* @section ".count).split(separator: " ").filter { $0 != "*/" }
        let needs = words.firstIndex(of: "needs").map { words[($0 + 1)...].map(String.init) } ?? []
        current = Section(name: String(words[0]), needs: needs, body: "")
        continue
      }
      current?.body += line + "\n"
    }
    if let current { result.append(current) }
    return result
  }()

  /// The source of `names` and everything they need, in file order, the prelude first.
  public static func source(for names: Set<String>) -> String {
    var wanted: Set<String> = ["prelude"]
    var pending = Array(names)
    while let name = pending.popLast() {
      guard wanted.insert(name).inserted, let section = sections.first(where: { $0.name == name }) else { continue }
      pending += section.needs
    }
    return sections.filter { wanted.contains($0.name) }.map(\.body).joined()
      .replacingOccurrences(of: "\n\n\n", with: "\n\n")
  }
}
