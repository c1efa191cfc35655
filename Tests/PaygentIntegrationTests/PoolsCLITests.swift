import Foundation
import PaygentPaymentsTesting
import PaygentTestSupport
import XCTest

/// `paygent pools` and `paygent swap quote` against the built payments and vvs services.
final class PoolsCLITests: XCTestCase {
    func testPoolsAndQuotesFromTheCommandLine() async throws {
        let service = try await PaymentsTestService()
        defer { service.tearDown() }
        let vvs = try await startService(.vvs, deployment: service.deployment, context: service.context)
        defer { vvs.signal(SIGKILL) }
        func paygent(_ arguments: [String]) async throws -> (Int32?, String) {
            let child = try ChildProcess("paygent", arguments, deployment: service.deployment, tag: "paygent")
            return (await child.waitForExit(timeout: .seconds(30)), child.output)
        }
        var (status, table) = try await paygent(["pools"])
        let deadline = ContinuousClock.now + .seconds(30)
        while status != 0, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(200))
            (status, table) = try await paygent(["pools"])
        }
        XCTAssertEqual(status, 0, table)
        XCTAssertTrue(table.contains("CRO-USDC") && table.contains("22222222.00 CRO") && table.contains("1 CRO = 0.09 USDC"), table)
        XCTAssertTrue(table.contains("WBTC-USDC") && table.contains("1 WBTC = 96210 USDC"), table)

        let (quoted, quote) = try await paygent(["swap", "quote", "1000", "CRO", "USDC", "--slippage", "1"])
        XCTAssertEqual(quoted, 0, quote)
        XCTAssertTrue(quote.contains("1000 CRO → 89.725975 USDC"), quote)
        XCTAssertTrue(quote.contains("route CRO → USDC") && quote.contains("minimum received at 1% slippage: 88.837599 USDC"), quote)
        let (routed, route) = try await paygent(["swap", "quote", "100000000", "VVS", "WBTC"])
        XCTAssertEqual(routed, 0, route)
        XCTAssertTrue(route.contains("route VVS → CRO → USDC → WBTC"), route)
        let (refused, why) = try await paygent(["swap", "quote", "1", "CRO", "DOGE"])
        XCTAssertEqual(refused, 1, why)
        XCTAssertTrue(why.contains("to: no token 'DOGE'"), why)
        let (badSlippage, slippageWhy) = try await paygent(["swap", "quote", "1", "CRO", "USDC", "--slippage", "60"])
        XCTAssertEqual(badSlippage, 64, slippageWhy)
        await service.stop()
    }
}
