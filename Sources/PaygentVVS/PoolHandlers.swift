import BigInt
import Foundation
import PaygentLedgerAccounts
import PaygentMoney
import PaygentPaymentsAPI
import PaygentServiceKit
import PaygentTransport
import PaygentVVSAPI
import PaygentWire
import Synchronization

/// `vvs.pools` and `vvs.quote`: the pools as recorded (equal to the ledger), and the best route
/// for a swap over them.
struct PoolHandlers: HandlerGroup {
    let store: PoolStore
    /// The ledger's tokens, once the pools are open.
    let tokens: LedgerTokens

    func register(on server: RPCServer) {
        // Both answer from the snapshot in memory within microseconds: on the server's thread
        // when it is idle (no hand-off), on the pool when other requests are in flight.
        server.register(VVSMethod.pools, placement: .loopWhenIdle) { _, _ in
            let known = try tokens.all()
            return PoolsReply(pools: try store.all().filter(\.ready).map { try info($0, known) })
        }
        server.register(VVSMethod.quote, placement: .loopWhenIdle) { request, _ in
            try quote(request)
        }
    }

    func info(_ pool: PoolStore.Row, _ tokens: [String: TokenInfo]) throws -> PoolInfo {
        let token = { (symbol: String) in
            tokens[symbol].map { PoolToken(symbol: $0.symbol, address: $0.address, decimals: $0.decimals) }
                ?? PoolToken(symbol: symbol, address: "", decimals: 18)
        }
        return PoolInfo(
            id: pool.id, token0: token(pool.token0), token1: token(pool.token1), reserve0: try Amount(baseUnits: pool.reserve0),
            reserve1: try Amount(baseUnits: pool.reserve1), lpSupply: try Amount(baseUnits: pool.lpSupply), feeBps: pool.feeBps, address: pool.address,
            lpToken: pool.lpToken)
    }

    private func token(_ symbol: String, _ field: String, in tokens: [String: TokenInfo]) throws(PaygentError) -> TokenInfo {
        guard let token = tokens[symbol.uppercased()] else {
            throw PaygentError(.notFound, "\(field): no token '\(symbol)'; the ledger has \(tokens.keys.sorted().joined(separator: ", "))")
        }
        return token
    }

    /// The best route over `routing` (by default, the recorded reserves).
    func quote(_ request: QuoteRequest, routing given: PoolStore.Routing? = nil) throws -> QuoteReply {
        let known = try tokens.all()
        let from = try token(request.from, "from", in: known), to = try token(request.to, "to", in: known)
        guard from.symbol != to.symbol else { throw PaygentError(.badRequest, "from and to are the same token (\(from.symbol))") }
        let slippage = request.slippageBps ?? 50
        guard (0...QuoteFigures.maxSlippageBps).contains(slippage) else {
            throw PaygentError(.badRequest, "slippageBps: 0 to \(QuoteFigures.maxSlippageBps) (50 %), got \(slippage)")
        }
        let fixed = request.side == .exactInput ? from : to
        let amount = try Validate.amount(request.amount, decimals: fixed.decimals, field: "amount").baseUnits
        let routing = try given ?? store.routing()
        let (pools, router) = (routing.pools, routing.router)
        let found = request.side == .exactInput
            ? router.bestExactInput(amount, from: from.symbol, to: to.symbol)
            : router.bestExactOutput(amount, from: from.symbol, to: to.symbol)
        guard let route = found else {
            let anyPath = router.bestExactInput(1, from: from.symbol, to: to.symbol) != nil
                || !router.paths(from: from.symbol, to: to.symbol, maxHops: Router.maxHops).isEmpty
            throw PaygentError(
                .failedPrecondition,
                anyPath
                    ? "no route can swap \(request.amount) \(fixed.symbol): "
                        + (request.side == .exactOutput ? "the pools hold less \(to.symbol) than that" : "the amount is too small to buy anything")
                    : "no route of up to \(Router.maxHops) pools leads from \(from.symbol) to \(to.symbol)")
        }
        let figures = try QuoteFigures.of(route, pools: pools, slippageBps: slippage)
        return QuoteReply(
            path: route.tokens, pools: route.pools, amountIn: try Amount(baseUnits: route.amountIn), amountOut: try Amount(baseUnits: route.amountOut),
            decimalsIn: from.decimals, decimalsOut: to.decimals, priceImpactPPM: Int(figures.priceImpactPPM),
            fees: try figures.fees.map { try Amount(baseUnits: $0) }, slippageBps: slippage,
            minimumReceived: try Amount(baseUnits: figures.minimumReceived), maximumSold: try Amount(baseUnits: figures.maximumSold))
    }
}

extension LedgerTokens {
    /// The vvs service's: known once the pools are open.
    static func vvs() -> LedgerTokens {
        LedgerTokens(opening: "the vvs service is still opening its pools (it waits for the payments service); try again shortly")
    }
}
