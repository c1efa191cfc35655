import PaygentRegistry
import PaygentRegistryAPI
import PaygentTestSupport
import XCTest

/// The registry service serves exactly its catalog, and its protocol document and golden vectors
/// say what the catalog says.
final class RegistryCatalogTests: XCTestCase {
    func testServesItsCatalog() async throws {
        // The host refuses to start a service whose handlers differ from its catalog.
        let service = try await InProcessService(RegistryService.definition)
        try await service.stop()
    }

    func testProtocolFilesMatchTheCatalog() throws {
        let problems = try CatalogConformance.problems(RegistryCatalog.catalog)
        XCTAssertEqual(problems, [], problems.joined(separator: "\n"))
    }
}
