import ArgumentParser
import Foundation
import PaygentMoonlander
import PaygentMoonlanderAPI
import PaygentPayments
import PaygentPaymentsAPI
import PaygentRuntime
import PaygentTransport
import PaygentWire

/// `paygent-bench moonlander`: positions opened end to end over RPC (the wallet's signed
/// collateral settled on the ledger), beside the ledger's rate of settling one-transfer batches
/// (an open's shape) in the same run; then price ticks over `positions` open positions that all
/// carry a stop-loss and a take-profit, with the keeper's own cost per tick as the service
/// measures it (`health`: `keeper.tick_p50_us`, `keeper.tick_p99_us`).
struct MoonlanderBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "moonlander",
        abstract: "Opens per second end to end against the ledger's settle rate, and the keeper's cost per price tick over 10,000 open positions with triggers.")

    @Option(help: "Positions opened (each with a stop-loss and a take-profit); also the batches for the ledger's rate.") var positions = 10_000
    @Option(help: "Price ticks sent once the positions are open.") var ticks = 2_000
    @Option(help: "Calls in flight for the rate cases.") var inflight = 8

    func run() async throws {
        let services = try InProcessServices([PaymentsService.definition, MoonlanderService.definition], settings: [("moonlander", "oracle", "fixed")])
        defer { services.remove() }
        let payments = try services.client(.payments)
        let moonlander = try services.client(.moonlander)
        defer {
            payments.close()
            moonlander.close()
        }
        for _ in 0..<600 {
            if (try? await moonlander.call(MoonlanderMethod.markets, MarketsRequest(), deadline: .milliseconds(500)).markets.allSatisfy { $0.price != nil })
                == true
            {
                break
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        let tokens = try await payments.call(PaymentsMethod.tokens, TokensRequest())
        let wallet = try await payments.call(PaymentsMethod.walletCreate, WalletCreateRequest(name: "bench"))
        _ = try await payments.call(PaymentsMethod.walletLimit, WalletLimitRequest(wallet: "bench", token: "USDC", amount: nil))
        let _: LedgerReceipt = try await payments.call(
            PaymentsMethod.faucet, FaucetRequest(to: wallet.address, token: "USDC", amount: "\(20 * (positions + 200))"))
        _ = try await moonlander.call(MoonlanderMethod.priceSet, PriceSetRequest(market: "BTC-USD", price: "100000"), idempotencyKey: "bench-price")

        let settleRate = try await VVSBench.ledgerSettleRate(payments, tokens: tokens, batches: positions, inflight: inflight, transfers: 1)
        // The wallet's signature alone (what each open asks the payments service for first).
        let vault = try await moonlander.call(MoonlanderMethod.markets, MarketsRequest()).vault
        let authorizations = try await CallTimings.measure(requests: min(positions, 2_000), depth: inflight, warmUp: 0) { index in
            _ = try await payments.call(
                PaymentsMethod.walletAuthorize, WalletAuthorizeRequest(wallet: "bench", to: vault, token: "USDC", amount: "0.01", validSeconds: 10),
                idempotencyKey: "bench-authorize-\(index)")
        }
        let opens = try await CallTimings.measure(requests: positions, depth: inflight, warmUp: 0) { index in
            let long = index % 2 == 0
            let request = OpenRequest(
                wallet: "bench", market: "BTC-USD", side: long ? "long" : "short", collateral: "10", leverage: 2,
                stopLoss: long ? "\(60_000 + index % 1000)" : "\(140_000 + index % 1000)", takeProfit: long ? "\(150_000 + index % 1000)" : "\(50_000 + index % 1000)")
            _ = try await moonlander.call(MoonlanderMethod.open, request, deadline: .seconds(60), idempotencyKey: "bench-open-\(index)")
        }
        let open = try await moonlander.call(MoonlanderMethod.markets, MarketsRequest()).markets.first { $0.symbol == "BTC-USD" }
        let tickCalls = try await CallTimings.measure(requests: ticks, depth: 1, warmUp: 0) { index in
            let price = "\(99_000 + (index * 7919) % 2000).\(index % 100)"
            let tick = try await moonlander.call(MoonlanderMethod.priceSet, PriceSetRequest(market: "BTC-USD", price: price), idempotencyKey: "bench-tick-\(index)")
            guard tick.triggered.isEmpty, tick.liquidated.isEmpty else { throw ValidationError("a tick inside the band closed a position") }
        }
        let health = try await moonlander.call(CommonMethod.health, HealthRequest()).details ?? [:]
        let keeperP50 = Double(health["keeper.tick_p50_us"] ?? "") ?? .infinity
        let keeperP99 = Double(health["keeper.tick_p99_us"] ?? "") ?? .infinity

        await services.stop()

        let openSize = open.map { ($0.longOpenInterest.baseUnits + $0.shortOpenInterest.baseUnits).description } ?? "?"
        print("moonlander: \(positions) positions opened at \(inflight) in flight (BTC-USD open interest \(openSize) base units), then \(ticks) ticks; one process, over ipc")
        print("")
        print("\(pad("case", 52)) \(leftPad("in flight", 9)) \(leftPad("p50 µs", 9)) \(leftPad("p99 µs", 9)) \(leftPad("per s", 9))")
        let rows: [(String, Int, Double, Double, Double)] = [
            ("wallet authorization over RPC (payments)", inflight, authorizations.p50, authorizations.p99, authorizations.rate),
            ("open over RPC, collateral settled", inflight, opens.p50, opens.p99, opens.rate),
            ("price tick over RPC (price_set), \(positions) positions", 1, tickCalls.p50, tickCalls.p99, tickCalls.rate),
            ("keeper's evaluation of a tick (in the service)", 1, keeperP50, keeperP99, keeperP50 > 0 ? 1e6 / keeperP50 : 0),
        ]
        for (name, depth, p50, p99, rate) in rows {
            print("\(pad(name, 52)) \(leftPad("\(depth)", 9)) \(leftPad(format(p50), 9)) \(leftPad(format(p99), 9)) \(leftPad(format(rate, 0), 9))")
        }
        print("ledger: one-transfer batches settled over RPC at \(inflight) in flight: \(format(settleRate, 0))/s")
        print("opens settled in \(health["open_blocks.sent"] ?? "?") blocks (\(health["open_blocks.opens"] ?? "?") opens)")
        print("")
        var verdicts = Verdicts()
        verdicts.add(
            "moonlander-keeper-tick-p99", measured: "\(format(keeperP99)) µs over \(positions) positions with triggers", goal: "≤ 5000 µs",
            pass: keeperP99 <= 5000)
        let share = opens.rate / settleRate
        verdicts.add(
            "moonlander-open-throughput", measured: "\(format(share * 100, 0))% of the ledger's settle rate (\(format(opens.rate, 0)) vs \(format(settleRate, 0))/s)",
            goal: "≥ 50%", pass: share >= 0.5)
        verdicts.print()
        if verdicts.failed { throw ExitCode(1) }
    }
}
