// The memory plan: its text as golden files, the ways tensors share bytes, and the independent
// overlap checker catching a plan that is wrong.
import DLCCodegen
import DLCDriver
import DLCIR
import DLCPasses
import DLCSupport
import Foundation
import XCTest

@testable import DLCPlanning

final class MemoryPlanTests: XCTestCase {
  override func setUp() {
    FileManager.default.changeCurrentDirectoryPath(Golden.repository.path)
  }

  func optimizedGraph(_ source: String, passes: [Pass] = Passes.all) throws -> Graph {
    let compilation =
      source.hasSuffix(".dl")
      ? Driver.compile(path: source) : Driver.compile(SourceFile(path: "plan.dl", text: source))
    return try PassManager(passes).run(try XCTUnwrap(compilation.graph, compilation.renderedDiagnostics))
  }

  func inPlace(_ plan: MemoryPlan) -> [String: String] {
    let pairs = plan.sharing.compactMap { value, sharing -> (String, String)? in
      if case .inPlace(let source) = sharing { return (plan.graph.name(of: value), plan.graph.name(of: source)) }
      return nil
    }
    return Dictionary(uniqueKeysWithValues: pairs)
  }

  func testGoldenPlans() throws {
    let folder = Golden.root.appendingPathComponent("ir")
    for (path, name) in [
      ("Tests/Golden/summary/resnet_tiny.dl", "resnet_tiny"), ("graphs/image_tabular.dl", "image_tabular"),
    ] {
      let plan = try CCodegen.memoryPlan(try optimizedGraph(path))
      XCTAssertEqual(plan.overlaps(), [], name)
      Golden.assertMatches(plan.report, folder.appendingPathComponent("\(name).memory"))
    }
  }

  func testElementwiseLayersWriteOverAnInputReadNowhereLater() throws {
    let source = """
      model inplace
      input x: [16]
      h = x -> Dense(16)
      y = h -> ReLU()
      output (y, h) -> Add() -> Activation("sigmoid") -> Rescaling(2.0)
      """
    let layers = try MemoryPlan(
      optimizedGraph(source, passes: Passes.all.filter { $0.name != "fuse-elementwise-chains" }))
    // The ReLU may not take h's bytes: the Add reads h after it. The Add takes the ReLU's
    // (its first input, read for the last time), and the rescaling the Add's.
    XCTAssertEqual(inPlace(layers), ["add": "re_lu", "rescaling": "add"])
    XCTAssertEqual(layers.overlaps(), [])
    XCTAssertEqual(layers.arena.buffers.count, 2)
    // Fused into one loop, the element-wise layers read h and write over it.
    let fused = try MemoryPlan(optimizedGraph(source))
    XCTAssertEqual(inPlace(fused), ["rescaling": "dense"])
    XCTAssertEqual(fused.overlaps(), [])
    XCTAssertEqual(fused.arena.buffers.count, 1)
  }

  func testConcatenationInputsAreWrittenIntoTheirSlicesWhenContiguous() throws {
    let source = """
      model slices
      input x: [8]
      a = x -> Dense(3)
      b = x -> Dense(5)
      output (a, b, x) -> Concatenate()
      """
    let graph = try optimizedGraph(source)
    let one = try MemoryPlan(graph, maxBatch: 1)
    let slices = one.sharing.compactMapValues { sharing -> Int? in
      if case .slice(_, let offset) = sharing { return offset } else { return nil }
    }
    // The model input stays where the caller put it; it is copied.
    XCTAssertEqual(
      Dictionary(uniqueKeysWithValues: slices.map { (graph.name(of: $0.key), $0.value) }), ["dense": 0, "dense_1": 12])
    XCTAssertEqual(one.overlaps(), [])
    // With two examples a slice is two pieces, one per example: nothing is sliced.
    XCTAssertTrue(try MemoryPlan(graph, maxBatch: 2).sharing.isEmpty)
  }

  func testTheCheckerCatchesTensorsPlacedOnTopOfEachOther() throws {
    var plan = try CCodegen.memoryPlan(try optimizedGraph("graphs/mnist_cnn.dl"))
    XCTAssertEqual(plan.overlaps(), [])
    plan.arena.offsets = plan.arena.offsets.map { _ in 0 }
    XCTAssertFalse(plan.overlaps().isEmpty)
    XCTAssertTrue(
      plan.overlaps().contains { $0.first == "conv2d" && $0.second == "max_pooling2d" }, "\(plan.overlaps())")
  }
}
