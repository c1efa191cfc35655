import ArgumentParser
import BigInt
import Foundation
import Hummingbird
import Logging
import PaygentCrypto
import PaygentLedger
import PaygentMarket
import PaygentPayments
import PaygentX402
import PaygentX402HTTP

struct PaymentsBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "payments",
        abstract: "Facilitator verify+settle throughput on the ledger, and paid vs unpaid HTTP latency through the sample API.",
        discussion: "Runs the ledger (SQLite, WAL, a durable commit per settlement), the facilitator's HTTP API and the sample paid API in this process on loopback. Payments are signed before timing starts.")

    @Option(help: "Payments verified and settled.")
    var settlements = 3000

    @Option(help: "Settlements in flight (a facilitator serves many resource servers at once).")
    var concurrency = 32

    @Option(help: "Requests per latency case.")
    var requests = 300

    func run() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("paygent-bench-\(UUID())").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let ledger = try LocalLedger(path: directory + "/ledger.sqlite")
        let facilitator = LedgerFacilitator(ledger: ledger)
        let payer = try PrivateKey.generate()
        let usdc = LedgerToken.catalog.first { $0.symbol == "USDC" }!
        _ = try await ledger.mint(token: usdc.address, to: payer.address, amount: BigUInt(10).power(15))
        let offer = Offer(PaymentRequirements(
            scheme: "exact", network: "eip155:338", asset: usdc.address.eip55, amount: "100000",
            payTo: "0x209693Bc6afc0C5328bA36FaF03C514EF312287C", maxTimeoutSeconds: 300,
            extra: .object(["name": .string(usdc.domainName), "version": .string(usdc.domainVersion)])))

        // 1. Facilitator: verify then settle each payment, `concurrency` at a time.
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
        let seconds = seconds(ContinuousClock.now - start)
        let settleRate = Double(settlements - failures) / seconds

        // 2. HTTP: the sample API with a paid route, against a free route of the same server.
        let logger = Logger(label: "bench") { _ in SwiftLogNoOpLogHandler() }
        let facilitatorPort = Self.freePort()
        let marketPort = Self.freePort()
        let facilitatorRouter = Router()
        FacilitatorRoutes.add(to: facilitatorRouter, facilitator: facilitator)
        let facilitatorApp = Application(
            router: facilitatorRouter, configuration: .init(address: .hostname("127.0.0.1", port: facilitatorPort)), logger: logger)
        let marketApp = MarketAPI.application(
            .init(host: "127.0.0.1", port: marketPort, facilitatorURL: "http://127.0.0.1:\(facilitatorPort)",
                  payTo: "0x209693Bc6afc0C5328bA36FaF03C514EF312287C"),
            logger: logger)
        let servers = Task {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await facilitatorApp.run() }
                group.addTask { try await marketApp.run() }
                try await group.waitForAll()
            }
        }
        defer { servers.cancel() }
        let client = X402HTTPClient(attempts: 30)
        _ = try await client.quote("http://127.0.0.1:\(marketPort)/prices")

        var unpaid: [Double] = []
        var paid: [Double] = []
        for _ in 0..<min(requests, 20) {
            _ = try await client.fetch("http://127.0.0.1:\(marketPort)/health") { _ in throw ValidationError("free route") }
        }
        for _ in 0..<requests {
            let t0 = ContinuousClock.now
            let response = try await client.fetch("http://127.0.0.1:\(marketPort)/health") { _ in throw ValidationError("free route") }
            guard response.status == 200 else { throw ValidationError("unpaid request answered \(response.status)") }
            unpaid.append(Self.seconds(ContinuousClock.now - t0) * 1e6)
        }
        for _ in 0..<requests {
            let t0 = ContinuousClock.now
            let response = try await client.fetch("http://127.0.0.1:\(marketPort)/prices") { offers in
                (offers[0], try ExactSigner.pay(offers[0], with: payer, now: UInt64(Date().timeIntervalSince1970)))
            }
            guard response.status == 200, response.settlement?.success == true else {
                throw ValidationError("paid request answered \(response.status)")
            }
            paid.append(Self.seconds(ContinuousClock.now - t0) * 1e6)
        }
        let unpaidStats = Percentiles(unpaid)
        let paidStats = Percentiles(paid)

        print("payments: \(settlements) settlements at \(concurrency) in flight; \(requests) requests per HTTP case; loopback, one process")
        print("")
        print("facilitator verify+settle (signature checks, SQLite commits grouped under load): \(format(settleRate, 0))/s, \(failures) failed")
        print("")
        print("\(pad("HTTP", 44)) \(leftPad("p50 µs", 9)) \(leftPad("p99 µs", 9))")
        print("\(pad("unpaid GET /health (same server)", 44)) \(leftPad(format(unpaidStats.p50), 9)) \(leftPad(format(unpaidStats.p99), 9))")
        print("\(pad("paid GET /prices (402, sign, verify, settle)", 44)) \(leftPad(format(paidStats.p50), 9)) \(leftPad(format(paidStats.p99), 9))")
        print("")
        var verdicts = Verdicts()
        verdicts.add("payments-settle-rate", measured: "\(format(settleRate, 0))/s", goal: "≥ 5000/s", pass: settleRate >= 5000 && failures == 0)
        let ratio = paidStats.p50 / unpaidStats.p50
        verdicts.add("payments-paid-vs-unpaid-p50", measured: "\(format(ratio, 2))x (\(format(paidStats.p50)) vs \(format(unpaidStats.p50)) µs)", goal: "≤ 4x", pass: ratio <= 4)
        verdicts.print()
        if verdicts.failed { throw ExitCode(1) }
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    private func seconds(_ duration: Duration) -> Double { Self.seconds(duration) }

    static func freePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
