import Foundation
import PaygentCrypto
import PaygentX402
import Synchronization

/// Who may use a route on a `sign-in-with-x` proof instead of a payment: the proof is checked
/// (fields, age, signature, a nonce never seen before), then `grant` says whether its signer
/// holds what the route needs (an active subscription, for the sample API).
public struct SignInAccess: Sendable {
    /// The chain proofs are signed for (`eip155:338`).
    public let chainId: String
    public let statement: String
    let now: @Sendable () -> Date
    let nonce: @Sendable () -> String
    let grant: @Sendable (_ signer: Address, _ resource: String) async -> Result<Void, SignInRefusal>
    let usedNonces: NonceBook

    /// - Parameters:
    ///   - now: the wall clock proofs are dated against.
    ///   - nonce: a fresh challenge nonce (32 hex digits) for each 402.
    ///   - grant: whether `signer` may have `resource` without paying, and if not, why.
    public init(
        chainId: String, statement: String, now: @escaping @Sendable () -> Date, nonce: @escaping @Sendable () -> String,
        capacity: Int = 1_000_000,
        grant: @escaping @Sendable (_ signer: Address, _ resource: String) async -> Result<Void, SignInRefusal>
    ) {
        self.chainId = chainId
        self.statement = statement
        self.now = now
        self.nonce = nonce
        self.grant = grant
        usedNonces = NonceBook(capacity: capacity)
    }

    /// The extension a 402 for `resource` declares: a fresh challenge, valid 5 minutes.
    func declaration(resource: String, origin: String) -> JSONValue {
        let issued = now()
        let domain = URL(string: origin).flatMap { url in url.host.map { host in url.port.map { "\(host):\($0)" } ?? host } } ?? origin
        let challenge = SignInChallenge(
            domain: domain, uri: resource, nonce: nonce(), issuedAt: issued, expirationTime: issued.addingTimeInterval(SignInWithX.maxAge),
            statement: statement, resources: [resource])
        return SignInWithX.declaration(challenge, chainId: chainId)
    }

    /// Checks a `SIGN-IN-WITH-X` header for `resource`; each proof is used once.
    func admit(_ header: String, resource: String, origin: String) async -> Result<Void, SignInRefusal> {
        let proof: SignInProof
        do {
            proof = try SignInProof.parse(header: header)
        } catch {
            return .failure(SignInRefusal(error.message))
        }
        guard let originURL = URL(string: origin) else { return .failure(SignInRefusal("the server's origin is not a URL")) }
        let at = now()
        let signer: Address
        switch proof.verify(origin: originURL, chainId: chainId, now: at) {
        case .success(let address): signer = address
        case .failure(let refusal): return .failure(refusal)
        }
        let issued = SignInWithX.date(proof.issuedAt) ?? at
        guard !usedNonces.contains(proof.nonce, now: at) else {
            return .failure(SignInRefusal("this proof's nonce was already used; sign a new proof for each request"))
        }
        if case .failure(let refusal) = await grant(signer, resource) { return .failure(refusal) }
        // Recorded only once granted, so proofs of wallets with nothing to be granted fill no
        // memory; the record is the check that counts when the same proof arrives twice at once.
        switch usedNonces.use(proof.nonce, by: signer, until: issued.addingTimeInterval(SignInWithX.maxAge), now: at) {
        case .recorded: return .success(())
        case .alreadyUsed: return .failure(SignInRefusal("this proof's nonce was already used; sign a new proof for each request"))
        case .full: return .failure(SignInRefusal("too many sign-ins from \(signer.eip55) in the last 5 minutes; pay per call or wait"))
        }
    }
}

/// Nonces of accepted proofs, each kept until its proof could no longer be accepted anyway (5
/// minutes after it was issued), so a proof cannot be sent twice. One signer may hold a tenth of
/// the book; full, it refuses new proofs rather than forget a nonce still in its window.
final class NonceBook: Sendable {
    enum Use { case recorded, alreadyUsed, full }

    private struct State {
        var entries: [String: (until: Date, signer: Address)] = [:]
        var perSigner: [Address: Int] = [:]
    }

    private let state = Mutex(State())
    let capacity: Int

    init(capacity: Int) {
        self.capacity = max(10, capacity)
    }

    func contains(_ nonce: String, now: Date) -> Bool {
        state.withLock { ($0.entries[nonce]?.until).map { $0 > now } ?? false }
    }

    /// Records `nonce` for `signer` until `until`.
    func use(_ nonce: String, by signer: Address, until: Date, now: Date) -> Use {
        state.withLock { state in
            if let kept = state.entries[nonce], kept.until > now { return .alreadyUsed }
            if state.entries.count >= capacity || state.perSigner[signer, default: 0] >= capacity / 10 {
                state.entries = state.entries.filter { $0.value.until > now }
                state.perSigner = state.entries.values.reduce(into: [:]) { $0[$1.signer, default: 0] += 1 }
                guard state.entries.count < capacity, state.perSigner[signer, default: 0] < capacity / 10 else { return .full }
            }
            state.entries[nonce] = (until, signer)
            state.perSigner[signer, default: 0] += 1
            return .recorded
        }
    }
}
