// BatchNormalization after a linear Conv1D/Conv2D/DepthwiseConv2D/SeparableConv2D/Dense is a
// per-channel scale and shift of that layer's output, so it can live in the layer's weights:
// kernel·s per output channel, bias·s + t, where s = gamma/√(variance + ε), t = beta − mean·s.
// Folded only when the normalization is the producer's sole reader, normalizes the last axis,
// and the producer has no activation (relu before the normalization does not commute with it), and
// neither layer is shared (called more than once).
import DLCData
import DLCIR
import DLCLayers

extension Passes {
  public static let foldBatchNormalization = Pass(
    "fold-batch-normalization", "fold BatchNormalization into the linear convolution or Dense before it"
  ) { program in
    let graph = program.graph
    var weights = program.weights
    var rewrite = GraphRewrite(graph)
    // A shared layer's weights serve every call: folding one call's normalization would change the others.
    let shared = graph.sharedLayerNames
    for norm in graph.nodes where norm.traits.foldsIntoLinearProducer && !shared.contains(norm.name) {
      let source = norm.inputs[0]
      let producer = rewrite.nodes[source.node]
      let rank = norm.outputs[0].rank
      let axis = norm.attributes["axis"]?.intValue ?? -1
      guard let kernelName = producer.traits.perChannelLinearKernel, !shared.contains(producer.name),
        producer.outputs.count == 1,
        rewrite.soleReader(of: producer.id) == norm.id,
        !rewrite.isOutput(producer.id), !rewrite.isOutput(norm.id), axis == -1 || axis == rank - 1,
        (producer.attributes["activation"]?.stringValue ?? "linear") == "linear"
      else { continue }
      let channels = norm.outputs[0].last
      var folded = producer
      folded.attributes["use_bias"] = .bool(true)
      if !folded.parameters.contains(where: { $0.name == "bias" }) {
        folded.parameters.append(ParameterSpec("bias", [channels], trainable: true, initializer: "zeros"))
      }
      // Keep a record in the IR of what was folded in.
      folded.attributes["folded"] = .string(norm.name)
      rewrite.absorb(norm.id, into: folded, readersRead: source)

      guard var table = weights else { continue }
      func values(_ node: Node, _ name: String) -> [Float]? { table["\(node.name)/\(name)"]?.floats }
      let mean = values(norm, "moving_mean") ?? [Float](repeating: 0, count: channels)
      let variance = values(norm, "moving_variance") ?? [Float](repeating: 1, count: channels)
      let gamma = values(norm, "gamma") ?? [Float](repeating: 1, count: channels)
      let beta = values(norm, "beta") ?? [Float](repeating: 0, count: channels)
      let epsilon = Float(norm.attributes["epsilon"]?.doubleValue ?? 1e-3)
      let scale = (0..<channels).map { gamma[$0] / (variance[$0] + epsilon).squareRoot() }
      let shift = (0..<channels).map { beta[$0] - mean[$0] * scale[$0] }
      // The kernel whose last axis (flattened with the multiplier, for depthwise) is the output channel.
      let key = "\(producer.name)/\(kernelName)"
      if let kernel = table[key] {
        var scaled = kernel.floats
        for index in scaled.indices { scaled[index] *= scale[index % channels] }
        table[key] = Tensor(shape: kernel.shape, floats: scaled)
      }
      let bias = values(producer, "bias") ?? [Float](repeating: 0, count: channels)
      table["\(producer.name)/bias"] = Tensor(
        shape: [channels], floats: (0..<channels).map { bias[$0] * scale[$0] + shift[$0] })
      for parameter in norm.parameters { table["\(norm.name)/\(parameter.name)"] = nil }
      weights = table
    }
    return Program(graph: rewrite.result(), weights: weights)
  }
}
