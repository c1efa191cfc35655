import Foundation
import PaygentPaymentsAPI
import PaygentPaymentsTesting
import PaygentRegistryAPI
import PaygentRuntime
import PaygentTestSupport
import PaygentTransport
import PaygentWire
import XCTest

/// The registry's figures follow real payments through the built executables: settled and
/// failed payments change calls, success rate and reputation by the documented amounts; a
/// payment to a URL outside the catalog is counted as unmatched; a registry killed during a stream
/// of payments ends, after its restart, with exactly the counts it would have had.
final class ReputationTests: XCTestCase {
    func testReputationFollowsPaymentsAcrossAKill() async throws {
        let service = try await PaymentsTestService()
        defer { service.tearDown() }
        try await service.startMarket()
        var registry = try await startService(.registry, deployment: service.deployment, context: service.context)
        defer { registry.signal(SIGKILL) }
        let registryClient = try RPCClient(
            endpoint: service.deployment.config.endpoints(.registry).rpc, serviceName: "registry", context: service.context)
        defer { registryClient.close() }
        let wallet = try await service.client.call(PaymentsMethod.walletCreate, WalletCreateRequest(name: "agent"))
        try await service.fund(wallet.address, "0.15")
        let prices = "\(service.deployment.config.marketURL)/prices"
        func fetch(_ url: String) async throws -> FetchReply {
            try await service.client.call(PaymentsMethod.fetch, FetchRequest(url: url, wallet: "agent", maxAmount: "0.10"), deadline: .seconds(20))
        }
        /// Waits (bounded) until the registry's entry for the sample API's prices has `calls` calls.
        func entry(calls: Int) async throws -> ServiceEntry {
            let deadline = ContinuousClock.now + .seconds(15)
            var last: ServiceEntry?
            while ContinuousClock.now < deadline {
                last = try? await registryClient.call(RegistryMethod.show, ServiceShowRequest(id: "svc_000000000001"))
                if last?.totalCalls == calls { return last! }
                try await Task.sleep(for: .milliseconds(50))
            }
            throw TestFailure("the registry shows \(last?.totalCalls ?? -1) calls, expected \(calls)")
        }

        // One settled payment: n = 1, s = 1, reputation 2.5 + 2.5 · 1/11.
        let paid = try await fetch(prices)
        XCTAssertEqual(paid.payment?.settled, true, paid.payment?.error ?? "")
        var figures = try await entry(calls: 1)
        XCTAssertEqual(figures.successRate, 1)
        XCTAssertEqual(figures.reputation, 2.5 + 2.5 / 11, accuracy: 1e-12)
        XCTAssertNotNil(figures.medianLatencyMillis)
        // One failed payment (0.05 left, the price is 0.10): n = 2, s = 0.5, reputation back to 2.5.
        let refused = try await fetch(prices)
        XCTAssertEqual(refused.payment?.settled, false)
        figures = try await entry(calls: 2)
        XCTAssertEqual(figures.successRate, 0.5)
        XCTAssertEqual(figures.reputation, 2.5, accuracy: 1e-12)

        // A stream of 12 payments; the registry is killed after the third and restarted after the last.
        try await service.fund(wallet.address, "1.2")
        for index in 0..<12 {
            if index == 3 { registry.signal(SIGKILL) }
            let reply = try await fetch(prices)
            XCTAssertEqual(reply.payment?.settled, true, reply.payment?.error ?? "")
        }
        _ = await registry.waitForExit(timeout: .seconds(5))
        registry = try await startService(.registry, deployment: service.deployment, context: service.context)
        // n = 14, 13 settled: s = 13/14, reputation 2.5 + (5 · 13/14 − 2.5) · 14/24, counted once each.
        figures = try await entry(calls: 14)
        XCTAssertEqual(figures.successRate, 13.0 / 14.0, accuracy: 1e-12)
        XCTAssertEqual(figures.reputation, 2.5 + (5 * 13.0 / 14.0 - 2.5) * 14.0 / 24.0, accuracy: 1e-12)
        try await Task.sleep(for: .milliseconds(300))
        let settledAgain = try await registryClient.call(RegistryMethod.show, ServiceShowRequest(id: "svc_000000000001"))
        XCTAssertEqual(settledAgain.totalCalls, 14, "no payment counted twice")

        // A payment to a URL outside the catalog is counted, not dropped.
        let elsewhere = HostileServer(behaviour: .settleAndRefuse, facilitatorURL: service.deployment.config.facilitatorURL, price: "10000")
        try await elsewhere.start()
        defer { Task { await elsewhere.stop() } }
        _ = try await service.client.call(
            PaymentsMethod.fetch, FetchRequest(url: elsewhere.url, wallet: "agent", maxAmount: "0.01"), deadline: .seconds(20))
        let deadline = ContinuousClock.now + .seconds(10)
        var unmatched: String?
        while ContinuousClock.now < deadline {
            unmatched = try await registryClient.call(CommonMethod.health, HealthRequest()).details?["payments.unmatched"]
            if unmatched == "1" { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        XCTAssertEqual(unmatched, "1")
        await service.stop()
    }
}
