import PaygentX402
import Synchronization

/// What resources cost, as learned from their 402 answers, so that a client calling a resource
/// again pays on its first request instead of asking for the price every time. The x402
/// specification makes that first round trip optional when the client already knows the payment
/// details; for agents that pay the same API many times it is half the requests.
///
/// Entries live `lifetime` and are dropped as soon as a server refuses a payment made from them.
public final class OfferCache: Sendable {
    private struct Entry {
        let offers: [Offer]
        /// The 402's `extensions`: a resource that takes `sign-in-with-x` is not paid blind.
        let extensions: JSONValue?
        let learned: Duration
    }

    public let lifetime: Duration
    public let capacity: Int
    private let entries = Mutex<[String: Entry]>([:])
    /// Monotonic time: the service's clock (a manual one in tests).
    private let elapsed: @Sendable () -> Duration

    public init(lifetime: Duration = .seconds(60), capacity: Int = 1024, elapsed: (@Sendable () -> Duration)? = nil) {
        self.lifetime = lifetime
        self.capacity = max(1, capacity)
        if let elapsed {
            self.elapsed = elapsed
        } else {
            let origin = ContinuousClock.now
            self.elapsed = { ContinuousClock.now - origin }
        }
    }

    /// The offers last seen for `key` (method and URL), if still fresh.
    public func offers(for key: String) -> [Offer]? {
        terms(for: key)?.offers
    }

    /// The offers and 402 extensions last seen for `key`, if still fresh.
    public func terms(for key: String) -> (offers: [Offer], extensions: JSONValue?)? {
        let now = elapsed()
        return entries.withLock { entries in
            guard let entry = entries[key] else { return nil }
            guard now - entry.learned < lifetime else {
                entries[key] = nil
                return nil
            }
            return (entry.offers, entry.extensions)
        }
    }

    public func remember(_ offers: [Offer], extensions: JSONValue? = nil, for key: String) {
        let now = elapsed()
        entries.withLock { entries in
            if entries.count >= capacity, entries[key] == nil {
                // Full: drop the stale, and if none is stale, the oldest.
                entries = entries.filter { now - $0.value.learned < lifetime }
                if entries.count >= capacity, let oldest = entries.min(by: { $0.value.learned < $1.value.learned })?.key {
                    entries[oldest] = nil
                }
            }
            entries[key] = Entry(offers: offers, extensions: extensions, learned: now)
        }
    }

    /// Entries held now, fresh or not yet dropped.
    public var count: Int { entries.withLock { $0.count } }

    public func forget(_ key: String) {
        _ = entries.withLock { $0.removeValue(forKey: key) }
    }
}

extension Offer {
    /// Same scheme, network, asset, amount and recipient: a payment for one pays the other.
    public func hasSameTerms(as other: Offer) -> Bool {
        scheme == other.scheme && Network(network) == Network(other.network)
            && asset.lowercased() == other.asset.lowercased() && amount == other.amount
            && payTo.lowercased() == other.payTo.lowercased()
    }
}
