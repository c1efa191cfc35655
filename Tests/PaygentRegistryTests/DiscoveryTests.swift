import Foundation
import PaygentRegistry
import PaygentRegistryAPI
import PaygentRuntime
import PaygentTestSupport
import PaygentTransport
import PaygentWire
import XCTest

/// Discovery over the seed catalog, in process: each filter, each sort, pagination edges, and
/// the bad input each one refuses.
final class DiscoveryTests: XCTestCase {
    func discover(_ client: RPCClient, _ request: DiscoverRequest) async throws(PaygentError) -> DiscoverReply {
        try await client.call(RegistryMethod.discover, request)
    }

    func testFiltersSortsAndPages() async throws {
        let registry = try await InProcessService(RegistryService.definition)
        let client = registry.client
        let all = try await discover(client, DiscoverRequest())
        XCTAssertEqual(all.total, 7, "the seed catalog")
        let value1 = try await discover(client, DiscoverRequest(query: "market DATA")).total
        XCTAssertEqual(value1, 3, "words, any case")
        let value2 = try await discover(client, DiscoverRequest(query: "market weather")).total
        XCTAssertEqual(value2, 0, "every word must appear")
        let value3 = try await discover(client, DiscoverRequest(category: "weather")).services.map(\.name)
        XCTAssertEqual(value3, ["City weather"])
        let cheap = try await discover(client, DiscoverRequest(maxPrice: "0.05", sort: .price))
        XCTAssertEqual(cheap.services.map(\.name), ["LLM inference", "City weather", "Cronos news digest"], "cheapest first")
        let value4 = try await discover(client, DiscoverRequest(minPrice: "0.05", maxPrice: "0.2")).total
        XCTAssertEqual(value4, 2)
        let value5 = try await discover(client, DiscoverRequest(minPrice: "0.1", maxPrice: "0.1")).total
        XCTAssertEqual(value5, 2, "bounds are inclusive")
        let value6 = try await discover(client, DiscoverRequest(pricing: .metered)).services.first?.unit
        XCTAssertEqual(value6, "1k tokens")
        let value7 = try await discover(client, DiscoverRequest(mcpCompatible: true)).total
        XCTAssertEqual(value7, 1)
        let value8 = try await discover(client, DiscoverRequest(minReputation: 3)).total
        XCTAssertEqual(value8, 0, "new services start at 2.5")
        let value9 = try await discover(client, DiscoverRequest(network: "cronos-testnet")).total
        XCTAssertEqual(value9, 7, "a v1 network name is accepted")
        let value10 = try await discover(client, DiscoverRequest(network: "eip155:25")).total
        XCTAssertEqual(value10, 0)
        let priciest = try await discover(client, DiscoverRequest(sort: .price, limit: 100))
        XCTAssertEqual(priciest.services.last?.pricing, .subscription, "5 USDC a month is the highest price")

        // Pages: the total stays, the last page is short, past the end is empty.
        let page = try await discover(client, DiscoverRequest(sort: .price, limit: 4, offset: 4))
        XCTAssertEqual(page.services.count, 3)
        XCTAssertEqual(page.total, 7)
        XCTAssertEqual(page.services.map(\.id), Array(priciest.services.suffix(3)).map(\.id))
        let empty = try await discover(client, DiscoverRequest(limit: 10, offset: 7))
        XCTAssertEqual(empty.services, [])
        XCTAssertEqual(empty.total, 7)

        let shown = try await client.call(RegistryMethod.show, ServiceShowRequest(id: "svc_000000000005"))
        XCTAssertEqual(shown.name, "LLM inference")
        let metered = try await client.call(RegistryMethod.pricing, PricingRequest(id: "svc_000000000005", units: 250))
        XCTAssertEqual(metered.total?.description, "500000", "250 × 0.002 USDC")
        try await registry.stop()
    }

    func testBadInputIsRefusedWithItsReason() async throws {
        let registry = try await InProcessService(RegistryService.definition)
        let client = registry.client
        let cases: [(DiscoverRequest, String)] = [
            (DiscoverRequest(query: "   "), "query"), (DiscoverRequest(query: String(repeating: "a", count: 201)), "query"),
            (DiscoverRequest(minPrice: "-1"), "minPrice"), (DiscoverRequest(maxPrice: "ten"), "maxPrice"),
            (DiscoverRequest(minPrice: "2", maxPrice: "1"), "above maxPrice"), (DiscoverRequest(minReputation: 6), "minReputation"),
            (DiscoverRequest(network: "dogechain"), "network"), (DiscoverRequest(limit: 0), "limit"), (DiscoverRequest(limit: 101), "limit"),
            (DiscoverRequest(offset: -1), "offset"),
        ]
        for (request, field) in cases {
            do {
                _ = try await discover(client, request)
                XCTFail("\(request) must be refused")
            } catch {
                XCTAssertEqual(error.code, .badRequest, error.message)
                XCTAssertTrue(error.message.contains(field), "\(field): \(error.message)")
            }
        }
        do {
            _ = try await client.call(RegistryMethod.show, ServiceShowRequest(id: "svc_nope"))
            XCTFail("unknown id")
        } catch {
            XCTAssertEqual(error.code, .notFound)
        }
        do {
            _ = try await client.call(RegistryMethod.pricing, PricingRequest(id: "svc_000000000001", units: 3))
            XCTFail("units of a pay-per-call service")
        } catch {
            XCTAssertEqual(error.code, .badRequest)
        }
        try await registry.stop()
    }

    /// On a manual clock: a repeated discovery is a cache hit until 5 minutes pass; a change to
    /// the catalog empties the cache at once. No sleeping.
    func testTheLookupCacheExpiresAndIsEmptiedByChanges() async throws {
        let time = ManualTime("2026-12-02T12:00:00Z")
        let registry = try await InProcessService(RegistryService.definition, time: time.service)
        let client = registry.client
        func counts() async throws -> (hits: String?, misses: String?) {
            let health = try await client.call(CommonMethod.health, HealthRequest())
            return (health.details?["cache.hits"], health.details?["cache.misses"])
        }
        _ = try await discover(client, DiscoverRequest(query: "market"))
        _ = try await discover(client, DiscoverRequest(query: "market"))
        var now = try await counts()
        XCTAssertEqual(now.hits, "1")
        XCTAssertEqual(now.misses, "1")
        await time.advance(by: .seconds(299))
        _ = try await discover(client, DiscoverRequest(query: "market"))
        now = try await counts()
        XCTAssertEqual(now.hits, "2", "299 s: still cached")
        await time.advance(by: .seconds(1))
        _ = try await discover(client, DiscoverRequest(query: "market"))
        now = try await counts()
        XCTAssertEqual(now.misses, "2", "300 s: expired")

        let token = try String(contentsOfFile: registry.deployment.config.serviceDirectory(.registry) + "/admin.token", encoding: .utf8)
        _ = try await client.call(RegistryMethod.remove, RemoveServiceRequest(adminToken: token, id: "svc_000000000002"))
        let after = try await discover(client, DiscoverRequest(query: "market"))
        XCTAssertEqual(after.total, 2, "the removal is seen at once, not after the cache's lifetime")
        try await registry.stop()
    }
}
