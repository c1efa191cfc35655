import Foundation
import Logging
import PaygentTransport
import Synchronization

/// What a service's setup code gets to work with.
public struct ServiceEnvironment: Sendable {
    public let service: ServiceName
    public let config: PaygentConfig
    public let logger: Logger
    public let publisher: Publisher
    public let context: ZMQContext
    /// The service's own directory under the data directory (created if missing).
    public let directory: String
    /// Long-running work beside the RPC server (an HTTP server): stopped after RPC drains.
    public let background: BackgroundWork
    /// The only source of time for the service's code (a manual clock in tests).
    public let time: ServiceTime
    /// The only source of randomness for the service's code: nonces, ids (seeded in tests).
    public let random: RandomSource
    /// Service-specific lines for `health` (a cache's hits and misses, say).
    public let health: HealthDetails
}

/// Random bytes, injected: the system's generator in a service, a seeded one in a test that must
/// repeat exactly.
public struct RandomSource: Sendable {
    public let bytes: @Sendable (Int) -> [UInt8]

    public init(bytes: @escaping @Sendable (Int) -> [UInt8]) {
        self.bytes = bytes
    }

    /// The operating system's generator (`getrandom`).
    public static let system = RandomSource { count in
        var generator = SystemRandomNumberGenerator()
        var out = [UInt8]()
        out.reserveCapacity(count + 8)
        while out.count < count {
            withUnsafeBytes(of: generator.next() as UInt64) { out.append(contentsOf: $0) }
        }
        return Array(out.prefix(count))
    }

    /// A 32-byte EIP-3009 nonce.
    public func nonce() -> [UInt8] { bytes(32) }

    /// A random (version 4) UUID, lower case: ids of records.
    public func id() -> String {
        var raw = bytes(16)
        raw[6] = (raw[6] & 0x0F) | 0x40
        raw[8] = (raw[8] & 0x3F) | 0x80
        let uuid = UUID(uuid: (raw[0], raw[1], raw[2], raw[3], raw[4], raw[5], raw[6], raw[7], raw[8], raw[9], raw[10], raw[11], raw[12], raw[13], raw[14], raw[15]))
        return uuid.uuidString.lowercased()
    }
}

/// Lines a service adds to its `health` reply, each read when `health` is called.
public final class HealthDetails: Sendable {
    private let readers = Mutex<[(String, @Sendable () -> String)]>([])

    public init() {}

    /// Adds `name` (dotted, lower case: `offer_cache.entries`), read by `value` at every `health`.
    public func report(_ name: String, _ value: @escaping @Sendable () -> String) {
        readers.withLock { $0.append((name, value)) }
    }

    var current: [String: String]? {
        let readers = self.readers.withLock { $0 }
        guard !readers.isEmpty else { return nil }
        return Dictionary(readers.map { ($0.0, $0.1()) }, uniquingKeysWith: { _, last in last })
    }
}

/// Time as a service sees it: a clock to wait on and measure with, and the wall-clock date, read
/// together so that a test can move both at once. Service code never reads `Date()` or
/// `ContinuousClock` itself.
public struct ServiceTime: Sendable {
    /// What the service sleeps on (timers, periodic work).
    public let clock: any Clock<Duration>
    /// The wall-clock date: what is recorded, and what days and validity windows are counted in.
    public let now: @Sendable () -> Date
    /// Time elapsed on `clock` since this value was made: monotonic, for expiry and latency.
    public let elapsed: @Sendable () -> Duration

    public init<C: Clock>(clock: C, now: @escaping @Sendable () -> Date) where C.Duration == Duration {
        let origin = clock.now
        self.clock = clock
        self.now = now
        elapsed = { origin.duration(to: clock.now) }
    }

    /// The machine's clocks.
    public static let system = ServiceTime(clock: ContinuousClock(), now: { Date() })
}
