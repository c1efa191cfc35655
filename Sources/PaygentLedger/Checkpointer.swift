import Foundation
import GRDB

/// Copies the write-ahead log back into the database file in the background, on a connection of
/// its own, so that no settlement pays for it. With SQLite's automatic checkpoint the commit that
/// crosses 1,000 log pages copies them and syncs the file, which made one paid request in a
/// hundred take milliseconds. A PASSIVE checkpoint never blocks writers or readers; what it
/// cannot copy now, it copies next time. Crash safety is SQLite's: a log that was not copied yet
/// is replayed when the database is opened.
final class Checkpointer: Sendable {
    private let connection: DatabaseQueue
    private let task: Task<Void, Never>

    /// Checkpoints every `interval` (a checkpoint with nothing to copy costs next to nothing).
    init(path: String, interval: Duration = .milliseconds(200)) throws {
        let connection = try DatabaseQueue(path: path)
        self.connection = connection
        task = Task.detached(priority: .utility) {
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                // (busy, frames in the log, frames copied); the log restarts from the top once all
                // were copied and no reader needs them, so its size stays bounded.
                _ = try? connection.writeWithoutTransaction { db in
                    try Row.fetchOne(db, sql: "PRAGMA wal_checkpoint(PASSIVE)")
                }
            }
        }
    }

    deinit {
        task.cancel()
    }
}
