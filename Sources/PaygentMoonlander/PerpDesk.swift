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
import PaygentWire
import Synchronization

/// The service's trading desk: the vault, the markets' state and the open positions, and the ways
/// funds move. Every action is priced in a `SerialQueue`, one at a time, on the state the
/// previous one left, and written `pending` with its ledger batch before the batch is sent; the
/// records change only once the ledger applied the batch. Closes, collateral changes and
/// liquidations settle inside the queue; opens, which depend on nothing but the caps, settle in
/// blocks (`OpenBlocks`) beside it, so many opens share one ledger round trip and one write.
///
/// Memory follows the database: `committed` is what the records say, loaded at opening and
/// changed only after a write commits; `reserved` is what opens priced but not yet settled will
/// add, counted against the caps.
final class PerpDesk: Sendable {
    struct State: Sendable {
        var ready = false
        var vaultAddress = ""
        var vaultSeed = BigUInt(0)
        var vaultBalance = BigUInt(0)
        var markets: [String: MarketState] = [:]
        var open: [String: PositionRecord] = [:]
        var book = PositionBook()
        /// Σ over open positions of what the vault could owe each (collateral + funding received
        /// + size, the profit cap).
        var liability = BigUInt(0)
        var reserved = Reserved()
        /// Ledger batches sent and not yet followed in the records and memory: the vault is
        /// compared with the ledger only when there are none.
        var settling = 0
    }

    /// What opens priced and not yet settled will add.
    struct Reserved: Sendable, Equatable {
        var openInterest: [String: BigUInt] = [:]
        var liability = BigUInt(0)
        var vault = BigUInt(0)

        static func key(_ market: String, _ side: PerpMath.Side) -> String { "\(market) \(side.rawValue)" }
    }

    let store: PerpStore
    let payments: RPCClient
    let keys: AccountKeys
    let tokens: LedgerTokens
    let prices: PriceBook
    let publisher: Publisher
    let time: ServiceTime
    let random: RandomSource
    let logger: Logger
    let fundingInterval: TimeInterval
    let state = Mutex(State())
    private let dirty = Mutex(true)
    let queue = SerialQueue()
    let tickTimings = TickTimings()
    let blocks = OpenBlocks()
    /// Opens being priced or settled, by id: one request per id at a time.
    let active = Mutex<Set<String>>([])

    static let collateralToken = "USDC"
    static let collateralDecimals = 6

    init(
        store: PerpStore, payments: RPCClient, keys: AccountKeys, prices: PriceBook, publisher: Publisher, time: ServiceTime, random: RandomSource,
        logger: Logger, fundingInterval: TimeInterval
    ) {
        (self.store, self.payments, self.keys, self.prices, self.publisher) = (store, payments, keys, prices, publisher)
        (self.time, self.random, self.logger, self.fundingInterval) = (time, random, logger, fundingInterval)
        tokens = LedgerTokens(opening: "the moonlander service is still opening its vault (it waits for the payments service); try again shortly")
    }

    var vaultKey: PrivateKey {
        get throws { try keys.derive("paygent-moonlander-account:", "vault") }
    }

    /// What the caps and views read of the state: small, so taking it copies nothing big (a
    /// copy of the whole state held across a write would copy every open position).
    struct Snapshot: Sendable {
        var vaultAddress: String
        var vaultSeed: BigUInt
        var vaultBalance: BigUInt
        var markets: [String: MarketState]
        var liability: BigUInt
        var reserved: Reserved
    }

    /// The state's small part, once the desk is open.
    @discardableResult
    func ready() throws(PaygentError) -> Snapshot {
        let snapshot = state.withLock { state in
            state.ready
                ? Snapshot(
                    vaultAddress: state.vaultAddress, vaultSeed: state.vaultSeed, vaultBalance: state.vaultBalance, markets: state.markets,
                    liability: state.liability, reserved: state.reserved) : nil
        }
        guard let snapshot else {
            throw PaygentError(.unavailable, "the moonlander service is still opening its vault (it waits for the payments service); try again shortly")
        }
        return snapshot
    }

    /// Runs `body` alone, after resolving whatever a crash or a lost answer left pending.
    func run<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        try await queue.serially {
            if dirty.withLock({ $0 }) { try await resolvePending() }
            return try await body()
        }
    }

    func markDirty() {
        dirty.withLock { $0 = true }
    }

    // MARK: settling

    /// Records the action, sends its batch (none: applied at once), applies its effect to the
    /// records and memory once settled, and checks the vault against the ledger. Answers the
    /// batch's transactions.
    func settle(
        id: String, kind: String, position: String, key: String?, batch: SettleRequest?, effect: PerpEffect, request: Data?, reply: Data?
    ) async throws -> [String] {
        let now = time.now()
        try store.begin(
            id: id, kind: kind, position: position, key: key, batch: try batch.map { try PerpStore.encode($0) }, effect: effect, request: request,
            reply: reply, now: now)
        guard let batch else {
            absorb(effect)
            return []
        }
        let transactions = try await counted {
            switch await send(batch, key: "moonlander-\(id)") {
            case .success(let receipt):
                let transactions = receipt.transactions.map(\.hash)
                if let applied = try store.finish(id: id, settled: true, error: nil, transactions: transactions) { absorb(applied) }
                return transactions
            case .failure(let error) where Self.outcomeUnknown(error.code):
                markDirty()
                throw PaygentError(
                    .unavailable, "\(kind) \(id) was sent and its outcome is not known yet (\(error.message)); it is resolved before the next action")
            case .failure(let error):
                try store.finish(id: id, settled: false, error: error.message, transactions: [])
                throw Self.refusal(kind, error)
            }
        }
        try await settled()
        return transactions
    }

    /// Runs `body` (a batch sent, its outcome recorded and followed in memory) counted among the
    /// batches on their way.
    func counted<T>(_ body: () async throws -> T) async rethrows -> T {
        state.withLock { $0.settling += 1 }
        defer { state.withLock { $0.settling -= 1 } }
        return try await body()
    }

    /// The ledger's refusal as the caller reads it: a wallet short of USDC said plainly.
    static func refusal(_ kind: String, _ error: PaygentError) -> PaygentError {
        guard error.message.contains("insufficient_balance") else {
            return PaygentError(error.code, "the ledger refused the \(kind), nothing moved: \(error.message)")
        }
        return PaygentError(error.code, "the wallet's \(collateralToken) balance does not cover the \(kind); nothing moved")
    }

    /// Sends a batch to the ledger under `key`.
    func send(_ batch: SettleRequest, key: String) async -> Result<LedgerReceipt, PaygentError> {
        do {
            return .success(try await payments.call(PaymentsMethod.settle, batch, deadline: .seconds(10), idempotencyKey: key))
        } catch {
            return .failure(error)
        }
    }

    /// After a batch settled: the vault is checked against the ledger when no other batch is on
    /// its way (with one in flight the two could not be compared).
    func settled() async throws {
        guard state.withLock({ $0.settling }) == 0 else { return }
        try await checkVault()
    }

    static func outcomeUnknown(_ code: ErrorCode) -> Bool {
        code == .unavailable || code == .deadlineExceeded || code == .cancelled
    }

    /// Memory follows a committed effect.
    func absorb(_ effect: PerpEffect) {
        state.withLock { state in Self.absorb(effect, into: &state) }
    }

    static func absorb(_ effect: PerpEffect, into state: inout State) {
        for record in effect.positions {
            if let old = state.open[record.id] { state.liability -= liability(old.position) }
            if record.state == .open {
                state.open[record.id] = record
                state.liability += liability(record.position)
            } else {
                state.open[record.id] = nil
            }
            if let market = MarketSpec.named(record.market) { state.book.update(record, market: market.terms) }
        }
        for change in effect.openInterest {
            guard var market = state.markets[change.market] else { continue }
            if change.side == .long {
                market.longOpenInterest = market.longOpenInterest + change.added - min(change.removed, market.longOpenInterest + change.added)
            } else {
                market.shortOpenInterest = market.shortOpenInterest + change.added - min(change.removed, market.shortOpenInterest + change.added)
            }
            state.markets[change.market] = market
        }
        state.vaultBalance = state.vaultBalance + effect.vaultIn - min(effect.vaultOut, state.vaultBalance + effect.vaultIn)
    }

    static func liability(_ position: PerpMath.Position) -> BigUInt {
        position.collateral + position.fundingReceived + position.size
    }

    /// Counts an open priced and not yet settled against the caps (`reserve`), or stops counting
    /// it (`release`).
    func reserve(_ record: PositionRecord, deposit: BigUInt) {
        state.withLock { state in
            state.reserved.openInterest[Reserved.key(record.market, record.position.side), default: 0] += record.position.size
            state.reserved.liability += Self.liability(record.position)
            state.reserved.vault += deposit
        }
    }

    func release(_ record: PositionRecord, deposit: BigUInt) {
        state.withLock { state in
            let key = Reserved.key(record.market, record.position.side)
            state.reserved.openInterest[key] = (state.reserved.openInterest[key] ?? 0) - min(record.position.size, state.reserved.openInterest[key] ?? 0)
            state.reserved.liability -= min(Self.liability(record.position), state.reserved.liability)
            state.reserved.vault -= min(deposit, state.reserved.vault)
        }
    }

    /// The vault's balance on the ledger is the truth: a record that differs takes it.
    func checkVault() async throws {
        let (address, expected) = state.withLock { ($0.vaultAddress, $0.vaultBalance) }
        let held = try await vaultLedgerBalance(address)
        // Only when no batch settled meanwhile and none is on its way: else the two differ by it.
        let taken = state.withLock { state in
            guard held != expected, state.settling == 0, state.vaultBalance == expected else { return false }
            state.vaultBalance = held
            return true
        }
        guard taken else { return }
        logger.notice("the vault's record follows the ledger", metadata: ["moonlander.recorded": "\(expected)", "moonlander.ledger": "\(held)"])
        try store.setVaultBalance(held)
    }

    func vaultLedgerBalance(_ address: String) async throws -> BigUInt {
        let balances = try await payments.call(PaymentsMethod.balances, BalancesRequest(owner: address), deadline: .seconds(10)).balances
        return balances.first { $0.token.symbol == Self.collateralToken }?.amount.baseUnits ?? 0
    }

    /// Sends again, under their keys, the batches a crash or a lost answer left pending (blocks
    /// of opens not on their way now, and single actions): each is applied once (or answered from
    /// the ledger's log), or refused once its signatures expired. Memory follows what this pass
    /// applied; a block that finished meanwhile on its own path was applied, and is followed, there.
    func resolvePending() async throws {
        // The list first, then the block on its way: one that starts after the list is not in it.
        let pendingBlocks = try store.pendingBlocks()
        let flying = await blocks.flying
        for block in pendingBlocks where block.id != flying {
            try await counted {
                switch await send(try PerpStore.decode(SettleRequest.self, block.batch), key: "moonlander-\(block.id)") {
                case .success(let receipt):
                    let applied = try store.blockFinished(
                        id: block.id, settled: true, transactions: receipt.transactions.map(\.hash), error: nil, culprit: nil)
                    if let applied { absorb(applied) }
                    logger.notice("a block of opens left pending is settled", metadata: ["moonlander.block": "\(block.id)"])
                case .failure(let error) where Self.outcomeUnknown(error.code):
                    throw PaygentError(.unavailable, "block \(block.id) is still unresolved (\(error.message)); try again shortly")
                case .failure(let error):
                    try store.blockFinished(id: block.id, settled: false, transactions: [], error: error.message, culprit: nil)
                    logger.notice("a block of opens left pending did not settle", metadata: ["moonlander.block": "\(block.id)", "error": "\(error.message)"])
                }
            }
        }
        for pending in try store.pendingActions() {
            try await counted {
                switch await send(try PerpStore.decode(SettleRequest.self, pending.batch), key: "moonlander-\(pending.id)") {
                case .success(let receipt):
                    if let applied = try store.finish(id: pending.id, settled: true, error: nil, transactions: receipt.transactions.map(\.hash)) {
                        absorb(applied)
                    }
                    logger.notice("an action left pending is settled", metadata: ["moonlander.action": "\(pending.id)"])
                case .failure(let error) where Self.outcomeUnknown(error.code):
                    throw PaygentError(.unavailable, "action \(pending.id) is still unresolved (\(error.message)); try again shortly")
                case .failure(let error):
                    try store.finish(id: pending.id, settled: false, error: error.message, transactions: [])
                    logger.notice("an action left pending did not settle", metadata: ["moonlander.action": "\(pending.id)", "error": "\(error.message)"])
                }
            }
        }
        dirty.withLock { $0 = false }
    }

    /// Committed memory from the database, at opening (what is reserved stays).
    func load() throws {
        guard let vault = try store.vault() else { return }
        let markets = try store.markets()
        let open = try store.openPositions()
        state.withLock { state in
            (state.vaultAddress, state.vaultSeed, state.vaultBalance) = (vault.address, vault.seed, vault.balance)
            // A shorter interval configured since the next funding was set takes effect now.
            let latest = time.now().addingTimeInterval(fundingInterval)
            state.markets = Dictionary(uniqueKeysWithValues: markets.map { market in
                var market = market
                market.nextFunding = min(market.nextFunding, latest)
                return (market.symbol, market)
            })
            state.open = Dictionary(uniqueKeysWithValues: open.map { ($0.id, $0) })
            state.book = PositionBook()
            state.liability = 0
            for record in open {
                if let market = MarketSpec.named(record.market) { state.book.update(record, market: market.terms) }
                state.liability += Self.liability(record.position)
            }
        }
    }
}
