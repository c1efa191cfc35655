import PaygentMoonlander
import PaygentMoonlanderAPI
import PaygentTestSupport
import XCTest

/// The moonlander service serves exactly its catalog, and its protocol document and golden vectors
/// say what the catalog says.
final class MoonlanderCatalogTests: XCTestCase {
    func testServesItsCatalog() async throws {
        // The host refuses to start a service whose handlers differ from its catalog.
        let service = try await InProcessService(MoonlanderService.definition)
        try await service.stop()
    }

    func testProtocolFilesMatchTheCatalog() throws {
        let problems = try CatalogConformance.problems(MoonlanderCatalog.catalog)
        XCTAssertEqual(problems, [], problems.joined(separator: "\n"))
    }
}
