// SimpleRNN, LSTM (gates i, f, c, o), GRU (gates z, r, h; reset_after either way) and Bidirectional.
// The input projection for all steps is one GEMM; each step adds h·recurrent_kernel.
import DLCData
import DLCIR
import DLCLayers
import DLCSupport
import Foundation

enum RecurrentKernels {
  static let table: [String: Kernel] = [
    "SimpleRNN": plain, "LSTM": plain, "GRU": plain, "Bidirectional": bidirectional,
  ]

  /// One recurrent layer's configuration and weights.
  struct Cell {
    var op: String
    var units: Int
    var activation: Activation
    var recurrentActivation: Activation
    var resetAfter: Bool
    var goBackwards: Bool
    var returnSequences: Bool
    var kernel: [Float]
    var recurrentKernel: [Float]
    var bias: [Float]?

    var gates: Int { op == "LSTM" ? 4 : op == "GRU" ? 3 : 1 }

    init(op: String, attributes: Attributes, call: KernelCall, prefix: String) throws {
      let arguments = LayerApplication(inputs: [], arguments: attributes)
      self.op = op
      units = arguments.int("units")
      activation = Activation.named(arguments.string("activation")) ?? .linear
      recurrentActivation = Activation.named(arguments.string("recurrent_activation")) ?? .sigmoid
      resetAfter = op == "GRU" && arguments.bool("reset_after")
      goBackwards = arguments.bool("go_backwards")
      returnSequences = arguments.bool("return_sequences")
      kernel = try call.weight(prefix + "kernel")
      recurrentKernel = try call.weight(prefix + "recurrent_kernel")
      bias = try call.optionalWeight(prefix + "bias")
    }
  }

  static func plain(_ call: KernelCall) throws -> [Tensor] {
    let cell = try Cell(op: call.node.op, attributes: call.node.attributes, call: call, prefix: "")
    let (sequence, states) = run(cell, call.input, mask: call.stepMask, zeroOutputForMask: false)
    return [sequence] + (call.bool("return_state") ? states : [])
  }

  static func bidirectional(_ call: KernelCall) throws -> [Tensor] {
    guard let (forwardLayer, backwardLayer) = LayerDef.bidirectionalDirections(call.node.attributes) else {
      throw Diagnostic.error("\(call.node.name) has no wrapped layer", node: call.node.id)
    }
    let forward = try Cell(op: forwardLayer.op, attributes: forwardLayer.attributes, call: call, prefix: "forward/")
    let backward = try Cell(op: backwardLayer.op, attributes: backwardLayer.attributes, call: call, prefix: "backward/")
    // Keras' Bidirectional zeroes masked steps of the sequences it returns.
    let mask = call.stepMask
    let (forwardOutput, forwardStates) = run(
      forward, call.input, mask: mask, zeroOutputForMask: forward.returnSequences)
    var (backwardOutput, backwardStates) = run(
      backward, call.input, mask: mask, zeroOutputForMask: backward.returnSequences)
    if backward.returnSequences {
      // Keras flips the backward sequence back into input order before merging.
      backwardOutput = reversedSteps(backwardOutput)
    }
    let returnState = LayerApplication(inputs: [], arguments: forwardLayer.attributes).bool("return_state")
    let states = returnState ? forwardStates + backwardStates : []
    let a = forwardOutput.floats
    let b = backwardOutput.floats
    let merged: [Tensor]
    switch call.node.attributes["merge_mode"]?.stringValue?.lowercased() {
    case "concat":
      let width = forwardOutput.shape.last ?? 1
      var out = [Float]()
      out.reserveCapacity(a.count * 2)
      for row in 0..<(a.count / max(width, 1)) {
        out += a[(row * width)..<((row + 1) * width)]
        out += b[(row * width)..<((row + 1) * width)]
      }
      merged = [Tensor(shape: call.outputShape(0), floats: out)]
    case "sum": merged = [Tensor(shape: forwardOutput.shape, floats: zip(a, b).map(+))]
    case "mul": merged = [Tensor(shape: forwardOutput.shape, floats: zip(a, b).map(*))]
    case "ave": merged = [Tensor(shape: forwardOutput.shape, floats: zip(a, b).map { ($0 + $1) / 2 })]
    default: merged = [forwardOutput, backwardOutput]
    }
    return merged + states
  }

  static func reversedSteps(_ tensor: Tensor) -> Tensor {
    let (batch, steps, width) = (tensor.shape[0], tensor.shape[1], tensor.shape[2])
    let values = tensor.floats
    var out = [Float](repeating: 0, count: values.count)
    for example in 0..<batch {
      for step in 0..<steps {
        let source = (example * steps + step) * width
        let target = (example * steps + (steps - 1 - step)) * width
        for index in 0..<width { out[target + index] = values[source + index] }
      }
    }
    return Tensor(shape: tensor.shape, floats: out)
  }

  /// Runs the cell over (batch, steps, features); returns the output (the sequence or the last
  /// state) and the final states (h, and c for LSTM). A masked step keeps the states; its output
  /// is the previous step's, or 0 with `zeroOutputForMask`, as in Keras.
  static func run(_ cell: Cell, _ input: Tensor, mask: [Bool]?, zeroOutputForMask: Bool) -> (Tensor, [Tensor]) {
    let (batch, steps, features) = (input.shape[0], input.shape[1], input.shape[2])
    let units = cell.units
    let width = cell.gates * units
    // The input bias goes into the projection; GRU with reset_after keeps a separate recurrent bias.
    let inputBias: [Float]? = cell.bias.map { cell.resetAfter ? Array($0[0..<width]) : $0 }
    let recurrentBias: [Float]? = cell.resetAfter ? cell.bias.map { Array($0[width..<(2 * width)]) } : nil
    let projected = Math.matmul(
      input.floats, rows: batch * steps, inner: features, cell.kernel, columns: width, bias: inputBias)
    var h = [Float](repeating: 0, count: batch * units)
    var c = [Float](repeating: 0, count: batch * units)
    var sequence = [Float](repeating: 0, count: cell.returnSequences ? batch * steps * units : 0)
    let act = Math.elementwise(cell.activation)
    let gate = Math.elementwise(cell.recurrentActivation)
    var recurrent = [Float](repeating: 0, count: batch * width)
    for position in 0..<steps {
      let step = cell.goBackwards ? steps - 1 - position : position
      // recurrent = h · U (+ recurrent bias); GRU without reset_after needs only the z and r columns here.
      h.withUnsafeBufferPointer { hp in
        cell.recurrentKernel.withUnsafeBufferPointer { up in
          recurrent.withUnsafeMutableBufferPointer { rp in
            Math.gemm(
              m: batch, n: width, k: units, hp.baseAddress!, lda: units, up.baseAddress!, ldb: width, rp.baseAddress!,
              ldc: width)
          }
        }
      }
      if let recurrentBias {
        for row in 0..<batch { for column in 0..<width { recurrent[row * width + column] += recurrentBias[column] } }
      }
      for example in 0..<batch {
        let x = (example * steps + step) * width
        let r = example * width
        let s = example * units
        if let mask, !mask[example * steps + step] {
          if cell.returnSequences {
            let target = (example * steps + position) * units
            for unit in 0..<units { sequence[target + unit] = zeroOutputForMask ? 0 : h[s + unit] }
          }
          continue
        }
        switch cell.op {
        case "LSTM":
          for unit in 0..<units {
            let i = gate(projected[x + unit] + recurrent[r + unit])
            let f = gate(projected[x + units + unit] + recurrent[r + units + unit])
            let candidate = act(projected[x + 2 * units + unit] + recurrent[r + 2 * units + unit])
            let o = gate(projected[x + 3 * units + unit] + recurrent[r + 3 * units + unit])
            c[s + unit] = f * c[s + unit] + i * candidate
            h[s + unit] = o * act(c[s + unit])
          }
        case "GRU":
          var next = [Float](repeating: 0, count: units)
          for unit in 0..<units {
            let z = gate(projected[x + unit] + recurrent[r + unit])
            let reset = gate(projected[x + units + unit] + recurrent[r + units + unit])
            var candidateInput = projected[x + 2 * units + unit]
            if cell.resetAfter {
              candidateInput += reset * recurrent[r + 2 * units + unit]
            } else {
              // (reset ⊙ h) · U_h
              var sum: Float = 0
              for k in 0..<units {
                let resetK = gate(projected[x + units + k] + recurrent[r + units + k])
                sum += resetK * h[s + k] * cell.recurrentKernel[k * width + 2 * units + unit]
              }
              candidateInput += sum
            }
            next[unit] = z * h[s + unit] + (1 - z) * act(candidateInput)
          }
          for unit in 0..<units { h[s + unit] = next[unit] }
        default:
          for unit in 0..<units { h[s + unit] = act(projected[x + unit] + recurrent[r + unit]) }
        }
        if cell.returnSequences {
          // Outputs are kept in processing order, as Keras does (reversed for go_backwards).
          let target = (example * steps + position) * units
          for unit in 0..<units { sequence[target + unit] = h[s + unit] }
        }
      }
    }
    let output =
      cell.returnSequences
      ? Tensor(shape: [batch, steps, units], floats: sequence) : Tensor(shape: [batch, units], floats: h)
    let states =
      [Tensor(shape: [batch, units], floats: h)]
      + (cell.op == "LSTM" ? [Tensor(shape: [batch, units], floats: c)] : [])
    return (output, states)
  }
}
