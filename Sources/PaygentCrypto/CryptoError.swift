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
public enum HexField {
    /// Parses `0x` + exactly `count` bytes of hex (the prefix is optional), either case.
    public static func bytes(_ text: String, count: Int, what: String) throws(CryptoError) -> [UInt8] {
        var text = text
        let result = text.withUTF8 { utf8 -> [UInt8]? in
            var start = 0
            if utf8.count >= 2, utf8[0] == 0x30, utf8[1] == 0x78 || utf8[1] == 0x58 { start = 2 }
            guard utf8.count - start == count * 2 else { return nil }
            var out = [UInt8](repeating: 0, count: count)
            for index in 0..<count {
                guard let high = nibble(utf8[start + 2 * index]), let low = nibble(utf8[start + 2 * index + 1]) else { return nil }
                out[index] = high << 4 | low
            }
            return out
        }
        guard let result else {
            throw CryptoError(.invalidHex, "\(what) must be \(count) bytes of hex (0x followed by \(count * 2) hex digits)")
        }
        return result
    }

    @inline(__always)
    static func nibble(_ char: UInt8) -> UInt8? {
        switch char {
        case 0x30...0x39: char - 0x30
        case 0x61...0x66: char - 0x61 + 10
        case 0x41...0x46: char - 0x41 + 10
        default: nil
        }
    }

    public static func string(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = [0x30, 0x78]
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
