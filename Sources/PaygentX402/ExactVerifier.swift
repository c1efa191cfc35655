import BigInt
import Foundation
import PaygentCrypto

/// Why a payment is refused: the reason strings and their order are the official x402
/// facilitator's (`../shared/x402/PROTOCOL.md`), so clients that act on them keep working.
public struct InvalidReason: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }

    public static let unsupportedScheme = InvalidReason(rawValue: "unsupported_scheme")
    public static let networkMismatch = InvalidReason(rawValue: "network_mismatch")
    public static let networkConfig = InvalidReason(rawValue: "invalid_exact_evm_failed_to_get_network_config")
    public static let missingDomain = InvalidReason(rawValue: "missing_eip712_domain")
    public static let recipientMismatch = InvalidReason(rawValue: "invalid_exact_evm_payload_recipient_mismatch")
    public static let valueMismatch = InvalidReason(rawValue: "invalid_exact_evm_payload_authorization_value_mismatch")
    /// A payment of 0 moves nothing: the token contract's transfer would succeed and pay for nothing.
    public static let zeroValue = InvalidReason(rawValue: "invalid_exact_evm_payload_authorization_value")
    public static let validBefore = InvalidReason(rawValue: "invalid_exact_evm_payload_authorization_valid_before")
    public static let validAfter = InvalidReason(rawValue: "invalid_exact_evm_payload_authorization_valid_after")
    public static let signature = InvalidReason(rawValue: "invalid_exact_evm_payload_signature")
    public static let signatureUnverifiable = InvalidReason(rawValue: "invalid_exact_evm_failed_to_verify_signature")
    public static let assetNotDeployed = InvalidReason(rawValue: "asset_not_deployed_contract")
    public static let assetInfo = InvalidReason(rawValue: "invalid_exact_evm_failed_to_get_asset_info")
    public static let tokenNameMismatch = InvalidReason(rawValue: "invalid_exact_evm_token_name_mismatch")
    public static let tokenVersionMismatch = InvalidReason(rawValue: "invalid_exact_evm_token_version_mismatch")
    public static let nonceUsed = InvalidReason(rawValue: "invalid_exact_evm_nonce_already_used")
    public static let insufficientBalance = InvalidReason(rawValue: "invalid_exact_evm_insufficient_balance")
}

/// What the chain (or the local ledger) knows, for the checks that need state. Offline
/// verification passes none and skips them.
public struct ChainState: Sendable {
    /// The token's EIP-712 name and version, or nil if no such token contract exists.
    public var token: @Sendable (Network, Address) -> (name: String, version: String)?
    /// True if `from` already used `nonce` on this token.
    public var nonceUsed: @Sendable (Network, Address, Address, [UInt8]) -> Bool
    /// The balance of `from` in the token, in base units.
    public var balance: @Sendable (Network, Address, Address) -> BigUInt

    public init(
        token: @escaping @Sendable (Network, Address) -> (name: String, version: String)?,
        nonceUsed: @escaping @Sendable (Network, Address, Address, [UInt8]) -> Bool,
        balance: @escaping @Sendable (Network, Address, Address) -> BigUInt
    ) {
        self.token = token
        self.nonceUsed = nonceUsed
        self.balance = balance
    }
}

/// The outcome of verifying one payment against one offer.
public struct Verification: Sendable, Hashable {
    public var reason: InvalidReason?
    /// For people: what exactly was wrong.
    public var message: String
    /// The authorization's `from`, when it parsed.
    public var payer: Address?
    /// The address the signature recovers to, when it did.
    public var signer: Address?

    public var isValid: Bool { reason == nil }

    public var response: VerifyResponse {
        VerifyResponse(isValid: isValid, invalidReason: reason?.rawValue, invalidMessage: isValid ? nil : message, payer: payer?.eip55)
    }
}

/// The `exact` scheme's verification rules on EVM, as one pure function.
public enum ExactVerifier {
    /// Seconds `validBefore` must leave, as the official facilitator requires.
    public static let minimumValiditySeconds: UInt64 = 6

    /// - Parameter checkSignature: false only for a caller that checks the signature itself right
    ///   after (a ledger that verifies every transfer it applies), to avoid recovering it twice.
    /// - Parameter signers: remembers the recovered signer for a later check of the same payment
    ///   (a facilitator's settle after its verify).
    public static func verify(
        _ payment: AnyPaymentPayload, against offer: Offer, now: UInt64, chain: ChainState? = nil, checkSignature: Bool = true,
        signers: SignerCache? = nil
    ) -> Verification {
        let authorization = payment.exact.authorization
        let payer = try? Address(authorization.from)
        func refuse(_ reason: InvalidReason, _ message: String, signer: Address? = nil) -> Verification {
            Verification(reason: reason, message: message, payer: payer, signer: signer)
        }

        // 1–4: what is being paid, where, with which token domain.
        guard payment.scheme == "exact" else {
            return refuse(.unsupportedScheme, "scheme '\(payment.scheme)' is not supported; only 'exact'")
        }
        guard payment.network == offer.network || (Network(payment.network) != nil && Network(payment.network) == Network(offer.network)) else {
            return refuse(.networkMismatch, "the payment is for \(payment.network), the requirements ask for \(offer.network)")
        }
        guard let network = Network(offer.network) else {
            return refuse(.networkConfig, "network '\(offer.network)' is not an EVM network this facilitator knows")
        }
        guard let domainName = offer.extra?["name"], let domainVersion = offer.extra?["version"] else {
            return refuse(.missingDomain, "the requirements' extra lacks the token's EIP-712 name and version")
        }

        // 5–8: the authorization's terms.
        guard authorization.to.lowercased() == offer.payTo.lowercased() else {
            return refuse(.recipientMismatch, "the authorization pays \(authorization.to), the requirements say \(offer.payTo)")
        }
        guard (try? Address(authorization.to)) != Address.zero else {
            return refuse(.recipientMismatch, "the zero address cannot receive a payment (the token contract refuses it)")
        }
        guard let value = decimal(authorization.value), let amount = decimal(offer.amount), value == amount else {
            return refuse(.valueMismatch, "the authorization is for \(authorization.value) base units, the price is \(offer.amount)")
        }
        guard value > 0 else {
            return refuse(.zeroValue, "a payment moves more than 0 base units")
        }
        guard let validBefore = decimal(authorization.validBefore), validBefore >= BigUInt(now + minimumValiditySeconds) else {
            return refuse(.validBefore, "the authorization expires at \(authorization.validBefore), too soon for now (\(now))")
        }
        guard let validAfter = decimal(authorization.validAfter), validAfter <= BigUInt(now) else {
            return refuse(.validAfter, "the authorization is valid only after \(authorization.validAfter) (now \(now))")
        }

        // 9: the signature recovers `from` over the EIP-712 digest of the requirements' token.
        guard let signatureText = payment.exact.signature, !signatureText.isEmpty else {
            return refuse(.signature, "the payment has no signature")
        }
        guard let payer else {
            return refuse(.signature, "the authorization's from '\(authorization.from)' is not an address")
        }
        let signature: Signature
        let to: Address
        let nonce: [UInt8]
        let asset: Address
        do {
            signature = try Signature(hex: signatureText)
            to = try Address(authorization.to)
            nonce = try HexField.bytes(authorization.nonce, count: 32, what: "nonce")
            asset = try Address(offer.asset)
        } catch {
            return refuse(.signatureUnverifiable, "the signature cannot be checked: \(error)")
        }
        let transfer = TransferWithAuthorization(
            from: payer, to: to, value: value, validAfter: validAfter, validBefore: validBefore, nonce: nonce)
        let domain = TokenDomain(name: domainName, version: domainVersion, chainID: BigUInt(network.chainID), verifyingContract: asset)
        var signer = payer
        if checkSignature {
            do {
                signer = try transfer.signer(of: signature, domain: domain, cache: signers)
            } catch {
                return refuse(.signature, "the signature is not valid: \(error)")
            }
            guard signer == payer else {
                return refuse(.signature, "the signature was made by \(signer), not by \(payer)", signer: signer)
            }
        }

        // 10: what only the chain knows.
        if let chain {
            guard let token = chain.token(network, asset) else {
                return refuse(.assetNotDeployed, "no token contract \(asset) on \(network.displayName)", signer: signer)
            }
            guard token.name == domainName else {
                return refuse(.tokenNameMismatch, "the token's EIP-712 name is '\(token.name)', not '\(domainName)'", signer: signer)
            }
            guard token.version == domainVersion else {
                return refuse(.tokenVersionMismatch, "the token's EIP-712 version is '\(token.version)', not '\(domainVersion)'", signer: signer)
            }
            guard !chain.nonceUsed(network, asset, payer, nonce) else {
                return refuse(.nonceUsed, "this authorization's nonce was already used", signer: signer)
            }
            let balance = chain.balance(network, asset, payer)
            guard balance >= value else {
                return refuse(.insufficientBalance, "\(payer) holds \(balance) base units, the payment needs \(value)", signer: signer)
            }
        }
        return Verification(reason: nil, message: "valid", payer: payer, signer: signer)
    }

    /// A non-negative decimal integer (uint256 range); nil for anything else. Short values take
    /// a 64-bit fast path.
    static func decimal(_ text: String) -> BigUInt? {
        guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        if text.utf8.count <= 19, let small = UInt64(text) { return BigUInt(small) }
        guard let value = BigUInt(text, radix: 10), value < BigUInt(1) << 256 else { return nil }
        return value
    }
}
