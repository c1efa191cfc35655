/// One way to pay, whatever the protocol version said: what the verification rules and the
/// signer need from requirements.
public struct Offer: Codable, Sendable, Hashable {
    public var version: Int
    public var scheme: String
    public var network: String
    public var asset: String
    /// Base units, decimal string (v2 `amount`, v1 `maxAmountRequired`).
    public var amount: String
    public var payTo: String
    public var maxTimeoutSeconds: Int
    public var extra: JSONValue?
    public var resource: String?

    public init(_ requirements: PaymentRequirements, resource: String? = nil) {
        version = 2
        scheme = requirements.scheme
        network = requirements.network
        asset = requirements.asset
        amount = requirements.amount
        payTo = requirements.payTo
        maxTimeoutSeconds = requirements.maxTimeoutSeconds
        extra = requirements.extra
        self.resource = resource
    }

    public init(_ requirements: PaymentRequirementsV1) {
        version = 1
        scheme = requirements.scheme
        network = requirements.network
        asset = requirements.asset
        amount = requirements.maxAmountRequired
        payTo = requirements.payTo
        maxTimeoutSeconds = requirements.maxTimeoutSeconds
        extra = requirements.extra
        resource = requirements.resource
    }

    /// The v2 requirements this offer came from (or would be).
    public var requirements: PaymentRequirements {
        PaymentRequirements(
            scheme: scheme, network: network, asset: asset, amount: amount, payTo: payTo,
            maxTimeoutSeconds: maxTimeoutSeconds, extra: extra)
    }

    /// Reads requirements from a file or string: a v2 `PaymentRequired` or `PaymentRequirements`,
    /// or a v1 `PaymentRequiredV1` / `PaymentRequirementsV1`, as JSON (or base64 JSON, as in the
    /// `PAYMENT-REQUIRED` header). Returns every offer found.
    public static func parse(_ text: String) throws(X402DecodingError) -> [Offer] {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        let data: Data
        if trimmed.hasPrefix("{") {
            data = Data(trimmed.utf8)
        } else {
            do {
                data = try HeaderCodec.base64JSON(trimmed)
            } catch {
                throw X402DecodingError("requirements are neither JSON nor base64 JSON")
            }
        }
        let decoder = JSONDecoder()
        if let required = try? decoder.decode(PaymentRequired.self, from: data), required.x402Version == 2 {
            return required.accepts.map { Offer($0, resource: required.resource?.url) }
        }
        if let required = try? decoder.decode(PaymentRequiredV1.self, from: data), required.x402Version == 1 {
            return required.accepts.map(Offer.init)
        }
        if let single = try? decoder.decode(PaymentRequirements.self, from: data) {
            return [Offer(single)]
        }
        if let single = try? decoder.decode(PaymentRequirementsV1.self, from: data) {
            return [Offer(single)]
        }
        do {
            _ = try decoder.decode(PaymentRequirements.self, from: data)
        } catch {
            throw X402DecodingError("not x402 payment requirements: \(HeaderCodec.describe(error))")
        }
        throw X402DecodingError("not x402 payment requirements")
    }
}

import Foundation
