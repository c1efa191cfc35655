import Foundation

/// The body of `POST /verify` and `POST /settle`:
/// `{"x402Version": n, "paymentPayload": {...}, "paymentRequirements": {...}}`, where the payload
/// and requirements have the shapes of protocol version n.
public struct FacilitatorRequest: Codable, Sendable, Hashable {
    public var x402Version: Int
    public var payment: AnyPaymentPayload
    public var offer: Offer

    public init(payment: AnyPaymentPayload, offer: Offer) {
        x402Version = payment.version
        self.payment = payment
        self.offer = offer
    }

    enum CodingKeys: String, CodingKey {
        case x402Version, paymentPayload, paymentRequirements
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        x402Version = try container.decode(Int.self, forKey: .x402Version)
        switch x402Version {
        case 1:
            payment = .v1(try container.decode(PaymentPayloadV1.self, forKey: .paymentPayload))
            offer = Offer(try container.decode(PaymentRequirementsV1.self, forKey: .paymentRequirements))
        case 2:
            payment = .v2(try container.decode(PaymentPayload.self, forKey: .paymentPayload))
            offer = Offer(try container.decode(PaymentRequirements.self, forKey: .paymentRequirements))
        default:
            throw DecodingError.dataCorruptedError(
                forKey: .x402Version, in: container, debugDescription: "x402Version \(x402Version) is not supported (1 or 2)")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(x402Version, forKey: .x402Version)
        switch payment {
        case .v1(let payload):
            try container.encode(payload, forKey: .paymentPayload)
            try container.encode(offer.requirementsV1, forKey: .paymentRequirements)
        case .v2(let payload):
            try container.encode(payload, forKey: .paymentPayload)
            try container.encode(offer.requirements, forKey: .paymentRequirements)
        }
    }
}

extension Offer {
    /// The v1 requirements this offer came from (or would be).
    public var requirementsV1: PaymentRequirementsV1 {
        PaymentRequirementsV1(
            scheme: scheme, network: network, maxAmountRequired: amount, resource: resource ?? "", description: nil,
            mimeType: nil, payTo: payTo, maxTimeoutSeconds: maxTimeoutSeconds, asset: asset, outputSchema: nil, extra: extra)
    }
}
