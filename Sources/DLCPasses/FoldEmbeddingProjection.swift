// A recurrent layer's first step is a product of every input row with its kernel, plus its bias:
// x·W + b for each of batch × steps rows. When those rows are an Embedding's, each is one of the
// table's rows, so the product can be taken once per table row when the model is compiled:
// (E·W + b)[id] = E[id]·W + b. The Embedding then looks up the projected rows (gates × units wide)
// and the recurrent layer starts from them (`input_projected`), with no kernel and no input bias.
// At batch 32, text_lstm's projection was 60 % of its run.
//
// The layers are found by their traits: a `rowLookup` (Embedding) whose sole reader declares an
// `inputProjection` (SimpleRNN, LSTM, GRU; not Bidirectional, which would need two tables).
// Folded only when neither is shared, the lookup is no model output, and the projected table is at
// most twice the lookup's or at most `smallTable` floats: the table is what grows (text_lstm's
// from 10 to 20 MB).
import CDLCRuntime
import DLCData
import DLCIR
import DLCLayers

extension Passes {
  public static let foldEmbeddingProjection = Pass(
    "fold-embedding-projection",
    "project an Embedding's table through the input kernel of the recurrent layer that reads it"
  ) { program in
    let graph = program.graph
    var weights = program.weights
    var rewrite = GraphRewrite(graph)
    let shared = graph.sharedLayerNames
    for lookup in graph.nodes where lookup.traits.rowLookup != nil {
      guard let readerID = rewrite.soleReader(of: lookup.id), !shared.contains(lookup.name),
        !rewrite.isOutput(lookup.id), !shared.contains(rewrite.nodes[readerID].name),
        let fold = ProjectionFold(lookup: lookup, reader: rewrite.nodes[readerID])
      else { continue }
      if var table = weights {
        guard let folded = fold.foldedWeights(table) else { continue }
        table["\(fold.reader.name)/\(fold.projection.kernel)"] = nil
        table["\(fold.reader.name)/\(fold.projection.bias)"] = nil
        for (key, value) in folded { table[key] = value }
        weights = table
      }
      rewrite.replace(fold.projectedLookup)
      rewrite.replace(fold.projectingReader)
    }
    return Program(graph: rewrite.result(), weights: weights)
  }
}

/// The rewrite of one row lookup and the layer whose input projection moves into its table.
struct ProjectionFold {
  /// Tables of at most this many floats (4 MiB) fold whatever their growth.
  static let smallTable = 1 << 20

  let lookup: Node
  let reader: Node
  let table: RowLookup
  let projection: InputProjection
  let rows, features, width: Int
  /// Whether the reader keeps its bias' second row (its own), and so the bias.
  let keepsBias: Bool

  init?(lookup: Node, reader: Node) {
    guard let table = lookup.traits.rowLookup, let projection = reader.traits.inputProjection,
      let rows = lookup.traits.tokenVocabulary?(lookup.attributes),
      let features = lookup.attributes[table.widthArgument]?.intValue,
      let width = projection.width(reader.attributes),
      lookup.parameters.map(\.name) == [table.table],
      // The mask a reader of the lookup reads comes from the ids, which stay as they are.
      reader.dataInputs == [ValueRef(node: lookup.id)], reader.maskSource?.node != lookup.id,
      !InputProjection.isProjected(reader.attributes),
      reader.parameters.first(where: { $0.name == projection.kernel })?.shape == [features, width]
    else { return nil }
    let folded = rows * width
    guard folded <= Int(Int32.max), folded <= 2 * rows * features || folded <= Self.smallTable else { return nil }
    self.lookup = lookup
    self.reader = reader
    self.table = table
    self.projection = projection
    (self.rows, self.features, self.width) = (rows, features, width)
    keepsBias =
      projection.biasKeepsSecondRow(reader.attributes) && reader.parameters.contains { $0.name == projection.bias }
  }

  /// The lookup, now `width` wide, recording what it took in.
  var projectedLookup: Node {
    var node = lookup
    node.attributes[table.widthArgument] = .int(width)
    node.attributes["folded"] = .string("\(reader.name) input projection")
    node.outputs = node.outputs.map { $0.replacingLast(with: width) }
    node.parameters = node.parameters.map { parameter in
      var projected = parameter
      projected.shape = [rows, width]
      return projected
    }
    return node
  }

  /// The reader starting from projected rows: no kernel, and no input bias.
  var projectingReader: Node {
    var node = reader
    node.attributes[PassAttribute.inputProjected.name] = .bool(true)
    node.parameters.removeAll { $0.name == projection.kernel || ($0.name == projection.bias && !keepsBias) }
    return node
  }

  /// The projected table (E·W + b, through the runtime's Dense), and the bias with only its second
  /// row left when the reader keeps one; nil when the weights are not all there (a later stage
  /// reports the missing one).
  func foldedWeights(_ weights: [String: Tensor]) -> [String: Tensor]? {
    guard let embeddings = weights["\(lookup.name)/\(table.table)"]?.floats,
      let kernel = weights["\(reader.name)/\(projection.kernel)"]?.floats,
      embeddings.count == rows * features, kernel.count == features * width
    else { return nil }
    let bias = weights["\(reader.name)/\(projection.bias)"]?.floats
    guard bias.map({ $0.count == (keepsBias ? 2 : 1) * width }) ?? !keepsBias else { return nil }
    var projected = [Float](repeating: 0, count: rows * width)
    let inputBias = bias.map { Array($0[0..<width]) } ?? []
    embeddings.withUnsafeBufferPointer { embeddings in
      kernel.withUnsafeBufferPointer { kernel in
        inputBias.withUnsafeBufferPointer { inputBias in
          projected.withUnsafeMutableBufferPointer { output in
            // One call of dlc_run_calls, so that the product runs on the runtime built for this CPU.
            let arguments = [
              dlc_argument(address: UnsafeMutableRawPointer(mutating: embeddings.baseAddress)),
              dlc_argument(integer: rows), dlc_argument(integer: features),
              dlc_argument(address: UnsafeMutableRawPointer(mutating: kernel.baseAddress)), dlc_argument(integer: 0),
              dlc_argument(integer: width),
              dlc_argument(address: inputBias.isEmpty ? nil : UnsafeMutableRawPointer(mutating: inputBias.baseAddress)),
              dlc_argument(integer: Int(DLC_LINEAR)), dlc_argument(address: output.baseAddress),
              dlc_argument(address: nil),
            ]
            var dense = dlc_call(function: dlc_called_function("dlc_dense"), first: 0)
            _ = dlc_run_calls(&dense, 1, arguments)
          }
        }
      }
    }
    var folded = ["\(lookup.name)/\(table.table)": Tensor(shape: [rows, width], floats: projected)]
    if keepsBias, let bias {
      folded["\(reader.name)/\(projection.bias)"] = Tensor(
        shape: [2, width], floats: [Float](repeating: 0, count: width) + bias[width...])
    }
    return folded
  }
}
