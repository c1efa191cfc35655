import Foundation
import PaygentCrypto
import PaygentPaymentsAPI
import PaygentPaymentsTesting
import PaygentRuntime
import PaygentTestSupport
import PaygentX402
import PaygentX402HTTP
import XCTest

/// A payment settled through the facilitator whose payload declares the x402 `bazaar` extension
/// catalogues its resource: it then appears in the Bazaar list, with its Bazaar description.
final class BazaarTests: XCTestCase {
    func testASettledBazaarPaymentCataloguesItsResource() async throws {
        let service = try await PaymentsTestService()
        defer { service.tearDown() }
        let registry = try await startService(.registry, deployment: service.deployment, context: service.context)
        defer { registry.signal(SIGKILL) }
        let payer = try PrivateKey.generate()
        try await service.fund(payer.address.eip55, "1")

        let url = "https://weather.example.org/today"
        let requirements = PaymentRequirements(
            scheme: "exact", network: "eip155:338", asset: "0xc01efAaF7C5C61bEbFAeb358E1161b537b8bC0e0", amount: "20000",
            payTo: "0x00000000000000000000000000000000000000B3", maxTimeoutSeconds: 300,
            extra: .object(["name": .string("Bridged USDC (Stargate)"), "version": .string("1")]))
        let offer = Offer(requirements, resource: url)
        guard case .v2(var payload) = try ExactSigner.pay(offer, with: payer, now: UInt64(Date().timeIntervalSince1970)) else {
            return XCTFail("a v2 offer gives a v2 payment")
        }
        payload.resource = ResourceInfo(url: url, description: "Weather today", mimeType: "application/json")
        payload.extensions = .object([
            "bazaar": .object([
                "info": .object([
                    "input": .object(["type": .string("http"), "method": .string("GET")]),
                    "output": .object(["type": .string("json"), "example": .object(["celsius": .number(21)])]),
                ])
            ])
        ])
        let facilitator = service.deployment.config.facilitatorHTTP
        let settled = await HTTPFacilitatorClient(baseURL: "http://\(facilitator)").settle(FacilitatorRequest(payment: .v2(payload), offer: offer))
        XCTAssertTrue(settled.success, settled.errorMessage ?? "")

        let deadline = ContinuousClock.now + .seconds(10)
        var item: [String: Any]?
        while ContinuousClock.now < deadline, item == nil {
            let list = try RawHTTP.get(facilitator, "/discovery/resources?limit=100")
            let items = (try? JSONSerialization.jsonObject(with: list.body) as? [String: Any])?["items"] as? [[String: Any]] ?? []
            item = items.first { $0["resource"] as? String == url }
            if item == nil { try await Task.sleep(for: .milliseconds(50)) }
        }
        let found = try XCTUnwrap(item, "the settled resource is in the Bazaar list")
        let metadata = try XCTUnwrap(found["metadata"] as? [String: Any])
        XCTAssertEqual(metadata["name"] as? String, "Weather today")
        XCTAssertEqual(metadata["input"] as? String, #"{"method":"GET","type":"http"}"#)
        let accepts = try XCTUnwrap((found["accepts"] as? [[String: Any]])?.first)
        XCTAssertEqual(accepts["amount"] as? String, "20000")
        XCTAssertEqual((accepts["payTo"] as? String)?.lowercased(), "0x00000000000000000000000000000000000000b3")
        await service.stop()
    }
}
