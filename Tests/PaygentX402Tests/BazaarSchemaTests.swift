import PaygentX402
import XCTest

/// A `bazaar` extension is checked against its own schema (type, properties, required, items,
/// enum), and what is wrong is named by its path.
final class BazaarSchemaTests: XCTestCase {
    func bazaar(_ info: JSONValue, schema: JSONValue?) -> JSONValue {
        var bazaar: [String: JSONValue] = ["info": info]
        if let schema { bazaar["schema"] = schema }
        return .object(["bazaar": .object(bazaar)])
    }

    let schema: JSONValue = .object([
        "type": .string("object"), "required": .array([.string("input")]),
        "properties": .object([
            "input": .object([
                "type": .string("object"), "required": .array([.string("method")]),
                "properties": .object(["method": .object(["enum": .array([.string("GET"), .string("POST")])])]),
            ]),
            "output": .object(["type": .string("object"), "properties": .object(["tags": .object(["type": .string("array"), "items": .object(["type": .string("string")])])])]),
        ]),
    ])

    func testAValidExtensionPassesAndEachBreakIsNamed() {
        let good: JSONValue = .object(["input": .object(["method": .string("GET")]), "output": .object(["tags": .array([.string("fx")])])])
        XCTAssertNil(JSONValue.bazaarProblem(bazaar(good, schema: schema)))
        XCTAssertNil(JSONValue.bazaarProblem(bazaar(.string("anything"), schema: nil)), "no schema, nothing to check")
        XCTAssertNil(JSONValue.bazaarProblem(nil))
        let cases: [(JSONValue, String)] = [
            (.object(["output": .object([:])]), "bazaar.info.input is required"),
            (.object(["input": .object([:])]), "bazaar.info.input.method is required"),
            (.object(["input": .object(["method": .string("PATCH")])]), "bazaar.info.input.method is not one of"),
            (.object(["input": .object(["method": .string("GET")]), "output": .object(["tags": .array([.number(1)])])]), "bazaar.info.output.tags[0] is not a string"),
            (.string("GET"), "bazaar.info is not an object"),
        ]
        for (info, expected) in cases {
            let problem = JSONValue.bazaarProblem(bazaar(info, schema: schema))
            XCTAssertTrue(problem?.hasPrefix(expected) ?? false, "\(expected): \(problem ?? "passed")")
        }
        XCTAssertEqual(JSONValue.bazaarProblem(.object(["bazaar": .object([:])])), "bazaar: no info")
    }
}
