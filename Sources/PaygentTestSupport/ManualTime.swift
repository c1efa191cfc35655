import Clocks
import Foundation
import PaygentRuntime

/// Time that moves only when a test moves it: a manual clock (swift-clocks' `TestClock`) and a
/// wall-clock date that advances with it, from `start`. Hand `service` to a service run in
/// process; `advance(by:)` wakes what sleeps on the clock and moves the date, with no real wait.
public final class ManualTime: Sendable {
    public let clock = TestClock<Duration>()
    public let start: Date
    public let service: ServiceTime

    public init(start: Date) {
        self.start = start
        let clock = self.clock
        let origin = clock.now
        service = ServiceTime(clock: clock, now: { start.addingTimeInterval(Self.seconds(origin.duration(to: clock.now))) })
    }

    /// A time given as ISO 8601 (`2026-12-02T23:59:00Z`).
    public convenience init(_ iso8601: String) {
        self.init(start: ISO8601DateFormatter().date(from: iso8601)!)
    }

    public var now: Date { service.now() }

    public func advance(by duration: Duration) async {
        await clock.advance(by: duration)
    }

    static func seconds(_ duration: Duration) -> TimeInterval {
        let (seconds, attoseconds) = duration.components
        return TimeInterval(seconds) + TimeInterval(attoseconds) / 1e18
    }
}
