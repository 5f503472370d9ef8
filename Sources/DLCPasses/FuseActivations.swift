// An activation layer (Activation, and ReLU or ELU with arguments an `activation=` name can say)
// right after a layer that can apply an activation to its own result becomes that layer's
// `activation`: the backends then apply it in the same pass that writes the result — the
// convolution's or Dense's bias epilogue, the merge's combining loop, the normalization's
// scale-and-shift loop — instead of reading and writing the whole tensor again.
// Fused only when the activation layer is the producer's sole reader, the producer's result is
// not a model output (its name would change), the producer's activation is linear, and the
// activation layer's own output is not a model output (outputs keep their names).
import DLCIR
import DLCLayers

extension Passes {
  public static let fuseActivations = Pass(
    "fuse-activations",
    "apply an activation layer in the loop of the convolution, Dense, merge or normalization before it"
  ) { (graph: Graph) in
    var rewrite = GraphRewrite(graph)
    for layer in graph.nodes {
      guard let activation = layer.traits.computesActivation?(layer.attributes), activation != .linear else { continue }
      let source = layer.inputs[0]
      let producer = rewrite.nodes[source.node]
      guard producer.traits.activationEpilogue, producer.outputs.count == 1,
        rewrite.soleReader(of: producer.id) == layer.id,
        !rewrite.isOutput(producer.id), !rewrite.isOutput(layer.id),
        Activation.named(producer.attributes["activation"]?.stringValue ?? "linear") == .linear
      else { continue }
      var fused = producer
      fused.attributes["activation"] = .string(activation.rawValue)
      // Keep a record in the IR of what was fused in.
      fused.attributes["fused"] = .string(layer.name)
      rewrite.absorb(layer.id, into: fused, readersRead: source)
    }
    return rewrite.result()
  }
}
