import BigInt
import Foundation
import PaygentMoney
import PaygentPayments
import PaygentPaymentsAPI
import PaygentTestSupport
import PaygentTransport
import PaygentVVS
import PaygentVVSAPI
import PaygentWire
import Synchronization
import XCTest

/// Swaps through the payments ledger, in process: balances move exactly by the quoted amounts,
/// a missed bound or deadline moves nothing, and concurrent swaps on one pool end where the same
/// swaps applied one by one in settlement order would.
final class SwapTests: XCTestCase {
    struct System {
        let deployment: TestDeployment
        let payments: InProcessService
        let vvs: InProcessService
        let wallet: WalletInfo

        static func start() async throws -> System {
            let deployment = try TestDeployment()
            let payments = try await InProcessService(PaymentsService.definition, deployment: deployment)
            let vvs = try await InProcessService(VVSService.definition, deployment: deployment)
            let deadline = ContinuousClock.now + .seconds(30)
            while (try? await vvs.client.call(VVSMethod.pools, PoolsRequest()).pools.count) != 6 {
                guard ContinuousClock.now < deadline else { throw TestFailure("the pools did not open") }
                try await Task.sleep(for: .milliseconds(50))
            }
            let wallet: WalletInfo = try await payments.client.call(PaymentsMethod.walletCreate, WalletCreateRequest(name: "trader"))
            for (token, amount) in [("CRO", "100000"), ("VVS", "1000000000"), ("USDC", "10000")] {
                let _: LedgerReceipt = try await payments.client.call(PaymentsMethod.faucet, FaucetRequest(to: wallet.address, token: token, amount: amount))
            }
            return System(deployment: deployment, payments: payments, vvs: vvs, wallet: wallet)
        }

        func stop() async throws {
            try await vvs.stop()
            try await payments.stop()
            deployment.remove()
        }

        func balance(_ owner: String, _ symbol: String) async throws -> BigUInt {
            let balances = try await payments.client.call(PaymentsMethod.balances, BalancesRequest(owner: owner)).balances
            return balances.first { $0.token.symbol == symbol }?.amount.baseUnits ?? 0
        }

        func pool(_ id: String) async throws -> PoolInfo {
            try await vvs.client.call(VVSMethod.pools, PoolsRequest()).pools.first { $0.id == id }!
        }
    }

    func testSwapsMoveExactlyTheQuotedAmounts() async throws {
        let system = try await System.start()
        let vvs = system.vvs.client
        let trader = system.wallet.address

        // Direct, exact input, with the quote's own minimum.
        let quote = try await vvs.call(VVSMethod.quote, QuoteRequest(from: "CRO", to: "USDC", amount: "1000"))
        let before = try await system.pool("CRO-USDC")
        let (croBefore, usdcBefore) = (try await system.balance(trader, "CRO"), try await system.balance(trader, "USDC"))
        let swapped = try await vvs.call(
            VVSMethod.swap,
            SwapRequest(wallet: "trader", from: "CRO", to: "USDC", amount: "1000", minimumReceived: quote.minimumReceived.formatted(decimals: 6)))
        XCTAssertEqual(swapped.amountIn, quote.amountIn)
        XCTAssertEqual(swapped.amountOut, quote.amountOut)
        XCTAssertEqual(swapped.trader, trader)
        XCTAssertEqual(swapped.transactions.count, 2, "the input and the pool's payout, one batch")
        let croAfter = try await system.balance(trader, "CRO"), usdcAfter = try await system.balance(trader, "USDC")
        XCTAssertEqual(croBefore - croAfter, quote.amountIn.baseUnits)
        XCTAssertEqual(usdcAfter - usdcBefore, quote.amountOut.baseUnits)
        let after = try await system.pool("CRO-USDC")
        XCTAssertEqual(after.reserve0.baseUnits, before.reserve0.baseUnits + quote.amountIn.baseUnits, "CRO in")
        XCTAssertEqual(after.reserve1.baseUnits, before.reserve1.baseUnits - quote.amountOut.baseUnits, "USDC out")
        let poolCRO = try await system.balance(after.address, "CRO")
        XCTAssertEqual(poolCRO, after.reserve0.baseUnits, "the record is the ledger")
        XCTAssertGreaterThan(after.reserve0.baseUnits * after.reserve1.baseUnits, before.reserve0.baseUnits * before.reserve1.baseUnits, "k grows by the fee")

        // Three hops: each pool moves by its hop, the trader by the ends, nothing else.
        let routedQuote = try await vvs.call(VVSMethod.quote, QuoteRequest(from: "VVS", to: "WBTC", amount: "100000000"))
        let poolsBefore = try await system.vvs.client.call(VVSMethod.pools, PoolsRequest()).pools
        let routed = try await vvs.call(VVSMethod.swap, SwapRequest(wallet: "trader", from: "VVS", to: "WBTC", amount: "100000000"))
        XCTAssertEqual(routed.path, ["VVS", "CRO", "USDC", "WBTC"])
        XCTAssertEqual(routed.amountOut, routedQuote.amountOut)
        XCTAssertEqual(routed.transactions.count, 4)
        let value1 = try await system.balance(trader, "WBTC")
        XCTAssertEqual(value1, routedQuote.amountOut.baseUnits)
        let poolsAfter = try await system.vvs.client.call(VVSMethod.pools, PoolsRequest()).pools
        for pool in poolsAfter {
            let old = poolsBefore.first { $0.id == pool.id }!
            let moved = pool.reserve0 != old.reserve0 || pool.reserve1 != old.reserve1
            XCTAssertEqual(moved, routed.pools.contains(pool.id), pool.id)
            let value2 = try await system.balance(pool.address, pool.token0.symbol)
            XCTAssertEqual(value2, pool.reserve0.baseUnits, pool.id)
            let value3 = try await system.balance(pool.address, pool.token1.symbol)
            XCTAssertEqual(value3, pool.reserve1.baseUnits, pool.id)
        }

        // Exact output: exactly 1 WETH, for no more than the quote's maximum.
        let buy = try await vvs.call(VVSMethod.quote, QuoteRequest(from: "USDC", to: "WETH", amount: "1", side: .exactOutput))
        let usdcBeforeBuy = try await system.balance(trader, "USDC")
        let bought = try await vvs.call(
            VVSMethod.swap,
            SwapRequest(wallet: "trader", from: "USDC", to: "WETH", amount: "1", side: .exactOutput, maximumSold: buy.maximumSold.formatted(decimals: 6)))
        let value4 = try await system.balance(trader, "WETH")
        XCTAssertGreaterThanOrEqual(bought.amountOut.baseUnits, BigUInt(10).power(18), "at least what was asked")
        XCTAssertEqual(value4, bought.amountOut.baseUnits, "the reply says what was paid")
        let value5 = try await system.balance(trader, "USDC")
        XCTAssertEqual(usdcBeforeBuy - value5, bought.amountIn.baseUnits)
        XCTAssertLessThanOrEqual(bought.amountIn.baseUnits, buy.maximumSold.baseUnits)
        try await system.stop()
    }

    /// Swaps settle in blocks, all or nothing: a swap the ledger refuses (its wallet cannot pay)
    /// gets the refusal, and the swaps that shared its block, or were priced after it, are priced
    /// again and settle, every one on the reserves the ones before it left.
    func testARefusedSwapLeavesTheOthersOfItsBlockToSettle() async throws {
        let system = try await System.start()
        let vvs = system.vvs.client
        let poor = try await system.payments.client.call(PaymentsMethod.walletCreate, WalletCreateRequest(name: "poor"))
        _ = try await system.payments.client.call(PaymentsMethod.faucet, FaucetRequest(to: poor.address, token: "CRO", amount: "1"))
        let start = try await system.pool("CRO-USDC")
        var refusals: [PaygentError] = []
        var settled: [SwapReply] = []
        for _ in 0..<5 {
            let outcomes = await withTaskGroup(of: Result<SwapReply, PaygentError>.self) { group in
                for index in 0..<12 {
                    let request = index == 3
                        ? SwapRequest(wallet: "poor", from: "CRO", to: "USDC", amount: "1000", slippageBps: 5000)
                        : SwapRequest(wallet: "trader", from: "CRO", to: "USDC", amount: "\(10 + index)", slippageBps: 5000)
                    group.addTask {
                        do throws(PaygentError) {
                            return .success(try await vvs.call(VVSMethod.swap, request))
                        } catch {
                            return .failure(error)
                        }
                    }
                }
                return await group.reduce(into: [Result<SwapReply, PaygentError>]()) { $0.append($1) }
            }
            for outcome in outcomes {
                switch outcome {
                case .success(let reply): settled.append(reply)
                case .failure(let error): refusals.append(error)
                }
            }
        }
        XCTAssertEqual(refusals.count, 5, "only the poor wallet's swaps: \(refusals.map(\.message))")
        XCTAssertTrue(refusals.allSatisfy { $0.code == .failedPrecondition && $0.message.contains("insufficient_balance") }, "\(refusals.map(\.message))")
        XCTAssertEqual(settled.count, 55)
        XCTAssertTrue(settled.allSatisfy { $0.trader == system.wallet.address })
        // Replayed in ledger order, on the starting reserves, every output is what was paid.
        let history = try await system.payments.client.call(PaymentsMethod.ledgerHistory, LedgerHistoryRequest(owner: start.address, limit: 1000)).transactions
        let sequence = Dictionary(history.map { ($0.hash, $0.sequence) }, uniquingKeysWith: min)
        let croFirst = start.token0.symbol == "CRO"
        var (cro, usdc) = croFirst ? (start.reserve0.baseUnits, start.reserve1.baseUnits) : (start.reserve1.baseUnits, start.reserve0.baseUnits)
        for reply in settled.sorted(by: { sequence[$0.transactions[0]]! < sequence[$1.transactions[0]]! }) {
            let withFee = reply.amountIn.baseUnits * 997
            let out = withFee * usdc / (cro * 1000 + withFee)
            XCTAssertEqual(reply.amountOut.baseUnits, out, reply.id)
            (cro, usdc) = (cro + reply.amountIn.baseUnits, usdc - out)
        }
        let end = try await system.pool("CRO-USDC")
        XCTAssertEqual(croFirst ? [end.reserve0.baseUnits, end.reserve1.baseUnits] : [end.reserve1.baseUnits, end.reserve0.baseUnits], [cro, usdc])
        let ledgerCRO = try await system.balance(start.address, "CRO")
        XCTAssertEqual(ledgerCRO, cro, "the record is the ledger")
        let poorCRO = try await system.balance(poor.address, "CRO")
        XCTAssertEqual(poorCRO, BigUInt(10).power(18), "nothing left the poor wallet")
        try await system.stop()
    }

    func testAMissedBoundOrDeadlineMovesNothing() async throws {
        let system = try await System.start()
        let vvs = system.vvs.client
        let trader = system.wallet.address
        let quote = try await vvs.call(VVSMethod.quote, QuoteRequest(from: "CRO", to: "USDC", amount: "1000"))
        let greedy = (try Amount(baseUnits: quote.amountOut.baseUnits + 1)).formatted(decimals: 6)
        let refusals: [(SwapRequest, ErrorCode, String)] = [
            (SwapRequest(wallet: "trader", from: "CRO", to: "USDC", amount: "1000", minimumReceived: greedy), .failedPrecondition, "slippage"),
            (SwapRequest(wallet: "trader", from: "CRO", to: "USDC", amount: "1000", deadline: Date().addingTimeInterval(-1)), .failedPrecondition,
             "deadline passed"),
            (SwapRequest(wallet: "trader", from: "USDC", to: "WETH", amount: "1", side: .exactOutput, maximumSold: "1"), .failedPrecondition, "slippage"),
            (SwapRequest(wallet: "trader", from: "CRO", to: "USDC", amount: "100001"), .failedPrecondition, "holds"),
            (SwapRequest(wallet: "nobody", from: "CRO", to: "USDC", amount: "1"), .notFound, "nobody"),
            (SwapRequest(wallet: "trader", from: "CRO", to: "CRO", amount: "1"), .badRequest, "the same token"),
            (SwapRequest(wallet: "trader", from: "CRO", to: "USDC", amount: "0"), .badRequest, "amount"),
        ]
        let croBefore = try await system.balance(trader, "CRO")
        let poolsBefore = try await vvs.call(VVSMethod.pools, PoolsRequest()).pools
        // A daily limit above every amount tried: a refused swap must not count against it.
        _ = try await system.payments.client.call(PaymentsMethod.walletLimit, WalletLimitRequest(wallet: "trader", token: "CRO", amount: "1000000"))
        for (request, code, words) in refusals {
            do {
                _ = try await vvs.call(VVSMethod.swap, request)
                XCTFail("\(request) should be refused")
            } catch {
                XCTAssertEqual(error.code, code, error.message)
                XCTAssertTrue(error.message.contains(words), "\(words): \(error.message)")
            }
        }
        let value6 = try await system.balance(trader, "CRO")
        XCTAssertEqual(value6, croBefore)
        let limits = try await system.payments.client.call(PaymentsMethod.walletList, WalletListRequest()).wallets.first { $0.name == "trader" }?.limits
        let spent = limits?.first { $0.token == "CRO" }?.spentToday.baseUnits ?? 0
        XCTAssertEqual(spent, BigUInt(100001) * BigUInt(10).power(18), "only the swap the ledger refused (its input was signed) counts, until it expires")
        let value7 = try await vvs.call(VVSMethod.pools, PoolsRequest()).pools
        XCTAssertEqual(value7, poolsBefore)
        try await system.stop()
    }

    /// Twenty swaps at once, both ways, on CRO-USDC: they settle one by one, each priced on the
    /// reserves the one before left, so replaying them in the ledger's order with the pair's
    /// arithmetic gives every amount and the final reserves exactly.
    func testConcurrentSwapsEqualTheirSequentialReplay() async throws {
        let system = try await System.start()
        let vvs = system.vvs.client
        let start = try await system.pool("CRO-USDC")
        let requests = (0..<20).map { index in
            index % 2 == 0
                ? SwapRequest(wallet: "trader", from: "CRO", to: "USDC", amount: "\(100 + index * 7)", slippageBps: 5000)
                : SwapRequest(wallet: "trader", from: "USDC", to: "CRO", amount: "\(10 + index)", slippageBps: 5000)
        }
        let replies = try await withThrowingTaskGroup(of: SwapReply.self) { group in
            for request in requests { group.addTask { try await vvs.call(VVSMethod.swap, request, deadline: .seconds(60)) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        XCTAssertEqual(replies.count, 20)
        let history = try await system.payments.client.call(
            PaymentsMethod.ledgerHistory, LedgerHistoryRequest(owner: start.address, limit: 200)).transactions
        let sequence = Dictionary(history.map { ($0.hash, $0.sequence) }, uniquingKeysWith: min)
        let ordered = replies.sorted { sequence[$0.transactions[0]]! < sequence[$1.transactions[0]]! }
        var (cro, usdc) = start.token0.symbol == "CRO" ? (start.reserve0.baseUnits, start.reserve1.baseUnits) : (start.reserve1.baseUnits, start.reserve0.baseUnits)
        for reply in ordered {
            if reply.path[0] == "CRO" {
                let out = try ConstantProduct.amountOut(reply.amountIn.baseUnits, reserveIn: cro, reserveOut: usdc)
                XCTAssertEqual(reply.amountOut.baseUnits, out)
                (cro, usdc) = (cro + reply.amountIn.baseUnits, usdc - out)
            } else {
                let out = try ConstantProduct.amountOut(reply.amountIn.baseUnits, reserveIn: usdc, reserveOut: cro)
                XCTAssertEqual(reply.amountOut.baseUnits, out)
                (usdc, cro) = (usdc + reply.amountIn.baseUnits, cro - out)
            }
        }
        let end = try await system.pool("CRO-USDC")
        XCTAssertEqual(end.token0.symbol == "CRO" ? [end.reserve0.baseUnits, end.reserve1.baseUnits] : [end.reserve1.baseUnits, end.reserve0.baseUnits], [cro, usdc])
        let value8 = try await system.balance(end.address, "CRO")
        XCTAssertEqual(value8, cro)
        let value9 = try await system.balance(end.address, "USDC")
        XCTAssertEqual(value9, usdc)
        try await system.stop()
    }

    /// A settled swap is published (`vvs.swap`), with each of its pools' new reserves
    /// (`vvs.pool.<pair>`).
    func testSwapsArePublished() async throws {
        let system = try await System.start()
        let subscriber = try Subscriber(
            endpoints: [system.deployment.config.endpoints(.vvs).pub], prefixes: [VVSEvent.swap.prefix, VVSEvent.pool.prefix],
            context: system.vvs.context)
        let seen = Mutex<(swaps: [SwapReply], pools: [(String, PoolInfo)])>(([], []))
        let listening = Task {
            for await event in subscriber.events {
                if let body = try? event.decode(VVSEvent.swap) { seen.withLock { $0.swaps.append(body) } }
                if let body = try? event.decode(VVSEvent.pool) { seen.withLock { $0.pools.append((event.topic, body)) } }
            }
        }
        // Slow joiner: swap until the subscription is in place (bounded).
        var replies: [SwapReply] = []
        for _ in 0..<20 where seen.withLock({ $0.swaps.isEmpty || $0.pools.isEmpty }) {
            replies.append(try await system.vvs.client.call(VVSMethod.swap, SwapRequest(wallet: "trader", from: "CRO", to: "USDC", amount: "10")))
            try await Task.sleep(for: .milliseconds(100))
        }
        subscriber.close()
        listening.cancel()
        let (swaps, pools) = seen.withLock { ($0.swaps, $0.pools) }
        let published = try XCTUnwrap(swaps.first)
        XCTAssertTrue(replies.contains(published))
        let (topic, pool) = try XCTUnwrap(pools.first)
        XCTAssertEqual(topic, "vvs.pool.CRO-USDC")
        XCTAssertEqual(pool.id, "CRO-USDC")
        try await system.stop()
    }
}
