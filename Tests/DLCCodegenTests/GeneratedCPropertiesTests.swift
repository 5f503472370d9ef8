// Properties of the generated C beyond its numbers: strict compilers, no allocation or stdio or
// mutable globals, deterministic results, checked token ids, a sound arena, and the embedding example.
import DLCData
import DLCDriver
import DLCIR
import DLCPasses
import DLCPlanning
import DLCSupport
import DLCTestSupport
import DLCWeights
import Foundation
import XCTest

@testable import DLCCodegen

final class GeneratedCPropertiesTests: XCTestCase {
  override func setUp() { CodegenFixtures.useTestCache() }

  var graphs: URL { CodegenFixtures.repository.appendingPathComponent("graphs") }

  func modelNames() throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: graphs.path).filter { $0.hasSuffix(".dl") }
      .map { String($0.dropLast(3)) }.sorted()
  }

  func generate(_ compilation: Compilation, mode: CodegenOptions.WeightsMode = .external, batch: Int = 1) throws
    -> GeneratedC
  {
    // Zeros: these tests look at the code, not the numbers, and drawing VGG16's weights is slow.
    let graph = try XCTUnwrap(compilation.graph, compilation.renderedDiagnostics)
    var weights: [String: Tensor] = [:]
    for node in graph.nodes {
      for parameter in node.parameters { weights[WeightKey.of(node, parameter)] = Tensor(zeros: parameter.shape) }
    }
    return try CBackend.generate(
      compilation, weights: weights, options: CodegenOptions(maxBatch: batch, weightsMode: mode))
  }

  func temporaryDirectory() throws -> String { try CodegenFixtures.temporaryDirectory("codegen", removedAfter: self) }

  /// Every layer case and every model (the small ones with embedded weights, so weights files are
  /// checked too) compiles without a warning under both gcc and clang, and with the OpenBLAS path.
  func testStrictCompilersAcceptAllGeneratedCode() throws {
    var compilations: [(String, Compilation, CodegenOptions.WeightsMode)] = try CodegenFixtures.layerCases().map {
      ($0.name, Driver.compile(SourceFile(path: "\($0.name).dl", text: $0.source)), .embedded)
    }
    for name in try modelNames() {
      compilations.append(
        (
          name, Driver.compile(path: graphs.appendingPathComponent("\(name).dl").path),
          CodegenFixtures.large.contains(name) ? .blob : .embedded
        ))
    }
    let directory = try temporaryDirectory()
    let blas = CBuild.pkgConfig(["--cflags", "openblas"])
    try CodegenFixtures.concurrently(compilations) { name, compilation, mode in
      let generated = try generate(compilation, mode: mode)
      let folder = directory + "/" + name
      try CBuild.write(generated, to: folder, includeMain: true)
      let sources =
        [generated.prefix + ".c", generated.prefix + "_main.c"]
        + (mode == .embedded ? [generated.prefix + "_weights.c"] : [])
      for compiler in ["gcc", "clang"] {
        let result = try CodegenFixtures.shell(
          [compiler, "-std=c99", "-Wall", "-Wextra", "-pedantic", "-Werror", "-fsyntax-only"] + sources, in: folder)
        XCTAssertEqual(result.status, 0, "\(name) with \(compiler):\n\(result.output)")
        if mode == .blob {
          let assembly = try CodegenFixtures.shell(
            [compiler, "-std=c99", "-Wall", "-Wextra", "-pedantic", "-Werror", "-c", generated.prefix + "_weights.S"],
            in: folder)
          XCTAssertEqual(assembly.status, 0, "\(name)_weights.S with \(compiler):\n\(assembly.output)")
        }
      }
      let withBLAS = try CodegenFixtures.shell(
        ["gcc", "-std=c99", "-Wall", "-Wextra", "-pedantic", "-Werror", "-fsyntax-only", "-DDLC_USE_CBLAS"] + blas
          + [generated.prefix + ".c"], in: folder)
      XCTAssertEqual(withBLAS.status, 0, "\(name) with OpenBLAS:\n\(withBLAS.output)")
      // C++ programs include the header too.
      try "#include \"\(generated.prefix).h\"\nint main() { return 0; }\n".write(
        toFile: folder + "/includes.cpp", atomically: true, encoding: .utf8)
      let cplusplus = try CodegenFixtures.shell(
        ["g++", "-std=c++11", "-Wall", "-Wextra", "-pedantic", "-Werror", "-fsyntax-only", "includes.cpp"], in: folder)
      XCTAssertEqual(cplusplus.status, 0, "\(name).h in C++:\n\(cplusplus.output)")
    }
  }

  /// The instruction-set copies rename the runtime's `dlc_` names, not the model's: a model may be
  /// called dlc_something, and its copies still build (optimized, so the per-function targets are
  /// compiled, not only parsed) and run, with the weights and observer type they share.
  func testAModelNamedLikeTheRuntimeBuildsWithItsCopies() throws {
    let source = """
      model dlc_net
      input image: [12, 12, 3]
      output image -> Conv2D(16, 3, activation="relu") -> Conv2D(16, 3) -> Flatten() -> Dense(4, activation="softmax")

      """
    let compilation = Driver.compile(SourceFile(path: "dlc_net.dl", text: source))
    let generated = try generate(compilation, mode: .embedded)
    XCTAssertTrue(generated.source.contains("static int dlc_net_layers_avx512("), "the model's name is kept")
    XCTAssertTrue(generated.source.contains("dlc_avx512_conv2d_winograd("), "the runtime's names are renamed")
    let directory = try temporaryDirectory()
    try CBuild.write(generated, to: directory, includeMain: true)
    for compiler in ["gcc", "clang"] {
      let built = try CodegenFixtures.shell(
        [
          compiler, "-std=c99", "-O2", "-Wall", "-Wextra", "-pedantic", "-Werror", "-o", "net-\(compiler)", "dlc_net.c",
          "dlc_net_weights.c", "dlc_net_main.c", "-pthread", "-lm",
        ], in: directory)
      XCTAssertEqual(built.status, 0, "\(compiler):\n\(built.output)")
      let named = try CodegenFixtures.shell(["./net-\(compiler)", "--instruction-set"], in: directory)
      XCTAssertEqual(named.output, try ThisCPU.bestInstructionSet() + "\n", compiler)
    }
  }

  /// GCC gets a larger budget for specializing kernels per layer (the copies exhaust its default);
  /// Clang, which has no such parameter and warns about it, is not given it and builds with -Werror.
  func testOnlyGCCIsGivenTheCloningBudget() throws {
    let budget = "--param=ipa-cp-unit-growth=100"
    XCTAssertTrue(CBuildOptions(compiler: "gcc").flags.contains(budget))
    XCTAssertFalse(CBuildOptions(compiler: "clang").flags.contains(budget))
    let source = "model tiny\ninput x: [6, 6, 2]\noutput x -> Conv2D(4, 3) -> Flatten() -> Dense(3)\n"
    let generated = try generate(Driver.compile(SourceFile(path: "tiny.dl", text: source)), mode: .embedded)
    for compiler in ["gcc", "clang"] {
      let directory = try temporaryDirectory()
      try CBuild.write(generated, to: directory, includeMain: true)
      let products = try CBuild.build(
        generated, in: directory, emit: .exe, options: CBuildOptions(compiler: compiler, extraFlags: ["-Werror"]))
      XCTAssertEqual(products.count, 1, compiler)
    }
  }

  /// Weights linked in as a blob (`.incbin`) are the same numbers as weights compiled from C text.
  func testBlobWeightsGiveTheSameOutputsAsEmbeddedOnes() throws {
    let compilation = Driver.compile(path: graphs.appendingPathComponent("mnist_cnn.dl").path)
    let graph = try XCTUnwrap(compilation.graph)
    let weights = InitializedWeights.of(graph, seed: 4)
    let directory = try temporaryDirectory()
    let input = directory + "/image.npy"
    try NumPy.writeArray(try Runner.randomInputs(for: graph, batch: 1, seed: 2)[0], path: input)
    var outputs: [Tensor] = []
    for mode in [CodegenOptions.WeightsMode.embedded, .blob] {
      let folder = directory + "/" + mode.rawValue
      let built = try CBackend.compile(
        compilation, weights: weights, options: CodegenOptions(maxBatch: 1, weightsMode: mode), emit: .exe,
        directory: folder, build: CodegenFixtures.sanitized)
      let program = try XCTUnwrap(built.products.first)
      let run = try CodegenFixtures.shell([program, input, "-o", folder + "/out.npy"], in: folder)
      XCTAssertEqual(run.status, 0, run.output)
      outputs.append(try NumPy.readArray(path: folder + "/out.npy"))
    }
    XCTAssertEqual(outputs[0], outputs[1])
    XCTAssertNotEqual(outputs[0].floats, [Float](repeating: 0, count: outputs[0].count))
  }

  /// The library part allocates nothing, prints nothing and keeps no mutable state between calls.
  func testGeneratedLibraryCodeIsFreestanding() throws {
    for name in try modelNames() {
      let generated = try generate(Driver.compile(path: graphs.appendingPathComponent("\(name).dl").path))
      for forbidden in ["malloc", "free(", "stdio.h", "printf", "FILE"] {
        XCTAssertFalse(generated.source.contains(forbidden), "\(name).c uses \(forbidden)")
      }
      // File-scope declarations are functions, types, enums and macros — never variables.
      for line in generated.source.split(separator: "\n") where !line.hasPrefix(" ") && !line.hasPrefix("}") {
        if line.hasPrefix("static") || line.hasPrefix("int ") || line.hasPrefix("float ") || line.hasPrefix("double ") {
          XCTAssertTrue(line.contains("("), "\(name).c declares a global: \(line)")
        }
      }
      XCTAssertTrue(
        generated.header.contains("#define \(generated.prefix.uppercased())_ARENA_BYTES \(generated.plan.totalBytes)"))
    }
  }

  func testArenaPlansAreSound() throws {
    for name in try modelNames() {
      for batch in [1, 2] {
        let label = "\(name) (batch \(batch))"
        let plan = try generate(Driver.compile(path: graphs.appendingPathComponent("\(name).dl").path), batch: batch)
          .plan
        XCTAssertEqual(plan.overlaps(), [], "\(label): tensors alive together overlap")
        XCTAssertTrue(plan.arena.conflicts.isEmpty, "\(label): buffers alive together overlap: \(plan.arena.conflicts)")
        XCTAssertGreaterThanOrEqual(plan.totalBytes, plan.lowerBoundBytes, label)
        XCTAssertLessThanOrEqual(plan.totalBytes, plan.naiveBytes, label)
        XCTAssertLessThanOrEqual(
          Double(plan.totalBytes), 1.10 * Double(plan.lowerBoundBytes),
          "\(label): planned arena far above the lower bound")
        XCTAssertTrue(plan.arena.offsets.allSatisfy { $0 % ArenaPlan.alignment == 0 }, label)
      }
    }
  }

  func testSameInputGivesIdenticalOutput() throws {
    let compilation = Driver.compile(path: graphs.appendingPathComponent("transformer_text.dl").path)
    let graph = try XCTUnwrap(compilation.graph)
    let weights = InitializedWeights.of(graph, seed: 3)
    let inputs = try Runner.randomInputs(for: graph, batch: 2, seed: 5)
    let first = try CBackend.run(compilation, weights: weights, inputs: inputs, build: CodegenFixtures.optimized)
    let second = try CBackend.run(compilation, weights: weights, inputs: inputs, build: CodegenFixtures.optimized)
    XCTAssertEqual(first.map(\.tensor), second.map(\.tensor))
  }

  /// --threads splits the examples into slices, each run in its own arena: the same answer under
  /// the sanitizers, with slices of different sizes (to rounding: a slice of one example takes the
  /// one-row product, which sums in a different order).
  func testThreadsGiveTheSameOutputsAsOneThread() throws {
    let compilation = Driver.compile(path: graphs.appendingPathComponent("resnet8_cifar.dl").path)
    let graph = try XCTUnwrap(compilation.graph)
    let weights = InitializedWeights.of(graph, seed: 3)
    let inputs = try Runner.randomInputs(for: graph, batch: 7, seed: 5)
    let one = try CBackend.run(compilation, weights: weights, inputs: inputs, build: CodegenFixtures.sanitized)
    for threads in [2, 3, 7, 9] {
      let split = try CBackend.run(
        compilation, weights: weights, inputs: inputs, build: CodegenFixtures.sanitized, threads: threads)
      CodegenFixtures.assertClose(split, one, "\(threads) threads", tolerance: 1e-6)
    }
  }

  /// As many examples per pass through the layers as keep a pass's share of the arena within the
  /// budget: a power of two, at least one (an example larger than the budget), at most the batch.
  func testExamplesPerPassFitTheBudget() {
    func examples(_ arenaBytes: Int, maxBatch: Int, budget: Int = CodegenOptions.defaultPassBytes) -> Int {
      CodegenOptions(maxBatch: maxBatch, passBytes: budget).examplesPerPass(arenaBytes: arenaBytes)
    }
    XCTAssertEqual(examples(6_365_376, maxBatch: 32), 8, "resnet8_cifar: 199 kB an example")
    XCTAssertEqual(examples(196_608, maxBatch: 32), 32, "cifar10_fcn: a small arena keeps one pass")
    XCTAssertEqual(examples(6_365_376, maxBatch: 1), 1)
    XCTAssertEqual(examples(7 * 198_918, maxBatch: 7), 4, "a batch of 7: passes of 4, then 3")
    XCTAssertEqual(examples(64 << 20, maxBatch: 8), 1, "8 MB an example: one at a time")
    XCTAssertEqual(examples(1000, maxBatch: 1000, budget: 512), 512, "one byte an example")
  }

  /// A batch larger than a pass goes through the layers a pass at a time, each with its inputs and
  /// outputs that far along (`<model>_run_copy`): at batch 7, resnet8_cifar runs passes of 4 and 3,
  /// and image_tabular (two inputs) smaller ones, with the weights passed in; the outputs are the
  /// interpreter's (one pass), under AddressSanitizer and UBSan, whose bounds checks would catch a
  /// pass reading or writing past the caller's buffers.
  func testLargeBatchesGoThroughTheLayersInPassesThatFitTheCache() throws {
    for name in ["resnet8_cifar", "image_tabular"] {
      let compilation = Driver.compile(path: graphs.appendingPathComponent("\(name).dl").path)
      let graph = try XCTUnwrap(compilation.graph)
      let generated = try generate(compilation, batch: 7)
      let examples = CodegenOptions(maxBatch: 7).examplesPerPass(arenaBytes: generated.plan.totalBytes)
      XCTAssertLessThan(examples, 7, name)
      XCTAssertTrue(generated.source.contains("_EXAMPLES_PER_PASS \(examples)\n"), name)
      let weights = InitializedWeights.of(graph, seed: 3)
      let inputs = try Runner.randomInputs(for: graph, batch: 7, seed: 5)
      let reference = try Runner.interpret(compilation, weights: weights, inputs: inputs)
      let compiled = try CBackend.run(compilation, weights: weights, inputs: inputs, build: CodegenFixtures.sanitized)
      CodegenFixtures.assertClose(compiled, reference, name, tolerance: 1e-5)
    }
  }

  /// At batch 1 --threads splits the large Dense products by panels, and the convolutions' tiles by
  /// rows, among a pool of threads (`<model>_run_parallel`): every output is computed by the same
  /// code as on one thread, so the outputs are the same to the bit, under AddressSanitizer and under
  /// ThreadSanitizer (which fails the run on a data race), for the portable code (im2col and 1×1
  /// products) and for this CPU's (the indirect tiles, dlc_conv2d_few, Winograd), with every
  /// layer split however little work it has. Three threads split the work unevenly; 64 threads
  /// are more than most layers have parts.
  func testLayersSplitAmongThreadsGiveTheSameOutputsToTheBit() throws {
    let threadSanitized = CBuildOptions(
      compiler: "gcc", optimization: "-O1", extraFlags: ["-Werror", "-g", "-fsanitize=thread"],
      instructionSetCopies: false)
    // Every layer that can split does, into as many parts as it has units: not only those with
    // enough work to be worth it.
    let splitEverything = ["-DDLC_PARALLEL_MACS=1", "-DDLC_PARALLEL_STREAM_MACS=1"]
    let builds = [CodegenFixtures.sanitized, threadSanitized].flatMap { build in
      [false, true].map { native in
        var options = build
        options.native = native
        options.extraFlags += splitEverything
        return options
      }
    }
    // Dense (cifar10_fcn); 1×1, 3×3 indirect and 3×3 Winograd (resnet8_cifar); 3 channels
    // (cifar10_cnn); 5×5 Winograd with odd sizes (mnist_cnn); a sigmoid after the tiles
    // (conv_autoencoder); 1-D, strided (text_cnn); an LSTM's input projection (text_lstm).
    for model in [
      "cifar10_fcn", "resnet8_cifar", "cifar10_cnn", "mnist_cnn", "conv_autoencoder", "text_cnn", "text_lstm",
    ] {
      let compilation = Driver.compile(path: graphs.appendingPathComponent("\(model).dl").path)
      let graph = try XCTUnwrap(compilation.graph)
      let weights = InitializedWeights.of(graph, seed: 3)
      let inputs = try Runner.randomInputs(for: graph, batch: 1, seed: 5)
      for build in builds {
        let one = try CBackend.run(compilation, weights: weights, inputs: inputs, build: build)
        for threads in [2, 3, 64] {
          let split = try CBackend.run(compilation, weights: weights, inputs: inputs, build: build, threads: threads)
          XCTAssertEqual(
            split[0].tensor.floats, one[0].tensor.floats,
            "\(model), \(threads) threads, \(build.extraFlags), native: \(build.native)")
        }
      }
    }
    let graph = try XCTUnwrap(Driver.compile(path: graphs.appendingPathComponent("cifar10_fcn.dl").path).graph)
    let program = CMain.program(prefix: "cifar10_fcn", graph: graph, external: false, inputParameters: ["image"])
    XCTAssertTrue(program.contains("cifar10_fcn_run_parallel(count, "), "the program splits the layers at batch 1")
  }

  /// --threads starts a thread only for 2 M multiply-adds of work: a batch of a tiny model runs on
  /// one thread, which is faster than starting another.
  func testThreadsAreStartedOnlyForEnoughWork() throws {
    let tiny = try XCTUnwrap(Driver.compile(path: graphs.appendingPathComponent("mlp_iris.dl").path).graph)
    XCTAssertEqual(CMain.multiplyAdds(tiny), 836)  // dlc summary --macs: 4·50 + 50·12 + 12·3
    let program = CMain.program(prefix: "mlp_iris", graph: tiny, external: false, inputParameters: ["measurements"])
    XCTAssertTrue(program.contains("const long worth = examples * 0L / 1000;"), "a batch of mlp_iris on one thread")
    let resnet = try XCTUnwrap(Driver.compile(path: graphs.appendingPathComponent("resnet8_cifar.dl").path).graph)
    XCTAssertEqual(CMain.multiplyAdds(resnet), 12_575_360)  // dlc summary --macs
    XCTAssertTrue(
      CMain.program(prefix: "resnet8_cifar", graph: resnet, external: false, inputParameters: ["image"])
        .contains("const long worth = examples * 6287L / 1000;"))
  }

  func testTokenIdsOutsideTheTableAreAnErrorNotARead() throws {
    let compilation = Driver.compile(
      SourceFile(
        path: "tokens.dl", text: "model tokens\ninput ids: i32[3]\noutput ids -> Embedding(5, 2) -> Flatten()\n"))
    let graph = try XCTUnwrap(compilation.graph)
    let weights = InitializedWeights.of(graph, seed: 0)
    let good = Tensor(shape: [1, 3], elements: .int32([0, 4, 2]))
    XCTAssertEqual(
      try CBackend.run(compilation, weights: weights, inputs: [good], build: CodegenFixtures.sanitized)[0].tensor.shape,
      [1, 6])
    for bad in [Int32(5), -1, Int32.max] {
      XCTAssertThrowsError(
        try CBackend.run(
          compilation, weights: weights, inputs: [Tensor(shape: [1, 3], elements: .int32([0, bad, 1]))],
          build: CodegenFixtures.sanitized)
      ) { error in
        XCTAssertTrue("\(error)".contains("a token id is outside its embedding table"), "\(error)")
      }
    }
  }

  /// codegen/examples/embed builds from nothing but the generated files, a C compiler and libm.
  func testEmbeddingExampleBuildsAndClassifies() throws {
    let directory = try temporaryDirectory()
    let compilation = Driver.compile(path: graphs.appendingPathComponent("mnist_cnn.dl").path)
    let generated = try generate(compilation, mode: .embedded)
    try CBuild.write(generated, to: directory + "/generated", includeMain: false)
    let example = CodegenFixtures.repository.appendingPathComponent("codegen/examples/embed").path
    let build = try CodegenFixtures.shell(
      [
        "make", "-C", example, "GENERATED=\(directory)/generated", "BUILD=\(directory)",
        "CFLAGS=-std=c99 -O2 -Wall -Wextra -pedantic -Werror",
      ], in: directory)
    XCTAssertEqual(build.status, 0, build.output)
    let run = try CodegenFixtures.shell([directory + "/classify"], in: directory)
    XCTAssertEqual(run.status, 0, run.output)
    let lines = run.output.split(separator: "\n")
    XCTAssertEqual(lines.count, 11, run.output)
    XCTAssertTrue(lines.last?.hasPrefix("predicted digit: ") == true, run.output)
    let total = lines.dropLast().compactMap { Float($0.split(separator: " ").last ?? "") }.reduce(0, +)
    XCTAssertEqual(total, 1, accuracy: 1e-3)
  }

  /// The C backend on the optimized graph (padding and batch normalization folded) against the
  /// interpreter on the graph as written.
  func testOptimizedCMatchesTheUnoptimizedInterpreter() throws {
    for name in ["mobile_blocks", "resnet_tiny", "elementwise_chain"] {
      let compilation = Driver.compile(
        path: CodegenFixtures.tests.appendingPathComponent("Golden/summary/\(name).dl").path)
      let graph = try XCTUnwrap(compilation.graph)
      var weights = InitializedWeights.of(graph, seed: 4)
      for key in weights.keys where key.hasSuffix("/moving_mean") || key.hasSuffix("/moving_variance") {
        let values = weights[key]!.floats.indices.map {
          Float($0 % 3) * 0.25 + (key.hasSuffix("variance") ? 0.6 : -0.2)
        }
        weights[key] = Tensor(shape: weights[key]!.shape, floats: values)
      }
      let inputs = try Runner.randomInputs(for: graph, batch: 2, seed: 1)
      let reference = try Runner.interpret(compilation, weights: weights, inputs: inputs)
      let (optimized, optimizedWeights) = try compilation.optimized(weights: weights)
      XCTAssertFalse(
        optimized.graph!.nodes.contains { $0.op == "BatchNormalization" || $0.op == "ZeroPadding2D" }, name)
      let compiled = try CBackend.run(
        optimized, weights: optimizedWeights, inputs: inputs, build: CodegenFixtures.sanitized)
      CodegenFixtures.assertClose(compiled, reference, name)
    }
  }
}

/// The generated `.npy` program, under ASan and UBSan, on files that lie about their contents:
/// each is a clear error with exit 1, never a read or write out of bounds.
extension GeneratedCPropertiesTests {
  func npy(_ header: String, data: Int = 0) -> Data {
    var text = Array(header.utf8)
    while (10 + text.count + 1) % 64 != 0 { text.append(UInt8(ascii: " ")) }
    text.append(UInt8(ascii: "\n"))
    return Data(
      [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(text.count & 0xFF), UInt8(text.count >> 8)] + text
        + [UInt8](repeating: 0, count: data))
  }

  func testHostileNpyFilesAreErrors() throws {
    let directory = try CodegenFixtures.temporaryDirectory("program", removedAfter: self)
    let compilation = Driver.compile(
      SourceFile(path: "image.dl", text: "model image\ninput x: [28, 28, 1]\noutput x -> Flatten() -> Dense(3)\n"))
    let generated = try generate(compilation, mode: .embedded)
    try CBuild.write(generated, to: directory, includeMain: true)
    _ = try CBuild.build(generated, in: directory, emit: .exe, options: CodegenFixtures.sanitized)
    let cases: [(String, Data, String)] = [
      (
        "huge", npy("{'descr': '<f4', 'fortran_order': False, 'shape': (4611686018427387904, 28, 28, 1), }"),
        "error: the file is shorter than its shape (4611686018427387904, 28, 28, 1) says"
      ),
      (
        "wrapping", npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 9223372036854775807, 2, 1), }"),
        "error: expected shape (N, 28, 28, 1) (784 values per example, N at least 1); got (2, 9223372036854775807, 2, 1)"
      ),
      (
        "fortran", npy("{'descr': '<f4', 'fortran_order':True, 'shape': (1, 28, 28, 1), }", data: 3136),
        "error: expected a C-order array"
      ),
      (
        "float64", npy("{'descr': '<f8', 'fortran_order': False, 'shape': (1, 28, 28, 1), 'note': '<f4'}", data: 6272),
        "error: expected '<f4' data"
      ),
      (
        "misshaped", npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", data: 24),
        "error: expected shape (N, 28, 28, 1) (784 values per example, N at least 1); got (2, 3)"
      ),
      (
        "short", npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 28, 28, 1), }", data: 3136),
        "error: the file is shorter than its shape (2, 28, 28, 1) says"
      ),
      (
        "deep",
        npy("{'descr': '<f4', 'fortran_order': False, 'shape': (" + String(repeating: "1, ", count: 80) + "), }"),
        "error: unreadable shape"
      ),
    ]
    for (name, bytes, message) in cases {
      try bytes.write(to: URL(fileURLWithPath: directory + "/\(name).npy"))
      let result = try CodegenFixtures.shell(["./image", "\(name).npy", "-o", "out.npy"], in: directory)
      XCTAssertEqual(result.status, 1, "\(name): \(result.output)")
      XCTAssertTrue(result.output.contains("\(name).npy: " + message), "\(name): \(result.output)")
    }
  }
}
