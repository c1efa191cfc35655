import Foundation
import PaygentCrypto
import PaygentRegistryAPI
import PaygentRuntime
import PaygentTransport
import PaygentWire
import PaygentX402
import PaygentX402HTTP
import Synchronization

/// For `payments.fetch`: answers a resource's `sign-in-with-x` challenge with a proof signed by
/// the paying wallet when the registry says that wallet holds an active subscription to it, so the
/// call is served without a payment. A subscription that has ended is an error unless the caller
/// allowed paying per call; a wallet that never subscribed pays as usual.
final class SubscriptionSignIn: Sendable {
    let registry: RPCClient
    let wallet: Address
    /// The wallet's key, opened only when a proof is signed.
    let key: @Sendable () throws(PaygentError) -> PrivateKey
    /// The URL asked for: a challenge must be bound to its origin.
    let url: URL
    let chainID: UInt64
    let payPerCallFallback: Bool
    let now: @Sendable () -> Date
    let random: RandomSource
    /// The subscription a proof was sent under.
    let used = Mutex<String?>(nil)

    init(
        registry: RPCClient, wallet: Address, key: @escaping @Sendable () throws(PaygentError) -> PrivateKey, url: URL, chainID: UInt64, payPerCallFallback: Bool,
        now: @escaping @Sendable () -> Date, random: RandomSource
    ) {
        (self.registry, self.wallet, self.key, self.url, self.chainID) = (registry, wallet, key, url, chainID)
        (self.payPerCallFallback, self.now, self.random) = (payPerCallFallback, now, random)
    }

    var hook: X402HTTPClient.SignInHook {
        X402HTTPClient.SignInHook(proof: { [self] extensions in try await proof(extensions) }, refused: { [self] reason in try refused(reason) })
    }

    private func proof(_ extensions: JSONValue?) async throws(PaygentError) -> String? {
        let chain = "eip155:\(chainID)"
        guard let challenge = SignInWithX.challenge(in: extensions, chainId: chain), bound(challenge) else { return nil }
        let answer: SubscriptionAccessReply
        do {
            answer = try await registry.call(
                RegistryMethod.subscriptionAccess, SubscriptionAccessRequest(address: wallet.eip55, url: challenge.uri), deadline: .seconds(2))
        } catch {
            if payPerCallFallback { return nil }
            throw PaygentError(
                .unavailable,
                "\(url.absoluteString) takes subscriptions, and the registry cannot say whether this wallet holds one (\(error.message)); "
                    + "try again, or allow paying per call (`--pay-per-call`)")
        }
        switch answer.access {
        case .granted:
            // The challenge may have been learned earlier: a proof of our own time and nonce.
            var fresh = challenge
            fresh.nonce = Hex.encode(random.bytes(16))
            fresh.issuedAt = SignInWithX.timestamp(now())
            fresh.expirationTime = nil
            fresh.notBefore = nil
            let signer = try key()
            let proof: SignInProof
            do {
                proof = try SignInProof.sign(fresh, chainId: chain, with: signer)
            } catch {
                throw PaygentError(.internal, "cannot sign the sign-in proof: \(error.message)")
            }
            used.withLock { $0 = answer.subscription?.id }
            do {
                return try proof.header()
            } catch {
                throw PaygentError(.internal, "cannot encode the sign-in proof")
            }
        case .lapsed:
            if payPerCallFallback { return nil }
            throw PaygentError(
                .failedPrecondition,
                "\(answer.message); renew it (`paygent subscriptions subscribe \(answer.subscription?.serviceId ?? "<service>")`) "
                    + "or allow paying per call (`--pay-per-call`)")
        case .none, .notSubscriptionPriced:
            return nil
        }
    }

    private func refused(_ reason: String) throws(PaygentError) {
        used.withLock { $0 = nil }
        guard payPerCallFallback else {
            throw PaygentError(
                .failedPrecondition, "\(url.absoluteString) refused the subscription sign-in: \(reason); allow paying per call (`--pay-per-call`) to pay instead")
        }
    }

    /// A challenge for another site is not answered: its domain and uri are this URL's origin.
    private func bound(_ challenge: SignInChallenge) -> Bool {
        guard let host = url.host, let uri = URL(string: challenge.uri) else { return false }
        let authority = url.port.map { "\(host):\($0)" } ?? host
        return challenge.domain == authority && uri.scheme == url.scheme && uri.host == host && uri.port == url.port
    }
}
