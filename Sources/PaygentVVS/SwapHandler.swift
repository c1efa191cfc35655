import BigInt
import Foundation
import Logging
import PaygentCrypto
import PaygentLedgerAccounts
import PaygentMoney
import PaygentPaymentsAPI
import PaygentRuntime
import PaygentServiceKit
import PaygentTransport
import PaygentVVSAPI
import PaygentWire
import Synchronization

/// `vvs.swap`. Swaps are priced one at a time (`SerialQueue`), each on the reserves the swaps
/// before it leave, and settle in blocks (`SwapBlocks`). For each:
///
/// 1. the route is quoted again on those reserves; a result beyond the caller's bound, or a
///    passed deadline, is refused with nothing moved;
/// 2. the payments service signs (without settling) the wallet's input to the first pool
///    (`payments.wallet_authorize`), and the service signs each pool's payout (to the next pool,
///    the last to the wallet) with the pool's key;
/// 3. the pair check (`ConstantProduct.checkSwap`) is run on every pool's balances after the
///    swap: a failure is a bug, logged critical, and refused;
/// 4. the swap joins the open block; a block is recorded pending with its swaps, then settled all
///    or nothing (`payments.settle`, the block's key); the pools' new reserves are recorded with
///    the outcome, then checked against the ledger.
///
/// A block found pending at start (a crash during 4) is sent again under its key before any new
/// swap: the ledger settles it once (or answers its first receipt), or refuses it once expired.
struct SwapHandler: HandlerGroup {
    let store: PoolStore
    let tokens: LedgerTokens
    let payments: RPCClient
    let keys: PoolKeys
    let queue: SerialQueue
    let seeder: PoolSeeder
    /// Liquidity and farm operations left pending are resolved with the swaps.
    let settler: OperationSettler
    let blocks: SwapBlocks
    /// Set when something may be left pending: the next pricing resolves it first.
    let pending: PendingSwaps
    let publisher: Publisher
    let time: ServiceTime
    let random: RandomSource
    let logger: Logger
    var signer: AccountSigner { AccountSigner(tokens: tokens, random: random) }

    func register(on server: RPCServer) {
        server.register(VVSMethod.swap) { request, context in
            let reply = try await swap(request, idempotencyKey: context.idempotencyKey)
            context.logger.info("swap settled", metadata: [
                "vvs.swap": "\(reply.id)", "vvs.path": "\(reply.path.joined(separator: ">"))", "vvs.in": "\(reply.amountIn)",
                "vvs.out": "\(reply.amountOut)",
            ])
            return reply
        }
    }

    /// How many times a swap is priced again after the block before it was refused.
    static let maxAttempts = 5

    private func swap(_ request: SwapRequest, idempotencyKey: String?) async throws -> SwapReply {
        let id = IdempotentWrites.id(prefix: "swap", method: VVSMethod.swap.name, key: idempotencyKey, random: random)
        let fingerprint = try IdempotentWrites.fingerprint(request)
        // One request per id at a time: a retry sent while the first is under way waits for it.
        let waitUntil = ContinuousClock.now + .seconds(30)
        while !(await blocks.claim(id)) {
            guard ContinuousClock.now < waitUntil else { throw PaygentError(.unavailable, "swap \(id) is still under way; try again shortly") }
            try await Task.sleep(for: .milliseconds(5))
        }
        do {
            let reply = try await claimed(request, id: id, fingerprint: fingerprint)
            await blocks.release(id)
            return reply
        } catch {
            await blocks.release(id)
            throw error
        }
    }

    private func claimed(_ request: SwapRequest, id: String, fingerprint: Data) async throws -> SwapReply {
        // Left pending (its block's outcome was not known): the queue resolves what is pending
        // before it runs anything, so pass through it once before answering from the record.
        if try store.recorded(in: .swap, id: id)?.state == "pending" {
            try await queue.serially {}
        }
        if let replayed = try IdempotentWrites.replay(try store.recorded(in: .swap, id: id), request: fingerprint, as: SwapReply.self) {
            return replayed
        }
        let authorizations = Authorizations(key: "vvs-swap-\(id)")
        if request.side == .exactInput, (request.deadline ?? .distantFuture) >= time.now() {
            // The input of an exact-input swap is known before pricing: it is signed here, many
            // at once, rather than one at a time in the queue (used there if the route still
            // starts at the same pool). Not for a swap that would be refused as priced now: a
            // signed input counts against the daily limit until it expires.
            let known = try tokens.all()
            let routing = try store.routing(projected: await blocks.projection().reserves)
            if let quote = try? PoolHandlers(store: store, tokens: tokens).quote(
                QuoteRequest(from: request.from, to: request.to, amount: request.amount, side: .exactInput, slippageBps: request.slippageBps),
                routing: routing), let from = known[quote.path.first ?? ""], let to = known[quote.path.last ?? ""],
                (try? checkBound(request, quote, from: from, to: to)) != nil,
                let pool = try store.all().first(where: { $0.id == quote.pools.first })
            {
                try await authorizations.sign(
                    wallet: request.wallet, to: pool.address, token: from, amount: quote.amountIn, payments: payments)
            }
        }
        for _ in 0..<Self.maxAttempts {
            let ticket = try await queue.serially {
                await blocks.add(try await price(request, id: id, fingerprint: fingerprint, authorizations: authorizations))
            }
            switch await ticket.outcome() {
            case .settled(let reply):
                publisher.publish(VVSEvent.swap, reply)
                return reply
            case .refused(let error):
                throw error
            case .reprice:
                continue
            }
        }
        throw PaygentError(.unavailable, "swap \(id) was priced \(Self.maxAttempts) times on reserves that changed under it; nothing moved; try again")
    }

    /// Prices a swap on the reserves the swaps before it leave, gets the wallet's signed input
    /// and signs the pools' payouts. Runs in the swaps' queue, one at a time.
    private func price(_ request: SwapRequest, id: String, fingerprint: Data, authorizations: Authorizations) async throws -> SwapBlocks.Priced {
        let now = time.now()
        let deadline = request.deadline ?? now.addingTimeInterval(120)
        guard deadline >= now else {
            throw PaygentError(.failedPrecondition, "the swap's deadline passed at \(deadline.formatted(.iso8601)); nothing moved")
        }
        let (projected, generation) = await blocks.projection()
        let routing = try store.routing(projected: projected)
        let quote = try PoolHandlers(store: store, tokens: tokens).quote(
            QuoteRequest(from: request.from, to: request.to, amount: request.amount, side: request.side, slippageBps: request.slippageBps),
            routing: routing)
        let known = try tokens.all()
        guard let from = known[quote.path.first ?? ""], let to = known[quote.path.last ?? ""] else {
            throw PaygentError(.internal, "the quote names an unknown token")
        }
        try checkBound(request, quote, from: from, to: to)

        let rows = Dictionary(uniqueKeysWithValues: try store.all().map { ($0.id, $0) })
        let reservesNow = Dictionary(uniqueKeysWithValues: routing.pools.map { ($0.id, $0) })
        let route = try quote.pools.map { id throws(PaygentError) -> (row: PoolStore.Row, reserves: PoolReserves) in
            guard let row = rows[id], let reserves = reservesNow[id] else { throw PaygentError(.internal, "the route names an unknown pool \(id)") }
            return (row, reserves)
        }
        let hops = try hopAmounts(quote, route: route.map(\.reserves), first: quote.amountIn.baseUnits)
        let key = "vvs-swap-\(id)"

        // The input signed before (for an exact input), if it is for this pool and amount;
        // otherwise a new one (one never settled expires unused).
        var signedInput = authorizations.matching(to: route[0].row.address, token: from, amount: quote.amountIn)
        if signedInput == nil {
            signedInput = try await authorizations.sign(wallet: request.wallet, to: route[0].row.address, token: from, amount: quote.amountIn, payments: payments)
        }
        guard let input = signedInput else { throw PaygentError(.internal, "no signed input") }
        // The pools pay out only against exactly the input priced: this token, this amount, to
        // the first pool of the route.
        guard input.token.lowercased() == from.address.lowercased(), input.value.baseUnits == hops[0],
            input.to.lowercased() == route[0].row.address.lowercased()
        else {
            throw PaygentError(.internal, "the wallet's authorization is not for \(quote.amountIn) \(from.symbol) to pool \(route[0].row.id); refused, nothing moved")
        }
        var transfers = [input]
        var reserves: [(id: String, BigUInt, BigUInt)] = []
        let validBefore = AccountSigner.validBefore(now)
        for (step, (row, pool)) in route.enumerated() {
            let (tokenIn, tokenOut) = (quote.path[step], quote.path[step + 1])
            let (amountIn, amountOut) = (hops[step], hops[step + 1])
            let recipient = step + 1 < route.count ? route[step + 1].row.address : input.from
            transfers.append(try signer.transfer(from: try keys.key(pool: row.id), token: tokenOut, amount: amountOut, to: recipient, validBefore: validBefore))
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
        // For an exact output the last payout may exceed the amount asked by the rounding of
        // getAmountIn; the reply says what was paid.
        let reply = SwapReply(
            id: id, path: quote.path, pools: quote.pools, amountIn: quote.amountIn, amountOut: try Amount(baseUnits: hops[hops.count - 1]),
            decimalsIn: from.decimals, decimalsOut: to.decimals, trader: input.from, transactions: [])
        let member = BlockMember(
            id: id, key: key, wallet: input.from, transferCount: transfers.count, request: fingerprint, reply: try IdempotentWrites.encode(reply))
        return SwapBlocks.Priced(member: member, transfers: transfers, reserves: reserves, reply: reply, generation: generation)
    }

    /// Sends a block: recorded pending with its swaps, settled under its key as one batch, then
    /// closed with the pools' reserves after its last swap, which are checked against the ledger.
    func settle(block id: String, _ swaps: [SwapBlocks.Priced]) async -> SwapBlocks.BlockOutcome {
        let key = "vvs-block-\(id)"
        let batch = SettleRequest(transfers: swaps.flatMap(\.transfers))
        var reserves: [String: (BigUInt, BigUInt)] = [:]
        for swap in swaps { for (pool, reserve0, reserve1) in swap.reserves { reserves[pool] = (reserve0, reserve1) } }
        do {
            try store.blockPending(id: id, key: key, batch: try JSONEncoder().encode(batch), members: swaps.map(\.member), now: time.now())
        } catch {
            return .refused(PaygentError(.internal, "the swaps could not be recorded, nothing moved: \(error)"), culprit: nil)
        }
        let receipt: LedgerReceipt
        do {
            receipt = try await payments.call(PaymentsMethod.settle, batch, deadline: .seconds(10), idempotencyKey: key)
        } catch where Self.outcomeUnknown(error.code) {
            pending.mark()
            return .unknown(error)
        } catch {
            let culprit = LedgerRefusal.culprit(of: error, in: swaps.map(\.transfers.count))
            do {
                try store.blockFinished(id: id, settled: false, transactions: [], error: error.message, culprit: culprit, reserves: [])
            } catch {
                pending.mark()
            }
            return .refused(PaygentError(error.code, "the ledger refused the swap, nothing moved: \(error.message)"), culprit: culprit)
        }
        let transactions = receipt.transactions.map(\.hash)
        do {
            try store.blockFinished(
                id: id, settled: true, transactions: transactions, error: nil, culprit: nil, reserves: reserves.map { ($0.key, $0.value.0, $0.value.1) })
            try await seeder.reconcile(only: Set(reserves.keys))
            let known = try tokens.all()
            let handlers = PoolHandlers(store: store, tokens: tokens)
            for pool in try store.all() where reserves[pool.id] != nil {
                publisher.publish(VVSEvent.pool, topic: "vvs.pool.\(pool.id)", try handlers.info(pool, known))
            }
        } catch {
            // Settled on the ledger: the records catch up from it at the next resolution.
            logger.error("a settled block could not be recorded; the records follow the ledger next", metadata: ["vvs.block": "\(id)", "error": "\(error)"])
            pending.mark()
        }
        return .settled(transactions: transactions)
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
    private func hopAmounts(_ quote: QuoteReply, route: [PoolReserves], first: BigUInt) throws -> [BigUInt] {
        var amounts = [first]
        for (step, pool) in route.enumerated() {
            let reserves = pool.reserves(in: quote.path[step])
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
        try await resolvePendingBlocks()
        let pendingSwaps = try store.pendingSwaps()
        guard !pendingSwaps.isEmpty else { return }
        for pending in pendingSwaps {
            switch try await settler.resend(pending.batch, key: pending.key) {
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

    /// Blocks a crash (or a lost answer) left pending, except the one on its way now: each sent
    /// again under its key settles once, or is refused (its swaps forgotten, nothing moved).
    private func resolvePendingBlocks() async throws {
        let pendingBlocks = try store.pendingBlocks()
        guard !pendingBlocks.isEmpty else { return }
        let flying = await blocks.flying
        for block in pendingBlocks where block.id != flying {
            switch try await settler.resend(block.batch, key: block.key) {
            case .success(let receipt):
                try store.blockFinished(id: block.id, settled: true, transactions: receipt.transactions.map(\.hash), error: nil, culprit: nil, reserves: [])
                logger.notice("a block of swaps left pending is settled", metadata: ["vvs.block": "\(block.id)"])
            case .failure(let error) where Self.outcomeUnknown(error.code):
                throw PaygentError(.unavailable, "block \(block.id) is still unresolved (\(error.message)); try again shortly")
            case .failure(let error):
                try store.blockFinished(id: block.id, settled: false, transactions: [], error: error.message, culprit: nil, reserves: [])
                logger.notice("a block of swaps left pending did not settle", metadata: ["vvs.block": "\(block.id)", "error": "\(error.message)"])
            }
        }
        try await seeder.reconcile()
    }
}

/// The wallet's signed inputs for one swap request, each under its own idempotency key (the
/// swap's, then `-1`, `-2`… for one signed again because the route or the amount changed).
final class Authorizations: Sendable {
    private let key: String
    private let state = Mutex<(signed: [SignedTransferMessage], count: Int)>(([], 0))

    init(key: String) {
        self.key = key
    }

    /// A signed input to `to` of exactly `amount` of `token`, if one was signed.
    func matching(to: String, token: TokenInfo, amount: Amount) -> SignedTransferMessage? {
        state.withLock { state in
            state.signed.last {
                $0.to.lowercased() == to.lowercased() && $0.token.lowercased() == token.address.lowercased() && $0.value == amount
            }
        }
    }

    @discardableResult
    func sign(wallet: String, to: String, token: TokenInfo, amount: Amount, payments: RPCClient) async throws(PaygentError) -> SignedTransferMessage {
        let count = state.withLock { state in
            defer { state.count += 1 }
            return state.count
        }
        let signed = try await payments.call(
            PaymentsMethod.walletAuthorize,
            WalletAuthorizeRequest(
                wallet: wallet, to: to, token: token.symbol, amount: amount.formatted(decimals: token.decimals), validSeconds: AccountSigner.validSeconds),
            deadline: .seconds(10), idempotencyKey: count == 0 ? key : "\(key)-\(count)")
        state.withLock { $0.signed.append(signed) }
        return signed
    }
}
