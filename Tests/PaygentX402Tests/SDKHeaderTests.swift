import BigInt
import Foundation
import PaygentCrypto
import PaygentX402
import XCTest

/// The headers the official x402 SDK produced (`../shared/x402/vectors.json` → `x402_headers`)
/// decode, verify and recover their signer here.
final class SDKHeaderTests: XCTestCase {
    static let vectorsURL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("shared/x402/vectors.json")

    func headers() throws -> [String: Any] {
        let all = try XCTUnwrap(try JSONSerialization.jsonObject(with: try Data(contentsOf: Self.vectorsURL)) as? [String: Any])
        return try XCTUnwrap(all["x402_headers"] as? [String: Any])
    }

    func json(_ object: Any) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
    }

    func testV2HeadersDecodeAndVerify() throws {
        let group = try headers()
        let now = try XCTUnwrap(group["header_now"] as? Int)
        let payer = try Address(try XCTUnwrap(group["payer"] as? String))
        let v2 = try XCTUnwrap(group["v2"] as? [String: [String: Any]])
        XCTAssertEqual(v2.count, 2)
        for (network, vector) in v2 {
            let required: PaymentRequired = try HeaderCodec.decode(PaymentRequired.self, from: try XCTUnwrap(vector["payment_required_header"] as? String))
            XCTAssertEqual(required.x402Version, 2)
            XCTAssertEqual(required.accepts.first?.network, network)
            let offers = try Offer.parse(try XCTUnwrap(vector["payment_required_header"] as? String))
            XCTAssertEqual(offers.first?.amount, required.accepts.first?.amount)

            let payment = try HeaderCodec.decodePayment(try XCTUnwrap(vector["payment_signature_header"] as? String))
            XCTAssertEqual(payment.version, 2)
            let verification = ExactVerifier.verify(payment, against: try XCTUnwrap(offers.first), now: UInt64(now))
            XCTAssertTrue(verification.isValid, "\(network): \(verification.message)")
            XCTAssertEqual(verification.signer, payer)
            XCTAssertEqual(verification.payer, payer)

            // The SDK's facilitator responses decode too.
            for key in ["verify_response_valid", "verify_response_invalid"] {
                XCTAssertNoThrow(try JSONDecoder().decode(VerifyResponse.self, from: Data(try json(try XCTUnwrap(vector[key])).utf8)), key)
            }
            for key in ["settle_response", "settle_response_failure"] {
                XCTAssertNoThrow(try JSONDecoder().decode(SettleResponse.self, from: Data(try json(try XCTUnwrap(vector[key])).utf8)), key)
            }
            let response = try HeaderCodec.decode(SettleResponse.self, from: try XCTUnwrap(vector["payment_response_header"] as? String))
            XCTAssertTrue(response.success)
            XCTAssertNoThrow(try JSONDecoder().decode(SupportedResponse.self, from: Data(try json(try XCTUnwrap(vector["supported_response"])).utf8)))

            // The SDK's facilitator request bodies decode, and verify.
            for key in ["facilitator_verify_request_body", "facilitator_settle_request_body"] {
                let request = try JSONDecoder().decode(FacilitatorRequest.self, from: Data(try json(try XCTUnwrap(vector[key])).utf8))
                XCTAssertEqual(request.payment, payment, key)
                XCTAssertTrue(ExactVerifier.verify(request.payment, against: request.offer, now: UInt64(now)).isValid, key)
                let again = try JSONDecoder().decode(FacilitatorRequest.self, from: try JSONEncoder().encode(request))
                XCTAssertEqual(again, request)
            }

            // Re-encoding our decoded payment gives a header that decodes to the same thing.
            XCTAssertEqual(try HeaderCodec.decodePayment(try ExactSigner.header(payment)), payment)
        }
    }

    func testV1HeadersDecodeAndVerify() throws {
        let group = try headers()
        let now = try XCTUnwrap(group["header_now"] as? Int)
        let payer = try Address(try XCTUnwrap(group["payer"] as? String))
        let v1 = try XCTUnwrap(group["v1"] as? [String: [String: Any]])
        XCTAssertEqual(Set(v1.keys), ["base-sepolia", "cronos-testnet"])
        for (network, vector) in v1 {
            let http = try XCTUnwrap(vector["payment_required_http"] as? [String: Any])
            let offers = try Offer.parse(try json(try XCTUnwrap(http["body_json"])))
            XCTAssertEqual(offers.first?.version, 1)
            XCTAssertEqual(offers.first?.network, network)
            let payment = try HeaderCodec.decodePayment(try XCTUnwrap(vector["x_payment_header"] as? String))
            XCTAssertEqual(payment.version, 1)
            let verification = ExactVerifier.verify(payment, against: try XCTUnwrap(offers.first), now: UInt64(now))
            XCTAssertTrue(verification.isValid, "\(network): \(verification.message)")
            XCTAssertEqual(verification.signer, payer)
            if let body = vector["facilitator_verify_request_body"] {
                let request = try JSONDecoder().decode(FacilitatorRequest.self, from: Data(try json(body).utf8))
                XCTAssertEqual(request.payment, payment)
                XCTAssertTrue(ExactVerifier.verify(request.payment, against: request.offer, now: UInt64(now)).isValid)
            }
        }
    }

    func testOurSignatureMatchesTheSDKs() throws {
        // Same key, offer, time and nonce: the same authorization and signature bytes.
        let group = try headers()
        let now = UInt64(try XCTUnwrap(group["header_now"] as? Int))
        let key = try PrivateKey(hex: try XCTUnwrap(group["payer_private_key"] as? String))
        let vector = try XCTUnwrap((group["v2"] as? [String: [String: Any]])?["eip155:338"])
        let offer = try XCTUnwrap(try Offer.parse(try XCTUnwrap(vector["payment_required_header"] as? String)).first)
        let sdk = try HeaderCodec.decodePayment(try XCTUnwrap(vector["payment_signature_header"] as? String))
        let nonce = try XCTUnwrap(Array(hexString: sdk.exact.authorization.nonce))
        let ours = try ExactSigner.pay(offer, with: key, now: now, nonce: nonce)
        XCTAssertEqual(ours.exact, sdk.exact)
    }
}

extension Array where Element == UInt8 {
    init?(hexString: String) {
        var digits = Substring(hexString)
        if digits.hasPrefix("0x") { digits = digits.dropFirst(2) }
        var out: [UInt8] = []
        var index = digits.startIndex
        while index < digits.endIndex {
            let next = digits.index(index, offsetBy: 2, limitedBy: digits.endIndex) ?? digits.endIndex
            guard let byte = UInt8(digits[index..<next], radix: 16) else { return nil }
            out.append(byte)
            index = next
        }
        self = out
    }
}
