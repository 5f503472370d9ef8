// Keras 3's `model.summary()` table, byte for byte where Keras would not truncate; wider columns where it would.
import DLCIR
import DLCSupport
import Foundation

public enum SummaryTable {
  /// Keras' column content widths at its default line length (88 sequential, 108 functional).
  static let sequentialWidths = [36, 27, 15]
  static let functionalWidths = [29, 25, 15, 26]
  static let extraWidths = [15, 15]

  public static func render(_ summary: ModelSummary, showMACs: Bool = false) -> String {
    var headers = ["Layer (type)", "Output Shape", "Param #"]
    var widths = summary.isSequentialLike ? sequentialWidths : functionalWidths
    var rightAligned = [false, false, true]
    if !summary.isSequentialLike {
      headers.append("Connected to")
      rightAligned.append(false)
    }
    if showMACs {
      headers += ["MACs", "Activations"]
      widths = Array(widths.prefix(headers.count - 2)) + extraWidths
      rightAligned += [true, true]
    }
    widths = Array(widths.prefix(headers.count))

    let cells: [[String]] = summary.rows.map { row in
      var cell = [
        "\(row.name) (\(row.type))", shapeText(row.lastCallShapes ?? row.shownShapes), grouped(row.parameters),
      ]
      if !summary.isSequentialLike {
        cell.append(row.connections.isEmpty ? "-" : row.connections.joined(separator: ", "))
      }
      if showMACs {
        cell += [grouped(row.macs), row.isInput ? "-" : byteSize(Double(row.activationBytes))]
      }
      return cell
    }
    // Widen a column only as far as its longest unbreakable word: never truncate, otherwise match Keras.
    for row in cells + [headers] {
      for (column, text) in row.enumerated() {
        let longestWord = text.split(separator: " ").map(\.count).max() ?? 0
        widths[column] = max(widths[column], longestWord)
      }
    }

    var out = "Model: \"\(summary.name)\"\n"
    out += rule("┏", "━", "┳", "┓", widths)
    out += line(headers.map { [$0] }, widths, rightAligned, border: "┃")
    out += rule("┡", "━", "╇", "┩", widths)
    for (index, row) in cells.enumerated() {
      let wrapped = row.enumerated().map { wrap($1, width: widths[$0]) }
      out += line(wrapped, widths, rightAligned, border: "│")
      out += index == cells.count - 1 ? rule("└", "─", "┴", "┘", widths) : rule("├", "─", "┼", "┤", widths)
    }
    if cells.isEmpty { out += rule("└", "─", "┴", "┘", widths) }
    out += " Total params: \(counted(summary.totalParameters))\n"
    out += " Trainable params: \(counted(summary.trainableParameters))\n"
    out += " Non-trainable params: \(counted(summary.nonTrainableParameters))\n"
    if showMACs {
      out += " Total MACs: \(grouped(summary.totalMACs)) per example\n"
      out += " Activation memory: \(byteSize(Double(summary.totalActivationBytes))) per example\n"
    }
    return out
  }

  /// `(None, 28, 28, 32)`, or Keras' list form for several outputs: `[(None, 8), (None, 8)]`.
  static func shapeText(_ shapes: [[Int?]]) -> String {
    shapes.count == 1
      ? TensorType.kerasText(shapes[0]) : "[" + shapes.map(TensorType.kerasText).joined(separator: ", ") + "]"
  }

  /// `1,234 (4.82 KB)`: a count and its float32 size.
  static func counted(_ count: Int) -> String {
    "\(grouped(count)) (\(byteSize(Double(count) * 4)))"
  }

  /// Thousands separators, as Python's `{:,}`.
  public static func grouped(_ value: Int) -> String { NumberText.grouped(value) }

  /// Keras' `readable_memory_size`: 1024-based units, two decimals.
  public static func byteSize(_ bytes: Double) -> String { NumberText.byteSize(bytes) }

  /// Greedy word wrap at spaces, as rich wraps table cells.
  static func wrap(_ text: String, width: Int) -> [String] {
    var lines: [String] = []
    var current = ""
    for word in text.split(separator: " ", omittingEmptySubsequences: true) {
      if current.isEmpty {
        current = String(word)
      } else if current.count + 1 + word.count <= width {
        current += " " + word
      } else {
        lines.append(current)
        current = String(word)
      }
    }
    lines.append(current)
    return lines
  }

  private static func rule(_ left: String, _ fill: String, _ join: String, _ right: String, _ widths: [Int]) -> String {
    left + widths.map { String(repeating: fill, count: $0 + 2) }.joined(separator: join) + right + "\n"
  }

  private static func line(_ cells: [[String]], _ widths: [Int], _ rightAligned: [Bool], border: String) -> String {
    let height = cells.map(\.count).max() ?? 1
    var out = ""
    for lineIndex in 0..<height {
      out += border
      for (column, lines) in cells.enumerated() {
        let text = lineIndex < lines.count ? lines[lineIndex] : ""
        let padding = String(repeating: " ", count: max(0, widths[column] - text.count))
        out += " " + (rightAligned[column] ? padding + text : text + padding) + " " + border
      }
      out += "\n"
    }
    return out
  }
}
