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

/// The schema recorder walks synthesized conformances, documents wrappers, and lets a type it
/// cannot walk describe itself.
final class WireSchemaRecorderTests: XCTestCase {
    enum Side: String, Codable, CaseIterable { case buy, sell }
    struct Order: Codable {
        var id: String
        var side: Side
        var quantity: Int?
        var tags: [String]
        var legs: [String: Leg]
        struct Leg: Codable { var price: Double }
    }
    enum Action: Codable, WireSchemaDescribed {
        case hold, trade(Int)
        static func wireSchema(into recorder: inout WireSchema) -> WireShape { .scalar("Action") }
        static var wireSchemaSample: Action { .hold }
    }
    struct Plan: Codable { var action: Action }

    func testRecordsFieldsTagsAndShapes() throws {
        let schema = try WireSchemaRecorder.record(Order.self)
        guard case .message = schema.root else { return XCTFail("the root is a message: \(schema.root)") }
        let order = try XCTUnwrap(schema.messages.values.first { $0.name.hasSuffix("Order") })
        XCTAssertEqual(order.fields.map(\.name), ["id", "side", "quantity", "tags", "legs"])
        XCTAssertEqual(order.fields.map(\.required), [true, true, false, true, true])
        XCTAssertEqual(order.fields[0].tag, FieldTag.hash("id"))
        XCTAssertEqual(order.fields[2].shape.wireType, .varint)
        XCTAssertEqual(order.fields[3].shape.description, "[String]")
        XCTAssertTrue(order.fields[4].shape.description.hasPrefix("[String: "), order.fields[4].shape.description)
        XCTAssertEqual(schema.enumerations.values.first?.cases, ["buy", "sell"])
        // The filled sample has every field present and encodes.
        let sample = try WireSchemaRecorder.sample(Order.self)
        XCTAssertEqual(sample.quantity, 7)
        XCTAssertEqual(sample.tags, ["100000"])
        XCTAssertEqual(sample.legs.count, 1)
        XCTAssertNoThrow(try BinaryEncoder().encode(sample))
    }

    func testATypeThatCannotBeWalkedDescribesItself() throws {
        let schema = try WireSchemaRecorder.record(Plan.self)
        XCTAssertEqual(schema.messages.values.first?.fields.first?.shape, .scalar("Action"))
        struct Unwalkable: Codable { var action: Unlisted }
        enum Unlisted: Codable { case a(Int), b }
        XCTAssertThrowsError(try WireSchemaRecorder.record(Unwalkable.self)) { error in
            XCTAssertTrue("\(error)".contains("WireSchemaDescribed"), "\(error)")
        }
    }
}
