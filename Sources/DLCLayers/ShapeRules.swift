// Shape arithmetic shared by several layer families: axes, window lengths and rank checks.
import DLCIR
import DLCSupport

extension TensorType {
  /// Checks the rank (batch included), with the message Keras users recognize.
  public func requireRank(_ rank: Int, for layer: String, _ meaning: String, notes: [String] = []) throws -> TensorType
  {
    guard self.rank == rank else {
      throw Diagnostic.shape("\(layer) expects a rank-\(rank) input \(meaning); got \(self)", notes: notes)
    }
    return self
  }

  public func requireRank(atLeast rank: Int, for layer: String, _ meaning: String) throws -> TensorType {
    guard self.rank >= rank else {
      throw Diagnostic.shape("\(layer) expects an input of rank \(rank) or more \(meaning); got \(self)")
    }
    return self
  }
}

enum Axis {
  /// Resolves a Keras axis (batch is 0, negatives count from the end) to an index into `dims`.
  static func resolve(_ axis: Int, rank: Int, layer: String, argument: String = "axis") throws -> Int {
    let resolved = axis < 0 ? axis + rank : axis
    guard resolved >= 0, resolved < rank else {
      throw Diagnostic.shape(
        "\(argument)=\(axis) is out of range for \(layer) on a rank-\(rank) input", argument: argument)
    }
    guard resolved != 0 else {
      throw Diagnostic.shape("\(layer) cannot operate along the batch axis (\(argument)=\(axis))", argument: argument)
    }
    return resolved - 1
  }
}

enum Window {
  /// Output length of a convolution window (Keras' `compute_conv_output_shape`); nil when the window does not fit.
  static func convolved(_ length: Int, kernel: Int, stride: Int, dilation: Int, padding: String) -> Int? {
    if padding == "valid" {
      let span = dilation * (kernel - 1) + 1
      return length >= span ? (length - span) / stride + 1 : nil
    }
    return (length - 1) / stride + 1
  }

  /// Output length of a pooling window (Keras' `compute_pooling_output_shape`).
  static func pooled(_ length: Int, pool: Int, stride: Int, padding: String) -> Int? {
    if padding == "valid" { return length >= pool ? (length - pool) / stride + 1 : nil }
    return (length - 1) / stride + 1
  }

  /// Output length of a transposed convolution (Keras' `deconv_output_length`).
  static func deconvolved(_ length: Int, kernel: Int, stride: Int, dilation: Int, padding: String, outputPadding: Int?)
    -> Int
  {
    let span = kernel + (kernel - 1) * (dilation - 1)
    guard let outputPadding else {
      return padding == "valid" ? length * stride + max(span - stride, 0) : length * stride
    }
    let pad = padding == "same" ? span / 2 : 0
    return (length - 1) * stride + span - 2 * pad + outputPadding
  }

  static func describe(_ values: [Int]) -> String {
    values.map(String.init).joined(separator: "×")
  }
}

/// Where a window sits on its input, as Keras places it: what both backends need beyond the output
/// size, kept beside the output-size rules so the interpreter and the generated C agree by construction.
public enum WindowGeometry {
  /// Padding before the first element along one axis. "same" splits the total with the extra one
  /// after; "causal" (Conv1D) pads only before; "valid" pads nothing.
  public static func paddingBefore(_ mode: String, input: Int, output: Int, kernel: Int, stride: Int, dilation: Int)
    -> Int
  {
    switch mode.lowercased() {
    case "same": return max(0, (output - 1) * stride + (kernel - 1) * dilation + 1 - input) / 2
    case "causal": return (kernel - 1) * dilation
    default: return 0
    }
  }

  /// The padding a ZeroPadding layer folded into this convolution left (top, left), if any: the
  /// `explicit_padding` attribute (top, bottom, left, right) that the fold-zero-padding pass sets.
  public static func foldedPadding(_ attributes: Attributes) -> (top: Int, left: Int)? {
    guard let explicit = attributes[PassAttribute.explicitPadding.name]?.intsValue, explicit.count == 4 else {
      return nil
    }
    return (explicit[0], explicit[2])
  }

  /// How much of a transposed convolution's full result is cropped before the first output
  /// element: kernel − 1 − left_pad, with left_pad as Keras' conv_transpose padding.
  public static func transposedCrop(kernel: Int, stride: Int, dilation: Int, same: Bool, outputPadding: Int?) -> Int {
    let effective = (kernel - 1) * dilation + 1
    guard same else { return 0 }
    let length = outputPadding.map { effective + effective % 2 - 2 + $0 } ?? (stride + effective - 2)
    return effective - 1 - min(length / 2 + length % 2, effective - 1)
  }
}
