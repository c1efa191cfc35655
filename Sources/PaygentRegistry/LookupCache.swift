import Synchronization

/// Answers kept for a while (services 5 minutes, prices 1 minute) and dropped at once when the
/// catalog changes. Time comes from the service's clock, so tests move it by hand.
final class LookupCache<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private struct Entry {
        let value: Value
        let storedAt: Duration
    }

    let lifetime: Duration
    let capacity: Int
    private let entries = Mutex<[Key: Entry]>([:])
    private let counts = Mutex<(hits: Int, misses: Int)>((0, 0))
    private let elapsed: @Sendable () -> Duration

    init(lifetime: Duration, capacity: Int = 10_000, elapsed: @escaping @Sendable () -> Duration) {
        self.lifetime = lifetime
        self.capacity = capacity
        self.elapsed = elapsed
    }

    /// The cached value for `key`, or `load()`'s, remembered.
    func value(_ key: Key, load: () throws -> Value) rethrows -> Value {
        let now = elapsed()
        if let hit = entries.withLock({ entries -> Value? in
            guard let entry = entries[key], now - entry.storedAt < lifetime else { return nil }
            return entry.value
        }) {
            counts.withLock { $0.hits += 1 }
            return hit
        }
        counts.withLock { $0.misses += 1 }
        let value = try load()
        entries.withLock { entries in
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[key] = Entry(value: value, storedAt: now)
        }
        return value
    }

    func invalidate() {
        entries.withLock { $0.removeAll() }
    }

    var hits: Int { counts.withLock { $0.hits } }
    var misses: Int { counts.withLock { $0.misses } }
}
