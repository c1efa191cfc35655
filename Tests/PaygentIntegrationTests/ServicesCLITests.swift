import Foundation
import PaygentPaymentsAPI
import PaygentRuntime
import PaygentTestSupport
import PaygentTransport
import XCTest

/// `paygent services` as a person uses it, against the built payments and registry services.
final class ServicesCLITests: XCTestCase {
    func testDiscoverPriceRegisterAndRemoveFromTheCommandLine() async throws {
        let deployment = try TestDeployment()
        defer { deployment.remove() }
        let context = ZMQContext()
        let payments = try await startService(.payments, deployment: deployment, context: context)
        let registry = try await startService(.registry, deployment: deployment, context: context)
        defer {
            payments.signal(SIGKILL)
            registry.signal(SIGKILL)
        }
        func paygent(_ arguments: [String]) async throws -> (Int32?, String) {
            let child = try ChildProcess("paygent", ["services"] + arguments, deployment: deployment, tag: "paygent")
            return (await child.waitForExit(timeout: .seconds(30)), child.output)
        }

        let (status, table) = try await paygent(["discover", "market", "--sort", "price"])
        XCTAssertEqual(status, 0, table)
        XCTAssertTrue(table.contains("Market data: prices") && table.contains("0.10 USDC") && table.contains("1–3 of 3"), table)

        let (_, json) = try await paygent(["discover", "--pricing", "metered", "--json"])
        let reply = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any], json)
        XCTAssertEqual(reply["total"] as? Int, 1)

        let (_, price) = try await paygent(["pricing", "svc_000000000005", "--units", "250"])
        XCTAssertTrue(price.contains("0.002 USDC per 1k tokens") && price.contains("250 units: 0.50 USDC"), price)

        let (registered, added) = try await paygent([
            "register", "--name", "Exchange rates", "--category", "market-data", "--url", "https://rates.example.com/v1",
            "--price", "0.05", "--pay-to", "0x209693Bc6afc0C5328bA36FaF03C514EF312287C", "--json",
        ])
        XCTAssertEqual(registered, 0, added)
        let entry = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(added.utf8)) as? [String: Any], added)
        let id = try XCTUnwrap(entry["id"] as? String)

        let (refused, why) = try await paygent(["discover", "--limit", "0", "--json"])
        XCTAssertEqual(refused, 1, why)
        XCTAssertTrue(why.contains("\"code\" : \"bad_request\"") && why.contains("limit: 1 to 100"), why)

        // From the resource's own 402: the sample API's real price; a free URL is refused.
        let market = try ChildProcess("paygent-market", [], deployment: deployment, tag: "market")
        defer { market.signal(SIGKILL) }
        try await waitForHTTP(deployment.config.marketHTTP, child: market)
        let marketURL = "http://\(deployment.config.marketHTTP)"
        let (addStatus, addedFrom402) = try await paygent(["add", "\(marketURL)/prices", "--category", "market-data", "--json"])
        XCTAssertEqual(addStatus, 0, addedFrom402)
        let fromTerms = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(addedFrom402.utf8)) as? [String: Any], addedFrom402)
        XCTAssertEqual(fromTerms["price"] as? String, "100000", "0.10 USDC, as the 402 asks")
        XCTAssertEqual(fromTerms["network"] as? String, "eip155:338")
        XCTAssertEqual(fromTerms["payTo"] as? String, "0x209693Bc6afc0C5328bA36FaF03C514EF312287C")
        XCTAssertEqual(fromTerms["inputDescription"] as? String, #"{"method":"GET","type":"http"}"#, "from the 402's bazaar extension")
        XCTAssertTrue((fromTerms["outputDescription"] as? String)?.contains("\"example\"") ?? false, addedFrom402)
        let listing = try RawHTTP.get(deployment.config.marketHTTP, "/")
        XCTAssertEqual(listing.status, 200, "the route list is free")
        let routes = (try JSONSerialization.jsonObject(with: listing.body) as? [String: Any])?["routes"] as? [[String: Any]]
        XCTAssertEqual(routes?.compactMap { $0["path"] as? String }, ["/prices", "/summary", "/feed"])
        let (freeStatus, free) = try await paygent(["add", "\(marketURL)/health"])
        XCTAssertEqual(freeStatus, 1, free)
        XCTAssertTrue(free.contains("answered HTTP 200, not 402"), free)

        // The facilitator's Bazaar list, in the x402 v2 discovery shape, fed from the catalog.
        let facilitator = deployment.config.facilitatorHTTP
        let list = try RawHTTP.get(facilitator, "/discovery/resources?type=http&limit=2&offset=0")
        XCTAssertEqual(list.status, 200)
        let listed = try XCTUnwrap(try JSONSerialization.jsonObject(with: list.body) as? [String: Any])
        XCTAssertEqual(listed["x402Version"] as? Int, 2)
        let items = try XCTUnwrap(listed["items"] as? [[String: Any]])
        XCTAssertEqual(items.count, 2)
        let pagination = try XCTUnwrap(listed["pagination"] as? [String: Any])
        XCTAssertEqual(pagination["limit"] as? Int, 2)
        XCTAssertEqual(pagination["total"] as? Int, 9, "seven seeds, the registered one and the one added from its 402")
        XCTAssertEqual(items[0]["type"] as? String, "http")
        let accepts = try XCTUnwrap(items[0]["accepts"] as? [[String: Any]])
        XCTAssertEqual(accepts.first?["scheme"] as? String, "exact")
        XCTAssertEqual(accepts.first?["asset"] as? String, "0xc01efAaF7C5C61bEbFAeb358E1161b537b8bC0e0", "the USDC contract")
        XCTAssertNotNil(items[0]["lastUpdated"] as? Int)
        let all = try RawHTTP.get(facilitator, "/discovery/resources?limit=100")
        let everything = try XCTUnwrap(try JSONSerialization.jsonObject(with: all.body) as? [String: Any])
        let resources = (everything["items"] as? [[String: Any]] ?? []).compactMap { $0["resource"] as? String }
        XCTAssertTrue(resources.contains("\(marketURL)/prices"), "the sample API, as added from its 402")
        let other = try RawHTTP.get(facilitator, "/discovery/resources?type=mcp")
        XCTAssertEqual((try JSONSerialization.jsonObject(with: other.body) as? [String: Any])?["pagination"].flatMap { ($0 as? [String: Any])?["total"] as? Int }, 0)
        XCTAssertEqual(try RawHTTP.get(facilitator, "/discovery/resources?limit=0").status, 400)

        let (removedStatus, removed) = try await paygent(["remove", id])
        XCTAssertEqual(removedStatus, 0, removed)
        XCTAssertTrue(removed.contains("removed \(id) Exchange rates"), removed)
        let (missingStatus, missing) = try await paygent(["show", id])
        XCTAssertEqual(missingStatus, 1)
        XCTAssertTrue(missing.contains("no service \(id)"), missing)
    }
}
