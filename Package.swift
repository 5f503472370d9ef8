// swift-tools-version:5.9
// dlc — a deep-learning model compiler. Stages flow one way:
// support → frontend → IR → layers → elaboration → passes → planning → summary/weights/backends → driver → CLI.
// The backends depend on the plan, not on the passes.
import PackageDescription

let package = Package(
  name: "dlc",
  platforms: [.macOS(.v13)],
  products: [
    .executable(name: "dlc", targets: ["dlc"]),
    .library(name: "DLCDriver", targets: ["DLCDriver"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.19"),
  ],
  targets: [
    .target(name: "DLCSupport"),
    .target(name: "DLCFrontend", dependencies: ["DLCSupport"]),
    .target(name: "DLCIR", dependencies: ["DLCSupport"]),
    .target(name: "DLCLayers", dependencies: ["DLCIR", "DLCSupport"]),
    .target(name: "DLCElaboration", dependencies: ["DLCFrontend", "DLCIR", "DLCLayers", "DLCSupport"]),
    // Trained Keras models (.keras, .h5) as .dl source and weights.
    .target(name: "DLCImport", dependencies: ["DLCData", "DLCIR", "DLCLayers", "DLCSupport"]),
    .target(name: "DLCSummary", dependencies: ["DLCIR", "DLCLayers", "DLCSupport"]),
    // Passes over the IR (and weights) and the pass manager.
    .target(name: "DLCPasses", dependencies: ["DLCIR", "DLCLayers", "DLCData", "DLCSupport", "CDLCRuntime"]),
    // The memory plan both backends use (one arena, offsets by liveness) and its independent checker.
    .target(name: "DLCPlanning", dependencies: ["DLCIR", "DLCLayers", "DLCSupport"]),
    // Tensors and the files they travel in: safetensors, .npy, .npz, and the HDF5 inside Keras archives.
    .systemLibrary(name: "CHDF5", path: "Sources/CHDF5", pkgConfig: "hdf5", providers: [.apt(["libhdf5-dev"])]),
    .target(
      name: "DLCData",
      dependencies: ["DLCSupport", "CHDF5", .product(name: "ZIPFoundation", package: "ZIPFoundation")]),
    // Weights for a graph: binding a safetensors file to its parameters, Keras-default initialization.
    .target(name: "DLCWeights", dependencies: ["DLCIR", "DLCData", "DLCSupport"]),
    .systemLibrary(name: "CBLAS", path: "Sources/CBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
    // The C runtime (codegen/runtime/dlc_runtime.h) compiled into dlc for the interpreter, its
    // matrix products through OpenBLAS (the generated code's --blas openblas).
    // The runtime for the interpreter, its heavy kernels also built per instruction set (always
    // optimized: a debug build's interpreter would otherwise be 5–10× slower than a release one).
    .target(
      name: "CDLCRuntime", dependencies: ["CBLAS"], cSettings: [.unsafeFlags(["-O3"])],
      linkerSettings: [.linkedLibrary("m")]),
    // Runs lowered kernel calls in-process through the C runtime.
    .target(
      name: "DLCInterpreter",
      dependencies: ["DLCIR", "DLCLayers", "DLCData", "DLCPlanning", "DLCSupport", "CDLCRuntime"],
      swiftSettings: [.unsafeFlags(["-Xcc", "-O3"])]),
    // C generation; the runtime's C source is codegen/runtime/dlc_runtime.h (linked into Resources).
    .target(
      name: "DLCCodegen", dependencies: ["DLCIR", "DLCLayers", "DLCData", "DLCPlanning", "DLCSupport"],
      resources: [.embedInCode("Resources/dlc_runtime.h")]),
    .systemLibrary(
      name: "CGraphviz", path: "Sources/CGraphviz", pkgConfig: "libgvc", providers: [.apt(["libgraphviz-dev"])]),
    // Pictures: the graph and the memory plan as DOT, rendered in-process by libgvc.
    .target(name: "DLCViz", dependencies: ["DLCIR", "DLCPlanning", "DLCSummary", "DLCSupport", "CGraphviz"]),
    .target(
      name: "DLCDriver",
      dependencies: [
        "DLCSupport", "DLCFrontend", "DLCIR", "DLCLayers", "DLCElaboration", "DLCSummary", "DLCData", "DLCWeights",
        "DLCInterpreter", "DLCCodegen", "DLCPasses", "DLCPlanning", "DLCImport",
      ]),
    .executableTarget(
      name: "dlc",
      dependencies: [
        "DLCDriver", "DLCData", "DLCIR", "DLCLayers", "DLCSupport", "DLCSummary", "DLCWeights", "DLCCodegen", "DLCViz",
        "DLCPasses", "DLCPlanning", .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]),
    // libFuzzer targets for every reader of a user's bytes (scripts/fuzz.sh); a file replayer otherwise.
    .executableTarget(
      name: "dlc-fuzz",
      dependencies: [
        "DLCDriver", "DLCCodegen", "DLCData", "DLCIR", "DLCImport", "DLCPasses", "DLCPlanning", "DLCSummary",
        "DLCSupport",
      ]),
    // Shared by the test targets: layer cases and fixture files.
    .target(
      name: "DLCTestSupport", dependencies: ["DLCData", "DLCDriver", "DLCIR", "DLCSupport", "DLCWeights"],
      path: "Tests/DLCTestSupport"),
    .testTarget(name: "DLCFrontendTests", dependencies: ["DLCFrontend", "DLCSupport"]),
    .testTarget(
      name: "DLCLayersTests", dependencies: ["DLCDriver", "DLCLayers", "DLCIR", "DLCSupport", "DLCTestSupport"]),
    .testTarget(
      name: "DLCGoldenTests",
      dependencies: [
        "DLCDriver", "DLCLayers", "DLCCodegen", "DLCIR", "DLCData", "DLCViz", "DLCPasses", "DLCPlanning", "DLCSummary",
        "DLCSupport", "DLCImport", .product(name: "ZIPFoundation", package: "ZIPFoundation"),
      ]),
    .testTarget(name: "DLCCLITests", dependencies: ["dlc", "dlc-fuzz", "DLCData", "DLCTestSupport"]),
    .testTarget(
      name: "DLCDataTests",
      dependencies: ["DLCData", "DLCSupport", .product(name: "ZIPFoundation", package: "ZIPFoundation")]),
    .testTarget(
      name: "DLCCodegenTests",
      dependencies: [
        "DLCDriver", "DLCCodegen", "DLCPasses", "DLCPlanning", "DLCWeights", "DLCData", "DLCIR", "DLCSupport",
        "DLCTestSupport",
      ]),
    .testTarget(
      name: "DLCInterpreterTests",
      dependencies: [
        "DLCDriver", "DLCInterpreter", "DLCWeights", "DLCData", "DLCIR", "DLCLayers", "DLCSupport", "DLCTestSupport",
        "DLCPasses", "DLCPlanning",
      ]),
  ]
)
