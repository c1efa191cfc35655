/// A 20-byte Ethereum account address.
///
/// Printed with the EIP-55 mixed-case checksum. Parsing accepts all-lowercase or all-uppercase
/// hex (no checksum to check) and mixed case only when its checksum is right, so a mistyped
/// address is caught instead of paid.
public struct Address: Hashable, Sendable, Comparable, CustomStringConvertible, Codable {
    public let bytes: [UInt8]

    public init(bytes: [UInt8]) throws(CryptoError) {
        guard bytes.count == 20 else {
            throw CryptoError(.invalidAddress, "an address is 20 bytes, got \(bytes.count)")
        }
        self.bytes = bytes
    }

    /// Parses `0x` + 40 hex digits, checking the EIP-55 checksum of mixed-case input.
    public init(_ text: String) throws(CryptoError) {
        guard text.hasPrefix("0x") || text.hasPrefix("0X") else {
            throw CryptoError(.invalidAddress, "address '\(text)' must start with 0x")
        }
        let raw: [UInt8]
        do {
            raw = try HexField.bytes(text, count: 20, what: "address")
        } catch {
            throw CryptoError(.invalidAddress, "address '\(text)' is not 0x followed by 40 hex digits")
        }
        try self.init(bytes: raw)
        let digits = text.dropFirst(2)
        let hasLower = digits.contains { $0.isLowercase }
        let hasUpper = digits.contains { $0.isUppercase }
        if hasLower && hasUpper && String(digits) != String(eip55.dropFirst(2)) {
            throw CryptoError(.badChecksum, "address '\(text)' has a wrong EIP-55 checksum (expected \(eip55)); check it for typos")
        }
    }

    /// The last 20 bytes of the Keccak-256 of the 64-byte public key (X‖Y).
    public init(publicKey: PublicKey) {
        let hash = Keccak256.hash(publicKey.uncompressed.dropFirst())
        bytes = Array(hash.suffix(20))
    }

    /// `0x` + lowercase hex.
    public var lowercase: String { HexField.string(bytes) }

    /// EIP-55: hex digit i is upper case iff nibble i of keccak256(lowercase hex) is ≥ 8.
    public var eip55: String {
        let hex = Array(lowercase.utf8.dropFirst(2))
        let hash = Keccak256.hash(hex)
        var out: [UInt8] = [0x30, 0x78]
        for (index, char) in hex.enumerated() {
            let nibble = index % 2 == 0 ? hash[index / 2] >> 4 : hash[index / 2] & 0x0F
            if char >= 0x61 && char <= 0x66 && nibble >= 8 {
                out.append(char - 0x20)
            } else {
                out.append(char)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    public var description: String { eip55 }

    public static func < (lhs: Address, rhs: Address) -> Bool {
        lhs.bytes.lexicographicallyPrecedes(rhs.bytes)
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do {
            try self.init(text)
        } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.message))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(eip55)
    }
}
