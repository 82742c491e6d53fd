// swift-tools-version:6.0
import PackageDescription

// Every built-in command is also an executable of its own, `nn-<command>`
// (Sources/nn-<command>/main.swift, one line over NNCommands' BuiltInCommand).
let commandExecutables = ["fetch", "prepare", "train", "eval", "predict", "export", "diff", "report", "sweep", "runs", "mlflow"].map { "nn-" + $0 }

// The layers, each a module that can import only the ones below it:
//
//   nn, nn-<command>   executables: one line each
//   NNCommands         argument parsing, terminal output, exit statuses
//   NNReports          `nn report`'s entry, result tables, diffs, seed diffs, MLflow push
//   NNRunIndex         the index of run directories (`nn runs`)
//   NNSweeps           grid, random search, halving, plan, submit, summary.csv, status
//   NNRuns             experiment keys and configs, datasets, fetch, prepare, run directory,
//                      train/eval/predict/export, one-run report, charts
//   NNKernel | NNFormats  side by side, neither imports the other: matrices, BLAS, layers,
//                      losses, optimisers, network, trainer, MT19937 (no file system, no
//                      Foundation) | gzip, IDX, PNG/PGM, npz, safetensors, CSV, JSON text,
//                      atomic files, checksums
//   NNBase             NNError, NumberText, MemoryBudget (no Foundation)
//
// See ARCHITECTURE.md.
let package = Package(
    name: "nn",
    products: [
        .executable(name: "nn", targets: ["nn"]),
    ] + commandExecutables.map { .executable(name: $0, targets: [$0]) },
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    ],
    targets: [
        // zlib, imported only by Sources/NNFormats/Files/Gzip.swift (and, for fixtures,
        // Tests/TestSupport/GzipWriter.swift).
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"]), .brew(["zlib"])]
        ),
        // CBLAS (OpenBLAS on Linux), imported only by Sources/NNKernel/Math/BLAS.swift.
        // On macOS BLAS.swift uses Accelerate instead and this target is unused.
        .systemLibrary(
            name: "CBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]
        ),
        // libpng, imported only by Sources/NNFormats/Files/PNG.swift (`nn predict` on PNG
        // images; and, for fixtures, Tests/TestSupport/ImageWriter.swift).
        .systemLibrary(
            name: "CPNG",
            pkgConfig: "libpng",
            providers: [.apt(["libpng-dev"]), .brew(["libpng"])]
        ),
        // The kernels compiled per instruction set (portable, AVX2) and chosen at run time,
        // imported only by Sources/NNKernel/Math/Kernels.swift.
        .target(name: "CKernels"),
        // What every layer shares: the user-facing error, number text, size checks. No
        // Foundation; its one door to the C library is PhysicalMemory.swift.
        .target(name: "NNBase"),
        .target(
            name: "NNKernel",
            dependencies: ["NNBase", "CKernels", .target(name: "CBLAS", condition: .when(platforms: [.linux]))]
            // No unsafeFlags: the kernel used to be built with -O in debug too, for test
            // speed, but the whole suite measured (2 cores, 2026-11-30, `swift test
            // --skip-build`) 132 s wall / 84 s user with it and 142 s / 88 s without: the
            // products run in OpenBLAS and the C kernels, which do not depend on it. Release
            // uses SwiftPM's default -O (not -Ounchecked).
        ),
        .target(
            name: "NNFormats",
            dependencies: ["NNBase", "CZlib", "CPNG", .product(name: "Crypto", package: "swift-crypto")]
        ),
        // The application, cut in four modules stacked one way (see ARCHITECTURE.md):
        // runs (keys, data, one run) <- sweeps <- reports and diffs, the run index.
        .target(name: "NNRuns", dependencies: ["NNKernel", "NNFormats", "NNBase"]),
        .target(name: "NNSweeps", dependencies: ["NNRuns", "NNKernel", "NNFormats", "NNBase"]),
        .target(name: "NNReports", dependencies: ["NNRunIndex", "NNSweeps", "NNRuns", "NNKernel", "NNFormats", "NNBase"]),
        .target(name: "NNRunIndex", dependencies: ["NNSweeps", "NNRuns", "NNKernel", "NNFormats", "NNBase"]),
        .target(
            name: "NNCommands",
            dependencies: [
                "NNRunIndex", "NNReports", "NNSweeps", "NNRuns", "NNFormats", "NNKernel", "NNBase",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(name: "nn", dependencies: ["NNCommands"]),
    ] + commandExecutables.map { .executableTarget(name: $0, dependencies: ["NNCommands"]) } + [
        // Test-only code the test targets share: a naive GEMM to check BLAS against, gzip,
        // PNG and PGM writers for fixtures, the keys that have a flag.
        .target(name: "TestSupport", dependencies: ["NNRuns", "NNKernel", "NNBase", "CZlib", "CPNG"], path: "Tests/TestSupport"),
        .testTarget(
            name: "LibraryTests",
            dependencies: ["NNBase", "NNKernel", "NNFormats", "NNRuns", "NNSweeps", "NNReports", "NNRunIndex", "TestSupport"]
        ),
        .testTarget(
            name: "CommandTests",
            dependencies: ["NNCommands", "NNRunIndex", "NNReports", "NNSweeps", "NNRuns", "NNFormats", "NNKernel", "NNBase", "TestSupport", "nn"]
                + commandExecutables.map { .target(name: $0) }
        ),
    ],
    swiftLanguageModes: [.v6]
)
