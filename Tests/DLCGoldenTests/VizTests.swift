// Pictures: golden DOT text for small graphs, and every graphs/ model rendered through libgvc.
import DLCCodegen
import DLCDriver
import DLCPasses
import DLCViz
import Foundation
import XCTest

final class VizTests: XCTestCase {
  override func setUp() {
    FileManager.default.changeCurrentDirectoryPath(Golden.repository.path)
  }

  func testGoldenDot() throws {
    let folder = Golden.root.appendingPathComponent("viz")
    try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    for (path, name) in [
      ("graphs/mnist_cnn.dl", "mnist_cnn"), ("Tests/Golden/summary/resnet_tiny.dl", "resnet_tiny"),
      ("Tests/Golden/summary/recurrent_states.dl", "recurrent_states"),
    ] {
      let graph = try XCTUnwrap(Driver.compile(path: path).graph)
      Golden.assertMatches(GraphDot.render(graph), folder.appendingPathComponent("\(name).dot"))
    }
    let optimized = try PassManager(Passes.all).run(
      try XCTUnwrap(Driver.compile(path: "Tests/Golden/summary/resnet_tiny.dl").graph))
    Golden.assertMatches(GraphDot.render(optimized), folder.appendingPathComponent("resnet_tiny.optimized.dot"))
    let compilation = Driver.compile(path: "graphs/mlp_iris.dl")
    let plan = try CCodegen.memoryPlan(try XCTUnwrap(compilation.graph))
    Golden.assertMatches(MemoryDot.render(plan), folder.appendingPathComponent("mlp_iris.memory.dot"))
  }

  func testEveryModelRendersToPNGAndSVG() throws {
    let graphs = Golden.repository.appendingPathComponent("graphs")
    let names = try FileManager.default.contentsOfDirectory(atPath: graphs.path).filter { $0.hasSuffix(".dl") }.sorted()
    XCTAssertGreaterThanOrEqual(names.count, 16)
    for file in names {
      let compilation = Driver.compile(path: "graphs/" + file)
      let graph = try XCTUnwrap(compilation.graph)
      let png = try GraphvizRenderer.render(GraphDot.render(graph), format: .png)
      XCTAssertEqual(Array(png.prefix(8)), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], "\(file): not a PNG")
      XCTAssertGreaterThan(png.count, 5_000, file)
      let svg = String(
        decoding: try GraphvizRenderer.render(GraphDot.render(graph, rankdir: .LR), format: .svg), as: UTF8.self)
      XCTAssertTrue(svg.contains("<svg") && svg.contains("</svg>"), "\(file): not an SVG")
      for node in graph.nodes { XCTAssertTrue(svg.contains(">\(node.name)<"), "\(file): \(node.name) is not drawn") }
      let memory = try GraphvizRenderer.render(
        MemoryDot.render(CCodegen.memoryPlan(graph)), format: .svg, engine: "neato")
      XCTAssertTrue(String(decoding: memory, as: UTF8.self).contains("</svg>"), "\(file): memory picture")
    }
  }
}
