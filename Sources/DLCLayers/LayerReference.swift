// The layer reference (docs/layers.md and `dlc layers`), written from the registry so it cannot drift.
import DLCIR

public enum LayerReference {
  /// The whole reference as Markdown.
  public static func markdown(_ registry: LayerRegistry) -> String {
    var text = """
      # Layer reference

      Generated from dlc's layer registry (`dlc layers` prints the same; a test keeps this file current,
      `DLC_UPDATE_GOLDENS=1 swift test` rewrites it). Arguments take Keras 3's names, positional order and
      defaults. Every layer also takes `name=` (a string), `trainable=` (default `true`) and `dtype=`
      (`"float32"`). Arguments marked *training only* (initializers, regularizers, constraints, seeds,
      recurrent dropout) are accepted and recorded, and have no effect on inference.


      """
    text += "Activations for `activation=` and `Activation(...)`: "
    text += Activation.allCases.map { "`\($0.rawValue)`" }.joined(separator: ", ")
    text += " (also spelled `swish` for `silu` and `hard_swish` for `hard_silu`; `none` means `linear`).\n\n"
    for definition in registry.definitions {
      text += layer(definition)
    }
    return text
  }

  /// One layer's section: its signature, inputs and argument table.
  public static func layer(_ definition: LayerDef) -> String {
    var text = "## \(definition.keras)\n\n```\n\(ArgumentBinder.signature(of: definition))\n```\n\n"
    let dtype = definition.inputDType.map { "\($0.rawValue) " } ?? ""
    text += "Takes \(definition.arity.phrase.replacingOccurrences(of: "input", with: "\(dtype)input")). "
    text += "Default name: `\(definition.namePrefix)`. \(maskPhrase(definition))\n\n"
    let arguments = definition.arguments.filter { spec in !ArgumentSpec.common.contains { $0.name == spec.name } }
    guard !arguments.isEmpty else { return text }
    text += "| argument | accepts | default |\n|---|---|---|\n"
    for spec in arguments {
      var defaultText = spec.defaultValue.map { "`\($0)`" } ?? "required"
      if case .trainingOnly = spec.type { defaultText = "Keras' default" }
      text += "| `\(spec.name)`\(spec.positional ? "" : " (keyword only)") | \(accepts(spec)) | \(defaultText) |\n"
    }
    return text + "\n"
  }

  /// What the layer does with a Keras mask (docs/language.md, "Masks").
  static func maskPhrase(_ definition: LayerDef) -> String {
    let starts =
      definition.keras == "Embedding"
      ? "Starts a mask with `mask_zero=true`. "
      : definition.keras == "Masking" ? "Starts a mask. " : ""
    switch definition.maskBehavior {
    case .drops: return starts + "A mask on its input stops here (a warning, as in Keras)."
    case .propagates: return starts + "Carries a mask on its input on."
    case .consumes: return starts + "Reads a mask on its input."
    case .attends: return starts + "Reads masks on its query and value; carries the query's mask on."
    case .unsupported: return starts + "A mask on its input is an error (not supported yet)."
    }
  }

  static func accepts(_ spec: ArgumentSpec) -> String {
    var text: String
    switch spec.type {
    case .int(let min, let max): text = "integer" + range(min.map(String.init), max.map(String.init))
    case .float(let min, let max): text = "number" + range(min.map(formatFloat), max.map(formatFloat))
    case .numbers(let min): text = "number or tuple of numbers" + range(min.map(formatFloat), nil)
    case .bool: text = "`true` or `false`"
    case .choice(let choices): text = choices.map { "`\"\($0)\"`" }.joined(separator: ", ")
    case .activation: text = "an activation"
    case .intTuple(let count, let min):
      let example = (1...count).map { _ in "n" }.joined(separator: ", ")
      text = count == 1 ? "integer ≥ \(min)" : "`n` or `(\(example))`, each ≥ \(min)"
    case .intList: text = "a tuple of integers"
    case .axes: text = "an axis or a tuple of axes"
    case .padding(let dimensions):
      text = dimensions == 1 ? "`p` or `(before, after)`" : "`p`, `(rows, cols)` or `((top, bottom), (left, right))`"
    case .layer: text = "a layer, such as `LSTM(10)`"
    case .trainingOnly: text = "*training only*"
    case .string: text = "a string"
    case .unsupported(let reason): text = "only `none` or `0` (\(reason))"
    }
    switch spec.type {
    case .trainingOnly, .unsupported: break
    default: if spec.nullable { text += ", or `none`" }
    }
    return text
  }

  private static func range(_ min: String?, _ max: String?) -> String {
    switch (min, max) {
    case (let min?, let max?): return " in \(min)…\(max)"
    case (let min?, nil): return " ≥ \(min)"
    case (nil, let max?): return " ≤ \(max)"
    case (nil, nil): return ""
    }
  }
}
