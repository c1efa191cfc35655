import Foundation
import PaygentPaymentsAPI
import PaygentWire
import XCTest
import PaygentRuntime
import PaygentTestSupport

/// The decoder treats every byte as hostile: whatever it is fed, it returns a value or a
/// `WireError`, never crashes, and never allocates from an unchecked length.
final class HostileInputTests: XCTestCase {
    let encoder = BinaryEncoder()
    let decoder = BinaryDecoder()

    /// Valid messages of several shapes to mutate.
    func seeds() throws -> [(name: String, bytes: [UInt8], decode: ([UInt8]) throws(WireError) -> [UInt8]?)] {
        func seed<T: Codable>(_ name: String, _ value: T) throws -> (String, [UInt8], ([UInt8]) throws(WireError) -> [UInt8]?) {
            let encoder = self.encoder
            let decoder = self.decoder
            return (name, try encoder.encode(value), { (bytes: [UInt8]) throws(WireError) -> [UInt8]? in
                let decoded = try decoder.decode(T.self, from: bytes)
                // Whatever decodes must encode again (swift-protobuf's fuzz rule).
                return try encoder.encode(decoded)
            })
        }
        let inner = Nested.Inner(name: "n", tags: ["a", "b"])
        return [
            try seed("scalars", Scalars(
                flag: true, ratio: 1.5, single: 2, text: "héllo", blob: Data([1, 2, 3]), bytes: [4, 5], id: UUID(),
                when: Date(timeIntervalSince1970: 1e9), link: URL(string: "https://x.test/a")!)),
            try seed("nested", Nested(
                inner: inner, inners: [inner, inner], matrix: [[1], [2, 3]], maybe: inner, optionals: [1, nil],
                byName: ["a": 1, "b": 2], byNumber: [1: "x"], byUUID: [UUID(): true], nestedOptional: 3)),
            try seed("enums", WithEnums(
                action: .swap("CRO", "USDC", 10), level: .low, priority: .one,
                actions: [.pay(amount: 5, to: "0x1"), .check, .batch([.note(text: "n")])])),
            try seed("integers", AllIntegers.extremes),
            try seed("health", HealthReply(
                service: "payments", version: "0.1.0", pid: 42, startedAt: Date(timeIntervalSince1970: 1.7e9),
                uptimeSeconds: 12.5, requestsServed: 1000, errors: 2, inFlight: 1, rpcEndpoint: "tcp://127.0.0.1:7410",
                pubEndpoint: "tcp://127.0.0.1:7411")),
        ]
    }

    func testTenThousandMutationsGiveValueOrTypedError() throws {
        var rng = SeededRandom(seed: 0x5EED)
        var decoded = 0
        var rejected: [WireError.Kind: Int] = [:]
        for (_, bytes, decode) in try seeds() {
            for _ in 0..<2500 {
                var mutated = bytes
                switch rng.next() % 5 {
                case 0:  // flip bits
                    for _ in 0..<(1 + Int(rng.next() % 3)) {
                        let index = Int(rng.next() % UInt64(mutated.count))
                        mutated[index] ^= UInt8(truncatingIfNeeded: 1 << (rng.next() % 8))
                    }
                case 1:  // random byte
                    mutated[Int(rng.next() % UInt64(mutated.count))] = UInt8(truncatingIfNeeded: rng.next())
                case 2:  // truncate
                    mutated = Array(mutated.prefix(Int(rng.next() % UInt64(mutated.count))))
                case 3:  // insert garbage
                    let index = Int(rng.next() % UInt64(mutated.count + 1))
                    mutated.insert(contentsOf: (0..<(1 + rng.next() % 8)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }, at: index)
                default:  // delete a run
                    let index = Int(rng.next() % UInt64(mutated.count))
                    let length = min(mutated.count - index, 1 + Int(rng.next() % 6))
                    mutated.removeSubrange(index..<(index + length))
                }
                do {
                    _ = try decode(mutated)
                    decoded += 1
                } catch {
                    rejected[error.kind, default: 0] += 1
                }
            }
        }
        XCTAssertEqual(decoded + rejected.values.reduce(0, +), 12_500)
        XCTAssertGreaterThan(rejected[.truncated] ?? 0, 0)
        print("mutations: \(decoded) decoded, rejected \(rejected.sorted { $0.value > $1.value }.map { "\($0.key.rawValue)=\($0.value)" }.joined(separator: " "))")
    }

    func testEveryStrictPrefixIsTruncated() throws {
        for (name, bytes, decode) in try seeds() {
            for length in 0..<bytes.count {
                XCTAssertThrowsError(try decode(Array(bytes.prefix(length))), "\(name) prefix \(length)") { error in
                    XCTAssertEqual((error as? WireError)?.kind, .truncated, "\(name) prefix \(length): \(error)")
                }
            }
        }
    }

    func testTrailingGarbageIsRejected() throws {
        for (name, bytes, decode) in try seeds() {
            XCTAssertThrowsError(try decode(bytes + [0]), name) { error in
                XCTAssertEqual((error as? WireError)?.kind, .trailingBytes)
            }
        }
    }

    func testFourGibibyteStringClaimIsRejectedWithoutAllocating() throws {
        // Root value: type bytes (2), length 4 GiB as a varint, then only a few bytes.
        var claim: [UInt8] = [2]
        var length: UInt64 = 4 << 30
        while length >= 0x80 {
            claim.append(UInt8(truncatingIfNeeded: length) | 0x80)
            length >>= 7
        }
        claim.append(UInt8(length))
        claim += Array("abc".utf8)
        XCTAssertThrowsError(try decoder.decode(String.self, from: claim)) { error in
            XCTAssertEqual((error as? WireError)?.kind, .truncated)
        }
        // The same claim for a field inside a struct.
        struct Holder: Codable { var text: String }
        let tag = UInt64(FieldTag.hash("text")) << 3 | 2
        var field: [UInt8] = []
        var t = tag
        while t >= 0x80 {
            field.append(UInt8(truncatingIfNeeded: t) | 0x80)
            t >>= 7
        }
        field.append(UInt8(t))
        field += claim.dropFirst()
        let message = [2, UInt8(field.count)] + field
        XCTAssertThrowsError(try decoder.decode(Holder.self, from: message)) { error in
            XCTAssertEqual((error as? WireError)?.kind, .truncated)
        }
        // A real string over the configured limit is refused too.
        let limited = BinaryDecoder(limits: WireLimits(maxStringBytes: 1024))
        XCTAssertThrowsError(try limited.decode(String.self, from: try encoder.encode(String(repeating: "x", count: 2048)))) { error in
            XCTAssertEqual((error as? WireError)?.kind, .limitExceeded)
        }
    }

    func testMessageSizeAndElementCountLimits() throws {
        let bytes = try encoder.encode([Int](repeating: 1, count: 2000))
        XCTAssertThrowsError(try BinaryDecoder(limits: WireLimits(maxMessageBytes: 1000)).decode([Int].self, from: bytes)) {
            XCTAssertEqual(($0 as? WireError)?.kind, .limitExceeded)
        }
        XCTAssertThrowsError(try BinaryDecoder(limits: WireLimits(maxCollectionCount: 100)).decode([Int].self, from: bytes)) {
            XCTAssertEqual(($0 as? WireError)?.kind, .limitExceeded)
        }
    }

    func testDeepNestingBombIsRejectedWithoutStackOverflow() throws {
        indirect enum Tree: Codable { case leaf, node([Tree]) }
        // 100,000 nested empty-array-in-array containers, built by hand (the encoder would refuse).
        var bytes: [UInt8] = []
        for _ in 0..<100_000 { bytes = [2] + varint(UInt64(bytes.count)) + bytes }
        XCTAssertThrowsError(try decoder.decode([[[[[[Int]]]]]].self, from: bytes))
        XCTAssertThrowsError(try decoder.decode(Tree.self, from: bytes)) { error in
            XCTAssertTrue([.depthExceeded, .typeMismatch, .missingField, .invalidValue].contains((error as? WireError)?.kind), "\(error)")
        }
    }

    func testMalformedVarintsAndWireTypes() throws {
        let tooLong: [UInt8] = [0] + [UInt8](repeating: 0xFF, count: 11) + [1]
        XCTAssertThrowsError(try decoder.decode(UInt64.self, from: tooLong)) {
            XCTAssertEqual(($0 as? WireError)?.kind, .malformedVarint)
        }
        XCTAssertThrowsError(try decoder.decode(Int.self, from: [7, 1])) {
            XCTAssertEqual(($0 as? WireError)?.kind, .unknownWireType)
        }
        XCTAssertThrowsError(try decoder.decode(Bool.self, from: [0, 2])) {
            XCTAssertEqual(($0 as? WireError)?.kind, .valueOutOfRange)
        }
        XCTAssertThrowsError(try decoder.decode(String.self, from: [2, 2, 0xC3, 0x28])) {
            XCTAssertEqual(($0 as? WireError)?.kind, .invalidUTF8)
        }
        struct One: Codable { var a: Int }
        let duplicate = try encoder.encode(One(a: 1))
        let fields = Array(duplicate.dropFirst(2))
        XCTAssertThrowsError(try decoder.decode(One.self, from: [2, UInt8(fields.count * 2)] + fields + fields)) {
            XCTAssertEqual(($0 as? WireError)?.kind, .duplicateField)
        }
    }

    func testEnvelopeIsHostileSafe() throws {
        let envelope = Envelope(
            kind: .request, requestID: 9, method: "payments.fetch", deadlineMillis: 500, idempotencyKey: "k",
            traceID: [UInt8](repeating: 7, count: 16))
        let bytes = envelope.encoded()
        XCTAssertEqual(try Envelope(decoding: bytes), envelope)
        for length in 0..<bytes.count {
            XCTAssertThrowsError(try Envelope(decoding: Array(bytes.prefix(length)))) { error in
                XCTAssertEqual((error as? WireError)?.kind, length < 2 ? .truncated : (error as? WireError)?.kind)
            }
        }
        XCTAssertThrowsError(try Envelope(decoding: bytes + [0])) {
            XCTAssertEqual(($0 as? WireError)?.kind, .trailingBytes)
        }
        var rng = SeededRandom(seed: 1)
        for _ in 0..<5000 {
            var mutated = bytes
            mutated[Int(rng.next() % UInt64(mutated.count))] ^= UInt8(truncatingIfNeeded: rng.next() | 1)
            _ = try? Envelope(decoding: mutated)
        }
    }
}

func varint(_ value: UInt64) -> [UInt8] {
    var out: [UInt8] = []
    var v = value
    while v >= 0x80 {
        out.append(UInt8(truncatingIfNeeded: v) | 0x80)
        v >>= 7
    }
    out.append(UInt8(v))
    return out
}
