// Which sizes follow an input's `none` dimension. Shape rules compute with numbers, so the model is
// elaborated again with each variable size a little smaller, and every output dimension that
// changes is variable (Keras shows it as None). Several probes are needed because strided layers
// round: one smaller size may leave a derived size unchanged.
import DLCData
import DLCElaboration
import DLCFrontend
import DLCIR
import DLCLayers
import DLCSupport

extension Driver {
  /// `--max-shape` must be about the model's inputs with `none` dimensions: a size for nothing is
  /// an error, never ignored.
  public static func checkMaximumSizes(_ specs: [String], _ sizes: VariableSizes, for graph: Graph) throws {
    guard !specs.isEmpty else { return }
    let variable = graph.inputs.filter { !$0.variableAxes.isEmpty }
    guard !variable.isEmpty else {
      throw Diagnostic.error("--max-shape: the model's inputs have no none dimension (their sizes are fixed)")
    }
    for name in sizes.byInput.keys.sorted() where !variable.contains(where: { $0.name == name }) {
      let hint = NearestName.hint(name, among: variable.map(\.name))
      throw Diagnostic.error("--max-shape \(name)=...: the model has no input '\(name)' with a none dimension\(hint)")
    }
  }

  /// Without `--max-shape`, `none` dimensions take the standard maximum, unless the model cannot
  /// take that much (keras_hub's TokenAndPositionEmbedding has positions for `sequence_length`
  /// tokens): then the largest size it compiles at, found by bisection.
  static func largestWorkingSizes(_ model: ModelFile, registry: LayerRegistry, sizes: VariableSizes) -> VariableSizes {
    let hasNone = model.items.contains { item in
      guard case .input(let input) = item else { return false }
      return input.dimensions.contains { $0.value == nil }
    }
    guard hasNone, !sizes.givenByUser else { return sizes }
    func compiles(_ size: Int) -> Bool {
      var probe = sizes
      probe.standard = size
      return Elaborator.elaborate(model, registry: registry, sizes: probe, diagnostics: DiagnosticEngine()) != nil
    }
    guard !compiles(sizes.standard) else { return sizes }
    var (works, fails) = (0, sizes.standard)
    while fails - works > 1 {
      let middle = (works + fails) / 2
      if compiles(middle) { works = middle } else { fails = middle }
    }
    guard works >= 1 else { return sizes }  // it fails at every size: report the standard one's errors
    var found = sizes
    found.standard = works
    return found
  }

  /// How many smaller sizes are tried (strides up to this many are told apart).
  static let variableSizeProbes = 8

  static func markVariableAxes(
    _ graph: inout Graph, model: ModelFile, registry: LayerRegistry, diagnostics: DiagnosticEngine
  ) {
    var reported = Set<NodeID>()
    for step in 1...variableSizeProbes {
      var smaller = VariableSizes()
      for input in graph.inputs {
        let axes = input.variableAxes[0] ?? []
        guard !axes.isEmpty else { continue }
        smaller.byInput[input.name] = axes.map { max(1, input.outputs[0].dims[$0] - step) }
      }
      // A probe that fails (a kernel longer than the smaller size) says nothing about the others.
      let quiet = DiagnosticEngine()
      guard let probe = Elaborator.elaborate(model, registry: registry, sizes: smaller, diagnostics: quiet),
        probe.nodes.count == graph.nodes.count
      else { continue }
      for (index, node) in graph.nodes.enumerated() where !node.isInput {
        let other = probe.nodes[index]
        guard other.op == node.op, other.outputs.count == node.outputs.count else { continue }
        for (output, type) in node.outputs.enumerated() where type.dims.count == other.outputs[output].dims.count {
          let changed = type.dims.indices.filter { type.dims[$0] != other.outputs[output].dims[$0] }
          let known = Set(graph.nodes[index].variableAxes[output] ?? [])
          let axes = known.union(changed).sorted()
          if !axes.isEmpty { graph.nodes[index].variableAxes[output] = axes }
        }
        if other.parameters.map(\.shape) != node.parameters.map(\.shape), reported.insert(index).inserted {
          diagnostics.report(
            .error(
              "\(node.op) '\(node.name)' would need weights whose shape depends on a dimension of any size (none)",
              at: node.range,
              notes: [
                DiagnosticNote(
                  "Keras requires that dimension to be defined here: give the input a fixed size, or pool over the "
                    + "variable axis first (GlobalAveragePooling1D)")
              ]))
        }
      }
    }
  }
}

extension Compilation {
  /// The compilation for the sizes `inputs` (in the graph's input order) have along the inputs'
  /// `none` dimensions: itself when those are the sizes it was compiled for. Both backends run a
  /// shorter sequence as the model compiled for its length, so no padding changes the outputs.
  public func specialized(for inputs: [Tensor]) throws -> Compilation {
    guard let graph, graph.hasVariableDimensions else { return self }
    var sizes = self.sizes
    sizes.givenByUser = true
    var changed = false
    for (input, tensor) in zip(graph.inputs, inputs) {
      guard let axes = input.variableAxes[0], tensor.shape.count == input.outputs[0].rank else { continue }
      let actual = axes.map { tensor.shape[$0 + 1] }
      if actual != axes.map({ input.outputs[0].dims[$0] }) { changed = true }
      sizes.byInput[input.name] = actual
    }
    guard changed else { return self }
    var specialized = Driver.compile(file, registry: registry, sizes: sizes)
    guard specialized.succeeded else { throw specialized.failed }
    specialized.imported = imported
    specialized.stageTimes = stageTimes + specialized.stageTimes.map { ("\($0.stage) (specialized)", $0.duration) }
    return specialized
  }
}
