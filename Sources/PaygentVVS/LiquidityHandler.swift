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

/// `vvs.add_liquidity`, `vvs.remove_liquidity` and `vvs.positions`. Deposits and withdrawals run
/// in the swaps' queue, one at a time, each priced on the reserves it settles against, as
/// Uniswap V2's router and pair do:
///
/// - add: the router's optimal amounts for the pool's ratio; the protocol fee (`_mintFee`, LP to
///   the treasury for a third of the growth of √k since the last event); LP minted
///   `min(a0·supply/r0, a1·supply/r1)`. The batch: the wallet's two signed transfers to the pool,
///   then the pool's signed mints.
/// - remove: the protocol fee; the share `liquidity/supply` of both reserves. The batch: the
///   wallet's LP to the pool, the pool's payouts, the fee's mint, and the pool's burn of the LP.
struct LiquidityHandler: HandlerGroup {
    let store: PoolStore
    let tokens: LedgerTokens
    let payments: RPCClient
    let keys: PoolKeys
    let queue: SerialQueue
    let seeder: PoolSeeder
    let settler: OperationSettler
    let publisher: Publisher
    let time: ServiceTime
    let random: RandomSource
    /// LP locked for ever by a pool's first deposit goes here (Uniswap sends it to address 0,
    /// which the ledger refuses as a recipient).
    static let lockedLiquidityHolder = "0x000000000000000000000000000000000000dEaD"

    var signer: AccountSigner { AccountSigner(tokens: tokens, random: random) }

    func register(on server: RPCServer) {
        server.register(VVSMethod.addLiquidity) { request, context in
            let reply = try await queue.serially {
                await settler.drainSwaps()
                return try await add(request, idempotencyKey: context.idempotencyKey)
            }
            publish(reply)
            return reply
        }
        server.register(VVSMethod.removeLiquidity) { request, context in
            let reply = try await queue.serially {
                await settler.drainSwaps()
                return try await remove(request, idempotencyKey: context.idempotencyKey)
            }
            publish(reply)
            return reply
        }
        server.register(VVSMethod.positions) { request, _ in
            try await positions(request)
        }
    }

    private func publish(_ reply: LiquidityReply) {
        publisher.publish(VVSEvent.liquidity, reply)
        if let known = try? tokens.all(), let pool = try? store.all().first(where: { $0.id == reply.pool }),
            let info = try? PoolHandlers(store: store, tokens: tokens).info(pool, known)
        {
            publisher.publish(VVSEvent.pool, topic: "vvs.pool.\(pool.id)", info)
        }
    }

    /// The ready pool of two tokens (either order) and the tokens in pair order.
    static func pool(_ a: String, _ b: String, store: PoolStore, tokens: [String: TokenInfo]) throws -> (PoolStore.Row, TokenInfo, TokenInfo) {
        let (a, b) = (a.uppercased(), b.uppercased())
        guard a != b else { throw PaygentError(.badRequest, "tokenA and tokenB are the same token (\(a))") }
        for (symbol, field) in [(a, "tokenA"), (b, "tokenB")] where tokens[symbol] == nil {
            throw PaygentError(.notFound, "\(field): no token '\(symbol)'")
        }
        guard let pool = try store.all().first(where: { $0.ready && Set([$0.token0, $0.token1]) == Set([a, b]) }),
            let token0 = tokens[pool.token0], let token1 = tokens[pool.token1]
        else {
            throw PaygentError(.notFound, "no pool of \(a) and \(b); `paygent pools` lists them")
        }
        return (pool, token0, token1)
    }

    /// The least of a token a caller accepts; none when not given.
    private static func minimum(_ text: String?, _ token: TokenInfo, field: String) throws(PaygentError) -> BigUInt {
        guard let text else { return 0 }
        return try Validate.amount(text, decimals: token.decimals, field: field, allowZero: true).baseUnits
    }

    /// The protocol fee's LP for the treasury, minted before a deposit's or withdrawal's own.
    private func protocolFeeMint(_ fee: BigUInt, pool: PoolStore.Row, poolKey: PrivateKey, validBefore: BigUInt) throws -> [SignedSupplyMessage] {
        guard fee > 0 else { return [] }
        return [
            try signer.supply(
                .mint, minter: poolKey, token: pool.lpToken, account: try keys.key(account: .treasury).address.eip55, amount: fee, validBefore: validBefore)
        ]
    }

    private func deadline(_ requested: Date?, now: Date) throws(PaygentError) {
        let deadline = requested ?? now.addingTimeInterval(120)
        guard deadline >= now else {
            throw PaygentError(.failedPrecondition, "the deadline passed at \(deadline.formatted(.iso8601)); nothing moved")
        }
    }

    private func add(_ request: AddLiquidityRequest, idempotencyKey: String?) async throws -> LiquidityReply {
        let (id, fingerprint, replayed) = try IdempotentWrites.begin(
            request, prefix: "liq", method: VVSMethod.addLiquidity.name, key: idempotencyKey, in: .operation, store: store, random: random,
            as: LiquidityReply.self)
        if let replayed { return replayed }
        let now = time.now()
        try deadline(request.deadline, now: now)
        let known = try tokens.all()
        let (pool, token0, token1) = try Self.pool(request.tokenA, request.tokenB, store: store, tokens: known)
        let aIsToken0 = request.tokenA.uppercased() == pool.token0
        let (tokenA, tokenB) = aIsToken0 ? (token0, token1) : (token1, token0)
        let desiredA = try Validate.amount(request.amountA, decimals: tokenA.decimals, field: "amountA").baseUnits
        let desiredB = try Validate.amount(request.amountB, decimals: tokenB.decimals, field: "amountB").baseUnits
        let minA = try Self.minimum(request.amountAMin, tokenA, field: "amountAMin")
        let minB = try Self.minimum(request.amountBMin, tokenB, field: "amountBMin")
        let (desired, minimum) = aIsToken0 ? ((desiredA, desiredB), (minA, minB)) : ((desiredB, desiredA), (minB, minA))
        let amounts: (BigUInt, BigUInt)
        do {
            amounts = try ConstantProduct.optimalDeposit(desired: desired, minimum: minimum, reserves: (pool.reserve0, pool.reserve1))
        } catch {
            let short = error == .insufficientAAmount ? token0 : token1
            throw PaygentError(
                .failedPrecondition,
                "slippage: at the pool's ratio the deposit of \(short.symbol) would fall below its minimum; nothing moved")
        }
        let fee = ConstantProduct.protocolFee(reserves: (pool.reserve0, pool.reserve1), kLast: pool.kLast, supply: pool.lpSupply)
        let supply = pool.lpSupply + fee
        let liquidity: BigUInt
        do {
            liquidity = try ConstantProduct.liquidityMinted(amounts: amounts, reserves: (pool.reserve0, pool.reserve1), supply: supply)
        } catch {
            throw PaygentError(.failedPrecondition, "the deposit is too small to mint any LP; nothing moved")
        }

        let key = "vvs-liquidity-\(id)"
        var transfers: [SignedTransferMessage] = []
        for (index, (token, amount)) in [(token0, amounts.0), (token1, amounts.1)].enumerated() {
            let authorization = try await payments.call(
                PaymentsMethod.walletAuthorize,
                WalletAuthorizeRequest(
                    wallet: request.wallet, to: pool.address, token: token.symbol, amount: try Amount(baseUnits: amount).formatted(decimals: token.decimals),
                    validSeconds: AccountSigner.validSeconds),
                deadline: .seconds(10), idempotencyKey: "\(key)-\(index)")
            guard authorization.token.lowercased() == token.address.lowercased(), authorization.value.baseUnits == amount,
                authorization.to.lowercased() == pool.address.lowercased()
            else {
                throw PaygentError(.internal, "the wallet's authorization is not for the deposit priced; refused, nothing moved")
            }
            transfers.append(authorization)
        }
        let wallet = transfers[0].from
        let validBefore = AccountSigner.validBefore(now)
        let poolKey = try keys.key(pool: pool.id)
        var supplyChanges = try protocolFeeMint(fee, pool: pool, poolKey: poolKey, validBefore: validBefore)
        supplyChanges.append(try signer.supply(.mint, minter: poolKey, token: pool.lpToken, account: wallet, amount: liquidity, validBefore: validBefore))
        let after = (pool.reserve0 + amounts.0, pool.reserve1 + amounts.1)
        let effect = OperationEffect(
            pool: .init(
                id: pool.id, reserve0: after.0.description, reserve1: after.1.description, lpSupply: (supply + liquidity).description,
                kLast: (after.0 * after.1).description))
        let reply = try LiquidityReply(
            id: id, kind: .add, pool: pool.id, lpToken: pool.lpToken, wallet: wallet, amount0: Amount(baseUnits: amounts.0), amount1: Amount(baseUnits: amounts.1),
            decimals0: token0.decimals, decimals1: token1.decimals, liquidity: Amount(baseUnits: liquidity), protocolFee: Amount(baseUnits: fee),
            reserve0: Amount(baseUnits: after.0), reserve1: Amount(baseUnits: after.1), lpSupply: Amount(baseUnits: supply + liquidity), transactions: [])
        let settled = try await settler.settle(
            id: id, kind: "add", key: key, wallet: wallet, batch: SettleRequest(transfers: transfers, supply: supplyChanges), effect: effect,
            request: fingerprint, reply: reply, now: now)
        try await seeder.reconcile(only: [pool.id])
        return settled
    }

    private func remove(_ request: RemoveLiquidityRequest, idempotencyKey: String?) async throws -> LiquidityReply {
        let (id, fingerprint, replayed) = try IdempotentWrites.begin(
            request, prefix: "liq", method: VVSMethod.removeLiquidity.name, key: idempotencyKey, in: .operation, store: store, random: random,
            as: LiquidityReply.self)
        if let replayed { return replayed }
        let now = time.now()
        try deadline(request.deadline, now: now)
        let known = try tokens.all()
        let (pool, token0, token1) = try Self.pool(request.tokenA, request.tokenB, store: store, tokens: known)
        let aIsToken0 = request.tokenA.uppercased() == pool.token0
        let (tokenA, tokenB) = aIsToken0 ? (token0, token1) : (token1, token0)
        let liquidity = try Validate.amount(request.liquidity, decimals: 18, field: "liquidity").baseUnits
        let fee = ConstantProduct.protocolFee(reserves: (pool.reserve0, pool.reserve1), kLast: pool.kLast, supply: pool.lpSupply)
        let supply = pool.lpSupply + fee
        let amounts: (BigUInt, BigUInt)
        do {
            amounts = try ConstantProduct.burned(liquidity, balances: (pool.reserve0, pool.reserve1), supply: supply)
        } catch {
            throw PaygentError(.failedPrecondition, "burning \(request.liquidity) LP returns nothing, or more than the pool's supply; nothing moved")
        }
        let minA = try Self.minimum(request.amountAMin, tokenA, field: "amountAMin")
        let minB = try Self.minimum(request.amountBMin, tokenB, field: "amountBMin")
        let minimum = aIsToken0 ? (minA, minB) : (minB, minA)
        for (amount, least, token) in [(amounts.0, minimum.0, token0), (amounts.1, minimum.1, token1)] where amount < least {
            throw PaygentError(
                .failedPrecondition,
                "slippage: the withdrawal would pay \(try Amount(baseUnits: amount).formatted(decimals: token.decimals)) \(token.symbol), "
                    + "less than the minimum \(try Amount(baseUnits: least).formatted(decimals: token.decimals)); nothing moved")
        }

        let key = "vvs-liquidity-\(id)"
        let returned = try await payments.call(
            PaymentsMethod.walletAuthorize,
            WalletAuthorizeRequest(
                wallet: request.wallet, to: pool.address, token: pool.lpToken, amount: try Amount(baseUnits: liquidity).formatted(decimals: 18),
                validSeconds: AccountSigner.validSeconds),
            deadline: .seconds(10), idempotencyKey: "\(key)-lp")
        guard returned.value.baseUnits == liquidity, returned.to.lowercased() == pool.address.lowercased(),
            returned.token.lowercased() == known[pool.lpToken]?.address.lowercased()
        else {
            throw PaygentError(.internal, "the wallet's authorization is not for the LP priced; refused, nothing moved")
        }
        let wallet = returned.from
        let validBefore = AccountSigner.validBefore(now)
        let poolKey = try keys.key(pool: pool.id)
        let transfers = [
            returned,
            try signer.transfer(from: poolKey, token: pool.token0, amount: amounts.0, to: wallet, validBefore: validBefore),
            try signer.transfer(from: poolKey, token: pool.token1, amount: amounts.1, to: wallet, validBefore: validBefore),
        ]
        var supplyChanges = try protocolFeeMint(fee, pool: pool, poolKey: poolKey, validBefore: validBefore)
        supplyChanges.append(try signer.supply(.burn, minter: poolKey, token: pool.lpToken, account: pool.address, amount: liquidity, validBefore: validBefore))
        let after = (pool.reserve0 - amounts.0, pool.reserve1 - amounts.1)
        let effect = OperationEffect(
            pool: .init(
                id: pool.id, reserve0: after.0.description, reserve1: after.1.description, lpSupply: (supply - liquidity).description,
                kLast: (after.0 * after.1).description))
        let reply = try LiquidityReply(
            id: id, kind: .remove, pool: pool.id, lpToken: pool.lpToken, wallet: wallet, amount0: Amount(baseUnits: amounts.0),
            amount1: Amount(baseUnits: amounts.1), decimals0: token0.decimals, decimals1: token1.decimals, liquidity: Amount(baseUnits: liquidity),
            protocolFee: Amount(baseUnits: fee), reserve0: Amount(baseUnits: after.0), reserve1: Amount(baseUnits: after.1),
            lpSupply: Amount(baseUnits: supply - liquidity), transactions: [])
        let settled = try await settler.settle(
            id: id, kind: "remove", key: key, wallet: wallet, batch: SettleRequest(transfers: transfers, supply: supplyChanges), effect: effect,
            request: fingerprint, reply: reply, now: now)
        try await seeder.reconcile(only: [pool.id])
        return settled
    }

    private func positions(_ request: PositionsRequest) async throws -> PositionsReply {
        let known = try tokens.all()
        let wallet = try await WalletDirectory(payments: payments).address(of: request.wallet)
        let balances = try await payments.call(PaymentsMethod.balances, BalancesRequest(owner: wallet), deadline: .seconds(10)).balances
        let stakes = try store.stakes(wallet: wallet.lowercased())
        var positions: [LiquidityPosition] = []
        for pool in try store.all() where pool.ready && pool.lpSupply > 0 {
            let held = balances.first { $0.token.symbol == pool.lpToken }?.amount.baseUnits ?? 0
            let staked = stakes[pool.id]?.amount ?? 0
            let total = held + staked
            guard total > 0 else { continue }
            positions.append(try LiquidityPosition(
                pool: pool.id, lpToken: pool.lpToken, liquidity: Amount(baseUnits: held), staked: Amount(baseUnits: staked),
                lpSupply: Amount(baseUnits: pool.lpSupply), sharePPM: Int(total * 1_000_000 / pool.lpSupply),
                amount0: Amount(baseUnits: total * pool.reserve0 / pool.lpSupply), amount1: Amount(baseUnits: total * pool.reserve1 / pool.lpSupply),
                token0: pool.token0, token1: pool.token1, decimals0: known[pool.token0]?.decimals ?? 18, decimals1: known[pool.token1]?.decimals ?? 18))
        }
        return PositionsReply(wallet: wallet, positions: positions)
    }
}
