import ArgumentParser
import BigInt
import Foundation
import Logging
import PaygentMoney
import PaygentRegistry
import PaygentRegistryAPI
import PaygentRuntime
import PaygentTransport
import PaygentWire
import Synchronization

/// `paygent-bench registry`: discovery over RPC against a catalog of 10,000 services, cached and
/// uncached, beside bare RPC round trips in the same run: a 64-byte echo, and one that answers
/// with the same page of 20 services already encoded (what moving and decoding the answer costs
/// with no registry at all). The cached target is judged against the second: it measures what
/// the registry adds.
struct RegistryBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "registry",
        abstract: "Discovery requests per second and p50/p99 over RPC with 10,000 catalog entries, cached and uncached, against a bare RPC round trip.")

    @Option(help: "Catalog entries.") var entries = 10_000
    @Option(help: "Measured requests per case.") var requests = 2_000
    @Option(help: "Requests in flight for the throughput case.") var inflight = 8

    func run() async throws {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("pgb-\(UUID().uuidString.prefix(8))").path
        defer { try? FileManager.default.removeItem(atPath: home) }
        var config = PaygentConfig.defaults(home: home)
        config.logLevel = .error
        try CatalogImport.add(Self.catalog(count: entries), directory: config.serviceDirectory(.registry))

        let termination = TerminationSignal(signals: [])
        let running = Task { try await ServiceHost.run(RegistryService.definition, config: config, termination: termination) }
        let context = ZMQContext()
        let client = try RPCClient(endpoint: config.endpoints(.registry).rpc, serviceName: "registry", context: context)
        let echoEndpoint = "ipc://\(home)/echo.rpc"
        let echo = RPCServer(endpoint: echoEndpoint, serviceName: "echo", context: ZMQContext(), logger: Logger(label: "bench") { _ in SwiftLogNoOpLogHandler() })
        echo.register("echo") { (request: BenchEcho, _) in request }
        let page = PageBox()
        echo.registerRaw("page") { _, _ in page.bytes }
        try echo.start()
        let echoClient = try RPCClient(endpoint: echoEndpoint, serviceName: "echo", context: context)
        defer {
            client.close()
            echoClient.close()
        }
        for _ in 0..<200 {
            if (try? await client.call(CommonMethod.health, HealthRequest(), deadline: .milliseconds(200))) != nil { break }
            try await Task.sleep(for: .milliseconds(25))
        }

        let payload = BenchEcho(payload: Data(repeating: 0x61, count: 64))
        let bare = try await CallTimings.measure(requests: requests, depth: 1) { _ in let _: BenchEcho = try await echoClient.call("echo", payload) }
        let cachedRequest = DiscoverRequest(category: "market-data", sort: .reputation, limit: 20)
        page.bytes = try await client.callRaw(RegistryMethod.discover.name, body: try BinaryEncoder().encode(cachedRequest)).body
        let barePage = try await CallTimings.measure(requests: requests, depth: 1) { _ in let _: DiscoverReply = try await echoClient.call("page", payload) }
        let cached = try await CallTimings.measure(requests: requests, depth: 1) { _ in _ = try await client.call(RegistryMethod.discover, cachedRequest) }
        let cachedRate = try await CallTimings.measure(requests: requests, depth: inflight) { _ in _ = try await client.call(RegistryMethod.discover, cachedRequest) }
        // Each uncached request asks for another word, so the cache never answers it.
        let uncached = try await CallTimings.measure(requests: requests, depth: 1) { index in
            _ = try await client.call(RegistryMethod.discover, DiscoverRequest(query: "feed\(index % entries)", limit: 20))
        }
        let uncachedRate = try await CallTimings.measure(requests: requests, depth: inflight) { index in
            _ = try await client.call(RegistryMethod.discover, DiscoverRequest(query: "feed\((index * 7919) % entries) data", limit: 20))
        }
        let probe = try await client.call(RegistryMethod.discover, DiscoverRequest(query: "feed42", limit: 20))

        termination.trigger()
        _ = try? await running.value
        await echo.shutdown(grace: .seconds(1))

        print("registry: \(entries) catalog entries, \(requests) requests per case, over ipc, one process")
        print("bare = an RPC round trip with no registry: a 64-byte echo, and the same 20-service page (\(page.bytes.count) bytes) sent and decoded")
        print("(a free-text query matched \(probe.total) of \(entries) entries)")
        print("")
        print("\(pad("case", 40)) \(leftPad("in flight", 9)) \(leftPad("p50 µs", 9)) \(leftPad("p99 µs", 9)) \(leftPad("requests/s", 11))")
        let rows: [(String, Int, CallTimings)] = [
            ("bare RPC round trip (echo)", 1, bare), ("bare RPC round trip (the same page)", 1, barePage), ("discovery, cached", 1, cached), ("discovery, cached", inflight, cachedRate),
            ("discovery, uncached free text", 1, uncached), ("discovery, uncached free text", inflight, uncachedRate),
        ]
        for (name, depth, figures) in rows {
            print("\(pad(name, 40)) \(leftPad("\(depth)", 9)) \(leftPad(format(figures.p50), 9)) \(leftPad(format(figures.p99), 9)) \(leftPad(format(figures.rate, 0), 11))")
        }
        print("")
        var verdicts = Verdicts()
        let ratio = cached.p50 / barePage.p50
        verdicts.add(
            "registry-cached-discovery-p50",
            measured: "\(format(ratio, 2))x bare with the same page (\(format(cached.p50)) vs \(format(barePage.p50)) µs; echo \(format(bare.p50)) µs)",
            goal: "≤ 1.3x", pass: ratio <= 1.3)
        verdicts.add(
            "registry-uncached-discovery-p50", measured: "\(format(uncached.p50 / 1000, 2)) ms over \(entries) entries", goal: "≤ 2 ms",
            pass: uncached.p50 <= 2000)
        verdicts.print()
        if verdicts.failed { throw ExitCode(1) }
    }

    /// `count` services across categories, each named with a word of its own (`feed<n>`).
    static func catalog(count: Int) -> [ServiceEntry] {
        let categories = ["market-data", "news", "weather", "inference", "analytics", "storage", "search", "maps"]
        let now = Date()
        var entries: [ServiceEntry] = []
        entries.reserveCapacity(count)
        for index in 0..<count {
            let category = categories[index % categories.count]
            let price: Amount = (try? Amount(baseUnits: BigUInt(1_000 + index % 500_000))) ?? .zero
            let reputation = Double(index % 50) / 10
            let latency = Double(index % 300)
            entries.append(ServiceEntry(
                id: String(format: "svc_b%011x", index), name: "feed\(index) \(category) data",
                description: "Benchmark entry \(index): paid data for agents, priced per call.", category: category,
                url: "https://bench.example.com/feed/\(index)", method: "GET", pricing: .payPerCall, price: price, token: "USDC",
                decimals: 6, unit: nil, periodSeconds: nil, network: "eip155:338", payTo: "0x209693Bc6afc0C5328bA36FaF03C514EF312287C",
                mcpCompatible: index % 5 == 0, inputDescription: nil, outputDescription: nil, reputation: reputation,
                totalCalls: index % 1000, successRate: 1, medianLatencyMillis: latency, createdAt: now, updatedAt: now))
        }
        return entries
    }
}

/// The encoded page the bare "page" method answers with.
private final class PageBox: Sendable {
    private let stored = Mutex<[UInt8]>([])
    var bytes: [UInt8] {
        get { stored.withLock { $0 } }
        set { stored.withLock { $0 = newValue } }
    }
}
