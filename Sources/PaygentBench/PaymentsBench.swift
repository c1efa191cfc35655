import ArgumentParser
import BigInt
import Foundation
import Hummingbird
import Logging
import PaygentCrypto
import PaygentLedger
import PaygentMarket
import PaygentPaymentsClient
import PaygentRuntime
import PaygentTransport
import PaygentWire
import PaygentPayments
import PaygentX402
import PaygentX402HTTP

struct PaymentsBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "payments",
        abstract: "Facilitator verify+settle throughput on the ledger, and paid vs unpaid HTTP latency through the sample API.",
        discussion: "Runs the ledger (SQLite, WAL), the facilitator over RPC and HTTP and the sample paid API in this process, on loopback. Settlement payments are signed before timing starts; HTTP payments are signed as they are made. The latency target is the sample API as `paygent up` runs it: the facilitator over RPC, and a client that knows the price (the x402 specification makes the 402 round trip optional then); the other rows show the 402 round trip and the facilitator over HTTP.")

    @Option(help: "Payments verified and settled.")
    var settlements = 3000

    @Option(help: "Settlements in flight (a facilitator serves many resource servers at once).")
    var concurrency = 32

    @Option(help: "Requests per latency case.")
    var requests = 300

    @Flag(help: "Also show where a paid request's time goes.")
    var breakdown = false

    func run() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("paygent-bench-\(UUID())").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let ledger = try LocalLedger(path: directory + "/ledger.sqlite", now: { Date() })
        let facilitator = LedgerFacilitator(ledger: ledger, now: { Date() })
        let payer = try PrivateKey.generate()
        let usdc = LedgerToken.catalog.first { $0.symbol == "USDC" }!
        _ = try await ledger.mint(token: usdc.address, to: payer.address, amount: BigUInt(10).power(15))
        let offer = Offer(PaymentRequirements(
            scheme: "exact", network: "eip155:338", asset: usdc.address.eip55, amount: "100000",
            payTo: "0x209693Bc6afc0C5328bA36FaF03C514EF312287C", maxTimeoutSeconds: 300,
            extra: .object(["name": .string(usdc.domainName), "version": .string(usdc.domainVersion)])))

        // 1. Facilitator: verify then settle each payment, `concurrency` at a time, called in
        // process (the target) and over RPC (as the sample API calls it).
        let logger = Logger(label: "bench") { _ in SwiftLogNoOpLogHandler() }
        let rpcServer = RPCServer(endpoint: "tcp://127.0.0.1:*", serviceName: "payments", context: ZMQContext(), logger: logger)
        FacilitatorRPC.register(on: rpcServer, facilitator: facilitator)
        let rpcClient = try RPCClient(endpoint: try rpcServer.start(), serviceName: "payments", context: ZMQContext())
        let rpcFacilitator = RPCFacilitator(client: rpcClient)
        let (settleRate, failures) = try await settlementRate(facilitator, offer: offer, payer: payer)
        let (rpcSettleRate, rpcFailures) = try await settlementRate(rpcFacilitator, offer: offer, payer: payer)

        // 2. HTTP: the sample API with a paid route, against a free route of the same server. The
        // facilitator is served over RPC (as `paygent up` wires the sample API to the payments
        // service) and over HTTP (as an outside resource server reaches it).
        let facilitatorPort = LoopbackTCP.freePort()
        let marketPort = LoopbackTCP.freePort()
        let outsidePort = LoopbackTCP.freePort()
        let facilitatorRouter = Router()
        FacilitatorRoutes.add(to: facilitatorRouter, facilitator: facilitator)
        let facilitatorApp = Application(
            router: facilitatorRouter, configuration: .init(address: .hostname("127.0.0.1", port: facilitatorPort)), logger: logger)
        let payTo = "0x209693Bc6afc0C5328bA36FaF03C514EF312287C"
        let marketApp = MarketAPI.application(
            .init(host: "127.0.0.1", port: marketPort, payTo: payTo), facilitator: rpcFacilitator, logger: logger, now: { Date() })
        let outsideApp = MarketAPI.application(
            .init(host: "127.0.0.1", port: outsidePort, payTo: payTo),
            facilitator: HTTPFacilitatorClient(baseURL: "http://127.0.0.1:\(facilitatorPort)"), logger: logger, now: { Date() })
        let servers = Task {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await facilitatorApp.run() }
                group.addTask { try await marketApp.run() }
                group.addTask { try await outsideApp.run() }
                try await group.waitForAll()
            }
        }
        defer { servers.cancel() }
        let market = "http://127.0.0.1:\(marketPort)"
        let client = X402HTTPClient(attempts: 30)
        _ = try await client.quote(market + "/prices")
        _ = try await client.quote("http://127.0.0.1:\(outsidePort)/prices")

        // The cases are interleaved, one request of each per round, so that all of them see the
        // same machine (this one is shared and its speed drifts). Price known: a client that
        // remembers prices (`OfferCache`, as `payments.fetch` does) pays on the first request.
        // 402 first: a client that asks the price before every payment.
        let warm = X402HTTPClient(attempts: 30, offerCache: OfferCache())
        let warmOutside = X402HTTPClient(attempts: 30, offerCache: OfferCache())
        let outsideMarket = "http://127.0.0.1:\(outsidePort)"
        var unpaid: [Double] = []
        var paid: [Double] = []
        var cold: [Double] = []
        var outside: [Double] = []
        for round in 0..<(requests + min(requests, 20)) {
            let measured = round >= min(requests, 20)
            let free = try await timed { try await Self.unpaid(client, market + "/health") }
            let known = try await timed { try await Self.pay(warm, market + "/prices", payer) }
            let asked = try await timed { try await Self.pay(client, market + "/prices", payer) }
            let overHTTP = try await timed { try await Self.pay(warmOutside, outsideMarket + "/prices", payer) }
            if measured {
                unpaid.append(free)
                paid.append(known)
                cold.append(asked)
                outside.append(overHTTP)
            }
        }
        if breakdown {
            try await printBreakdown(
                market: market, facilitatorURL: "http://127.0.0.1:\(facilitatorPort)",
                facilitator: facilitator, rpc: rpcFacilitator, payer: payer)
        }
        let unpaidStats = Percentiles(unpaid)
        let paidStats = Percentiles(paid)
        let coldStats = Percentiles(cold)
        let outsideStats = Percentiles(outside)
        rpcClient.close()
        await rpcServer.shutdown(grace: .milliseconds(100))

        print("payments: \(settlements) settlements at \(concurrency) in flight; \(requests) requests per HTTP case; loopback, one process")
        print("")
        print("facilitator verify+settle (signature checks, SQLite commits grouped under load):")
        print("  in process  \(leftPad(format(settleRate, 0), 7))/s, \(failures) failed")
        print("  over RPC    \(leftPad(format(rpcSettleRate, 0), 7))/s, \(rpcFailures) failed")
        print("")
        let rows: [(String, Percentiles)] = [
            ("unpaid GET /health (same server)", unpaidStats),
            ("paid GET /prices: price known, facilitator over RPC", paidStats),
            ("paid GET /prices: 402 first, facilitator over RPC", coldStats),
            ("paid GET /prices: price known, facilitator over HTTP", outsideStats),
        ]
        print("\(pad("HTTP (paid = sign, send, verify, serve, settle)", 54)) \(leftPad("p50 µs", 9)) \(leftPad("p99 µs", 9))")
        for (name, stats) in rows {
            print("\(pad(name, 54)) \(leftPad(format(stats.p50), 9)) \(leftPad(format(stats.p99), 9))")
        }
        print("")
        var verdicts = Verdicts()
        verdicts.add("payments-settle-rate", measured: "\(format(settleRate, 0))/s", goal: "≥ 5000/s", pass: settleRate >= 5000 && failures == 0)
        let ratio = paidStats.p50 / unpaidStats.p50
        verdicts.add("payments-paid-vs-unpaid-p50", measured: "\(format(ratio, 2))x (\(format(paidStats.p50)) vs \(format(unpaidStats.p50)) µs)", goal: "≤ 4x", pass: ratio <= 4)
        verdicts.print()
        if verdicts.failed { throw ExitCode(1) }
    }

    /// Payments verified and settled per second through `facilitator`, `concurrency` at a time,
    /// signed before the clock starts; and how many failed.
    private func settlementRate(_ facilitator: any Facilitator, offer: Offer, payer: PrivateKey) async throws -> (Double, Int) {
        let now = UInt64(Date().timeIntervalSince1970)
        let requestsToSettle = try (0..<settlements).map { _ in
            FacilitatorRequest(payment: try ExactSigner.pay(offer, with: payer, now: now), offer: offer)
        }
        let start = ContinuousClock.now
        let failures = await withTaskGroup(of: Int.self) { group in
            var next = 0
            var failures = 0
            func add() {
                let request = requestsToSettle[next]
                next += 1
                group.addTask {
                    guard await facilitator.verify(request).isValid, await facilitator.settle(request).success else { return 1 }
                    return 0
                }
            }
            while next < min(concurrency, requestsToSettle.count) { add() }
            while let failed = await group.next() {
                failures += failed
                if next < requestsToSettle.count { add() }
            }
            return failures
        }
        return (Double(settlements - failures) / (ContinuousClock.now - start).inSeconds, failures)
    }

    /// Microseconds that `operation` took.
    private func timed(_ operation: () async throws -> Void) async rethrows -> Double {
        let t0 = ContinuousClock.now
        try await operation()
        return (ContinuousClock.now - t0).inSeconds * 1e6
    }

    private static func unpaid(_ client: X402HTTPClient, _ url: String) async throws {
        let response = try await client.fetch(url) { _ in throw ValidationError("\(url) asked for a payment") }
        guard response.status == 200 else { throw ValidationError("unpaid request answered \(response.status)") }
    }

    /// One paid fetch, verified and settled.
    private static func pay(_ client: X402HTTPClient, _ url: String, _ payer: PrivateKey) async throws {
        let response = try await client.fetch(url) { offers in
            (offers[0], try ExactSigner.pay(offers[0], with: payer, now: UInt64(Date().timeIntervalSince1970)))
        }
        guard response.status == 200, response.settlement?.success == true else {
            throw ValidationError("paid request answered \(response.status)")
        }
    }
}
