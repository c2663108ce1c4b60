// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Flint",
    products: [
        .library(name: "Flint", targets: ["Flint"]),
        .library(name: "FlintNN", targets: ["FlintNN"]),
        .executable(name: "flint", targets: ["flint"]),
        .executable(name: "flint-bench", targets: ["flint-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-numerics", from: "1.1.1"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        .target(name: "CFlintSupport"),
        .target(name: "CFlintKernels"),
        .target(
            name: "Flint",
            dependencies: [
                "CFlintSupport",
                "CFlintKernels",
                .product(name: "RealModule", package: "swift-numerics"),
            ]
        ),
        .target(
            name: "FlintNN",
            dependencies: ["Flint"],
            resources: [.copy("Resources/digits.csv")]
        ),
        .executableTarget(
            name: "flint",
            dependencies: [
                "Flint",
                "FlintNN",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(name: "flint-bench", dependencies: ["Flint", "FlintNN"]),
        .testTarget(
            name: "FlintTests",
            dependencies: ["Flint"],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(
            name: "FlintNNTests",
            dependencies: ["FlintNN"],
            resources: [.copy("Fixtures")]
        ),
    ]
)
