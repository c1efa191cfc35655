import PaygentOrchestrator
import PaygentOrchestratorAPI
import PaygentTestSupport
import XCTest

/// The orchestrator service serves exactly its catalog, and its protocol document and golden vectors
/// say what the catalog says.
final class OrchestratorCatalogTests: XCTestCase {
    func testServesItsCatalog() async throws {
        // The host refuses to start a service whose handlers differ from its catalog.
        let service = try await InProcessService(OrchestratorService.definition)
        try await service.stop()
    }

    func testProtocolFilesMatchTheCatalog() throws {
        let problems = try CatalogConformance.problems(OrchestratorCatalog.catalog)
        XCTAssertEqual(problems, [], problems.joined(separator: "\n"))
    }
}
