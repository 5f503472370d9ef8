// A graph as Graphviz DOT text: one box per layer (name, type, output shape, parameters), inputs
// and outputs styled apart, edges labelled with the tensor shape, block instances as clusters.
// The text is deterministic (graph order, fixed formatting), so it can be golden-tested.
import DLCIR
import DLCSummary

public enum RankDirection: String, CaseIterable, Sendable {
  // Graphviz's own spellings, which the command line takes as they are.
  // swift-format-ignore: AlwaysUseLowerCamelCase
  case TB, LR
}

public enum GraphDot {
  public static func render(_ graph: Graph, rankdir: RankDirection = .TB) -> String {
    var out = """
      digraph "\(escape(graph.name))" {
        graph [rankdir=\(rankdir.rawValue), fontname="Helvetica", fontsize=12, nodesep=0.3, ranksep=0.35, \
      label="\(escape(graph.name))", labelloc=t];
        node [shape=box, style="rounded,filled", fillcolor="#eef3fb", color="#5b7bb5", fontname="Helvetica", fontsize=10];
        edge [color="#555555", fontname="Helvetica", fontsize=8, fontcolor="#555555"];

      """
    let outputs = Set(graph.outputs.map(\.node))
    // Nodes grouped into their (nested) block instances, in graph order.
    let tree = ClusterTree(graph.nodes)
    out += tree.render(depth: 1) { node in
      "\(nodeID(node)) [\(attributes(node, isOutput: outputs.contains(node.id)))];"
    }
    out += "\n"
    for node in graph.nodes {
      for input in node.dataInputs {
        let dims = graph.nodes[input.node].shownDims(input.output)
        out += "  \(nodeID(graph.nodes[input.node])) -> \(nodeID(node)) [label=\"\(shape(dims))\"];\n"
      }
      if let source = node.maskSource {
        out += "  \(nodeID(graph.nodes[source.node])) -> \(nodeID(node)) [label=\"mask\", style=dashed];\n"
      }
    }
    out += "}\n"
    return out
  }

  static func nodeID(_ node: Node) -> String { "n\(node.id)" }

  /// `(N, 28, 28, 1)`, with None for a size that varies.
  static func shape(_ dims: [Int?]) -> String {
    "(N" + dims.map { ", \($0.map(String.init) ?? "None")" }.joined() + ")"
  }

  static func attributes(_ node: Node, isOutput: Bool) -> String {
    let shapes = node.outputs.indices.map { shape(node.shownDims($0)) }.joined(separator: "\\n")
    if node.isInput {
      return "label=\"\(escape(node.name))\\ninput \(shapes)\", shape=ellipse, fillcolor=\"#e3f4e1\", color=\"#4f9a48\""
    }
    var lines = ["\(escape(node.name))", "\(node.op)", shapes]
    if node.parameterCount > 0 { lines.append("\(SummaryTable.grouped(node.parameterCount)) params") }
    // What optimization passes folded into this layer.
    if let folded = node.attributes["folded"]?.stringValue { lines.append("+ \(escape(folded)) (folded)") }
    if let fused = node.attributes["fused"]?.stringValue {
      let activation = node.attributes["activation"]?.stringValue.map { ": " + $0 } ?? ""
      lines.append("+ \(escape(fused)) (fused\(escape(activation)))")
    }
    let label = lines.joined(separator: "\\n")
    return isOutput
      ? "label=\"\(label)\", fillcolor=\"#fdf0dc\", color=\"#c98a2b\", penwidth=2"
      : "label=\"\(label)\""
  }

  static func escape(_ text: String) -> String {
    text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
  }
}

/// Nodes nested by their block-instance scope.
private struct ClusterTree {
  var name: String = ""
  var nodes: [Node] = []
  var children: [ClusterTree] = []
  /// Items in graph order: a node, or the index of a child cluster (at its first node).
  var order: [Either] = []

  enum Either {
    case node(Node)
    case child(Int)
  }

  init(name: String = "") { self.name = name }

  init(_ nodes: [Node]) {
    for node in nodes { insert(node, path: node.scope[...]) }
  }

  mutating func insert(_ node: Node, path: ArraySlice<String>) {
    guard let head = path.first else {
      nodes.append(node)
      order.append(.node(node))
      return
    }
    if let index = children.firstIndex(where: { $0.name == head }) {
      children[index].insert(node, path: path.dropFirst())
    } else {
      var child = ClusterTree(name: head)
      child.insert(node, path: path.dropFirst())
      children.append(child)
      order.append(.child(children.count - 1))
    }
  }

  func render(depth: Int, _ line: (Node) -> String) -> String {
    let indent = String(repeating: "  ", count: depth)
    var out = ""
    for item in order {
      switch item {
      case .node(let node):
        out += indent + line(node) + "\n"
      case .child(let index):
        let child = children[index]
        out += indent + "subgraph \"cluster_\(GraphDot.escape(child.name))\" {\n"
        out +=
          indent
          + "  label=\"\(GraphDot.escape(child.name))\"; style=\"rounded,dashed\"; color=\"#999999\"; fontsize=10;\n"
        out += child.render(depth: depth + 1, line)
        out += indent + "}\n"
      }
    }
    return out
  }
}
