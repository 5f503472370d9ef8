// Golden-file assertions: compare with the committed file; DLC_UPDATE_GOLDENS=1 re-records.
// A missing golden is recorded and fails, so a new case is never silently accepted.
import DLCSummary
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

  /// dlc's summary JSON equals Keras' (tools/keras_reference.py's schema).
  static func assertJSONEqualsKeras(
    _ summary: ModelSummary, _ kerasJSON: Data, _ name: String, file: StaticString = #filePath, line: UInt = #line
  ) {
    let expected = try? JSONSerialization.jsonObject(with: kerasJSON) as? NSDictionary
    let actual = try? JSONSerialization.jsonObject(with: Data(SummaryJSON.render(summary).utf8)) as? NSDictionary
    XCTAssertNotNil(expected, "\(name): Keras' JSON does not parse", file: file, line: line)
    XCTAssertEqual(actual, expected, "\(name): dlc's summary differs from Keras'", file: file, line: line)
  }

  /// Where Keras prints every name and shape in full, dlc's table is Keras' byte for byte; where
  /// Keras truncates with "…", dlc widens the column instead and the title and totals are equal.
  static func assertTableEqualsKeras(
    _ summary: ModelSummary, _ keras: String, _ name: String, file: StaticString = #filePath, line: UInt = #line
  ) {
    let table = SummaryTable.render(summary)
    if keras.contains("…") {
      let outside = { (text: String) in text.split(separator: "\n").filter { !"┏┃┡│├└".contains($0.first ?? " ") } }
      XCTAssertEqual(
        outside(table), outside(keras), "\(name): title or totals differ from Keras'", file: file, line: line)
      XCTAssertFalse(table.contains("…"), "\(name): dlc truncated a cell", file: file, line: line)
    } else {
      XCTAssertEqual(
        table, keras, "\(name): table differs from Keras'\n\(firstDifference(keras, table))", file: file, line: line)
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
