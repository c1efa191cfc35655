// swift-tools-version:6.1
import PackageDescription

/// Paygent: AI agents that pay and trade on Cronos over x402.
/// Dependencies point one way: Wire ← Transport ← Runtime ← services ← executables.
let package = Package(
    name: "paygent",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "paygent", targets: ["paygent"]),
        .executable(name: "paygent-orchestrator", targets: ["paygent-orchestrator"]),
        .executable(name: "paygent-payments", targets: ["paygent-payments"]),
        .executable(name: "paygent-registry", targets: ["paygent-registry"]),
        .executable(name: "paygent-vvs", targets: ["paygent-vvs"]),
        .executable(name: "paygent-moonlander", targets: ["paygent-moonlander"]),
        .executable(name: "paygent-bench", targets: ["paygent-bench"]),
        .executable(name: "paygent-market", targets: ["paygent-market"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/attaswift/BigInt", from: "6.0.1"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/pointfreeco/swift-clocks", from: "1.1.1"),
    ],
    targets: [
        .systemLibrary(
            name: "CZeroMQ",
            pkgConfig: "libzmq",
            providers: [.apt(["libzmq3-dev"])]
        ),
        .systemLibrary(
            name: "CSecp256k1",
            pkgConfig: "libsecp256k1",
            providers: [.apt(["libsecp256k1-dev"])]
        ),
        .target(name: "PaygentCrypto", dependencies: ["CSecp256k1", .product(name: "BigInt", package: "BigInt")]),
        // Keystores need scrypt/PBKDF2 and AES-CTR: swift-crypto (BoringSSL) rather than hand-written
        // ciphers. Its own target, so only wallet code pays for building BoringSSL.
        .target(
            name: "PaygentKeystore",
            dependencies: [
                "PaygentCrypto",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ]
        ),

        .target(
            name: "PaygentWire",
            // The codec's buffers are class members touched on every field; the runtime
            // exclusivity checks on them cost about a sixth of the codec's time in release builds.
            // Debug builds (and so the tests) keep the checks.
            swiftSettings: [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]
        ),
        // x402 over HTTP: the client (async-http-client) and the server side (a hummingbird
        // middleware and the facilitator's HTTP API), kept apart from the pure x402 library.
        .target(
            name: "PaygentX402HTTP",
            dependencies: [
                "PaygentX402", "PaygentCrypto",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "BigInt", package: "BigInt"),
            ]
        ),
        .target(
            name: "PaygentTransport",
            dependencies: ["PaygentWire", "CZeroMQ", .product(name: "Logging", package: "swift-log")]
        ),
        .target(
            name: "PaygentX402",
            dependencies: ["PaygentCrypto", "PaygentWire", .product(name: "BigInt", package: "BigInt")]
        ),
        // Token amounts in base units: the one money type every service's messages share.
        .target(name: "PaygentMoney", dependencies: ["PaygentWire", .product(name: "BigInt", package: "BigInt")]),
        // The runtime knows service names and the messages every service shares, nothing of any
        // one service: a service's messages live in its own API target, above the runtime.
        .target(
            name: "PaygentRuntime",
            dependencies: ["PaygentWire", "PaygentTransport", .product(name: "Logging", package: "swift-log")]
        ),
        .target(name: "PaygentPaymentsAPI", dependencies: ["PaygentWire", "PaygentMoney", "PaygentX402", "PaygentRuntime"]),
        // The service template's shared pieces: handler groups, one set of input validators.
        .target(
            name: "PaygentServiceKit",
            dependencies: ["PaygentTransport", "PaygentWire", "PaygentCrypto", "PaygentMoney"]),

        // How every service opens its SQLite database (WAL, busy timeout, migrations never edited).
        .target(name: "PaygentStorage", dependencies: [.product(name: "GRDB", package: "GRDB.swift")]),
        .target(
            name: "PaygentLedger",
            dependencies: [
                "PaygentCrypto", "PaygentStorage", "PaygentWire", .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "BigInt", package: "BigInt"),
            ]
        ),
        .target(
            name: "PaygentPayments",
            dependencies: [
                "PaygentRuntime", "PaygentPaymentsAPI", "PaygentLedger", "PaygentCrypto", "PaygentKeystore", "PaygentX402",
                "PaygentX402HTTP", "PaygentMoney", "PaygentTransport", "PaygentWire", "PaygentStorage", "PaygentServiceKit",
                "PaygentRegistryAPI",
                .product(name: "Hummingbird", package: "hummingbird"), .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "BigInt", package: "BigInt"), .product(name: "Logging", package: "swift-log"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        // The payments service as tests start it: beside payments, so the test kit knows no service.
        .target(
            name: "PaygentPaymentsTesting",
            dependencies: ["PaygentTestSupport", "PaygentPaymentsAPI", "PaygentRuntime", "PaygentTransport", "PaygentWire"]),
        .target(name: "PaygentPaymentsClient", dependencies: ["PaygentPaymentsAPI", "PaygentTransport", "PaygentWire", "PaygentX402"]),
        .target(name: "PaygentRegistryAPI", dependencies: ["PaygentWire", "PaygentMoney"]),
        .target(
            name: "PaygentRegistry",
            dependencies: [
                "PaygentRegistryAPI", "PaygentPaymentsAPI", "PaygentRuntime", "PaygentTransport", "PaygentWire", "PaygentMoney",
                "PaygentServiceKit", "PaygentStorage", "PaygentX402", "PaygentX402HTTP", "PaygentCrypto",
                .product(name: "GRDB", package: "GRDB.swift"), .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]),
        // A service's own ledger accounts (VVS's pools, Moonlander's vault): keys derived from one
        // keystore, the ledger's tokens, and the signatures those accounts put in a batch.
        .target(
            name: "PaygentLedgerAccounts",
            dependencies: [
                "PaygentPaymentsAPI", "PaygentCrypto", "PaygentKeystore", "PaygentRuntime", "PaygentWire", "PaygentMoney",
                "PaygentServiceKit", "PaygentTransport", .product(name: "BigInt", package: "BigInt"),
            ]),
        .target(name: "PaygentVVSAPI", dependencies: ["PaygentWire", "PaygentMoney", "PaygentRuntime"]),
        .target(
            name: "PaygentVVS",
            dependencies: [
                "PaygentVVSAPI", "PaygentRuntime", "PaygentTransport", "PaygentWire", "PaygentMoney", "PaygentPaymentsAPI", "PaygentStorage",
                "PaygentLedgerAccounts", "PaygentCrypto", "PaygentServiceKit", .product(name: "Logging", package: "swift-log"),
                .product(name: "BigInt", package: "BigInt"), .product(name: "GRDB", package: "GRDB.swift"),
            ]),
        .target(name: "PaygentMoonlanderAPI", dependencies: ["PaygentWire", "PaygentMoney", "PaygentRuntime"]),
        .target(
            name: "PaygentMoonlander",
            dependencies: [
                "PaygentMoonlanderAPI", "PaygentRuntime", "PaygentTransport", "PaygentWire", "PaygentMoney", "PaygentPaymentsAPI", "PaygentStorage",
                "PaygentLedgerAccounts", "PaygentCrypto", "PaygentServiceKit", .product(name: "Logging", package: "swift-log"),
                .product(name: "BigInt", package: "BigInt"), .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "GRDB", package: "GRDB.swift"),
            ]),
        .target(name: "PaygentOrchestratorAPI", dependencies: ["PaygentWire", "PaygentMoney"]),
        // Command understanding: the built-in grammar and the planner, needing no service, so that
        // `paygent run --dry-run` works with nothing running.
        .target(name: "PaygentCommands", dependencies: ["PaygentOrchestratorAPI"]),
        .target(
            name: "PaygentOrchestrator",
            dependencies: [
                "PaygentOrchestratorAPI", "PaygentCommands", "PaygentRuntime", "PaygentTransport", "PaygentWire", "PaygentMoney", "PaygentServiceKit",
                "PaygentStorage", "PaygentPaymentsAPI", "PaygentRegistryAPI", "PaygentVVSAPI", "PaygentMoonlanderAPI",
                .product(name: "Logging", package: "swift-log"), .product(name: "GRDB", package: "GRDB.swift"), .product(name: "BigInt", package: "BigInt"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"), .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]),

        .target(
            name: "PaygentCLI",
            dependencies: [
                "PaygentRuntime", "PaygentTransport", "PaygentPaymentsAPI", "PaygentRegistryAPI", "PaygentVVSAPI", "PaygentMoonlanderAPI", "PaygentWire", "PaygentMoney",
                "PaygentCrypto", "PaygentKeystore", "PaygentX402", "PaygentOrchestratorAPI", "PaygentCommands", "PaygentServiceKit",
                .product(name: "BigInt", package: "BigInt"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .target(
            name: "PaygentBench",
            dependencies: [
                "PaygentWire", "PaygentCrypto", "PaygentX402", "CSecp256k1", "PaygentLedger", "PaygentPayments",
                "PaygentMarket", "PaygentPaymentsClient", "PaygentX402HTTP", "PaygentRegistry", "PaygentRegistryAPI", "PaygentMoney",
                "PaygentVVS", "PaygentVVSAPI", "PaygentMoonlander", "PaygentMoonlanderAPI", "PaygentPaymentsAPI", "PaygentOrchestrator", "PaygentOrchestratorAPI",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "BigInt", package: "BigInt"), "PaygentTransport", "PaygentRuntime",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "PaygentTestSupport",
            dependencies: ["PaygentWire", "PaygentTransport", "PaygentRuntime", .product(name: "Clocks", package: "swift-clocks")]
        ),

        .executableTarget(name: "paygent", dependencies: ["PaygentCLI"]),
        .executableTarget(name: "paygent-orchestrator", dependencies: ["PaygentOrchestrator", "PaygentRuntime"]),
        .executableTarget(name: "paygent-payments", dependencies: ["PaygentPayments", "PaygentRuntime"]),
        .executableTarget(name: "paygent-registry", dependencies: ["PaygentRegistry", "PaygentRuntime"]),
        .executableTarget(name: "paygent-vvs", dependencies: ["PaygentVVS", "PaygentRuntime"]),
        .executableTarget(name: "paygent-moonlander", dependencies: ["PaygentMoonlander", "PaygentRuntime"]),
        .executableTarget(name: "paygent-bench", dependencies: ["PaygentBench"]),
        .executableTarget(
            name: "paygent-market",
            dependencies: [
                "PaygentMarket", "PaygentRuntime", "PaygentPaymentsClient", "PaygentTransport", "PaygentX402", "PaygentX402HTTP",
                "PaygentPaymentsAPI", "PaygentCrypto", "PaygentMoney", .product(name: "Logging", package: "swift-log"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .target(
            name: "PaygentMarket",
            dependencies: [
                "PaygentX402", "PaygentX402HTTP", "PaygentCrypto", "PaygentRegistryAPI", "PaygentTransport", .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"), .product(name: "Logging", package: "swift-log"),
            ]
        ),

        .testTarget(
            name: "PaygentWireTests",
            dependencies: [
                "PaygentWire", "PaygentPaymentsAPI", "PaygentRuntime", "PaygentMoney", "PaygentX402", "PaygentCrypto",
                "PaygentTestSupport",
            ]),
        .testTarget(
            name: "PaygentCryptoTests", dependencies: ["PaygentCrypto", "PaygentKeystore", .product(name: "BigInt", package: "BigInt")],
            exclude: ["Fixtures"]),
        .testTarget(
            name: "PaygentLedgerTests",
            dependencies: [
                "PaygentLedger", "PaygentCrypto", "PaygentStorage", .product(name: "BigInt", package: "BigInt"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        .testTarget(
            name: "PaygentX402Tests",
            dependencies: ["PaygentX402", "PaygentCrypto", "PaygentPaymentsAPI", "PaygentMoney", "PaygentWire", .product(name: "BigInt", package: "BigInt")]),
        .testTarget(
            name: "PaygentTransportTests", dependencies: ["PaygentTransport", "PaygentWire", .product(name: "Logging", package: "swift-log")]),
        .testTarget(name: "PaygentRuntimeTests", dependencies: ["PaygentRuntime", .product(name: "Logging", package: "swift-log")]),
        .testTarget(name: "PaygentStorageTests", dependencies: ["PaygentStorage", .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(
            name: "PaygentPaymentsTests",
            dependencies: [
                "PaygentPayments", "PaygentPaymentsAPI", "PaygentTestSupport", "PaygentTransport", "PaygentWire", "PaygentRuntime",
                "PaygentCrypto",
            ]),
        .testTarget(
            name: "PaygentRegistryTests",
            dependencies: [
                "PaygentRegistry", "PaygentRegistryAPI", "PaygentTestSupport", "PaygentPayments", "PaygentRuntime", "PaygentTransport",
                "PaygentWire", "PaygentPaymentsAPI", "PaygentPaymentsClient", "PaygentMarket",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"), .product(name: "Logging", package: "swift-log"),
            ]),
        .testTarget(
            name: "PaygentVVSTests",
            dependencies: [
                "PaygentVVS", "PaygentVVSAPI", "PaygentTestSupport", "PaygentPayments", "PaygentPaymentsAPI", "PaygentTransport", "PaygentWire",
                "PaygentMoney", .product(name: "BigInt", package: "BigInt"),
            ]),
        .testTarget(
            name: "PaygentMoonlanderTests",
            dependencies: [
                "PaygentMoonlander", "PaygentMoonlanderAPI", "PaygentTestSupport", "PaygentWire", "PaygentRuntime", "PaygentPayments",
                "PaygentPaymentsAPI",
                .product(name: "BigInt", package: "BigInt"), .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"), .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]),
        .testTarget(
            name: "PaygentOrchestratorTests",
            dependencies: [
                "PaygentOrchestrator", "PaygentOrchestratorAPI", "PaygentCommands", "PaygentTestSupport", "PaygentPaymentsTesting", "PaygentPaymentsAPI",
                "PaygentTransport", "PaygentWire", "PaygentRuntime", .product(name: "Hummingbird", package: "hummingbird"),
            ]),
        .testTarget(
            name: "PaygentIntegrationTests",
            dependencies: [
                "PaygentTestSupport", "PaygentPaymentsTesting", "PaygentTransport", "PaygentPaymentsAPI", "PaygentRegistryAPI", "PaygentVVSAPI", "PaygentMoonlanderAPI", "PaygentWire", "PaygentRuntime",
                "PaygentCrypto", "PaygentMoney", "PaygentKeystore", "PaygentOrchestratorAPI",
                "PaygentX402", "PaygentX402HTTP", "PaygentLedger", "PaygentPayments", .product(name: "BigInt", package: "BigInt"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
