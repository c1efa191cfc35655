import Synchronization

/// Counters a server keeps for `health` and metrics.
public final class ServerStats: Sendable {
    private let served = Atomic<Int>(0)
    private let failed = Atomic<Int>(0)
    private let rejected = Atomic<Int>(0)
    private let active = Atomic<Int>(0)

    public init() {}

    /// Replies sent, successful or not.
    public var requestsServed: Int { served.load(ordering: .relaxed) }
    /// Error replies sent.
    public var errors: Int { failed.load(ordering: .relaxed) }
    /// Messages dropped because they could not be parsed at all.
    public var dropped: Int { rejected.load(ordering: .relaxed) }
    /// Requests being handled now.
    public var inFlight: Int { active.load(ordering: .relaxed) }

    func replied(error: Bool) {
        served.add(1, ordering: .relaxed)
        if error { failed.add(1, ordering: .relaxed) }
    }

    func droppedOne() { rejected.add(1, ordering: .relaxed) }
    func setInFlight(_ count: Int) { active.store(count, ordering: .relaxed) }
}
