import ArgumentParser
import BigInt
import Foundation
import Logging
import PaygentCrypto
import PaygentMoney
import PaygentPayments
import PaygentPaymentsAPI
import PaygentRuntime
import PaygentTransport
import PaygentVVS
import PaygentVVSAPI
import PaygentWire

/// `paygent-bench vvs`: quotes and swaps of the vvs service over RPC, with the payments service
/// and its ledger in the same process, beside a bare RPC round trip and the ledger's rate of
/// settling two-transfer batches (a swap's shape) measured in the same run. The 3-hop route over
/// 50 pools is the router alone: the ledger has 7 tokens, too few for 50 distinct pairs.
struct VVSBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vvs",
        abstract: "Quotes per second (direct over RPC, 3-hop routed over 50 pools) and swaps per second end to end, against a bare RPC round trip and the ledger's settle rate.")

    @Option(help: "Measured quotes per case.") var quotes = 2_000
    @Option(help: "Swaps, and two-transfer batches for the ledger's rate.") var swaps = 400
    @Option(help: "Calls in flight for the rate cases.") var inflight = 8

    func run() async throws {
        let services = try InProcessServices([PaymentsService.definition, VVSService.definition])
        defer { services.remove() }
        let (home, context) = (services.home, services.context)
        let payments = try services.client(.payments)
        let vvs = try services.client(.vvs)
        let echoEndpoint = "ipc://\(home)/echo.rpc"
        let echo = RPCServer(endpoint: echoEndpoint, serviceName: "echo", context: ZMQContext(), logger: Logger(label: "bench") { _ in SwiftLogNoOpLogHandler() })
        echo.register("echo") { (request: BenchEcho, _) in request }
        try echo.start()
        let echoClient = try RPCClient(endpoint: echoEndpoint, serviceName: "echo", context: context)
        defer {
            payments.close()
            vvs.close()
            echoClient.close()
        }
        for _ in 0..<600 {
            if (try? await vvs.call(VVSMethod.pools, PoolsRequest(), deadline: .milliseconds(500)).pools.count) == 6 { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        let tokens = try await payments.call(PaymentsMethod.tokens, TokensRequest())
        let wallet = try await payments.call(PaymentsMethod.walletCreate, WalletCreateRequest(name: "bench"))
        let _: LedgerReceipt = try await payments.call(PaymentsMethod.faucet, FaucetRequest(to: wallet.address, token: "CRO", amount: "10000000"))

        let payload = BenchEcho(payload: Data(repeating: 0x61, count: 64))
        let bare = try await CallTimings.measure(requests: quotes, depth: 1) { _ in let _: BenchEcho = try await echoClient.call("echo", payload) }
        let direct = QuoteRequest(from: "CRO", to: "USDC", amount: "1000")
        let directQuote = try await CallTimings.measure(requests: quotes, depth: 1) { _ in _ = try await vvs.call(VVSMethod.quote, direct) }
        let routed = QuoteRequest(from: "VVS", to: "WBTC", amount: "100000000")
        let routedQuote = try await CallTimings.measure(requests: quotes, depth: 1) { _ in _ = try await vvs.call(VVSMethod.quote, routed) }
        let (router, pairs) = Self.router(pools: 50)
        let routerAlone = try await CallTimings.measure(requests: quotes, depth: 1) { index in
            let (from, to) = pairs[index % pairs.count]
            guard router.bestExactInput(BigUInt(1_000_000 + index), from: from, to: to) != nil else { throw ValidationError("no route \(from)→\(to)") }
        }
        let settleRate = try await Self.ledgerSettleRate(payments, tokens: tokens, batches: swaps, inflight: inflight)
        let swapRate = try await CallTimings.measure(requests: swaps, depth: inflight, warmUp: 20) { index in
            let request = index % 2 == 0
                ? SwapRequest(wallet: "bench", from: "CRO", to: "USDC", amount: "10", slippageBps: 5000)
                : SwapRequest(wallet: "bench", from: "USDC", to: "CRO", amount: "0.5", slippageBps: 5000)
            _ = try await vvs.call(VVSMethod.swap, request, deadline: .seconds(60), idempotencyKey: "bench-\(index)")
        }

        await services.stop()
        await echo.shutdown(grace: .seconds(1))

        print("vvs: \(quotes) quotes per case, \(swaps) swaps at \(inflight) in flight; payments and vvs in one process, over ipc")
        print("")
        print("\(pad("case", 46)) \(leftPad("in flight", 9)) \(leftPad("p50 µs", 9)) \(leftPad("p99 µs", 9)) \(leftPad("per s", 9))")
        let rows: [(String, Int, CallTimings)] = [
            ("bare RPC round trip (64-byte echo)", 1, bare), ("quote over RPC, direct (CRO→USDC)", 1, directQuote),
            ("quote over RPC, 3 hops (VVS→CRO→USDC→WBTC)", 1, routedQuote), ("router alone, up to 3 hops over 50 pools", 1, routerAlone),
            ("swap over RPC, settled", inflight, swapRate),
        ]
        for (name, depth, figures) in rows {
            print("\(pad(name, 46)) \(leftPad("\(depth)", 9)) \(leftPad(format(figures.p50), 9)) \(leftPad(format(figures.p99), 9)) \(leftPad(format(figures.rate, 0), 9))")
        }
        print("ledger: two-transfer batches settled over RPC at \(inflight) in flight: \(format(settleRate, 0))/s")
        print("")
        var verdicts = Verdicts()
        let ratio = directQuote.p50 / bare.p50
        verdicts.add(
            "vvs-direct-quote-p50", measured: "\(format(ratio, 2))x bare (\(format(directQuote.p50)) vs \(format(bare.p50)) µs)", goal: "≤ 1.3x",
            pass: ratio <= 1.3)
        let share = swapRate.rate / settleRate
        verdicts.add(
            "vvs-swap-throughput", measured: "\(format(share * 100, 0))% of the ledger's batch-settle rate (\(format(swapRate.rate, 0)) vs \(format(settleRate, 0))/s)",
            goal: "≥ 50%", pass: share >= 0.5)
        verdicts.print()
        if verdicts.failed { throw ExitCode(1) }
    }

    /// `count` pools over 15 tokens, each token in at least one pool, and token pairs that need
    /// routing (no direct pool) but are reachable within 3 hops.
    static func router(pools count: Int) -> (Router, [(String, String)]) {
        let tokens = (0..<15).map { "T\($0)" }
        var pools: [PoolReserves] = []
        var seen = Set<[String]>()
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
        // A ring first, so every token is reachable; then random chords.
        for index in 0..<tokens.count where pools.count < count {
            let pair = [tokens[index], tokens[(index + 1) % tokens.count]].sorted()
            seen.insert(pair)
            pools.append(PoolReserves(id: "p\(pools.count)", token0: pair[0], token1: pair[1], reserve0: BigUInt(10).power(24), reserve1: BigUInt(10).power(24)))
        }
        while pools.count < count {
            let pair = [tokens[next(tokens.count)], tokens[next(tokens.count)]].sorted()
            guard pair[0] != pair[1], seen.insert(pair).inserted else { continue }
            let depth = BigUInt(10).power(20 + next(5))
            pools.append(PoolReserves(id: "p\(pools.count)", token0: pair[0], token1: pair[1], reserve0: depth, reserve1: depth * BigUInt(1 + next(9))))
        }
        let router = Router(pools: pools)
        var pairs: [(String, String)] = []
        for a in tokens {
            for b in tokens where a != b && !seen.contains([a, b].sorted()) && router.bestExactInput(1_000_000, from: a, to: b) != nil {
                pairs.append((a, b))
            }
        }
        return (router, pairs)
    }

    /// Settles `batches` batches of `transfers` EIP-3009 transfers (two: a payer's input and a
    /// pool's payout, as a swap settles; one: a deposit, as a perpetual opens) over RPC,
    /// `inflight` at a time, from accounts funded for the purpose.
    static func ledgerSettleRate(_ payments: RPCClient, tokens: TokensReply, batches: Int, inflight: Int, transfers: Int = 2) async throws -> Double {
        guard let cro = tokens.tokens.first(where: { $0.symbol == "CRO" }), let name = cro.domainName, let version = cro.domainVersion else {
            throw ValidationError("the ledger has no CRO")
        }
        let domain = TokenDomain(name: name, version: version, chainID: BigUInt(tokens.chainID), verifyingContract: try Address(cro.address))
        let accounts = try (0..<(2 * inflight)).map { _ in try PrivateKey.generate() }
        for account in accounts {
            let _: LedgerReceipt = try await payments.call(PaymentsMethod.faucet, FaucetRequest(to: account.address.eip55, token: "CRO", amount: "1000000"))
        }
        func transfer(_ from: PrivateKey, _ to: PrivateKey) throws -> SignedTransferMessage {
            let authorization = TransferWithAuthorization(
                from: from.address, to: to.address, value: BigUInt(10).power(18), validAfter: 0, validBefore: BigUInt(4_000_000_000),
                nonce: (0..<32).map { _ in UInt8.random(in: 0...255) })
            let signature = try authorization.sign(with: from, domain: domain)
            return SignedTransferMessage(
                token: cro.address, from: from.address.eip55, to: to.address.eip55, value: try Amount(baseUnits: authorization.value),
                validAfter: "0", validBefore: authorization.validBefore.description, nonce: Data(authorization.nonce), signature: Data(signature.bytes))
        }
        // Signed before the clock starts: the rate is the ledger's, not the signer's.
        let signed = try (0..<batches).map { index -> SettleRequest in
            let worker = index % inflight
            let pair = [try transfer(accounts[2 * worker], accounts[2 * worker + 1]), try transfer(accounts[2 * worker + 1], accounts[2 * worker])]
            return SettleRequest(transfers: Array(pair.prefix(transfers)))
        }
        let timings = try await CallTimings.measure(requests: batches, depth: inflight, warmUp: 0) { index in
            let _: LedgerReceipt = try await payments.call(PaymentsMethod.settle, signed[index], idempotencyKey: "bench-batch-\(index)")
        }
        return timings.rate
    }
}
