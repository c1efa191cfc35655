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

/// The service's trading desk: the vault, the markets' state and the open positions, and the one
/// way anything that moves funds is done (`run`): one action at a time in a `SerialQueue`, each
/// priced on the state the previous one left, written `pending` with its ledger batch before the
/// batch is sent, applied to the records only once the ledger has applied the batch.
///
/// Reads (positions, markets) take the in-memory state, which follows the database: it is loaded
/// at opening and changed only after a write commits.
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
    let queue: SerialQueue
    let tickTimings = TickTimings()

    static let collateralToken = "USDC"
    static let collateralDecimals = 6

    init(
        store: PerpStore, payments: RPCClient, keys: AccountKeys, prices: PriceBook, publisher: Publisher, time: ServiceTime, random: RandomSource,
        logger: Logger, fundingInterval: TimeInterval
    ) {
        (self.store, self.payments, self.keys, self.prices, self.publisher) = (store, payments, keys, prices, publisher)
        (self.time, self.random, self.logger, self.fundingInterval) = (time, random, logger, fundingInterval)
        tokens = LedgerTokens(opening: "the moonlander service is still opening its vault (it waits for the payments service); try again shortly")
        queue = SerialQueue()
    }

    var vaultKey: PrivateKey {
        get throws { try keys.derive("paygent-moonlander-account:", "vault") }
    }

    func ready() throws(PaygentError) -> State {
        let current = state.withLock { $0 }
        guard current.ready else {
            throw PaygentError(.unavailable, "the moonlander service is still opening its vault (it waits for the payments service); try again shortly")
        }
        return current
    }

    /// Runs `body` alone, after resolving whatever a crash or a lost answer left pending.
    func run<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        try await queue.serially {
            if dirty.withLock({ $0 }) { try await resolvePending() }
            return try await body()
        }
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
        let receipt: LedgerReceipt
        do {
            receipt = try await payments.call(PaymentsMethod.settle, batch, deadline: .seconds(10), idempotencyKey: "moonlander-\(id)")
        } catch where Self.outcomeUnknown(error.code) {
            dirty.withLock { $0 = true }
            throw PaygentError(.unavailable, "\(kind) \(id) was sent and its outcome is not known yet (\(error.message)); it is resolved before the next action")
        } catch {
            try store.finish(id: id, settled: false, error: error.message, transactions: [])
            throw PaygentError(error.code, "the ledger refused the \(kind), nothing moved: \(error.message)")
        }
        let transactions = receipt.transactions.map(\.hash)
        try store.finish(id: id, settled: true, error: nil, transactions: transactions)
        absorb(effect)
        try await checkVault()
        return transactions
    }

    static func outcomeUnknown(_ code: ErrorCode) -> Bool {
        code == .unavailable || code == .deadlineExceeded || code == .cancelled
    }

    /// Memory follows a committed effect.
    func absorb(_ effect: PerpEffect) {
        state.withLock { state in
            for record in effect.positions {
                if let old = state.open[record.id] { state.liability -= Self.liability(old.position) }
                if record.state == .open {
                    state.open[record.id] = record
                    state.liability += Self.liability(record.position)
                } else {
                    state.open[record.id] = nil
                }
                if let market = MarketSpec.named(record.market) { state.book.update(record, market: market.terms) }
            }
            for market in effect.markets { state.markets[market.symbol] = market }
            state.vaultBalance = effect.vaultBalance
        }
    }

    static func liability(_ position: PerpMath.Position) -> BigUInt {
        position.collateral + position.fundingReceived + position.size
    }

    /// The vault's balance on the ledger is the truth: a record that differs takes it.
    func checkVault() async throws {
        let (address, expected) = state.withLock { ($0.vaultAddress, $0.vaultBalance) }
        let held = try await vaultLedgerBalance(address)
        guard held != expected else { return }
        logger.notice("the vault's record follows the ledger", metadata: ["moonlander.recorded": "\(expected)", "moonlander.ledger": "\(held)"])
        try store.setVaultBalance(held)
        state.withLock { $0.vaultBalance = held }
    }

    func vaultLedgerBalance(_ address: String) async throws -> BigUInt {
        let balances = try await payments.call(PaymentsMethod.balances, BalancesRequest(owner: address), deadline: .seconds(10)).balances
        return balances.first { $0.token.symbol == Self.collateralToken }?.amount.baseUnits ?? 0
    }

    /// Sends again, under their keys, the batches a crash or a lost answer left pending: each is
    /// applied once (or answered from the ledger's log), or refused once its signatures expired.
    func resolvePending() async throws {
        for pending in try store.pendingActions() {
            let batch = try PerpStore.decode(SettleRequest.self, pending.batch)
            let outcome: Result<LedgerReceipt, PaygentError>
            do {
                outcome = .success(try await payments.call(PaymentsMethod.settle, batch, deadline: .seconds(10), idempotencyKey: "moonlander-\(pending.id)"))
            } catch {
                outcome = .failure(error)
            }
            switch outcome {
            case .success(let receipt):
                try store.finish(id: pending.id, settled: true, error: nil, transactions: receipt.transactions.map(\.hash))
                logger.notice("an action left pending is settled", metadata: ["moonlander.action": "\(pending.id)"])
            case .failure(let error) where Self.outcomeUnknown(error.code):
                throw PaygentError(.unavailable, "action \(pending.id) is still unresolved (\(error.message)); try again shortly")
            case .failure(let error):
                try store.finish(id: pending.id, settled: false, error: error.message, transactions: [])
                logger.notice("an action left pending did not settle", metadata: ["moonlander.action": "\(pending.id)", "error": "\(error.message)"])
            }
        }
        dirty.withLock { $0 = false }
        try load()
    }

    /// Memory from the database.
    func load() throws {
        guard let vault = try store.vault() else { return }
        let markets = try store.markets()
        let open = try store.openPositions()
        state.withLock { state in
            (state.vaultAddress, state.vaultSeed, state.vaultBalance) = (vault.address, vault.seed, vault.balance)
            state.markets = Dictionary(uniqueKeysWithValues: markets.map { ($0.symbol, $0) })
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
