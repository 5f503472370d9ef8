// The safetensors reader rejects every malformed file with a message naming the problem.
import DLCData
import DLCSupport
import Foundation
import XCTest

final class SafeTensorsTests: XCTestCase {
  /// A file from a header given as JSON text and data bytes, as a broken writer might produce.
  func file(_ header: String, data: [UInt8] = []) -> [UInt8] {
    var bytes: [UInt8] = []
    let length = UInt64(header.utf8.count)
    for shift in stride(from: 0, to: 64, by: 8) { bytes.append(UInt8((length >> UInt64(shift)) & 0xFF)) }
    return bytes + Array(header.utf8) + data
  }

  func assertRejects(_ bytes: [UInt8], _ message: String, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertThrowsError(try SafeTensors.decode(bytes, path: "w.safetensors"), file: file, line: line) { error in
      XCTAssertEqual(
        (error as? Diagnostic)?.description, "w.safetensors: error: \(message)\n", file: file, line: line)
    }
  }

  func testRoundTrip() throws {
    let kernel = Tensor(shape: [2, 3], floats: [1, -2, 3.5, 0, 1e-8, -7])
    let ids = Tensor(shape: [2], elements: .int64([5, -1]))
    let original = SafeTensors([("dense/kernel", kernel), ("ids", ids)], metadata: ["format": "dlc"])
    let bytes = original.encoded()
    XCTAssertEqual((bytes.count - 8 - Int(bytes[0])) % 4, 0)
    let decoded = try SafeTensors.decode(bytes, path: "w.safetensors")
    XCTAssertEqual(decoded, original)
    XCTAssertEqual(decoded["dense/kernel"]?.tensor, kernel)
  }

  func testOtherDtypesAreDescribedButNotDecoded() throws {
    let decoded = try SafeTensors.decode(
      file(#"{"w":{"dtype":"F16","shape":[2],"data_offsets":[0,4]}}"#, data: [0, 60, 0, 60]), path: "w.safetensors")
    XCTAssertEqual(decoded.entries.map(\.dtype), ["F16"])
    XCTAssertNil(decoded.entries[0].tensor)
  }

  func testMalformedFilesAreRejected() {
    assertRejects([1, 2, 3], "not a safetensors file (3 bytes; it must start with an 8-byte header length)")
    assertRejects(
      [0xFF, 0xFF, 0, 0, 0, 0, 0, 0, 0x7B, 0x7D],
      "not a safetensors file: its header length (65535 bytes) is larger than the file")
    assertRejects(file("[1, 2]"), "not a safetensors file: its header is not a JSON object")
    assertRejects(file("{\"w\": "), "not a safetensors file: its header is not a JSON object")
    assertRejects(file(#"{"w": 3}"#), "tensor 'w' is not described by an object")
    assertRejects(file(#"{"w":{"shape":[1],"data_offsets":[0,4]}}"#), "tensor 'w' has no dtype")
    assertRejects(file(#"{"w":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}"#), "tensor 'w' has no valid shape")
    assertRejects(file(#"{"w":{"dtype":"F32","shape":[1.5],"data_offsets":[0,4]}}"#), "tensor 'w' has no valid shape")
    assertRejects(
      file(#"{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,8]}}"#, data: [0, 0, 0, 0]),
      "tensor 'w' has data offsets outside the file (the data is 4 bytes)")
    assertRejects(
      file(#"{"w":{"dtype":"F32","shape":[1],"data_offsets":[4,0]}}"#, data: [0, 0, 0, 0]),
      "tensor 'w' has data offsets outside the file (the data is 4 bytes)")
    assertRejects(
      file(#"{"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#, data: Array(repeating: 0, count: 8)),
      "tensor 'w' has 8 bytes of data, but a F32 tensor of shape (3,) needs 12")
    assertRejects(
      file(#"{"w":{"dtype":"F32","shape":[1099511627776, 1099511627776],"data_offsets":[0,0]}}"#),
      "tensor 'w' has an impossibly large shape (1099511627776, 1099511627776)")
    assertRejects(
      file(#"{"w":{"dtype":"F32","shape":[4611686018427387904, 4],"data_offsets":[0,0]}}"#),
      "tensor 'w' has no valid shape")
  }

  /// A header length one byte short leaves a byte before the data; the tensors would be read shifted.
  func testTheTensorsMustCoverTheDataExactly() throws {
    let good = SafeTensors([("w", Tensor(shape: [2], floats: [1, 2]))]).encoded()
    var short = good
    short[0] -= 1
    short.insert(0x20, at: 8 + Int(short[0]))  // the byte that was the header's last now precedes the data
    XCTAssertThrowsError(try SafeTensors.decode(Array(short.dropLast()), path: "w.safetensors"))
    var extra = good
    extra[0] -= 1
    XCTAssertThrowsError(try SafeTensors.decode(extra, path: "w.safetensors")) { error in
      XCTAssertTrue(
        "\(error)".contains("the tensors cover 8 bytes of data, but the file holds 9 after its header"), "\(error)")
    }
    assertRejects(
      file(#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#, data: [UInt8](repeating: 0, count: 8)),
      "tensor 'a' starts at data byte 4, but the tensors before it end at 0\nnote: the header length or the data offsets are wrong"
    )
  }

  func testMissingFile() {
    XCTAssertThrowsError(try SafeTensors.read(path: "/nonexistent/w.safetensors")) { error in
      XCTAssertEqual("\(error)", "/nonexistent/w.safetensors: error: no such file\n")
    }
  }
}
