import BigInt
import Foundation
import GRDB
import PaygentServiceKit

/// What a liquidity or farm operation changes in the service's records once its batch settles:
/// computed before the batch leaves (operations run one at a time, so nothing else changes the
/// same rows in between) and stored with it, so a batch found settled after a crash applies
/// exactly what it was priced on.
struct OperationEffect: Codable, Sendable, Equatable {
    struct Pool: Codable, Sendable, Equatable {
        var id: String
        var reserve0: String
        var reserve1: String
        var lpSupply: String
        var kLast: String
    }

    struct Farm: Codable, Sendable, Equatable {
        var pool: String
        var accRewardPerShare: String
        var lastRewardTime: UInt64
        var staked: String
    }

    struct Stake: Codable, Sendable, Equatable {
        var pool: String
        /// Lowercase address.
        var wallet: String
        var amount: String
        var rewardDebt: String
    }

    var pool: Pool?
    var farm: Farm?
    var stake: Stake?
}

/// A farm's row, with its staker count left to the stake table.
struct FarmRow: Sendable, Equatable {
    var pool: String
    var allocPoint: Int
    var farm: FarmAccounting.Farm
}

extension PoolStore {
    // MARK: operations

    /// Records a liquidity or farm operation's batch and effect before the batch is sent.
    func operationPending(
        id: String, kind: String, key: String, wallet: String, batch: Data, effect: OperationEffect, request: Data, reply: Data, now: Date
    ) throws {
        let effectData = try JSONEncoder().encode(effect)
        try database.write { db in
            try db.execute(
                sql: """
                    INSERT INTO operation (id, kind, idempotency_key, wallet, batch, effect, state, created_at, request, reply)
                    VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?)
                    """,
                arguments: [id, kind, key, wallet, batch, effectData, now.timeIntervalSince1970, request, reply])
        }
    }

    /// Closes an operation; a settled one applies its effect in the same transaction.
    func operationFinished(id: String, settled: Bool, error: String?, transactions: [String] = []) throws {
        try write { db in
            guard let data = try Data.fetchOne(db, sql: "SELECT effect FROM operation WHERE id = ? AND state = 'pending'", arguments: [id]) else {
                return
            }
            try db.execute(
                sql: "UPDATE operation SET state = ?, error = ?, transactions = ? WHERE id = ?",
                arguments: [settled ? "settled" : "failed", error, transactions.joined(separator: ","), id])
            guard settled else { return }
            let effect = try JSONDecoder().decode(OperationEffect.self, from: data)
            if let pool = effect.pool {
                try db.execute(
                    sql: "UPDATE pool SET reserve0 = ?, reserve1 = ?, lp_supply = ?, k_last = ? WHERE id = ?",
                    arguments: [pool.reserve0, pool.reserve1, pool.lpSupply, pool.kLast, pool.id])
            }
            if let farm = effect.farm {
                try db.execute(
                    sql: "UPDATE farm SET acc_reward_per_share = ?, last_reward_time = ?, staked = ? WHERE pool = ?",
                    arguments: [farm.accRewardPerShare, farm.lastRewardTime, farm.staked, farm.pool])
            }
            if let stake = effect.stake {
                try db.execute(
                    sql: """
                        INSERT INTO stake (pool, wallet, amount, reward_debt) VALUES (?, ?, ?, ?)
                        ON CONFLICT(pool, wallet) DO UPDATE SET amount = excluded.amount, reward_debt = excluded.reward_debt
                        """,
                    arguments: [stake.pool, stake.wallet, stake.amount, stake.rewardDebt])
            }
        }
    }

    /// Operations whose batch was sent and whose outcome was not recorded (a crash).
    func pendingOperations() throws -> [(id: String, key: String, batch: Data)] {
        try database.read { db in
            try GRDB.Row.fetchAll(db, sql: "SELECT id, idempotency_key, batch FROM operation WHERE state = 'pending' ORDER BY created_at").map {
                ($0["id"], $0["idempotency_key"], $0["batch"])
            }
        }
    }

    /// A swap (`table` swap) or operation recorded under `id`, as a retry under the same
    /// idempotency key finds it.
    func recorded(in table: RecordTable, id: String) throws -> RecordedWrite? {
        try database.read { db in
            guard let row = try GRDB.Row.fetchOne(db, sql: "SELECT * FROM \(table.rawValue) WHERE id = ?", arguments: [id]) else { return nil }
            let transactions = (row["transactions"] as String?).map { $0.split(separator: ",").map(String.init) } ?? []
            return RecordedWrite(state: row["state"], request: row["request"], reply: row["reply"], transactions: transactions, error: row["error"])
        }
    }

    // MARK: LP and farms

    /// The seed liquidity's LP is on the ledger: the supply minted and the protocol fee's `kLast`.
    func markLPSeeded(_ id: String, kLast: BigUInt) throws {
        try write { db in
            try db.execute(sql: "UPDATE pool SET lp_seeded = 1, k_last = ? WHERE id = ?", arguments: [kLast.description, id])
        }
    }

    /// Creates the farms not yet there, counting rewards from `now`.
    func insertFarms(_ farms: [(pool: String, allocPoint: Int)], now: UInt64) throws {
        try database.write { db in
            for farm in farms {
                try db.execute(
                    sql: """
                        INSERT OR IGNORE INTO farm (pool, alloc_point, last_reward_time, acc_reward_per_share, staked)
                        VALUES (?, ?, ?, '0', '0')
                        """,
                    arguments: [farm.pool, farm.allocPoint, now])
            }
        }
    }

    /// Every farm, ordered by pool id (the index `FarmAccounting` knows it by).
    func farms() throws -> [FarmRow] {
        try database.read { db in
            try GRDB.Row.fetchAll(db, sql: "SELECT * FROM farm ORDER BY pool").map { row in
                FarmRow(
                    pool: row["pool"], allocPoint: row["alloc_point"],
                    farm: FarmAccounting.Farm(
                        allocPoint: BigUInt(row["alloc_point"] as Int), lastRewardTime: UInt64(row["last_reward_time"] as Int64),
                        accRewardPerShare: BigUInt(row["acc_reward_per_share"] as String, radix: 10) ?? 0,
                        staked: BigUInt(row["staked"] as String, radix: 10) ?? 0))
            }
        }
    }

    /// A wallet's stakes by pool (lowercase address).
    func stakes(wallet: String) throws -> [String: FarmAccounting.Position] {
        try database.read { db in
            var stakes: [String: FarmAccounting.Position] = [:]
            for row in try GRDB.Row.fetchAll(db, sql: "SELECT * FROM stake WHERE wallet = ?", arguments: [wallet]) {
                stakes[row["pool"]] = FarmAccounting.Position(
                    amount: BigUInt(row["amount"] as String, radix: 10) ?? 0, rewardDebt: BigUInt(row["reward_debt"] as String, radix: 10) ?? 0)
            }
            return stakes
        }
    }
}

enum RecordTable: String {
    case swap
    case operation
}

/// A swap as it enters a block: recorded pending with the block, before the block leaves.
struct BlockMember: Sendable {
    var id: String
    var key: String
    var wallet: String
    var transferCount: Int
    var request: Data
    var reply: Data
}

extension PoolStore {
    // MARK: swap blocks

    /// Records a block's batch and its swaps, pending, in one transaction, before it is sent.
    func blockPending(id: String, key: String, batch: Data, members: [BlockMember], now: Date) throws {
        try database.write { db in
            try db.execute(
                sql: "INSERT INTO swap_block (id, idempotency_key, batch, state, created_at) VALUES (?, ?, ?, 'pending', ?)",
                arguments: [id, key, batch, now.timeIntervalSince1970])
            for (position, member) in members.enumerated() {
                try db.execute(
                    sql: """
                        INSERT INTO swap (id, idempotency_key, wallet, batch, state, created_at, request, reply, block_id, block_position, transfer_count)
                        VALUES (?, ?, ?, x'', 'pending', ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        member.id, member.key, member.wallet, now.timeIntervalSince1970, member.request, member.reply, id, position, member.transferCount,
                    ])
            }
        }
    }

    /// Closes a block. Settled: each swap gets its slice of the receipt's transactions (in
    /// order), and the pools their reserves after it. Refused: nothing moved; the swap that made
    /// the ledger refuse (when known) is recorded failed, the others are forgotten, so that each
    /// can be priced and sent again under its key.
    func blockFinished(id: String, settled: Bool, transactions: [String], error: String?, culprit: Int?, reserves: [(id: String, BigUInt, BigUInt)])
        throws
    {
        try write { db in
            guard try String.fetchOne(db, sql: "SELECT state FROM swap_block WHERE id = ?", arguments: [id]) == "pending" else { return }
            try db.execute(sql: "UPDATE swap_block SET state = ?, error = ? WHERE id = ?", arguments: [settled ? "settled" : "failed", error, id])
            let members = try GRDB.Row.fetchAll(
                db, sql: "SELECT id, block_position, transfer_count FROM swap WHERE block_id = ? ORDER BY block_position", arguments: [id])
            var next = 0
            for member in members {
                let count: Int = member["transfer_count"]
                let swap: String = member["id"]
                if settled {
                    let slice = transactions[min(next, transactions.count)..<min(next + count, transactions.count)]
                    try db.execute(
                        sql: "UPDATE swap SET state = 'settled', transactions = ? WHERE id = ?", arguments: [slice.joined(separator: ","), swap])
                } else if member["block_position"] as Int == culprit {
                    try db.execute(sql: "UPDATE swap SET state = 'failed', error = ?, block_id = NULL WHERE id = ?", arguments: [error, swap])
                } else {
                    try db.execute(sql: "DELETE FROM swap WHERE id = ?", arguments: [swap])
                }
                next += count
            }
            for (pool, reserve0, reserve1) in reserves {
                try db.execute(
                    sql: "UPDATE pool SET reserve0 = ?, reserve1 = ? WHERE id = ?", arguments: [reserve0.description, reserve1.description, pool])
            }
        }
    }

    /// Blocks sent and not closed (a crash, or an answer lost).
    func pendingBlocks() throws -> [(id: String, key: String, batch: Data)] {
        try database.read { db in
            try GRDB.Row.fetchAll(db, sql: "SELECT id, idempotency_key, batch FROM swap_block WHERE state = 'pending' ORDER BY created_at").map {
                ($0["id"], $0["idempotency_key"], $0["batch"])
            }
        }
    }

    /// The routing over the ready pools with `projected` reserves in place of the recorded ones
    /// (the swaps priced but not settled yet); the snapshot's own routing when there are none.
    func routing(projected: [String: (BigUInt, BigUInt)]) throws -> Routing {
        guard !projected.isEmpty else { return try routing() }
        let pools = try all().filter(\.ready).map { row in
            let reserves = projected[row.id] ?? (row.reserve0, row.reserve1)
            return PoolReserves(id: row.id, token0: row.token0, token1: row.token1, reserve0: reserves.0, reserve1: reserves.1)
        }
        return Routing(pools: pools, router: Router(pools: pools, pathCache: pathCache))
    }
}
