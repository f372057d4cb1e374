// swift-tools-version:6.0
// SwiftDet: object detection and instance segmentation in Swift, in the manner of mmdetection.
// Layout and dependency direction: README.md and each module's README.md.
import PackageDescription

// Hot loops get their speed from unsafe buffers and BLAS, not from compiler flags: checks that
// guard shapes (precondition, fatalError) stay on in release builds.
let swiftSettings: [SwiftSetting] = []

let package = Package(
    name: "SwiftDet",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "Kernels", targets: ["Kernels"]),
        .library(name: "Autograd", targets: ["Autograd"]),
        .library(name: "Config", targets: ["Config"]),
        .library(name: "Structures", targets: ["Structures"]),
        .library(name: "Datasets", targets: ["Datasets"]),
        .library(name: "Evaluation", targets: ["Evaluation"]),
        .executable(name: "bench", targets: ["bench"]),
        .executable(name: "print-config", targets: ["print-config"]),
        .executable(name: "coco-eval", targets: ["coco-eval"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // MARK: - System libraries (module map + shim header, pkg-config, apt provider)
        .systemLibrary(
            name: "COpenBLAS", path: "Sources/COpenBLAS", pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(
            name: "CJPEG", path: "Sources/CJPEG", pkgConfig: "libjpeg",
            providers: [.apt(["libjpeg-dev"])]),
        .systemLibrary(
            name: "CTurboJPEG", path: "Sources/CTurboJPEG", pkgConfig: "libturbojpeg",
            providers: [.apt(["libturbojpeg0-dev"])]),
        .systemLibrary(
            name: "CJSONC", path: "Sources/CJSONC", pkgConfig: "json-c",
            providers: [.apt(["libjson-c-dev"])]),
        .systemLibrary(
            name: "CYAML", path: "Sources/CYAML", pkgConfig: "yaml-0.1",
            providers: [.apt(["libyaml-dev"])]),

        // MARK: - Libraries
        .target(name: "Kernels", dependencies: ["COpenBLAS"], swiftSettings: swiftSettings),
        .target(name: "Autograd", dependencies: ["Kernels"], swiftSettings: swiftSettings),
        .target(name: "Config", dependencies: ["CJSONC", "CYAML"], swiftSettings: swiftSettings),
        .target(name: "Structures", dependencies: ["CJSONC"], swiftSettings: swiftSettings),
        .target(
            name: "Datasets",
            dependencies: ["Structures", "Config", "Autograd", "Kernels", "CTurboJPEG"],
            swiftSettings: swiftSettings),
        .target(name: "Evaluation", dependencies: ["Structures"], swiftSettings: swiftSettings),

        // MARK: - Tools
        .executableTarget(
            name: "bench",
            dependencies: [
                "Kernels", "Autograd", "COpenBLAS", "Config", "Structures", "Datasets", "Evaluation",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "tools/bench", swiftSettings: swiftSettings),
        .executableTarget(
            name: "print-config",
            dependencies: [
                "Config",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "tools/print-config", swiftSettings: swiftSettings),
        .executableTarget(
            name: "coco-eval",
            dependencies: [
                "Structures", "Evaluation",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "tools/coco-eval", swiftSettings: swiftSettings),

        // MARK: - Tests
        .testTarget(name: "SystemLibrariesTests", dependencies: ["COpenBLAS", "CJPEG", "CJSONC", "CYAML"]),
        .testTarget(name: "KernelsTests", dependencies: ["Kernels"]),
        .testTarget(name: "AutogradTests", dependencies: ["Autograd", "Kernels"]),
        .testTarget(name: "ConfigTests", dependencies: ["Config"]),
        .testTarget(name: "StructuresTests", dependencies: ["Structures"]),
        .testTarget(name: "DatasetsTests", dependencies: ["Datasets", "Structures", "Config", "Autograd"]),
        .testTarget(name: "EvaluationTests", dependencies: ["Evaluation", "Structures"]),
    ],
    swiftLanguageModes: [.v5]
)
