import CSecp256k1
import Foundation

/// The libsecp256k1 context. Created once and never changed after its randomization, which makes
/// it safe to share between threads (libsecp256k1's documented rule for const contexts).
final class Secp256k1Context: @unchecked Sendable {
    let pointer: OpaquePointer

    static let shared = Secp256k1Context()

    private init() {
        guard let context = secp256k1_context_create(UInt32(SECP256K1_CONTEXT_SIGN | SECP256K1_CONTEXT_VERIFY)) else {
            fatalError("libsecp256k1: cannot create a context")
        }
        // Blinding against side channels; skipped only if no randomness is available.
        if var seed = try? secureRandomBytes(32) {
            _ = secp256k1_context_randomize(context, &seed)
        }
        pointer = context
    }
}

/// Bytes from the system's secure random source (getrandom(2) behind Swift's generator), eight
/// per draw: each draw is a system call.
package func secureRandomBytes(_ count: Int) throws(CryptoError) -> [UInt8] {
    var generator = SystemRandomNumberGenerator()
    var bytes: [UInt8] = []
    bytes.reserveCapacity(count + 7)
    while bytes.count < count {
        let word = generator.next()
        for shift in stride(from: 0, to: 64, by: 8) { bytes.append(UInt8(truncatingIfNeeded: word >> UInt64(shift))) }
    }
    return Array(bytes.prefix(count))
}

/// The order n of the secp256k1 group, and n / 2 (the largest low s, EIP-2).
enum CurveOrder {
    static let n: [UInt8] = HexField.constant("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141")
    static let halfN: [UInt8] = HexField.constant("7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0")
}

extension HexField {
    static func constant(_ hex: String) -> [UInt8] {
        (try? bytes(hex, count: hex.count / 2, what: "constant")) ?? []
    }
}

/// A secp256k1 private key. Its bytes never appear in a description, a log or an error; reach
/// them only through `secretBytes` (for keystores).
public struct PrivateKey: Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    private let secret: [UInt8]
    /// Derived once: every payment signed names it, and deriving costs an EC multiplication.
    public let address: Address

    /// A key from 32 bytes; refuses zero and values not below the curve order.
    public init(bytes: [UInt8]) throws(CryptoError) {
        guard bytes.count == 32 else {
            throw CryptoError(.invalidPrivateKey, "a private key is 32 bytes, got \(bytes.count)")
        }
        guard secp256k1_ec_seckey_verify(Secp256k1Context.shared.pointer, bytes) == 1 else {
            throw CryptoError(.invalidPrivateKey, "not a valid secp256k1 private key (zero or not below the curve order)")
        }
        secret = bytes
        address = Address(publicKey: Self.publicKey(of: bytes))
    }

    /// A key from `0x` + 64 hex digits.
    public init(hex: String) throws(CryptoError) {
        let raw: [UInt8]
        do {
            raw = try HexField.bytes(hex.trimmingCharacters(in: .whitespacesAndNewlines), count: 32, what: "private key")
        } catch {
            throw CryptoError(.invalidPrivateKey, "a private key is 0x followed by 64 hex digits")
        }
        try self.init(bytes: raw)
    }

    /// A new key from the system's secure random source.
    public static func generate() throws(CryptoError) -> PrivateKey {
        for _ in 0..<16 {
            if let key = try? PrivateKey(bytes: try secureRandomBytes(32)) { return key }
        }
        throw CryptoError(.randomnessUnavailable, "could not draw a valid private key")
    }

    /// The raw 32 bytes, for writing a keystore. Handle with care.
    package var secretBytes: [UInt8] { secret }

    public var publicKey: PublicKey { Self.publicKey(of: secret) }

    private static func publicKey(of secret: [UInt8]) -> PublicKey {
        var point = secp256k1_pubkey()
        guard secp256k1_ec_pubkey_create(Secp256k1Context.shared.pointer, &point, secret) == 1 else {
            preconditionFailure("libsecp256k1 refused a verified private key")
        }
        return PublicKey(point: point)
    }

    /// Signs a 32-byte digest: RFC 6979 deterministic nonce, low s, v = 27 + recovery id.
    public func sign(digest: [UInt8]) throws(CryptoError) -> Signature {
        guard digest.count == 32 else {
            throw CryptoError(.invalidSignature, "a digest to sign is 32 bytes, got \(digest.count)")
        }
        let context = Secp256k1Context.shared.pointer
        var signature = secp256k1_ecdsa_recoverable_signature()
        guard secp256k1_ecdsa_sign_recoverable(context, &signature, digest, secret, nil, nil) == 1 else {
            throw CryptoError(.invalidSignature, "signing failed")
        }
        var compact = [UInt8](repeating: 0, count: 64)
        var recoveryID: Int32 = 0
        secp256k1_ecdsa_recoverable_signature_serialize_compact(context, &compact, &recoveryID, &signature)
        return Signature(r: Array(compact[0..<32]), s: Array(compact[32..<64]), v: UInt8(27 + recoveryID))
    }

    public var description: String { "PrivateKey(redacted)" }
    public var debugDescription: String { description }
}

/// A secp256k1 public key.
public struct PublicKey: Sendable, Hashable {
    /// 65 bytes: 0x04 ‖ X ‖ Y.
    public let uncompressed: [UInt8]
    /// 33 bytes: 0x02 or 0x03 ‖ X.
    public let compressed: [UInt8]

    init(point: secp256k1_pubkey) {
        let context = Secp256k1Context.shared.pointer
        var point = point
        var long = [UInt8](repeating: 0, count: 65)
        var longCount = 65
        secp256k1_ec_pubkey_serialize(context, &long, &longCount, &point, UInt32(SECP256K1_EC_UNCOMPRESSED))
        var short = [UInt8](repeating: 0, count: 33)
        var shortCount = 33
        secp256k1_ec_pubkey_serialize(context, &short, &shortCount, &point, UInt32(SECP256K1_EC_COMPRESSED))
        uncompressed = long
        compressed = short
    }

    public var address: Address { Address(publicKey: self) }

    /// True if `signature` over `digest` was made by this key (low s required, as on chain).
    public func isValidSignature(_ signature: Signature, digest: [UInt8]) -> Bool {
        guard digest.count == 32, signature.hasLowS else { return false }
        let context = Secp256k1Context.shared.pointer
        var point = secp256k1_pubkey()
        guard secp256k1_ec_pubkey_parse(context, &point, uncompressed, uncompressed.count) == 1 else { return false }
        var parsed = secp256k1_ecdsa_signature()
        guard secp256k1_ecdsa_signature_parse_compact(context, &parsed, signature.r + signature.s) == 1 else { return false }
        return secp256k1_ecdsa_verify(context, &parsed, digest, &point) == 1
    }
}

/// A 65-byte recoverable ECDSA signature r ‖ s ‖ v, as Ethereum and x402 carry it.
public struct Signature: Sendable, Hashable, CustomStringConvertible {
    public let r: [UInt8]
    public let s: [UInt8]
    /// 27 or 28.
    public let v: UInt8

    init(r: [UInt8], s: [UInt8], v: UInt8) {
        self.r = r
        self.s = s
        self.v = v
    }

    /// Parses 65 bytes. `v` may be 27/28 or the raw recovery id 0/1 (normalized to 27/28, as the
    /// x402 SDK does); anything else is refused.
    public init(bytes: [UInt8]) throws(CryptoError) {
        guard bytes.count == 65 else {
            throw CryptoError(.invalidSignature, "a signature is 65 bytes (r, s, v), got \(bytes.count)")
        }
        let v = bytes[64]
        guard [0, 1, 27, 28].contains(v) else {
            throw CryptoError(.invalidSignature, "signature v must be 27 or 28 (or 0/1), got \(v)")
        }
        self.init(r: Array(bytes[0..<32]), s: Array(bytes[32..<64]), v: v < 27 ? v + 27 : v)
    }

    /// Parses `0x` + 130 hex digits.
    public init(hex: String) throws(CryptoError) {
        let digits = hex.utf8.count - (hex.hasPrefix("0x") ? 2 : 0)
        guard digits % 2 == 0 else { throw CryptoError(.invalidSignature, "signature is not whole bytes of hex") }
        let raw: [UInt8]
        do {
            raw = try HexField.bytes(hex, count: digits / 2, what: "signature")
        } catch {
            throw CryptoError(.invalidSignature, "signature is not hex")
        }
        try self.init(bytes: raw)
    }

    public var bytes: [UInt8] { r + s + [v] }
    public var hex: String { HexField.string(bytes) }
    public var description: String { hex }

    /// True when s ≤ n/2 (EIP-2); token contracts refuse the high-s twin of a signature.
    public var hasLowS: Bool {
        !CurveOrder.halfN.lexicographicallyPrecedes(s)
    }

    /// The address whose key made this signature over `digest`.
    ///
    /// Refuses what a chain would refuse: r or s zero or not below the curve order, and high s.
    public func recoverSigner(digest: [UInt8]) throws(CryptoError) -> Address {
        guard digest.count == 32 else {
            throw CryptoError(.invalidSignature, "a digest is 32 bytes, got \(digest.count)")
        }
        guard r.contains(where: { $0 != 0 }), s.contains(where: { $0 != 0 }) else {
            throw CryptoError(.invalidSignature, "signature r and s must not be zero")
        }
        guard r.lexicographicallyPrecedes(CurveOrder.n), s.lexicographicallyPrecedes(CurveOrder.n) else {
            throw CryptoError(.invalidSignature, "signature r or s is not below the curve order")
        }
        guard hasLowS else {
            throw CryptoError(.invalidSignature, "signature has a high s value (EIP-2); tokens refuse it")
        }
        let context = Secp256k1Context.shared.pointer
        var signature = secp256k1_ecdsa_recoverable_signature()
        guard secp256k1_ecdsa_recoverable_signature_parse_compact(context, &signature, r + s, Int32(v - 27)) == 1 else {
            throw CryptoError(.invalidSignature, "signature does not parse")
        }
        var point = secp256k1_pubkey()
        guard secp256k1_ecdsa_recover(context, &point, &signature, digest) == 1 else {
            throw CryptoError(.invalidSignature, "no public key recovers from this signature")
        }
        return PublicKey(point: point).address
    }
}

/// EIP-191 `personal_sign`: keccak256("\u{19}Ethereum Signed Message:\n" + length + message).
public enum PersonalMessage {
    public static func digest(_ message: [UInt8]) -> [UInt8] {
        Keccak256.hash(Array("\u{19}Ethereum Signed Message:\n\(message.count)".utf8) + message)
    }
}
