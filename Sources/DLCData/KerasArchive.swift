// A Keras 3 model archive (`model.save("m.keras")`): a ZIP holding `config.json` (the architecture),
// `metadata.json` and `model.weights.h5` (the weights, HDF5).
import DLCSupport
import Foundation
import ZIPFoundation

public struct KerasArchive {
  /// `config.json`: the model's class, its layers and how they connect.
  public var config: [UInt8]
  /// `model.weights.h5`.
  public var weights: HDF5File

  /// Whether `bytes` start like a ZIP archive (a `.keras` file) rather than a `.dl` text.
  public static func looksLikeArchive(_ bytes: [UInt8]) -> Bool { bytes.starts(with: [0x50, 0x4B, 0x03, 0x04]) }

  public static func decode(_ bytes: [UInt8], path: String) throws -> KerasArchive {
    let archive = try ZipCheck.opened(bytes, path: path, as: "a Keras archive")
    func member(_ name: String) throws -> [UInt8] {
      guard let entry = archive[name] else {
        throw Diagnostic.error(
          file: path, "not a Keras archive: it has no '\(name)'",
          notes: ["Keras 3 writes one with model.save(\"model.keras\")"])
      }
      // A member is never larger than it says, and never larger than dlc's file limit.
      let limit = min(Int(clamping: entry.uncompressedSize), Limits.maxBytes)
      var data = Data()
      do {
        _ = try archive.extract(entry, skipCRC32: false) { chunk in
          guard data.count + chunk.count <= limit else { throw MemberTooLarge() }
          data.append(chunk)
        }
      } catch {
        throw Diagnostic.error(file: path, "cannot extract '\(name)' from the archive (it is damaged)")
      }
      return Array(data)
    }
    let config = try member("config.json")
    let weights = try HDF5File(bytes: try member("model.weights.h5"), path: "\(path)[model.weights.h5]")
    return KerasArchive(config: config, weights: weights)
  }

  private struct MemberTooLarge: Error {}
}
