import BigInt
import Foundation
import GRDB
import PaygentServiceKit
import PaygentStorage

/// A position as the service records it: the arithmetic's `Position`, its owner and market, its
/// triggers, and how it ended.
struct PositionRecord: Codable, Sendable, Equatable {
    enum State: String, Codable, Sendable {
        case open
        case closed
        case liquidated
    }

    var id: String
    /// Lowercase address.
    var wallet: String
    var market: String
    var state: State
    var position: PerpMath.Position
    var stopLoss: BigUInt?
    var takeProfit: BigUInt?
    var openedAt: Date
    var closedAt: Date?
    var closePrice: BigUInt?
    /// What the vault paid at the close (all closes of the position, summed).
    var payout: BigUInt = 0
    /// Realized PnL so far, signed: (profit?, amount).
    var realizedProfit: Bool = true
    var realizedPnl: BigUInt = 0
    var closeReason: String?
}

/// One market's running state: open interest per side and the next funding time.
struct MarketState: Codable, Sendable, Equatable {
    var symbol: String
    var longOpenInterest: BigUInt
    var shortOpenInterest: BigUInt
    var nextFunding: Date
}

/// A change of one side's open interest.
struct OpenInterestChange: Codable, Sendable, Equatable {
    var market: String
    var side: PerpMath.Side
    var added: BigUInt
    var removed: BigUInt
}

/// What an action changes in the records once its ledger batch settles (or at once, when it moves
/// nothing on the ledger): the rows of the positions it touches as they end up, and changes to
/// open interest and to the vault's balance. Computed before the batch leaves and stored with it,
/// so a batch found settled after a crash applies exactly what it was priced on. Open interest
/// and the vault change by differences, since opens settle in blocks beside other actions.
struct PerpEffect: Codable, Sendable, Equatable {
    var positions: [PositionRecord]
    var openInterest: [OpenInterestChange] = []
    var vaultIn: BigUInt = 0
    var vaultOut: BigUInt = 0
}

extension PerpEffect {
    /// The same effect with one open-interest change per market and side.
    func merged() -> PerpEffect {
        var byKey: [String: OpenInterestChange] = [:]
        var order: [String] = []
        for change in openInterest {
            let key = "\(change.market) \(change.side.rawValue)"
            if var existing = byKey[key] {
                existing.added += change.added
                existing.removed += change.removed
                byKey[key] = existing
            } else {
                byKey[key] = change
                order.append(key)
            }
        }
        return PerpEffect(positions: positions, openInterest: order.compactMap { byKey[$0] }, vaultIn: vaultIn, vaultOut: vaultOut)
    }
}

/// `moonlander.sqlite`: positions, markets, the vault's expected balance, and every action that
/// moves funds, written `pending` with its batch before the batch is sent.
final class PerpStore: Sendable {
    let database: DatabasePool

    static let migrations: [Migration] = [
        Migration("v1 perpetuals", """
            CREATE TABLE vault (
                id INTEGER PRIMARY KEY CHECK (id = 1),
                address TEXT NOT NULL,
                seed TEXT NOT NULL,
                funded INTEGER NOT NULL DEFAULT 0,
                balance TEXT NOT NULL
            );
            CREATE TABLE market (
                symbol TEXT PRIMARY KEY,
                long_oi TEXT NOT NULL,
                short_oi TEXT NOT NULL,
                next_funding REAL NOT NULL
            );
            CREATE TABLE position (
                id TEXT PRIMARY KEY,
                wallet TEXT NOT NULL,
                market TEXT NOT NULL,
                state TEXT NOT NULL CHECK (state IN ('open', 'closed', 'liquidated')),
                record BLOB NOT NULL,
                opened_at REAL NOT NULL
            );
            CREATE INDEX position_wallet ON position (wallet, opened_at);
            CREATE INDEX position_open ON position (state) WHERE state = 'open';
            CREATE TABLE open_block (
                id TEXT PRIMARY KEY,
                batch BLOB NOT NULL,
                state TEXT NOT NULL CHECK (state IN ('pending', 'settled', 'failed')),
                error TEXT,
                created_at REAL NOT NULL
            );
            CREATE TABLE action (
                id TEXT PRIMARY KEY,
                kind TEXT NOT NULL,
                position TEXT NOT NULL,
                idempotency_key TEXT,
                batch BLOB,
                block_id TEXT REFERENCES open_block(id),
                block_position INTEGER,
                effect BLOB NOT NULL,
                state TEXT NOT NULL CHECK (state IN ('pending', 'settled', 'failed')),
                error TEXT,
                transactions TEXT,
                request BLOB,
                reply BLOB,
                created_at REAL NOT NULL
            );
            CREATE INDEX action_pending ON action (state) WHERE state = 'pending';
            CREATE TABLE admin_price (
                market TEXT PRIMARY KEY,
                price TEXT NOT NULL
            );
            """)
    ]

    init(directory: String) throws(StorageError) {
        database = try ServiceDatabase.open(path: (directory as NSString).appendingPathComponent("moonlander.sqlite"), migrations: Self.migrations)
    }

    static func encode<T: Encodable>(_ value: T) throws -> Data {
        try IdempotentWrites.encode(value)
    }

    static func decode<T: Decodable>(_ type: T.Type, _ data: Data) throws -> T {
        try IdempotentWrites.decode(type, from: data)
    }

    // MARK: vault and markets

    /// The vault's record: its address, seed liquidity, whether the seed is on the ledger, and the
    /// balance the records expect there.
    func vault() throws -> (address: String, seed: BigUInt, funded: Bool, balance: BigUInt)? {
        try database.read { db in
            try GRDB.Row.fetchOne(db, sql: "SELECT * FROM vault WHERE id = 1").map {
                ($0["address"], BigUInt($0["seed"] as String) ?? 0, $0["funded"] as Bool, BigUInt($0["balance"] as String) ?? 0)
            }
        }
    }

    /// Writes the vault (unfunded) and the markets, once.
    func create(vault address: String, seed: BigUInt, markets: [MarketState]) throws {
        try database.write { db in
            try db.execute(
                sql: "INSERT OR IGNORE INTO vault (id, address, seed, balance) VALUES (1, ?, ?, '0')", arguments: [address, seed.description])
            for market in markets {
                try db.execute(
                    sql: "INSERT OR IGNORE INTO market (symbol, long_oi, short_oi, next_funding) VALUES (?, ?, ?, ?)",
                    arguments: [market.symbol, market.longOpenInterest.description, market.shortOpenInterest.description, market.nextFunding.timeIntervalSince1970])
            }
        }
    }

    func markFunded(balance: BigUInt) throws {
        try database.write { db in
            try db.execute(sql: "UPDATE vault SET funded = 1, balance = ? WHERE id = 1", arguments: [balance.description])
        }
    }

    /// The ledger is the truth: the records take the vault's balance there.
    func setVaultBalance(_ balance: BigUInt) throws {
        try database.write { db in
            try db.execute(sql: "UPDATE vault SET balance = ? WHERE id = 1", arguments: [balance.description])
        }
    }

    func markets() throws -> [MarketState] {
        try database.read { db in
            try GRDB.Row.fetchAll(db, sql: "SELECT * FROM market ORDER BY symbol").map { row in
                MarketState(
                    symbol: row["symbol"], longOpenInterest: BigUInt(row["long_oi"] as String) ?? 0, shortOpenInterest: BigUInt(row["short_oi"] as String) ?? 0,
                    nextFunding: Date(timeIntervalSince1970: row["next_funding"]))
            }
        }
    }

    /// The price an admin last set per market: the embedded oracles start from it after a restart.
    func setAdminPrice(_ market: String, _ price: BigUInt) throws {
        try database.write { db in
            try db.execute(sql: "INSERT OR REPLACE INTO admin_price (market, price) VALUES (?, ?)", arguments: [market, price.description])
        }
    }

    func adminPrices() throws -> [String: BigUInt] {
        try database.read { db in
            Dictionary(
                uniqueKeysWithValues: try GRDB.Row.fetchAll(db, sql: "SELECT market, price FROM admin_price").compactMap { row in
                    BigUInt(row["price"] as String).map { (row["market"] as String, $0) }
                })
        }
    }

    // MARK: positions

    func openPositions() throws -> [PositionRecord] {
        try database.read { db in
            try GRDB.Row.fetchAll(db, sql: "SELECT record FROM position WHERE state = 'open'").map { try Self.decode(PositionRecord.self, $0["record"]) }
        }
    }

    func positions(wallet: String, includeClosed: Bool) throws -> [PositionRecord] {
        try database.read { db in
            try GRDB.Row.fetchAll(
                db, sql: "SELECT record FROM position WHERE wallet = ? \(includeClosed ? "" : "AND state = 'open'") ORDER BY opened_at, id",
                arguments: [wallet]
            ).map { try Self.decode(PositionRecord.self, $0["record"]) }
        }
    }

    func position(_ id: String) throws -> PositionRecord? {
        try database.read { db in
            try Data.fetchOne(db, sql: "SELECT record FROM position WHERE id = ?", arguments: [id]).map { try Self.decode(PositionRecord.self, $0) }
        }
    }

    // MARK: actions

    /// Records an action with its batch before the batch is sent; with no batch (nothing moves on
    /// the ledger) it is applied at once.
    func begin(id: String, kind: String, position: String, key: String?, batch: Data?, effect: PerpEffect, request: Data?, reply: Data?, now: Date)
        throws
    {
        try database.write { db in
            try db.execute(
                sql: """
                    INSERT INTO action (id, kind, position, idempotency_key, batch, effect, state, request, reply, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?)
                    """,
                arguments: [id, kind, position, key, batch, try Self.encode(effect), request, reply, now.timeIntervalSince1970])
            if batch == nil { _ = try Self.finish(db, id: id, settled: true, error: nil, transactions: []) }
        }
    }

    /// Closes an action still pending; a settled one applies its effect in the same transaction.
    /// Returns the effect applied: nil when it was closed already (by whoever got there first,
    /// who alone applies it) or failed.
    @discardableResult
    func finish(id: String, settled: Bool, error: String?, transactions: [String]) throws -> PerpEffect? {
        try database.write { db in try Self.finish(db, id: id, settled: settled, error: error, transactions: transactions) }
    }

    private static func finish(_ db: Database, id: String, settled: Bool, error: String?, transactions: [String]) throws -> PerpEffect? {
        guard let data = try Data.fetchOne(db, sql: "SELECT effect FROM action WHERE id = ? AND state = 'pending'", arguments: [id]) else { return nil }
        try db.execute(
            sql: "UPDATE action SET state = ?, error = ?, transactions = ? WHERE id = ?",
            arguments: [settled ? "settled" : "failed", error, transactions.joined(separator: ","), id])
        guard settled else { return nil }
        let effect = try decode(PerpEffect.self, data)
        try apply(db, effect)
        return effect
    }

    /// Writes what moves nothing on the ledger (trigger changes): no batch, no action row.
    func apply(_ effect: PerpEffect) throws {
        try database.write { db in try Self.apply(db, effect) }
    }

    /// A funding interval: the market's positions as charged and its next funding time, together.
    func applyFunding(_ positions: [PositionRecord], market: String, nextFunding: Date) throws {
        try database.write { db in
            try Self.apply(db, PerpEffect(positions: positions))
            try db.execute(sql: "UPDATE market SET next_funding = ? WHERE symbol = ?", arguments: [nextFunding.timeIntervalSince1970, market])
        }
    }

    private static func apply(_ db: Database, _ effect: PerpEffect) throws {
        let upsert = try db.cachedStatement(
            sql: """
                INSERT INTO position (id, wallet, market, state, record, opened_at) VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT(id) DO UPDATE SET state = excluded.state, record = excluded.record
                """)
        for record in effect.positions {
            try upsert.execute(
                arguments: [record.id, record.wallet, record.market, record.state.rawValue, try encode(record), record.openedAt.timeIntervalSince1970])
        }
        for change in effect.openInterest {
            let column = change.side == .long ? "long_oi" : "short_oi"
            let current = BigUInt(try String.fetchOne(db, sql: "SELECT \(column) FROM market WHERE symbol = ?", arguments: [change.market]) ?? "0") ?? 0
            let next = current + change.added >= change.removed ? current + change.added - change.removed : 0
            try db.execute(sql: "UPDATE market SET \(column) = ? WHERE symbol = ?", arguments: [next.description, change.market])
        }
        guard effect.vaultIn > 0 || effect.vaultOut > 0 else { return }
        let balance = BigUInt(try String.fetchOne(db, sql: "SELECT balance FROM vault WHERE id = 1") ?? "0") ?? 0
        let next = balance + effect.vaultIn >= effect.vaultOut ? balance + effect.vaultIn - effect.vaultOut : 0
        try db.execute(sql: "UPDATE vault SET balance = ? WHERE id = 1", arguments: [next.description])
    }

    /// Actions whose batch was sent and whose outcome was not recorded (a crash, a lost answer).
    func pendingActions() throws -> [(id: String, batch: Data)] {
        try database.read { db in
            try GRDB.Row.fetchAll(
                db, sql: "SELECT id, batch FROM action WHERE state = 'pending' AND batch IS NOT NULL ORDER BY created_at"
            ).map { ($0["id"], $0["batch"]) }
        }
    }

    // MARK: open blocks

    /// An open as it enters a block.
    struct BlockMember: Sendable {
        var id: String
        var key: String?
        var effect: PerpEffect
        var request: Data
        var reply: Data
    }

    /// Records a block's batch and its opens, pending, in one transaction, before it is sent.
    func blockPending(id: String, batch: Data, members: [BlockMember], now: Date) throws {
        try database.write { db in
            try db.execute(
                sql: "INSERT INTO open_block (id, batch, state, created_at) VALUES (?, ?, 'pending', ?)", arguments: [id, batch, now.timeIntervalSince1970])
            let insert = try db.cachedStatement(
                sql: """
                    INSERT INTO action (id, kind, position, idempotency_key, block_id, block_position, effect, state, request, reply, created_at)
                    VALUES (?, 'open', ?, ?, ?, ?, ?, 'pending', ?, ?, ?)
                    """)
            for (position, member) in members.enumerated() {
                try insert.execute(
                    arguments: [
                        member.id, member.id, member.key, id, position, try Self.encode(member.effect), member.request, member.reply, now.timeIntervalSince1970,
                    ])
            }
        }
    }

    /// Closes a block. Settled: each open gets its transaction (one transfer each, in order) and
    /// its effect applied. Refused: nothing moved; the open that made the ledger refuse (when
    /// known) is recorded failed, the others are forgotten, to be sent again.
    /// `effects`: the members' effects when the caller has them (the block it just sent), else
    /// read back from the records (a block resolved after a crash). A settled block's effects
    /// are applied as one: its positions, and open interest and the vault changed once.
    /// Returns the block's effects as applied (merged), nil when it was closed already or refused:
    /// memory follows only the caller that applied them.
    @discardableResult
    func blockFinished(id: String, settled: Bool, transactions: [String], error: String?, culprit: Int?, effects: [PerpEffect]? = nil) throws
        -> PerpEffect?
    {
        try database.write { db in
            guard try String.fetchOne(db, sql: "SELECT state FROM open_block WHERE id = ?", arguments: [id]) == "pending" else { return nil }
            try db.execute(sql: "UPDATE open_block SET state = ?, error = ? WHERE id = ?", arguments: [settled ? "settled" : "failed", error, id])
            let members = try GRDB.Row.fetchAll(
                db, sql: "SELECT id, block_position\(effects == nil ? ", effect" : "") FROM action WHERE block_id = ? ORDER BY block_position",
                arguments: [id])
            var combined = PerpEffect(positions: [])
            for member in members {
                let position: Int = member["block_position"]
                let action: String = member["id"]
                if settled {
                    let transaction = position < transactions.count ? transactions[position] : ""
                    try db.cachedStatement(sql: "UPDATE action SET state = 'settled', transactions = ? WHERE id = ?").execute(arguments: [transaction, action])
                    let effect = try effects.map { $0[position] } ?? Self.decode(PerpEffect.self, member["effect"])
                    combined.positions += effect.positions
                    combined.openInterest += effect.openInterest
                    combined.vaultIn += effect.vaultIn
                    combined.vaultOut += effect.vaultOut
                } else if position == culprit {
                    try db.execute(sql: "UPDATE action SET state = 'failed', error = ?, block_id = NULL WHERE id = ?", arguments: [error, action])
                } else {
                    try db.execute(sql: "DELETE FROM action WHERE id = ?", arguments: [action])
                }
            }
            guard settled else { return nil }
            let merged = combined.merged()
            try Self.apply(db, merged)
            return merged
        }
    }

    /// Blocks sent and not closed (a crash, or an answer lost).
    func pendingBlocks() throws -> [(id: String, batch: Data)] {
        try database.read { db in
            try GRDB.Row.fetchAll(db, sql: "SELECT id, batch FROM open_block WHERE state = 'pending' ORDER BY created_at").map { ($0["id"], $0["batch"]) }
        }
    }

    /// An action recorded under `id`, as a retry under the same idempotency key finds it.
    func recorded(id: String) throws -> RecordedWrite? {
        try database.read { db in
            guard let row = try GRDB.Row.fetchOne(db, sql: "SELECT * FROM action WHERE id = ?", arguments: [id]) else { return nil }
            let transactions = (row["transactions"] as String?).map { $0.split(separator: ",").map(String.init) } ?? []
            return RecordedWrite(state: row["state"], request: row["request"], reply: row["reply"], transactions: transactions, error: row["error"])
        }
    }
}
