import BigInt
import PaygentPayments
import PaygentPaymentsAPI
import PaygentTestSupport
import PaygentTransport
import PaygentVVS
import PaygentVVSAPI
import PaygentWire
import XCTest

/// The vvs service in process beside the payments service: the seed pools are opened on the
/// ledger, their records equal their ledger balances, quotes follow the pair arithmetic over
/// the best route, bad input is refused, and a restart mints nothing twice.
final class PoolServiceTests: XCTestCase {
    func openPools(_ vvs: InProcessService) async throws -> [PoolInfo] {
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            if let pools = try? await vvs.client.call(VVSMethod.pools, PoolsRequest()).pools, pools.count == 6 { return pools }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw TestFailure("the seed pools did not open within 30 s")
    }

    func testSeedPoolsMatchTheLedgerAndQuotesFollowThePairArithmetic() async throws {
        let deployment = try TestDeployment()
        defer { deployment.remove() }
        let payments = try await InProcessService(PaymentsService.definition, deployment: deployment)
        var vvs = try await InProcessService(VVSService.definition, deployment: deployment)
        let pools = try await openPools(vvs)
        XCTAssertEqual(pools.map(\.id), ["CRO-USDC", "CRO-VVS", "CRO-WETH", "USDT-USDC", "WBTC-USDC", "WETH-USDC"])
        for pool in pools {
            XCTAssertLessThan(pool.token0.address.lowercased(), pool.token1.address.lowercased(), "\(pool.id): sorted as the factory sorts")
            let balances = try await payments.client.call(PaymentsMethod.balances, BalancesRequest(owner: pool.address)).balances
            XCTAssertEqual(balances.first { $0.token.symbol == pool.token0.symbol }?.amount, pool.reserve0, pool.id)
            XCTAssertEqual(balances.first { $0.token.symbol == pool.token1.symbol }?.amount, pool.reserve1, pool.id)
            XCTAssertEqual(pool.lpSupply.baseUnits, (pool.reserve0.baseUnits * pool.reserve1.baseUnits).squareRoot())
        }

        // A direct quote is getAmountOut on the pool's reserves.
        let croUSDC = try XCTUnwrap(pools.first { $0.id == "CRO-USDC" })
        let (croReserve, usdcReserve) = croUSDC.token0.symbol == "CRO"
            ? (croUSDC.reserve0.baseUnits, croUSDC.reserve1.baseUnits) : (croUSDC.reserve1.baseUnits, croUSDC.reserve0.baseUnits)
        let direct = try await vvs.client.call(VVSMethod.quote, QuoteRequest(from: "CRO", to: "USDC", amount: "1000", slippageBps: 100))
        let thousandCRO = BigUInt(1000) * BigUInt(10).power(18)
        XCTAssertEqual(direct.path, ["CRO", "USDC"])
        XCTAssertEqual(direct.amountOut.baseUnits, try ConstantProduct.amountOut(thousandCRO, reserveIn: croReserve, reserveOut: usdcReserve))
        XCTAssertEqual(direct.minimumReceived.baseUnits, direct.amountOut.baseUnits * 10_000 / 10_100)
        XCTAssertEqual(direct.fees.map(\.baseUnits), [thousandCRO * 3 / 1000])
        // About $90 at $0.09 a CRO, less the fee and a tiny impact.
        XCTAssertEqual(direct.amountOut.formatted(decimals: 6).prefix(3), "89.")

        // No direct pool: through CRO and USDC.
        let routed = try await vvs.client.call(VVSMethod.quote, QuoteRequest(from: "VVS", to: "WBTC", amount: "100000000"))
        XCTAssertEqual(routed.path, ["VVS", "CRO", "USDC", "WBTC"])
        XCTAssertEqual(routed.pools.count, 3)
        let exactOut = try await vvs.client.call(VVSMethod.quote, QuoteRequest(from: "USDC", to: "WETH", amount: "1", side: .exactOutput))
        XCTAssertEqual(exactOut.amountOut.baseUnits, BigUInt(10).power(18))
        XCTAssertEqual(exactOut.maximumSold.baseUnits, exactOut.amountIn.baseUnits * 10_050 / 10_000)

        let refusals: [(QuoteRequest, ErrorCode, String)] = [
            (QuoteRequest(from: "DOGE", to: "USDC", amount: "1"), .notFound, "from: no token 'DOGE'"),
            (QuoteRequest(from: "CRO", to: "cro", amount: "1"), .badRequest, "the same token"),
            (QuoteRequest(from: "CRO", to: "USDC", amount: "0"), .badRequest, "amount"),
            (QuoteRequest(from: "CRO", to: "USDC", amount: "-5"), .badRequest, "amount"),
            (QuoteRequest(from: "USDC", to: "USDT", amount: "0.0000001"), .badRequest, "amount"),
            (QuoteRequest(from: "CRO", to: "USDC", amount: "1", slippageBps: 5001), .badRequest, "slippageBps"),
            (QuoteRequest(from: "USDC", to: "WBTC", amount: "21", side: .exactOutput), .failedPrecondition, "the pools hold less WBTC"),
        ]
        for (request, code, words) in refusals {
            do {
                _ = try await vvs.client.call(VVSMethod.quote, request)
                XCTFail("\(request) should be refused")
            } catch {
                XCTAssertEqual(error.code, code, error.message)
                XCTAssertTrue(error.message.contains(words), "\(words): \(error.message)")
            }
        }

        // Restarted: the same pools, nothing minted twice.
        try await vvs.stop()
        vvs = try await InProcessService(VVSService.definition, deployment: deployment)
        let reopened = try await openPools(vvs)
        XCTAssertEqual(reopened, pools)
        try await vvs.stop()
        try await payments.stop()
    }
}
