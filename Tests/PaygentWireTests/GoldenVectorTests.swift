import Foundation
import PaygentPaymentsAPI
import PaygentCrypto
import PaygentWire
import PaygentX402
import XCTest
import PaygentMoney
import PaygentRuntime

/// Every vector in `protocol/vectors/` decodes to its value and re-encodes byte for byte.
///
/// The vectors are the contract with peers in other languages. To change them on purpose (a
/// format change, with `protocol/` updated in the same commit), run the tests once with
/// `PAYGENT_WRITE_VECTORS=1` and review the diff.
final class GoldenVectorTests: XCTestCase {
    static let vectorsDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("protocol/vectors")
    static var writing: Bool { ProcessInfo.processInfo.environment["PAYGENT_WRITE_VECTORS"] == "1" }

    struct BodyVector {
        let name: String
        let type: String
        let description: String
        let encode: () throws -> [UInt8]
        /// Decodes, checks the value equals the original, and re-encodes.
        let roundTrip: ([UInt8]) throws -> [UInt8]
        let json: () throws -> Any

        init<T: Codable & Equatable>(_ name: String, _ description: String, _ value: T) {
            self.name = name
            self.type = String(describing: T.self)
            self.description = description
            encode = { try BinaryEncoder().encode(value) }
            roundTrip = { bytes in
                let decoded = try BinaryDecoder().decode(T.self, from: bytes)
                XCTAssertEqual(decoded, value, name)
                return try BinaryEncoder().encode(decoded)
            }
            json = { try JSONSerialization.jsonObject(with: try vectorJSON.encode(value), options: .fragmentsAllowed) }
        }
    }

    static let fixedUUID = UUID(uuidString: "9F1C2B3A-4D5E-4F60-8172-93A4B5C6D7E8")!
    static let fixedDate = Date(timeIntervalSince1970: 1_764_115_200.5)

    static var bodyVectors: [BodyVector] {
        let inner = Nested.Inner(name: "usdc", tags: ["stable", "6dp"])
        return [
            BodyVector("int_minus_one", "a top-level Int (zigzag varint)", -1),
            BodyVector("uint64_max", "a top-level UInt64 at its maximum", UInt64.max),
            BodyVector("string_unicode", "a top-level String, UTF-8", "Pay 0.10 USDC ✓"),
            BodyVector("optional_none", "a top-level nil", Optional<Int>.none),
            BodyVector("array_of_optionals", "an unkeyed container with a nil element", [Int?]([1, nil, 300])),
            BodyVector("map_string_int", "a dictionary: a sorted map of alternating keys and values", ["b": 2, "a": 1]),
            BodyVector("all_integers_extremes", "every integer width at its extreme", AllIntegers.extremes),
            BodyVector("all_integers_small", "every integer width, small values", AllIntegers.small),
            BodyVector("scalars", "Bool, Double, Float, String, Data, [UInt8], UUID, Date, URL", Scalars(
                flag: true, ratio: 0.1, single: 1.5, text: "hello", blob: Data([0xDE, 0xAD, 0xBE, 0xEF]),
                bytes: [1, 2, 3], id: fixedUUID, when: fixedDate, link: URL(string: "https://api.example.com/prices")!)),
            BodyVector("nested", "nested keyed and unkeyed containers, optionals and maps", Nested(
                inner: inner, inners: [inner], matrix: [[1, 2], []], maybe: nil, optionals: [nil, 5],
                byName: ["one": 1], byNumber: [-1: "minus"], byUUID: [fixedUUID: true], nestedOptional: 7)),
            BodyVector("enums", "enums with associated values (named fields), raw-value enums", WithEnums(
                action: .pay(amount: 100_000, to: "0x00000000000000000000000000000000000000aa"), level: .high,
                priority: .two, actions: [.swap("CRO", "USDC", 10), .check, .note(text: nil)])),
            BodyVector("payment_v1", "version 1 of a message", PaymentV1(id: "pay_1", amount: 100_000, memo: "market data")),
            BodyVector("payment_v2", "version 2 of the same message, with optional fields added; a v1 peer reads it as payment_v1 without memo changes", PaymentV2(
                id: "pay_1", amount: 100_000, memo: "market data", token: "USDC", tags: ["api"], details: inner)),
            BodyVector("health_request", "the health request (an empty struct)", HealthRequest()),
            BodyVector("health_reply", "a health reply", HealthReply(
                service: "payments", version: "0.1.0", pid: 4242, startedAt: fixedDate, uptimeSeconds: 61.25,
                requestsServed: 1200, errors: 3, inFlight: 0, rpcEndpoint: "tcp://127.0.0.1:7410",
                pubEndpoint: "tcp://127.0.0.1:7411")),
            BodyVector("log_record", "a log record as published on log.payments.warning", LogRecord(
                time: fixedDate, service: "payments", level: .warning, message: "request for an unknown method",
                metadata: ["rpc.method": "payments.nope"], source: "PaygentTransport", sequence: 17)),
            BodyVector("recent_logs_request", "logs.recent request", RecentLogsRequest(limit: 50, minimumLevel: .info)),
            BodyVector("faucet_request", "payments.faucet request", FaucetRequest(
                to: "0x2c7536E3605D9C16a7a3D7b1898e529396a65c23", token: "USDC", amount: "100")),
            BodyVector("balances_reply", "payments.balances reply (amounts are decimal strings of base units)", BalancesReply(
                owner: "0x2c7536E3605D9C16a7a3D7b1898e529396a65c23",
                balances: [TokenBalance(
                    token: TokenInfo(symbol: "USDC", address: "0xc01efAaF7C5C61bEbFAeb358E1161b537b8bC0e0", decimals: 6),
                    amount: try! Amount(baseUnits: 100_000_000))])),
            BodyVector("settle_request", "payments.settle request with one signed EIP-3009 transfer", SettleRequest(transfers: [
                SignedTransferMessage(
                    token: "0xc01efAaF7C5C61bEbFAeb358E1161b537b8bC0e0", from: "0x2c7536E3605D9C16a7a3D7b1898e529396a65c23",
                    to: "0x209693Bc6afc0C5328bA36FaF03C514EF312287C", value: try! Amount(baseUnits: 100_000), validAfter: "0",
                    validBefore: "1767225900", nonce: Data(repeating: 0xAB, count: 32), signature: Data(repeating: 0x11, count: 65)),
            ])),
            BodyVector(
                "x402_facilitator_call",
                "payments.x402_verify / x402_settle request: the payment header as sent, and the offer (extra travels as JSON text)",
                x402Call),
            BodyVector("x402_settle_response", "payments.x402_settle reply", SettleResponse(
                success: true, payer: "0x2c7536E3605D9C16a7a3D7b1898e529396a65c23",
                transaction: "0x" + String(repeating: "5e", count: 32), network: "eip155:338", amount: "100000")),
            BodyVector("x402_settle_replayed", "payments.x402_settle reply to a call retried with its key after a restart", SettleResponse(
                success: true, payer: "0x2c7536E3605D9C16a7a3D7b1898e529396a65c23",
                transaction: "0x" + String(repeating: "5e", count: 32), network: "eip155:338", amount: "100000", replayed: true)),
            BodyVector("fetch_request", "payments.fetch request with a timeout", FetchRequest(
                url: "http://127.0.0.1:8402/prices", wallet: "agent", maxAmount: "0.10", timeoutSeconds: 12.5)),
            BodyVector("fetch_reply_problem", "payments.fetch reply: paid, body too large to return", FetchReply(
                status: 200, contentType: "application/json", body: Data(), payment: nil, latencyMillis: 42.5,
                problem: "the response body is 9437184 bytes, more than the 4128768 bytes accepted; not returned")),
        ]
    }

    /// A v2 payment signed with a fixed key, time and nonce (signing is deterministic).
    static var x402Call: FacilitatorCall {
        let offer = Offer(PaymentRequirements(
            scheme: "exact", network: "eip155:338", asset: "0xc01efAaF7C5C61bEbFAeb358E1161b537b8bC0e0", amount: "100000",
            payTo: "0x209693Bc6afc0C5328bA36FaF03C514EF312287C", maxTimeoutSeconds: 300,
            extra: .object(["name": .string("Bridged USDC (Stargate)"), "version": .string("1")])), resource: "http://127.0.0.1:8402/prices")
        let key = try! PrivateKey(hex: "0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318")
        let payment = try! ExactSigner.pay(offer, with: key, now: 1_767_225_600, nonce: [UInt8](repeating: 0xAB, count: 32))
        return FacilitatorCall(paymentHeader: try! ExactSigner.header(payment), offer: offer)
    }

    static var envelopeVectors: [(name: String, description: String, envelope: Envelope)] {
        [
            ("request", "a request with a deadline", Envelope(kind: .request, requestID: 1, method: "health", deadlineMillis: 5000)),
            ("request_idempotent_traced", "a state-changing request with an idempotency key and a trace id", Envelope(
                kind: .request, requestID: 0x0102_0304_0506_0708, method: "payments.wallet_transfer", deadlineMillis: 30000,
                idempotencyKey: "transfer-7f3a", traceID: Array(0..<16))),
            ("reply", "a successful reply", Envelope(kind: .reply, requestID: 1, method: "")),
            ("error", "an error reply", Envelope(
                kind: .error, requestID: 2, method: "", errorCode: .unknownMethod, errorMessage: "payments has no method 'x'")),
            ("reply_replayed_traced", "a reply answered from the record of an earlier request with the same idempotency key, echoing the request's trace id", Envelope(
                kind: .reply, requestID: 0x0102_0304_0506_0708, method: "", traceID: Array(0..<16), replayed: true)),
            ("event", "an event; the method field carries the topic", Envelope(kind: .event, requestID: 0, method: "log.payments.info")),
            ("heartbeat", "a heartbeat", Envelope(kind: .heartbeat, requestID: 9, method: "")),
        ]
    }

    func testBodyVectors() throws {
        let url = Self.vectorsDirectory.appendingPathComponent("body.json")
        if Self.writing {
            var entries: [[String: Any]] = []
            for vector in Self.bodyVectors {
                entries.append([
                    "name": vector.name, "type": vector.type, "description": vector.description,
                    "value": try vector.json(), "hex": Hex.encode(try vector.encode()),
                ])
            }
            try write(["format": "paygent body encoding, version 1", "vectors": entries], to: url)
        }
        let file = try read(url)
        let entries = try XCTUnwrap(file["vectors"] as? [[String: Any]])
        let byName = Dictionary(uniqueKeysWithValues: Self.bodyVectors.map { ($0.name, $0) })
        XCTAssertEqual(entries.count, byName.count, "every vector is in the file")
        for entry in entries {
            let name = try XCTUnwrap(entry["name"] as? String)
            let vector = try XCTUnwrap(byName[name], "unknown vector \(name)")
            let bytes = try XCTUnwrap(Hex.decode(try XCTUnwrap(entry["hex"] as? String)))
            XCTAssertEqual(Hex.encode(try vector.encode()), Hex.encode(bytes), "\(name): encoding")
            XCTAssertEqual(Hex.encode(try vector.roundTrip(bytes)), Hex.encode(bytes), "\(name): re-encoding")
            XCTAssertEqual(entry["value"] as? NSObject, try vector.json() as? NSObject, "\(name): value in the file")
        }
    }

    func testVersionedVectorsInteroperate() throws {
        let entries = try XCTUnwrap(try read(Self.vectorsDirectory.appendingPathComponent("body.json"))["vectors"] as? [[String: Any]])
        func bytes(_ name: String) throws -> [UInt8] {
            try XCTUnwrap(Hex.decode(try XCTUnwrap(entries.first { $0["name"] as? String == name }?["hex"] as? String)))
        }
        let v1 = try BinaryDecoder().decode(PaymentV1.self, from: try bytes("payment_v2"))
        XCTAssertEqual(v1, PaymentV1(id: "pay_1", amount: 100_000, memo: "market data"))
        let v2 = try BinaryDecoder().decode(PaymentV2.self, from: try bytes("payment_v1"))
        XCTAssertNil(v2.token)
        XCTAssertNil(v2.details)
    }

    func testEnvelopeVectors() throws {
        let url = Self.vectorsDirectory.appendingPathComponent("envelope.json")
        if Self.writing {
            let entries: [[String: Any]] = Self.envelopeVectors.map { vector in
                var fields: [String: Any] = [
                    "kind": "\(vector.envelope.kind)", "requestID": NSNumber(value: vector.envelope.requestID),
                    "method": vector.envelope.method, "deadlineMillis": vector.envelope.deadlineMillis,
                ]
                if let key = vector.envelope.idempotencyKey { fields["idempotencyKey"] = key }
                if let trace = vector.envelope.traceID { fields["traceID"] = Hex.encode(trace) }
                if let code = vector.envelope.errorCode { fields["errorCode"] = Int(code.rawValue) }
                if let message = vector.envelope.errorMessage { fields["errorMessage"] = message }
                if vector.envelope.replayed { fields["replayed"] = true }
                return ["name": vector.name, "description": vector.description, "fields": fields,
                        "hex": Hex.encode(vector.envelope.encoded())]
            }
            try write(["format": "paygent envelope, version 1", "vectors": entries], to: url)
        }
        let entries = try XCTUnwrap(try read(url)["vectors"] as? [[String: Any]])
        XCTAssertEqual(entries.count, Self.envelopeVectors.count)
        for vector in Self.envelopeVectors {
            let entry = try XCTUnwrap(entries.first { $0["name"] as? String == vector.name })
            let bytes = try XCTUnwrap(Hex.decode(try XCTUnwrap(entry["hex"] as? String)))
            XCTAssertEqual(try Envelope(decoding: bytes), vector.envelope, vector.name)
            XCTAssertEqual(Hex.encode(vector.envelope.encoded()), Hex.encode(bytes), vector.name)
        }
    }

    private func read(_ url: URL) throws -> [String: Any] {
        let data = try Data(contentsOf: url)
        return try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    private func write(_ object: [String: Any], to url: URL) throws {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        try (data + Data("\n".utf8)).write(to: url)
    }
}

/// How vector values are spelled in JSON: dates as Unix seconds, bytes as hex.
let vectorJSON: JSONEncoder = {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    encoder.dateEncodingStrategy = .secondsSince1970
    encoder.dataEncodingStrategy = .custom { data, encoder in
        var container = encoder.singleValueContainer()
        try container.encode(Hex.encode(data))
    }
    encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    return encoder
}()
