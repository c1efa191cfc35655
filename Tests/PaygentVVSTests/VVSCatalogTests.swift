import PaygentVVS
import PaygentVVSAPI
import PaygentTestSupport
import XCTest

/// The vvs service serves exactly its catalog, and its protocol document and golden vectors
/// say what the catalog says.
final class VVSCatalogTests: XCTestCase {
    func testServesItsCatalog() async throws {
        // The host refuses to start a service whose handlers differ from its catalog.
        let service = try await InProcessService(VVSService.definition)
        try await service.stop()
    }

    func testProtocolFilesMatchTheCatalog() throws {
        let problems = try CatalogConformance.problems(VVSCatalog.catalog)
        XCTAssertEqual(problems, [], problems.joined(separator: "\n"))
    }
}
