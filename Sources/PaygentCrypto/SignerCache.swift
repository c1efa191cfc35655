import Synchronization

/// Remembers the signers recovered from (digest, signature) pairs, so that a payment verified and
/// then settled moments later is recovered once, not twice. Recovery is a pure function of the
/// digest and the signature, so a remembered answer is the answer; failed recoveries are not kept.
/// Bounded: when full it starts over, which costs only a recovery.
public final class SignerCache: Sendable {
    private struct Key: Hashable {
        let digest: [UInt8]
        let signature: Signature
    }

    private let capacity: Int
    private let signers = Mutex<[Key: Address]>([:])

    public init(capacity: Int = 8192) {
        self.capacity = max(1, capacity)
    }

    /// The address `signature` recovers to over `digest`, from memory when it was recovered before.
    public func signer(of signature: Signature, digest: [UInt8]) throws(CryptoError) -> Address {
        let key = Key(digest: digest, signature: signature)
        if let known = signers.withLock({ $0[key] }) { return known }
        let signer = try signature.recoverSigner(digest: digest)
        signers.withLock { table in
            if table.count >= capacity { table.removeAll(keepingCapacity: true) }
            table[key] = signer
        }
        return signer
    }
}
