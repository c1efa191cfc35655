import Foundation
import GRDB
import PaygentCrypto
import PaygentMoney
import PaygentRegistryAPI

/// Subscriptions and their payments, in `registry.sqlite` (migration v4). Every change is one
/// transaction; a period's payment is recorded pending, with its idempotency key, before it is sent.
final class SubscriptionStore: Sendable {
    private let database: DatabasePool

    init(_ catalog: CatalogStore) {
        database = catalog.database
    }

    /// A period payment to send (or send again, with the same key, after a crash).
    struct PendingPayment: Sendable, Equatable {
        let subscriptionID: String
        let period: Int
        let key: String
        let wallet: String
        let payTo: String
        let token: String
        let amount: Amount
        let decimals: Int
        let periodStart: Date
        let periodEnd: Date
    }

    /// The subscription of `wallet` to `serviceID`, if there is one.
    func subscription(wallet: String, serviceID: String, now: Date) throws -> Subscription? {
        try database.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM subscription WHERE wallet = ? AND service_id = ?", arguments: [wallet, serviceID])
                .map { try Self.subscription(db, $0, now: now) }
        }
    }

    func subscription(id: String, now: Date) throws -> Subscription? {
        try database.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM subscription WHERE id = ?", arguments: [id]).map { try Self.subscription(db, $0, now: now) }
        }
    }

    /// Newest first; only `wallet`'s when given.
    func list(wallet: String?, now: Date) throws -> [Subscription] {
        try database.read { db in
            let rows = try wallet.map {
                try Row.fetchAll(db, sql: "SELECT * FROM subscription WHERE wallet = ? ORDER BY created_at DESC, id", arguments: [$0])
            } ?? Row.fetchAll(db, sql: "SELECT * FROM subscription ORDER BY created_at DESC, id")
            return try rows.map { try Self.subscription(db, $0, now: now) }
        }
    }

    /// The subscriptions of `subscriber` (an address) to `url`.
    func subscriptions(subscriber: String, url: String, now: Date) throws -> [Subscription] {
        try database.read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM subscription WHERE subscriber = ? AND url = ? ORDER BY expires_at DESC",
                arguments: [subscriber.lowercased(), url]
            ).map { try Self.subscription(db, $0, now: now) }
        }
    }

    /// What `begin` decided.
    enum Start: Sendable {
        /// Send this payment.
        case pay(PendingPayment)
        /// Nothing to pay: the subscription is paid up (or its payment is already on its way).
        case unchanged(Subscription)
    }

    /// Starts a period for `wallet`'s subscription to `service`: creates the subscription if
    /// there is none, and records the period's payment as pending. In one transaction, so two
    /// requests at once start one payment. A subscription still paid is only resumed (its
    /// cancellation undone, its auto-renew set), not paid again.
    func begin(
        service: ServiceEntry, period: Int, wallet: String, subscriber: String, autoRenew: Bool, newID: String, key: String, now: Date
    ) throws -> Start {
        try database.write { db in
            if let row = try Row.fetchOne(
                db, sql: "SELECT * FROM subscription WHERE wallet = ? AND service_id = ?", arguments: [wallet, service.id])
            {
                let id: String = row["id"]
                let existing = try Self.subscription(db, row, now: now)
                switch existing.status {
                case .active, .cancelled, .pending:
                    if existing.status != .pending {
                        try db.execute(
                            sql: "UPDATE subscription SET cancelled = 0, auto_renew = ? WHERE id = ?", arguments: [autoRenew, id])
                    }
                    return .unchanged(try Self.subscription(db, try Self.row(db, id), now: now))
                case .expired, .failed:
                    try db.execute(
                        sql: """
                            UPDATE subscription SET cancelled = 0, failed = 0, auto_renew = ?, price = ?, token = ?, decimals = ?,
                                period_seconds = ?, pay_to = ?, service_name = ?, url = ?, problem = NULL WHERE id = ?
                            """,
                        arguments: [
                            autoRenew, service.price.description, service.token, service.decimals, period, service.payTo, service.name,
                            service.url, id,
                        ])
                    return .pay(try Self.addPayment(db, id: id, start: now, key: key, now: now))
                }
            }
            try db.execute(
                sql: """
                    INSERT INTO subscription (id, service_id, service_name, url, wallet, subscriber, price, token, decimals,
                        period_seconds, pay_to, auto_renew, cancelled, failed, expires_at, created_at, problem)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0, NULL, ?, NULL)
                    """,
                arguments: [
                    newID, service.id, service.name, service.url, wallet, subscriber.lowercased(), service.price.description, service.token,
                    service.decimals, period, service.payTo, autoRenew, now.timeIntervalSince1970,
                ])
            return .pay(try Self.addPayment(db, id: newID, start: now, key: key, now: now))
        }
    }

    /// Records the next period's payment of a subscription that renews itself, starting where
    /// the paid periods end; nil when it is not due (or already being paid).
    func beginRenewal(id: String, key: String, now: Date) throws -> PendingPayment? {
        try database.write { db in
            guard let row = try Row.fetchOne(
                db,
                sql: """
                    SELECT * FROM subscription WHERE id = ? AND auto_renew = 1 AND cancelled = 0 AND failed = 0 AND expires_at <= ?
                        AND NOT EXISTS (SELECT 1 FROM subscription_payment p WHERE p.subscription_id = subscription.id AND p.state = 'pending')
                    """,
                arguments: [id, now.timeIntervalSince1970])
            else { return nil }
            let expires: Double = row["expires_at"]
            return try Self.addPayment(db, id: id, start: Date(timeIntervalSince1970: expires), key: key, now: now)
        }
    }

    /// The terms a subscription was taken on, to compare with the catalog's before renewing.
    struct Terms: Sendable, Equatable {
        let serviceID: String
        let price: String
        let token: String
        let periodSeconds: Int
        let payTo: String
    }

    /// Subscriptions that renew themselves and whose paid periods have ended, with their terms.
    func dueForRenewal(now: Date) throws -> [(id: String, terms: Terms)] {
        try database.read { db in
            try Row.fetchAll(
                db,
                sql: "SELECT * FROM subscription WHERE auto_renew = 1 AND cancelled = 0 AND failed = 0 AND expires_at <= ? ORDER BY expires_at",
                arguments: [now.timeIntervalSince1970]
            ).map { row in
                (row["id"], Terms(serviceID: row["service_id"], price: row["price"], token: row["token"], periodSeconds: row["period_seconds"], payTo: row["pay_to"]))
            }
        }
    }

    /// Stops a subscription renewing itself, saying why.
    func stopRenewal(id: String, reason: String) throws {
        try database.write { db in
            try db.execute(sql: "UPDATE subscription SET auto_renew = 0, problem = ? WHERE id = ?", arguments: [reason, id])
        }
    }

    /// Payments recorded as sent whose outcome is not known.
    func pendingPayments() throws -> [PendingPayment] {
        try database.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT p.*, s.wallet, s.pay_to, s.token, s.decimals FROM subscription_payment p
                    JOIN subscription s ON s.id = p.subscription_id WHERE p.state = 'pending' ORDER BY p.started_at
                    """
            ).map(Self.pending)
        }
    }

    /// The payment went through: the subscription runs to the end of its period.
    func paid(_ payment: PendingPayment, transaction: String, now: Date) throws {
        try database.write { db in
            try db.execute(
                sql: "UPDATE subscription_payment SET state = 'paid', transaction_hash = ?, paid_at = ? WHERE idempotency_key = ? AND state = 'pending'",
                arguments: [transaction, now.timeIntervalSince1970, payment.key])
            guard db.changesCount == 1 else { return }
            try db.execute(
                sql: "UPDATE subscription SET expires_at = max(coalesce(expires_at, 0), ?), problem = NULL WHERE id = ?",
                arguments: [payment.periodEnd.timeIntervalSince1970, payment.subscriptionID])
        }
    }

    /// The payment was refused: its row goes, the reason stays. A first payment refused leaves
    /// the subscription failed; a renewal refused stops it renewing.
    func refused(_ payment: PendingPayment, reason: String) throws {
        try database.write { db in
            try db.execute(sql: "DELETE FROM subscription_payment WHERE idempotency_key = ? AND state = 'pending'", arguments: [payment.key])
            guard db.changesCount == 1 else { return }
            let paidBefore = try Int.fetchOne(
                db, sql: "SELECT count(*) FROM subscription_payment WHERE subscription_id = ? AND state = 'paid'",
                arguments: [payment.subscriptionID]) ?? 0
            try db.execute(
                sql: paidBefore == 0
                    ? "UPDATE subscription SET failed = 1, problem = ? WHERE id = ?"
                    : "UPDATE subscription SET auto_renew = 0, problem = ? WHERE id = ?",
                arguments: [reason, payment.subscriptionID])
        }
    }

    /// Stops renewal; nil when there is no such subscription.
    func cancel(id: String, now: Date) throws -> Subscription? {
        try database.write { db in
            try db.execute(sql: "UPDATE subscription SET cancelled = 1, auto_renew = 0 WHERE id = ?", arguments: [id])
            guard db.changesCount == 1 else { return nil }
            return try Self.subscription(db, try Self.row(db, id), now: now)
        }
    }

    private static func addPayment(_ db: Database, id: String, start: Date, key: String, now: Date) throws -> PendingPayment {
        let row = try Self.row(db, id)
        let period = (try Int.fetchOne(db, sql: "SELECT max(period) FROM subscription_payment WHERE subscription_id = ?", arguments: [id]) ?? 0) + 1
        let seconds: Int = row["period_seconds"]
        let end = start.addingTimeInterval(TimeInterval(seconds))
        try db.execute(
            sql: """
                INSERT INTO subscription_payment (subscription_id, period, idempotency_key, state, amount, period_start, period_end, started_at)
                VALUES (?, ?, ?, 'pending', ?, ?, ?, ?)
                """,
            arguments: [id, period, key, row["price"] as String, start.timeIntervalSince1970, end.timeIntervalSince1970, now.timeIntervalSince1970])
        return PendingPayment(
            subscriptionID: id, period: period, key: key, wallet: row["wallet"], payTo: row["pay_to"], token: row["token"],
            amount: try Amount(baseUnitsString: row["price"]), decimals: row["decimals"], periodStart: start, periodEnd: end)
    }

    private static func row(_ db: Database, _ id: String) throws -> Row {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM subscription WHERE id = ?", arguments: [id]) else {
            throw DatabaseError(message: "subscription \(id) vanished")
        }
        return row
    }

    private static func pending(_ row: Row) throws -> PendingPayment {
        PendingPayment(
            subscriptionID: row["subscription_id"], period: row["period"], key: row["idempotency_key"], wallet: row["wallet"],
            payTo: row["pay_to"], token: row["token"], amount: try Amount(baseUnitsString: row["amount"]), decimals: row["decimals"],
            periodStart: Date(timeIntervalSince1970: row["period_start"]), periodEnd: Date(timeIntervalSince1970: row["period_end"]))
    }

    private static func subscription(_ db: Database, _ row: Row, now: Date) throws -> Subscription {
        let id: String = row["id"]
        let payments = try Row.fetchAll(
            db, sql: "SELECT * FROM subscription_payment WHERE subscription_id = ? ORDER BY period", arguments: [id])
        let paid = try payments.filter { $0["state"] as String == "paid" }.map { payment in
            SubscriptionPayment(
                period: payment["period"], transaction: payment["transaction_hash"], amount: try Amount(baseUnitsString: payment["amount"]),
                paidAt: Date(timeIntervalSince1970: payment["paid_at"]), periodStart: Date(timeIntervalSince1970: payment["period_start"]),
                periodEnd: Date(timeIntervalSince1970: payment["period_end"]))
        }
        let pending = payments.contains { $0["state"] as String == "pending" }
        let expires = (row["expires_at"] as Double?).map(Date.init(timeIntervalSince1970:))
        let status: SubscriptionStatus
        if row["failed"] as Bool {
            status = .failed
        } else if let expires, expires > now {
            status = row["cancelled"] as Bool ? .cancelled : .active
        } else {
            status = pending ? .pending : .expired
        }
        let subscriber: String = row["subscriber"]
        return Subscription(
            id: id, serviceId: row["service_id"], serviceName: row["service_name"], url: row["url"], wallet: row["wallet"],
            subscriber: (try? Address(subscriber).eip55) ?? subscriber, price: try Amount(baseUnitsString: row["price"]),
            token: row["token"], decimals: row["decimals"], periodSeconds: row["period_seconds"], payTo: row["pay_to"], status: status,
            autoRenew: row["auto_renew"], expiresAt: expires, createdAt: Date(timeIntervalSince1970: row["created_at"]), payments: paid,
            problem: row["problem"])
    }
}
