import PaygentPayments
import PaygentPaymentsAPI
import PaygentRuntime
import PaygentTestSupport
import XCTest

/// The payments service serves exactly its catalog, and its protocol document and golden vectors
/// say what the catalog says.
final class PaymentsCatalogTests: XCTestCase {
    func testServesItsCatalog() async throws {
        // The host refuses to start a service whose handlers differ from its catalog.
        let service = try await InProcessService(PaymentsService.definition)
        // The service's own health lines come with the common ones.
        let health = try await service.client.call(CommonMethod.health, HealthRequest())
        XCTAssertEqual(health.details?["offer_cache.entries"], "0")
        try await service.stop()
    }

    func testProtocolFilesMatchTheCatalog() throws {
        let problems = try CatalogConformance.problems(PaymentsCatalog.catalog)
        XCTAssertEqual(problems, [], problems.joined(separator: "\n"))
    }
}
