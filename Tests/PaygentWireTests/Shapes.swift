import Foundation
import PaygentWire

/// Types covering every shape Codable synthesis produces.
struct AllIntegers: Codable, Equatable {
    var i: Int, i8: Int8, i16: Int16, i32: Int32, i64: Int64
    var u: UInt, u8: UInt8, u16: UInt16, u32: UInt32, u64: UInt64

    static let extremes = AllIntegers(
        i: .min, i8: .min, i16: .min, i32: .min, i64: .min,
        u: .max, u8: .max, u16: .max, u32: .max, u64: .max)
    static let small = AllIntegers(i: -1, i8: 1, i16: -2, i32: 3, i64: -4, u: 5, u8: 6, u16: 7, u32: 8, u64: 9)
}

struct Scalars: Codable, Equatable {
    var flag: Bool
    var ratio: Double
    var single: Float
    var text: String
    var blob: Data
    var bytes: [UInt8]
    var id: UUID
    var when: Date
    var link: URL
}

struct Nested: Codable, Equatable {
    struct Inner: Codable, Equatable {
        var name: String
        var tags: [String]
    }
    var inner: Inner
    var inners: [Inner]
    var matrix: [[Int]]
    var maybe: Inner?
    var optionals: [Int?]
    var byName: [String: Int]
    var byNumber: [Int: String]
    var byUUID: [UUID: Bool]
    var nestedOptional: Int??
}

enum Action: Codable, Equatable {
    case pay(amount: UInt64, to: String)
    case swap(String, String, UInt64)
    case check
    case batch([Action])
    case note(text: String?)
}

enum Level: String, Codable, Equatable { case low, high }
enum Priority: Int, Codable, Equatable { case one = 1, two = 2 }

struct WithEnums: Codable, Equatable {
    var action: Action
    var level: Level
    var priority: Priority
    var actions: [Action]
}

/// A class hierarchy that uses `superEncoder`/`superDecoder`.
class Base: Codable {
    var baseValue: Int
    init(baseValue: Int) { self.baseValue = baseValue }
}

final class Derived: Base, @unchecked Sendable {
    var extra: String
    init(baseValue: Int, extra: String) {
        self.extra = extra
        super.init(baseValue: baseValue)
    }
    enum CodingKeys: String, CodingKey { case extra }
    required init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        extra = try container.decode(String.self, forKey: .extra)
        try super.init(from: container.superDecoder())
    }
    override func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(extra, forKey: .extra)
        try super.encode(to: container.superEncoder())
    }
}

/// Hand-written coding through every container kind, including nested unkeyed and keyed
/// containers inside unkeyed ones.
struct HandWritten: Codable, Equatable {
    var pairs: [(String, Int)]
    static func == (a: HandWritten, b: HandWritten) -> Bool {
        a.pairs.map(\.0) == b.pairs.map(\.0) && a.pairs.map(\.1) == b.pairs.map(\.1)
    }
    init(pairs: [(String, Int)]) { self.pairs = pairs }
    enum Keys: String, CodingKey { case name, value }
    init(from decoder: any Decoder) throws {
        var outer = try decoder.unkeyedContainer()
        let count = try outer.decode(Int.self)
        var pairs: [(String, Int)] = []
        for _ in 0..<count {
            let inner = try outer.nestedContainer(keyedBy: Keys.self)
            pairs.append((try inner.decode(String.self, forKey: .name), try inner.decode(Int.self, forKey: .value)))
        }
        let trailer = try outer.nestedUnkeyedContainer()
        guard trailer.isAtEnd, outer.isAtEnd else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "extra elements"))
        }
        self.pairs = pairs
    }
    func encode(to encoder: any Encoder) throws {
        var outer = encoder.unkeyedContainer()
        try outer.encode(pairs.count)
        for (name, value) in pairs {
            var inner = outer.nestedContainer(keyedBy: Keys.self)
            try inner.encode(name, forKey: .name)
            try inner.encode(value, forKey: .value)
        }
        _ = outer.nestedUnkeyedContainer()
    }
}

/// Version 1 and version 2 of the same message, for evolution tests.
struct PaymentV1: Codable, Equatable {
    var id: String
    var amount: UInt64
    var memo: String?
}

struct PaymentV2: Codable, Equatable {
    var id: String
    var amount: UInt64
    var memo: String?
    var token: String?
    var tags: [String]?
    var details: Nested.Inner?
}
