/// Runs bodies one at a time, in the order they arrive, across suspension points (an actor alone
/// would interleave them at every `await`): what a service uses when each action must be priced
/// on the state the previous one left.
public actor SerialQueue {
    private var busy = false
    private var waiting: [CheckedContinuation<Void, Never>] = []
    /// Run before each body (resolving what a crash or a lost answer left pending, say).
    private let before: @Sendable () async throws -> Void

    public init(before: @escaping @Sendable () async throws -> Void = {}) {
        self.before = before
    }

    public func serially<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        if busy {
            await withCheckedContinuation { waiting.append($0) }
        } else {
            busy = true
        }
        defer {
            if waiting.isEmpty { busy = false } else { waiting.removeFirst().resume() }
        }
        try await before()
        return try await body()
    }
}
