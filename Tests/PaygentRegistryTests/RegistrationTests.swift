import Foundation
import PaygentPayments
import PaygentRegistry
import PaygentRegistryAPI
import PaygentTestSupport
import PaygentTransport
import PaygentWire
import XCTest

/// Registering, updating and removing services: only with the admin token, every field checked
/// (tokens against the payments service's, in the same deployment), nothing written on a refusal.
final class RegistrationTests: XCTestCase {
    func fields(
        name: String = "Exchange rates", url: String = "https://rates.example.com/v1", pricing: PricingModel = .payPerCall,
        price: String = "0.05", token: String = "USDC", unit: String? = nil, period: Int? = nil, network: String = "eip155:338",
        payTo: String = "0x209693Bc6afc0C5328bA36FaF03C514EF312287C"
    ) -> ServiceFields {
        ServiceFields(
            name: name, description: "FX rates", category: "market-data", url: url, pricing: pricing, price: price, token: token,
            unit: unit, periodSeconds: period, network: network, payTo: payTo)
    }

    func testOnlyTheAdminRegistersAndEveryFieldIsChecked() async throws {
        let deployment = try TestDeployment()
        defer { deployment.remove() }
        let payments = try await InProcessService(PaymentsService.definition, deployment: deployment)
        let registry = try await InProcessService(RegistryService.definition, deployment: deployment)
        let client = registry.client
        let tokenFile = deployment.config.serviceDirectory(.registry) + "/admin.token"
        let attributes = try FileManager.default.attributesOfItem(atPath: tokenFile)
        XCTAssertEqual((attributes[.posixPermissions] as? NSNumber)?.intValue, 0o600)
        let token = try String(contentsOfFile: tokenFile, encoding: .utf8)

        do {
            _ = try await client.call(RegistryMethod.register, RegisterServiceRequest(adminToken: "guess", service: fields()))
            XCTFail("no admin token")
        } catch {
            XCTAssertEqual(error.code, .permissionDenied, error.message)
        }
        let refusals: [(ServiceFields, String)] = [
            (fields(name: " "), "name"), (fields(url: "ftp://rates.example.com"), "url"), (fields(url: "https://u:p@x.test/"), "url"),
            (fields(price: "0"), "price"), (fields(price: "0.0000001"), "price"), (fields(token: "DOGE"), "token"),
            (fields(network: "eip155:999999"), "network"), (fields(payTo: "0xabc"), "payTo"),
            (fields(payTo: "0x0000000000000000000000000000000000000000"), "payTo"), (fields(pricing: .metered), "unit"),
            (fields(pricing: .subscription, period: 10), "periodSeconds"), (fields(unit: "1 MB"), "unit"),
        ]
        for (service, field) in refusals {
            do {
                _ = try await client.call(RegistryMethod.register, RegisterServiceRequest(adminToken: token, service: service))
                XCTFail("\(field) must be refused")
            } catch {
                XCTAssertEqual(error.code, .badRequest, error.message)
                XCTAssertTrue(error.message.contains(field), "\(field): \(error.message)")
            }
        }
        let value1 = try await client.call(RegistryMethod.discover, DiscoverRequest()).total
        XCTAssertEqual(value1, 7, "nothing written on a refusal (the seven seeds)")

        let created = try await client.call(RegistryMethod.register, RegisterServiceRequest(adminToken: token, service: fields()))
        XCTAssertTrue(created.id.hasPrefix("svc_"))
        XCTAssertEqual(created.price.description, "50000")
        XCTAssertEqual(created.decimals, 6)
        XCTAssertEqual(created.reputation, 2.5)
        let updated = try await client.call(
            RegistryMethod.update, UpdateServiceRequest(adminToken: token, id: created.id, service: fields(price: "0.07")))
        XCTAssertEqual(updated.id, created.id)
        XCTAssertEqual(updated.createdAt, created.createdAt)
        let value2 = try await client.call(RegistryMethod.pricing, PricingRequest(id: created.id)).price.description
        XCTAssertEqual(value2, "70000")
        _ = try await client.call(RegistryMethod.remove, RemoveServiceRequest(adminToken: token, id: created.id))
        do {
            _ = try await client.call(RegistryMethod.show, ServiceShowRequest(id: created.id))
            XCTFail("removed")
        } catch {
            XCTAssertEqual(error.code, .notFound)
        }
        try await registry.stop()
        try await payments.stop()
    }
}
