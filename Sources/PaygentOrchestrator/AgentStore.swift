import BigInt
import Foundation
import GRDB
import PaygentMoney
import PaygentOrchestratorAPI
import PaygentServiceKit
import PaygentStorage
import PaygentWire
import Synchronization

/// An execution as the orchestrator keeps it: what callers see, plus what its steps hand on to
/// later ones (a resolved service, a quote, a position) and what it was asked.
struct ExecutionRecord: Sendable, Equatable {
    var info: ExecutionInfo
    /// Values steps hand on: `service.url`, `service.price`, `swap.minimum`, `position.id`, …
    var context: [String: String]
    var budgetLimitUsd: Amount?
    /// The request as first sent under its idempotency key.
    var request: Data
}

/// The orchestrator's database (`orchestrator.sqlite`): sessions, executions (their logs) and
/// approvals. An execution is written whole, in one transaction with what a step changed in its
/// session: before and after each step that spends, when it pauses, and when it ends.
final class AgentStore: Sendable {
    let database: DatabasePool
    /// Sessions as last written, by id and by name: the orchestrator is the database's only
    /// writer, and a session is read at every command.
    private let sessions = Mutex<[String: SessionInfo]>([:])

    static let migrations = [
        Migration("v1 agent", """
            CREATE TABLE session (
                id TEXT PRIMARY KEY,
                name TEXT NOT NULL UNIQUE,
                state TEXT NOT NULL,
                created_at REAL NOT NULL,
                info TEXT NOT NULL
            );
            CREATE TABLE execution (
                id TEXT PRIMARY KEY,
                session TEXT NOT NULL REFERENCES session(id),
                status TEXT NOT NULL,
                intents TEXT NOT NULL,
                started_at REAL NOT NULL,
                info TEXT NOT NULL,
                context TEXT NOT NULL,
                budget_limit_usd TEXT,
                request BLOB NOT NULL
            );
            CREATE INDEX execution_by_session ON execution(session, started_at);
            CREATE INDEX execution_by_status ON execution(status);
            CREATE TABLE approval (
                id TEXT PRIMARY KEY,
                execution TEXT NOT NULL REFERENCES execution(id),
                session TEXT NOT NULL,
                state TEXT NOT NULL,
                expires_at REAL NOT NULL,
                info TEXT NOT NULL
            );
            CREATE INDEX approval_by_state ON approval(state, expires_at);
            """),
    ]

    init(directory: String) throws {
        // WAL with synchronous=NORMAL: a commit survives the process being killed at any instant
        // (what the tests do between any two writes); only a power loss can lose the newest
        // commits, and no money is lost with them: a step that spends is sent again under its key
        // and answered from the service's own durable record.
        database = try ServiceDatabase.open(
            path: (directory as NSString).appendingPathComponent("orchestrator.sqlite"), migrations: Self.migrations,
            configure: { configuration in
                configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = NORMAL") }
            })
    }

    static func json<T: Encodable>(_ value: T) throws -> String {
        String(decoding: try IdempotentWrites.encode(value), as: UTF8.self)
    }

    static func value<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
        try IdempotentWrites.decode(type, from: Data(text.utf8))
    }

    // MARK: sessions

    func insert(_ session: SessionInfo) throws {
        try database.write { db in
            try db.execute(
                sql: "INSERT INTO session (id, name, state, created_at, info) VALUES (?, ?, ?, ?, ?)",
                arguments: [session.id, session.name, session.state, session.createdAt.timeIntervalSince1970, try Self.json(session)])
        }
        remember(session)
    }

    static func save(_ session: SessionInfo, _ db: Database) throws {
        try db.execute(sql: "UPDATE session SET state = ?, info = ? WHERE id = ?", arguments: [session.state, try json(session), session.id])
    }

    private func remember(_ session: SessionInfo) {
        sessions.withLock { cache in
            cache[session.id] = session
            cache[session.name] = session
        }
    }

    /// A session by id or name.
    func session(_ reference: String) throws -> SessionInfo? {
        if let known = sessions.withLock({ $0[reference] }) { return known }
        let session = try database.read { db in try Self.session(reference, db) }
        if let session { remember(session) }
        return session
    }

    static func session(_ reference: String, _ db: Database) throws -> SessionInfo? {
        guard let text = try String.fetchOne(db, sql: "SELECT info FROM session WHERE id = ? OR name = ?", arguments: [reference, reference]) else {
            return nil
        }
        return try value(SessionInfo.self, text)
    }

    func sessions(state: String?, limit: Int, offset: Int) throws -> (sessions: [SessionInfo], total: Int) {
        try database.read { db in
            let filter = state == nil ? "" : "WHERE state = ?"
            let arguments: StatementArguments = state.map { [$0] } ?? []
            let total = try Int.fetchOne(db, sql: "SELECT count(*) FROM session \(filter)", arguments: arguments) ?? 0
            let rows = try String.fetchAll(
                db, sql: "SELECT info FROM session \(filter) ORDER BY created_at DESC, id LIMIT ? OFFSET ?", arguments: arguments + [limit, offset])
            return (try rows.map { try Self.value(SessionInfo.self, $0) }, total)
        }
    }

    // MARK: executions

    /// Writes an execution as it stands (the first write inserts it), and with it what a step
    /// changed in its session (added to the session as it is in the database, so that no other
    /// change is lost) and an approval it created or decided, all or nothing.
    func save(_ record: ExecutionRecord, change: SessionChange? = nil, approval: ApprovalInfo? = nil) throws {
        var updated: SessionInfo?
        try database.write { db in
            try db.execute(
                sql: """
                    INSERT INTO execution (id, session, status, intents, started_at, info, context, budget_limit_usd, request)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT(id) DO UPDATE SET status = excluded.status, info = excluded.info, context = excluded.context
                    """,
                arguments: [
                    record.info.id, record.info.session, record.info.status.rawValue,
                    "," + record.info.plan.intents.map(\.intent.rawValue).joined(separator: ",") + ",", record.info.startedAt.timeIntervalSince1970,
                    try Self.json(record.info), try Self.json(record.context), record.budgetLimitUsd?.baseUnits.description, record.request,
                ])
            if let change, !change.isEmpty, var session = try Self.session(record.info.session, db) {
                change.apply(to: &session)
                try Self.save(session, db)
                updated = session
            }
            if let approval { try Self.save(approval, db) }
        }
        if let updated { remember(updated) }
    }

    /// Changes a session as it is in the database (its state, say), in one transaction.
    func update(session id: String, _ change: @escaping @Sendable (inout SessionInfo) -> Void) throws -> SessionInfo? {
        let updated = try database.write { db -> SessionInfo? in
            guard var session = try Self.session(id, db) else { return nil }
            change(&session)
            try Self.save(session, db)
            return session
        }
        if let updated { remember(updated) }
        return updated
    }

    func execution(_ id: String) throws -> ExecutionRecord? {
        try database.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT info, context, budget_limit_usd, request FROM execution WHERE id = ?", arguments: [id]) else {
                return nil
            }
            return try Self.record(row)
        }
    }

    static func record(_ row: Row) throws -> ExecutionRecord {
        let budget: String? = row["budget_limit_usd"]
        return ExecutionRecord(
            info: try value(ExecutionInfo.self, row["info"]), context: try value([String: String].self, row["context"]),
            budgetLimitUsd: try budget.map { try Amount(baseUnitsString: $0) }, request: row["request"])
    }

    /// Executions a restart must take up again: running, or waiting for an approval.
    func unfinished() throws -> [ExecutionRecord] {
        try database.read { db in
            try Row.fetchAll(
                db, sql: "SELECT info, context, budget_limit_usd, request FROM execution WHERE status IN ('running', 'awaiting_approval') ORDER BY started_at"
            ).map(Self.record)
        }
    }

    func executions(_ request: ExecutionListRequest, session: String?, limit: Int, offset: Int) throws -> (executions: [ExecutionInfo], total: Int) {
        var conditions: [String] = []
        var arguments: [any DatabaseValueConvertible] = []
        if let session {
            conditions.append("session = ?")
            arguments.append(session)
        }
        if let status = request.status {
            conditions.append("status = ?")
            arguments.append(status.rawValue)
        }
        if let intent = request.intent {
            conditions.append("intents LIKE ?")
            arguments.append("%,\(intent.rawValue),%")
        }
        if let since = request.since {
            conditions.append("started_at >= ?")
            arguments.append(since.timeIntervalSince1970)
        }
        if let until = request.until {
            conditions.append("started_at < ?")
            arguments.append(until.timeIntervalSince1970)
        }
        let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        return try database.read { db in
            let total = try Int.fetchOne(db, sql: "SELECT count(*) FROM execution \(filter)", arguments: StatementArguments(arguments)) ?? 0
            let rows = try String.fetchAll(
                db, sql: "SELECT info FROM execution \(filter) ORDER BY started_at DESC, id LIMIT ? OFFSET ?",
                arguments: StatementArguments(arguments + [limit, offset]))
            return (try rows.map { try Self.value(ExecutionInfo.self, $0) }, total)
        }
    }

    /// Every execution of a session (for its summary).
    func executions(session: String) throws -> [ExecutionInfo] {
        try database.read { db in
            try String.fetchAll(db, sql: "SELECT info FROM execution WHERE session = ? ORDER BY started_at", arguments: [session])
                .map { try Self.value(ExecutionInfo.self, $0) }
        }
    }

    // MARK: approvals

    static func save(_ approval: ApprovalInfo, _ db: Database) throws {
        try db.execute(
            sql: """
                INSERT INTO approval (id, execution, session, state, expires_at, info) VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT(id) DO UPDATE SET state = excluded.state, info = excluded.info
                """,
            arguments: [
                approval.id, approval.execution, approval.session, approval.state.rawValue, approval.expiresAt.timeIntervalSince1970, try json(approval),
            ])
    }

    func approval(_ id: String) throws -> ApprovalInfo? {
        try database.read { db in
            try String.fetchOne(db, sql: "SELECT info FROM approval WHERE id = ?", arguments: [id]).map { try Self.value(ApprovalInfo.self, $0) }
        }
    }

    func approvals(session: String?, state: ApprovalInfo.State) throws -> [ApprovalInfo] {
        try database.read { db in
            let filter = session == nil ? "" : "AND session = ?"
            let arguments: StatementArguments = [state.rawValue] + (session.map { [$0] } ?? [])
            return try String.fetchAll(db, sql: "SELECT info FROM approval WHERE state = ? \(filter) ORDER BY expires_at", arguments: arguments)
                .map { try Self.value(ApprovalInfo.self, $0) }
        }
    }

    /// Pending approvals whose time ran out by `now`.
    func expired(at now: Date) throws -> [ApprovalInfo] {
        try database.read { db in
            try String.fetchAll(db, sql: "SELECT info FROM approval WHERE state = 'pending' AND expires_at <= ?", arguments: [now.timeIntervalSince1970])
                .map { try Self.value(ApprovalInfo.self, $0) }
        }
    }
}

/// What a step did to its session: spending added, facts remembered.
struct SessionChange: Sendable, Equatable {
    var spentUsd = BigUInt(0)
    var memory: [String: String] = [:]

    var isEmpty: Bool { spentUsd == 0 && memory.isEmpty }

    func apply(to session: inout SessionInfo) {
        session.spentUsd = (try? Amount(baseUnits: session.spentUsd.baseUnits + spentUsd)) ?? session.spentUsd
        for (key, value) in memory { session.memory[key] = value }
    }
}
