import Synchronization
import XCTest

@testable import PaygentRegistry

/// The cache's own rules, without a service around it.
final class LookupCacheTests: XCTestCase {
    /// A lookup that read the store before a write, and finishes after the write emptied the
    /// cache, answers what it read but does not keep it: the next lookup reads the store again.
    /// (Seen in CI: a discovery racing `registry.catalogue` kept the old page for 5 minutes.)
    func testALoadThatRacesAChangeIsNotKept() {
        let cache = LookupCache<String, Int>(lifetime: .seconds(300)) { .zero }
        let stale = cache.value("page") {
            cache.invalidate()
            return 1
        }
        XCTAssertEqual(stale, 1)
        XCTAssertEqual(cache.value("page") { 2 }, 2, "the value loaded during a change was not kept")
        XCTAssertEqual(cache.value("page") { 3 }, 2, "a value loaded with no change in between is kept")
        XCTAssertEqual(cache.misses, 2)
        XCTAssertEqual(cache.hits, 1)
    }

    func testExpiresAfterItsLifetime() {
        let now = Mutex<Duration>(.zero)
        let cache = LookupCache<String, Int>(lifetime: .seconds(60)) { now.withLock { $0 } }
        XCTAssertEqual(cache.value("price") { 1 }, 1)
        now.withLock { $0 = .seconds(59) }
        XCTAssertEqual(cache.value("price") { 2 }, 1)
        now.withLock { $0 = .seconds(60) }
        XCTAssertEqual(cache.value("price") { 3 }, 3)
    }
}
