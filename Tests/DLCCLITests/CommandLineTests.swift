// The dlc executable as a user runs it: output streams and the exit codes of spec §2.
import DLCData
import DLCTestSupport
import Foundation
import XCTest

/// Runs the dlc binary built next to the test bundle, from the repository's root.
class CLITestCase: XCTestCase {
  static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("../..").standardized

  override func setUp() {
    // Programs that `run --backend c` compiles go to the build folder, not the user's cache.
    setenv("DLC_CACHE_DIR", Self.repository.appendingPathComponent(".build/dlc-test-cache").path, 1)
  }

  /// The dlc binary built next to this test bundle.
  var executable: URL {
    var directory = Bundle(for: Self.self).bundleURL
    while directory.path != "/" && !FileManager.default.fileExists(atPath: directory.appendingPathComponent("dlc").path)
    {
      directory.deleteLastPathComponent()
    }
    return directory.appendingPathComponent("dlc")
  }

  struct Result {
    var status: Int32
    var stdout: String
    var stderr: String
  }

  func run(_ arguments: String...) throws -> Result { try run(arguments) }

  /// Runs dlc, or another program built beside it (`dlc-fuzz`), from the repository's root.
  func run(_ arguments: [String], program: String = "dlc") throws -> Result {
    let process = Process()
    process.executableURL = executable.deletingLastPathComponent().appendingPathComponent(program)
    process.arguments = arguments
    process.currentDirectoryURL = Self.repository
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let stdout = out.fileHandleForReading.readDataToEndOfFile()
    let stderr = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return Result(
      status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
      stderr: String(decoding: stderr, as: UTF8.self))
  }

  func temporaryDirectory() throws -> String {
    let path = FileManager.default.temporaryDirectory
      .appendingPathComponent("dlc-cli-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
    return path
  }
}

final class CommandLineTests: CLITestCase {
  func testCheckSucceeds() throws {
    let result = try run("check", "graphs/mnist_cnn.dl")
    XCTAssertEqual(result.status, 0)
    XCTAssertEqual(result.stdout, "ok: 8 layers, 58,796 parameters\n")
    XCTAssertEqual(result.stderr, "")
  }

  func testSummaryFormats() throws {
    let table = try run("summary", "graphs/mlp_iris.dl")
    XCTAssertEqual(table.status, 0)
    XCTAssertTrue(table.stdout.hasPrefix("Model: \"mlp_iris\"\n"))
    XCTAssertTrue(
      table.stdout.hasSuffix(
        " Total params: 901 (3.52 KB)\n Trainable params: 901 (3.52 KB)\n Non-trainable params: 0 (0.00 B)\n"))
    let json = try run("summary", "--format", "json", "graphs/mlp_iris.dl")
    XCTAssertEqual(json.status, 0)
    let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
    XCTAssertEqual(object?["total_params"] as? Int, 901)
    let macs = try run("summary", "--macs", "graphs/mlp_iris.dl")
    XCTAssertTrue(macs.stdout.contains(" Total MACs: 836 per example\n"), macs.stdout)
  }

  /// `dlc bench` on both backends: as many timed runs as asked, ordered percentiles, the arena and weights.
  func testBenchTimesBothBackends() throws {
    for backend in ["c", "interpreter"] {
      let result = try run(
        "bench", "graphs/mnist_cnn.dl", "--backend", backend, "--iterations", "7", "--warmup", "2", "--batch", "2",
        "--format", "json")
      XCTAssertEqual(result.status, 0, result.stderr)
      let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
      XCTAssertEqual(object["backend"] as? String, backend)
      XCTAssertEqual(object["iterations"] as? Int, 7)
      XCTAssertEqual(object["batch"] as? Int, 2)
      let times = try ["min_ms", "p50_ms", "p90_ms", "p99_ms", "max_ms"].map { try XCTUnwrap(object[$0] as? Double) }
      XCTAssertGreaterThan(times[0], 0)
      XCTAssertEqual(times, times.sorted(), "\(object)")
      XCTAssertEqual(object["arena_bytes"] as? Int, 257_152, "the plan at batch 2")
      XCTAssertGreaterThan(object["weight_bytes"] as? Int ?? 0, 235_000)
      XCTAssertTrue(["avx512", "avx2", "portable"].contains(object["instruction_set"] as? String ?? ""), "\(object)")
    }
    let text = try run("bench", "graphs/mlp_iris.dl", "--iterations", "3")
    XCTAssertEqual(text.status, 0, text.stderr)
    XCTAssertTrue(text.stdout.hasPrefix("mlp_iris: c backend, batch 1, 3 runs after 10 warm-up\nlatency "), text.stdout)
    XCTAssertTrue(text.stdout.contains("\nmemory: arena 320 bytes, weights "), text.stdout)
    XCTAssertTrue(text.stdout.contains(" bytes\ninstruction set: "), text.stdout)
    // A generic build picks the copy for this CPU's best instruction set; a baseline build has none.
    for (target, expected) in [("generic", try ThisCPU.bestInstructionSet()), ("baseline", "portable")] {
      let built = try run("bench", "graphs/mlp_iris.dl", "--iterations", "3", "--target", target, "--format", "json")
      XCTAssertEqual(built.status, 0, built.stderr)
      XCTAssertTrue(built.stdout.contains("\"instruction_set\": \"\(expected)\""), "\(target): \(built.stdout)")
    }
    for bad in [["--iterations", "0"], ["--warmup", "-1"], ["--batch", "0"]] {
      XCTAssertEqual(try run(["bench", "graphs/mlp_iris.dl"] + bad).status, 2, "\(bad)")
    }
  }

  /// Which convolutions run by Winograd's method: 3×3, stride 1, 16+ channels and filters.
  func testThreeByThreeAndFiveByFiveConvolutionsLowerToWinograd() throws {
    /// The kernel each layer's first call runs, by layer name.
    func kernelCalls(_ model: String) throws -> [String: String] {
      let ir = try run("ir", model, "--kernels")
      XCTAssertEqual(ir.status, 0, ir.stderr)
      return ir.stdout.components(separatedBy: "\n%").reduce(into: [String: String]()) { calls, step in
        let lines = step.split(separator: "\n")
        guard let name = lines.first?.split(separator: " ").dropFirst().first, lines.count > 1 else { return }
        calls[String(name)] = lines[1].trimmingCharacters(in: .whitespaces).components(separatedBy: "(").first
      }
    }
    let resnet = try kernelCalls("graphs/resnet8_cifar.dl")
    // The stem has 3 channels, conv2d_3 and conv2d_6 stride 2, conv2d_5 is 1×1.
    for (name, kernel) in [
      ("conv2d", "dlc_conv2d"), ("conv2d_1", "dlc_conv2d_winograd"), ("conv2d_2", "dlc_conv2d_winograd"),
      ("conv2d_3", "dlc_conv2d"), ("conv2d_4", "dlc_conv2d_winograd"), ("conv2d_5", "dlc_conv2d"),
      ("conv2d_6", "dlc_conv2d"), ("conv2d_7", "dlc_conv2d_winograd"),
    ] {
      XCTAssertEqual(resnet[name], kernel, name)
    }
    // mnist_cnn: the first layer has one channel, the second is 5×5 from 32 channels to 16 filters;
    // lenet5's 5×5 convolutions have 6 filters, then 6 channels (too few to pay for transforms).
    let mnist = try kernelCalls("graphs/mnist_cnn.dl")
    XCTAssertEqual(mnist["conv2d"], "dlc_conv2d")
    XCTAssertEqual(mnist["conv2d_1"], "dlc_conv2d_winograd")
    let lenet = try kernelCalls("graphs/lenet5.dl")
    XCTAssertEqual(lenet.values.filter { $0.hasPrefix("dlc_conv2d") }.sorted(), ["dlc_conv2d", "dlc_conv2d"])
    // A shared layer's calls read one copy of the transformed kernel: 16·16·16 floats and the bias.
    let directory = try temporaryDirectory()
    try """
    model shared_conv functional
    input left: [8, 8, 16]
    input right: [8, 8, 16]
    conv = Conv2D(16, 3, padding="same")
    a = left -> conv()
    b = right -> conv()
    output (a, b) -> Add()

    """.write(toFile: directory + "/shared.dl", atomically: true, encoding: .utf8)
    let shared = try run("ir", directory + "/shared.dl", "--kernels")
    XCTAssertEqual(shared.status, 0, shared.stderr)
    XCTAssertEqual(shared.stdout.components(separatedBy: "dlc_conv2d_winograd(").count, 3, shared.stdout)
    XCTAssertTrue(shared.stdout.contains("\n# constants: 4112 floats\n"), shared.stdout)
  }

  func testIRPrintsTheArenaAndWithMemoryEveryBuffer() throws {
    let plain = try run("ir", "graphs/image_tabular.dl")
    XCTAssertEqual(plain.status, 0)
    XCTAssertTrue(
      plain.stdout.hasSuffix("# arena: planned 491,968 (naive 777,664, lower bound 491,968) bytes for one example\n"),
      plain.stdout)
    let memory = try run("ir", "graphs/image_tabular.dl", "--memory")
    XCTAssertEqual(memory.status, 0)
    XCTAssertTrue(memory.stdout.hasPrefix(plain.stdout), memory.stdout)
    // The two branches are computed straight into the concatenation's slices.
    XCTAssertTrue(
      memory.stdout.contains(
        "global_average_pooling2d (in concatenate at +0), dense (in concatenate at +128), concatenate\n"),
      memory.stdout)
  }

  func testInputErrorsExitWithOne() throws {
    let result = try run("check", "Tests/Golden/errors/shapes_conv_after_pooling.dl")
    XCTAssertEqual(result.status, 1)
    XCTAssertEqual(result.stdout, "")
    XCTAssertTrue(
      result.stderr.hasPrefix(
        "Tests/Golden/errors/shapes_conv_after_pooling.dl:9:6: error: Conv2D kernel 5×5 is larger than its input 2×2 "
          + "with padding=\"valid\"; input (None, 2, 2, 16)\n    9 |   -> Conv2D(16, 5, activation=\"relu\")\n"
          + "      |      ^~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~\nnote: use padding=\"same\" or a smaller kernel_size\n"),
      result.stderr)
    // Dense on a feature map is Keras' behaviour: a warning, and exit code 0.
    let warned = try run("check", "Tests/Golden/summary/dense_on_feature_map.dl")
    XCTAssertEqual(warned.status, 0, warned.stderr)
    XCTAssertTrue(warned.stderr.contains("warning: Dense acts on the last axis of (None, 5, 5, 16)"), warned.stderr)
    let missing = try run("summary", "no/such/model.dl")
    XCTAssertEqual(missing.status, 1)
    XCTAssertEqual(missing.stderr, "no/such/model.dl: error: no such file\n")
  }

  func testUsageErrorsExitWithTwo() throws {
    XCTAssertEqual(try run("summary", "--format", "yaml", "graphs/mlp_iris.dl").status, 2)
    XCTAssertEqual(try run("check").status, 2)
    XCTAssertEqual(try run("frobnicate").status, 2)
  }

  func testEverySubcommandHasHelp() throws {
    for command in ["check", "summary", "ir", "viz", "compile", "run", "bench", "verify", "init", "layers"] {
      let result = try run(command, "--help")
      XCTAssertEqual(result.status, 0)
      XCTAssertTrue(result.stdout.contains("USAGE: dlc \(command)"), result.stdout)
    }
  }

  func testWarningsDoNotFailTheCommand() throws {
    let result = try run("check", "Tests/Golden/summary/unused_layer.dl")
    XCTAssertEqual(result.status, 0)
    XCTAssertTrue(
      result.stderr.contains("warning: layer 'dense_1' (Dense) does not contribute to any output"), result.stderr)
  }

  func testInitThenRunWritesOutputsAndLayerDumps() throws {
    let directory = try temporaryDirectory()
    let weights = directory + "/w.safetensors"
    let initialized = try run("init", "graphs/mlp_iris.dl", "-o", weights, "--seed", "4")
    XCTAssertEqual(initialized.status, 0, initialized.stderr)
    XCTAssertEqual(initialized.stdout, "wrote \(weights): 6 tensors, 901 parameters (seed 4)\n")

    let inputs = "Tests/Fixtures/models/mlp_iris.inputs.npz"
    let output = directory + "/y.npy"
    let ran = try run(
      "run", "graphs/mlp_iris.dl", "--weights", weights, "--input", inputs, "--output", output, "--dump-layers",
      directory + "/layers")
    XCTAssertEqual(ran.status, 0, ran.stderr)
    XCTAssertEqual(ran.stderr, "")
    let result = try NumPy.readArray(path: output)
    XCTAssertEqual(result.shape, [2, 3])
    // Softmax rows sum to one.
    for row in 0..<2 { XCTAssertEqual(result.floats[(row * 3)..<(row * 3 + 3)].reduce(0, +), 1, accuracy: 1e-5) }
    let dumped = try FileManager.default.contentsOfDirectory(atPath: directory + "/layers").sorted()
    XCTAssertEqual(dumped, ["dense.npy", "dense_1.npy", "dense_2.npy"])
    XCTAssertEqual(try NumPy.readArray(path: directory + "/layers/dense_2.npy"), result)

    let printed = try run("run", "graphs/mlp_iris.dl", "--input", inputs)
    XCTAssertEqual(printed.status, 0)
    XCTAssertEqual(printed.stderr, "note: no --weights given; using Keras-default initialization (seed 0)\n")
    XCTAssertTrue(printed.stdout.hasPrefix("dense_2: (2, 3) float32\n  [0] "), printed.stdout)
  }

  /// `run` takes `--passes` like `compile`: by default removed layers (Dropout) have no dump of their
  /// own; `--passes none` dumps every layer as Keras has it, with the same outputs.
  func testRunChoosesThePasses() throws {
    let directory = try temporaryDirectory()
    let inputs = "Tests/Fixtures/models/cifar10_cnn.inputs.npz"
    var dumps: [[String]] = []
    var outputs: [Tensor] = []
    for passes in ["all", "none"] {
      let folder = directory + "/" + passes
      let ran = try run(
        "run", "graphs/cifar10_cnn.dl", "--input", inputs, "--passes", passes, "--output", folder + ".npy",
        "--dump-layers", folder)
      XCTAssertEqual(ran.status, 0, ran.stderr)
      dumps.append(try FileManager.default.contentsOfDirectory(atPath: folder).sorted())
      outputs.append(try NumPy.readArray(path: folder + ".npy"))
    }
    XCTAssertTrue(dumps[1].contains("dropout.npy"), "\(dumps[1])")
    XCTAssertFalse(dumps[0].contains("dropout.npy"), "the passes remove inference identities: \(dumps[0])")
    XCTAssertEqual(outputs[0].shape, outputs[1].shape)
    for (a, b) in zip(outputs[0].floats, outputs[1].floats) { XCTAssertEqual(a, b, accuracy: 1e-5) }
    XCTAssertEqual(try run("run", "graphs/cifar10_cnn.dl", "--input", inputs, "--passes", "fold-everything").status, 2)
  }

  func testRunInputErrorsExitWithOne() throws {
    let bad = try run("run", "graphs/mlp_iris.dl", "--input", "measurements=missing.npy")
    XCTAssertEqual(bad.status, 1)
    XCTAssertTrue(bad.stderr.hasSuffix("missing.npy: error: no such file\n"), bad.stderr)

    // Two outputs do not fit in one .npy; a .npz keys them by output name.
    let directory = try temporaryDirectory()
    let tokens = directory + "/tokens.npy"
    try NumPy.writeArray(Tensor(shape: [1, 12], elements: .int32(Array(0..<12))), path: tokens)
    let model = "Tests/Golden/summary/recurrent_states.dl"
    let npy = try run("run", model, "--input", tokens, "--output", directory + "/y.npy")
    XCTAssertEqual(npy.status, 1)
    XCTAssertTrue(
      npy.stderr.hasSuffix(
        "y.npy: error: the model has 2 outputs; write them to a .npz file\nnote: outputs: dense, lstm[1]\n"), npy.stderr
    )
    let npz = try run("run", model, "--input", tokens, "--output", directory + "/y.npz")
    XCTAssertEqual(npz.status, 0, npz.stderr)
    XCTAssertEqual(try NumPy.readArchive(path: directory + "/y.npz").map(\.name), ["dense", "lstm[1]"])
  }

  func testCompileBuildsEachKindAndVerifyPasses() throws {
    let directory = try temporaryDirectory()
    let sources = try run("compile", "graphs/mlp_iris.dl", "-o", directory, "--batch", "8")
    XCTAssertEqual(sources.status, 0, sources.stderr)
    XCTAssertTrue(sources.stdout.contains("wrote \(directory)/mlp_iris.h\n"), sources.stdout)
    XCTAssertTrue(sources.stdout.contains("arena: "), sources.stdout)
    let header = try String(contentsOfFile: directory + "/mlp_iris.h", encoding: .utf8)
    XCTAssertTrue(header.contains("#define MLP_IRIS_MAX_BATCH 8"))
    for (kind, product) in [
      ("object", "mlp_iris.o"), ("static", "libmlp_iris.a"), ("shared", "libmlp_iris.so"), ("exe", "mlp_iris"),
    ] {
      let built = try run("compile", "graphs/mlp_iris.dl", "-o", directory + "/" + kind, "--emit", kind)
      XCTAssertEqual(built.status, 0, built.stderr)
      XCTAssertTrue(
        FileManager.default.fileExists(atPath: directory + "/" + kind + "/" + product), "\(kind): \(built.stdout)")
      // The sources are compiled to objects in parallel; only the product is left beside them.
      let objects = Set(
        try FileManager.default.contentsOfDirectory(atPath: directory + "/" + kind).filter {
          $0.hasSuffix(".o")
        })
      XCTAssertEqual(objects, kind == "object" ? ["mlp_iris.o", "mlp_iris_weights.o"] : [], kind)
    }
    let external = try run("compile", "graphs/mlp_iris.dl", "-o", directory + "/external", "--weights-mode", "external")
    XCTAssertEqual(external.status, 0, external.stderr)
    XCTAssertTrue(FileManager.default.fileExists(atPath: directory + "/external/mlp_iris_weights.bin"))

    let verified = try run("verify", "graphs/mlp_iris.dl", "--input", "Tests/Fixtures/models/mlp_iris.inputs.npz")
    XCTAssertEqual(verified.status, 0, verified.stdout + verified.stderr)
    XCTAssertTrue(verified.stdout.contains("output dense_2"), verified.stdout)
    XCTAssertTrue(verified.stdout.hasSuffix("(tolerance 0.0001)\n"), verified.stdout)

    let badBatch = try run("compile", "graphs/mlp_iris.dl", "-o", directory, "--batch", "0")
    XCTAssertEqual(badBatch.status, 2)
    let badEmit = try run("compile", "graphs/mlp_iris.dl", "--emit", "wasm")
    XCTAssertEqual(badEmit.status, 2)
  }

  func testRunWithTheCBackendMatchesTheInterpreter() throws {
    let inputs = "Tests/Fixtures/models/mnist_cnn.inputs.npz"
    let interpreted = try run("run", "graphs/mnist_cnn.dl", "--input", inputs)
    let compiled = try run("run", "graphs/mnist_cnn.dl", "--input", inputs, "--backend", "c")
    XCTAssertEqual(compiled.status, 0, compiled.stderr)
    XCTAssertEqual(compiled.stdout.split(separator: "\n").first, interpreted.stdout.split(separator: "\n").first)
  }
}
