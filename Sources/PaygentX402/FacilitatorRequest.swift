import Foundation

/// What a resource server asks of a facilitator (the x402 `/verify`, `/settle`, `/supported`),
/// whatever carries the questions: HTTP for outside facilitators, our RPC for the payments service.
/// A refused payment is an answer (`isValid: false`, `success: false`), not an error.
public protocol Facilitator: Sendable {
    func verify(_ request: FacilitatorRequest) async -> VerifyResponse
    func settle(_ request: FacilitatorRequest) async -> SettleResponse
    func supported() async -> SupportedResponse
}

/// The body of `POST /verify` and `POST /settle`:
/// `{"x402Version": n, "paymentPayload": {...}, "paymentRequirements": {...}}`, where the payload
/// and requirements have the shapes of protocol version n.
public struct FacilitatorRequest: Codable, Sendable, Hashable {
    public var x402Version: Int
    public var payment: AnyPaymentPayload
    public var offer: Offer
    /// The payment header exactly as the client sent it, when known (a resource server has it):
    /// carried as is over RPC instead of being encoded again. Not part of the JSON body.
    public var paymentHeader: String?
    /// Names one settle call, so that the call retried (a lost connection, a restart) is answered
    /// with its first result, marked `replayed`, instead of failing as a reuse of the nonce: the
    /// RPC idempotency key, or the HTTP `Idempotency-Key` header. Any other settle of an
    /// authorization whose nonce is used fails. Not part of the JSON body.
    public var settlementKey: String?

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

/// The facilitator's question as it travels on the Paygent RPC (`payments.x402_verify`,
/// `payments.x402_settle`): the payment as the client sent it (the header value, base64 JSON) and
/// the offer it claims to pay, flat. A flat message costs a fraction of the nested
/// `FacilitatorRequest` to encode and decode, and the facilitator reads the header with the same
/// parser a resource server uses.
public struct FacilitatorCall: Codable, Sendable, Equatable {
    public var paymentHeader: String
    public var offer: Offer

    public init(paymentHeader: String, offer: Offer) {
        self.paymentHeader = paymentHeader
        self.offer = offer
    }

    public init(_ request: FacilitatorRequest) throws {
        paymentHeader = try request.paymentHeader ?? ExactSigner.header(request.payment)
        offer = request.offer
    }

    /// The request this call carries; a header that is not an x402 payment is refused here.
    public func request() throws(X402DecodingError) -> FacilitatorRequest {
        var request = FacilitatorRequest(payment: try HeaderCodec.decodePayment(paymentHeader), offer: offer)
        request.paymentHeader = paymentHeader
        return request
    }
}
