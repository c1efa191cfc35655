/// Why a key, signature, address or hex string was refused; `message` says what to fix.
/// Never contains key material.
public struct CryptoError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable, Equatable {
        case invalidHex
        case invalidPrivateKey
        case invalidPublicKey
        case invalidSignature
        case invalidAddress
        case badChecksum
        case invalidTypedData
        case randomnessUnavailable
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}

/// Hex helpers for 0x-prefixed fixed-length values.
enum HexField {
    /// Parses `0x` + exactly `count` bytes of hex (the prefix is optional).
    static func bytes(_ text: String, count: Int, what: String) throws(CryptoError) -> [UInt8] {
        var digits = Substring(text)
        if digits.hasPrefix("0x") || digits.hasPrefix("0X") { digits = digits.dropFirst(2) }
        guard digits.count == count * 2 else {
            throw CryptoError(.invalidHex, "\(what) must be \(count) bytes (\(count * 2) hex digits), got \(digits.count) digits")
        }
        var out = [UInt8]()
        out.reserveCapacity(count)
        var index = digits.startIndex
        while index < digits.endIndex {
            let next = digits.index(index, offsetBy: 2)
            guard let byte = UInt8(digits[index..<next], radix: 16) else {
                throw CryptoError(.invalidHex, "\(what) is not hex")
            }
            out.append(byte)
            index = next
        }
        return out
    }

    static func string(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = [0x30, 0x78]
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
