/// Builds payment messages from parsed JSON (`JSONParser`), with the same rules as their
/// `Decodable` conformances: required fields must be present with the right type, absent or
/// null optional fields are nil, unknown fields are ignored.
struct JSONFields {
    let members: [String: JSONValue]
    let path: String

    init(_ value: JSONValue?, path: String) throws(X402DecodingError) {
        guard case .object(let members)? = value else {
            throw X402DecodingError(path.isEmpty ? "the payment is not a JSON object" : "\(path) must be an object")
        }
        self.members = members
        self.path = path
    }

    private func name(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    func string(_ key: String) throws(X402DecodingError) -> String {
        guard let text = try optionalString(key) else { throw X402DecodingError("missing field \(name(key))") }
        return text
    }

    func optionalString(_ key: String) throws(X402DecodingError) -> String? {
        switch members[key] {
        case nil, .null?: return nil
        case .string(let text)?: return text
        default: throw X402DecodingError("\(name(key)) must be a string")
        }
    }

    func int(_ key: String) throws(X402DecodingError) -> Int {
        guard case .number(let number)? = members[key], let value = Int(exactly: number) else {
            throw X402DecodingError(members[key] == nil ? "missing field \(name(key))" : "\(name(key)) must be an integer")
        }
        return value
    }

    func optionalValue(_ key: String) -> JSONValue? {
        if case .null? = members[key] { return nil }
        return members[key]
    }

    func nested(_ key: String) throws(X402DecodingError) -> JSONFields {
        guard members[key] != nil else { throw X402DecodingError("missing field \(name(key))") }
        return try JSONFields(members[key], path: name(key))
    }

    func optionalNested(_ key: String) throws(X402DecodingError) -> JSONFields? {
        switch members[key] {
        case nil, .null?: return nil
        default: return try JSONFields(members[key], path: name(key))
        }
    }
}

extension ExactEVMPayload {
    init(fields: JSONFields) throws(X402DecodingError) {
        let a = try fields.nested("authorization")
        self.init(
            authorization: AuthorizationFields(
                from: try a.string("from"), to: try a.string("to"), value: try a.string("value"),
                validAfter: try a.string("validAfter"), validBefore: try a.string("validBefore"), nonce: try a.string("nonce")),
            signature: try fields.optionalString("signature"))
    }
}

extension PaymentRequirements {
    init(fields f: JSONFields) throws(X402DecodingError) {
        self.init(
            scheme: try f.string("scheme"), network: try f.string("network"), asset: try f.string("asset"),
            amount: try f.string("amount"), payTo: try f.string("payTo"), maxTimeoutSeconds: try f.int("maxTimeoutSeconds"),
            extra: f.optionalValue("extra"))
    }
}

extension ResourceInfo {
    init(fields f: JSONFields) throws(X402DecodingError) {
        self.init(url: try f.string("url"), description: try f.optionalString("description"), mimeType: try f.optionalString("mimeType"))
        serviceName = try f.optionalString("serviceName")
        iconUrl = try f.optionalString("iconUrl")
        if let tags = f.optionalValue("tags") {
            guard case .array(let items) = tags else { throw X402DecodingError("\(f.path).tags must be an array") }
            self.tags = try items.map { (item) throws(X402DecodingError) -> String in
                guard case .string(let text) = item else { throw X402DecodingError("\(f.path).tags must hold strings") }
                return text
            }
        }
    }
}

extension AnyPaymentPayload {
    /// A payment of either version from the JSON inside its header.
    init(json: JSONValue) throws(X402DecodingError) {
        let root = try JSONFields(json, path: "")
        guard case .number(let number)? = root.members["x402Version"], let version = Int(exactly: number) else {
            throw X402DecodingError("not x402 JSON (no x402Version)")
        }
        switch version {
        case 1:
            self = .v1(PaymentPayloadV1(
                scheme: try root.string("scheme"), network: try root.string("network"),
                payload: try ExactEVMPayload(fields: try root.nested("payload"))))
        case 2:
            var payload = PaymentPayload(
                payload: try ExactEVMPayload(fields: try root.nested("payload")),
                accepted: try PaymentRequirements(fields: try root.nested("accepted")),
                resource: try root.optionalNested("resource").map { (f) throws(X402DecodingError) in try ResourceInfo(fields: f) })
            payload.extensions = root.optionalValue("extensions")
            self = .v2(payload)
        default:
            throw X402DecodingError("x402Version \(version) is not supported (1 or 2)")
        }
    }
}

extension SettleResponse {
    /// A settlement from the JSON of its header.
    init(json: JSONValue) throws(X402DecodingError) {
        let f = try JSONFields(json, path: "")
        guard case .bool(let success)? = f.members["success"] else { throw X402DecodingError("success must be true or false") }
        self.init(
            success: success, errorReason: try f.optionalString("errorReason"), errorMessage: try f.optionalString("errorMessage"),
            payer: try f.optionalString("payer"), transaction: try f.optionalString("transaction") ?? "",
            network: try f.string("network"), amount: try f.optionalString("amount"))
    }
}
