/// A 20-byte Ethereum account address.
///
/// Printed with the EIP-55 mixed-case checksum. Parsing accepts all-lowercase or all-uppercase
/// hex (no checksum to check) and mixed case only when its checksum is right, so a mistyped
/// address is caught instead of paid.
public struct Address: Hashable, Sendable, Comparable, CustomStringConvertible, Codable {
    public let bytes: [UInt8]

    /// `0x0000…0000`: no key signs for it, so funds sent there are lost.
    public static let zero = try! Address(bytes: [UInt8](repeating: 0, count: 20))

    public init(bytes: [UInt8]) throws(CryptoError) {
        guard bytes.count == 20 else {
            throw CryptoError(.invalidAddress, "an address is 20 bytes, got \(bytes.count)")
        }
        self.bytes = bytes
    }

    /// Parses `0x` + 40 hex digits, checking the EIP-55 checksum of mixed-case input.
    public init(_ text: String) throws(CryptoError) {
        let utf8 = Array(text.utf8)
        guard utf8.count == 42, utf8[0] == 0x30, utf8[1] == 0x78 || utf8[1] == 0x58 else {
            throw CryptoError(.invalidAddress, "address '\(text)' must be 0x followed by 40 hex digits")
        }
        var raw = [UInt8](repeating: 0, count: 20)
        var lower = [UInt8](repeating: 0, count: 40)
        var hasLower = false
        var hasUpper = false
        for index in 0..<40 {
            let char = utf8[index + 2]
            let nibble: UInt8
            switch char {
            case 0x30...0x39: nibble = char - 0x30; lower[index] = char
            case 0x61...0x66: nibble = char - 0x61 + 10; lower[index] = char; hasLower = true
            case 0x41...0x46: nibble = char - 0x41 + 10; lower[index] = char + 0x20; hasUpper = true
            default: throw CryptoError(.invalidAddress, "address '\(text)' must be 0x followed by 40 hex digits")
            }
            raw[index / 2] |= index % 2 == 0 ? nibble << 4 : nibble
        }
        bytes = raw
        if hasLower && hasUpper {
            // EIP-55: a letter is upper case iff its nibble of keccak256(lowercase hex) is ≥ 8.
            let hash = Keccak256.hash(lower)
            for index in 0..<40 where lower[index] >= 0x61 {
                let nibble = index % 2 == 0 ? hash[index / 2] >> 4 : hash[index / 2] & 0x0F
                let isUpper = utf8[index + 2] <= 0x46
                if isUpper != (nibble >= 8) {
                    throw CryptoError(.badChecksum, "address '\(text)' has a wrong EIP-55 checksum (expected \(eip55)); check it for typos")
                }
            }
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
