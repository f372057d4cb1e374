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
        .library(name: "NN", targets: ["NN"]),
        .library(name: "Models", targets: ["Models"]),
        .library(name: "Config", targets: ["Config"]),
        .library(name: "Structures", targets: ["Structures"]),
        .library(name: "Datasets", targets: ["Datasets"]),
        .library(name: "Evaluation", targets: ["Evaluation"]),
        .library(name: "Engine", targets: ["Engine"]),
        .library(name: "Distributed", targets: ["Distributed"]),
        .executable(name: "bench", targets: ["bench"]),
        .executable(name: "print-config", targets: ["print-config"]),
        .executable(name: "model-info", targets: ["model-info"]),
        .executable(name: "convert-checkpoint", targets: ["convert-checkpoint"]),
        .executable(name: "coco-eval", targets: ["coco-eval"]),
        .executable(name: "analyze-logs", targets: ["analyze-logs"]),
        .executable(name: "train", targets: ["train"]),
        .executable(name: "test", targets: ["test"]),
        .executable(name: "browse-dataset", targets: ["browse-dataset"]),
        .executable(name: "detect", targets: ["detect"]),
        .executable(name: "get-flops", targets: ["get-flops"]),
        .executable(name: "analyze-results", targets: ["analyze-results"]),
        .executable(name: "confusion-matrix", targets: ["confusion-matrix"]),
        .executable(name: "benchmark", targets: ["benchmark"]),
        .executable(name: "detect-video", targets: ["detect-video"]),
        .executable(name: "dist-check", targets: ["dist-check"]),
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
        .systemLibrary(
            name: "CZlib", path: "Sources/CZlib", pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(
            name: "CCrypto", path: "Sources/CCrypto", pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"])]),
        .systemLibrary(
            name: "CPNG", path: "Sources/CPNG", pkgConfig: "libpng",
            providers: [.apt(["libpng-dev"])]),
        .systemLibrary(
            name: "CEXIF", path: "Sources/CEXIF", pkgConfig: "libexif",
            providers: [.apt(["libexif-dev"])]),

        .systemLibrary(
            name: "CFFmpeg", path: "Sources/CFFmpeg", pkgConfig: "libavformat",
            providers: [.apt(["libavformat-dev", "libavcodec-dev", "libswscale-dev", "libavutil-dev"])]),

        // MARK: - Video files through FFmpeg, in C (its macros and structs stay out of Swift)
        .target(
            name: "CVideoCodecs", dependencies: ["CFFmpeg"], path: "Sources/CVideoCodecs",
            linkerSettings: [.linkedLibrary("avformat"), .linkedLibrary("avcodec"), .linkedLibrary("swscale"), .linkedLibrary("avutil")]),

        .systemLibrary(
            name: "CMPI", path: "Sources/CMPI", pkgConfig: "ompi-c",
            providers: [.apt(["libopenmpi-dev", "openmpi-bin"])]),

        // MARK: - Image codecs in C (libpng's longjmp errors stay in C; EXIF orientation)
        .target(name: "CImageCodecs", dependencies: ["CPNG", "CEXIF"], path: "Sources/CImageCodecs"),

        // MARK: - simdjson through a C view of its DOM (C++, Debian's libsimdjson-dev)
        .target(
            name: "CSimdJSON", path: "Sources/CSimdJSON",
            cxxSettings: [.define("SIMDJSON_THREADS_ENABLED", to: "1")],  // as simdjson.pc's Cflags
            linkerSettings: [.linkedLibrary("simdjson")]),

        // MARK: - BLAS set-up (C, runs before main: kernel choice and spin wait, see blas_setup.c)
        .target(name: "CBLASSetup", dependencies: ["COpenBLAS"], path: "Sources/CBLASSetup"),

        // MARK: - Libraries
        .target(name: "Kernels", dependencies: ["COpenBLAS", "CBLASSetup"], exclude: ["README.md"], swiftSettings: swiftSettings),
        .target(name: "Autograd", dependencies: ["Kernels", "CZlib"], exclude: ["README.md"], swiftSettings: swiftSettings),
        .target(name: "NN", dependencies: ["Autograd", "Kernels", "Config", "Structures"], exclude: ["README.md"], swiftSettings: swiftSettings),
        .target(name: "Config", dependencies: ["CJSONC", "CYAML"], exclude: ["README.md"], swiftSettings: swiftSettings),
        .target(name: "Structures", dependencies: ["CJSONC", "CSimdJSON", "CCrypto", "Kernels"], exclude: ["README.md"], swiftSettings: swiftSettings),
        .target(
            name: "Datasets",
            dependencies: ["Structures", "Config", "Autograd", "Kernels", "CTurboJPEG", "CImageCodecs", "CVideoCodecs"],
            exclude: ["README.md"], swiftSettings: swiftSettings),
        .target(name: "Evaluation", dependencies: ["Structures"], exclude: ["README.md"], swiftSettings: swiftSettings),
        .target(name: "Distributed", dependencies: ["CMPI"], exclude: ["README.md"], swiftSettings: swiftSettings),
        .target(name: "Models", dependencies: ["NN", "Autograd", "Kernels", "Config", "Structures"], exclude: ["README.md"], swiftSettings: swiftSettings),
        .target(
            name: "Engine",
            dependencies: ["Models", "NN", "Autograd", "Kernels", "Config", "Structures", "Datasets", "Evaluation", "Distributed", "CTurboJPEG", "CImageCodecs"],
            exclude: ["README.md"], swiftSettings: swiftSettings),

        // MARK: - Tools
        .executableTarget(
            name: "bench",
            dependencies: [
                "Kernels", "Autograd", "COpenBLAS", "Config", "Structures", "Datasets", "Evaluation", "NN", "Models", "Engine", "Distributed",
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
            name: "model-info",
            dependencies: [
                "Config", "Models", "NN",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "tools/model-info", swiftSettings: swiftSettings),
        .executableTarget(
            name: "convert-checkpoint",
            dependencies: ["Engine", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "tools/convert-checkpoint", swiftSettings: swiftSettings),
        .executableTarget(
            name: "coco-eval",
            dependencies: [
                "Structures", "Evaluation",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "tools/coco-eval", swiftSettings: swiftSettings),
        .executableTarget(
            name: "analyze-logs",
            dependencies: [
                "Engine",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "tools/analyze-logs", swiftSettings: swiftSettings),
        .executableTarget(
            name: "train",
            dependencies: ["Engine", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "tools/train", swiftSettings: swiftSettings),
        .executableTarget(
            name: "test",
            dependencies: ["Engine", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "tools/test", swiftSettings: swiftSettings),
        .executableTarget(
            name: "browse-dataset",
            dependencies: ["Engine", "Datasets", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "tools/browse-dataset", swiftSettings: swiftSettings),
        .executableTarget(
            name: "analyze-results",
            dependencies: ["Config", "Engine", "Evaluation", "Structures", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "tools/analyze-results", swiftSettings: swiftSettings),
        .executableTarget(
            name: "confusion-matrix",
            dependencies: ["Config", "Engine", "Structures", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "tools/confusion-matrix", swiftSettings: swiftSettings),
        .executableTarget(
            name: "benchmark",
            dependencies: ["Config", "Engine", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "tools/benchmark", swiftSettings: swiftSettings),
        .executableTarget(
            name: "detect-video",
            dependencies: ["Config", "Datasets", "Engine", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "tools/detect-video", swiftSettings: swiftSettings),
        .executableTarget(
            name: "dist-check", dependencies: ["Distributed", "Engine", "NN", "Autograd", "Kernels"], path: "tools/dist-check",
            swiftSettings: swiftSettings),
        .executableTarget(
            name: "get-flops",
            dependencies: ["Config", "Engine", "Models", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "tools/get-flops", swiftSettings: swiftSettings),
        .executableTarget(
            name: "detect",
            dependencies: [
                "Config", "Engine",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "tools/detect", swiftSettings: swiftSettings),

        // MARK: - Tests
        .target(name: "TestSupport", dependencies: ["Config"], path: "Tests/TestSupport"),
        .testTarget(name: "SystemLibrariesTests", dependencies: ["COpenBLAS", "CJPEG", "CJSONC", "CSimdJSON", "CYAML", "CZlib", "CCrypto"]),
        .testTarget(name: "KernelsTests", dependencies: ["Kernels", "TestSupport"]),
        .testTarget(name: "AutogradTests", dependencies: ["Autograd", "Kernels", "Config", "TestSupport"]),
        .testTarget(name: "NNTests", dependencies: ["NN", "Autograd", "Kernels", "Config", "TestSupport"]),
        .testTarget(name: "ModelsTests", dependencies: ["Models", "NN", "Autograd", "Kernels", "Config", "Structures", "Datasets", "TestSupport"]),
        .testTarget(name: "ConfigTests", dependencies: ["Config", "TestSupport"]),
        .testTarget(name: "StructuresTests", dependencies: ["Structures", "TestSupport"]),
        .testTarget(name: "DistributedTests", dependencies: ["Distributed", "Autograd", "TestSupport"]),
        .testTarget(name: "DatasetsTests", dependencies: ["Datasets", "Structures", "Config", "Autograd", "TestSupport"]),
        .testTarget(name: "EvaluationTests", dependencies: ["Evaluation", "Structures", "TestSupport"]),
        .testTarget(
            name: "EngineTests",
            dependencies: ["Engine", "Models", "NN", "Autograd", "Kernels", "Config", "Structures", "Datasets", "Evaluation", "Distributed", "TestSupport"]),
    ],
    swiftLanguageModes: [.v5],
    cxxLanguageStandard: .cxx17
)
