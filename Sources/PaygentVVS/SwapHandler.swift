import BigInt
import Foundation
import Logging
import PaygentCrypto
import PaygentMoney
import PaygentPaymentsAPI
import PaygentRuntime
import PaygentServiceKit
import PaygentTransport
import PaygentVVSAPI
import PaygentWire

/// `vvs.swap`. Swaps run one at a time (`SwapQueue`): each is quoted on the reserves it settles
/// against, so none is priced on stale reserves. For each:
///
/// 1. the route is quoted again; a result beyond the caller's bound, or a passed deadline, is
///    refused with nothing moved;
/// 2. the payments service signs (without settling) the wallet's input to the first pool, under
///    the swap's idempotency key (`payments.wallet_authorize`), and the service signs each pool's
///    payout (to the next pool, the last to the wallet) with the pool's key;
/// 3. the pair check (`ConstantProduct.checkSwap`) is run on every pool's balances after the
///    swap: a failure is a bug, logged critical, and refused;
/// 4. the batch is recorded pending, then settled all or nothing (`payments.settle`, same key);
///    the pools' new reserves are recorded with the outcome, then read back from the ledger.
///
/// A swap found pending at start (a crash during 4) is sent again under its key before any new
/// swap: the ledger settles it once (or answers its first receipt), or refuses it once expired.
struct SwapHandler: HandlerGroup {
    let store: PoolStore
    let tokens: LedgerTokens
    let payments: RPCClient
    let keys: PoolKeys
    let queue: SwapQueue
    let seeder: PoolSeeder
    /// Liquidity and farm operations left pending are resolved with the swaps.
    let settler: OperationSettler
    let publisher: Publisher
    let time: ServiceTime
    let random: RandomSource
    let logger: Logger
    var signer: PoolSigner { PoolSigner(tokens: tokens, random: random) }

    func register(on server: RPCServer) {
        server.register(VVSMethod.swap) { request, context in
            let reply = try await queue.serially { try await swap(request, idempotencyKey: context.idempotencyKey) }
            context.logger.info("swap settled", metadata: [
                "vvs.swap": "\(reply.id)", "vvs.path": "\(reply.path.joined(separator: ">"))", "vvs.in": "\(reply.amountIn)",
                "vvs.out": "\(reply.amountOut)",
            ])
            return reply
        }
    }

    private func swap(_ request: SwapRequest, idempotencyKey: String?) async throws -> SwapReply {
        let id = IdempotentWrites.id(prefix: "swap", method: VVSMethod.swap.name, key: idempotencyKey, random: random)
        let fingerprint = try IdempotentWrites.fingerprint(request)
        if let replayed = try IdempotentWrites.replay(try store.recorded(in: .swap, id: id), request: fingerprint, as: SwapReply.self) {
            return replayed
        }
        let now = time.now()
        let deadline = request.deadline ?? now.addingTimeInterval(120)
        guard deadline >= now else {
            throw PaygentError(.failedPrecondition, "the swap's deadline passed at \(deadline.formatted(.iso8601)); nothing moved")
        }
        let quote = try PoolHandlers(store: store, tokens: tokens).quote(
            QuoteRequest(from: request.from, to: request.to, amount: request.amount, side: request.side, slippageBps: request.slippageBps))
        let known = try tokens.all()
        guard let from = known[quote.path.first ?? ""], let to = known[quote.path.last ?? ""] else {
            throw PaygentError(.internal, "the quote names an unknown token")
        }
        try checkBound(request, quote, from: from, to: to)

        let pools = Dictionary(uniqueKeysWithValues: try store.all().map { ($0.id, $0) })
        let route = try quote.pools.map { id throws(PaygentError) -> PoolStore.Row in
            guard let pool = pools[id] else { throw PaygentError(.internal, "the route names an unknown pool \(id)") }
            return pool
        }
        let hops = try hopAmounts(quote, route: route, first: quote.amountIn.baseUnits)
        let key = "vvs-swap-\(id)"

        let input = try await payments.call(
            PaymentsMethod.walletAuthorize,
            WalletAuthorizeRequest(
                wallet: request.wallet, to: route[0].address, token: from.symbol, amount: quote.amountIn.formatted(decimals: from.decimals),
                validSeconds: PoolSigner.validSeconds),
            deadline: .seconds(10), idempotencyKey: key)
        // The pools pay out only against exactly the input priced: this token, this amount, to
        // the first pool of the route.
        guard input.token.lowercased() == from.address.lowercased(), input.value.baseUnits == hops[0],
            input.to.lowercased() == route[0].address.lowercased()
        else {
            throw PaygentError(.internal, "the wallet's authorization is not for \(quote.amountIn) \(from.symbol) to pool \(route[0].id); refused, nothing moved")
        }
        var batch = [input]
        var reserves: [(id: String, BigUInt, BigUInt)] = []
        let validBefore = PoolSigner.validBefore(now)
        for (step, pool) in route.enumerated() {
            let (tokenIn, tokenOut) = (quote.path[step], quote.path[step + 1])
            let (amountIn, amountOut) = (hops[step], hops[step + 1])
            let recipient = step + 1 < route.count ? route[step + 1].address : input.from
            batch.append(try signer.transfer(from: try keys.key(pool: pool.id), token: tokenOut, amount: amountOut, to: recipient, validBefore: validBefore))
            // The pair's own check, on the pool's balances after this hop.
            let inIsToken0 = pool.token0 == tokenIn
            let after0 = inIsToken0 ? pool.reserve0 + amountIn : pool.reserve0 - amountOut
            let after1 = inIsToken0 ? pool.reserve1 - amountOut : pool.reserve1 + amountIn
            do {
                try ConstantProduct.checkSwap(
                    balances: (after0, after1), amountsIn: inIsToken0 ? (amountIn, 0) : (0, amountIn), reserves: (pool.reserve0, pool.reserve1))
            } catch {
                logger.critical("a swap would break the pool's invariant; refused", metadata: ["vvs.pool": "\(pool.id)", "vvs.swap": "\(id)"])
                throw PaygentError(.internal, "the swap would break pool \(pool.id)'s invariant; refused, nothing moved")
            }
            reserves.append((pool.id, after0, after1))
        }
        let settle = SettleRequest(transfers: batch)
        // For an exact output the last payout may exceed the amount asked by the rounding of
        // getAmountIn; the reply says what was paid.
        var reply = SwapReply(
            id: id, path: quote.path, pools: quote.pools, amountIn: quote.amountIn, amountOut: try Amount(baseUnits: hops[hops.count - 1]),
            decimalsIn: from.decimals, decimalsOut: to.decimals, trader: input.from, transactions: [])
        try store.swapPending(
            id: id, key: key, wallet: input.from, batch: try JSONEncoder().encode(settle), request: fingerprint,
            reply: try IdempotentWrites.encode(reply), now: now)
        let receipt: LedgerReceipt
        do {
            receipt = try await payments.call(PaymentsMethod.settle, settle, deadline: .seconds(10), idempotencyKey: key)
        } catch where Self.outcomeUnknown(error.code) {
            // Sent, outcome unknown: left pending; the next swap (or start) resolves it first.
            throw PaygentError(.unavailable, "the swap \(id) was sent and its outcome is not known yet (\(error.message)); it is resolved before the next swap")
        } catch {
            try store.swapFinished(id: id, settled: false, error: error.message, reserves: [])
            throw PaygentError(error.code, "the ledger refused the swap, nothing moved: \(error.message)")
        }
        reply.transactions = receipt.transactions.map(\.hash)
        try store.swapFinished(id: id, settled: true, error: nil, transactions: reply.transactions, reserves: reserves)
        try await seeder.reconcile(only: Set(route.map(\.id)))
        publisher.publish(VVSEvent.swap, reply)
        let handlers = PoolHandlers(store: store, tokens: tokens)
        for pool in try store.all() where reply.pools.contains(pool.id) {
            publisher.publish(VVSEvent.pool, topic: "vvs.pool.\(pool.id)", try handlers.info(pool, known))
        }
        return reply
    }

    /// The caller's bound: for an exact input the least output, for an exact output the most input.
    private func checkBound(_ request: SwapRequest, _ quote: QuoteReply, from: TokenInfo, to: TokenInfo) throws(PaygentError) {
        switch request.side {
        case .exactInput:
            let minimum = try request.minimumReceived.map { text throws(PaygentError) in
                try Validate.amount(text, decimals: to.decimals, field: "minimumReceived", allowZero: true).baseUnits
            } ?? quote.minimumReceived.baseUnits
            guard quote.amountOut.baseUnits >= minimum else {
                throw PaygentError(
                    .failedPrecondition,
                    "slippage: the swap would give \(quote.amountOut.formatted(decimals: to.decimals)) \(to.symbol), less than the minimum "
                        + "\((try? Amount(baseUnits: minimum))?.formatted(decimals: to.decimals) ?? "\(minimum)") \(to.symbol); nothing moved")
            }
        case .exactOutput:
            let maximum = try request.maximumSold.map { text throws(PaygentError) in
                try Validate.amount(text, decimals: from.decimals, field: "maximumSold").baseUnits
            } ?? quote.maximumSold.baseUnits
            guard quote.amountIn.baseUnits <= maximum else {
                throw PaygentError(
                    .failedPrecondition,
                    "slippage: the swap would cost \(quote.amountIn.formatted(decimals: from.decimals)) \(from.symbol), more than the maximum "
                        + "\((try? Amount(baseUnits: maximum))?.formatted(decimals: from.decimals) ?? "\(maximum)") \(from.symbol); nothing moved")
            }
        }
    }

    /// The amount entering each hop and, last, the output: the quote's route worked forward from
    /// its input (for an exact output the quote's input already buys at least the output).
    private func hopAmounts(_ quote: QuoteReply, route: [PoolStore.Row], first: BigUInt) throws -> [BigUInt] {
        var amounts = [first]
        for (step, pool) in route.enumerated() {
            let reserves = pool.token0 == quote.path[step] ? (pool.reserve0, pool.reserve1) : (pool.reserve1, pool.reserve0)
            amounts.append(try ConstantProduct.amountOut(amounts[step], reserveIn: reserves.0, reserveOut: reserves.1))
        }
        guard amounts.last! >= quote.amountOut.baseUnits else { throw PaygentError(.internal, "the route gives less than its quote") }
        return amounts
    }

    /// A call that failed this way may still have been applied.
    static func outcomeUnknown(_ code: ErrorCode) -> Bool {
        code == .unavailable || code == .deadlineExceeded || code == .cancelled
    }

    /// Sends again, under their keys, the swaps a crash left pending: each settles once (or is
    /// answered from the ledger's log), or is refused once its authorizations have expired.
    func resolvePending() async throws {
        try await settler.resolvePending()
        let pendingSwaps = try store.pendingSwaps()
        guard !pendingSwaps.isEmpty else { return }
        for pending in pendingSwaps {
            let settle = try JSONDecoder().decode(SettleRequest.self, from: pending.batch)
            let outcome: Result<LedgerReceipt, PaygentError>
            do {
                outcome = .success(try await payments.call(PaymentsMethod.settle, settle, deadline: .seconds(10), idempotencyKey: pending.key))
            } catch {
                outcome = .failure(error)
            }
            switch outcome {
            case .success(let receipt):
                try store.swapFinished(id: pending.id, settled: true, error: nil, transactions: receipt.transactions.map(\.hash), reserves: [])
                logger.notice("a swap left pending by a crash is settled", metadata: ["vvs.swap": "\(pending.id)"])
            case .failure(let error) where Self.outcomeUnknown(error.code):
                throw PaygentError(.unavailable, "swap \(pending.id) is still unresolved (\(error.message)); try again shortly")
            case .failure(let error):
                try store.swapFinished(id: pending.id, settled: false, error: error.message, reserves: [])
                logger.notice("a swap left pending by a crash did not settle", metadata: ["vvs.swap": "\(pending.id)", "error": "\(error.message)"])
            }
        }
        try await seeder.reconcile()
    }
}

/// Runs swaps one at a time, in arrival order.
actor SwapQueue {
    private var busy = false
    private var waiting: [CheckedContinuation<Void, Never>] = []
    /// Run before the next swap: swaps a crash (or a lost answer) left pending.
    private let before: @Sendable () async throws -> Void

    init(before: @escaping @Sendable () async throws -> Void) {
        self.before = before
    }

    func serially<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        if busy {
            await withCheckedContinuation { waiting.append($0) }
        } else {
            busy = true
        }
        defer {
            if waiting.isEmpty { busy = false } else { waiting.removeFirst().resume() }
        }
        try await before()
        return try await body()
    }
}
