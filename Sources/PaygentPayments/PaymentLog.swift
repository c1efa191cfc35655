import BigInt
import Foundation
import GRDB
import PaygentStorage
import PaygentPaymentsAPI
import PaygentCrypto
import PaygentLedger
import PaygentWire
import PaygentMoney

/// What identifies a signed authorization on the ledger, recorded with its payment before the
/// header leaves the service, so that its outcome can always be found out (and, if it did not
/// settle, the authorization cancelled) after a crash.
struct PendingPayment: Sendable {
    let id: String
    let wallet: String
    let token: Address
    let payer: Address
    let nonce: [UInt8]
    let validBefore: UInt64
    /// The wallet's spend reservation for it.
    let spend: Int64
    let startedAt: Date
}

/// The record of every x402 payment the service makes: pending when signed, then confirmed or
/// failed, with timings. Kept in `payments.sqlite`, beside the wallets' database.
final class PaymentLog: Sendable {
    private let database: DatabasePool

    init(directory: String) throws {
        database = try ServiceDatabase.open(
            path: (directory as NSString).appendingPathComponent("payments.sqlite"), migrations: Self.migrations)
    }

    /// The payment log's schema, step by step; a shipped step is never edited (`ServiceDatabase`).
    static let migrations: [Migration] = [
        Migration("v1 payments", """
                CREATE TABLE payment (
                    id TEXT PRIMARY KEY,
                    wallet TEXT NOT NULL,
                    service TEXT NOT NULL,
                    url TEXT NOT NULL,
                    recipient TEXT NOT NULL,
                    amount BLOB NOT NULL CHECK (length(amount) = 32),
                    token TEXT NOT NULL,
                    tx_hash TEXT,
                    status TEXT NOT NULL CHECK (status IN ('pending', 'confirmed', 'failed')),
                    error TEXT,
                    started_at REAL NOT NULL,
                    finished_at REAL,
                    latency_ms REAL
                );
                CREATE INDEX payment_started ON payment(started_at);
                """),
        Migration("v2 authorizations", """
                ALTER TABLE payment ADD COLUMN token_address TEXT;
                ALTER TABLE payment ADD COLUMN payer TEXT;
                ALTER TABLE payment ADD COLUMN nonce BLOB;
                ALTER TABLE payment ADD COLUMN valid_before INTEGER;
                ALTER TABLE payment ADD COLUMN spend_id INTEGER;
                CREATE INDEX payment_pending ON payment(status) WHERE status = 'pending';
                """),
    ]

    /// Records a payment as pending, with the authorization it sends; called before the header
    /// leaves the service.
    func start(_ entry: PaymentEntry, token: String, authorization: PendingPayment) throws {
        try database.write { db in
            try db.execute(
                sql: """
                    INSERT INTO payment (id, wallet, service, url, recipient, amount, token, status, started_at,
                                         token_address, payer, nonce, valid_before, spend_id)
                    VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    entry.id, entry.wallet, entry.service, entry.url, entry.recipient, AmountBlob.data(entry.amount.baseUnits), token,
                    entry.startedAt.timeIntervalSince1970, authorization.token.lowercase, authorization.payer.lowercase,
                    Data(authorization.nonce), Int64(authorization.validBefore), authorization.spend,
                ])
        }
    }

    /// Every payment still pending, oldest first.
    func pending() throws -> [PendingPayment] {
        try database.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM payment WHERE status = 'pending' ORDER BY started_at").compactMap { row in
                guard let token = (row["token_address"] as String?).flatMap({ try? Address($0) }),
                    let payer = (row["payer"] as String?).flatMap({ try? Address($0) }), let nonce = row["nonce"] as Data?,
                    let validBefore = row["valid_before"] as Int64?, let spend = row["spend_id"] as Int64?
                else { return nil }
                return PendingPayment(
                    id: row["id"], wallet: row["wallet"], token: token, payer: payer, nonce: [UInt8](nonce),
                    validBefore: UInt64(max(0, validBefore)), spend: spend, startedAt: Date(timeIntervalSince1970: row["started_at"]))
            }
        }
    }

    /// Pending payments recorded before their authorization was (v1 records): nothing can be
    /// resolved on the ledger for them, so they are closed as unknown.
    func closeUnresolvable(now: Date) throws -> Int {
        try database.write { db in
            try db.execute(
                sql: """
                    UPDATE payment SET status = 'failed', finished_at = ?,
                        error = 'outcome unknown: recorded before payments kept their authorization'
                    WHERE status = 'pending' AND nonce IS NULL
                    """, arguments: [now.timeIntervalSince1970])
            return db.changesCount
        }
    }

    /// Closes a pending payment; a payment already closed is left as it is (returns false).
    @discardableResult
    func finish(id: String, confirmed: Bool, transaction: String?, error: String?, latencyMillis: Double?, now: Date) throws -> Bool {
        try database.write { db in
            try db.execute(
                sql: "UPDATE payment SET status = ?, tx_hash = ?, error = ?, finished_at = ?, latency_ms = ? WHERE id = ? AND status = 'pending'",
                arguments: [confirmed ? "confirmed" : "failed", transaction, error, now.timeIntervalSince1970, latencyMillis, id])
            return db.changesCount > 0
        }
    }

    func list(_ request: PaymentListRequest, token: (String) -> TokenInfo?) throws -> PaymentListReply {
        try database.read { db in
            var conditions: [String] = []
            var arguments: [any DatabaseValueConvertible] = []
            if let status = request.status { conditions.append("status = ?"); arguments.append(status) }
            if let wallet = request.wallet { conditions.append("wallet = ?"); arguments.append(wallet) }
            if let service = request.service { conditions.append("service LIKE ?"); arguments.append("%\(service)%") }
            if let since = request.since { conditions.append("started_at >= ?"); arguments.append(since.timeIntervalSince1970) }
            if let until = request.until { conditions.append("started_at < ?"); arguments.append(until.timeIntervalSince1970) }
            let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
            let total = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM payment \(filter)", arguments: StatementArguments(arguments)) ?? 0
            let rows = try Row.fetchAll(
                db, sql: "SELECT * FROM payment \(filter) ORDER BY started_at DESC LIMIT ? OFFSET ?",
                arguments: StatementArguments(arguments + [max(0, min(request.limit, 1000)), max(0, request.offset)]))
            return PaymentListReply(payments: rows.compactMap { Self.entry($0, token) }, total: total)
        }
    }

    func show(id: String, token: (String) -> TokenInfo?) throws -> PaymentEntry? {
        try database.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM payment WHERE id = ?", arguments: [id]).flatMap { Self.entry($0, token) }
        }
    }

    func stats(token: (String) -> TokenInfo?) throws -> PaymentStats {
        try database.read { db in
            let rows = try Row.fetchAll(db, sql: "SELECT status, token, amount, latency_ms FROM payment")
            let confirmed = rows.filter { $0["status"] as String == "confirmed" }
            let failed = rows.filter { $0["status"] as String == "failed" }
            var volumes: [String: BigUInt] = [:]
            for row in confirmed { volumes[row["token"], default: 0] += BigUInt(row["amount"] as Data) }
            let latencies = rows.compactMap { $0["latency_ms"] as Double? }.sorted()
            let finished = confirmed.count + failed.count
            return PaymentStats(
                count: rows.count, confirmed: confirmed.count, failed: failed.count,
                successRate: finished == 0 ? 0 : Double(confirmed.count) / Double(finished),
                volume: volumes.keys.sorted().compactMap { symbol in
                    guard let info = token(symbol), let amount = try? Amount(baseUnits: volumes[symbol]!) else { return nil }
                    return .init(token: info, amount: amount)
                },
                meanLatencyMillis: latencies.isEmpty ? 0 : latencies.reduce(0, +) / Double(latencies.count),
                p95LatencyMillis: latencies.isEmpty ? 0 : latencies[min(latencies.count - 1, Int(Double(latencies.count) * 0.95))])
        }
    }

    static func entry(_ row: Row, _ token: (String) -> TokenInfo?) -> PaymentEntry? {
        guard let info = token(row["token"]), let amount = try? Amount(baseUnits: BigUInt(row["amount"] as Data)) else { return nil }
        return PaymentEntry(
            id: row["id"], wallet: row["wallet"], service: row["service"], url: row["url"], recipient: row["recipient"],
            amount: amount, token: info, transaction: row["tx_hash"], status: row["status"], error: row["error"],
            startedAt: Date(timeIntervalSince1970: row["started_at"]),
            finishedAt: (row["finished_at"] as Double?).map { Date(timeIntervalSince1970: $0) }, latencyMillis: row["latency_ms"])
    }
}
