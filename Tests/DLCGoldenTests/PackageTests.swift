// The module graph Package.swift declares is the one the sources use: each target depends on exactly
// the package modules it imports, so the dependency list shows the design and cannot drift from it.
import Foundation
import XCTest

final class PackageTests: XCTestCase {
  static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

  struct Target {
    var name: String
    var kind: String
    var dependencies: Set<String>
    var path: String
  }

  /// The targets of Package.swift: name, kind, dependencies (products by their module name), folder.
  static func targets() throws -> [Target] {
    let source = try String(contentsOf: repository.appendingPathComponent("Package.swift"), encoding: .utf8)
    var targets: [Target] = []
    for kind in ["target", "executableTarget", "testTarget", "systemLibrary"] {
      var searchStart = source.startIndex
      while let opening = source.range(of: ".\(kind)(", range: searchStart..<source.endIndex) {
        // The call's text, up to its matching parenthesis.
        var depth = 0
        var end = opening.upperBound
        var index = source.index(before: opening.upperBound)
        while index < source.endIndex {
          if source[index] == "(" { depth += 1 }
          if source[index] == ")" {
            depth -= 1
            if depth == 0 {
              end = index
              break
            }
          }
          index = source.index(after: index)
        }
        let call = String(source[opening.upperBound..<end])
        searchStart = end
        guard let name = firstQuoted(after: "name: ", in: call) else { continue }
        var dependencies: Set<String> = []
        if let list = call.range(of: "dependencies: [") {
          let rest = call[list.upperBound...]
          let body = rest[..<(rest.firstIndex(of: "]") ?? rest.endIndex)]
          for product in body.components(separatedBy: ".product(name: ").dropFirst() {
            if let module = firstQuoted(after: "", in: product) { dependencies.insert(module) }
          }
          let plain = body.replacingOccurrences(of: #"\.product\([^)]*\)"#, with: "", options: .regularExpression)
          for part in plain.components(separatedBy: "\"").enumerated() where part.offset % 2 == 1 {
            dependencies.insert(part.element)
          }
        }
        let folder = kind == "testTarget" ? "Tests/\(name)" : "Sources/\(name)"
        targets.append(
          Target(
            name: name, kind: kind, dependencies: dependencies, path: firstQuoted(after: "path: ", in: call) ?? folder))
      }
    }
    return targets
  }

  static func firstQuoted(after prefix: String, in text: String) -> String? {
    guard let start = text.range(of: prefix + "\"") else { return nil }
    let rest = text[start.upperBound...]
    guard let close = rest.firstIndex(of: "\"") else { return nil }
    return String(rest[..<close])
  }

  /// The modules a folder's Swift files import.
  static func imports(in folder: URL) -> Set<String> {
    var modules: Set<String> = []
    let files = FileManager.default.enumerator(atPath: folder.path)?.compactMap { $0 as? String } ?? []
    for file in files where file.hasSuffix(".swift") {
      guard let text = try? String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8) else { continue }
      for line in text.split(separator: "\n") {
        let words = line.replacingOccurrences(of: "@testable ", with: "").split(separator: " ")
        if words.count == 2, words[0] == "import" { modules.insert(String(words[1])) }
      }
    }
    return modules
  }

  func testEveryTargetDependsOnExactlyWhatItImports() throws {
    let targets = try Self.targets()
    XCTAssertGreaterThan(targets.count, 20)
    let executables = Set(targets.filter { $0.kind == "executableTarget" }.map(\.name))
    let packageModules = Set(targets.filter { $0.kind != "testTarget" }.map(\.name)).subtracting(executables)
      .union(["ArgumentParser", "ZIPFoundation"])
    for target in targets where target.kind != "systemLibrary" {
      // A C target (the runtime) reaches its libraries through #include, not import.
      let folder = Self.repository.appendingPathComponent(target.path)
      let files = FileManager.default.enumerator(atPath: folder.path)?.compactMap { $0 as? String } ?? []
      guard files.contains(where: { $0.hasSuffix(".swift") }) else { continue }
      let imported = Self.imports(in: Self.repository.appendingPathComponent(target.path)).intersection(packageModules)
      // Test targets may depend on executables to run them; nothing imports an executable.
      let declared = target.dependencies.subtracting(executables)
      XCTAssertEqual(
        imported.sorted(), declared.sorted(),
        "\(target.name): imports \(imported.subtracting(declared).sorted()) undeclared, "
          + "declares \(declared.subtracting(imported).sorted()) unimported")
    }
  }
}
