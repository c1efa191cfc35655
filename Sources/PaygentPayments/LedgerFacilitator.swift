import BigInt
import Foundation
import PaygentCrypto
import PaygentLedger
import PaygentX402
import PaygentX402HTTP

/// The x402 facilitator over the local chain: verification with the exact-scheme rules (the
/// ledger answers the chain's questions: token, nonce, balance), settlement as a ledger transfer.
///
/// A settle succeeds for exactly one authorization, once. The same call retried with its
/// settlement key is answered with its first result, marked `replayed`; any other settle of an
/// authorization whose nonce is used (settled, or cancelled by the payer) fails with
/// `invalid_exact_evm_nonce_already_used` and moves nothing, so a resource server can serve one
/// response per successful settlement.
public struct LedgerFacilitator: Facilitator {
    let ledger: any SettlementBackend

    /// The wall clock validity windows are checked against.
    let clock: @Sendable () -> Date
    /// Told of every settled payment whose payload declared the x402 `bazaar` extension (to
    /// catalogue the resource); called after the settlement, never delaying it.
    let bazaarSettled: (@Sendable (FacilitatorRequest, SettleResponse) -> Void)?

    public init(
        ledger: any SettlementBackend, now: @escaping @Sendable () -> Date,
        bazaarSettled: (@Sendable (FacilitatorRequest, SettleResponse) -> Void)? = nil
    ) {
        self.clock = now
        self.bazaarSettled = bazaarSettled
        self.ledger = ledger
    }

    public func verify(_ request: FacilitatorRequest) async -> VerifyResponse {
        await check(request).response
    }

    public func settle(_ request: FacilitatorRequest) async -> SettleResponse {
        let network = request.offer.network
        // Settle re-checks the offer's rules (recipient, amount, window); the ledger then checks
        // the signature, nonce and balance as it applies the transfer.
        let rules = ExactVerifier.verify(request.payment, against: request.offer, now: now(), checkSignature: false)
        guard rules.isValid, let transfer = try? signedTransfer(request) else {
            return SettleResponse(
                success: false, errorReason: rules.reason?.rawValue ?? "invalid_exact_evm_failed_to_verify_signature",
                errorMessage: rules.message, payer: rules.payer?.eip55, transaction: "", network: network)
        }
        do throws(LedgerError) {
            let receipt = try await ledger.settle([transfer], idempotencyKey: Self.ledgerKey(request.settlementKey, transfer))
            let entry = receipt.transactions.first
            let settled = SettleResponse(
                success: true, payer: transfer.authorization.from.eip55, transaction: entry?.hash ?? "", network: network,
                amount: entry?.value, replayed: receipt.replayed ? true : nil)
            if let bazaarSettled, !receipt.replayed, case .v2(let payload) = request.payment, case .object(let extensions)? = payload.extensions,
                extensions["bazaar"] != nil
            {
                bazaarSettled(request, settled)
            }
            return settled
        } catch {
            return SettleResponse(
                success: false, errorReason: error.kind.rawValue, errorMessage: error.description,
                payer: transfer.authorization.from.eip55, transaction: "", network: network)
        }
    }

    /// The ledger's idempotency key for one settle call: the call's key bound to the exact
    /// authorization (its token, payer, nonce and signature), so a key reused for another
    /// authorization is a new settlement, refused if its nonce is used. No key, no replay.
    static func ledgerKey(_ settlementKey: String?, _ transfer: SignedTransfer) -> String? {
        guard let settlementKey, !settlementKey.isEmpty else { return nil }
        let a = transfer.authorization
        return "x402:\(settlementKey):\(transfer.token.lowercase):\(a.from.lowercase):\(HexField.string(a.nonce)):\(transfer.signature.hex)"
    }

    public func supported() async -> SupportedResponse {
        SupportedResponse(
            kinds: [
                .init(x402Version: 2, scheme: "exact", network: "eip155:\(ledger.chainID)"),
                .init(x402Version: 1, scheme: "exact", network: Network(chainID: ledger.chainID).v1Name ?? "eip155:\(ledger.chainID)"),
            ],
            extensions: [], signers: [:])
    }

    /// Verification with the ledger's state for this payment's token, payer and nonce.
    private func check(_ request: FacilitatorRequest) async -> Verification {
        let a = request.payment.exact.authorization
        let network = Network(chainID: ledger.chainID)
        guard let asset = try? Address(request.offer.asset), let from = try? Address(a.from), let nonce = try? HexField.bytes(a.nonce, count: 32, what: "nonce") else {
            return ExactVerifier.verify(request.payment, against: request.offer, now: now())
        }
        let token = ledger.token(asset)
        let state = try? await ledger.paymentState(token: asset, owner: from, nonce: nonce)
        let used = state?.nonceUsed ?? false
        let balance = state?.balance ?? 0
        let chain = ChainState(
            token: { queried, address in
                guard queried == network, address == asset, let token else { return nil }
                return (token.domainName, token.domainVersion)
            },
            nonceUsed: { _, _, _, _ in used },
            balance: { _, _, _ in balance })
        return ExactVerifier.verify(request.payment, against: request.offer, now: now(), chain: chain, signers: ledger.signers)
    }

    private func signedTransfer(_ request: FacilitatorRequest) throws -> SignedTransfer {
        let a = request.payment.exact.authorization
        guard let value = BigUInt(a.value, radix: 10), let after = BigUInt(a.validAfter, radix: 10),
            let before = BigUInt(a.validBefore, radix: 10), let signature = request.payment.exact.signature
        else { throw X402DecodingError("malformed authorization") }
        return SignedTransfer(
            token: try Address(request.offer.asset),
            authorization: TransferWithAuthorization(
                from: try Address(a.from), to: try Address(a.to), value: value, validAfter: after, validBefore: before,
                nonce: try HexField.bytes(a.nonce, count: 32, what: "nonce")),
            signature: try Signature(hex: signature))
    }

    private func now() -> UInt64 { UInt64(max(0, clock().timeIntervalSince1970)) }
}
