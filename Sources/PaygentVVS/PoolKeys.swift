import Foundation
import PaygentCrypto
import PaygentKeystore
import PaygentRuntime
import PaygentWire

/// The keys of the pools' ledger accounts. One master key is kept in a keystore
/// (`<data>/vvs/pools.key.json`, encrypted with the service's keystore password); each pool's key
/// is derived from it and the pool's id, keccak256("paygent-vvs-pool:" ‖ master ‖ id), so opening
/// the service decrypts one keystore however many pools there are, and a pool's key is never
/// written anywhere.
struct PoolKeys: Sendable {
    let master: PrivateKey

    /// Opens the master key, creating it (from the injected randomness) on first use.
    init(directory: String, random: RandomSource) throws {
        let path = (directory as NSString).appendingPathComponent("pools.key.json")
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

    /// The key of pool `id`.
    func key(pool id: String) throws -> PrivateKey {
        try derive("paygent-vvs-pool:", id)
    }

    /// The service's other accounts: `owner` (provided the seed pools' liquidity and holds their
    /// first LP), `treasury` (receives the protocol fee's LP) and `farms` (holds staked LP and
    /// pays VVS rewards).
    func key(account: Account) throws -> PrivateKey {
        try derive("paygent-vvs-account:", account.rawValue)
    }

    enum Account: String {
        case owner
        case treasury
        case farms
    }

    private func derive(_ domain: String, _ name: String) throws -> PrivateKey {
        var seed = Keccak256.hash(Array(domain.utf8) + master.secretBytes + Array(name.utf8))
        for _ in 0..<8 {
            if let key = try? PrivateKey(bytes: seed) { return key }
            seed = Keccak256.hash(seed)
        }
        throw PaygentError(.internal, "no valid key derives for \(name)")
    }
}
