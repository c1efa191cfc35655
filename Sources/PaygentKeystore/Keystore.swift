import Crypto
import Foundation
import PaygentCrypto
import _CryptoExtras

/// An Ethereum keystore v3 file ("Web3 Secret Storage"): a private key encrypted with a password.
///
/// The key is derived from the password with scrypt (the default) or PBKDF2-HMAC-SHA256, the
/// private key is encrypted with AES-128-CTR under the first 16 bytes of it, and the MAC is
/// keccak256(derivedKey[16..<32] ‖ ciphertext), which tells a wrong password from a damaged file.
public struct Keystore: Codable, Sendable, Equatable {
    public var version: Int
    public var id: String
    /// Lowercase hex without 0x, as geth and eth-account write it.
    public var address: String?
    public var crypto: CryptoSection

    public struct CryptoSection: Codable, Sendable, Equatable {
        public var cipher: String
        public var cipherparams: CipherParams
        public var ciphertext: String
        public var kdf: String
        public var kdfparams: KDFParams
        public var mac: String
    }

    public struct CipherParams: Codable, Sendable, Equatable {
        public var iv: String
    }

    /// Parameters of either KDF; the ones that do not apply are absent.
    public struct KDFParams: Codable, Sendable, Equatable {
        public var dklen: Int
        public var salt: String
        public var n: Int?
        public var r: Int?
        public var p: Int?
        public var c: Int?
        public var prf: String?
    }

    /// How hard the password is to guess by brute force, and what it costs to open.
    public enum Strength: Sendable {
        /// scrypt n = 2^18, r = 8, p = 1 (geth's standard; ~256 MiB and about a second).
        case standard
        /// scrypt n = 2^12, r = 8, p = 1: for tests and throwaway demo wallets only.
        case light
    }

    /// Encrypts `key` under `password`.
    public static func encrypt(_ key: PrivateKey, password: String, strength: Strength = .standard) throws(KeystoreError) -> Keystore {
        let salt = randomBytes(32)
        let iv = randomBytes(16)
        let n = strength == .standard ? 1 << 18 : 1 << 12
        let params = KDFParams(dklen: 32, salt: hex(salt), n: n, r: 8, p: 1, c: nil, prf: nil)
        let derived = try deriveKey(password: password, kdf: "scrypt", params: params)
        let ciphertext = try aes128CTR(key: Array(derived[0..<16]), iv: iv, data: key.secretBytes)
        let mac = Keccak256.hash(Array(derived[16..<32]) + ciphertext)
        return Keystore(
            version: 3, id: UUID().uuidString.lowercased(), address: String(key.address.lowercase.dropFirst(2)),
            crypto: CryptoSection(
                cipher: "aes-128-ctr", cipherparams: CipherParams(iv: hex(iv)), ciphertext: hex(ciphertext),
                kdf: "scrypt", kdfparams: params, mac: hex(mac)))
    }

    /// Decrypts the private key; a wrong password gives `.wrongPassword`, never a wrong key.
    public func decrypt(password: String) throws(KeystoreError) -> PrivateKey {
        guard version == 3 else { throw KeystoreError(.unsupported, "keystore version \(version); only version 3 is supported") }
        guard crypto.cipher == "aes-128-ctr" else {
            throw KeystoreError(.unsupported, "cipher \(crypto.cipher); only aes-128-ctr is supported")
        }
        let derived = try Self.deriveKey(password: password, kdf: crypto.kdf, params: crypto.kdfparams)
        guard derived.count >= 32 else { throw KeystoreError(.malformed, "kdfparams.dklen must be at least 32") }
        let ciphertext = try Self.unhex(crypto.ciphertext, "ciphertext")
        let mac = Keccak256.hash(Array(derived[16..<32]) + ciphertext)
        guard Self.constantTimeEqual(mac, try Self.unhex(crypto.mac, "mac")) else {
            throw KeystoreError(.wrongPassword, "wrong password for this keystore (or the file is damaged)")
        }
        let iv = try Self.unhex(crypto.cipherparams.iv, "cipherparams.iv")
        let secret = try Self.aes128CTR(key: Array(derived[0..<16]), iv: iv, data: ciphertext)
        do {
            let key = try PrivateKey(bytes: secret)
            if let address, key.address.lowercase.dropFirst(2) != address.lowercased() {
                throw KeystoreError(.malformed, "the decrypted key does not match the keystore's address")
            }
            return key
        } catch let error as KeystoreError {
            throw error
        } catch {
            throw KeystoreError(.malformed, "the keystore holds an invalid private key")
        }
    }

    // MARK: files

    /// Reads a keystore file.
    public static func read(from path: String) throws(KeystoreError) -> Keystore {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw KeystoreError(.io, "cannot read keystore \(path): \(error.localizedDescription)")
        }
        do {
            return try JSONDecoder().decode(Keystore.self, from: data)
        } catch {
            throw KeystoreError(.malformed, "\(path) is not a keystore v3 file")
        }
    }

    /// Writes the keystore to a new file readable by its owner only (mode 0600); refuses to
    /// overwrite an existing file.
    public func write(to path: String) throws(KeystoreError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        guard let data = try? encoder.encode(self) else { throw KeystoreError(.malformed, "cannot encode keystore") }
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw KeystoreError(.io, "cannot create \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        let written = data.withUnsafeBytes { Foundation.write(fd, $0.baseAddress, $0.count) }
        guard written == data.count, fsync(fd) == 0 else {
            throw KeystoreError(.io, "cannot write \(path): \(String(cString: strerror(errno)))")
        }
    }

    // MARK: primitives

    static func deriveKey(password: String, kdf: String, params: KDFParams) throws(KeystoreError) -> [UInt8] {
        let salt = try unhex(params.salt, "kdfparams.salt")
        let passwordBytes = Array(password.utf8)
        do {
            switch kdf {
            case "scrypt":
                guard let n = params.n, let r = params.r, let p = params.p, n > 1, n & (n - 1) == 0, r > 0, p > 0 else {
                    throw KeystoreError(.malformed, "scrypt needs kdfparams n (a power of two), r and p")
                }
                let key = try KDF.Scrypt.deriveKey(
                    from: passwordBytes, salt: salt, outputByteCount: params.dklen, rounds: n, blockSize: r,
                    parallelism: p, maxMemory: 128 * n * r * p + (1 << 20))
                return key.withUnsafeBytes { Array($0) }
            case "pbkdf2":
                guard let c = params.c, c > 0, params.prf == nil || params.prf == "hmac-sha256" else {
                    throw KeystoreError(.malformed, "pbkdf2 needs kdfparams c and prf hmac-sha256")
                }
                let key = try KDF.Insecure.PBKDF2.deriveKey(
                    from: passwordBytes, salt: salt, using: .sha256, outputByteCount: params.dklen, unsafeUncheckedRounds: c)
                return key.withUnsafeBytes { Array($0) }
            default:
                throw KeystoreError(.unsupported, "kdf \(kdf); supported: scrypt, pbkdf2")
            }
        } catch let error as KeystoreError {
            throw error
        } catch {
            throw KeystoreError(.malformed, "key derivation failed: \(error)")
        }
    }

    static func aes128CTR(key: [UInt8], iv: [UInt8], data: [UInt8]) throws(KeystoreError) -> [UInt8] {
        do {
            let nonce = try AES._CTR.Nonce(nonceBytes: iv)
            let output = try AES._CTR.encrypt(data, using: SymmetricKey(data: key), nonce: nonce)
            return Array(output)
        } catch {
            throw KeystoreError(.malformed, "AES-128-CTR failed: \(error)")
        }
    }

    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }

    static func randomBytes(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    }

    static func hex(_ bytes: [UInt8]) -> String {
        String(HexField.string(bytes).dropFirst(2))
    }

    static func unhex(_ text: String, _ field: String) throws(KeystoreError) -> [UInt8] {
        let digits = text.utf8.count - (text.hasPrefix("0x") ? 2 : 0)
        guard digits % 2 == 0, let bytes = try? HexField.bytes(text, count: digits / 2, what: field) else {
            throw KeystoreError(.malformed, "\(field) is not hex")
        }
        return bytes
    }
}

/// Why a keystore could not be read, written or opened. Never contains the password or key.
public struct KeystoreError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        case wrongPassword, malformed, unsupported, io
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}
