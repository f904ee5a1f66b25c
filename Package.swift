// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "gwsim",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "gwsim", targets: ["gwsim"]),
        .library(name: "GatewayAPI", targets: ["GatewayAPI"]),
        .library(name: "RoutingCore", targets: ["RoutingCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-nio-http2.git", from: "1.46.0"),
    ],
    targets: [
        // Resource model, YAML/JSON loading, API-server validation. No routing logic.
        .target(name: "GatewayAPI", dependencies: [.product(name: "Yams", package: "Yams")]),
        // The pure core: resources -> compiled routing table + status; request -> decision.
        // No I/O, no clock, no randomness.
        .target(name: "RoutingCore", dependencies: ["GatewayAPI", "CPrefetch"]),
        // One compiler intrinsic Swift lacks: a cache prefetch hint, for the routing core's batched lookups.
        .target(name: "CPrefetch"),
        // System libraries, through module maps: the event log is the only code that touches them.
        .systemLibrary(name: "CSQLite", path: "Sources/CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CZstd", path: "Sources/CZstd", pkgConfig: "libzstd", providers: [.apt(["libzstd-dev"])]),
        // Events (resource changes, requests), the SQLite log and zstd JSON Lines traces.
        .target(name: "EventLog", dependencies: ["GatewayAPI", "CSQLite", "CZstd"]),
        // Replay: events x routing core -> impact report (and its renderings).
        .target(name: "Replay", dependencies: ["GatewayAPI", "RoutingCore", "EventLog"]),
        // Scenario files and deterministic synthetic traffic (gwsim generate).
        .target(name: "Scenarios", dependencies: ["GatewayAPI", "EventLog", .product(name: "Yams", package: "Yams")]),
        // The live mode: the only code that touches sockets (SwiftNIO), calling the routing core.
        .target(name: "Proxy", dependencies: [
            "GatewayAPI", "RoutingCore", "EventLog", "Replay",
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "NIOHTTP2", package: "swift-nio-http2"),
            .product(name: "NIOTLS", package: "swift-nio"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            .product(name: "NIOWebSocket", package: "swift-nio"),
        ]),
        // Runs the upstream conformance suite (as data) against the routing core.
        .target(name: "Conformance", dependencies: ["GatewayAPI", "RoutingCore", .product(name: "Yams", package: "Yams")]),
        // The command line: thin wrappers around the libraries.
        .executableTarget(name: "gwsim", dependencies: [
            "GatewayAPI", "RoutingCore", "Conformance", "EventLog", "Replay", "Scenarios", "Proxy",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            // The live conformance run's clients (HTTPS, HTTP/2, TLS streams: LiveConformanceHTTP*, LiveStreamClient).
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "NIOHTTP2", package: "swift-nio-http2"),
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
        ]),
        .testTarget(name: "GatewayAPITests", dependencies: ["GatewayAPI"]),
        .testTarget(name: "RoutingCoreTests", dependencies: ["GatewayAPI", "RoutingCore"], exclude: ["Golden"]),
        .testTarget(name: "ConformanceTests", dependencies: ["Conformance"], exclude: ["expected-failures.txt"]),
        .testTarget(name: "EventLogTests", dependencies: ["EventLog"]),
        .testTarget(name: "ReplayTests", dependencies: ["Replay", "Scenarios", "EventLog", "GatewayAPI", "RoutingCore"],
                    exclude: ["RenderGolden"]),
        .testTarget(name: "ProxyTests", dependencies: ["Proxy", "GatewayAPI", "RoutingCore", "EventLog", "Replay", "Scenarios",
                                                       .product(name: "NIOSSL", package: "swift-nio-ssl"),
                                                       .product(name: "NIOHTTP2", package: "swift-nio-http2"),
                                                       .product(name: "NIOCore", package: "swift-nio"),
                                                       .product(name: "NIOPosix", package: "swift-nio"),
                                                       .product(name: "NIOHTTP1", package: "swift-nio"),
                                                       .product(name: "NIOEmbedded", package: "swift-nio")]),
        .testTarget(name: "ScenariosTests", dependencies: ["Scenarios", "EventLog", "GatewayAPI", "RoutingCore"]),
    ]
)
