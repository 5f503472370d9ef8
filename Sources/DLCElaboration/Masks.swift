// Keras masks through the graph: `Embedding(mask_zero=true)` and `Masking` start one, the layers
// that support masking carry it on, and the layers that read it get its source as their last
// input. Layers that do not support masking end it with a warning, as Keras does.
import DLCFrontend
import DLCIR
import DLCLayers
import DLCSupport

/// The mask on a value: the tensor it is computed from, the rule, and the layer that started it.
struct MaskOrigin: Equatable {
  var source: ValueRef
  var rule: MaskRule
  var layer: String
}

extension ElaborationState {
  /// What a new node reads and records for the masks on `inputs`, and the mask on its first output.
  func resolveMask(
    _ definition: LayerDef, application: LayerApplication, inputs: [ValueRef], attributes: inout Attributes,
    call: Call
  ) throws -> (inputs: [ValueRef], outgoing: MaskOrigin?) {
    // Merges combine their inputs' masks; every other layer sees its first input's (as Keras does).
    let readsAll: Bool
    switch definition.maskBehavior {
    case .propagates: readsAll = definition.arity.accepts(2)
    case .attends: readsAll = true
    default: readsAll = false
    }
    let candidates = (readsAll ? inputs : Array(inputs.prefix(1))).compactMap { masks[$0] }
    var incoming = candidates.first
    if candidates.contains(where: { $0 != incoming }) {
      diagnostics.report(
        .error(
          "\(definition.keras) receives different masks (from '\(candidates[0].layer)' and "
            + "'\(candidates.first { $0 != candidates[0] }?.layer ?? "")'); dlc does not combine masks yet",
          at: call.callee.range))
      throw Abandon()
    }
    var nodeInputs = inputs
    var outgoing: MaskOrigin?
    /// The node reads `mask`: its source becomes the last input, its rule an attribute.
    func read(_ mask: MaskOrigin) {
      nodeInputs.append(mask.source)
      attributes[Node.maskAttribute] = mask.rule.attribute
      attributes[Node.maskOriginAttribute] = .string(mask.layer)
    }
    switch definition.maskBehavior {
    case .drops:
      // A layer that makes a mask of its own (Masking, Embedding) replaces the incoming one without a
      // warning, as in Keras, where it supports masking and computes its mask from its input alone.
      if let mask = incoming, definition.producesMask(application) == nil {
        diagnostics.report(
          .warning(
            "\(definition.keras) does not support masking; the mask from '\(mask.layer)' stops here",
            at: call.callee.range, notes: [DiagnosticNote("Keras warns the same and drops the mask")]))
      }
      incoming = nil
    case .propagates:
      outgoing = incoming
    case .consumes(let passesOn):
      if let mask = incoming {
        try checkMaskSteps(mask, for: definition, input: application.input, call: call)
        read(mask)
        if passesOn(application) { outgoing = mask }
      }
    case .attends:
      let masked = inputs.indices.filter { masks[inputs[$0]] != nil }
      if let mask = incoming {
        guard application.input.rank == 3, application.isNone(.attentionAxes) else {
          diagnostics.report(
            .error(
              "\(definition.keras) after a mask (from '\(mask.layer)') is supported on (batch, steps, features) "
                + "inputs attending over their steps; got \(application.input)", at: call.callee.range))
          throw Abandon()
        }
        for index in masked { try checkMaskSteps(mask, for: definition, input: application.inputs[index], call: call) }
        read(mask)
        attributes[Node.maskedInputsAttribute] = .ints(masked)
        if masked.contains(0) { outgoing = mask }
      }
    case .unsupported:
      if let mask = incoming {
        diagnostics.report(
          .error(
            "\(definition.keras) after a mask (from '\(mask.layer)') is not supported yet; Keras would apply the mask here",
            at: call.callee.range,
            notes: [
              DiagnosticNote("remove mask_zero=true or the Masking layer, or end the mask with a layer that drops it")
            ]))
        throw Abandon()
      }
    }
    return (nodeInputs, outgoing)
  }

  /// The mask must have one entry per step of the sequence the layer reads.
  private func checkMaskSteps(_ mask: MaskOrigin, for definition: LayerDef, input: TensorType, call: Call) throws {
    let source = graph.type(of: mask.source)
    let maskDims = mask.rule == .nonzeroTokens ? source.dims : Array(source.dims.dropLast())
    let steps = Array(input.dims.dropLast())
    guard maskDims == steps else {
      diagnostics.report(
        .error(
          "\(definition.keras) reads \(input) with a mask of shape "
            + "(None\(maskDims.map { ", \($0)" }.joined())) from '\(mask.layer)'; the mask must have one entry per step",
          at: call.callee.range))
      throw Abandon()
    }
  }
}
