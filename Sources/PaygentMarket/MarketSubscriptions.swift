import Foundation
import PaygentCrypto
import PaygentRegistryAPI
import PaygentTransport
import PaygentX402
import PaygentX402HTTP

/// The sample API's subscribers are the registry's: a wallet that signs in to `/feed` is served
/// unpaid when the registry says it holds an active subscription to that resource.
public enum MarketSubscriptions {
    /// - Parameters:
    ///   - now: the wall clock proofs are dated against.
    ///   - randomBytes: where challenge nonces come from.
    public static func signIn(
        registry: RPCClient, now: @escaping @Sendable () -> Date, randomBytes: @escaping @Sendable (Int) -> [UInt8]
    ) -> SignInAccess {
        SignInAccess(
            chainId: "eip155:338", statement: "Sign in with the wallet that holds your subscription to this resource.", now: now,
            nonce: { randomBytes(16).map { String(format: "%02x", $0) }.joined() }
        ) { signer, resource in
            do {
                let answer = try await registry.call(
                    RegistryMethod.subscriptionAccess, SubscriptionAccessRequest(address: signer.eip55, url: resource), deadline: .seconds(2))
                return answer.access == .granted ? .success(()) : .failure(SignInRefusal(answer.message))
            } catch {
                return .failure(SignInRefusal("subscriptions cannot be checked now (\(error)); pay per call or try again"))
            }
        }
    }
}
