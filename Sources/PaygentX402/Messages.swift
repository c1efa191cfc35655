/// x402 message types, protocol versions 1 and 2, with the JSON field names of the x402
/// specification (camelCase; absent optionals omitted), so other implementations interoperate.
/// Amounts and times are decimal strings of integers, as on the wire.

/// What a resource costs and how to pay it (v2).
public struct PaymentRequirements: Codable, Sendable, Hashable {
    public var scheme: String
    /// CAIP-2, e.g. `eip155:338`.
    public var network: String
    /// Token contract address.
    public var asset: String
    /// Base units, decimal string.
    public var amount: String
    public var payTo: String
    public var maxTimeoutSeconds: Int
    /// EVM `exact`: `{"name", "version"}`, the token's EIP-712 domain.
    public var extra: JSONValue?

    public init(scheme: String, network: String, asset: String, amount: String, payTo: String, maxTimeoutSeconds: Int, extra: JSONValue?) {
        self.scheme = scheme
        self.network = network
        self.asset = asset
        self.amount = amount
        self.payTo = payTo
        self.maxTimeoutSeconds = maxTimeoutSeconds
        self.extra = extra
    }
}

/// The resource being paid for.
public struct ResourceInfo: Codable, Sendable, Hashable {
    public var url: String
    public var description: String?
    public var mimeType: String?
    public var serviceName: String?
    public var tags: [String]?
    public var iconUrl: String?

    public init(url: String, description: String? = nil, mimeType: String? = nil) {
        self.url = url
        self.description = description
        self.mimeType = mimeType
    }
}

/// The 402 answer (v2: base64 JSON in the `PAYMENT-REQUIRED` header).
public struct PaymentRequired: Codable, Sendable, Hashable {
    public var x402Version: Int
    public var error: String?
    public var resource: ResourceInfo?
    public var accepts: [PaymentRequirements]
    public var extensions: JSONValue?

    public init(error: String?, resource: ResourceInfo?, accepts: [PaymentRequirements]) {
        x402Version = 2
        self.error = error
        self.resource = resource
        self.accepts = accepts
    }
}

/// An EIP-3009 authorization as x402 carries it: every field a string.
public struct AuthorizationFields: Codable, Sendable, Hashable {
    public var from: String
    public var to: String
    public var value: String
    public var validAfter: String
    public var validBefore: String
    /// 0x + 64 hex digits.
    public var nonce: String

    public init(from: String, to: String, value: String, validAfter: String, validBefore: String, nonce: String) {
        self.from = from
        self.to = to
        self.value = value
        self.validAfter = validAfter
        self.validBefore = validBefore
        self.nonce = nonce
    }
}

/// The `exact` scheme's payload on EVM (same in v1 and v2).
public struct ExactEVMPayload: Codable, Sendable, Hashable {
    public var authorization: AuthorizationFields
    /// 0x + 130 hex digits: r ‖ s ‖ v.
    public var signature: String?

    public init(authorization: AuthorizationFields, signature: String?) {
        self.authorization = authorization
        self.signature = signature
    }
}

/// A payment (v2: base64 JSON in the `PAYMENT-SIGNATURE` header).
public struct PaymentPayload: Codable, Sendable, Hashable {
    public var x402Version: Int
    public var payload: ExactEVMPayload
    /// The requirements the payer chose, copied.
    public var accepted: PaymentRequirements
    public var resource: ResourceInfo?
    public var extensions: JSONValue?

    public init(payload: ExactEVMPayload, accepted: PaymentRequirements, resource: ResourceInfo?) {
        x402Version = 2
        self.payload = payload
        self.accepted = accepted
        self.resource = resource
    }
}

/// v1 requirements (legacy network names, `maxAmountRequired`, resource as a URL string).
public struct PaymentRequirementsV1: Codable, Sendable, Hashable {
    public var scheme: String
    public var network: String
    public var maxAmountRequired: String
    public var resource: String
    public var description: String?
    public var mimeType: String?
    public var payTo: String
    public var maxTimeoutSeconds: Int
    public var asset: String
    public var outputSchema: JSONValue?
    public var extra: JSONValue?

    public init(
        scheme: String, network: String, maxAmountRequired: String, resource: String, description: String?, mimeType: String?,
        payTo: String, maxTimeoutSeconds: Int, asset: String, outputSchema: JSONValue?, extra: JSONValue?
    ) {
        self.scheme = scheme
        self.network = network
        self.maxAmountRequired = maxAmountRequired
        self.resource = resource
        self.description = description
        self.mimeType = mimeType
        self.payTo = payTo
        self.maxTimeoutSeconds = maxTimeoutSeconds
        self.asset = asset
        self.outputSchema = outputSchema
        self.extra = extra
    }
}

/// v1 402 body.
public struct PaymentRequiredV1: Codable, Sendable, Hashable {
    public var x402Version: Int
    public var error: String?
    public var accepts: [PaymentRequirementsV1]

    public init(x402Version: Int = 1, error: String?, accepts: [PaymentRequirementsV1]) {
        self.x402Version = x402Version
        self.error = error
        self.accepts = accepts
    }
}

/// v1 payment (`X-PAYMENT` header).
public struct PaymentPayloadV1: Codable, Sendable, Hashable {
    public var x402Version: Int
    public var scheme: String
    public var network: String
    public var payload: ExactEVMPayload

    public init(scheme: String, network: String, payload: ExactEVMPayload) {
        x402Version = 1
        self.scheme = scheme
        self.network = network
        self.payload = payload
    }
}

/// The facilitator's answer to `/verify`.
public struct VerifyResponse: Codable, Sendable, Hashable {
    public var isValid: Bool
    public var invalidReason: String?
    public var invalidMessage: String?
    public var payer: String?

    public init(isValid: Bool, invalidReason: String? = nil, invalidMessage: String? = nil, payer: String? = nil) {
        self.isValid = isValid
        self.invalidReason = invalidReason
        self.invalidMessage = invalidMessage
        self.payer = payer
    }
}

/// The facilitator's answer to `/settle` (`PAYMENT-RESPONSE` header after a paid request).
public struct SettleResponse: Codable, Sendable, Hashable {
    public var success: Bool
    public var errorReason: String?
    public var errorMessage: String?
    public var payer: String?
    /// Transaction hash; "" on failure (required by the specification).
    public var transaction: String
    public var network: String
    public var amount: String?
    /// True when this answers a settle call retried with the same settlement key: the first
    /// result, and nothing moved this time. Absent otherwise.
    public var replayed: Bool?

    public init(
        success: Bool, errorReason: String? = nil, errorMessage: String? = nil, payer: String? = nil, transaction: String,
        network: String, amount: String? = nil, replayed: Bool? = nil
    ) {
        self.replayed = replayed
        self.success = success
        self.errorReason = errorReason
        self.errorMessage = errorMessage
        self.payer = payer
        self.transaction = transaction
        self.network = network
        self.amount = amount
    }
}

/// `GET /supported`.
public struct SupportedResponse: Codable, Sendable, Hashable {
    public struct Kind: Codable, Sendable, Hashable {
        public var x402Version: Int
        public var scheme: String
        public var network: String
        public var extra: JSONValue?

        public init(x402Version: Int, scheme: String, network: String, extra: JSONValue? = nil) {
            self.x402Version = x402Version
            self.scheme = scheme
            self.network = network
            self.extra = extra
        }
    }

    public var kinds: [Kind]
    public var extensions: [String]
    public var signers: [String: [String]]

    public init(kinds: [Kind], extensions: [String], signers: [String: [String]]) {
        self.kinds = kinds
        self.extensions = extensions
        self.signers = signers
    }
}
