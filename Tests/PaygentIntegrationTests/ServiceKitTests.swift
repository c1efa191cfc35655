import Foundation
import PaygentRuntime
import PaygentTestSupport
import PaygentTransport
import PaygentWire
import XCTest

/// The service kit's promises that hold across services: common protocol files that match the
/// code, a host that refuses a service not serving its catalog, and a package whose declared
/// dependencies are exactly what each target imports, pointing one way.
final class ServiceKitTests: XCTestCase {
    func testCommonProtocolFilesMatchTheCatalog() throws {
        let problems = try CatalogConformance.problems(CommonCatalog.catalog, known: [])
        XCTAssertEqual(problems, [], problems.joined(separator: "\n"))
    }

    func testAServiceThatDoesNotServeItsCatalogDoesNotStart() async throws {
        let extra = RPCMethod<HealthRequest, HealthReply>("registry.extra", .read, "not in the catalog")
        let declaredOnly = RPCMethod<HealthRequest, HealthReply>("registry.declared", .read, "never registered")
        let undeclared = ServiceDefinition(name: .registry, catalog: ServiceCatalog(service: "registry", methods: [])) { server, _ in
            server.register(extra) { _, _ in throw PaygentError(.internal, "unused") }
        }
        let unregistered = ServiceDefinition(name: .registry, catalog: ServiceCatalog(service: "registry", methods: [declaredOnly])) { _, _ in }
        for (definition, name) in [(undeclared, "registry.extra"), (unregistered, "registry.declared")] {
            let failure = await InProcessService.startFailure(definition)
            let text = "\(failure.map { "\($0)" } ?? "started")"
            XCTAssertTrue(text.contains("does not serve its catalog") && text.contains(name), text)
        }
    }

    /// The one-line hostile-input check holds for a real message and catches a lenient decoder.
    func testWireVerifierHoldsAndCatchesALenientDecoder() throws {
        XCTAssertEqual(WireVerifier.problems(HealthReply.self, try WireSchemaRecorder.sample(HealthReply.self)), [])
        let bytes = try BinaryEncoder().encode(try WireSchemaRecorder.sample(HealthReply.self))
        let lenient = WireVerifier.problems(name: "lenient", bytes: bytes, mutations: 10) { $0 }
        XCTAssertEqual(lenient.count, bytes.count + 1, "every prefix and the trailing byte are reported")
    }

    /// Every target declares exactly the modules it imports, and no library imports one above it.
    func testPackageDeclaresWhatEachTargetImports() throws {
        let package = try PackageImports.load(repository: CatalogConformance.repository)
        var problems: [String] = []
        for target in package.targets {
            let missing = target.imports.subtracting(target.dependencies).sorted()
            let unused = target.dependencies.subtracting(target.imports).sorted()
            if !missing.isEmpty { problems.append("\(target.name) imports \(missing) without declaring them in Package.swift") }
            if !unused.isEmpty { problems.append("\(target.name) declares \(unused) but never imports them") }
            for imported in target.imports {
                if let above = PackageImports.layer(of: imported), let own = PackageImports.layer(of: target.name), above >= own,
                    target.kind != "test"
                {
                    problems.append("\(target.name) (layer \(own)) imports \(imported) (layer \(above)): dependencies point down only")
                }
            }
        }
        XCTAssertEqual(problems, [], problems.joined(separator: "\n"))
    }
}
