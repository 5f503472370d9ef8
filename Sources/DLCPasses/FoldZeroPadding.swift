// ZeroPadding right before a "valid" convolution is the convolution reading zeros past its input's
// edges: the padding moves into the convolution as `explicit_padding` (top, bottom, left, right)
// and the padded copy disappears. Only convolutions: a max pool would see the zeros differently.
import DLCIR

extension Passes {
  static let paddable: Set<String> = ["Conv1D", "Conv2D", "DepthwiseConv2D", "SeparableConv2D"]

  public static let foldZeroPadding = Pass(
    "fold-zero-padding", "fold ZeroPadding1D/2D into the valid convolution it feeds"
  ) { (graph: Graph) in
    var nodes = graph.nodes
    var removed: Set<NodeID> = []
    var replacements: [ValueRef: ValueRef] = [:]
    let consumers = graph.consumers()
    let outputs = Set(graph.outputs)
    for pad in graph.nodes where pad.op == "ZeroPadding1D" || pad.op == "ZeroPadding2D" {
      guard consumers[pad.id].count == 1, let convolution = consumers[pad.id].first, !outputs.contains(ValueRef(node: pad.id))
      else { continue }
      var folded = nodes[convolution]
      guard paddable.contains(folded.op), folded.attributes["padding"]?.stringValue?.lowercased() == "valid",
        folded.attributes["explicit_padding"] == nil, let amounts = pad.attributes["padding"]?.intsValue
      else { continue }
      folded.attributes["explicit_padding"] = .ints(amounts.count == 2 ? [0, 0] + amounts : amounts)
      nodes[convolution] = folded
      removed.insert(pad.id)
      replacements[ValueRef(node: pad.id)] = pad.inputs[0]
    }
    var result = graph
    result.nodes = nodes
    return result.rebuilt(removing: removed, replacing: replacements)
  }
}
