import Foundation
import GRDB

/// One step of a database's schema: a name (`v2 cancelled authorizations`) and the SQL it runs.
/// SQL text rather than code that uses the app's types, so that a step means the same thing for
/// ever (GRDB's migration good practices).
public struct Migration: Sendable {
    public let name: String
    public let sql: String

    public init(_ name: String, _ sql: String) {
        self.name = name
        self.sql = sql
    }

    /// FNV-1a (64-bit) of the SQL with its whitespace collapsed (so re-indenting the source is
    /// not an edit): recorded when the step runs, compared at every open.
    var fingerprint: String {
        let normalized = sql.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in normalized.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        return String(hash, radix: 16)
    }
}

/// Why a service's database could not be opened, with what to do.
public struct StorageError: Error, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// How every service opens its SQLite database: WAL (a GRDB pool: one writer, concurrent
/// readers), a busy timeout, foreign keys on, and its migrations run in order, each in its own
/// transaction. A migration is never edited once shipped: the SQL of each applied step is
/// fingerprinted, and a database whose steps differ from the code's, or that has steps the code
/// does not know (written by a newer Paygent), is refused rather than silently misread.
public enum ServiceDatabase {
    public static let busyTimeout: TimeInterval = 5

    public static func open(
        path: String, migrations: [Migration], configure: ((inout Configuration) -> Void)? = nil
    ) throws(StorageError) -> DatabasePool {
        var configuration = Configuration()
        configuration.busyMode = .timeout(busyTimeout)
        configuration.foreignKeysEnabled = true
        configure?(&configuration)
        let pool: DatabasePool
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
        } catch {
            throw StorageError("cannot open the database \(path): \(error)")
        }
        try migrate(pool, path: path, migrations: migrations)
        return pool
    }

    /// Runs `migrations` on any GRDB database (an in-memory queue in tests, say).
    public static func migrate(_ writer: any DatabaseWriter, path: String, migrations: [Migration]) throws(StorageError) {
        var migrator = DatabaseMigrator()
        for migration in migrations {
            migrator.registerMigration(migration.name) { db in
                try db.execute(sql: migration.sql)
                try db.execute(
                    sql: "INSERT OR REPLACE INTO paygent_migration (name, fingerprint) VALUES (?, ?)",
                    arguments: [migration.name, migration.fingerprint])
            }
        }
        do {
            try writer.write { db in
                try db.execute(sql: "CREATE TABLE IF NOT EXISTS paygent_migration (name TEXT PRIMARY KEY, fingerprint TEXT NOT NULL)")
            }
            let (applied, recorded) = try writer.read { db in
                (try migrator.appliedIdentifiers(db), try Dictionary(
                    uniqueKeysWithValues: Row.fetchAll(db, sql: "SELECT name, fingerprint FROM paygent_migration").map {
                        (($0["name"] as String), ($0["fingerprint"] as String))
                    }))
            }
            let known = Set(migrations.map(\.name))
            let unknown = applied.subtracting(known).sorted()
            guard unknown.isEmpty else {
                throw StorageError("\(path) was written by a newer Paygent (schema steps \(unknown.joined(separator: ", "))); run that version, or restore a backup")
            }
            for migration in migrations where applied.contains(migration.name) {
                if let fingerprint = recorded[migration.name], fingerprint != migration.fingerprint {
                    throw StorageError("schema step '\(migration.name)' of \(path) differs from the one this database was built with; a shipped migration must never be edited: add a new step instead")
                }
            }
            // Databases made before fingerprints were kept: record what they ran now.
            try writer.write { db in
                for migration in migrations where applied.contains(migration.name) && recorded[migration.name] == nil {
                    try db.execute(
                        sql: "INSERT INTO paygent_migration (name, fingerprint) VALUES (?, ?)",
                        arguments: [migration.name, migration.fingerprint])
                }
            }
            try migrator.migrate(writer)
        } catch let error as StorageError {
            throw error
        } catch {
            throw StorageError("cannot bring \(path) up to date: \(error)")
        }
    }
}
