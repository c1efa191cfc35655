import Foundation
import PaygentCrypto
import PaygentKeystore
import PaygentRuntime
import PaygentWire

/// The keys of a service's own ledger accounts (VVS's pools, Moonlander's vault). One master key
/// is kept in a keystore (`<directory>/<file>`, encrypted with the service's keystore password);
/// each account's key is derived from it, keccak256(domain ‖ master ‖ name), so opening the
/// service decrypts one keystore however many accounts there are, and no account's key is ever
/// written anywhere.
public struct AccountKeys: Sendable {
    let master: PrivateKey

    /// Opens the master key, creating it (from the injected randomness) on first use.
    public init(directory: String, file: String, random: RandomSource) throws {
        let path = (directory as NSString).appendingPathComponent(file)
        let password = try ServiceKeystorePassword(directory: directory)
        if FileManager.default.fileExists(atPath: path) {
            master = try Keystore.read(from: path).decrypt(password: password.password)
        } else {
            var drawn: PrivateKey?
            for _ in 0..<8 where drawn == nil { drawn = try? PrivateKey(bytes: random.bytes(32)) }
            guard let key = drawn else { throw PaygentError(.internal, "the random source gave no valid key in 8 draws") }
            try Keystore.encrypt(key, password: password.password, strength: password.strength).write(to: path)
            master = key
        }
    }

    /// The key of account `name` in `domain` (`paygent-vvs-pool:`, say).
    public func derive(_ domain: String, _ name: String) throws -> PrivateKey {
        var seed = Keccak256.hash(Array(domain.utf8) + master.secretBytes + Array(name.utf8))
        for _ in 0..<8 {
            if let key = try? PrivateKey(bytes: seed) { return key }
            seed = Keccak256.hash(seed)
        }
        throw PaygentError(.internal, "no valid key derives for \(name)")
    }
}
