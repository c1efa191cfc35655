import BigInt
import Foundation
import PaygentPaymentsAPI
import PaygentPaymentsTesting
import PaygentTestSupport
import PaygentTransport
import PaygentVVSAPI
import PaygentWire
import XCTest

/// Swaps through the built payments and vvs services: the CLI, 100 concurrent swaps on one pool
/// against their sequential replay in settlement order, and a vvs service killed with SIGKILL
/// during a stream of swaps.
final class SwapCrashTests: XCTestCase {
    struct Deployment {
        let service: PaymentsTestService
        var vvs: ChildProcess
        let client: RPCClient
        let trader: String

        static func start() async throws -> Deployment {
            let service = try await PaymentsTestService()
            let vvs = try await startService(.vvs, deployment: service.deployment, context: service.context)
            let client = try RPCClient(endpoint: service.deployment.config.endpoints(.vvs).rpc, serviceName: "vvs", context: service.context)
            try await Self.waitForPools(client)
            let wallet: WalletInfo = try await service.client.call(PaymentsMethod.walletCreate, WalletCreateRequest(name: "agent"))
            for (token, amount) in [("CRO", "1000000"), ("USDC", "100000")] {
                let _: LedgerReceipt = try await service.client.call(PaymentsMethod.faucet, FaucetRequest(to: wallet.address, token: token, amount: amount))
            }
            return Deployment(service: service, vvs: vvs, client: client, trader: wallet.address)
        }

        static func waitForPools(_ client: RPCClient) async throws {
            let deadline = ContinuousClock.now + .seconds(30)
            while (try? await client.call(VVSMethod.pools, PoolsRequest(), deadline: .seconds(1)).pools.count) != 6 {
                guard ContinuousClock.now < deadline else { throw TestFailure("the pools did not open") }
                try await Task.sleep(for: .milliseconds(50))
            }
        }

        func pool(_ id: String) async throws -> PoolInfo {
            try await client.call(VVSMethod.pools, PoolsRequest()).pools.first { $0.id == id }!
        }

        func ledgerBalance(_ owner: String, _ symbol: String) async throws -> BigUInt {
            let balances = try await service.client.call(PaymentsMethod.balances, BalancesRequest(owner: owner)).balances
            return balances.first { $0.token.symbol == symbol }?.amount.baseUnits ?? 0
        }

        /// The pool's ledger history, oldest first.
        func history(_ owner: String) async throws -> [LedgerEntry] {
            var all: [LedgerEntry] = []
            var before: Int64?
            while true {
                let page = try await service.client.call(
                    PaymentsMethod.ledgerHistory, LedgerHistoryRequest(owner: owner, limit: 200, beforeSequence: before)).transactions
                all += page
                guard page.count == 200, let last = page.last else { break }
                before = last.sequence
            }
            return all.sorted { $0.sequence < $1.sequence }
        }
    }

    func testTheCommandLineSwapsAndRefusesBeyondItsBound() async throws {
        let system = try await Deployment.start()
        defer {
            system.vvs.signal(SIGKILL)
            system.service.tearDown()
        }
        func paygent(_ arguments: [String]) async throws -> (Int32?, String) {
            let child = try ChildProcess("paygent", arguments, deployment: system.service.deployment, tag: "paygent")
            return (await child.waitForExit(timeout: .seconds(30)), child.output)
        }
        let (status, output) = try await paygent(["swap", "exec", "1000", "CRO", "USDC", "--wallet", "agent", "--min-received", "89.7"])
        XCTAssertEqual(status, 0, output)
        XCTAssertTrue(output.contains("1000 CRO → 89.725975 USDC") && output.contains("settled in one batch"), output)
        let (refused, why) = try await paygent(["swap", "exec", "1000", "CRO", "USDC", "--wallet", "agent", "--min-received", "100"])
        XCTAssertEqual(refused, 1, why)
        XCTAssertTrue(why.contains("slippage: the swap would give") && why.contains("nothing moved"), why)
        let (bad, badWhy) = try await paygent(["swap", "exec", "1", "WETH", "USDC", "--wallet", "agent", "--exact-output", "--min-received", "1"])
        XCTAssertEqual(bad, 64, badWhy)
        await system.service.stop()
    }

    /// 100 swaps at once, both ways, on CRO-USDC: replayed one by one in the ledger's order with
    /// the pair's arithmetic, they give every amount paid out and the final reserves exactly.
    func testHundredConcurrentSwapsEqualTheirSequentialReplay() async throws {
        let system = try await Deployment.start()
        defer {
            system.vvs.signal(SIGKILL)
            system.service.tearDown()
        }
        let start = try await system.pool("CRO-USDC")
        let client = system.client
        let replies = try await withThrowingTaskGroup(of: SwapReply.self) { group in
            for index in 0..<100 {
                let request = index % 3 == 0
                    ? SwapRequest(wallet: "agent", from: "USDC", to: "CRO", amount: "\(5 + index % 7)", slippageBps: 5000)
                    : SwapRequest(wallet: "agent", from: "CRO", to: "USDC", amount: "\(50 + index)", slippageBps: 5000)
                group.addTask { try await client.call(VVSMethod.swap, request, deadline: .seconds(120), idempotencyKey: "swap-\(index)") }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        XCTAssertEqual(replies.count, 100)
        let history = try await system.history(start.address)
        let sequence = Dictionary(history.map { ($0.hash, $0.sequence) }, uniquingKeysWith: min)
        let ordered = replies.sorted { sequence[$0.transactions[0]]! < sequence[$1.transactions[0]]! }
        let croFirst = start.token0.symbol == "CRO"
        var (cro, usdc) = croFirst ? (start.reserve0.baseUnits, start.reserve1.baseUnits) : (start.reserve1.baseUnits, start.reserve0.baseUnits)
        for reply in ordered {
            let sellsCRO = reply.path[0] == "CRO"
            let (reserveIn, reserveOut) = sellsCRO ? (cro, usdc) : (usdc, cro)
            let out = try ConstantProductReplay.amountOut(reply.amountIn.baseUnits, reserveIn: reserveIn, reserveOut: reserveOut)
            XCTAssertEqual(reply.amountOut.baseUnits, out, reply.id)
            if sellsCRO { (cro, usdc) = (cro + reply.amountIn.baseUnits, usdc - out) } else { (usdc, cro) = (usdc + reply.amountIn.baseUnits, cro - out) }
        }
        let ledgerCRO = try await system.ledgerBalance(start.address, "CRO")
        let ledgerUSDC = try await system.ledgerBalance(start.address, "USDC")
        XCTAssertEqual([ledgerCRO, ledgerUSDC], [cro, usdc])
        let end = try await system.pool("CRO-USDC")
        XCTAssertEqual(croFirst ? [end.reserve0.baseUnits, end.reserve1.baseUnits] : [end.reserve1.baseUnits, end.reserve0.baseUnits], [cro, usdc])
        await system.service.stop()
    }

    /// The vvs service is killed with SIGKILL during a stream of swaps and restarted: every swap
    /// in the ledger is whole (the trader's input and the pool's payout, in one batch), the
    /// pool's record equals its ledger balances, and every swap the trader was told of is there
    /// exactly once.
    func testAKilledServiceLeavesEverySwapWholeOrAbsent() async throws {
        var system = try await Deployment.start()
        defer {
            system.vvs.signal(SIGKILL)
            system.service.tearDown()
        }
        let start = try await system.pool("CRO-USDC")
        let client = system.client
        let stream = Task {
            await withTaskGroup(of: SwapReply?.self) { group in
                for index in 0..<200 {
                    group.addTask {
                        try? await client.call(
                            VVSMethod.swap, SwapRequest(wallet: "agent", from: "CRO", to: "USDC", amount: "\(10 + index)", slippageBps: 5000),
                            deadline: .seconds(5), idempotencyKey: "stream-\(index)")
                    }
                }
                return await group.reduce(into: [SwapReply]()) { if let reply = $1 { $0.append(reply) } }
            }
        }
        try await Task.sleep(for: .milliseconds(400))
        system.vvs.signal(SIGKILL)
        _ = await system.vvs.waitForExit()
        let told = await stream.value
        print("swaps answered before the SIGKILL: \(told.count)")

        system.vvs = try await startService(.vvs, deployment: system.service.deployment, context: system.service.context)
        try await Deployment.waitForPools(client)
        // One more swap: the queue resolves whatever the kill left pending first.
        _ = try await client.call(VVSMethod.swap, SwapRequest(wallet: "agent", from: "CRO", to: "USDC", amount: "1", slippageBps: 5000))

        let history = try await system.history(start.address)
        let inputs = history.filter { $0.from.lowercased() == system.trader.lowercased() && $0.token.symbol == "CRO" }
        let payouts = history.filter { $0.to.lowercased() == system.trader.lowercased() && $0.token.symbol == "USDC" }
        XCTAssertEqual(inputs.count, payouts.count, "every input has its payout")
        XCTAssertGreaterThanOrEqual(inputs.count, told.count + 1)
        let hashes = Set(history.map(\.hash))
        for reply in told {
            XCTAssertTrue(reply.transactions.allSatisfy(hashes.contains), "\(reply.id) is in the ledger")
        }
        XCTAssertEqual(Set(inputs.map(\.hash)).count, inputs.count, "no input twice")
        let end = try await system.pool("CRO-USDC")
        let ledgerCRO = try await system.ledgerBalance(start.address, "CRO")
        let ledgerUSDC = try await system.ledgerBalance(start.address, "USDC")
        let croFirst = end.token0.symbol == "CRO"
        XCTAssertEqual(croFirst ? [end.reserve0.baseUnits, end.reserve1.baseUnits] : [end.reserve1.baseUnits, end.reserve0.baseUnits], [ledgerCRO, ledgerUSDC])
        let startCRO = croFirst ? start.reserve0.baseUnits : start.reserve1.baseUnits
        XCTAssertEqual(ledgerCRO - startCRO, inputs.reduce(BigUInt(0)) { $0 + $1.value.baseUnits }, "the pool holds exactly the inputs")
        await system.service.stop()
    }
}

/// Uniswap V2's `getAmountOut`, written again here so the replay does not trust the service's own.
enum ConstantProductReplay {
    static func amountOut(_ amountIn: BigUInt, reserveIn: BigUInt, reserveOut: BigUInt) throws -> BigUInt {
        let withFee = amountIn * 997
        return withFee * reserveOut / (reserveIn * 1000 + withFee)
    }
}
