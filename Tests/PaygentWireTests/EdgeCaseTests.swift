import PaygentWire
import XCTest

/// Codec cases `protocol/encoding.md` states explicitly, held to what it says.
final class EdgeCaseTests: XCTestCase {
    /// A map with an odd number of elements (a key without a value) is refused.
    func testAMapWithAnOddElementCountIsRefused() throws {
        // bytes, 5 bytes: "a" → 1, then a lone key "b".
        let odd: [UInt8] = [0x02, 0x08, 0x02, 0x01, 0x61, 0x00, 0x02, 0x02, 0x01, 0x62]
        XCTAssertThrowsError(try BinaryDecoder().decode([String: Int].self, from: odd)) { error in
            XCTAssertEqual((error as? WireError)?.kind, .truncated, "\(error)")
        }
    }

    /// Varints need not be in their shortest form to be read (`01` and `81 00` are both 1);
    /// encoders always write the shortest, so equal values have equal bytes.
    func testNonShortestVarintsAreReadAndNeverWritten() throws {
        XCTAssertEqual(try BinaryDecoder().decode(UInt64.self, from: [0x00, 0x81, 0x00]), 1)
        XCTAssertEqual(try BinaryEncoder().encode(UInt64(1)), [0x00, 0x01])
    }

    /// A doubly optional value cannot tell `.some(nil)` from `nil` on the wire: both read back as
    /// nil (message types never nest optionals).
    func testNestedOptionalsCollapse() throws {
        struct Holder: Codable, Equatable { var value: Int?? }
        let inner = try BinaryEncoder().encode(Holder(value: .some(nil)))
        XCTAssertEqual(try BinaryDecoder().decode(Holder.self, from: inner), Holder(value: nil))
        let some = try BinaryEncoder().encode(Holder(value: .some(.some(3))))
        XCTAssertEqual(try BinaryDecoder().decode(Holder.self, from: some), Holder(value: 3))
    }
}
