// swift-tools-version:6.2
import PackageDescription

let package = Package(
    name: "camindex",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "camindex", targets: ["camindex"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        // The HTTP API. Without swift-configuration: the server is configured by its command line.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: []),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", from: "2.5.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
    ],
    targets: [
        // FFmpeg's C libraries; the shim re-exports the macros Swift cannot import.
        .systemLibrary(
            name: "CFFmpeg",
            pkgConfig: "libavformat",
            providers: [.apt(["libavformat-dev", "libavcodec-dev", "libavutil-dev", "libswscale-dev"])]
        ),
        // libosip2's SIP parser (LGPL, Debian's libosip2-dev), for GB/T 28181.
        .systemLibrary(
            name: "COsip2",
            pkgConfig: "libosip2",
            providers: [.apt(["libosip2-dev"])]
        ),
        // Plain values: regions, camera IDs, instants, intervals, window merging, inventory.
        .target(
            name: "CamindexCore",
            dependencies: [.product(name: "Yams", package: "Yams"), .product(name: "Crypto", package: "swift-crypto"),
                           // scrypt, for user passwords.
                           .product(name: "_CryptoExtras", package: "swift-crypto")]
        ),
        // The only target that touches FFmpeg pointers.
        .target(
            name: "CamindexMedia",
            dependencies: [
                "CFFmpeg", "CamindexCore",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // SQLite through GRDB: schema, migrations, named operations.
        .target(
            name: "CamindexStore",
            dependencies: ["CamindexCore", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        // A province's shared index on PostgreSQL: its schema, publishing into it, reading from it.
        // The only target that imports PostgresNIO.
        .target(
            name: "CamindexProvince",
            dependencies: [
                "CamindexCore",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Recording directories → segment rows: which files to read, their wall-clock start.
        .target(
            name: "CamindexIndexer",
            dependencies: [
                "CamindexCore", "CamindexMedia", "CamindexStore",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The daemon's services: probe scheduling, recording indexing, heartbeat, publishing. A
        // front end like the CLI: it reaches the store, FFmpeg and the indexer only through
        // the service layer.
        .target(
            name: "CamindexDaemon",
            dependencies: [
                "CamindexCore", "CamindexService",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // Health checks and KPI reports: facts gathered from the store, evaluated as plain values.
        .target(
            name: "CamindexKPI",
            dependencies: ["CamindexCore"]
        ),
        // The one door: every use case (reads, registry writes, index and check, export, probe
        // and diagnose, publish, audit, the daemon's work) as a call that takes who asks and
        // records its audit; plain values in and out. Re-exports CamindexKPI, whose health and
        // report values are part of its answers.
        .target(
            name: "CamindexService",
            dependencies: [
                "CamindexCore", "CamindexStore", "CamindexIndexer", "CamindexKPI", "CamindexMedia", "CamindexProvince",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The web page's files (HTML, script, style, the vendored Leaflet with its licence),
        // compiled into the binary: a police network fetches nothing from outside, and an
        // installed camindex needs no directory of assets beside it.
        .target(
            name: "CamindexWeb",
            dependencies: ["CamindexCore"],
            resources: [.embedInCode("Assets")]
        ),
        // The HTTP API (/api/v1): routes that parse a request, make one service call for the
        // signed-in caller and render the service's JSON shapes; sessions, tokens, CSRF and
        // security headers. The only target that imports Hummingbird.
        .target(
            name: "CamindexHTTP",
            dependencies: [
                "CamindexCore", "CamindexService", "CamindexWeb",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HummingbirdAuth", package: "hummingbird-auth"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // GB/T 28181 over SIP (the daemon's --sip): messages parsed by libosip2, MANSCDP bodies,
        // digest authentication; registrations, keepalives and catalogs become service calls.
        // The only target that imports COsip2.
        .target(
            name: "CamindexGB",
            dependencies: [
                "COsip2", "CamindexCore", "CamindexService",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // The subcommands: argument parsing, one service call, rendering; the executable only
        // calls into it. It imports nothing below the service layer (Scripts/test builds with
        // --explicit-target-dependency-import-check error).
        .target(
            name: "CamindexCLI",
            dependencies: [
                "CamindexCore", "CamindexService", "CamindexDaemon", "CamindexHTTP", "CamindexGB",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(name: "camindex", dependencies: ["CamindexCLI"]),
        // Measurements behind BENCHMARKS.md, driven by Scripts/bench (not part of the tests).
        .executableTarget(
            name: "camindex-bench",
            dependencies: [
                "CamindexCore", "CamindexMedia", "CamindexStore", "CamindexDaemon", "CamindexKPI", "CamindexProvince", "CamindexService",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Test footage made with the ffmpeg CLI, temp dirs, running the built binary.
        .target(name: "CamindexTestSupport", dependencies: ["CamindexCore"], path: "Tests/Support"),
        .testTarget(name: "CamindexCoreTests", dependencies: ["CamindexCore"]),
        .testTarget(name: "CamindexMediaTests", dependencies: ["CamindexMedia", "CamindexCore", "CamindexTestSupport"]),
        .testTarget(name: "CamindexStoreTests", dependencies: ["CamindexStore", "CamindexCore", .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(name: "CamindexIndexerTests", dependencies: ["CamindexIndexer", "CamindexStore", "CamindexCore", "CamindexTestSupport"]),
        .testTarget(name: "CamindexDaemonTests", dependencies: ["CamindexDaemon", "CamindexService", "CamindexStore", "CamindexCore", "CamindexTestSupport"]),
        .testTarget(name: "CamindexKPITests", dependencies: ["CamindexKPI", "CamindexStore", "CamindexCore"]),
        .testTarget(name: "CamindexServiceTests", dependencies: ["CamindexService", "CamindexStore", "CamindexKPI", "CamindexCore"]),
        .testTarget(name: "CamindexProvinceTests", dependencies: ["camindex", "CamindexProvince", "CamindexService", "CamindexStore", "CamindexCore", "CamindexTestSupport"]),
        .testTarget(name: "CamindexCLITests", dependencies: ["camindex", "CamindexCore", "CamindexTestSupport", .product(name: "Crypto", package: "swift-crypto")]),
        .testTarget(name: "CamindexGBTests", dependencies: ["CamindexGB", "CamindexCore"]),
        .testTarget(name: "CamindexHTTPTests", dependencies: ["CamindexHTTP", "CamindexService", "CamindexCore"]),
    ]
)
