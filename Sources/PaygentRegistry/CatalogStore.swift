import Foundation
import GRDB
import PaygentMoney
import PaygentRegistryAPI
import PaygentStorage
import PaygentWire

/// The catalog in `registry.sqlite`: one row per service. The exact price is kept as its decimal
/// base-unit string; `price_value` (the price in whole tokens, as a float) only orders and
/// filters. `search` holds the lower-cased name, description and category for free-text queries.
final class CatalogStore: Sendable {
    /// Shared with `SubscriptionStore`, whose tables live in the same file.
    let database: DatabasePool

    static let migrations: [Migration] = [
        Migration("v1 services", """
            CREATE TABLE service (
                id TEXT PRIMARY KEY,
                name TEXT NOT NULL,
                description TEXT NOT NULL,
                category TEXT NOT NULL,
                url TEXT NOT NULL,
                method TEXT NOT NULL,
                pricing TEXT NOT NULL CHECK (pricing IN ('pay-per-call', 'metered', 'subscription')),
                price TEXT NOT NULL,
                price_value REAL NOT NULL,
                token TEXT NOT NULL,
                decimals INTEGER NOT NULL,
                unit TEXT,
                period_seconds INTEGER,
                network TEXT NOT NULL,
                pay_to TEXT NOT NULL,
                mcp_compatible INTEGER NOT NULL,
                input_description TEXT,
                output_description TEXT,
                reputation REAL NOT NULL,
                total_calls INTEGER NOT NULL,
                success_rate REAL NOT NULL,
                median_latency_ms REAL,
                created_at REAL NOT NULL,
                updated_at REAL NOT NULL,
                search TEXT NOT NULL
            );
            CREATE INDEX service_category ON service(category);
            """),
        Migration("v2 reputation", """
            ALTER TABLE service ADD COLUMN settled_calls INTEGER NOT NULL DEFAULT 0;
            ALTER TABLE service ADD COLUMN failed_calls INTEGER NOT NULL DEFAULT 0;
            CREATE INDEX service_url ON service(url);
            CREATE TABLE seen_payment (id TEXT PRIMARY KEY) WITHOUT ROWID;
            CREATE TABLE latency (service TEXT NOT NULL, payment TEXT NOT NULL, millis REAL NOT NULL, PRIMARY KEY (service, payment));
            CREATE TABLE registry_state (key TEXT PRIMARY KEY, value REAL NOT NULL);
            """),
        // Free text through a full-text index instead of a scan: each query word must begin a word
        // of the name, description or category.
        Migration("v3 full-text search", """
            CREATE VIRTUAL TABLE service_text USING fts5(search, content='service', content_rowid='rowid', tokenize='unicode61');
            INSERT INTO service_text(service_text) VALUES ('rebuild');
            CREATE TRIGGER service_text_insert AFTER INSERT ON service BEGIN
                INSERT INTO service_text(rowid, search) VALUES (new.rowid, new.search);
            END;
            CREATE TRIGGER service_text_delete AFTER DELETE ON service BEGIN
                INSERT INTO service_text(service_text, rowid, search) VALUES ('delete', old.rowid, old.search);
            END;
            CREATE TRIGGER service_text_update AFTER UPDATE OF search ON service BEGIN
                INSERT INTO service_text(service_text, rowid, search) VALUES ('delete', old.rowid, old.search);
                INSERT INTO service_text(rowid, search) VALUES (new.rowid, new.search);
            END;
            """),
        // A subscription is one wallet's to one service; each period's payment is written before
        // it is sent (pending, with its idempotency key) so a crash can never pay a period twice.
        // A refused payment's row is deleted; why it was refused stays in `problem`.
        Migration("v4 subscriptions", """
            CREATE TABLE subscription (
                id TEXT PRIMARY KEY,
                service_id TEXT NOT NULL,
                service_name TEXT NOT NULL,
                url TEXT NOT NULL,
                wallet TEXT NOT NULL,
                subscriber TEXT NOT NULL,
                price TEXT NOT NULL,
                token TEXT NOT NULL,
                decimals INTEGER NOT NULL,
                period_seconds INTEGER NOT NULL,
                pay_to TEXT NOT NULL,
                auto_renew INTEGER NOT NULL,
                cancelled INTEGER NOT NULL,
                failed INTEGER NOT NULL,
                expires_at REAL,
                created_at REAL NOT NULL,
                problem TEXT
            );
            CREATE UNIQUE INDEX subscription_wallet_service ON subscription(wallet, service_id);
            CREATE INDEX subscription_access ON subscription(subscriber, url);
            CREATE TABLE subscription_payment (
                subscription_id TEXT NOT NULL REFERENCES subscription(id),
                period INTEGER NOT NULL,
                idempotency_key TEXT NOT NULL UNIQUE,
                state TEXT NOT NULL CHECK (state IN ('pending', 'paid')),
                amount TEXT NOT NULL,
                period_start REAL NOT NULL,
                period_end REAL NOT NULL,
                started_at REAL NOT NULL,
                transaction_hash TEXT,
                paid_at REAL,
                PRIMARY KEY (subscription_id, period)
            );
            """),
    ]

    init(directory: String) throws(StorageError) {
        database = try ServiceDatabase.open(
            path: (directory as NSString).appendingPathComponent("registry.sqlite"), migrations: Self.migrations)
    }

    var isEmpty: Bool {
        get throws { try database.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM service") ?? 0 } == 0 }
    }

    func insert(_ entry: ServiceEntry) throws {
        try insert([entry])
    }

    /// Inserts every entry in one transaction.
    func insert(_ entries: [ServiceEntry]) throws {
        try database.write { db in
            let statement = try db.cachedStatement(sql: Self.insertSQL)
            for entry in entries { try statement.execute(arguments: Self.arguments(entry)) }
        }
    }

    /// Replaces a service's row; nil when there is no such id.
    func replace(_ entry: ServiceEntry) throws -> ServiceEntry? {
        try database.write { db in
            guard try Self.fetch(db, id: entry.id) != nil else { return nil }
            // The fields change; what payments taught about the service stays.
            let counts = try Row.fetchOne(db, sql: "SELECT settled_calls, failed_calls FROM service WHERE id = ?", arguments: [entry.id])
            try db.execute(sql: "DELETE FROM service WHERE id = ?", arguments: [entry.id])
            try db.execute(sql: Self.insertSQL, arguments: Self.arguments(entry))
            try db.execute(
                sql: "UPDATE service SET settled_calls = ?, failed_calls = ? WHERE id = ?",
                arguments: [counts?["settled_calls"] as Int? ?? 0, counts?["failed_calls"] as Int? ?? 0, entry.id])
            return entry
        }
    }

    /// Counts one finished payment for the services at its URL, once: a payment seen before (by
    /// its id) changes nothing, and one for a URL not in the catalog is counted as unmatched.
    func record(_ payment: FinishedPayment) throws -> PaymentOutcome {
        try database.write { db in
            try db.execute(sql: "INSERT OR IGNORE INTO seen_payment (id) VALUES (?)", arguments: [payment.id])
            guard db.changesCount == 1 else { return .duplicate }
            try Self.advance(db, "cursor", to: payment.startedAt.timeIntervalSince1970)
            let ids = try String.fetchAll(db, sql: "SELECT id FROM service WHERE url = ?", arguments: [payment.url])
            guard !ids.isEmpty else {
                try db.execute(sql: "INSERT INTO registry_state (key, value) VALUES ('unmatched', 1) ON CONFLICT(key) DO UPDATE SET value = value + 1")
                return .unmatched
            }
            for id in ids {
                try db.execute(
                    sql: payment.settled
                        ? "UPDATE service SET settled_calls = settled_calls + 1 WHERE id = ?"
                        : "UPDATE service SET failed_calls = failed_calls + 1 WHERE id = ?",
                    arguments: [id])
                if payment.settled, let millis = payment.latencyMillis {
                    try db.execute(sql: "INSERT OR IGNORE INTO latency (service, payment, millis) VALUES (?, ?, ?)", arguments: [id, payment.id, millis])
                }
                let row = try Row.fetchOne(db, sql: "SELECT settled_calls, failed_calls FROM service WHERE id = ?", arguments: [id])!
                let (settled, failed): (Int, Int) = (row["settled_calls"], row["failed_calls"])
                let latencies = try Double.fetchAll(db, sql: "SELECT millis FROM latency WHERE service = ? ORDER BY rowid DESC LIMIT ?", arguments: [id, Reputation.latencyWindow])
                try db.execute(
                    sql: "UPDATE service SET total_calls = ?, success_rate = ?, reputation = ?, median_latency_ms = ? WHERE id = ?",
                    arguments: [
                        settled + failed, Reputation.successRate(settled: settled, failed: failed),
                        Reputation.score(settled: settled, failed: failed), Reputation.median(latencies), id,
                    ])
            }
            return .applied(ids)
        }
    }

    /// The start time of the newest payment counted: where catching up begins.
    func cursor() throws -> Date? {
        try database.read { db in
            try Double.fetchOne(db, sql: "SELECT value FROM registry_state WHERE key = 'cursor'").map(Date.init(timeIntervalSince1970:))
        }
    }

    /// Payments seen for URLs not in the catalog.
    func unmatched() throws -> Int {
        try database.read { db in try Double.fetchOne(db, sql: "SELECT value FROM registry_state WHERE key = 'unmatched'").map { Int($0) } ?? 0 }
    }

    private static func advance(_ db: Database, _ key: String, to value: Double) throws {
        try db.execute(
            sql: "INSERT INTO registry_state (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = max(value, excluded.value)",
            arguments: [key, value])
    }

    func remove(id: String) throws -> ServiceEntry? {
        try database.write { db in
            guard let entry = try Self.fetch(db, id: id) else { return nil }
            try db.execute(sql: "DELETE FROM service WHERE id = ?", arguments: [id])
            return entry
        }
    }

    func entries(url: String) throws -> [ServiceEntry] {
        try database.read { db in try Row.fetchAll(db, sql: "SELECT * FROM service WHERE url = ? ORDER BY created_at", arguments: [url]).map(Self.entry) }
    }

    func entry(id: String) throws -> ServiceEntry? {
        try database.read { db in try Self.fetch(db, id: id) }
    }

    /// One page of the services matching `filter`, and how many match in all.
    func discover(_ filter: DiscoveryFilter) throws -> (entries: [ServiceEntry], total: Int) {
        var conditions: [String] = []
        var arguments: [(any DatabaseValueConvertible)?] = []
        if !filter.words.isEmpty {
            // Each word as a quoted prefix: "market"* matches market and market-data's market.
            let match = filter.words.map { "\"" + $0.replacingOccurrences(of: "\"", with: "\"\"") + "\"*" }.joined(separator: " ")
            conditions.append("rowid IN (SELECT rowid FROM service_text WHERE service_text MATCH ?)")
            arguments.append(match)
        }
        if let category = filter.category { conditions.append("category = ?"); arguments.append(category) }
        if let minimum = filter.minPrice { conditions.append("price_value >= ?"); arguments.append(minimum) }
        if let maximum = filter.maxPrice { conditions.append("price_value <= ?"); arguments.append(maximum) }
        if let reputation = filter.minReputation { conditions.append("reputation >= ?"); arguments.append(reputation) }
        if let mcp = filter.mcpCompatible { conditions.append("mcp_compatible = ?"); arguments.append(mcp) }
        if let pricing = filter.pricing { conditions.append("pricing = ?"); arguments.append(pricing.rawValue) }
        if let network = filter.network { conditions.append("network = ?"); arguments.append(network) }
        let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        let order =
            switch filter.sort {
            case .relevance: "reputation DESC, total_calls DESC, name ASC, id ASC"
            case .price: "price_value ASC, name ASC, id ASC"
            case .reputation: "reputation DESC, name ASC, id ASC"
            case .calls: "total_calls DESC, name ASC, id ASC"
            case .latency: "median_latency_ms IS NULL, median_latency_ms ASC, name ASC, id ASC"
            }
        let statementArguments = StatementArguments(arguments)
        return try database.read { db in
            // One scan gives the page and the total (a window count); only a page past the end
            // needs a second query for its total.
            let rows = try Row.fetchAll(
                db, sql: "SELECT *, count(*) OVER () AS matching FROM service \(whereClause) ORDER BY \(order) LIMIT ? OFFSET ?",
                arguments: statementArguments + [filter.limit, filter.offset])
            let total = try rows.first.map { $0["matching"] as Int }
                ?? Int.fetchOne(db, sql: "SELECT count(*) FROM service \(whereClause)", arguments: statementArguments) ?? 0
            return (try rows.map(Self.entry), total)
        }
    }

    private static let insertSQL = """
        INSERT INTO service (id, name, description, category, url, method, pricing, price, price_value, token, decimals, unit,
            period_seconds, network, pay_to, mcp_compatible, input_description, output_description, reputation, total_calls,
            success_rate, median_latency_ms, created_at, updated_at, search)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """

    private static func arguments(_ e: ServiceEntry) -> StatementArguments {
        let values: [(any DatabaseValueConvertible)?] = [
            e.id, e.name, e.description, e.category, e.url, e.method, e.pricing.rawValue, e.price.description,
            priceValue(e.price, decimals: e.decimals), e.token, e.decimals, e.unit, e.periodSeconds, e.network, e.payTo,
            e.mcpCompatible, e.inputDescription, e.outputDescription, e.reputation, e.totalCalls, e.successRate,
            e.medianLatencyMillis, e.createdAt.timeIntervalSince1970, e.updatedAt.timeIntervalSince1970,
            "\(e.name) \(e.description) \(e.category)".lowercased(),
        ]
        return StatementArguments(values)
    }

    /// The price in whole tokens, for ordering and filtering only.
    static func priceValue(_ price: Amount, decimals: Int) -> Double {
        (Double(price.description) ?? .infinity) / pow(10, Double(decimals))
    }

    private static func fetch(_ db: Database, id: String) throws -> ServiceEntry? {
        try Row.fetchOne(db, sql: "SELECT * FROM service WHERE id = ?", arguments: [id]).map(entry)
    }

    private static func entry(_ row: Row) throws -> ServiceEntry {
        ServiceEntry(
            id: row["id"], name: row["name"], description: row["description"], category: row["category"], url: row["url"],
            method: row["method"], pricing: PricingModel(rawValue: row["pricing"]) ?? .payPerCall,
            price: try Amount(baseUnitsString: row["price"]), token: row["token"], decimals: row["decimals"], unit: row["unit"],
            periodSeconds: row["period_seconds"], network: row["network"], payTo: row["pay_to"], mcpCompatible: row["mcp_compatible"],
            inputDescription: row["input_description"], outputDescription: row["output_description"], reputation: row["reputation"],
            totalCalls: row["total_calls"], successRate: row["success_rate"], medianLatencyMillis: row["median_latency_ms"],
            createdAt: Date(timeIntervalSince1970: row["created_at"]), updatedAt: Date(timeIntervalSince1970: row["updated_at"]))
    }
}

/// A checked discovery request, ready for the store.
struct DiscoveryFilter: Hashable, Sendable {
    var words: [String] = []
    var category: String?
    var minPrice: Double?
    var maxPrice: Double?
    var minReputation: Double?
    var mcpCompatible: Bool?
    var pricing: PricingModel?
    var network: String?
    var sort: DiscoverySort = .relevance
    var limit = 20
    var offset = 0
}
