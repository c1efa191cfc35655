import BigInt
import Foundation
import PaygentCrypto

/// Builds and signs an `exact` payment for an offer, as the official clients do: v2 with
/// `validAfter = 0`, v1 with `validAfter = now − 600`; `validBefore = now + maxTimeoutSeconds`,
/// capped at `maxValiditySeconds` when given (a server asking for an hour does not get an
/// authorization it can hold for an hour); a fresh random 32-byte nonce.
public enum ExactSigner {
    public static func pay(
        _ offer: Offer, with key: PrivateKey, now: UInt64, nonce: [UInt8]? = nil, maxValiditySeconds: UInt64? = nil
    ) throws -> AnyPaymentPayload {
        guard offer.scheme == "exact" else { throw X402DecodingError("only the 'exact' scheme can be signed, not '\(offer.scheme)'") }
        guard let network = Network(offer.network) else { throw X402DecodingError("unknown network '\(offer.network)'") }
        guard let name = offer.extra?["name"], let version = offer.extra?["version"] else {
            throw X402DecodingError("the requirements lack the token's EIP-712 name and version (extra)")
        }
        guard let value = BigUInt(offer.amount, radix: 10) else { throw X402DecodingError("amount '\(offer.amount)' is not a number") }
        let nonce = try nonce ?? secureRandomBytes(32)
        let validAfter: UInt64 = offer.version == 1 ? now - min(now, 600) : 0
        let asked = UInt64(max(0, offer.maxTimeoutSeconds))
        let validBefore = now + (maxValiditySeconds.map { min($0, asked) } ?? asked)
        let transfer = TransferWithAuthorization(
            from: key.address, to: try Address(offer.payTo), value: value, validAfter: BigUInt(validAfter),
            validBefore: BigUInt(validBefore), nonce: nonce)
        let domain = TokenDomain(name: name, version: version, chainID: BigUInt(network.chainID), verifyingContract: try Address(offer.asset))
        let signature = try transfer.sign(with: key, domain: domain)
        let exact = ExactEVMPayload(
            authorization: AuthorizationFields(
                from: key.address.eip55, to: offer.payTo, value: offer.amount, validAfter: "\(validAfter)",
                validBefore: "\(validBefore)", nonce: HexField.string(nonce)),
            signature: signature.hex)
        if offer.version == 1 {
            return .v1(PaymentPayloadV1(scheme: offer.scheme, network: offer.network, payload: exact))
        }
        return .v2(PaymentPayload(payload: exact, accepted: offer.requirements, resource: offer.resource.map { ResourceInfo(url: $0) }))
    }

    /// The header value for a payment (`PAYMENT-SIGNATURE` for v2, `X-PAYMENT` for v1).
    public static func header(_ payment: AnyPaymentPayload) throws -> String {
        try HeaderCodec.encode(payment)
    }
}
