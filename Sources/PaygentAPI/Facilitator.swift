import Foundation

/// The x402 facilitator over RPC, for resource servers on the Paygent bus (the sample paid API).
/// The bodies are PaygentX402's `FacilitatorRequest`, `VerifyResponse`, `SettleResponse` and
/// `SupportedResponse`, in the binary encoding; outside servers use the same facilitator over HTTP.
extension PaymentsMethod {
    /// `FacilitatorRequest` → `VerifyResponse`: the exact-scheme rules against the ledger.
    public static let x402Verify = "payments.x402_verify"
    /// `FacilitatorRequest` → `SettleResponse`: settles on the ledger; the same authorization
    /// settled again answers the first result and moves nothing.
    public static let x402Settle = "payments.x402_settle"
    /// `X402SupportedRequest` → `SupportedResponse`: the schemes and networks settled here.
    public static let x402Supported = "payments.x402_supported"
}

public struct X402SupportedRequest: Codable, Sendable, Equatable {
    public init() {}
}
