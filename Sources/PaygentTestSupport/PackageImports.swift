import Foundation

/// The package's targets as `swift package dump-package` describes them, with the modules each
/// one's sources import: what the import check compares.
public struct PackageImports {
    public struct Target {
        public let name: String
        public let kind: String
        public let dependencies: Set<String>
        public let imports: Set<String>
    }

    public let targets: [Target]

    /// Modules of the toolchain, which no target declares.
    static let toolchain: Set<String> = [
        "Foundation", "FoundationEssentials", "FoundationNetworking", "Glibc", "Musl", "Darwin", "Dispatch", "Synchronization",
        "XCTest", "Testing", "_Concurrency", "os",
    ]

    /// Layers, lowest first: a library imports only layers below its own.
    static let layers: [[String]] = [
        ["CZeroMQ", "CSecp256k1"],
        ["PaygentWire", "PaygentCrypto", "PaygentStorage"],
        ["PaygentTransport", "PaygentMoney", "PaygentKeystore", "PaygentX402", "PaygentLedger"],
        ["PaygentRuntime", "PaygentX402HTTP", "PaygentServiceKit"],
        ["PaygentPaymentsAPI", "PaygentRegistryAPI", "PaygentVVSAPI", "PaygentMoonlanderAPI", "PaygentOrchestratorAPI"],
        ["PaygentCommands"],
        ["PaygentPayments", "PaygentPaymentsClient", "PaygentMarket", "PaygentRegistry", "PaygentVVS", "PaygentMoonlander",
         "PaygentOrchestrator", "PaygentTestSupport"],
        ["PaygentPaymentsTesting"],
        ["PaygentCLI", "PaygentBench"],
        ["paygent", "paygent-payments", "paygent-registry", "paygent-vvs", "paygent-moonlander", "paygent-orchestrator",
         "paygent-market", "paygent-bench"],
    ]

    /// The layer of one of the package's targets; nil for outside modules.
    public static func layer(of target: String) -> Int? {
        layers.firstIndex { $0.contains(target) }
    }

    public static func load(repository: URL) throws -> PackageImports {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        // A scratch path of its own: the one in use is locked by the `swift test` running us.
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("paygent-dump-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: scratch) }
        process.arguments = ["swift", "package", "--scratch-path", scratch.path, "dump-package"]
        process.currentDirectoryURL = repository
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0, let root = try JSONSerialization.jsonObject(with: data) as? [String: Any],
            let targets = root["targets"] as? [[String: Any]]
        else {
            throw TestFailure("swift package dump-package failed in \(repository.path)")
        }
        var result: [Target] = []
        for target in targets {
            guard let name = target["name"] as? String, let kind = target["type"] as? String, kind != "system" else { continue }
            var dependencies: Set<String> = []
            for dependency in target["dependencies"] as? [[String: Any]] ?? [] {
                for (_, value) in dependency {
                    if let first = (value as? [Any])?.first as? String { dependencies.insert(first) }
                }
            }
            let folder = (target["path"] as? String) ?? (kind == "test" ? "Tests/\(name)" : "Sources/\(name)")
            result.append(Target(
                name: name, kind: kind, dependencies: dependencies,
                imports: try imports(in: repository.appendingPathComponent(folder)).subtracting(toolchain)))
        }
        return PackageImports(targets: result)
    }

    /// The modules imported by the Swift files under `folder`.
    static func imports(in folder: URL) throws -> Set<String> {
        var found: Set<String> = []
        let files = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: nil)
        while let file = files?.nextObject() as? URL {
            guard file.pathExtension == "swift" else { continue }
            for line in try String(contentsOf: file, encoding: .utf8).split(separator: "\n") {
                var words = line.split(separator: " ").map(String.init)
                while let first = words.first, first.hasPrefix("@") || ["public", "package", "internal"].contains(first) {
                    words.removeFirst()
                }
                guard words.first == "import", words.count >= 2 else { continue }
                let module = ["struct", "class", "enum", "func", "protocol", "typealias", "var", "let"].contains(words[1]) && words.count >= 3
                    ? words[2] : words[1]
                found.insert(String(module.split(separator: ".").first ?? Substring(module)))
            }
        }
        return found
    }
}
