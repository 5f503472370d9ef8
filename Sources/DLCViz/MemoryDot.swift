// The arena plan as a picture: each buffer a bar spanning the layers it is alive for (x) at its
// arena offset (y), drawn with Graphviz's neato and pinned positions.
import DLCPlanning
import DLCSummary
import Foundation

public enum MemoryDot {
  public static func render(_ memory: MemoryPlan) -> String {
    let (name, plan, labels) = (memory.graph.name, memory.arena, memory.labels)
    let steps = memory.schedule.map { memory.graph.nodes[$0].name }
    let width = 11.0
    let height = 7.0
    let stepWidth = width / Double(max(steps.count + 1, 1))
    let bytesPerInch = Double(max(plan.totalBytes, 1)) / height
    let palette = ["#8db4e2", "#f4b183", "#a9d18e", "#ffd966", "#c9a0dc", "#9dc3e6", "#f8cbad", "#c5e0b4"]
    var out = """
      graph "\(escape(name))_memory" {
        graph [splines=false, overlap=true, outputorder=nodesfirst, fontname="Helvetica", \
      label="\(escape(name)): arena \(grouped(memory.totalBytes)) bytes (without reuse \(grouped(memory.naiveBytes)), lower bound \(grouped(memory.lowerBoundBytes)))", labelloc=t];
        node [shape=box, style=filled, fixedsize=true, fontname="Helvetica", fontsize=7, penwidth=0.5, color="#444444"];

      """
    for (index, buffer) in plan.buffers.enumerated() where buffer.bytes > 0 {
      let lastStep = min(buffer.lastUse, steps.count)
      let boxWidth = Double(lastStep - buffer.firstUse + 1) * stepWidth
      let boxHeight = max(Double(buffer.bytes) / bytesPerInch, 0.02)
      let x = Double(buffer.firstUse) * stepWidth + boxWidth / 2
      let y = Double(plan.offsets[index]) / bytesPerInch + boxHeight / 2
      let fits = boxHeight > 0.14 && boxWidth > Double(labels[index].count) * 0.055
      let color = labels[index].hasSuffix(" scratch") ? "#dddddd" : palette[index % palette.count]
      let label = fits ? escape(labels[index]) : ""
      out +=
        "  b\(index) [pos=\"\(f(x)),\(f(y))!\", width=\(f(boxWidth)), height=\(f(boxHeight)), fillcolor=\"\(color)\", "
        + "label=\"\(label)\", tooltip=\"\(escape(labels[index])): \(grouped(buffer.bytes)) bytes, layers \(buffer.firstUse)–\(lastStep)\"];\n"
    }
    // Axes: layer names along the bottom, offsets up the left.
    out +=
      "  axis_x [shape=plaintext, style=\"\", fixedsize=false, pos=\"\(f(width / 2)),-0.35!\", label=\"layers in execution order →\", fontsize=9];\n"
    out +=
      "  axis_y [shape=plaintext, style=\"\", fixedsize=false, pos=\"-0.6,\(f(height / 2))!\", label=\"arena offset ↑\", fontsize=9];\n"
    // Thin the layer names so they do not overlap (about 0.05 inch per character at this size).
    let longest = Double(steps.map(\.count).max() ?? 1)
    let labelEvery = max(1, Int((longest * 0.05 / stepWidth).rounded(.up)))
    for (step, layer) in steps.enumerated() where step % labelEvery == 0 {
      out +=
        "  s\(step) [shape=plaintext, style=\"\", fixedsize=false, pos=\"\(f((Double(step) + 0.5) * stepWidth)),-0.12!\", "
        + "label=\"\(escape(layer))\", fontsize=6];\n"
    }
    out += "}\n"
    return out
  }

  static func f(_ value: Double) -> String { String(format: "%.3f", value) }
  static func grouped(_ value: Int) -> String { SummaryTable.grouped(value) }
  static func escape(_ text: String) -> String { GraphDot.escape(text) }
}
