// The generated C for two small models, kept as goldens so any change to the emitted code shows
// in review (DLC_UPDATE_GOLDENS=1 swift test re-records). Weights are zeros and external: the
// goldens are about code, not numbers. The runtime's sections are left out (their names stay): a
// golden holds the model's code, and the runtime is tested through every model that uses it.
import DLCCodegen
import DLCData
import DLCDriver
import DLCIR
import Foundation
import XCTest

final class GeneratedCGoldenTests: XCTestCase {
  func testGeneratedCForSmallModels() throws {
    FileManager.default.changeCurrentDirectoryPath(Golden.repository.path)
    for name in ["mlp_iris", "text_cnn"] {
      let compilation = Driver.compile(path: "graphs/\(name).dl")
      let graph = try XCTUnwrap(compilation.graph, compilation.renderedDiagnostics)
      var weights: [String: Tensor] = [:]
      for node in graph.nodes {
        for parameter in node.parameters { weights["\(node.name)/\(parameter.name)"] = Tensor(zeros: parameter.shape) }
      }
      let generated = try CBackend.generate(
        compilation, weights: weights, options: CodegenOptions(maxBatch: 4, weightsMode: .external))
      let folder = Golden.root.appendingPathComponent("codegen")
      try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
      Golden.assertMatches(generated.header, folder.appendingPathComponent("\(name).h"))
      Golden.assertMatches(CRuntime.withoutRuntime(generated.source), folder.appendingPathComponent("\(name).c"))
    }
  }
}
