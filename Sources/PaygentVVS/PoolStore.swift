import BigInt
import Foundation
import GRDB
import PaygentStorage
import Synchronization

/// The pools in `vvs.sqlite`. A pool's reserves are its balances on the payments ledger; the rows
/// are the service's copy, checked against the ledger at start. A pool is written `seeding`
/// before its funds are minted, and `ready` once they are.
final class PoolStore: Sendable {
    let database: DatabasePool
    /// The pools as last read, for quotes without a database read; dropped by every write. The
    /// generation tells a read that raced a write (its rows are answered, not kept).
    private let snapshot = Mutex<(rows: [Row]?, routing: Routing?, generation: UInt64)>((nil, nil, 0))
    let pathCache = PathCache()

    /// The ready pools as routing sees them, and a router over them, kept with the snapshot.
    struct Routing: Sendable {
        let pools: [PoolReserves]
        let router: Router
    }

    static let migrations: [Migration] = [
        Migration("v1 pools", """
            CREATE TABLE pool (
                id TEXT PRIMARY KEY,
                token0 TEXT NOT NULL,
                token1 TEXT NOT NULL,
                address TEXT NOT NULL UNIQUE,
                reserve0 TEXT NOT NULL,
                reserve1 TEXT NOT NULL,
                lp_supply TEXT NOT NULL,
                fee_bps INTEGER NOT NULL,
                state TEXT NOT NULL CHECK (state IN ('seeding', 'ready')),
                created_at REAL NOT NULL,
                UNIQUE (token0, token1)
            );
            """),
        // A swap is written pending, with the batch it sends, before the batch leaves; a swap
        // found pending at start is sent again under its key (settled once, or expired).
        Migration("v2 swaps", """
            CREATE TABLE swap (
                id TEXT PRIMARY KEY,
                idempotency_key TEXT NOT NULL UNIQUE,
                wallet TEXT NOT NULL,
                batch BLOB NOT NULL,
                state TEXT NOT NULL CHECK (state IN ('pending', 'settled', 'failed')),
                error TEXT,
                created_at REAL NOT NULL
            );
            """),
        // LP tokens on the ledger, the protocol fee's kLast, farms and their stakes, and the
        // liquidity and farm operations (written pending with their batch and the accounting
        // they apply once settled).
        Migration("v3 liquidity and farms", """
            ALTER TABLE pool ADD COLUMN k_last TEXT NOT NULL DEFAULT '0';
            ALTER TABLE pool ADD COLUMN lp_seeded INTEGER NOT NULL DEFAULT 0;
            CREATE TABLE farm (
                pool TEXT PRIMARY KEY REFERENCES pool(id),
                alloc_point INTEGER NOT NULL,
                last_reward_time INTEGER NOT NULL,
                acc_reward_per_share TEXT NOT NULL,
                staked TEXT NOT NULL
            );
            CREATE TABLE stake (
                pool TEXT NOT NULL REFERENCES farm(pool),
                wallet TEXT NOT NULL,
                amount TEXT NOT NULL,
                reward_debt TEXT NOT NULL,
                PRIMARY KEY (pool, wallet)
            );
            CREATE TABLE operation (
                id TEXT PRIMARY KEY,
                kind TEXT NOT NULL,
                idempotency_key TEXT NOT NULL UNIQUE,
                wallet TEXT NOT NULL,
                batch BLOB NOT NULL,
                effect BLOB NOT NULL,
                state TEXT NOT NULL CHECK (state IN ('pending', 'settled', 'failed')),
                error TEXT,
                created_at REAL NOT NULL
            );
            """),
        // A write made under the caller's idempotency key keeps its request and its reply, so
        // the same key sent again, even after a restart, is answered instead of applied twice.
        Migration("v4 durable idempotency", """
            ALTER TABLE swap ADD COLUMN request BLOB;
            ALTER TABLE swap ADD COLUMN reply BLOB;
            ALTER TABLE swap ADD COLUMN transactions TEXT;
            ALTER TABLE operation ADD COLUMN request BLOB;
            ALTER TABLE operation ADD COLUMN reply BLOB;
            ALTER TABLE operation ADD COLUMN transactions TEXT;
            """),
        // Swaps settle in blocks: the swaps priced while the last block was in flight go to the
        // ledger together, as one all-or-nothing batch under the block's key.
        Migration("v5 swap blocks", """
            CREATE TABLE swap_block (
                id TEXT PRIMARY KEY,
                idempotency_key TEXT NOT NULL UNIQUE,
                batch BLOB NOT NULL,
                state TEXT NOT NULL CHECK (state IN ('pending', 'settled', 'failed')),
                error TEXT,
                created_at REAL NOT NULL
            );
            ALTER TABLE swap ADD COLUMN block_id TEXT REFERENCES swap_block(id);
            ALTER TABLE swap ADD COLUMN block_position INTEGER;
            ALTER TABLE swap ADD COLUMN transfer_count INTEGER;
            CREATE INDEX swap_block_members ON swap(block_id, block_position);
            """),
    ]

    struct Row: Sendable, Equatable {
        var id: String
        /// Token symbols, in pair order (by contract address).
        var token0: String
        var token1: String
        var address: String
        var reserve0: BigUInt
        var reserve1: BigUInt
        var lpSupply: BigUInt
        var feeBps: Int
        var ready: Bool
        /// reserve0·reserve1 after the last liquidity event (the protocol fee's `kLast`).
        var kLast: BigUInt = 0
        /// The LP of the seed liquidity is minted on the ledger.
        var lpSeeded = false

        /// The pool's LP token on the ledger.
        var lpToken: String { "LP-" + id }
    }

    init(directory: String) throws(StorageError) {
        database = try ServiceDatabase.open(path: (directory as NSString).appendingPathComponent("vvs.sqlite"), migrations: Self.migrations)
    }

    func all() throws -> [Row] {
        let (cached, generation) = snapshot.withLock { ($0.rows, $0.generation) }
        if let cached { return cached }
        let rows = try database.read { db in try GRDB.Row.fetchAll(db, sql: "SELECT * FROM pool ORDER BY id").map(Self.row) }
        snapshot.withLock { if $0.generation == generation { $0.rows = rows } }
        return rows
    }

    /// The router over the ready pools of the current snapshot, built once per snapshot.
    func routing() throws -> Routing {
        let (cached, generation) = snapshot.withLock { ($0.routing, $0.generation) }
        if let cached { return cached }
        let pools = try all().filter(\.ready).map {
            PoolReserves(id: $0.id, token0: $0.token0, token1: $0.token1, reserve0: $0.reserve0, reserve1: $0.reserve1)
        }
        let routing = Routing(pools: pools, router: Router(pools: pools, pathCache: pathCache))
        snapshot.withLock { if $0.generation == generation { $0.routing = routing } }
        return routing
    }

    /// Writes to the pools, then drops the snapshot.
    func write<T>(_ body: (Database) throws -> T) throws -> T {
        defer { snapshot.withLock { $0 = (nil, nil, $0.generation &+ 1) } }
        return try database.write(body)
    }

    /// Writes pools about to be seeded (nothing when one of the same pair exists).
    func insertSeeding(_ rows: [Row], now: Date) throws {
        try write { db in
            for row in rows {
                try db.execute(
                    sql: """
                        INSERT OR IGNORE INTO pool (id, token0, token1, address, reserve0, reserve1, lp_supply, fee_bps, state, created_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'seeding', ?)
                        """,
                    arguments: [
                        row.id, row.token0, row.token1, row.address, row.reserve0.description, row.reserve1.description,
                        row.lpSupply.description, row.feeBps, now.timeIntervalSince1970,
                    ])
            }
        }
    }

    func markReady(_ id: String) throws {
        try write { db in try db.execute(sql: "UPDATE pool SET state = 'ready' WHERE id = ?", arguments: [id]) }
    }

    /// Sets a pool's reserves to what the ledger holds.
    func setReserves(_ id: String, _ reserve0: BigUInt, _ reserve1: BigUInt) throws {
        try write { db in
            try db.execute(
                sql: "UPDATE pool SET reserve0 = ?, reserve1 = ? WHERE id = ?", arguments: [reserve0.description, reserve1.description, id])
        }
    }

    /// Closes a swap; with reserves, the pools' new reserves in the same transaction.
    func swapFinished(id: String, settled: Bool, error: String?, transactions: [String] = [], reserves: [(id: String, BigUInt, BigUInt)]) throws {
        try write { db in
            try db.execute(
                sql: "UPDATE swap SET state = ?, error = ?, transactions = ? WHERE id = ? AND state = 'pending'",
                arguments: [settled ? "settled" : "failed", error, transactions.joined(separator: ","), id])
            for (pool, reserve0, reserve1) in reserves {
                try db.execute(
                    sql: "UPDATE pool SET reserve0 = ?, reserve1 = ? WHERE id = ?", arguments: [reserve0.description, reserve1.description, pool])
            }
        }
    }

    /// Swaps whose batch was sent and whose outcome was not recorded (a crash).
    func pendingSwaps() throws -> [(id: String, key: String, batch: Data)] {
        try database.read { db in
            try GRDB.Row.fetchAll(db, sql: "SELECT id, idempotency_key, batch FROM swap WHERE state = 'pending' ORDER BY created_at").map {
                ($0["id"], $0["idempotency_key"], $0["batch"])
            }
        }
    }

    private static func row(_ row: GRDB.Row) -> Row {
        Row(
            id: row["id"], token0: row["token0"], token1: row["token1"], address: row["address"],
            reserve0: BigUInt(row["reserve0"] as String, radix: 10) ?? 0, reserve1: BigUInt(row["reserve1"] as String, radix: 10) ?? 0,
            lpSupply: BigUInt(row["lp_supply"] as String, radix: 10) ?? 0, feeBps: row["fee_bps"], ready: row["state"] as String == "ready",
            kLast: BigUInt(row["k_last"] as String, radix: 10) ?? 0, lpSeeded: row["lp_seeded"] as Bool)
    }
}
