// A Keras model's architecture as its saved configuration describes it: inputs, layers (with their
// configuration and the tensors each is called on) and outputs. Reads Keras 3's `config.json` and
// the `model_config` of `.h5` files (Keras 3's and Keras 2's, which write calls differently).
import DLCLayers

/// One output of one call of a layer: Keras' `keras_history` (layer, node, tensor).
struct KerasTensor: Hashable {
  var layer: String
  var node: Int
  var index: Int
}

struct KerasInput {
  var name: String
  /// Without the batch dimension; nil where Keras has None.
  var shape: [Int?]
  var dtype: String
}

struct KerasLayer {
  var className: String
  /// The Python module the class came from (`keras.layers`, `keras_hub.src...`, a user's module).
  var module: String
  var name: String
  var config: [String: JSONValue]
  /// The tensors each call passes, in order (positional, then `key` for MultiHeadAttention).
  var calls: [[KerasTensor]]
  /// Call arguments dlc cannot honour (`mask=...`, `training=True`), as Python writes them.
  var unsupportedCallArguments: [String]
  /// Call arguments that are layer arguments in dlc (`use_causal_mask=True`).
  var callArguments: [String: JSONValue]
  /// Numbers among a Keras operation's operands (`x + 3.0`), with their positions.
  var constantOperands: [(position: Int, value: Double)] = []
  /// Where a Keras 3 archive keeps the layer's variables: `layers/` and the class name in
  /// snake_case, numbered per class in the model's layer order (not the layer's name).
  var archiveGroup = ""
  /// A mask passed explicitly (`mask=`): Keras 3 passes an Embedding's mask so in functional models.
  var maskTensor: KerasTensor?
  /// The layers of a nested Sequential model (a model used as a layer), its input left out.
  var nestedLayers: [KerasLayer]?
  /// A nested functional model (a pretrained base called as a layer): one model, or none. Its
  /// layers' archive groups are inside this layer's.
  var nestedFunctional: [KerasModel] = []
}

struct KerasModel {
  var name: String
  var isSequential: Bool
  var inputs: [KerasInput]
  var layers: [KerasLayer]
  var outputs: [KerasTensor]
  /// Why the configuration cannot be read as a model, when it cannot.
  var problems: [String]
}

extension KerasModel {
  /// Parses a saved model configuration (`{"class_name": "Sequential" | "Functional", "config": ...}`).
  /// `group`: the archive group the model's own layer groups are in (empty for the saved model;
  /// a nested model's group, for its layers).
  static func parse(_ root: JSONValue, group: String = "") -> KerasModel {
    var model = KerasModel(name: "model", isSequential: false, inputs: [], layers: [], outputs: [], problems: [])
    let className = root["class_name"]?.string ?? ""
    guard let config = root["config"]?.object else {
      model.problems.append("the configuration has no model in it")
      return model
    }
    model.name = config["name"]?.string ?? "model"
    switch className {
    case "Sequential":
      model.isSequential = true
      model.parseSequential(config, group: group)
    case "Functional", "Model":
      model.parseFunctional(config, group: group)
    default:
      model.problems.append(
        "the model is a \(className.isEmpty ? "class dlc does not know" : className) (\(root["module"]?.string ?? "")); "
          + "dlc imports Sequential and functional models")
    }
    return model
  }

  /// Keras 3 archives name each layer's group by its class, numbered in the model's layer order.
  /// A nested model's layers are numbered afresh inside its group: `layers/functional/layers/conv2d`.
  private struct ArchiveNames {
    /// The group the layers' groups are in ("" for the saved model).
    let group: String
    var used: [String: Int] = [:]

    init(in group: String) { self.group = group }

    mutating func next(_ className: String) -> String {
      let stem = snakeCase(className)
      let count = used[stem, default: -1] + 1
      used[stem] = count
      return (group.isEmpty ? "" : group + "/") + "layers/" + (count == 0 ? stem : "\(stem)_\(count)")
    }
  }

  private mutating func parseSequential(_ config: [String: JSONValue], group: String) {
    let entries = config["layers"]?.array ?? []
    var archiveNames = ArchiveNames(in: group)
    var previous: KerasTensor?
    for (position, entry) in entries.enumerated() {
      guard var layer = Self.layer(entry) else {
        problems.append("layer \(position) of the Sequential model cannot be read")
        continue
      }
      if layer.className == "InputLayer" {
        guard let input = Self.input(layer) else {
          problems.append("input '\(layer.name)' has no shape")
          continue
        }
        inputs.append(input)
        previous = KerasTensor(layer: input.name, node: 0, index: 0)
        continue
      }
      if previous == nil {
        // A Sequential built without an Input: its first layer (Keras 2) or the model records the shape.
        let shape = layer.config["batch_input_shape"] ?? layer.config["batch_shape"] ?? config["build_input_shape"]
        guard let dimensions = shape?.array else {
          problems.append("the Sequential model was saved unbuilt (no input shape); build it or give it a keras.Input")
          return
        }
        let dtype = layer.config["dtype"]?.string == "int32" ? "int32" : "float32"
        let input = KerasInput(name: "input_layer", shape: dimensions.dropFirst().map(\.int), dtype: dtype)
        inputs.append(input)
        previous = KerasTensor(layer: input.name, node: 0, index: 0)
      }
      layer.calls = previous.map { [[$0]] } ?? []
      layer.archiveGroup = archiveNames.next(layer.className)
      layer.nestedLayers = Self.nestedLayers(of: layer)
      layer.nestedFunctional = Self.nestedFunctional(of: layer)
      previous = KerasTensor(layer: layer.name, node: 0, index: 0)
      layers.append(layer)
    }
    if let previous { outputs = [previous] }
  }

  private mutating func parseFunctional(_ config: [String: JSONValue], group: String) {
    var archiveNames = ArchiveNames(in: group)
    for (position, entry) in (config["layers"]?.array ?? []).enumerated() {
      guard var layer = Self.layer(entry) else {
        problems.append("layer \(position) of the model cannot be read")
        continue
      }
      layer.archiveGroup = archiveNames.next(layer.className)
      layer.nestedLayers = Self.nestedLayers(of: layer)
      layer.nestedFunctional = Self.nestedFunctional(of: layer)
      if layer.className == "InputLayer" {
        guard let input = Self.input(layer) else {
          problems.append("input '\(layer.name)' has no shape")
          continue
        }
        inputs.append(input)
        continue
      }
      for node in entry["inbound_nodes"]?.array ?? [] {
        var tensors: [KerasTensor] = []
        if let args = node["args"] {
          // Keras 3: {"args": [...], "kwargs": {...}}.
          Self.collectTensors(args, into: &tensors)
          for (position, argument) in (args.array ?? []).enumerated() {
            if case .number(let value) = argument { layer.constantOperands.append((position, value)) }
          }
          for (key, value) in (node["kwargs"]?.object ?? [:]).sorted(by: { $0.key < $1.key }) {
            var keyed: [KerasTensor] = []
            Self.collectTensors(value, into: &keyed)
            if key == "key" && !keyed.isEmpty && layer.className == "MultiHeadAttention" {
              tensors += keyed
            } else if key == "mask" && keyed.count == 1 {
              layer.maskTensor = keyed[0]
            } else if key == "use_causal_mask" {
              layer.callArguments[key] = value
            } else if value.isOff && keyed.isEmpty {
              continue  // None, False: `training=False` is inference, as dlc runs
            } else {
              layer.unsupportedCallArguments.append("\(key)=\(keyed.isEmpty ? value.python : "a tensor")")
            }
          }
        } else if let history = node.array {
          // Keras 2: [[layer, node, tensor, kwargs], ...].
          for entry in history {
            guard let parts = entry.array, parts.count >= 3, let name = parts[0].string, let nodeIndex = parts[1].int,
              let index = parts[2].int
            else { continue }
            tensors.append(KerasTensor(layer: name, node: nodeIndex, index: index))
            let keywords = parts.count > 3 ? parts[3].object ?? [:] : [:]
            // MultiHeadAttention's value and key come as keywords: [layer, node, tensor].
            for key in ["value", "key"] where layer.className == "MultiHeadAttention" {
              if let reference = keywords[key].flatMap({ Self.references($0).first }) { tensors.append(reference) }
            }
            for (key, value) in keywords.sorted(by: { $0.key < $1.key }) where !value.isOff {
              if ["value", "key"].contains(key) && layer.className == "MultiHeadAttention" { continue }
              layer.unsupportedCallArguments.append("\(key)=\(value.python)")
            }
          }
        }
        layer.calls.append(tensors)
      }
      layers.append(layer)
    }
    inputs = Self.ordered(inputs, by: config["input_layers"])
    outputs = Self.references(config["output_layers"])
  }

  /// Keras lists the model's inputs in `input_layers`; the layer list may order them differently.
  private static func ordered(_ inputs: [KerasInput], by list: JSONValue?) -> [KerasInput] {
    let order = references(list).map(\.layer)
    guard !order.isEmpty else { return inputs }
    return order.compactMap { name in inputs.first { $0.name == name } }
      + inputs.filter { input in !order.contains(input.name) }
  }

  /// `[["dense", 0, 0], ...]` or a single `["dense", 0, 0]`.
  private static func references(_ value: JSONValue?) -> [KerasTensor] {
    guard let list = value?.array else { return [] }
    if let name = list.first?.string, list.count >= 3, let node = list[1].int, let index = list[2].int {
      return [KerasTensor(layer: name, node: node, index: index)]
    }
    return list.flatMap { references($0) }
  }

  private static func collectTensors(_ value: JSONValue, into tensors: inout [KerasTensor]) {
    switch value {
    case .array(let values):
      for value in values { collectTensors(value, into: &tensors) }
    case .object(let members):
      if members["class_name"]?.string == "__keras_tensor__",
        let history = members["config"]?["keras_history"]?.array, history.count >= 3,
        let name = history[0].string, let node = history[1].int, let index = history[2].int
      {
        tensors.append(KerasTensor(layer: name, node: node, index: index))
      }
    default:
      break
    }
  }

  /// A nested Sequential model's layers (its input left out), each with its group inside the
  /// model's; nil for other layers.
  private static func nestedLayers(of model: KerasLayer) -> [KerasLayer]? {
    guard model.className == "Sequential", let entries = model.config["layers"]?.array else { return nil }
    var archiveNames = ArchiveNames(in: model.archiveGroup)
    var layers: [KerasLayer] = []
    for entry in entries {
      guard var layer = Self.layer(entry) else { return nil }
      if layer.className == "InputLayer" { continue }
      layer.archiveGroup = archiveNames.next(layer.className)
      layer.nestedLayers = nestedLayers(of: layer)
      layer.nestedFunctional = nestedFunctional(of: layer)
      layers.append(layer)
    }
    return layers
  }

  /// A nested functional model's graph, its layers' groups inside the model's.
  private static func nestedFunctional(of model: KerasLayer) -> [KerasModel] {
    guard ["Functional", "Model"].contains(model.className), model.config["layers"] != nil else { return [] }
    return [
      KerasModel.parse(
        .object(["class_name": .string("Functional"), "config": .object(model.config)]), group: model.archiveGroup)
    ]
  }

  private static func layer(_ entry: JSONValue) -> KerasLayer? {
    guard let className = entry["class_name"]?.string, let config = entry["config"]?.object else { return nil }
    let name = config["name"]?.string ?? entry["name"]?.string ?? ""
    return KerasLayer(
      className: className, module: entry["module"]?.string ?? entry["registered_name"]?.string ?? "", name: name,
      config: config, calls: [], unsupportedCallArguments: [], callArguments: [:])
  }

  private static func input(_ layer: KerasLayer) -> KerasInput? {
    guard let shape = (layer.config["batch_shape"] ?? layer.config["batch_input_shape"])?.array else { return nil }
    return KerasInput(
      name: layer.name, shape: shape.dropFirst().map(\.int), dtype: layer.config["dtype"]?.string ?? "float32")
  }
}
