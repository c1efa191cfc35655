import Foundation
import PaygentCrypto
import PaygentWire
@testable import PaygentX402
import XCTest

/// The hand-written JSON of the hot-path headers says what `JSONEncoder` says, and JSON values
/// survive our binary wire (where they travel as JSON text).
final class JSONWriterTests: XCTestCase {
    static let awkward = JSONValue.object([
        "name": .string("Bridged \"USDC\" \\ (Stargate)\n\t\u{01}é✓"),
        "version": .string("1"),
        "numbers": .array([.number(0), .number(-3), .number(0.5), .number(1e-7), .number(123_456_789_012), .null]),
        "flags": .array([.bool(true), .bool(false)]),
        "nested": .object(["empty": .object([:]), "list": .array([])]),
    ])

    static func offer(extra: JSONValue? = awkward, version: Int = 2) -> Offer {
        var offer = Offer(PaymentRequirements(
            scheme: "exact", network: "eip155:338", asset: "0xc01efAaF7C5C61bEbFAeb358E1161b537b8bC0e0", amount: "100000",
            payTo: "0x209693Bc6afc0C5328bA36FaF03C514EF312287C", maxTimeoutSeconds: 300, extra: extra), resource: "http://127.0.0.1:8402/prices")
        if version == 1 {
            offer.version = 1
            offer.network = "cronos-testnet"
        }
        return offer
    }

    func testPaymentHeadersSayWhatJSONEncoderSays() throws {
        let key = try PrivateKey.generate()
        let signedV2 = try ExactSigner.pay(Self.offer(), with: key, now: 1_767_225_600)
        var richV2 = signedV2
        if case .v2(var payload) = richV2 {
            payload.resource?.description = "prices \"now\""
            payload.resource?.mimeType = "application/json"
            payload.resource?.serviceName = "market"
            payload.resource?.tags = ["data", "x402"]
            payload.extensions = .object(["bazaar": .object(["ok": .bool(true)])])
            payload.payload.signature = nil
            richV2 = .v2(payload)
        }
        let v1 = try ExactSigner.pay(Self.offer(extra: .object(["name": .string("Bridged USDC (Stargate)"), "version": .string("1")]), version: 1), with: key, now: 1_767_225_600)
        for payment in [signedV2, richV2, v1] {
            let ours = JSONWriter.payment(payment)
            let foundation: Data
            switch payment {
            case .v1(let p): foundation = try JSONEncoder().encode(p)
            case .v2(let p): foundation = try JSONEncoder().encode(p)
            }
            XCTAssertEqual(try JSONParser.parse(ours), try JSONParser.parse([UInt8](foundation)))
            XCTAssertEqual(try JSONDecoder().decode(AnyPaymentPayload.self, from: Data(ours)), payment)
            XCTAssertEqual(try HeaderCodec.decodePayment(try HeaderCodec.encode(payment)), payment)
        }
    }

    func testSettlementHeadersSayWhatJSONEncoderSays() throws {
        let settlements = [
            SettleResponse(success: true, payer: "0x2c7536E3605D9C16a7a3D7b1898e529396a65c23", transaction: "0x" + String(repeating: "ab", count: 32), network: "eip155:338", amount: "100000"),
            SettleResponse(success: false, errorReason: "invalid_exact_evm_nonce_already_used", errorMessage: "used \"twice\"", transaction: "", network: "cronos-testnet"),
        ]
        for settlement in settlements {
            let ours = JSONWriter.settlement(settlement)
            XCTAssertEqual(try JSONParser.parse(ours), try JSONParser.parse([UInt8](try JSONEncoder().encode(settlement))))
            let header = try HeaderCodec.encode(settlement)
            XCTAssertEqual(try HeaderCodec.decodeSettlement(header), settlement)
            XCTAssertEqual(try HeaderCodec.decode(SettleResponse.self, from: header), settlement)
        }
        XCTAssertThrowsError(try HeaderCodec.decodeSettlement(Data(#"{"network":"x"}"#.utf8).base64EncodedString()))
        XCTAssertThrowsError(try HeaderCodec.decodeSettlement("not base64!"))
    }

    func testJSONTextRoundTripsAndIsValidJSON() throws {
        let text = Self.awkward.jsonText
        XCTAssertEqual(try JSONParser.parse(Array(text.utf8)), Self.awkward)
        XCTAssertEqual(try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)), Self.awkward)
        XCTAssertTrue(text.contains(#"\"USDC\""#) && text.contains(#"\\"#) && text.contains(#"\n"#) && text.contains(#"\u0001"#))
        XCTAssertEqual(JSONValue.object(["b": .number(2), "a": .number(1.5)]).jsonText, #"{"a":1.5,"b":2}"#, "members sorted, integers without a fraction")
        XCTAssertEqual(JSONValue.number(.infinity).jsonText, "null")
    }

    func testJSONValuesSurviveTheBinaryWire() throws {
        for value in [Self.awkward, .null, .bool(false), .number(-2.25), .string(""), .array([.string("a"), .object([:])])] {
            let bytes = try BinaryEncoder().encode(value)
            XCTAssertEqual(try BinaryDecoder().decode(JSONValue.self, from: bytes), value)
        }
        // A string and an array are both `bytes` on the wire: the shape must come back as written.
        let ambiguous: [JSONValue] = [.string("[1]"), .array([.number(1)]), .string("{}"), .object([:])]
        XCTAssertEqual(try BinaryDecoder().decode([JSONValue].self, from: try BinaryEncoder().encode(ambiguous)), ambiguous)
        XCTAssertThrowsError(try BinaryDecoder().decode(JSONValue.self, from: try BinaryEncoder().encode("{not json")))
    }

    func testFacilitatorCallCarriesThePaymentAsSent() throws {
        let key = try PrivateKey.generate()
        for offer in [Self.offer(), Self.offer(extra: .object(["name": .string("Bridged USDC (Stargate)"), "version": .string("1")]), version: 1)] {
            let payment = try ExactSigner.pay(offer, with: key, now: 1_767_225_600)
            var request = FacilitatorRequest(payment: payment, offer: offer)
            let call = try FacilitatorCall(request)
            let decoded = try BinaryDecoder().decode(FacilitatorCall.self, from: try BinaryEncoder().encode(call))
            XCTAssertEqual(decoded, call)
            let back = try decoded.request()
            XCTAssertEqual(back.payment, payment)
            XCTAssertEqual(back.offer, offer)
            XCTAssertEqual(back.x402Version, offer.version)
            // A header known to the caller travels as it came, byte for byte.
            request.paymentHeader = "  " + (try ExactSigner.header(payment)) + "\n"
            XCTAssertEqual(try FacilitatorCall(request).paymentHeader, request.paymentHeader)
        }
        XCTAssertThrowsError(try FacilitatorCall(paymentHeader: "e30=", offer: Self.offer()).request()) {
            XCTAssertTrue("\($0)".contains("x402Version"), "\($0)")
        }
    }
}
