// ZeroPadding right before a "valid" convolution is the convolution reading zeros past its input's
// edges: the padding moves into the convolution as `explicit_padding` (top, bottom, left, right)
// and the padded copy disappears. Only convolutions: a max pool would see the zeros differently.
import DLCIR
import DLCLayers

extension Passes {
  public static let foldZeroPadding = Pass(
    "fold-zero-padding", "fold ZeroPadding1D/2D into the valid convolution it feeds"
  ) { (graph: Graph) in
    var rewrite = GraphRewrite(graph)
    for pad in graph.nodes where pad.traits.foldsAsPadding {
      guard let convolution = rewrite.soleReader(of: pad.id), !rewrite.isOutput(pad.id) else { continue }
      var folded = rewrite.nodes[convolution]
      guard folded.traits.acceptsFoldedPadding, folded.attributes["padding"]?.stringValue?.lowercased() == "valid",
        folded.attributes[PassAttribute.explicitPadding.name] == nil, let amounts = pad.attributes["padding"]?.intsValue
      else { continue }
      folded.attributes[PassAttribute.explicitPadding.name] = .ints(amounts.count == 2 ? [0, 0] + amounts : amounts)
      rewrite.absorb(pad.id, into: folded, readersRead: pad.inputs[0])
    }
    return rewrite.result()
  }
}
