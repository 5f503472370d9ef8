// Lays out and renders DOT text in-process through Graphviz's C API (libgvc).
import CGraphviz
import DLCSupport
import Foundation

public enum VizFormat: String, CaseIterable, Sendable {
  case png, svg, pdf, dot

  /// The format a file name asks for, by extension.
  public init?(path: String) {
    self.init(rawValue: (path as NSString).pathExtension.lowercased())
  }
}

public enum GraphvizRenderer {
  /// Graphviz keeps global state in its context; one render at a time.
  private static let lock = NSLock()

  /// The rendered bytes; `dot` returns the text itself. `engine` is a Graphviz layout ("dot", "neato").
  public static func render(_ dot: String, format: VizFormat, engine: String = "dot") throws -> [UInt8] {
    if format == .dot { return Array(dot.utf8) }
    lock.lock()
    defer { lock.unlock() }
    guard let context = gvContext() else { throw Diagnostic.error("Graphviz could not start") }
    defer { gvFreeContext(context) }
    guard let graph = dot.withCString({ agmemread($0) }) else {
      throw Diagnostic.error("Graphviz could not read the generated graph (a dlc bug)")
    }
    defer { agclose(graph) }
    guard engine.withCString({ gvLayout(context, graph, $0) }) == 0 else {
      throw Diagnostic.error("Graphviz could not lay out the graph with \(engine)")
    }
    defer { gvFreeLayout(context, graph) }
    var data: UnsafeMutablePointer<CChar>?
    var length: UInt32 = 0
    guard format.rawValue.withCString({ gvRenderData(context, graph, $0, &data, &length) }) == 0, let data else {
      throw Diagnostic.error("Graphviz cannot render \(format.rawValue) here (is its plugin installed?)")
    }
    defer { gvFreeRenderData(data) }
    return data.withMemoryRebound(to: UInt8.self, capacity: Int(length)) {
      Array(UnsafeBufferPointer(start: $0, count: Int(length)))
    }
  }
}
