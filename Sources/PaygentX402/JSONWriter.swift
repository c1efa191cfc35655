/// Compact JSON for the messages on a payment's hot path (the payment header a client sends, the
/// settlement header a server answers, `extra` values on our RPC), written directly: Foundation's
/// `JSONEncoder` costs more than the signature on those paths. Field names and order follow the
/// `Encodable` conformances, and absent optionals are omitted, as `JSONEncoder` does; the tests
/// hold the two equal.
struct JSONWriter {
    private(set) var bytes: [UInt8] = []
    private var needsComma = false

    init() {
        bytes.reserveCapacity(1024)
    }

    mutating func object(_ body: (inout JSONWriter) -> Void) {
        separate()
        bytes.append(UInt8(ascii: "{"))
        needsComma = false
        body(&self)
        bytes.append(UInt8(ascii: "}"))
        needsComma = true
    }

    mutating func object(_ key: String, _ body: (inout JSONWriter) -> Void) {
        self.key(key)
        needsComma = false
        object(body)
    }

    mutating func field(_ key: String, _ text: String) {
        self.key(key)
        needsComma = false
        string(text)
    }

    mutating func field(_ key: String, _ text: String?) {
        if let text { field(key, text) }
    }

    mutating func field(_ key: String, _ number: Int) {
        self.key(key)
        bytes.append(contentsOf: String(number).utf8)
        needsComma = true
    }

    mutating func field(_ key: String, _ flag: Bool) {
        self.key(key)
        bytes.append(contentsOf: (flag ? "true" : "false").utf8)
        needsComma = true
    }

    mutating func field(_ key: String, _ value: JSONValue?) {
        guard let value else { return }
        self.key(key)
        needsComma = false
        self.value(value)
    }

    mutating func value(_ value: JSONValue) {
        separate()
        switch value {
        case .null: bytes.append(contentsOf: "null".utf8)
        case .bool(let flag): bytes.append(contentsOf: (flag ? "true" : "false").utf8)
        case .number(let number): bytes.append(contentsOf: Self.number(number).utf8)
        case .string(let text):
            needsComma = false
            string(text)
        case .array(let items):
            bytes.append(UInt8(ascii: "["))
            needsComma = false
            for item in items { self.value(item) }
            bytes.append(UInt8(ascii: "]"))
        case .object(let members):
            bytes.append(UInt8(ascii: "{"))
            needsComma = false
            for name in members.keys.sorted() {
                key(name)
                needsComma = false
                self.value(members[name]!)
            }
            bytes.append(UInt8(ascii: "}"))
        }
        needsComma = true
    }

    private mutating func key(_ name: String) {
        separate()
        quoted(name)
        bytes.append(UInt8(ascii: ":"))
    }

    private mutating func string(_ text: String) {
        separate()
        quoted(text)
        needsComma = true
    }

    private mutating func separate() {
        if needsComma { bytes.append(UInt8(ascii: ",")) }
    }

    /// A JSON string literal: quotes, backslashes and control characters escaped; the rest as UTF-8.
    private mutating func quoted(_ text: String) {
        bytes.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes.append(contentsOf: [0x5C, 0x22])
            case UInt8(ascii: "\\"): bytes.append(contentsOf: [0x5C, 0x5C])
            case 0x0A: bytes.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case 0x0D: bytes.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            case 0x09: bytes.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                bytes.append(contentsOf: [0x5C, UInt8(ascii: "u"), 0x30, 0x30, hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]])
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// Integers without a fraction; others in Swift's shortest round-tripping form (valid JSON);
    /// a value JSON cannot hold (infinity, NaN) as null.
    static func number(_ value: Double) -> String {
        guard value.isFinite else { return "null" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }
}

extension JSONValue {
    /// Compact JSON text (object members in sorted order).
    public var jsonText: String {
        var writer = JSONWriter()
        writer.value(self)
        return String(decoding: writer.bytes, as: UTF8.self)
    }
}

extension JSONWriter {
    mutating func write(_ a: AuthorizationFields) {
        object("authorization") { w in
            w.field("from", a.from)
            w.field("to", a.to)
            w.field("value", a.value)
            w.field("validAfter", a.validAfter)
            w.field("validBefore", a.validBefore)
            w.field("nonce", a.nonce)
        }
    }

    mutating func write(_ payload: ExactEVMPayload) {
        object("payload") { w in
            w.write(payload.authorization)
            w.field("signature", payload.signature)
        }
    }

    mutating func write(_ r: PaymentRequirements, key: String) {
        object(key) { w in
            w.field("scheme", r.scheme)
            w.field("network", r.network)
            w.field("asset", r.asset)
            w.field("amount", r.amount)
            w.field("payTo", r.payTo)
            w.field("maxTimeoutSeconds", r.maxTimeoutSeconds)
            w.field("extra", r.extra)
        }
    }

    mutating func write(_ resource: ResourceInfo) {
        object("resource") { w in
            w.field("url", resource.url)
            w.field("description", resource.description)
            w.field("mimeType", resource.mimeType)
            w.field("serviceName", resource.serviceName)
            if let tags = resource.tags { w.field("tags", JSONValue.array(tags.map(JSONValue.string))) }
            w.field("iconUrl", resource.iconUrl)
        }
    }

    /// The JSON of a payment header, either version.
    static func payment(_ payment: AnyPaymentPayload) -> [UInt8] {
        var writer = JSONWriter()
        writer.object { w in
            switch payment {
            case .v1(let p):
                w.field("x402Version", p.x402Version)
                w.field("scheme", p.scheme)
                w.field("network", p.network)
                w.write(p.payload)
            case .v2(let p):
                w.field("x402Version", p.x402Version)
                w.write(p.payload)
                w.write(p.accepted, key: "accepted")
                if let resource = p.resource { w.write(resource) }
                w.field("extensions", p.extensions)
            }
        }
        return writer.bytes
    }

    /// The JSON of a settlement (`PAYMENT-RESPONSE`).
    static func settlement(_ s: SettleResponse) -> [UInt8] {
        var writer = JSONWriter()
        writer.object { w in
            w.field("success", s.success)
            w.field("errorReason", s.errorReason)
            w.field("errorMessage", s.errorMessage)
            w.field("payer", s.payer)
            w.field("transaction", s.transaction)
            w.field("network", s.network)
            w.field("amount", s.amount)
        }
        return writer.bytes
    }
}
