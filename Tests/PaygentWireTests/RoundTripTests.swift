import Foundation
import PaygentWire
import XCTest

final class RoundTripTests: XCTestCase {
    let encoder = BinaryEncoder()
    let decoder = BinaryDecoder()

    func roundTrip<T: Codable & Equatable>(_ value: T, file: StaticString = #filePath, line: UInt = #line) throws {
        let bytes = try encoder.encode(value)
        let back = try decoder.decode(T.self, from: bytes)
        XCTAssertEqual(back, value, file: file, line: line)
        XCTAssertEqual(try encoder.encode(back), bytes, "re-encoding differs", file: file, line: line)
    }

    func testIntegersAtEveryWidth() throws {
        try roundTrip(AllIntegers.extremes)
        try roundTrip(AllIntegers.small)
        try roundTrip(AllIntegers(i: .max, i8: .max, i16: .max, i32: .max, i64: .max, u: 0, u8: 0, u16: 0, u32: 0, u64: 0))
    }

    func testScalars() throws {
        try roundTrip(Scalars(
            flag: true, ratio: -0.125, single: 3.5, text: "héllo 🌍", blob: Data([0, 1, 255]),
            bytes: [9, 8, 7], id: UUID(), when: Date(timeIntervalSince1970: 1_764_115_200.25),
            link: URL(string: "https://example.com/a?b=c")!))
        try roundTrip(Scalars(
            flag: false, ratio: .infinity, single: -0, text: "", blob: Data(), bytes: [],
            id: UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)),
            when: Date(timeIntervalSince1970: 0), link: URL(string: "ipc:///tmp/x")!))
    }

    func testTopLevelPrimitivesAndOptionals() throws {
        try roundTrip(42)
        try roundTrip("just a string")
        try roundTrip(Optional<Int>.none)
        try roundTrip(Optional<Int>.some(7))
        try roundTrip([1, 2, 3])
        try roundTrip([String]())
        try roundTrip(["a": [1, 2], "b": []])
        try roundTrip(Double.nan.isNaN)
    }

    func testNestedContainersOptionalsAndDictionaries() throws {
        let inner = Nested.Inner(name: "n", tags: ["x", "y"])
        try roundTrip(Nested(
            inner: inner, inners: [inner, Nested.Inner(name: "", tags: [])], matrix: [[1, 2], [], [3]],
            maybe: nil, optionals: [1, nil, 3], byName: ["one": 1, "two": 2, "": 0],
            byNumber: [1: "a", -5: "b"], byUUID: [UUID(): true, UUID(): false], nestedOptional: nil))
        try roundTrip(Nested(
            inner: inner, inners: [], matrix: [], maybe: inner, optionals: [], byName: [:], byNumber: [:],
            byUUID: [:], nestedOptional: 5))
    }

    func testEnumsWithAssociatedValues() throws {
        try roundTrip(WithEnums(
            action: .pay(amount: 100_000, to: "0xabc"), level: .high, priority: .two,
            actions: [.swap("CRO", "USDC", 10), .check, .batch([.check, .note(text: nil)]), .note(text: "hi")]))
    }

    func testSuperEncoder() throws {
        let value = Derived(baseValue: -3, extra: "more")
        let bytes = try encoder.encode(value)
        let back = try decoder.decode(Derived.self, from: bytes)
        XCTAssertEqual(back.baseValue, -3)
        XCTAssertEqual(back.extra, "more")
    }

    func testHandWrittenNestedContainersInsideUnkeyed() throws {
        try roundTrip(HandWritten(pairs: [("a", 1), ("b", -2)]))
    }

    func testDictionaryOrderIsDeterministic() throws {
        var first: [String: Int] = [:]
        var second: [String: Int] = [:]
        for i in 0..<50 { first["k\(i)"] = i }
        for i in (0..<50).reversed() { second["k\(i)"] = i }
        XCTAssertEqual(try encoder.encode(first), try encoder.encode(second))
    }

    func testNoFieldNamesOnTheWire() throws {
        let bytes = try encoder.encode(PaymentV1(id: "p1", amount: 5, memo: nil))
        XCTAssertFalse(String(decoding: bytes, as: UTF8.self).contains("amount"))
        XCTAssertLessThan(bytes.count, 16)
    }

    func testOldAndNewSchemasInteroperateBothWays() throws {
        let old = PaymentV1(id: "p-1", amount: 100_000, memo: "coffee")
        let fromOld = try decoder.decode(PaymentV2.self, from: try encoder.encode(old))
        XCTAssertEqual(fromOld, PaymentV2(id: "p-1", amount: 100_000, memo: "coffee", token: nil, tags: nil, details: nil))

        let new = PaymentV2(
            id: "p-2", amount: 7, memo: nil, token: "USDC", tags: ["a"],
            details: Nested.Inner(name: "deep", tags: ["t"]))
        let fromNew = try decoder.decode(PaymentV1.self, from: try encoder.encode(new))
        XCTAssertEqual(fromNew, PaymentV1(id: "p-2", amount: 7, memo: nil))
    }

    func testMissingRequiredFieldIsTyped() throws {
        struct Small: Codable { var id: String }
        struct Needs: Codable { var id: String; var amount: UInt64 }
        let bytes = try encoder.encode(Small(id: "x"))
        XCTAssertThrowsError(try decoder.decode(Needs.self, from: bytes)) { error in
            XCTAssertEqual((error as? WireError)?.kind, .missingField)
            XCTAssertEqual((error as? WireError)?.path, "amount")
        }
    }

    func testValueOutOfRangeAndTypeMismatch() throws {
        XCTAssertThrowsError(try decoder.decode(UInt8.self, from: try encoder.encode(300))) {
            XCTAssertEqual(($0 as? WireError)?.kind, .valueOutOfRange)
        }
        XCTAssertThrowsError(try decoder.decode(String.self, from: try encoder.encode(3))) {
            XCTAssertEqual(($0 as? WireError)?.kind, .typeMismatch)
        }
        XCTAssertThrowsError(try decoder.decode(Level.self, from: try encoder.encode("medium"))) {
            XCTAssertEqual(($0 as? WireError)?.kind, .invalidValue)
        }
    }

    func testEncoderDepthLimit() throws {
        indirect enum Chain: Codable { case end, link(Chain) }
        var chain = Chain.end
        for _ in 0..<100 { chain = .link(chain) }
        XCTAssertThrowsError(try encoder.encode(chain)) {
            XCTAssertEqual(($0 as? WireError)?.kind, .depthExceeded)
        }
        let shallow = BinaryEncoder(limits: WireLimits(maxDepth: 400))
        let bytes = try shallow.encode(chain)
        XCTAssertThrowsError(try decoder.decode(Chain.self, from: bytes)) {
            XCTAssertEqual(($0 as? WireError)?.kind, .depthExceeded)
        }
        XCTAssertNoThrow(try BinaryDecoder(limits: WireLimits(maxDepth: 400)).decode(Chain.self, from: bytes))
    }

    func testLongContainersUseMultiByteLengths() throws {
        let long = (0..<300).map { "item-\($0)" }
        try roundTrip(long)
        try roundTrip(Nested.Inner(name: String(repeating: "x", count: 20_000), tags: long))
    }
}
