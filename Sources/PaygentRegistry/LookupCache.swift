import Synchronization

/// Answers kept for a while (services 5 minutes, prices 1 minute) and dropped at once when the
/// catalog changes. Time comes from the service's clock, so tests move it by hand.
///
/// A value loaded while the catalog changed is answered but not kept: a lookup that read the
/// store just before a write must not put the old answer back after the write emptied the cache.
final class LookupCache<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private struct Entry {
        let value: Value
        let storedAt: Duration
    }

    let lifetime: Duration
    let capacity: Int
    /// The entries, and how many times they have been dropped (to spot a load that raced a change).
    private let state = Mutex<(entries: [Key: Entry], generation: UInt64)>(([:], 0))
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
        let (hit, generation) = state.withLock { state -> (Value?, UInt64) in
            guard let entry = state.entries[key], now - entry.storedAt < lifetime else { return (nil, state.generation) }
            return (entry.value, state.generation)
        }
        if let hit {
            counts.withLock { $0.hits += 1 }
            return hit
        }
        counts.withLock { $0.misses += 1 }
        let value = try load()
        state.withLock { state in
            guard state.generation == generation else { return }
            if state.entries.count >= capacity { state.entries.removeAll(keepingCapacity: true) }
            state.entries[key] = Entry(value: value, storedAt: now)
        }
        return value
    }

    func invalidate() {
        state.withLock { state in
            state.entries.removeAll()
            state.generation &+= 1
        }
    }

    var hits: Int { counts.withLock { $0.hits } }
    var misses: Int { counts.withLock { $0.misses } }
}
