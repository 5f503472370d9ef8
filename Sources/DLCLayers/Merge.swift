// Merge layers: elementwise Add/Subtract/Multiply/Average/Maximum/Minimum, Concatenate and Dot.
import DLCIR
import DLCSupport

extension LayerDef {
  static let add = elementwiseMerge("Add", arity: .atLeast(2), .add, takesConstant: true)
  static let subtract = elementwiseMerge(
    "Subtract", arity: .exactly(2), .sub, takesConstant: true, constantMayComeFirst: true)
  /// Keras' `x / c` in a functional model (the operation TrueDivide): x · (1/c).
  static let trueDivide = LayerDef(
    keras: "TrueDivide",
    arguments: [ArgumentSpec("constant", .float(), positional: false)],
    outputType: { layer in
      guard layer.double(.constant) != 0 else {
        throw Diagnostic.shape("TrueDivide by zero", argument: "constant")
      }
      return layer.input
    }, memory: .elementwise
  ).masking(.propagates).traits {
    $0.elementwise = .unary { [.scale(1 / $0.number(.constant, default: 1), 0)] }
  }.lowered { c in
    c.affineOfInput(scale: 1 / c.arguments.double(.constant), offset: 0)
  }
  static let multiply = elementwiseMerge("Multiply", arity: .atLeast(2), .mul, takesConstant: true)
  static let average = elementwiseMerge("Average", arity: .atLeast(2), .add, averages: true)
  static let maximum = elementwiseMerge("Maximum", arity: .atLeast(2), .max)
  static let minimum = elementwiseMerge("Minimum", arity: .atLeast(2), .min)

  /// Inputs of one rank whose dims are equal or 1 (broadcast), as Keras' Merge allows, combined
  /// element by element with `combine` (then divided by the count when `averages`). With
  /// `takesConstant`, one input and `constant=c` is Keras' operation with a number (`x + 3.0`,
  /// `x * (1 / 6)`, `x - 1.0` in a functional model), which Keras names and summarizes as these layers.
  static func elementwiseMerge(
    _ keras: String, arity: Arity, _ combine: ElementwiseStep.Combine, averages: Bool = false,
    takesConstant: Bool = false, constantMayComeFirst: Bool = false
  ) -> LayerDef {
    LayerDef(
      keras: keras, arity: arity,
      arguments: (takesConstant
        ? [ArgumentSpec("constant", .float(), default: AttributeValue.none, positional: false)] : [])
        // Keras' `c - x`: the number is the first operand (Add and Multiply commute).
        + (constantMayComeFirst
          ? [ArgumentSpec("constant_first", .bool, default: AttributeValue.none, nullable: true, positional: false)]
          : []),
      outputTypes: { layer in
        if takesConstant && layer.bool(.constantFirst) && layer.isNone(.constant) {
          throw Diagnostic.shape("\(keras) with constant_first=true needs constant=", argument: "constant_first")
        }
        if takesConstant && !layer.isNone(.constant) && layer.inputs.count != 1 {
          throw Diagnostic.shape(
            "\(keras) with constant= takes one tensor; got \(layer.inputs.count)", argument: "constant")
        }
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
    }.lowered { c in
      let op: CombineOp =
        [.add: .add, .sub: .subtract, .mul: .multiply, .max: .maximum, .min: .minimum][combine] ?? .add
      let out = c.outputDims
      let count = out.reduce(1, *)
      if !c.arguments.isNone(.constant),
        let (scale, offset) = constantAffine(
          combine, c.arguments.double(.constant), first: c.arguments.bool(.constantFirst))
      {
        c.affineOfInput(scale: scale, offset: offset)
        c.activate(c.output(), count: count, width: out.last ?? 1)
        return
      }
      let inputs = c.node.inputs.indices
      // A fused activation goes into the last combining loop when nothing follows it.
      var activated = false
      for index in inputs.dropFirst() {
        let left = index == 1 ? c.input(0) : c.output()
        let leftDims = index == 1 ? c.inputDims(0) : out
        let rightDims = c.inputDims(index)
        if leftDims == out && rightDims == out {
          let fused = index == inputs.count - 1 && !averages ? c.elementwiseActivation : .linear
          activated = fused != .linear
          c.emit(.combine(op, a: left, b: c.input(index), count: .perExample(count), activation: fused, y: c.output()))
        } else {
          c.emit(
            .broadcast(
              op, a: left, aStrides: broadcastStrides(leftDims), b: c.input(index),
              bStrides: broadcastStrides(rightDims), shape: out, y: c.output()))
        }
      }
      if averages {
        c.emit(
          .affine(
            x: c.output(), count: .perExample(count), scale: 1 / Float(inputs.count), offset: 0, y: c.output()))
      }
      if !activated { c.activate(c.output(), count: count, width: out.last ?? 1) }
    }
  }

  /// A merge of one tensor with a number as v·scale + offset (nil for merges that are not affine);
  /// `first`: the number is the first operand (c − v).
  public static func constantAffine(_ combine: ElementwiseStep.Combine, _ constant: Double, first: Bool = false)
    -> (Double, Double)?
  {
    switch combine {
    case .add: return (1, constant)
    case .sub: return first ? (-1, constant) : (1, -constant)
    case .mul: return (constant, 0)
    case .rsub, .max, .min: return nil
    }
  }

  /// Strides (batch first) of an input in broadcasting: zero along axes of size 1.
  static func broadcastStrides(_ dims: [Int]) -> [Int] {
    let shape = [0] + dims
    var result = [Int](repeating: 0, count: shape.count)
    var running = dims.reduce(1, *)
    result[0] = running
    for axis in 1..<shape.count {
      running /= max(shape[axis], 1)
      result[axis] = shape[axis] == 1 ? 0 : running
    }
    return result
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
      let axis = try Axis.resolve(layer.int(.axis), rank: first.rank, layer: "Concatenate")
      for other in layer.inputs.dropFirst() {
        for index in first.dims.indices where index != axis && first.dims[index] != other.dims[index] {
          throw Diagnostic.shape(
            "Concatenate along axis \(layer.int(.axis)) needs the other dimensions to match; got "
              + layer.inputs.map(\.description).joined(separator: " and "))
        }
      }
      var dims = first.dims
      dims[axis] = layer.inputs.reduce(0) { $0 + $1.dims[axis] }
      return [first.with(dims: dims)]
    }
  ).masking(.unsupported).traits { $0.concatenates = true }.lowered { c in
    // Each input into its slice of every output row; a backend drops the copy when the memory plan
    // had the producer write straight into the slice.
    let dims = [0] + c.outputDims
    let axis = c.arguments.int(.axis) < 0 ? c.arguments.int(.axis) + dims.count : c.arguments.int(.axis)
    let outer = dims[1..<axis].reduce(1, *)
    let stride = dims[axis...].reduce(1, *)
    var offset = 0
    for index in c.node.inputs.indices {
      let width = ([0] + c.inputDims(index))[axis...].reduce(1, *)
      c.emit(
        .copyBlocks(x: c.input(index), outer: .perExample(outer), width: width, y: c.output() + offset, stride: stride))
      offset += width
    }
  }

  /// Keras' Dot: a batched dot product over one axis of each input (axes count the batch axis as 0).
  static let dot = LayerDef(
    keras: "Dot",
    arity: .exactly(2),
    arguments: [ArgumentSpec("axes", .axes), .bool("normalize", default: false)],
    outputTypes: { layer in
      let (x, y) = (layer.inputs[0], layer.inputs[1])
      let axes = layer.ints(.axes)
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
      let contracted = (try? Axis.resolve(layer.ints(.axes).first ?? -1, rank: x.rank, layer: "Dot")).map {
        x.dims[$0]
      }
      return Checked.product(outputs.first?.elementCount ?? 0, contracted ?? 0)
    }
  ).lowered(scratch: { s in 4 * s.maxBatch * max(s.inputs[0].elementCount, s.inputs[1].elementCount) }) { c in
    let x = [0] + c.inputDims(0)
    let y = [0] + c.inputDims(1)
    let axes = c.arguments.ints(.axes)
    let resolve = { (axis: Int, rank: Int) in axis < 0 ? axis + rank : axis }
    let xAxis = resolve(axes[0], x.count)
    let yAxis = resolve(axes.count == 2 ? axes[1] : axes[0], y.count)
    let big = c.maxBatch * max(c.shapes.inputs[0].elementCount, c.shapes.inputs[1].elementCount)
    let slots = (0..<4).map { c.scratch + $0 * big }
    var (a, b) = (c.input(0), c.input(1))
    if c.arguments.bool(.normalize) {
      c.emit(
        .l2Normalize(
          x: a, outer: .perExample(x[1..<xAxis].reduce(1, *)), axis: x[xAxis], inner: x[(xAxis + 1)...].reduce(1, *),
          y: slots[0]))
      c.emit(
        .l2Normalize(
          x: b, outer: .perExample(y[1..<yAxis].reduce(1, *)), axis: y[yAxis], inner: y[(yAxis + 1)...].reduce(1, *),
          y: slots[1]))
      (a, b) = (slots[0], slots[1])
    }
    // x with the contracted axis last, y with it first (after batch).
    let xOrder = (0..<x.count).filter { $0 != xAxis } + [xAxis]
    let yOrder = [0, yAxis] + (1..<y.count).filter { $0 != yAxis }
    if xOrder != Array(0..<x.count) {
      c.emit(.transpose(x: a, shape: Array(x.dropFirst()), order: xOrder, y: slots[2]))
      a = slots[2]
    }
    if yOrder != Array(0..<y.count) {
      c.emit(.transpose(x: b, shape: Array(y.dropFirst()), order: yOrder, y: slots[3]))
      b = slots[3]
    }
    let inner = x[xAxis]
    c.emit(
      .batchedGEMM(
        m: x.dropFirst().reduce(1, *) / inner, n: y.dropFirst().reduce(1, *) / inner, k: inner, a: a, b: b,
        c: c.output()))
  }
}
