import BigInt
import Foundation
import Logging
import PaygentCrypto
import PaygentLedgerAccounts
import PaygentMoney
import PaygentPaymentsAPI
import PaygentRuntime
import PaygentTransport
import PaygentWire

/// Opens the pools on first start and keeps their records equal to the ledger.
///
/// Each seed pool gets an account of its own (a key derived from the service's pool master key,
/// `PoolKeys`) and is funded on the local chain's faucet at realistic prices.
/// The pool is recorded `seeding` before its funds are minted, under idempotency keys of its own,
/// so a crash in between mints nothing twice: the next start sends the same mints (answered from
/// the ledger's log) and marks it ready. Then every pool's reserves are read from the ledger.
struct PoolSeeder: Sendable {
    /// Seed pairs and their depth in whole tokens, about $2 M a pool, at CRO $0.09, VVS
    /// $0.0000031, WBTC $96,210 and WETH $3,512.
    static let seeds: [(String, String, String, String)] = [
        ("CRO", "USDC", "22222222", "2000000"),
        ("CRO", "VVS", "11111111", "322580645161"),
        ("USDC", "USDT", "1000000", "1000000"),
        ("WBTC", "USDC", "20", "1924200"),
        ("WETH", "USDC", "500", "1756000"),
        ("CRO", "WETH", "19511111", "500"),
    ]

    let store: PoolStore
    let payments: RPCClient
    let keys: PoolKeys
    let now: @Sendable () -> Date
    let random: RandomSource
    let farms: FarmSettings
    let logger: Logger

    func run() async throws {
        let tokens = try await payments.call(PaymentsMethod.tokens, TokensRequest(), deadline: .seconds(10)).tokens
        if try store.all().isEmpty { try createSeeds(tokens) }
        for pool in try store.all() where !pool.ready {
            for (symbol, amount) in [(pool.token0, pool.reserve0), (pool.token1, pool.reserve1)] {
                guard let token = tokens.first(where: { $0.symbol == symbol }) else { continue }
                let _: LedgerReceipt = try await payments.call(
                    PaymentsMethod.faucet,
                    FaucetRequest(to: pool.address, token: symbol, amount: try Amount(baseUnits: amount).formatted(decimals: token.decimals)),
                    deadline: .seconds(10), idempotencyKey: "vvs-seed-\(pool.id)-\(symbol)")
            }
            try store.markReady(pool.id)
            logger.info("pool seeded", metadata: ["vvs.pool": "\(pool.id)", "vvs.address": "\(pool.address)"])
        }
        try await reconcile()
        try await mintSeedLiquidity()
        try await openFarms()
    }

    /// Each pool's LP token is created on the ledger (the pool's account its minter), and the seed
    /// liquidity's LP minted as a first deposit: `supply − 1000` to the owner account, 1000 locked.
    /// Under an idempotency key of the pool's, so a crash before it is recorded mints nothing twice.
    private func mintSeedLiquidity() async throws {
        let owner = try keys.key(account: .owner).address.eip55
        let pools = try store.all().filter(\.ready)
        for pool in pools {
            let _: TokenInfo = try await payments.call(
                PaymentsMethod.tokenCreate,
                TokenCreateRequest(symbol: pool.lpToken, name: "VVS LP \(pool.token0)/\(pool.token1)", decimals: 18, minter: try keys.key(pool: pool.id).address.eip55),
                deadline: .seconds(10))
        }
        let unseeded = pools.filter { !$0.lpSeeded }
        guard !unseeded.isEmpty else { return }
        let signing = LedgerTokens.vvs()
        signing.set(try await payments.call(PaymentsMethod.tokens, TokensRequest(), deadline: .seconds(10)))
        let signer = AccountSigner(tokens: signing, random: random)
        for pool in unseeded {
            let poolKey = try keys.key(pool: pool.id)
            let validBefore = AccountSigner.validBefore(now())
            let locked = ConstantProduct.minimumLiquidity
            let batch = SettleRequest(transfers: [], supply: [
                try signer.supply(.mint, minter: poolKey, token: pool.lpToken, account: owner, amount: pool.lpSupply - locked, validBefore: validBefore),
                try signer.supply(
                    .mint, minter: poolKey, token: pool.lpToken, account: LiquidityHandler.lockedLiquidityHolder, amount: locked, validBefore: validBefore),
            ])
            let _: LedgerReceipt = try await payments.call(PaymentsMethod.settle, batch, deadline: .seconds(10), idempotencyKey: "vvs-seed-lp-\(pool.id)")
            try store.markLPSeeded(pool.id, kLast: pool.reserve0 * pool.reserve1)
            logger.info("seed liquidity minted", metadata: ["vvs.pool": "\(pool.id)", "vvs.lp": "\(pool.lpSupply)"])
        }
    }

    /// A farm for each pool, and the farms' account funded with VVS rewards (once: idempotency key).
    private func openFarms() async throws {
        let pools = try store.all().filter(\.ready)
        let existing = Set(try store.farms().map(\.pool))
        guard pools.contains(where: { !existing.contains($0.id) }) else { return }
        let _: LedgerReceipt = try await payments.call(
            PaymentsMethod.faucet,
            FaucetRequest(to: try keys.key(account: .farms).address.eip55, token: FarmSettings.rewardToken, amount: farms.rewardFunding),
            deadline: .seconds(10), idempotencyKey: "vvs-seed-farm-rewards")
        try store.insertFarms(pools.map { ($0.id, farms.allocPoint(pool: $0.id)) }, now: UInt64(max(0, now().timeIntervalSince1970)))
        logger.info("farms opened", metadata: ["vvs.farms": "\(pools.count)"])
    }

    /// The ledger is the truth: a pool whose record differs from its balances takes the balances
    /// (all pools, or `only` these).
    func reconcile(only: Set<String>? = nil) async throws {
        for pool in try store.all() where only?.contains(pool.id) ?? true {
            let balances = try await payments.call(PaymentsMethod.balances, BalancesRequest(owner: pool.address), deadline: .seconds(10)).balances
            let held = { (symbol: String) in balances.first { $0.token.symbol == symbol }?.amount.baseUnits ?? 0 }
            let (ledger0, ledger1) = (held(pool.token0), held(pool.token1))
            guard ledger0 != pool.reserve0 || ledger1 != pool.reserve1 else { continue }
            logger.notice("pool record follows the ledger", metadata: [
                "vvs.pool": "\(pool.id)", "vvs.recorded": "\(pool.reserve0)/\(pool.reserve1)", "vvs.ledger": "\(ledger0)/\(ledger1)",
            ])
            try store.setReserves(pool.id, ledger0, ledger1)
        }
    }

    private func createSeeds(_ tokens: [TokenInfo]) throws {
        var rows: [PoolStore.Row] = []
        for (a, b, amountA, amountB) in Self.seeds {
            guard let tokenA = tokens.first(where: { $0.symbol == a }), let tokenB = tokens.first(where: { $0.symbol == b }) else {
                logger.warning("seed pool skipped: the ledger has no such token", metadata: ["vvs.pair": "\(a)/\(b)"])
                continue
            }
            var sides = [
                (tokenA, try Amount(parsing: amountA, decimals: tokenA.decimals).baseUnits),
                (tokenB, try Amount(parsing: amountB, decimals: tokenB.decimals).baseUnits),
            ]
            sides.sort { $0.0.address.lowercased() < $1.0.address.lowercased() }
            let id = "\(sides[0].0.symbol)-\(sides[1].0.symbol)"
            rows.append(PoolStore.Row(
                id: id, token0: sides[0].0.symbol, token1: sides[1].0.symbol, address: try keys.key(pool: id).address.eip55,
                reserve0: sides[0].1, reserve1: sides[1].1, lpSupply: (sides[0].1 * sides[1].1).squareRoot(), feeBps: 30, ready: false))
        }
        try store.insertSeeding(rows, now: now())
    }
}
