import Foundation
import XCTest

/// `../shared/x402/vectors.json`, made with eth-account and the official x402 SDK.
enum Vectors {
    static let url = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("shared/x402/vectors.json")

    static func load() throws -> [String: Any] {
        let data = try Data(contentsOf: url)
        return try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    static func cases(_ section: String) throws -> [[String: Any]] {
        let all = try load()
        let group = try XCTUnwrap(all[section] as? [String: Any], "no section \(section)")
        return try XCTUnwrap(group["cases"] as? [[String: Any]])
    }
}

func bytes(_ hex: Any?) throws -> [UInt8] {
    var text = try XCTUnwrap(hex as? String)
    if text.hasPrefix("0x") { text.removeFirst(2) }
    var out: [UInt8] = []
    var index = text.startIndex
    while index < text.endIndex {
        let next = text.index(index, offsetBy: 2)
        out.append(try XCTUnwrap(UInt8(text[index..<next], radix: 16)))
        index = next
    }
    return out
}

func hex(_ bytes: [UInt8]) -> String {
    "0x" + bytes.map { String(format: "%02x", $0) }.joined()
}
