// The IR before and after each pass, as golden text (dlc ir --print-after-all), and the passes'
// own edge cases.
import DLCDriver
import DLCIR
import DLCLayers
import DLCPasses
import DLCSupport
import Foundation
import XCTest

final class PassGoldenTests: XCTestCase {
  override func setUp() {
    FileManager.default.changeCurrentDirectoryPath(Golden.repository.path)
  }

  func printAfterAll(_ path: String) throws -> String {
    let compilation = Driver.compile(path: path)
    let graph = try XCTUnwrap(compilation.graph, compilation.renderedDiagnostics)
    var text = "// input\n" + IRPrinter.print(graph, file: compilation.file)
    _ = try PassManager(Passes.all).run(graph) { pass, after in
      text += "\n// after \(pass.name)\n" + IRPrinter.print(after, file: compilation.file)
    }
    return text
  }

  func testGoldenIRAfterEachPass() throws {
    let folder = Golden.root.appendingPathComponent("ir")
    try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    for (path, name) in [
      ("graphs/text_cnn.dl", "text_cnn"), ("Tests/Golden/summary/recurrent_states.dl", "recurrent_states"),
      ("Tests/Golden/summary/resnet_tiny.dl", "resnet_tiny"),
      ("Tests/Golden/summary/mobile_blocks.dl", "mobile_blocks"),
      ("Tests/Golden/summary/elementwise_chain.dl", "elementwise_chain"),
    ] {
      Golden.assertMatches(try printAfterAll(path), folder.appendingPathComponent("\(name).ir"))
    }
  }

  func testIdentityRemovalRewiresOutputsAndConsumers() throws {
    let compilation = Driver.compile(path: "graphs/cifar10_cnn.dl")
    let graph = try XCTUnwrap(compilation.graph)
    let simplified = try PassManager([Passes.removeInferenceIdentities]).run(graph)
    XCTAssertFalse(simplified.nodes.contains { $0.op == "Dropout" })
    XCTAssertEqual(simplified.nodes.count, graph.nodes.count - 4)
    XCTAssertEqual(simplified.nodes.last?.name, "dense_1")
    XCTAssertEqual(
      simplified.nodes.first { $0.name == "dense_1" }?.inputs.map { simplified.nodes[$0.node].name }, ["dense"])
  }

  func testDeadNodesAreRemovedButInputsStay() throws {
    var graph = Graph(name: "g")
    let x = graph.add(Node(id: 0, name: "x", op: Graph.inputOp, outputs: [TensorType(.float32, [4])]))
    let unused = graph.add(Node(id: 0, name: "unused", op: Graph.inputOp, outputs: [TensorType(.float32, [2])]))
    let dead = graph.add(
      Node(id: 0, name: "dead", op: "ReLU", inputs: [ValueRef(node: x)], outputs: [TensorType(.float32, [4])]))
    let live = graph.add(
      Node(id: 0, name: "live", op: "ReLU", inputs: [ValueRef(node: x)], outputs: [TensorType(.float32, [4])]))
    graph.outputs = [ValueRef(node: live)]
    let result = try PassManager([Passes.removeDeadNodes]).run(graph)
    XCTAssertEqual(result.nodes.map(\.name), ["x", "unused", "live"])
    XCTAssertEqual(result.outputs, [ValueRef(node: 2)])
    _ = (unused, dead)
  }
}

final class ElementwiseChainTests: XCTestCase {
  func chain(_ source: String) throws -> Graph {
    let compilation = Driver.compile(SourceFile(path: "chain.dl", text: source))
    return try PassManager(Passes.all).run(try XCTUnwrap(compilation.graph, compilation.renderedDiagnostics))
  }

  func testStepsRoundTripThroughTheirText() {
    let steps: [ElementwiseStep] = [
      .load(0), .combine(.rsub, 2), .scale(0.5, -1), .activation(.gelu),
      .relu(maxValue: nil, slope: 0.1, threshold: 0.5),
      .relu(maxValue: 6, slope: 0, threshold: 0), .elu(1.5),
    ]
    XCTAssertEqual(steps.map { ElementwiseStep(text: $0.text) }, steps)
    XCTAssertNil(ElementwiseStep(text: "add y1"))
  }

  func testTheRunningValueSecondInASubtractionIsSubtractedFrom() throws {
    let graph = try chain(
      "model c\ninput a: [4]\ninput b: [4]\nr = b -> ReLU()\noutput (a, r) -> Subtract() -> Rescaling(3.0)\n")
    let fused = try XCTUnwrap(graph.nodes.last)
    XCTAssertEqual(fused.op, ElementwiseStep.chainOp)
    XCTAssertEqual(fused.name, "rescaling")
    XCTAssertEqual(
      ElementwiseStep.program(of: fused),
      [.load(0), .relu(maxValue: nil, slope: 0, threshold: 0), .combine(.rsub, 1), .scale(3, 0)])
    XCTAssertEqual(fused.inputs.map { graph.nodes[$0.node].name }, ["b", "a"])
  }

  func testChainsStopAtOutputsSecondReadersBroadcastsAndSoftmax() throws {
    // The ReLU's value is a model output; the Add has two readers; the Multiply broadcasts.
    let graph = try chain(
      """
      model c
      input a: [4, 3]
      input b: [1, 3]
      r = a -> ReLU()
      s = (r, a) -> Add()
      t = (s, b) -> Multiply() -> ELU()
      u = s -> Activation("softmax")
      output r, t, u
      """)
    XCTAssertFalse(
      graph.nodes.contains { $0.op == ElementwiseStep.chainOp },
      IRPrinter.print(graph, file: SourceFile(path: "c.dl", text: "")))
  }

  /// The pass manager re-runs every node's shape rule after each pass: a pass that leaves a layer
  /// its rule disagrees with is stopped there, named.
  func testAPassThatBreaksAShapeRuleIsCaught() throws {
    let compilation = Driver.compile(SourceFile(path: "m.dl", text: "model m\ninput x: [4]\noutput x -> Dense(3)\n"))
    let graph = try XCTUnwrap(compilation.graph)
    let careless = Pass("careless", "changes Dense's units and not its type") { (graph: Graph) in
      var changed = graph
      for index in changed.nodes.indices where !changed.nodes[index].isInput {
        changed.nodes[index].attributes["units"] = .int(5)
      }
      return changed
    }
    XCTAssertThrowsError(try PassManager([careless]).run(graph)) { error in
      let diagnostic = error as? Diagnostic
      XCTAssertEqual(diagnostic?.message, "internal error: IR verification failed after careless")
      XCTAssertEqual(
        diagnostic?.notes.first?.message.hasPrefix("dense: Dense is typed (None, 3) but its rule gives (None, 5)"),
        true, "\(error)")
    }
    XCTAssertNoThrow(try PassManager(Passes.all).run(graph))
  }
}
