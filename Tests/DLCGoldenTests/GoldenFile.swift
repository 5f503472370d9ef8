// Golden-file assertions: compare with the committed file; DLC_UPDATE_GOLDENS=1 re-records.
// A missing golden is recorded and fails, so a new case is never silently accepted.
import Foundation
import XCTest

enum Golden {
  static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("../Golden").standardized
  static let repository = root.deletingLastPathComponent().deletingLastPathComponent()
  static var updating: Bool { ProcessInfo.processInfo.environment["DLC_UPDATE_GOLDENS"] == "1" }

  static func files(in area: String, withExtension ext: String) -> [URL] {
    let directory = root.appendingPathComponent(area)
    let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
    return names.filter { $0.hasSuffix("." + ext) }.sorted().map { directory.appendingPathComponent($0) }
  }

  static func assertMatches(_ actual: String, _ url: URL, file: StaticString = #filePath, line: UInt = #line) {
    let relative = url.path.replacingOccurrences(of: repository.path + "/", with: "")
    guard let expected = try? String(contentsOf: url, encoding: .utf8), !updating else {
      let existed = FileManager.default.fileExists(atPath: url.path)
      try? actual.write(to: url, atomically: true, encoding: .utf8)
      if !existed && !updating {
        XCTFail("recorded missing golden \(relative); review it and run the tests again", file: file, line: line)
      }
      return
    }
    if actual != expected {
      XCTFail(
        "\(relative) differs (DLC_UPDATE_GOLDENS=1 swift test re-records):\n\(firstDifference(expected, actual))",
        file: file, line: line)
    }
  }

  static func firstDifference(_ expected: String, _ actual: String) -> String {
    let a = expected.components(separatedBy: "\n")
    let b = actual.components(separatedBy: "\n")
    for index in 0..<max(a.count, b.count) {
      let left = index < a.count ? a[index] : "<end>"
      let right = index < b.count ? b[index] : "<end>"
      if left != right { return "line \(index + 1):\n  expected: \(left)\n  actual:   \(right)" }
    }
    return "(no line differs)"
  }
}
