import Foundation
@testable import PaygentX402
import XCTest

final class JSONParserTests: XCTestCase {
    func parse(_ text: String) throws -> JSONValue {
        try JSONParser.parse(Array(text.utf8))
    }

    func testAgreesWithFoundation() throws {
        let samples = [
            #"{"a":1,"b":[true,false,null],"c":{"d":"e\"f\\g\/h\n\t\u00e9\ud83d\ude00"},"n":-12.5e3,"z":0}"#,
            #"  [ ]  "#, #"{}"#, #""plain""#, #"[1, 2.5, -0, 1E2]"#,
        ]
        for sample in samples {
            let ours = try parse(sample)
            let theirs = try JSONDecoder().decode(JSONValue.self, from: Data(sample.utf8))
            XCTAssertEqual(ours, theirs, sample)
        }
    }

    func testRejectsMalformedJSON() {
        for bad in [
            "", "{", "[1,]", "{\"a\" 1}", "{\"a\":1,}", "01", "1.", "-", "tru", "\"unterminated", "\"bad \\x escape\"",
            "\"\u{01}\"", "{} {}", "\"\\ud800\"", "[\"a\" \"b\"]",
        ] {
            XCTAssertThrowsError(try parse(bad), bad)
        }
        let deep = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        XCTAssertThrowsError(try parse(deep)) { XCTAssertTrue("\(($0 as? JSONParser.Failure)?.message ?? "")".contains("deeper")) }
        XCTAssertThrowsError(try JSONParser.parse([UInt8](repeating: 0x20, count: JSONParser.maxBytes + 1)))
        XCTAssertThrowsError(try JSONParser.parse([0x22, 0xC3, 0x28, 0x22]), "invalid UTF-8")
    }

    func testPaymentDecodingMatchesTheDecodableTypes() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/x402/vectors.json")
        let all = try XCTUnwrap(try JSONSerialization.jsonObject(with: try Data(contentsOf: url)) as? [String: Any])
        let headers = try XCTUnwrap(all["x402_headers"] as? [String: Any])
        for (network, vector) in try XCTUnwrap(headers["v2"] as? [String: [String: Any]]) {
            let header = try XCTUnwrap(vector["payment_signature_header"] as? String)
            XCTAssertEqual(try HeaderCodec.decodePayment(header), .v2(try HeaderCodec.decode(PaymentPayload.self, from: header)), network)
        }
        for (network, vector) in try XCTUnwrap(headers["v1"] as? [String: [String: Any]]) {
            let header = try XCTUnwrap(vector["x_payment_header"] as? String)
            XCTAssertEqual(try HeaderCodec.decodePayment(header), .v1(try HeaderCodec.decode(PaymentPayloadV1.self, from: header)), network)
        }
        // Missing and mistyped fields say which.
        let missing = Data(#"{"x402Version":2,"payload":{"authorization":{"from":"0x1"}},"accepted":{}}"#.utf8).base64EncodedString()
        XCTAssertThrowsError(try HeaderCodec.decodePayment(missing)) { XCTAssertTrue("\($0)".contains("payload.authorization.to"), "\($0)") }
        let mistyped = Data(#"{"x402Version":1,"scheme":5}"#.utf8).base64EncodedString()
        XCTAssertThrowsError(try HeaderCodec.decodePayment(mistyped)) { XCTAssertTrue("\($0)".contains("scheme must be a string"), "\($0)") }
    }
}
