// Merge layers: elementwise Add/Subtract/Multiply/Average/Maximum/Minimum, Concatenate and Dot.
import DLCIR
import DLCSupport

extension LayerDef {
  static let add = elementwiseMerge("Add", arity: .atLeast(2), .add)
  static let subtract = elementwiseMerge("Subtract", arity: .exactly(2), .sub)
  static let multiply = elementwiseMerge("Multiply", arity: .atLeast(2), .mul)
  static let average = elementwiseMerge("Average", arity: .atLeast(2), .add, averages: true)
  static let maximum = elementwiseMerge("Maximum", arity: .atLeast(2), .max)
  static let minimum = elementwiseMerge("Minimum", arity: .atLeast(2), .min)

  /// Inputs of one rank whose dims are equal or 1 (broadcast), as Keras' Merge allows, combined
  /// element by element with `combine` (then divided by the count when `averages`).
  static func elementwiseMerge(
    _ keras: String, arity: Arity, _ combine: ElementwiseStep.Combine, averages: Bool = false
  ) -> LayerDef {
    LayerDef(
      keras: keras, arity: arity, arguments: [],
      outputTypes: { layer in
        var result = layer.inputs[0]
        for other in layer.inputs.dropFirst() {
          let broadcastable =
            other.rank == result.rank && zip(result.dims, other.dims).allSatisfy { $0 == $1 || $0 == 1 || $1 == 1 }
          guard broadcastable else {
            throw Diagnostic.shape(
              "\(keras) needs inputs of the same shape; got "
                + layer.inputs.map(\.description).joined(separator: " and "))
          }
          result = result.with(dims: zip(result.dims, other.dims).map { max($0, $1) })
        }
        return [result]
      }, memory: .elementwise
    ).masking(.propagates).traits {
      $0.activationEpilogue = true
      $0.elementwise = .merge(combine, averages: averages)
    }
  }

  static let concatenate = LayerDef(
    keras: "Concatenate",
    arity: .atLeast(2),
    arguments: [.int("axis", default: -1)],
    outputTypes: { layer in
      let first = layer.inputs[0]
      guard layer.inputs.allSatisfy({ $0.rank == first.rank }) else {
        throw Diagnostic.shape(
          "Concatenate needs inputs of the same rank; got " + layer.inputs.map(\.description).joined(separator: " and ")
        )
      }
      let axis = try Axis.resolve(layer.int("axis"), rank: first.rank, layer: "Concatenate")
      for other in layer.inputs.dropFirst() {
        for index in first.dims.indices where index != axis && first.dims[index] != other.dims[index] {
          throw Diagnostic.shape(
            "Concatenate along axis \(layer.int("axis")) needs the other dimensions to match; got "
              + layer.inputs.map(\.description).joined(separator: " and "))
        }
      }
      var dims = first.dims
      dims[axis] = layer.inputs.reduce(0) { $0 + $1.dims[axis] }
      return [first.with(dims: dims)]
    }
  ).masking(.unsupported).traits { $0.concatenates = true }

  /// Keras' Dot: a batched dot product over one axis of each input (axes count the batch axis as 0).
  static let dot = LayerDef(
    keras: "Dot",
    arity: .exactly(2),
    arguments: [ArgumentSpec("axes", .axes), .bool("normalize", default: false)],
    outputTypes: { layer in
      let (x, y) = (layer.inputs[0], layer.inputs[1])
      let axes = layer.ints("axes")
      guard axes.count == 1 || axes.count == 2 else {
        throw Diagnostic.shape("Dot axes must be one axis or a pair of axes; got \(describe(axes))", argument: "axes")
      }
      let xAxis = try Axis.resolve(axes[0], rank: x.rank, layer: "Dot", argument: "axes")
      let yAxis = try Axis.resolve(axes.count == 2 ? axes[1] : axes[0], rank: y.rank, layer: "Dot", argument: "axes")
      guard x.dims[xAxis] == y.dims[yAxis] else {
        throw Diagnostic.shape(
          "Dot needs equal sizes along the dotted axes; got \(x) axis \(xAxis + 1) (\(x.dims[xAxis])) and "
            + "\(y) axis \(yAxis + 1) (\(y.dims[yAxis]))")
      }
      var dims = x.dims
      dims.remove(at: xAxis)
      var rest = y.dims
      rest.remove(at: yAxis)
      dims += rest
      return [x.with(dims: dims.isEmpty ? [1] : dims)]
    },
    macs: { layer, outputs in
      let x = layer.input
      let contracted = (try? Axis.resolve(layer.ints("axes").first ?? -1, rank: x.rank, layer: "Dot")).map {
        x.dims[$0]
      }
      return Checked.product(outputs.first?.elementCount ?? 0, contracted ?? 0)
    })
}
