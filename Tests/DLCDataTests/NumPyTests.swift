// .npy and .npz: round trips, and a clear error for each array dlc cannot take.
import DLCData
import DLCSupport
import Foundation
import XCTest
import ZIPFoundation

final class NumPyTests: XCTestCase {
  func npy(_ header: String, data: [UInt8], major: UInt8 = 1) -> [UInt8] {
    let length = header.utf8.count
    let lengthBytes: [UInt8] =
      major == 1 ? [UInt8(length & 0xFF), UInt8(length >> 8)] : [UInt8(length & 0xFF), UInt8(length >> 8), 0, 0]
    return [0x93] + Array("NUMPY".utf8) + [major, 0] + lengthBytes + Array(header.utf8) + data
  }

  func assertRejects(
    _ bytes: [UInt8], _ message: String, notes: [String] = [], file: StaticString = #filePath, line: UInt = #line
  ) {
    XCTAssertThrowsError(try NumPy.decodeArray(bytes, path: "x.npy"), file: file, line: line) { error in
      XCTAssertEqual(
        error as? Diagnostic, Diagnostic.error(file: "x.npy", message, notes: notes), file: file, line: line)
    }
  }

  func temporary(_ name: String) -> String {
    FileManager.default.temporaryDirectory.appendingPathComponent(
      "dlc-\(ProcessInfo.processInfo.processIdentifier)-\(name)"
    ).path
  }

  func testArrayRoundTrip() throws {
    for tensor in [
      Tensor(shape: [2, 3], floats: [1, 2, 3, 4, 5, -6.25]), Tensor(shape: [3], elements: .int32([7, -8, 9])),
      Tensor(shape: [1, 2], elements: .int64([Int64.max, -1])), Tensor(shape: [], floats: [4]),
    ] {
      let bytes = NumPy.encodeArray(tensor)
      let headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
      XCTAssertEqual((10 + headerLength) % 64, 0, "NumPy aligns the data to 64 bytes")
      XCTAssertEqual(try NumPy.decodeArray(bytes, path: "x.npy"), tensor)
    }
  }

  func testVersionTwoHeaders() throws {
    let tensor = try NumPy.decodeArray(
      npy("{'descr': '<i4', 'fortran_order': False, 'shape': (2,), }\n", data: [1, 0, 0, 0, 2, 0, 0, 0], major: 2),
      path: "x.npy")
    XCTAssertEqual(tensor, Tensor(shape: [2], elements: .int32([1, 2])))
  }

  func testArchiveRoundTrip() throws {
    let path = temporary("round.npz")
    defer { try? FileManager.default.removeItem(atPath: path) }
    let arrays = [
      ("dense_2", Tensor(shape: [2, 2], floats: [1, 2, 3, 4])), ("lstm[1]", Tensor(shape: [1], elements: .int32([3]))),
    ]
    try NumPy.writeArchive(arrays, path: path)
    let read = try NumPy.readArchive(path: path)
    XCTAssertEqual(read.map(\.name), ["dense_2", "lstm[1]"])
    XCTAssertEqual(read.map(\.tensor), arrays.map(\.1))
  }

  func testRejectedArrays() {
    assertRejects(Array("PK\u{3}\u{4}not numpy".utf8), "not a NumPy .npy file (it does not start with \\x93NUMPY)")
    assertRejects(
      npy("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }\n", data: Array(repeating: 0, count: 16)),
      "the array is in Fortran order; dlc reads C-order arrays",
      notes: ["save it with np.save(path, np.ascontiguousarray(x))"])
    assertRejects(
      npy("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }\n", data: Array(repeating: 0, count: 8)),
      "the array's dtype is float64 ('<f8'); dlc reads float32, int32 or int64 (little-endian)",
      notes: ["convert it with x.astype(np.float32) (or np.int32 for token ids)"])
    assertRejects(
      npy("{'descr': '>f4', 'fortran_order': False, 'shape': (1,), }\n", data: Array(repeating: 0, count: 4)),
      "the array's dtype is big-endian float32 ('>f4'); dlc reads float32, int32 or int64 (little-endian)",
      notes: ["convert it with x.astype(np.float32) (or np.int32 for token ids)"])
    assertRejects(
      npy("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 2), }\n", data: Array(repeating: 0, count: 20)),
      "the file is too short for a float32 array of shape (3, 2)")
    assertRejects(
      npy("{'descr': '<f4', 'fortran_order': False, 'shape': (9223372036854775807, 2), }\n", data: []),
      "the file is too short for a float32 array of shape (9223372036854775807, 2)")
    assertRejects(
      npy("{'fortran_order': False}\n", data: []), "the .npy header has no 'descr' or 'shape'",
      notes: ["header: {'fortran_order': False}"])
    assertRejects([0x93] + Array("NUMPY".utf8) + [1, 0, 0xFF, 0x7F], "the .npy header runs past the end of the file")
    assertRejects([0x93] + Array("NUMPY".utf8) + [7, 0, 0, 0], "unsupported .npy format version 7.0")
  }

  func testFortranOrderIsReadWhateverTheSpacing() {
    assertRejects(
      npy("{'descr': '<f4', 'fortran_order':True, 'shape': (2, 2), }\n", data: Array(repeating: 0, count: 16)),
      "the array is in Fortran order; dlc reads C-order arrays",
      notes: ["save it with np.save(path, np.ascontiguousarray(x))"])
  }

  /// An archive whose member inflates far beyond what its .npy header promises is read only as
  /// far as the header says.
  func testAMemberIsInflatedOnlyAsFarAsItsHeaderSays() throws {
    let header = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 4), }\n"
    let member = Data(npy(header, data: [UInt8](repeating: 0, count: 32)) + [UInt8](repeating: 0, count: 64 << 20))
    let archive = try Archive(data: Data(), accessMode: .create)
    try archive.addEntry(
      with: "x.npy", type: .file, uncompressedSize: Int64(member.count), compressionMethod: .deflate
    ) { position, size in member.subdata(in: Int(position)..<Int(position) + size) }
    let bytes = try XCTUnwrap(archive.data)
    XCTAssertLessThan(bytes.count, 1 << 20)
    let arrays = try NumPy.decodeArchive(Array(bytes), path: "bomb.npz")
    XCTAssertEqual(arrays.map(\.name), ["x"])
    XCTAssertEqual(arrays.first?.tensor.shape, [2, 4])
  }

  /// Offsets the ZIP reader would trust are checked first (0xFFFFFFFF made it trap).
  func testBrokenCentralDirectoriesAreErrors() throws {
    let path = temporary("good.npz")
    defer { try? FileManager.default.removeItem(atPath: path) }
    try NumPy.writeArchive([("x", Tensor(shape: [1, 2], floats: [1, 2]))], path: path)
    let good = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
    XCTAssertEqual(try NumPy.decodeArchive(good, path: "good.npz").count, 1)
    let end = good.count - 22
    var zip64 = good
    for index in 0..<4 { zip64[end + 16 + index] = 0xFF }
    XCTAssertThrowsError(try NumPy.decodeArchive(zip64, path: "a.npz")) { error in
      XCTAssertEqual((error as? Diagnostic)?.message, "not a NumPy .npz file (ZIP64 archives are not supported)")
    }
    var outside = good
    outside[end + 16] = outside[end + 16] &+ 7
    XCTAssertThrowsError(try NumPy.decodeArchive(outside, path: "b.npz")) { error in
      XCTAssertEqual(
        (error as? Diagnostic)?.message, "not a NumPy .npz file (its central directory lies outside the file)")
    }
  }

  /// Found by fuzzing (Tests/Fuzz/npz): NumPy writes local headers in the ZIP64 form, and a local header
  /// whose sizes disagree with the central directory sent the ZIP reader past the end of the data.
  func testLocalHeadersMustAgreeWithTheCentralDirectory() throws {
    let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent()
    let numpyWritten = try Data(contentsOf: repository.appendingPathComponent("Tests/Fixtures/layers/dense.inputs.npz"))
    XCTAssertEqual(try NumPy.decodeArchive(Array(numpyWritten), path: "dense.inputs.npz").map(\.name), ["x0"])
    let found = try Data(contentsOf: repository.appendingPathComponent("Tests/Fuzz/npz/local-header-disagrees.npz"))
    XCTAssertThrowsError(try NumPy.decodeArchive(Array(found), path: "a.npz")) { error in
      XCTAssertEqual((error as? Diagnostic)?.message.hasPrefix("not a NumPy .npz file ("), true, "\(error)")
    }
    let path = temporary("good.npz")
    defer { try? FileManager.default.removeItem(atPath: path) }
    try NumPy.writeArchive([("x", Tensor(shape: [1, 2], floats: [1, 2]))], path: path)
    var stored = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
    stored[18] = stored[18] &+ 1  // the local header's compressed size
    XCTAssertThrowsError(try NumPy.decodeArchive(stored, path: "b.npz")) { error in
      XCTAssertEqual(
        (error as? Diagnostic)?.message,
        "not a NumPy .npz file (a member's local header disagrees with the central directory)")
    }
  }

  func testNotAnArchive() throws {
    let path = temporary("broken.npz")
    defer { try? FileManager.default.removeItem(atPath: path) }
    try Data("not a zip".utf8).write(to: URL(fileURLWithPath: path))
    XCTAssertThrowsError(try NumPy.readArchive(path: path)) { error in
      XCTAssertEqual((error as? Diagnostic)?.message, "not a NumPy .npz file (it is not a ZIP archive)")
    }
  }
}
