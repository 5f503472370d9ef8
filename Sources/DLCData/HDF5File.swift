// An HDF5 file read from memory: the weights of Keras archives (`model.weights.h5` inside a
// `.keras` ZIP) and Keras 2's whole-model `.h5` files. Only what those need: groups, float
// datasets and string attributes.
import CHDF5
import DLCSupport
import Foundation

public final class HDF5File {
  public let path: String
  private let file: hid_t
  /// The file's size: no dataset of an uncompressed Keras file holds more values than this.
  private let byteCount: Int

  /// HDF5 keeps global state and is not built thread-safe on Debian: one caller at a time.
  private static let lock = NSLock()
  nonisolated(unsafe) private static var imagesOpened = 0

  /// Whether `bytes` start with HDF5's signature (an `.h5` file).
  public static func looksLikeHDF5(_ bytes: [UInt8]) -> Bool {
    bytes.starts(with: [0x89, 0x48, 0x44, 0x46, 0x0D, 0x0A, 0x1A, 0x0A])
  }

  /// Opens HDF5 bytes; `path` names them in messages.
  public init(bytes: [UInt8], path: String) throws {
    self.path = path
    byteCount = bytes.count
    guard Self.looksLikeHDF5(bytes) else {
      throw Diagnostic.error(file: path, "not an HDF5 file (it does not start with HDF5's signature)")
    }
    let opened: hid_t = Self.locked {
      dlc_h5_quiet()
      let access = H5Pcreate(dlc_h5_file_access())
      defer { H5Pclose(access) }
      // The image is copied into the property list; HDF5 then reads it as an in-memory file.
      guard H5Pset_fapl_core(access, 1 << 20, false) >= 0,
        bytes.withUnsafeBytes({ H5Pset_file_image(access, UnsafeMutableRawPointer(mutating: $0.baseAddress), $0.count) }
        )
          >= 0
      else { return -1 }
      // HDF5 shares an open file among opens of the same name, so every image gets its own.
      HDF5File.imagesOpened += 1
      return H5Fopen("dlc-image-\(HDF5File.imagesOpened).h5", dlc_h5_read_only(), access)
    }
    guard opened >= 0 else { throw Diagnostic.error(file: path, "cannot read it as an HDF5 file (it is damaged)") }
    file = opened
  }

  deinit { _ = Self.locked { H5Fclose(file) } }

  private static func locked<T>(_ work: () throws -> T) rethrows -> T {
    lock.lock()
    defer { lock.unlock() }
    return try work()
  }

  /// Whether a group or dataset exists at `objectPath` (every component is checked, as HDF5 asks).
  public func exists(_ objectPath: String) -> Bool {
    Self.locked {
      var prefix = ""
      for component in objectPath.split(separator: "/") {
        prefix += (prefix.isEmpty ? "" : "/") + component
        guard H5Lexists(file, prefix, dlc_h5_default()) > 0 else { return false }
      }
      return true
    }
  }

  /// The numeric dataset at `objectPath`, converted to float32 as it is read (Keras keeps a few
  /// counters, such as Normalization's `count`, as integers).
  public func floats(at objectPath: String) throws -> Tensor {
    func failure(_ why: String) -> Diagnostic { .error(file: path, "'\(objectPath)': \(why)") }
    return try Self.locked {
      let dataset = H5Dopen2(file, objectPath, dlc_h5_default())
      guard dataset >= 0 else { throw failure("no such dataset") }
      defer { H5Dclose(dataset) }
      let type = H5Dget_type(dataset)
      defer { H5Tclose(type) }
      guard H5Tget_class(type) == H5T_FLOAT || H5Tget_class(type) == H5T_INTEGER else {
        throw failure("not a numeric dataset")
      }
      let space = H5Dget_space(dataset)
      defer { H5Sclose(space) }
      let rank = H5Sget_simple_extent_ndims(space)
      guard (0...32).contains(rank) else { throw failure("its shape cannot be read") }
      var dimensions = [hsize_t](repeating: 0, count: Int(rank))
      guard H5Sget_simple_extent_dims(space, &dimensions, nil) == rank else {
        throw failure("its shape cannot be read")
      }
      let shape = dimensions.map { Int(clamping: $0) }
      guard let count = Checked.product(shape), count <= byteCount else {
        throw failure("its shape \(shape) holds more values than the file")
      }
      var values = [Float](repeating: 0, count: count)
      if count > 0 {
        let status = values.withUnsafeMutableBytes {
          H5Dread(dataset, dlc_h5_native_float(), dlc_h5_all(), dlc_h5_all(), dlc_h5_default(), $0.baseAddress)
        }
        guard status >= 0 else { throw failure("its values cannot be read (the file is damaged)") }
      }
      return Tensor(shape: shape, floats: values)
    }
  }

  /// A string attribute, or each string of a string-array attribute (h5py writes both, fixed-length
  /// and variable-length); nil when there is none or it is not text.
  public func strings(attribute name: String, of objectPath: String = "/") -> [String]? {
    Self.locked {
      guard H5Aexists_by_name(file, objectPath, name, dlc_h5_default()) > 0 else { return nil }
      let attribute = H5Aopen_by_name(file, objectPath, name, dlc_h5_default(), dlc_h5_default())
      guard attribute >= 0 else { return nil }
      defer { H5Aclose(attribute) }
      let type = H5Aget_type(attribute)
      defer { H5Tclose(type) }
      guard H5Tget_class(type) == H5T_STRING else { return nil }
      let space = H5Aget_space(attribute)
      defer { H5Sclose(space) }
      let count = Int(H5Sget_simple_extent_npoints(space))
      guard (0...(1 << 20)).contains(count) else { return nil }
      let memoryType = H5Tcopy(dlc_h5_c_string())
      defer { H5Tclose(memoryType) }
      if H5Tis_variable_str(type) > 0 {
        H5Tset_size(memoryType, dlc_h5_variable())
        var pointers = [UnsafeMutablePointer<CChar>?](repeating: nil, count: count)
        guard H5Aread(attribute, memoryType, &pointers) >= 0 else { return nil }
        defer { for pointer in pointers where pointer != nil { H5free_memory(pointer) } }
        return pointers.map { $0.map { String(cString: $0) } ?? "" }
      }
      let width = H5Tget_size(type)
      guard width > 0, width < (1 << 30), let total = Checked.product([width, count]), total <= byteCount + (1 << 20)
      else { return nil }
      H5Tset_size(memoryType, width)
      var bytes = [UInt8](repeating: 0, count: total)
      guard H5Aread(attribute, memoryType, &bytes) >= 0 else { return nil }
      return (0..<count).map { index in
        let slice = bytes[(index * width)..<((index + 1) * width)]
        return String(decoding: slice.prefix { $0 != 0 }, as: UTF8.self)
      }
    }
  }
}
