import BigInt
import Foundation
import PaygentPaymentsAPI
import PaygentPaymentsTesting
import PaygentTestSupport
import PaygentTransport
import PaygentVVSAPI
import PaygentWire
import XCTest

/// Deposits through the built services with the vvs service killed (SIGKILL) in the middle of a
/// stream of them: after the restart the pool's records equal the ledger (reserves and LP supply),
/// every deposit is whole or absent, and the whole stream sent again under its keys leaves
/// exactly one deposit per key.
final class LiquidityCrashTests: XCTestCase {
    func testAKilledServiceLeavesEveryDepositWholeOrAbsentAndEachKeyAppliedOnce() async throws {
        var system = try await SwapCrashTests.Deployment.start()
        defer {
            system.vvs.signal(SIGKILL)
            system.service.tearDown()
        }
        let start = try await system.pool("CRO-USDC")
        let client = system.client
        let deadline = Date().addingTimeInterval(600)
        let requests = (0..<120).map { index in
            AddLiquidityRequest(
                wallet: "agent", tokenA: "CRO", tokenB: "USDC", amountA: "\(100 + index)", amountB: "\(10 + index)", deadline: deadline)
        }
        @Sendable func send(_ requests: [AddLiquidityRequest]) async -> [Int: LiquidityReply] {
            await withTaskGroup(of: (Int, LiquidityReply?).self) { group in
                for (index, request) in requests.enumerated() {
                    group.addTask {
                        (index, try? await client.call(VVSMethod.addLiquidity, request, deadline: .seconds(10), idempotencyKey: "deposit-\(index)"))
                    }
                }
                return await group.reduce(into: [Int: LiquidityReply]()) { if let reply = $1.1 { $0[$1.0] = reply } }
            }
        }
        let stream = Task { await send(requests) }
        try await Task.sleep(for: .milliseconds(400))
        system.vvs.signal(SIGKILL)
        _ = await system.vvs.waitForExit()
        let told = await stream.value
        print("deposits answered before the SIGKILL: \(told.count) of \(requests.count)")

        system.vvs = try await startService(.vvs, deployment: system.service.deployment, context: system.service.context)
        try await SwapCrashTests.Deployment.waitForPools(client)

        // The whole stream again, under the same keys: each key ends with one deposit.
        var again = await send(requests)
        for index in requests.indices where again[index] == nil {
            again[index] = try await client.call(VVSMethod.addLiquidity, requests[index], deadline: .seconds(10), idempotencyKey: "deposit-\(index)")
        }
        for (index, reply) in told {
            XCTAssertEqual(again[index], reply, "deposit-\(index) answered as the first time")
        }

        let history = try await system.history(start.address)
        let lpToken = start.lpToken
        let lpHistory = try await system.service.client.call(
            PaymentsMethod.ledgerHistory, LedgerHistoryRequest(token: lpToken, limit: 1000)).transactions
        let mintsToTrader = lpHistory.filter { $0.kind == "mint" && $0.to.lowercased() == system.trader.lowercased() }
        let croIn = history.filter { $0.from.lowercased() == system.trader.lowercased() && $0.token.symbol == "CRO" }
        let usdcIn = history.filter { $0.from.lowercased() == system.trader.lowercased() && $0.token.symbol == "USDC" }
        XCTAssertEqual(mintsToTrader.count, requests.count, "one deposit per key")
        XCTAssertEqual(croIn.count, requests.count)
        XCTAssertEqual(usdcIn.count, requests.count)
        let hashes = Set(history.map(\.hash) + lpHistory.map(\.hash))
        for reply in again.values {
            XCTAssertTrue(reply.transactions.allSatisfy(hashes.contains), "\(reply.id) is in the ledger")
        }

        // The records are the ledger: reserves, and the LP supply (mints less burns).
        let end = try await system.pool("CRO-USDC")
        let croFirst = end.token0.symbol == "CRO"
        let ledgerCRO = try await system.ledgerBalance(start.address, "CRO")
        let ledgerUSDC = try await system.ledgerBalance(start.address, "USDC")
        XCTAssertEqual(croFirst ? [end.reserve0.baseUnits, end.reserve1.baseUnits] : [end.reserve1.baseUnits, end.reserve0.baseUnits], [ledgerCRO, ledgerUSDC])
        let minted = lpHistory.filter { $0.kind == "mint" }.reduce(BigUInt(0)) { $0 + $1.value.baseUnits }
        let burned = lpHistory.filter { $0.kind == "burn" }.reduce(BigUInt(0)) { $0 + $1.value.baseUnits }
        XCTAssertEqual(end.lpSupply.baseUnits, minted - burned, "the pool's LP supply is the ledger's")
        let traderLP = try await system.ledgerBalance(system.trader, lpToken)
        XCTAssertEqual(traderLP, mintsToTrader.reduce(BigUInt(0)) { $0 + $1.value.baseUnits })
        XCTAssertEqual(traderLP, again.values.reduce(BigUInt(0)) { $0 + $1.liquidity.baseUnits }, "what the trader was told is what it holds")
        await system.service.stop()
    }
}
