import Foundation
import BigInt

/// A value in EIP-712 typed data.
public indirect enum TypedValue: Sendable, Equatable {
    case address(Address)
    case uint(BigUInt)
    case int(BigInt)
    case bool(Bool)
    /// `bytes` or `bytesN`.
    case bytes([UInt8])
    case string(String)
    /// `T[]` or `T[N]`.
    case array([TypedValue])
    /// A struct, by field name.
    case structure([String: TypedValue])
}

/// One member of an EIP-712 struct type.
public struct TypedField: Sendable, Equatable {
    public var name: String
    public var type: String

    public init(_ name: String, _ type: String) {
        self.name = name
        self.type = type
    }
}

/// EIP-712 typed structured data, general enough for any struct of atomic types, arrays and
/// nested structs: `encodeType`, `hashStruct`, the domain separator and the signing digest
/// keccak256(0x19 0x01 ‖ domainSeparator ‖ hashStruct(message)).
public struct TypedData: Sendable, Equatable {
    /// Struct types by name. `EIP712Domain` may be given; if not, it is derived from the domain's
    /// members in the canonical order (name, version, chainId, verifyingContract, salt).
    public var types: [String: [TypedField]]
    public var primaryType: String
    public var domain: [String: TypedValue]
    public var message: [String: TypedValue]

    public init(types: [String: [TypedField]], primaryType: String, domain: [String: TypedValue], message: [String: TypedValue]) {
        self.types = types
        self.primaryType = primaryType
        self.domain = domain
        self.message = message
    }

    static let domainMembers: [TypedField] = [
        TypedField("name", "string"), TypedField("version", "string"), TypedField("chainId", "uint256"),
        TypedField("verifyingContract", "address"), TypedField("salt", "bytes32"),
    ]

    private var allTypes: [String: [TypedField]] {
        var all = types
        if all["EIP712Domain"] == nil {
            all["EIP712Domain"] = Self.domainMembers.filter { domain[$0.name] != nil }
        }
        return all
    }

    public func digest() throws(CryptoError) -> [UInt8] {
        Keccak256.hash([0x19, 0x01] + (try domainSeparator()) + (try hashStruct(primaryType, message)))
    }

    public func domainSeparator() throws(CryptoError) -> [UInt8] {
        try hashStruct("EIP712Domain", domain)
    }

    /// `Name(type name,…)` followed by every struct type it references, sorted by name.
    public func encodeType(_ type: String) throws(CryptoError) -> String {
        let all = allTypes
        var found = Set<String>()
        try collect(type, all, &found)
        found.remove(type)
        var out = ""
        for name in [type] + found.sorted() {
            let fields = all[name]!
            out += "\(name)(\(fields.map { "\($0.type) \($0.name)" }.joined(separator: ",")))"
        }
        return out
    }

    private func collect(_ type: String, _ all: [String: [TypedField]], _ found: inout Set<String>) throws(CryptoError) {
        let base = Self.baseType(type)
        guard let fields = all[base] else { return }
        guard found.insert(base).inserted else { return }
        for field in fields {
            try collect(field.type, all, &found)
        }
    }

    public func typeHash(_ type: String) throws(CryptoError) -> [UInt8] {
        Keccak256.hash(try encodeType(type))
    }

    public func hashStruct(_ type: String, _ value: [String: TypedValue]) throws(CryptoError) -> [UInt8] {
        Keccak256.hash(try encodeData(type, value))
    }

    private func encodeData(_ type: String, _ value: [String: TypedValue]) throws(CryptoError) -> [UInt8] {
        let all = allTypes
        guard let fields = all[type] else {
            throw CryptoError(.invalidTypedData, "unknown struct type '\(type)'")
        }
        var out = try typeHash(type)
        for field in fields {
            guard let member = value[field.name] else {
                throw CryptoError(.invalidTypedData, "\(type).\(field.name) is missing")
            }
            out += try encodeValue(field.type, member, path: "\(type).\(field.name)")
        }
        return out
    }

    /// One 32-byte word for a member: atomic values in place, dynamic ones and structs hashed.
    private func encodeValue(_ type: String, _ value: TypedValue, path: String) throws(CryptoError) -> [UInt8] {
        if type.hasSuffix("]") {
            guard case .array(let elements) = value else { throw mismatch(path, type) }
            let element = Self.elementType(type)
            if let fixed = Self.fixedLength(type), fixed != elements.count {
                throw CryptoError(.invalidTypedData, "\(path) must have \(fixed) elements, has \(elements.count)")
            }
            var joined: [UInt8] = []
            for (index, item) in elements.enumerated() {
                joined += try encodeValue(element, item, path: "\(path)[\(index)]")
            }
            return Keccak256.hash(joined)
        }
        if allTypes[type] != nil {
            guard case .structure(let members) = value else { throw mismatch(path, type) }
            return try hashStruct(type, members)
        }
        switch (type, value) {
        case ("address", .address(let address)):
            return [UInt8](repeating: 0, count: 12) + address.bytes
        case ("bool", .bool(let flag)):
            return [UInt8](repeating: 0, count: 31) + [flag ? 1 : 0]
        case ("string", .string(let text)):
            return Keccak256.hash(text)
        case ("bytes", .bytes(let raw)):
            return Keccak256.hash(raw)
        case (_, .bytes(let raw)) where type.hasPrefix("bytes"):
            guard let size = Int(type.dropFirst(5)), (1...32).contains(size), raw.count == size else {
                throw CryptoError(.invalidTypedData, "\(path) must be \(type), got \(raw.count) bytes")
            }
            return raw + [UInt8](repeating: 0, count: 32 - size)
        case (_, .uint(let number)) where type.hasPrefix("uint"):
            let bits = Int(type.dropFirst(4)) ?? 256
            guard bits % 8 == 0, (8...256).contains(bits), number.bitWidth <= bits else {
                throw CryptoError(.invalidTypedData, "\(path) does not fit \(type)")
            }
            return Self.word(number.serialize())
        case (_, .int(let number)) where type.hasPrefix("int"):
            let bits = Int(type.dropFirst(3)) ?? 256
            let limit = BigInt(1) << (bits - 1)
            guard bits % 8 == 0, (8...256).contains(bits), number >= -limit, number < limit else {
                throw CryptoError(.invalidTypedData, "\(path) does not fit \(type)")
            }
            let twos = number >= 0 ? BigUInt(number) : (BigUInt(1) << 256) - BigUInt(-number)
            return Self.word(twos.serialize())
        default:
            throw mismatch(path, type)
        }
    }

    private func mismatch(_ path: String, _ type: String) -> CryptoError {
        CryptoError(.invalidTypedData, "\(path) is not a valid \(type)")
    }

    /// Big-endian bytes left-padded to 32.
    static func word(_ bytes: Data) -> [UInt8] {
        [UInt8](repeating: 0, count: max(0, 32 - bytes.count)) + Array(bytes.suffix(32))
    }

    static func baseType(_ type: String) -> String {
        type.firstIndex(of: "[").map { String(type[..<$0]) } ?? type
    }

    static func elementType(_ type: String) -> String {
        String(type[..<type.lastIndex(of: "[")!])
    }

    static func fixedLength(_ type: String) -> Int? {
        let inside = type[type.index(after: type.lastIndex(of: "[")!)..<type.index(before: type.endIndex)]
        return Int(inside)
    }
}
