// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "nn",
    products: [
        .executable(name: "nn", targets: ["nn"]),
        .library(name: "NNCore", targets: ["NNCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    ],
    targets: [
        // zlib, imported only by Sources/NNCore/Data/Gzip.swift.
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"]), .brew(["zlib"])]
        ),
        // CBLAS (OpenBLAS on Linux), imported only by Sources/NNCore/Math/BLAS.swift.
        // On macOS BLAS.swift uses Accelerate instead and this target is unused.
        .systemLibrary(
            name: "CBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]
        ),
        .target(
            name: "NNCore",
            dependencies: [
                "CZlib",
                .target(name: "CBLAS", condition: .when(platforms: [.linux])),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            // NNCore is optimised in debug builds too: the tests train real networks, and the
            // SIMD kernels (Math/SparseInput.swift) are orders of magnitude slower unoptimised.
            // Release uses SwiftPM's default -O (not -Ounchecked): overflow checks and
            // preconditions stay in the shipped binary, at no measurable cost (same bytes
            // out, same epoch time; see the README).
            swiftSettings: [
                .unsafeFlags(["-O"], .when(configuration: .debug)),
            ]
        ),
        .executableTarget(
            name: "nn",
            dependencies: [
                "NNCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "NNCoreTests", dependencies: ["NNCore"]),
        .testTarget(name: "nnTests", dependencies: ["NNCore", "nn"]),
    ],
    swiftLanguageModes: [.v5]
)
