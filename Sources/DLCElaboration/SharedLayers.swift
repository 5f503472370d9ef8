// Shared layers: `encoder = Dense(64)` makes a layer once, as Python's `encoder = layers.Dense(64)`
// does, and every `-> encoder()` calls it with the same weights (a Siamese network's twin towers,
// a shared embedding). Each call is a node of its own with the layer's name and its call number
// (Keras' node index); the first call's node owns the weights, the others read them.
import DLCFrontend
import DLCIR
import DLCLayers
import DLCSupport

/// A declared layer: its arguments are bound and its name taken at the declaration, as Keras names
/// a layer when it is constructed.
struct SharedLayer {
  var definition: LayerDef
  var attributes: Attributes
  var name: String
  var declaration: LayerDecl
  /// The first call's node, whose weights the later calls read.
  var firstNode: NodeID?
  var calls = 0
}

extension ElaborationState {
  func declareLayer(_ declaration: LayerDecl, in scope: inout [String: Binding]) {
    let key = declaration.name.name
    if scope[key] != nil || sharedLayers[key] != nil {
      diagnostics.report(.error("'\(key)' is already defined", at: declaration.name.range))
      scope[key] = .poisoned
      return
    }
    if registry[key] != nil || blocks[key] != nil || Self.nestedModelClasses.contains(key) {
      diagnostics.report(
        .error("a shared layer may not be named '\(key)', the name of a layer or block", at: declaration.name.range))
      scope[key] = .poisoned
      return
    }
    let call = declaration.call
    guard let definition = registry[call.callee.name] else {
      let hint = NearestName.hint(call.callee.name, among: registry.names)
      diagnostics.report(.error("unknown layer '\(call.callee.name)'\(hint)", at: call.callee.range))
      scope[key] = .poisoned
      return
    }
    do {
      let layerCall = try self.layerCall(call, in: scope)
      guard
        let attributes = ArgumentBinder.bind(
          layerCall, to: definition, bindLayer: { try self.bindWrapped($0) }, diagnostics: diagnostics),
        let name = layerName(definition, attributes, layerCall)
      else { throw Abandon() }
      for sublayer in definition.internalLayers { _ = autoName(sublayer) }
      var stored = attributes
      stored["name"] = nil
      sharedLayers[key] = SharedLayer(definition: definition, attributes: stored, name: name, declaration: declaration)
      scope[key] = .layer(key)
    } catch {
      scope[key] = .poisoned
    }
  }

  /// `x -> encoder()`: the declared layer called on `inputs`.
  func callShared(_ key: String, call: Call, inputs: [ValueRef], scope: [String: Binding]) throws -> [ValueRef] {
    guard var layer = sharedLayers[key] else { throw Abandon() }
    if let argument = call.arguments.first {
      diagnostics.report(
        .error(
          "'\(key)' is a layer made at its declaration; its call takes no arguments", at: argument.range,
          notes: [DiagnosticNote("give arguments where it is declared", at: layer.declaration.call.range)]))
      throw Abandon()
    }
    let values = try apply(
      layer.definition, call: call, inputs: inputs, scope: scope,
      shared: (key, layer.name, layer.attributes, layer.calls, layer.firstNode))
    if layer.firstNode == nil, let first = values.first { layer.firstNode = first.node }
    layer.calls += 1
    sharedLayers[key] = layer
    return values
  }

  /// A declared layer no pipeline calls is not part of the model (as in Keras): a warning.
  func warnAboutUncalledLayers() {
    for layer in sharedLayers.values.sorted(by: { $0.declaration.range.start < $1.declaration.range.start })
    where layer.calls == 0 {
      diagnostics.report(
        .warning(
          "layer '\(layer.declaration.name.name)' is declared but never called; it is not part of the model",
          at: layer.declaration.name.range))
    }
  }
}
