import BigInt
import Foundation
import PaygentPaymentsAPI
import PaygentWire
import XCTest
import PaygentMoney

final class AmountTests: XCTestCase {
    func testHumanDecimalsBothWays() throws {
        XCTAssertEqual(try Amount(parsing: "0.10", decimals: 6).baseUnits, 100_000)
        XCTAssertEqual(try Amount(parsing: "25", decimals: 6).baseUnits, 25_000_000)
        XCTAssertEqual(try Amount(parsing: "1.5", decimals: 18).baseUnits, BigUInt("1500000000000000000"))
        XCTAssertEqual(try Amount(parsing: "0.00000001", decimals: 8).baseUnits, 1)
        XCTAssertEqual(try Amount(baseUnits: 100_000).formatted(decimals: 6), "0.1")
        XCTAssertEqual(try Amount(baseUnits: 100_000).formatted(decimals: 6, minimumFractionDigits: 2), "0.10")
        XCTAssertEqual(try Amount(baseUnits: 25_000_000).formatted(decimals: 6), "25")
        XCTAssertEqual(try Amount(baseUnits: 1).formatted(decimals: 18), "0.000000000000000001")
        XCTAssertEqual(Amount.zero.formatted(decimals: 6), "0")
    }

    /// Decimal text through the 128-bit fast path and BigUInt's general one agree at every edge.
    func testDecimalsAtTheWordEdges() throws {
        let one = BigUInt(1)
        for value in [BigUInt(0), one, (one << 64) - 1, one << 64, (one << 64) + 1, (one << 127), (one << 128) - 1, one << 128, (one << 128) + 1,
            BigUInt("99999999999999999999999999999999999999", radix: 10)!, BigUInt("100000000000000000000000000000000000000", radix: 10)!, Amount.maxBaseUnits]
        {
            let text = String(value, radix: 10)
            XCTAssertEqual(try Amount(baseUnits: value).description, text)
            XCTAssertEqual(try Amount(baseUnitsString: text).baseUnits, value, text)
            XCTAssertEqual(try Amount(parsing: text, decimals: 0).baseUnits, value, text)
            XCTAssertEqual(try Amount(baseUnits: value).formatted(decimals: 18), try Amount(parsing: try Amount(baseUnits: value).formatted(decimals: 18), decimals: 18).formatted(decimals: 18))
        }
    }

    func testBadInputIsAnErrorNotARounding() {
        for bad in ["", "-1", "0.1234567", "1e3", "1,000", ".5", "1.", "abc", "0x10", " "] {
            XCTAssertThrowsError(try Amount(parsing: bad, decimals: 6), bad)
        }
        XCTAssertThrowsError(try Amount(parsing: "0.1234567", decimals: 6)) { error in
            XCTAssertTrue("\(error)".contains("7 decimals") && "\(error)".contains("6"), "\(error)")
        }
        let max = String(Amount.maxBaseUnits)
        XCTAssertNoThrow(try Amount(baseUnitsString: max))
        XCTAssertThrowsError(try Amount(baseUnitsString: String(Amount.maxBaseUnits + 1)))
    }

    func testWireAndJSONCarryBaseUnitStrings() throws {
        struct Holder: Codable, Equatable { var price: Amount }
        let holder = Holder(price: try Amount(parsing: "0.10", decimals: 6))
        XCTAssertEqual(String(decoding: try JSONEncoder().encode(holder), as: UTF8.self), #"{"price":"100000"}"#)
        XCTAssertEqual(try BinaryDecoder().decode(Holder.self, from: try BinaryEncoder().encode(holder)), holder)
        XCTAssertThrowsError(try JSONDecoder().decode(Holder.self, from: Data(#"{"price":"-5"}"#.utf8)))
    }
}
