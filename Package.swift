// swift-tools-version:5.9
// dlc — a deep-learning model compiler. Stages flow one way:
// support → frontend → IR → layers → elaboration → summary/backends → driver → CLI.
import PackageDescription

let package = Package(
  name: "dlc",
  platforms: [.macOS(.v13)],
  products: [
    .executable(name: "dlc", targets: ["dlc"]),
    .library(name: "DLCDriver", targets: ["DLCDriver"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0")
  ],
  targets: [
    .target(name: "DLCSupport"),
    .target(name: "DLCFrontend", dependencies: ["DLCSupport"]),
    .target(name: "DLCIR", dependencies: ["DLCSupport"]),
    .target(name: "DLCLayers", dependencies: ["DLCIR", "DLCSupport"]),
    .target(name: "DLCElaboration", dependencies: ["DLCFrontend", "DLCIR", "DLCLayers", "DLCSupport"]),
    .target(name: "DLCSummary", dependencies: ["DLCIR", "DLCLayers"]),
    .target(name: "DLCDriver", dependencies: ["DLCSupport", "DLCFrontend", "DLCIR", "DLCLayers", "DLCElaboration", "DLCSummary"]),
    .executableTarget(
      name: "dlc",
      dependencies: ["DLCDriver", "DLCLayers", "DLCSupport", .product(name: "ArgumentParser", package: "swift-argument-parser")]),
    .testTarget(name: "DLCFrontendTests", dependencies: ["DLCFrontend", "DLCSupport"]),
    .testTarget(name: "DLCLayersTests", dependencies: ["DLCDriver", "DLCLayers", "DLCIR"]),
    .testTarget(name: "DLCGoldenTests", dependencies: ["DLCDriver", "DLCLayers"]),
    .testTarget(name: "DLCCLITests", dependencies: ["dlc"]),
  ]
)
