// `dlc import`: a trained Keras model file as a .dl source and its weights. A `.keras` archive
// (Keras 3) or a whole-model `.h5` file (Keras 3's or Keras 2's `model.save("m.h5")`).
import DLCData
import DLCLayers
import DLCSupport

public struct ImportedModel {
  /// The model as .dl text.
  public var source: String
  /// The trained weights, read once the source has compiled to a graph.
  public var weights: ArchiveWeights
}

public enum KerasImport {
  /// Whether `bytes` are a Keras model file rather than .dl text.
  public static func recognizes(_ bytes: [UInt8]) -> Bool {
    KerasArchive.looksLikeArchive(bytes) || HDF5File.looksLikeHDF5(bytes)
  }

  public static func load(_ bytes: [UInt8], path: String, registry: LayerRegistry = .standard) throws
    -> ImportedModel
  {
    let configuration: [UInt8]
    let file: HDF5File
    let layout: ArchiveWeights.Layout
    if KerasArchive.looksLikeArchive(bytes) {
      let archive = try KerasArchive.decode(bytes, path: path)
      (configuration, file, layout) = (archive.config, archive.weights, .keras3)
    } else {
      file = try HDF5File(bytes: bytes, path: path)
      guard let text = file.strings(attribute: "model_config")?.first else {
        throw Diagnostic.error(
          file: path, "this .h5 file holds weights only, not a model",
          notes: [
            "dlc imports whole models: model.save(\"model.keras\"); to use weights alone, convert them to "
              + "safetensors and give them with --weights"
          ])
      }
      (configuration, layout) = (Array(text.utf8), .legacy)
    }
    let (source, writer) = try write(configuration, path: path, registry: registry)
    let groups =
      layout == .keras3
      ? writer.archiveGroups
      : Dictionary(
        uniqueKeysWithValues: writer.archiveGroups.keys.map { ($0, "model_weights/\(writer.legacyModels[$0] ?? $0)") })
    return ImportedModel(
      source: source, weights: ArchiveWeights(file: file, layout: layout, groups: groups, registry: registry))
  }

  /// The .dl source for a model configuration alone (`config.json` of a `.keras` archive, or the
  /// `model_config` of an `.h5` file).
  public static func source(configuration: [UInt8], path: String, registry: LayerRegistry = .standard) throws
    -> String
  {
    try write(configuration, path: path, registry: registry).source
  }

  private static func write(_ configuration: [UInt8], path: String, registry: LayerRegistry) throws -> (
    source: String, writer: SourceWriter
  ) {
    guard let root = JSONValue.parse(configuration) else {
      throw Diagnostic.error(file: path, "the model's configuration is not valid JSON")
    }
    let model = KerasModel.parse(root)
    var writer = SourceWriter(registry: registry)
    let source = writer.write(model)
    guard writer.problems.isEmpty else {
      throw Diagnostic.error(
        file: path,
        "cannot import '\(model.name)': \(writer.problems.count) thing\(writer.problems.count == 1 ? "" : "s") "
          + "in it \(writer.problems.count == 1 ? "is" : "are") not supported by dlc",
        notes: writer.problems)
    }
    return (source, writer)
  }
}
