// C for SimpleRNN, LSTM, GRU and Bidirectional: dlc_recurrent per direction, outputs placed where
// Keras returns them.
import DLCIR
import DLCLayers

enum RecurrentEmitters {
  static let table: [String: LayerEmitter] = [
    "SimpleRNN": plain, "LSTM": plain, "GRU": plain, "Bidirectional": bidirectional,
  ]

  /// One direction's configuration, from the layer's (or the wrapped layer's) attributes.
  struct Cell {
    var op: String
    var arguments: LayerApplication
    var units: Int { arguments.int("units") }
    var gates: Int { op == "LSTM" ? 4 : op == "GRU" ? 3 : 1 }
    var kind: String { op == "LSTM" ? "DLC_LSTM" : op == "GRU" ? "DLC_GRU" : "DLC_SIMPLE_RNN" }
    var resetAfter: Bool { op == "GRU" && arguments.bool("reset_after") }

    init(op: String, attributes: Attributes) {
      self.op = op
      self.arguments = LayerApplication(inputs: [], arguments: attributes)
    }

    func activation(_ name: String, default fallback: Activation) -> String {
      "DLC_" + (Activation.named(arguments.string(name)) ?? fallback).rawValue.uppercased()
    }

    /// Floats of dlc_recurrent's own scratch.
    func scratch(batch: Int, steps: Int) -> Int { batch * steps * gates * units + batch * gates * units }

    /// The call, with weights under `prefix` (`forward/` in a Bidirectional).
    func call(
      _ c: EmitContext, prefix: String, goBackwards: Bool, zeroOutputForMask: Bool, sequence: String, h: String,
      cState: String, scratch: String
    ) throws -> String {
      let (steps, features) = (c.inputDims[0], c.inputDims[1])
      var bias = "NULL"
      var recurrentBias = "NULL"
      if c.hasWeight(prefix + "bias") {
        let values = try c.values(prefix + "bias")
        let width = gates * units
        bias = c.constant(Array(values[0..<width]))
        if resetAfter { recurrentBias = c.constant(Array(values[width..<(2 * width)])) }
      }
      return
        "dlc_recurrent(\(kind), \(c.input), batch, \(steps), \(features), \(units), \(try c.weight(prefix + "kernel")), "
        + "\(try c.weight(prefix + "recurrent_kernel")), \(bias), \(recurrentBias), \(activation("activation", default: .tanh)), "
        + "\(activation("recurrent_activation", default: .sigmoid)), \(resetAfter ? 1 : 0), \(goBackwards ? 1 : 0), "
        + "\(c.maskArguments), \(zeroOutputForMask ? 1 : 0), \(sequence), \(h), \(cState), \(scratch));"
    }
  }

  static let plain = LayerEmitter(scratch: { s in
    let cell = Cell(op: s.node.op, attributes: s.node.attributes)
    return cell.scratch(batch: s.maxBatch, steps: s.input[0]) + 2 * s.maxBatch * cell.units
  }) { c in
    let cell = Cell(op: c.node.op, attributes: c.node.attributes)
    let returnSequences = cell.arguments.bool("return_sequences")
    let returnState = cell.arguments.bool("return_state")
    let own = cell.scratch(batch: c.shapes.maxBatch, steps: c.inputDims[0])
    let spareH = "\(c.scratch) + \(own)"
    let spareC = "\(c.scratch) + \(own + c.shapes.maxBatch * cell.units)"
    let sequence = returnSequences ? c.outputs[0] : "NULL"
    let h = !returnSequences ? c.outputs[0] : returnState ? c.outputs[1] : spareH
    let state = cell.op == "LSTM" ? (returnState ? c.outputs[2] : spareC) : "NULL"
    c.line(
      try cell.call(
        c, prefix: "", goBackwards: cell.arguments.bool("go_backwards"), zeroOutputForMask: false, sequence: sequence,
        h: h, cState: state, scratch: c.scratch))
    if !returnSequences && returnState {
      c.line("memcpy(\(c.outputs[1]), \(c.outputs[0]), sizeof(float) * (size_t)\(c.perBatch(cell.units)));")
    }
  }

  static func cells(_ node: Node) -> (Cell, Cell, backwardGoesBackwards: Bool) {
    guard let (forward, backward) = LayerDef.bidirectionalDirections(node.attributes) else {
      return (Cell(op: "SimpleRNN", attributes: Attributes()), Cell(op: "SimpleRNN", attributes: Attributes()), true)
    }
    let backwardCell = Cell(op: backward.op, attributes: backward.attributes)
    return (
      Cell(op: forward.op, attributes: forward.attributes), backwardCell, backwardCell.arguments.bool("go_backwards")
    )
  }

  static let bidirectional = LayerEmitter(scratch: { s in
    let (forward, backward, _) = cells(s.node)
    let steps = s.input[0]
    let b = s.maxBatch
    let units = forward.units
    let sequence = forward.arguments.bool("return_sequences") ? b * steps * units : 0
    return max(forward.scratch(batch: b, steps: steps), backward.scratch(batch: b, steps: steps))
      + 3 * sequence + 4 * b * units
  }) { c in
    let (forward, backward, backwardGoesBackwards) = cells(c.node)
    let steps = c.inputDims[0]
    let b = c.shapes.maxBatch
    let units = forward.units
    let returnSequences = forward.arguments.bool("return_sequences")
    let returnState = forward.arguments.bool("return_state")
    let own = max(forward.scratch(batch: b, steps: steps), backward.scratch(batch: b, steps: steps))
    let sequenceSize = returnSequences ? b * steps * units : 0
    var offset = own
    func take(_ floats: Int) -> String {
      defer { offset += floats }
      return "\(c.scratch) + \(offset)"
    }
    let (forwardSequence, backwardSequence, reversed) = (take(sequenceSize), take(sequenceSize), take(sequenceSize))
    let (forwardH, forwardC, backwardH, backwardC) = (
      take(b * units), take(b * units), take(b * units), take(b * units)
    )
    let isLSTM = forward.op == "LSTM"
    c.line(
      try forward.call(
        c, prefix: "forward/", goBackwards: forward.arguments.bool("go_backwards"), zeroOutputForMask: returnSequences,
        sequence: returnSequences ? forwardSequence : "NULL", h: forwardH, cState: isLSTM ? forwardC : "NULL",
        scratch: c.scratch))
    c.line(
      try backward.call(
        c, prefix: "backward/", goBackwards: backwardGoesBackwards,
        zeroOutputForMask: backward.arguments.bool("return_sequences"),
        sequence: returnSequences ? backwardSequence : "NULL",
        h: backwardH, cState: backward.op == "LSTM" ? backwardC : "NULL", scratch: c.scratch))
    var (a, bOut) = (forwardH, backwardH)
    var rows = c.perBatch(1)
    if returnSequences {
      // Keras flips the backward sequence back into input order before merging.
      c.line("dlc_reverse_steps(\(backwardSequence), batch, \(steps), \(units), \(reversed));")
      (a, bOut) = (forwardSequence, reversed)
      rows = c.perBatch(steps)
    }
    let count = "\(rows) * \(units)"
    switch c.node.attributes["merge_mode"]?.stringValue?.lowercased() {
    case "concat":
      c.line("dlc_copy_blocks(\(a), \(rows), \(units), \(c.outputs[0]), \(2 * units));")
      c.line("dlc_copy_blocks(\(bOut), \(rows), \(units), \(c.outputs[0]) + \(units), \(2 * units));")
    case "sum": c.line("dlc_combine_same(DLC_ADD, \(a), \(bOut), \(count), DLC_LINEAR, \(c.outputs[0]));")
    case "mul": c.line("dlc_combine_same(DLC_MULTIPLY, \(a), \(bOut), \(count), DLC_LINEAR, \(c.outputs[0]));")
    case "ave":
      c.line("dlc_combine_same(DLC_ADD, \(a), \(bOut), \(count), DLC_LINEAR, \(c.outputs[0]));")
      c.line("dlc_affine(\(c.outputs[0]), \(count), 0.5f, 0.0f, \(c.outputs[0]));")
    default:
      c.line("memcpy(\(c.outputs[0]), \(a), sizeof(float) * (size_t)(\(count)));")
      c.line("memcpy(\(c.outputs[1]), \(bOut), sizeof(float) * (size_t)(\(count)));")
    }
    if returnState {
      let merged = c.node.attributes["merge_mode"]?.isNone == true ? 2 : 1
      let states = isLSTM ? [forwardH, forwardC, backwardH, backwardC] : [forwardH, backwardH]
      for (index, state) in states.enumerated() {
        c.line("memcpy(\(c.outputs[merged + index]), \(state), sizeof(float) * (size_t)\(c.perBatch(units)));")
      }
    }
  }
}
